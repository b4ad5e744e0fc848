"""Evidence predicates: each holds, fails, and fails safe on missing data; load-time checks."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from alkphos import Knowledge, KnowledgeError
from alkphos.rules.evidence import PREDICATES, check_predicates, holds
from tests.conftest import case, row
from tests.rules.helpers import day, lln, state_of, uln, with_context

ADULT = {"age_years": 50, "sex": "male"}
WOMAN = {"age_years": 30, "sex": "female"}
ALP_OK = row("ALP", 80)


def _c(*rows: dict[str, Any], **context: Any) -> dict[str, Any]:
    medications = context.pop("medications", None)
    findings = context.pop("findings", None)
    setting = context.pop("setting", None)
    patient = context or ADULT
    data = with_context(case(*rows, **patient), medications, findings)
    return data | {"setting": setting} if setting else data


def _table(kb: Knowledge) -> dict[str, tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]]:
    """Predicate name -> (expression, case where it holds, where it fails, data missing)."""
    low_alp = lln(kb, "alp") - 10
    alt_uln, alp_uln = uln(kb, "alt"), uln(kb, "alp")
    span = int(kb.param("long_standing_low_days"))
    lows = lambda *days: [row("ALP", low_alp, day(d)) for d in days]  # noqa: E731
    return {
        "low": ("low:alp", _c(row("ALP", low_alp)), _c(ALP_OK), _c(row("GGT", 20))),
        "high": (
            "high:ggt",
            _c(ALP_OK, row("GGT", uln(kb, "ggt") * 3)),
            _c(ALP_OK, row("GGT", 20)),
            _c(ALP_OK),
        ),
        "normal": ("normal:ggt", _c(row("GGT", 20)), _c(row("GGT", 300)), _c(ALP_OK)),
        "above": ("above:plp:180", _c(row("PLP", 181)), _c(row("PLP", 180)), _c(ALP_OK)),
        "below": ("below:alp:25", _c(row("ALP", 24)), _c(row("ALP", 25)), _c(row("GGT", 20))),
        "above_uln": (
            "above_uln:alt:5",
            _c(row("ALT", 5 * alt_uln + 1)),
            _c(row("ALT", 5 * alt_uln)),
            _c(ALP_OK),
        ),
        "below_uln": (
            "below_uln:alp:1.5",
            _c(row("ALP", 1.5 * alp_uln - 1)),
            _c(row("ALP", 1.5 * alp_uln)),
            _c(row("GGT", 20)),
        ),
        "liver_tests_normal": (
            "liver_tests_normal",
            _c(ALP_OK, row("ALT", 20), row("GGT", 20)),
            _c(ALP_OK, row("ALT", 20), row("GGT", uln(kb, "ggt") * 3)),
            _c(ALP_OK, row("AST", 20), row("total bilirubin", 0.5)),
        ),
        "bone_minerals_normal": (
            "bone_minerals_normal",
            _c(ALP_OK, row("calcium", 2.3), row("phosphate", 1.0)),
            _c(ALP_OK, row("calcium", uln(kb, "calcium") + 0.3), row("phosphate", 1.0)),
            _c(ALP_OK, row("calcium", 2.3)),
        ),
        "alp_persistently_low": (
            "alp_persistently_low",
            _c(*lows(-200, 0)),
            _c(*lows(0)),
            _c(row("GGT", 20)),
        ),
        "alp_single_low": (
            "alp_single_low",
            _c(*lows(0)),
            _c(*lows(-200, 0)),
            _c(row("GGT", 20)),
        ),
        "alp_acute_fall": (
            "alp_acute_fall",
            _c(row("ALP", 80, day(-30)), *lows(0)),
            _c(*lows(-30, 0)),
            _c(row("GGT", 20)),
        ),
        "alp_long_standing_low": (
            "alp_long_standing_low",
            _c(*lows(-span, 0)),
            _c(*lows(-span + 30, 0)),
            _c(row("GGT", 20)),
        ),
        "alp_rising": (
            "alp_rising",
            _c(row("ALP", 80, day(-60)), row("ALP", 120, day(0))),
            _c(row("ALP", 80, day(-60)), row("ALP", 82, day(0))),
            _c(ALP_OK),
        ),
        "alp_falling": (
            "alp_falling",
            _c(row("ALP", 120, day(-60)), row("ALP", 80, day(0))),
            _c(row("ALP", 80, day(-60)), row("ALP", 82, day(0))),
            _c(ALP_OK),
        ),
        "non_fasting": (
            "non_fasting",
            _c(row("ALP", 80, fasting=False)),
            _c(row("ALP", 80, fasting=True)),
            _c(ALP_OK),
        ),
        "finding": (
            "finding:early_tooth_loss",
            _c(ALP_OK, findings=["early tooth loss"], **ADULT),
            _c(ALP_OK, findings=["fever"], **ADULT),
            _c(ALP_OK),
        ),
        "drug_class": (
            "drug_class:antiresorptive",
            _c(ALP_OK, medications=["Fosamax 70 mg weekly"], **ADULT),
            _c(ALP_OK, medications=["omeprazole"], **ADULT),
            _c(ALP_OK),
        ),
        "age_below": (
            "age_below:18",
            _c(ALP_OK, age_years=10, sex="male"),
            _c(ALP_OK, age_years=18, sex="male"),
            _c(ALP_OK, sex="male"),
        ),
        "age_at_least": (
            "age_at_least:50",
            _c(ALP_OK, age_years=50, sex="male"),
            _c(ALP_OK, age_years=49, sex="male"),
            _c(ALP_OK, sex="male"),
        ),
        "sex": (
            "sex:female",
            _c(ALP_OK, **WOMAN),
            _c(ALP_OK, **ADULT),
            _c(ALP_OK, age_years=30),
        ),
        "pregnant": (
            "pregnant",
            _c(ALP_OK, pregnancy_weeks=20, **WOMAN),
            _c(row("ALP", 80, day(-200)), row("GGT", 20), pregnancy_weeks=4, **WOMAN),
            _c(ALP_OK, **WOMAN),
        ),
        "pregnant_weeks_at_least": (
            "pregnant_weeks_at_least:20",
            _c(ALP_OK, pregnancy_weeks=20, **WOMAN),
            _c(ALP_OK, pregnancy_weeks=19, **WOMAN),
            _c(ALP_OK, **WOMAN),
        ),
        "menopause": (
            "menopause:post",
            _c(ALP_OK, menopause="post", **WOMAN),
            _c(ALP_OK, menopause="pre", **WOMAN),
            _c(ALP_OK, **WOMAN),
        ),
        "postpartum_within_weeks": (
            "postpartum_within_weeks:6",
            _c(ALP_OK, postpartum_weeks=6, **WOMAN),
            _c(ALP_OK, postpartum_weeks=7, **WOMAN),
            _c(ALP_OK, **WOMAN),
        ),
        "source": (
            "source:liver",
            _c(row("ALP", 2 * alp_uln), row("GGT", uln(kb, "ggt") * 3)),
            _c(row("ALP", 2 * alp_uln), row("GGT", 20)),
            _c(row("GGT", uln(kb, "ggt") * 3)),
        ),
        "pattern": (
            "pattern:cholestatic",
            _c(row("ALP", 4 * alp_uln), row("ALT", alt_uln * 1.5), row("GGT", 300)),
            _c(row("ALP", 4 * alp_uln), row("ALT", alt_uln * 30), row("GGT", 300)),
            _c(row("ALP", 4 * alp_uln), row("GGT", 300)),
        ),
        # A raised ALP that has stayed raised for 180 days or more without rising (EASL 2017:
        # chronic cholestasis lasts more than six months).
        "alp_stable_abnormal_days": (
            "alp_stable_abnormal_days:180",
            _c(row("ALP", 2 * alp_uln, day(-200)), row("ALP", 2 * alp_uln, day(0))),
            _c(row("ALP", 2 * alp_uln, day(-150)), row("ALP", 2 * alp_uln, day(0))),
            _c(row("ALP", 2 * alp_uln)),
        ),
        "alp_recent_onset_days": (
            "alp_recent_onset_days:180",
            _c(row("ALP", alp_uln / 2, day(-90)), row("ALP", 2 * alp_uln, day(0))),
            _c(row("ALP", alp_uln / 2, day(-400)), row("ALP", 2 * alp_uln, day(0))),
            _c(row("ALP", 2 * alp_uln)),
        ),
        "setting": (
            "setting:outpatient",
            _c(ALP_OK, setting="outpatient"),
            _c(ALP_OK, setting="intensive_care"),
            _c(ALP_OK, setting="emergency"),
        ),
        "flag": (
            "flag:possible_edta_contamination",
            _c(row("ALP", low_alp), row("potassium", 7.0), row("calcium", 1.6)),
            _c(row("ALP", low_alp), row("potassium", 4.0), row("calcium", 1.6)),
            _c(row("ALP", low_alp), row("calcium", 1.6)),
        ),
    }


NAMES = sorted(PREDICATES)


def test_every_predicate_is_covered(kb: Knowledge) -> None:
    """The table below tests every predicate the rules define."""
    assert sorted(_table(kb)) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_predicate_holds(kb: Knowledge, as_of: date, name: str) -> None:
    """The predicate holds when its condition is met."""
    expression, true_case, _, _ = _table(kb)[name]
    assert holds(state_of(true_case, kb, as_of), expression)


@pytest.mark.parametrize("name", NAMES)
def test_predicate_fails(kb: Knowledge, as_of: date, name: str) -> None:
    """The predicate does not hold when its condition is not met (boundaries included)."""
    expression, _, false_case, _ = _table(kb)[name]
    assert not holds(state_of(false_case, kb, as_of), expression)


@pytest.mark.parametrize("name", NAMES)
def test_predicate_is_false_on_missing_data(kb: Knowledge, as_of: date, name: str) -> None:
    """Without the data it reads, the predicate does not hold (and does not raise)."""
    expression, _, _, missing_case = _table(kb)[name]
    assert not holds(state_of(missing_case, kb, as_of), expression)


def test_age_without_alp_comes_from_the_latest_result(kb: Knowledge, as_of: date) -> None:
    """With no ALP, age predicates read the age at the latest result."""
    state = state_of(_c(row("GGT", 20), age_years=10, sex="male"), kb, as_of)
    assert holds(state, "age_below:18")
    assert not holds(state, "age_at_least:18")


def test_status_predicates_read_the_latest_result(kb: Knowledge, as_of: date) -> None:
    """'high:ggt' reads the most recent GGT, not an older one."""
    data = _c(ALP_OK, row("GGT", 300, day(-100)), row("GGT", 20, day(0)))
    state = state_of(data, kb, as_of)
    assert not holds(state, "high:ggt")
    assert holds(state, "normal:ggt")


# --- check_predicates ---------------------------------------------------------------------


def _with_item(kb: Knowledge, cause_id: str, when: str) -> Knowledge:
    """A knowledge base whose cause has its second evidence item's predicate replaced."""
    cause = kb.causes[cause_id]
    evidence = list(cause.evidence)
    evidence[1] = evidence[1].model_copy(update={"when": when})
    changed = cause.model_copy(update={"evidence": evidence})
    return dataclasses.replace(kb, causes={**kb.causes, cause_id: changed})


def test_bundled_knowledge_passes(kb: Knowledge) -> None:
    """Every evidence item of the bundled knowledge base names a valid predicate."""
    check_predicates(kb)


@pytest.mark.parametrize(
    ("when", "problem"),
    [
        ("frobnicate:alp", "unknown predicate 'frobnicate'"),
        ("high", "'high' takes 1 argument(s)"),
        ("high:alp:3", "'high' takes 1 argument(s)"),
        ("liver_tests_normal:alp", "'liver_tests_normal' takes 0 argument(s)"),
        ("high:alpp", "unknown analyte 'alpp'"),
        ("finding:purple_toes", "unknown finding 'purple_toes'"),
        ("drug_class:unobtainium", "unknown drug_class 'unobtainium'"),
        ("above:alp:lots", "'lots' is not a number"),
        ("age_below:", "'' is not a number"),
        ("source:kidney", "unknown source 'kidney'"),
        ("pattern:odd", "unknown pattern 'odd'"),
        ("flag:no_such_flag", "unknown flag 'no_such_flag'"),
        ("sex:other", "unknown sex 'other'"),
    ],
)
def test_invalid_predicates_are_rejected(kb: Knowledge, when: str, problem: str) -> None:
    """A bad predicate is a KnowledgeError naming causes.yaml, the cause and the item."""
    broken = _with_item(kb, "paget_disease", when)
    with pytest.raises(KnowledgeError) as caught:
        check_predicates(broken)
    error = caught.value
    assert error.file == "causes.yaml"
    assert error.key == "paget_disease.evidence[1].when"
    assert problem in error.problem
    assert "causes.yaml" in str(error)
    assert "paget_disease" in str(error)


def test_unknown_predicate_lists_the_known_ones(kb: Knowledge) -> None:
    """The error for an unknown predicate lists the predicates that exist."""
    with pytest.raises(KnowledgeError) as caught:
        check_predicates(_with_item(kb, "paget_disease", "frobnicate"))
    for name in ("high", "liver_tests_normal", "pattern"):
        assert name in caught.value.problem


@pytest.mark.parametrize("when", ["above:alp:1000", "below_uln:alp:1.5", "age_below:-1"])
def test_valid_replacements_pass(kb: Knowledge, when: str) -> None:
    """A valid predicate in the same place passes the check (the checks are not blanket)."""
    check_predicates(_with_item(kb, "paget_disease", when))
