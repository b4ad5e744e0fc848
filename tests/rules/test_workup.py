"""The next tests: not repeated when done, in priority order, advanced ones only when close."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from alkphos import Interpretation, Knowledge
from tests.conftest import case, row
from tests.rules.helpers import SAMPLES, flag_ids, lln, run, uln, with_context

NAMES = sorted(SAMPLES)


def _flag_tests(kb: Knowledge, result: Interpretation) -> set[str]:
    return {test for flag in flag_ids(result) for test in kb.flags[flag].tests}


@pytest.mark.parametrize("name", NAMES)
def test_done_tests_are_not_recommended(kb: Knowledge, as_of: date, name: str) -> None:
    """No recommended test is already done: all of its analytes in the case, or any one of
    them for a test done when any is (``done_when: any``)."""
    data = SAMPLES[name]
    result = run(data, as_of)
    present = {r.analyte for r in result.results}
    for test in result.tests:
        spec = kb.tests[test.id]
        done = any if spec.done_when == "any" else all
        assert not (spec.analytes and done(a in present for a in spec.analytes)), test.id


def test_measured_ggt_is_not_asked_for_again(kb: Knowledge, as_of: date) -> None:
    """GGT is asked for when missing and not once it is in the case."""
    without = run(case(row("ALP", uln(kb, "alp") * 2), age_years=50, sex="male"), as_of)
    with_ggt = run(
        case(row("ALP", uln(kb, "alp") * 2), row("GGT", 20), age_years=50, sex="male"), as_of
    )
    assert "ggt" in {t.id for t in without.tests}
    assert "ggt" not in {t.id for t in with_ggt.tests}


@pytest.mark.parametrize("name", NAMES)
def test_priorities_run_from_one_in_order(as_of: date, name: str) -> None:
    """Priorities are 1..n, in list order, with no gaps or repeats, and no test twice."""
    tests = run(SAMPLES[name], as_of).tests
    assert [t.priority for t in tests] == list(range(1, len(tests) + 1))
    assert len({t.id for t in tests}) == len(tests)


@pytest.mark.parametrize("name", NAMES)
def test_every_reason_is_given(kb: Knowledge, as_of: date, name: str) -> None:
    """Every recommendation has a non-empty reason and the knowledge base's test name."""
    for test in run(SAMPLES[name], as_of).tests:
        assert test.reason.strip()
        assert test.name == kb.tests[test.id].name


@pytest.mark.parametrize("name", NAMES)
def test_advanced_tests_only_for_close_causes(kb: Knowledge, as_of: date, name: str) -> None:
    """A test of the advanced tier comes from a flag or from a cause close to the leader."""
    result = run(SAMPLES[name], as_of)
    advanced = int(kb.param("workup_advanced_tier"))
    leaders = result.differential[: int(kb.param("workup_causes_considered"))]
    close = [c for c in leaders if c.score >= leaders[0].score - kb.param("workup_close_score_gap")]
    allowed = _flag_tests(kb, result) | {t for c in close for t in kb.causes[c.id].tests}
    for test in result.tests:
        if kb.tests[test.id].tier >= advanced:
            assert test.id in allowed, test.id


@pytest.mark.parametrize(
    ("name", "test_id"), [("high_liver", "liver_biopsy"), ("high_bone", "dxa")]
)
def test_far_causes_do_not_bring_advanced_tests(
    kb: Knowledge, as_of: date, name: str, test_id: str
) -> None:
    """An advanced test wanted only by a leading-five cause far behind the top is left out."""
    result = run(SAMPLES[name], as_of)
    assert kb.tests[test_id].tier >= kb.param("workup_advanced_tier")
    leaders = result.differential[: int(kb.param("workup_causes_considered"))]
    wanting = [c for c in leaders if test_id in kb.causes[c.id].tests]
    assert wanting, "the case should have a leading cause that lists the test"
    gap = kb.param("workup_close_score_gap")
    assert all(c.score < leaders[0].score - gap for c in wanting)
    assert test_id not in {t.id for t in result.tests}


def test_close_causes_bring_advanced_tests(kb: Knowledge, as_of: date) -> None:
    """An advanced test of the leading cause is recommended."""
    result = run(SAMPLES["high_liver"], as_of)
    top = result.differential[0]
    advanced = int(kb.param("workup_advanced_tier"))
    wanted = {t for t in kb.causes[top.id].tests if kb.tests[t].tier >= advanced}
    assert wanted
    assert wanted <= {t.id for t in result.tests}


def test_edta_recollection_comes_first(kb: Knowledge, as_of: date) -> None:
    """With suspected EDTA contamination, recollecting the sample is the first test."""
    result = run(SAMPLES["low_edta"], as_of)
    assert "possible_edta_contamination" in flag_ids(result)
    assert result.tests[0].id == "recollect_sample"
    assert "flag: possible edta contamination" in result.tests[0].reason


@pytest.mark.parametrize("name", NAMES)
def test_flag_tests_lead_their_tier(kb: Knowledge, as_of: date, name: str) -> None:
    """A flag's test comes before every cause-only test of the same tier."""
    result = run(SAMPLES[name], as_of)
    flagged = _flag_tests(kb, result)
    position = {t.id: i for i, t in enumerate(result.tests)}
    for test in result.tests:
        if test.id not in flagged:
            continue
        tier = kb.tests[test.id].tier
        for other in result.tests:
            same_tier = kb.tests[other.id].tier == tier
            from_causes = other.id not in flagged and other.id != result.source.test_to_tell
            if same_tier and from_causes:
                assert position[test.id] < position[other.id], (test.id, other.id)


def test_critical_flag_tests_come_before_everything(kb: Knowledge, as_of: date) -> None:
    """The tests of a critical flag come before any other test."""
    result = run(SAMPLES["low_wilson"], as_of)
    critical = {t for f in result.flags if f.severity == "critical" for t in kb.flags[f.id].tests}
    ids = [t.id for t in result.tests]
    recommended = [t for t in ids if t in critical]
    assert recommended
    assert ids[: len(recommended)] == recommended


def test_source_test_comes_first_without_flags(kb: Knowledge, as_of: date) -> None:
    """For a high ALP of unknown source, GGT (the test that tells) is first."""
    result = run(case(row("ALP", uln(kb, "alp") * 2), age_years=50, sex="male"), as_of)
    assert result.source.test_to_tell == "ggt"
    assert result.tests[0].id == "ggt"
    assert "liver or from bone" in result.tests[0].reason


def test_reasons_name_the_causes(kb: Knowledge, as_of: date) -> None:
    """A test wanted by leading causes names each of them in its reason (the supported ones,
    when any cause is supported)."""
    result = run(SAMPLES["high_bone"], as_of)
    top = result.differential[: int(kb.param("workup_causes_considered"))]
    leaders = [c for c in top if c.supported] or top
    checked = 0
    for test in result.tests:
        wanting = [c.name for c in leaders if test.id in kb.causes[c.id].tests]
        if kb.tests[test.id].tier >= kb.param("workup_advanced_tier"):
            continue
        for name in wanting:
            assert name in test.reason, (test.id, name)
            checked += 1
    assert checked


def test_no_alp_asks_for_alp(kb: Knowledge, as_of: date) -> None:
    """With no ALP, the only tests are those of the insufficient-data flag."""
    result = run(case(row("GGT", 30), age_years=50, sex="male"), as_of)
    assert [t.id for t in result.tests] == list(kb.flags["insufficient_data"].tests)


def test_normal_alp_needs_no_tests(as_of: date) -> None:
    """A normal ALP with no flag needs no further tests."""
    assert run(case(row("ALP", 80), age_years=50, sex="male"), as_of).tests == []


def test_low_alp_workup_includes_first_line_tests(kb: Knowledge, as_of: date) -> None:
    """A persistently low ALP in a patient on B6 gets PLP and a medication review."""
    low = lln(kb, "alp") - 15
    data: dict[str, Any] = with_context(
        case(row("ALP", low, "2023-01-10"), row("ALP", low), age_years=50, sex="female"),
        medications=["vitamin B6"],
    )
    ids = {t.id for t in run(data, as_of).tests}
    assert {"plp", "medication_review"} <= ids


def _ids(result: Any) -> list[str]:
    return [test.id for test in result.tests]


def test_tests_fit_the_patient(as_of: date) -> None:
    """Issue 18: no PSA for a woman or a child; no skeletal X-ray, isotope scan or CT in
    pregnancy (ACOG 2017: ionising imaging only when nothing else answers)."""
    cancer = ["known cancer", "bone pain"]
    woman = run(
        with_context(case(row("ALP", 400), row("GGT", 20), age_years=70, sex="female"), [], cancer),
        as_of,
    )
    man = run(
        with_context(case(row("ALP", 400), row("GGT", 20), age_years=70, sex="male"), [], cancer),
        as_of,
    )
    pregnant = run(
        case(row("ALP", 900), row("GGT", 20), age_years=30, sex="female", pregnancy_weeks=34),
        as_of,
    )
    assert "psa" not in _ids(woman)
    assert "psa" in _ids(man)
    assert not {"bone_imaging", "ct_abdomen", "dxa"} & set(_ids(pregnant))


def test_a_low_alp_gets_no_liver_tests_unless_a_flag_asks(as_of: date) -> None:
    """Issue 18: no INR or viral serology for a low ALP in a well patient."""
    result = run(case(row("ALP", 20), age_years=60, sex="female"), as_of)
    assert not {"inr", "hepatitis_serology", "liver_ultrasound"} & set(_ids(result))


def test_no_biopsy_or_ace_once_ama_is_positive(as_of: date) -> None:
    """Issue 18: a positive AMA with cholestasis makes the diagnosis of PBC (EASL 2017)."""
    data = case(
        row("ALP", 300),
        row("GGT", 200),
        row("AMA", 120, reference_high=25),
        age_years=55,
        sex="female",
    )
    assert not {"liver_biopsy", "ace"} & set(_ids(run(data, as_of)))


def test_alpl_sequencing_comes_first_once_plp_is_raised(as_of: date) -> None:
    """Issue 18: with a persistently low ALP and a raised PLP, ALPL testing decides."""
    data = with_context(
        case(
            row("ALP", 20, "2023-06-01"),
            row("ALP", 22),
            row("PLP", 250),
            age_years=45,
            sex="female",
        ),
        findings=["stress fractures"],
    )
    result = run(data, as_of)
    assert result.differential[0].id == "hypophosphatasia"
    assert _ids(result)[0] == "alpl_genetic_test"
    assert "repeat_alp" not in _ids(result)


def test_a_proven_cause_defers_the_hpp_work_up(as_of: date) -> None:
    """Issue 18: TSH 46 with a persistently low ALP: treat the thyroid first; no PLP, PEA or
    ALPL tests now, and the follow-up says to recheck ALP after treatment."""
    data = case(
        row("ALP", 28, "2023-10-10"), row("ALP", 27), row("TSH", 46), age_years=50, sex="female"
    )
    result = run(data, as_of)
    assert result.differential[0].id == "hypothyroidism"
    assert not {"plp", "urine_pea", "alpl_genetic_test"} & set(_ids(result))
    assert "avoid_antiresorptives" not in {flag.id for flag in result.flags}
    assert result.follow_up.repeat_alp_after_days == 90


def test_ercp_is_never_a_diagnostic_test(as_of: date) -> None:
    """Issue 18: ultrasound first for a possible obstruction; ERCP is treatment, not a test."""
    data = with_context(
        case(row("ALP", 900), row("GGT", 600), row("total bilirubin", 6), age_years=60),
        findings=["jaundice", "ruq_pain", "pale stools and dark urine"],
    )
    ids = _ids(run(data, as_of))
    assert "ercp" not in ids
    imaging = [i for i in ids if i in ("liver_ultrasound", "mrcp", "ct_abdomen")]
    assert imaging[0] == "liver_ultrasound"


def test_no_work_up_for_an_uncomplicated_third_trimester_alp(as_of: date) -> None:
    """Issue 18: placental ALP above the trimester limit, nothing else abnormal: no tests;
    bile acids only when she itches (possible cholestasis of pregnancy)."""
    well = case(row("ALP", 260), age_years=30, sex="female", pregnancy_weeks=34)
    itching = with_context(well, [], ["pruritus"])
    assert _ids(run(well, as_of)) == []
    assert _ids(run(itching, as_of))[0] == "bile_acids"
