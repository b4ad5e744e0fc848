"""Follow-up: every situation is reachable, the order of precedence, days from followup.yaml."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from alkphos import Interpretation, Knowledge
from tests.conftest import case, row
from tests.rules.helpers import SAMPLES, day, flag_ids, lln, run, uln, with_context

MAN = {"age_years": 50, "sex": "male"}
WOMAN = {"age_years": 71, "sex": "female"}


def _situation(kb: Knowledge, result: Interpretation) -> str:
    """The follow-up rule whose words the interpretation carries."""
    matches = [
        rule_id
        for rule_id, rule in kb.follow_up.items()
        if rule.advice == result.follow_up.advice
        and rule.repeat_alp_after_days == result.follow_up.repeat_alp_after_days
        and rule.basis == result.follow_up.basis
    ]
    assert len(matches) == 1, matches
    return matches[0]


def _cases(kb: Knowledge) -> dict[str, dict[str, Any]]:
    low = lln(kb, "alp") - 15
    return {
        "no_alp": case(row("GGT", 30), **MAN),
        "urgent": case(row("ALP", kb.param("marked_elevation_alp") + 500), **MAN),
        "recollect": SAMPLES["low_edta"],
        "normal": case(row("ALP", 80), **MAN),
        "physiologic": case(row("ALP", uln(kb, "alp", age=8) - 20), age_years=8, sex="male"),
        "pregnancy": case(
            row("ALP", uln(kb, "alp", age=30, sex="female") + 30),
            age_years=30,
            sex="female",
            pregnancy_weeks=32,
        ),
        "low_after_acute_illness": case(row("ALP", 80, day(-30)), row("ALP", low), **MAN),
        "low_persistent": case(row("ALP", low, day(-200)), row("ALP", low), **MAN),
        "low_unexplained_first": with_context(
            case(row("ALP", low), **MAN), findings=["early tooth loss"]
        ),
        "transient_hyperphosphatasemia": SAMPLES["high_child"],
        "isolated_mild_high": case(row("ALP", uln(kb, "alp") * 1.2), **MAN),
        "hepatic_mild_unexplained": case(
            row("ALP", uln(kb, "alp") * 1.2), row("GGT", uln(kb, "ggt") * 3), **MAN
        ),
        "high_unexplained": case(row("ALP", uln(kb, "alp") * 2.5), **MAN),
        "fracture_healing": with_context(
            case(row("ALP", uln(kb, "alp") * 1.6), row("GGT", 20), **MAN),
            findings=["recent fracture"],
        ),
        "pbc": with_context(
            case(
                row("ALP", 250),
                row("GGT", 120),
                row("AMA", 100, reference_high=25),
                age_years=55,
                sex="female",
            ),
            findings=["itching", "known_pbc"],
        ),
        "postpartum": case(
            row("ALP", 200), row("GGT", 20), age_years=30, sex="female", postpartum_weeks=3
        ),
        # Issue 14: ALP 81 with AST 320, bilirubin 37 umol/L and albumin 27 g/L is not "no
        # repeat needed": it is decompensated liver disease (ACG 2017).
        "liver_disease": case(
            row("ALP", 81),
            row("AST", 320),
            row("total bilirubin", 37, unit="umol/L"),
            row("albumin", 27, unit="g/L"),
            **MAN,
        ),
        "normal_alp_other_abnormal": case(row("ALP", 80), row("GGT", uln(kb, "ggt") * 3), **MAN),
        # Issue 18: ALP 74 before denosumab and 30-32 on it is the drug; never imply stopping.
        "low_on_antiresorptive": with_context(
            case(row("ALP", 74, day(-700)), row("ALP", 32, day(-200)), row("ALP", 30), **WOMAN),
            medications=["denosumab"],
        ),
        # Issue 18: TSH 46 explains the low ALP; treat it and recheck before any HPP work-up.
        "low_explained": case(row("ALP", low, day(-90)), row("ALP", low), row("TSH", 46), **WOMAN),
        "borderline_low": case(row("ALP", lln(kb, "alp") - 1), **MAN),
        "low_first_with_other_findings": case(
            row("ALP", low), row("AST", uln(kb, "ast") * 4), row("GGT", uln(kb, "ggt") * 3), **MAN
        ),
        # Issue 14: known conditions explain what they explain and set the urgency.
        "known_cirrhosis": with_context(
            case(
                row("ALP", 150),
                row("AST", 80),
                row("ALT", 40),
                row("albumin", 30, unit="g/L"),
                row("platelets", 90),
                **MAN,
            ),
            findings=["known_cirrhosis"],
        ),
        "known_paget": with_context(
            case(row("ALP", 300), row("GGT", 20), age_years=70, sex="male"),
            findings=["paget's disease of bone"],
        ),
        "known_bone_metastases": with_context(
            case(row("ALP", 400), row("GGT", 20), age_years=70, sex="male"),
            findings=["known_bone_metastases"],
        ),
        "chronic_cholestasis": case(
            row("ALP", 260, day(-800)),
            row("ALP", 262),
            row("GGT", 180),
            row("ALT", 45),
            age_years=56,
            sex="female",
        ),
    }


REQUIRED = [
    "no_alp",
    "urgent",
    "recollect",
    "normal",
    "physiologic",
    "pregnancy",
    "low_after_acute_illness",
    "low_persistent",
    "low_unexplained_first",
    "transient_hyperphosphatasemia",
    "isolated_mild_high",
    "hepatic_mild_unexplained",
    "high_unexplained",
    "fracture_healing",
    "pbc",
    "postpartum",
    "liver_disease",
    "normal_alp_other_abnormal",
    "low_on_antiresorptive",
    "low_explained",
    "borderline_low",
    "low_first_with_other_findings",
    "chronic_cholestasis",
    "known_cirrhosis",
    "known_paget",
    "known_bone_metastases",
]


def test_every_rule_in_followup_yaml_is_tested(kb: Knowledge) -> None:
    """Each follow-up rule of the knowledge base has a case here, and the words are distinct."""
    assert sorted(REQUIRED) == sorted(kb.follow_up)
    advice = [rule.advice for rule in kb.follow_up.values()]
    assert len(set(advice)) == len(advice)


@pytest.mark.parametrize("situation", REQUIRED)
def test_situation_is_reachable(kb: Knowledge, as_of: date, situation: str) -> None:
    """A typical case reaches this situation, with the days and words of followup.yaml."""
    result = run(_cases(kb)[situation], as_of)
    assert _situation(kb, result) == situation
    rule = kb.follow_up[situation]
    assert result.follow_up.repeat_alp_after_days == rule.repeat_alp_after_days
    assert result.follow_up.advice == rule.advice


@pytest.mark.parametrize(
    ("flag", "data"),
    [
        ("marked_elevation", case(row("ALP", 1500), **MAN)),
        (
            "possible_obstruction",
            with_context(
                case(row("ALP", 300), row("total bilirubin", 4), **MAN), findings=["ruq_pain"]
            ),
        ),
        (
            "acute_severe_liver_injury",
            with_context(case(row("ALP", 80), row("INR", 2.0), **MAN), findings=["jaundice"]),
        ),
        (
            "possible_cholangitis",
            with_context(
                case(row("ALP", 600), row("total bilirubin", 4), **MAN),
                findings=["fever", "jaundice", "ruq_pain"],
            ),
        ),
        (
            "acute_liver_failure",
            with_context(case(row("ALP", 80), **MAN), findings=["acute liver failure"]),
        ),
        ("wilson_acute_liver_failure", SAMPLES["low_wilson"]),
    ],
)
def test_each_urgent_flag_makes_it_urgent(
    kb: Knowledge, as_of: date, flag: str, data: dict[str, Any]
) -> None:
    """Each urgent flag, with any ALP status, makes the follow-up urgent."""
    result = run(data, as_of)
    assert flag in flag_ids(result)
    assert _situation(kb, result) == "urgent"


def test_urgent_beats_recollect(kb: Knowledge, as_of: date) -> None:
    """Acute liver failure is urgent even when the sample also looks EDTA-contaminated."""
    data = with_context(SAMPLES["low_edta"], findings=["acute liver failure"])
    result = run(data, as_of)
    assert "possible_edta_contamination" in flag_ids(result)
    assert _situation(kb, result) == "urgent"


def test_recollect_beats_persistence(kb: Knowledge, as_of: date) -> None:
    """A suspect sample is recollected before a persistent low is acted on."""
    low = lln(kb, "alp") - 20
    data = case(
        row("ALP", low, day(-200)),
        row("ALP", low),
        row("potassium", 7.0),
        row("calcium", 1.6),
        **MAN,
    )
    result = run(data, as_of)
    assert "persistently_low_alp" in flag_ids(result)
    assert _situation(kb, result) == "recollect"


def test_acute_fall_beats_persistence(kb: Knowledge, as_of: date) -> None:
    """Old lows then a normal value and a new low: the recent fall governs the follow-up."""
    low = lln(kb, "alp") - 15
    data = case(
        row("ALP", low, day(-400)),
        row("ALP", low, day(-200)),
        row("ALP", 80, day(-30)),
        row("ALP", low),
        **MAN,
    )
    result = run(data, as_of)
    assert result.alp_series is not None
    assert result.alp_series.persistently_low
    assert result.alp_series.acute_fall
    assert _situation(kb, result) == "low_after_acute_illness"


def test_critical_illness_on_top_means_after_illness(kb: Knowledge, as_of: date) -> None:
    """A low ALP in a critically ill patient is re-checked after recovery."""
    data = with_context(case(row("ALP", lln(kb, "alp") - 15), **MAN), findings=["septic shock"])
    result = run(data, as_of)
    assert result.differential[0].id == "critical_illness"
    assert _situation(kb, result) == "low_after_acute_illness"


@pytest.mark.parametrize(
    ("extra", "expected"), [(0, "isolated_mild_high"), (1, "high_unexplained")]
)
def test_mild_boundary(kb: Knowledge, as_of: date, extra: float, expected: str) -> None:
    """Up to the mild multiple of the ULN is a mild rise; above it is not."""
    alp = kb.param("mild_rise_max_uln") * 100 + extra
    data = case(row("ALP", alp, reference_low=40, reference_high=100), **MAN)
    assert _situation(kb, run(data, as_of)) == expected


def test_days_follow_the_knowledge_base(kb: Knowledge, as_of: date) -> None:
    """Changing a rule's days in followup.yaml changes the output's days."""
    rule = kb.follow_up["low_persistent"]
    changed = rule.model_copy(update={"repeat_alp_after_days": 123})
    modified = dataclasses.replace(kb, follow_up={**kb.follow_up, "low_persistent": changed})
    result = run(_cases(kb)["low_persistent"], as_of, kb=modified)
    assert result.follow_up.repeat_alp_after_days == 123
    assert result.follow_up.advice == rule.advice
