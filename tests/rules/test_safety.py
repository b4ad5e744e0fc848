"""Safety and context flags: when each fires, when it does not, and with missing data."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from alkphos import Interpretation, Knowledge
from alkphos.rules.intervals import adult_interval
from alkphos.rules.support import supported
from tests.conftest import case, row
from tests.rules.helpers import day, flag_ids, lln, run, uln, with_context

ADULT = {"age_years": 50, "sex": "male"}
WOMAN = {"age_years": 30, "sex": "female"}


def _flags(as_of: date, *rows: dict[str, Any], **context: Any) -> set[str]:
    return flag_ids(_run(as_of, *rows, **context))


def _run(as_of: date, *rows: dict[str, Any], **context: Any) -> Interpretation:
    medications = context.pop("medications", None)
    findings = context.pop("findings", None)
    patient = context or ADULT
    return run(with_context(case(*rows, **patient), medications, findings), as_of)


def _detail(result: Interpretation, flag_id: str) -> str:
    return next(flag.message for flag in result.flags if flag.id == flag_id)


# --- acute liver failure and Wilson disease -------------------------------------------


def _wilson_rows(kb: Knowledge, alp_per_bilirubin: float, ast_per_alt: float) -> list[Any]:
    bilirubin = 15.0
    alt = 100.0
    return [
        row("ALP", alp_per_bilirubin * bilirubin),
        row("total bilirubin", bilirubin),
        row("AST", ast_per_alt * alt),
        row("ALT", alt),
    ]


def test_wilson_flag_fires_on_both_ratios(kb: Knowledge, as_of: date) -> None:
    """In acute liver failure, ALP/bilirubin and AST/ALT past their cut-offs raise the alert."""
    rows = _wilson_rows(
        kb, kb.param("wilson_alp_bilirubin_ratio_max") - 1, kb.param("wilson_ast_alt_ratio_min") + 1
    )
    result = _run(as_of, *rows, findings=["acute liver failure"], **WOMAN)
    assert {"wilson_acute_liver_failure", "acute_liver_failure"} <= flag_ids(result)
    assert "AST/ALT" in _detail(result, "wilson_acute_liver_failure")


@pytest.mark.parametrize("which", ["alp_bilirubin", "ast_alt"])
def test_wilson_flag_needs_both_ratios(kb: Knowledge, as_of: date, which: str) -> None:
    """One ratio on the wrong side of its cut-off is enough to withhold the Wilson alert."""
    alp_bili = kb.param("wilson_alp_bilirubin_ratio_max") - 1
    ast_alt = kb.param("wilson_ast_alt_ratio_min") + 1
    if which == "alp_bilirubin":
        alp_bili = kb.param("wilson_alp_bilirubin_ratio_max") + 1
    else:
        ast_alt = kb.param("wilson_ast_alt_ratio_min") - 0.5
    rows = _wilson_rows(kb, alp_bili, ast_alt)
    flags = _flags(as_of, *rows, findings=["acute liver failure"], **WOMAN)
    assert "acute_liver_failure" in flags
    assert "wilson_acute_liver_failure" not in flags


def test_wilson_flag_needs_acute_liver_failure(kb: Knowledge, as_of: date) -> None:
    """The Wilson ratios alone, without acute liver failure, raise no alert."""
    rows = _wilson_rows(
        kb, kb.param("wilson_alp_bilirubin_ratio_max") - 1, kb.param("wilson_ast_alt_ratio_min") + 1
    )
    flags = _flags(as_of, *rows, **WOMAN)
    assert not {"wilson_acute_liver_failure", "acute_liver_failure"} & flags


def test_wilson_flag_needs_bilirubin(kb: Knowledge, as_of: date) -> None:
    """Without a bilirubin the ALP/bilirubin ratio is unknown and the Wilson alert is withheld."""
    rows = _wilson_rows(
        kb, kb.param("wilson_alp_bilirubin_ratio_max") - 1, kb.param("wilson_ast_alt_ratio_min") + 1
    )
    rows = [r for r in rows if r["test"] != "total bilirubin"]
    flags = _flags(as_of, *rows, findings=["acute liver failure"], **WOMAN)
    assert "acute_liver_failure" in flags
    assert "wilson_acute_liver_failure" not in flags


def test_wilson_ratio_uses_bilirubin_in_mg_per_dl(kb: Knowledge, as_of: date) -> None:
    """A bilirubin reported in umol/L is converted to mg/dL before the ratio is taken."""
    cut_off = kb.param("wilson_alp_bilirubin_ratio_max")
    # 85.5 umol/L is 5 mg/dL: ALP 12 x 5 = 60 gives a ratio of 12 in mg/dL (no alert) but
    # would give 0.7 if the umol/L value were used by mistake.
    alp = (cut_off + 8) * 5
    rows = [
        row("ALP", alp),
        row("total bilirubin", 85.5, unit="umol/L"),
        row("AST", 300),
        row("ALT", 100),
    ]
    flags = _flags(as_of, *rows, findings=["acute liver failure"], **WOMAN)
    assert "wilson_acute_liver_failure" not in flags
    rows[0] = row("ALP", (cut_off - 1) * 5)
    flags = _flags(as_of, *rows, findings=["acute liver failure"], **WOMAN)
    assert "wilson_acute_liver_failure" in flags


def test_acute_liver_failure_from_the_finding(as_of: date) -> None:
    """The finding 'acute liver failure' raises the critical flag whatever the ALP."""
    result = _run(as_of, row("ALP", 80), findings=["acute liver failure"], **ADULT)
    assert "acute_liver_failure" in flag_ids(result)
    assert result.flags[0].severity == "critical"


def test_acute_liver_failure_from_inr_and_encephalopathy(kb: Knowledge, as_of: date) -> None:
    """An INR at the ALF threshold with encephalopathy is acute liver failure."""
    flags = _flags(
        as_of,
        row("ALP", 80),
        row("INR", kb.param("alf_inr_min")),
        findings=["encephalopathy"],
        **ADULT,
    )
    assert "acute_liver_failure" in flags


@pytest.mark.parametrize(("inr_offset", "findings"), [(-0.1, ["encephalopathy"]), (1.0, [])])
def test_no_acute_liver_failure_without_both(
    kb: Knowledge, as_of: date, inr_offset: float, findings: list[str]
) -> None:
    """An INR below the threshold, or a high INR without encephalopathy, is not ALF."""
    flags = _flags(
        as_of,
        row("ALP", 80),
        row("INR", kb.param("alf_inr_min") + inr_offset),
        findings=findings,
        **ADULT,
    )
    assert "acute_liver_failure" not in flags


# --- EDTA contamination ------------------------------------------------------------------


def _edta_rows(kb: Knowledge, potassium_day: str = day(0)) -> list[Any]:
    return [
        row("ALP", lln(kb, "alp") - 20),
        row("potassium", uln(kb, "potassium") + 2, potassium_day),
        row("calcium", lln(kb, "calcium") - 0.5),
    ]


def test_edta_signature_fires(kb: Knowledge, as_of: date) -> None:
    """A low ALP with high potassium and low calcium in the same draw suggests EDTA."""
    result = _run(as_of, *_edta_rows(kb))
    assert "possible_edta_contamination" in flag_ids(result)
    assert "same draw" in _detail(result, "possible_edta_contamination")


def test_edta_needs_the_same_draw(kb: Knowledge, as_of: date) -> None:
    """A high potassium from another day is not the EDTA signature."""
    assert "possible_edta_contamination" not in _flags(as_of, *_edta_rows(kb, day(-3)))


def test_edta_needs_a_low_alp(kb: Knowledge, as_of: date) -> None:
    """A normal ALP with high potassium and low calcium is not flagged as EDTA."""
    rows = [row("ALP", 80), *_edta_rows(kb)[1:]]
    assert "possible_edta_contamination" not in _flags(as_of, *rows)


def test_edta_needs_calcium(kb: Knowledge, as_of: date) -> None:
    """Without a calcium result the EDTA signature cannot be seen."""
    assert "possible_edta_contamination" not in _flags(as_of, *_edta_rows(kb)[:2])


# --- marked elevation ----------------------------------------------------------------------


def test_adult_above_1000_is_marked(kb: Knowledge, as_of: date) -> None:
    """An adult ALP above the marked-elevation value is marked, even below 10x the ULN."""
    value = kb.param("marked_elevation_alp") + 1
    lab = {"reference_low": 40, "reference_high": 150}
    assert value / 150 < kb.param("marked_elevation_uln_multiple")
    result = _run(as_of, row("ALP", value, **lab))
    assert "marked_elevation" in flag_ids(result)
    assert f"ALP {value:g} U/L" in _detail(result, "marked_elevation")


def test_adult_at_1000_is_not_marked(kb: Knowledge, as_of: date) -> None:
    """An adult ALP exactly at the marked-elevation value (under 10x ULN) is not marked."""
    value = kb.param("marked_elevation_alp")
    lab = {"reference_low": 40, "reference_high": 150}
    assert "marked_elevation" not in _flags(as_of, row("ALP", value, **lab))


def test_more_than_ten_times_uln_is_marked_at_any_value(kb: Knowledge, as_of: date) -> None:
    """More than 10x the ULN is marked even when the value is below 1000 U/L."""
    high = 50
    value = (kb.param("marked_elevation_uln_multiple") + 1) * high
    assert value < kb.param("marked_elevation_alp")
    flags = _flags(as_of, row("ALP", value, reference_low=10, reference_high=high))
    assert "marked_elevation" in flags


def test_child_beyond_ten_times_uln_is_marked(kb: Knowledge, as_of: date) -> None:
    """A child above 10x the age-specific ULN is marked."""
    value = uln(kb, "alp", age=8) * (kb.param("marked_elevation_uln_multiple") + 1)
    assert "marked_elevation" in _flags(as_of, row("ALP", value), age_years=8, sex="male")


def test_child_at_six_times_uln_above_1000_is_not_marked(kb: Knowledge, as_of: date) -> None:
    """A child at 6x ULN and over 2000 U/L is not marked: the 1000 U/L rule is for adults."""
    value = uln(kb, "alp", age=8) * 6
    assert value > 2 * kb.param("marked_elevation_alp")
    result = _run(as_of, row("ALP", value), age_years=8, sex="male")
    assert result.alp is not None
    assert result.alp.status == "high"
    assert "marked_elevation" not in flag_ids(result)


def test_missing_age_applies_the_adult_rule(kb: Knowledge, as_of: date) -> None:
    """Without an age, the adult 1000 U/L rule applies."""
    value = kb.param("marked_elevation_alp") + 1
    flags = _flags(as_of, row("ALP", value, reference_low=40, reference_high=150), sex="male")
    assert "marked_elevation" in flags


# --- obstruction ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("test", "analyte"),
    [("total bilirubin", "total_bilirubin"), ("direct bilirubin", "direct_bilirubin")],
)
def test_high_alp_with_raised_bilirubin_is_obstruction(
    kb: Knowledge, as_of: date, test: str, analyte: str
) -> None:
    """A high ALP with a raised total or direct bilirubin and pain may be a blocked duct."""
    result = _run(
        as_of,
        row("ALP", uln(kb, "alp") * 2),
        row(test, uln(kb, analyte) * 3),
        findings=["ruq_pain"],
    )
    assert "possible_obstruction" in flag_ids(result)
    assert "with the high ALP; right upper quadrant pain" in _detail(result, "possible_obstruction")


def test_raised_bilirubin_without_a_sign_of_acute_obstruction_is_not_flagged(
    kb: Knowledge, as_of: date
) -> None:
    """Issue 14: a man whose results read as cirrhosis (ALP 143, ALT 7, AST 182, bilirubin
    58 umol/L, albumin 31 g/L) was sent for same-day assessment of an obstruction. Without pain,
    fever, pale stools, a recent rise or a cholestatic injury pattern, that flag is not raised;
    the advanced liver disease flag is."""
    result = _run(
        as_of,
        row("ALP", 143),
        row("ALT", 7),
        row("AST", 182),
        row("total bilirubin", 58, unit="umol/L"),
        row("albumin", 31, unit="g/L"),
        sex="male",
        age_years=60,
    )
    assert "possible_obstruction" not in flag_ids(result)
    assert "advanced_liver_disease" in flag_ids(result)
    assert result.follow_up.repeat_alp_after_days is None


def test_a_cholestasis_stable_for_years_is_not_an_obstruction(kb: Knowledge, as_of: date) -> None:
    """Issue 14: eight years of a stable cholestatic ALP argue for chronic cholestatic disease
    (PBC first in a middle-aged woman), not obstruction or cancer (EASL 2017: chronic
    cholestasis lasts more than six months)."""
    rows = [row("ALP", 260 + (year % 3), f"{year}-01-05") for year in range(2016, 2024)]
    result = _run(
        as_of,
        *rows,
        row("ALP", 261),
        row("GGT", 180),
        row("ALT", 45),
        row("total bilirubin", 2.5),
        sex="female",
        age_years=56,
    )
    top = [cause.id for cause in result.differential[:3]]
    assert "possible_obstruction" not in flag_ids(result)
    assert top[0] == "primary_biliary_cholangitis"
    assert "malignant_biliary_obstruction" not in top
    obstruction = next(c for c in result.differential if c.id == "biliary_obstruction")
    assert any("six months" in said for said in obstruction.evidence_against)
    assert "ercp" not in {test.id for test in result.tests}


def test_normal_alp_with_raised_bilirubin_is_not_obstruction(kb: Knowledge, as_of: date) -> None:
    """A raised bilirubin with a normal ALP is not flagged as obstruction."""
    flags = _flags(as_of, row("ALP", 80), row("total bilirubin", uln(kb, "total_bilirubin") * 3))
    assert "possible_obstruction" not in flags


def test_high_alp_with_normal_or_missing_bilirubin(kb: Knowledge, as_of: date) -> None:
    """A high ALP with a normal bilirubin, or none measured, is not flagged as obstruction."""
    high = row("ALP", uln(kb, "alp") * 2)
    assert "possible_obstruction" not in _flags(as_of, high, row("total bilirubin", 0.5))
    assert "possible_obstruction" not in _flags(as_of, high)


# --- pregnancy ----------------------------------------------------------------------------


def test_pruritus_in_pregnancy(as_of: date) -> None:
    """Itch in a pregnant patient calls for bile acids."""
    result = _run(as_of, row("ALP", 150), findings=["itching"], pregnancy_weeks=32, **WOMAN)
    assert "possible_cholestasis_of_pregnancy" in flag_ids(result)
    assert "pruritus" in _detail(result, "possible_cholestasis_of_pregnancy")


def test_raised_bile_acids_in_pregnancy(as_of: date) -> None:
    """Bile acids above the lab's upper limit in pregnancy raise the flag with the value."""
    result = _run(
        as_of,
        row("ALP", 150),
        row("bile acids", 40, reference_high=10),
        pregnancy_weeks=32,
        **WOMAN,
    )
    assert "possible_cholestasis_of_pregnancy" in flag_ids(result)
    assert "bile acids 40" in _detail(result, "possible_cholestasis_of_pregnancy")


def test_pruritus_without_pregnancy_is_not_icp(as_of: date) -> None:
    """Itch outside pregnancy does not raise the pregnancy flag."""
    flags = _flags(as_of, row("ALP", 150), findings=["itching"], **WOMAN)
    assert "possible_cholestasis_of_pregnancy" not in flags


def test_pregnancy_without_itch_or_bile_acids(as_of: date) -> None:
    """Pregnancy alone, with no itch and no bile acids, raises no cholestasis flag."""
    flags = _flags(as_of, row("ALP", 150), pregnancy_weeks=32, **WOMAN)
    assert "possible_cholestasis_of_pregnancy" not in flags


def test_pruritus_in_pregnancy_without_alp(as_of: date) -> None:
    """Without an ALP result, the patient's pregnancy still counts for the flag."""
    flags = _flags(as_of, row("GGT", 20), findings=["itching"], pregnancy_weeks=32, **WOMAN)
    assert "possible_cholestasis_of_pregnancy" in flags


def test_physiologic_pregnancy(kb: Knowledge, as_of: date) -> None:
    """An ALP above the non-pregnant limit but within the trimester interval is physiologic."""
    weeks = 32
    general = uln(kb, "alp", age=30, sex="female")
    trimester = uln(kb, "alp", age=30, sex="female", weeks=weeks)
    assert general < trimester
    value = (general + trimester) / 2
    result = _run(as_of, row("ALP", value), pregnancy_weeks=weeks, **WOMAN)
    assert "physiologic_pregnancy" in flag_ids(result)
    assert f"{weeks} weeks" in _detail(result, "physiologic_pregnancy")


def test_physiologic_pregnancy_ignores_the_labs_limits(kb: Knowledge, as_of: date) -> None:
    """The lab's non-pregnant limits are replaced, so the flag still fires. The rule compares
    with the knowledge base's non-pregnant interval for her age (LabPLUS 2017 by age band)."""
    adult = adult_interval(kb, "alp", "female", WOMAN["age_years"])
    assert adult is not None
    assert adult.high is not None
    general = adult.high
    flags = _flags(
        as_of,
        row("ALP", general + 20, reference_low=35, reference_high=general),
        pregnancy_weeks=32,
        **WOMAN,
    )
    assert "physiologic_pregnancy" in flags


@pytest.mark.parametrize("where", ["below_general", "above_trimester"])
def test_not_physiologic_pregnancy(kb: Knowledge, as_of: date, where: str) -> None:
    """Below the non-pregnant limit, or above the trimester limit, is not 'physiologic'."""
    if where == "below_general":
        value = uln(kb, "alp", age=30, sex="female") - 10
    else:
        value = uln(kb, "alp", age=30, sex="female", weeks=32) + 10
    flags = _flags(as_of, row("ALP", value), pregnancy_weeks=32, **WOMAN)
    assert "physiologic_pregnancy" not in flags


# --- growth -------------------------------------------------------------------------------


def test_physiologic_for_age(kb: Knowledge, as_of: date) -> None:
    """A child's ALP above the adult limit but normal for age is physiologic."""
    adult, child = uln(kb, "alp", sex="male"), uln(kb, "alp", age=8, sex="male")
    assert adult < child
    result = _run(as_of, row("ALP", (adult + child) / 2), age_years=8, sex="male")
    assert "physiologic_for_age" in flag_ids(result)


@pytest.mark.parametrize(
    ("value", "patient"),
    [
        (100, {"age_years": 8, "sex": "male"}),
        (300, {"age_years": 40, "sex": "male"}),
        (300, {"sex": "male"}),
    ],
)
def test_not_physiologic_for_age(as_of: date, value: float, patient: dict[str, Any]) -> None:
    """Not under the adult limit, not in an adult, and not when the age is unknown."""
    assert "physiologic_for_age" not in _flags(as_of, row("ALP", value), **patient)


# --- persistence, B12, biotin, units, insufficient data -----------------------------------


def test_persistently_low_alp(kb: Knowledge, as_of: date) -> None:
    """Two low ALPs on different days raise the flag with their dates."""
    low = lln(kb, "alp") - 5
    result = _run(as_of, row("ALP", low, day(-200)), row("ALP", low, day(0)))
    assert "persistently_low_alp" in flag_ids(result)
    assert f"from {day(-200)} to {day(0)}" in _detail(result, "persistently_low_alp")


def test_single_low_alp_is_not_persistent(kb: Knowledge, as_of: date) -> None:
    """One low ALP, or lows with a high one, is not persistently low."""
    low = lln(kb, "alp") - 5
    assert "persistently_low_alp" not in _flags(as_of, row("ALP", low))
    mixed = (row("ALP", low, day(-200)), row("ALP", 300, day(-100)), row("ALP", low, day(0)))
    assert "persistently_low_alp" not in _flags(as_of, *mixed)


def test_high_b12_with_high_alp(kb: Knowledge, as_of: date) -> None:
    """A high B12 with a high ALP raises the liver-disease note; otherwise it does not."""
    b12 = row("vitamin B12", uln(kb, "vitamin_b12") * 2)
    assert "liver_disease_raises_b12" in _flags(as_of, row("ALP", 300), b12)
    assert "liver_disease_raises_b12" not in _flags(as_of, row("ALP", 80), b12)
    assert "liver_disease_raises_b12" not in _flags(as_of, row("ALP", 300))


def test_biotin(as_of: date) -> None:
    """A biotin supplement raises the immunoassay note; no medicines, no note."""
    with_biotin = _flags(as_of, row("ALP", 80), medications=["Biotin 5000 mcg daily"], **ADULT)
    assert "biotin_immunoassay_interference" in with_biotin
    assert "biotin_immunoassay_interference" not in _flags(as_of, row("ALP", 80))


def test_unit_converted(as_of: date) -> None:
    """A result converted from another unit raises the note, naming both values."""
    result = _run(as_of, row("ALP", 2, unit="ukat/L"))
    assert "unit_converted" in flag_ids(result)
    assert "2 ukat/L = 120 U/L" in _detail(result, "unit_converted")
    assert "unit_converted" not in _flags(as_of, row("ALP", 120, unit="U/L"))
    assert "unit_converted" not in _flags(as_of, row("ALP", 120, unit="IU/L"))


def test_insufficient_data(as_of: date) -> None:
    """A case with no ALP, or with only an unrecognised ALP name, has insufficient data."""
    assert "insufficient_data" in _flags(as_of, row("GGT", 30))
    assert "insufficient_data" in _flags(as_of, row("Alkaline phosphatse", 80))
    assert "insufficient_data" not in _flags(as_of, row("ALP", 80))


# --- judgement flags ----------------------------------------------------------------------


def test_avoid_antiresorptives_with_hpp_leading(kb: Knowledge, as_of: date) -> None:
    """Persistently low ALP with HPP features puts HPP on top and warns off antiresorptives."""
    low = lln(kb, "alp") - 15
    result = _run(
        as_of,
        row("ALP", low, day(-400)),
        row("ALP", low, day(0)),
        findings=["early tooth loss"],
        **ADULT,
    )
    assert result.differential[0].id == "hypophosphatasia"
    assert "avoid_antiresorptives" in flag_ids(result)


@pytest.mark.parametrize(
    ("rows", "warned", "repeat_first"),
    [
        ([row("ALP", 300)], False, False),  # high ALP
        ([row("ALP", 20), row("potassium", 7.0), row("calcium", 1.6)], False, False),  # EDTA
        ([row("ALP", 80, day(-30)), row("ALP", 30, day(0))], False, True),  # a fall
        ([row("ALP", 30, day(-400)), row("ALP", 30, day(0))], True, False),  # persistently low
        ([row("ALP", 20)], False, True),  # one very low ALP: repeat it first (issue 14)
        ([row("ALP", 20), row("PLP", 250)], True, False),  # with a raised PLP
    ],
)
def test_avoid_antiresorptives_follows_its_rule(
    kb: Knowledge, as_of: date, rows: list[dict[str, Any]], warned: bool, repeat_first: bool
) -> None:
    """The warning is raised when ALP is low, the evidence supports HPP among the three leading
    causes, and the low ALP persists or a supporting feature is there; the LR+ 19.8 of an
    ALP below 25 U/L was measured in persistent low ALP, so one value alone gets a note to
    repeat ALP before an antiresorptive instead (Tornero 2020)."""
    result = _run(as_of, *rows)
    assert ("avoid_antiresorptives" in flag_ids(result)) == warned
    top = [c for c in result.differential[:3] if c.id == "hypophosphatasia"]
    if warned:
        assert top
        assert supported(top[0], kb)
    assert ("repeat_alp_before_antiresorptive" in flag_ids(result)) == repeat_first


def test_vitamin_d_deficiency_before_antiresorptives(kb: Knowledge, as_of: date) -> None:
    """A 25-OH vitamin D below the deficiency limit raises the flag, naming the value."""
    value = kb.param("vitamin_d_deficiency_max") - 10
    result = _run(as_of, row("ALP", 80), row("vitamin D", value))
    assert "treat_osteomalacia_before_antiresorptive" in flag_ids(result)
    assert f"25-OH vitamin D {value:g} nmol/L" in _detail(
        result, "treat_osteomalacia_before_antiresorptive"
    )


def test_vitamin_d_at_the_limit_is_not_deficient(kb: Knowledge, as_of: date) -> None:
    """A vitamin D at the deficiency limit with a normal ALP raises no osteomalacia flag."""
    value = kb.param("vitamin_d_deficiency_max")
    flags = _flags(as_of, row("ALP", 80), row("vitamin D", value))
    assert "treat_osteomalacia_before_antiresorptive" not in flags


def test_osteomalacia_leading_for_a_high_alp(kb: Knowledge, as_of: date) -> None:
    """A high bone ALP with low vitamin D and phosphate puts osteomalacia on top and flags it."""
    result = _run(
        as_of,
        row("ALP", uln(kb, "alp") * 2),
        row("GGT", 20),
        row("vitamin D", 20),
        row("phosphate", lln(kb, "phosphate") - 0.2),
    )
    assert result.differential[0].id == "osteomalacia_rickets"
    assert "treat_osteomalacia_before_antiresorptive" in flag_ids(result)


def test_osteomalacia_leading_without_vitamin_d(kb: Knowledge, as_of: date) -> None:
    """Osteomalacia leading a high ALP raises the flag even when vitamin D was not measured."""
    result = _run(
        as_of,
        row("ALP", uln(kb, "alp") * 2),
        row("GGT", 20),
        row("phosphate", lln(kb, "phosphate") - 0.2),
        findings=["muscle weakness"],
        **ADULT,
    )
    assert "vitamin_d" not in {r.analyte for r in result.results}
    assert "osteomalacia_rickets" in [c.id for c in result.differential[:3]]
    assert "treat_osteomalacia_before_antiresorptive" in flag_ids(result)


def test_b6_supplement_with_measured_plp(as_of: date) -> None:
    """A B6 supplement with a measured PLP warns that PLP cannot be read."""
    flags = _flags(as_of, row("ALP", 30), row("PLP", 150), medications=["vitamin B6"], **ADULT)
    assert "b6_supplement_confounds_plp" in flags


def test_b6_supplement_with_plp_recommended(kb: Knowledge, as_of: date) -> None:
    """A B6 supplement when PLP is about to be recommended raises the warning."""
    low = lln(kb, "alp") - 15
    result = _run(
        as_of,
        row("ALP", low, day(-400)),
        row("ALP", low, day(0)),
        medications=["B-complex"],
        **ADULT,
    )
    assert "plp" in {test.id for test in result.tests}
    assert "b6_supplement_confounds_plp" in flag_ids(result)


def test_b6_warning_needs_both(as_of: date) -> None:
    """No warning for B6 without PLP in play, nor for a PLP without B6."""
    assert "b6_supplement_confounds_plp" not in _flags(
        as_of, row("ALP", 80), medications=["vitamin B6"], **ADULT
    )
    assert "b6_supplement_confounds_plp" not in _flags(as_of, row("ALP", 30), row("PLP", 150))


# --- presentation -------------------------------------------------------------------------


def test_flags_are_sorted_by_severity_and_worded_from_the_knowledge_base(
    kb: Knowledge, as_of: date
) -> None:
    """Critical flags come first, and each message is the knowledge base's words."""
    result = _run(
        as_of,
        row("ALP", 5, unit="ukat/L"),
        row("total bilirubin", 3),
        findings=["acute liver failure", "ruq_pain"],
        **ADULT,
    )
    order = {"critical": 0, "warning": 1, "info": 2}
    ranks = [order[flag.severity] for flag in result.flags]
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == 3
    for flag in result.flags:
        assert flag.severity == kb.flags[flag.id].severity
        assert flag.message.startswith(kb.flags[flag.id].message)
