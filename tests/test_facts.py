"""Facts: results resolved and converted, ages and pregnancy weeks per date, context coded."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from alkphos import InputError, Knowledge, interpret
from alkphos.adapters.case_json import parse_case
from alkphos.facts import Facts, gather_facts
from tests.conftest import case, row

MAN = {"age_years": 50, "sex": "male"}


def _facts(kb: Knowledge, data: dict[str, Any], as_of: date) -> Facts:
    return gather_facts(parse_case(data), kb, as_of)


def _with(data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {**data, **extra}


# --- unknown input is set aside, the rest is interpreted ----------------------------------


def test_unknown_test_is_set_aside_with_a_reason(as_of: date) -> None:
    """An unknown test goes to not_understood with its position, name and reason."""
    result = interpret(case(row("ALP", 300), row("Frobnication index", 3), **MAN), as_of=as_of)
    assert len(result.not_understood) == 1
    note = result.not_understood[0]
    assert note.startswith("results[1].test:")
    assert "'Frobnication index'" in note
    assert "not a test alkphos knows" in note
    assert "set aside" in note


def test_the_rest_is_still_interpreted(as_of: date) -> None:
    """Known results around an unknown one are interpreted as usual."""
    result = interpret(
        case(row("Frobnication index", 3), row("ALP", 300), row("GGT", 200), **MAN), as_of=as_of
    )
    assert result.alp is not None
    assert result.alp.status == "high"
    assert result.source.likely == "liver"
    assert [r.index for r in result.results] == [1, 2]


def test_near_miss_test_name_gets_a_suggestion(as_of: date) -> None:
    """A misspelt test name is set aside with a 'did you mean'."""
    result = interpret(case(row("Alkaline phosphatse", 80), **MAN), as_of=as_of)
    assert result.alp is None
    assert "did you mean 'Alkaline phosphatase'" in result.not_understood[0]


def test_unknown_medication_is_not_understood(kb: Knowledge, as_of: date) -> None:
    """An unknown medicine is listed as not understood; the known ones are coded."""
    data = _with(case(row("ALP", 80), **MAN), medications=["Unobtainium 5 mg", "omeprazole"])
    facts = _facts(kb, data, as_of)
    assert facts.drugs == ("omeprazole",)
    assert len(facts.not_understood) == 1
    note = facts.not_understood[0]
    assert note.startswith("medications[0]:")
    assert "'Unobtainium 5 mg' is not a medicine alkphos knows" in note


def test_unknown_finding_is_not_understood(kb: Knowledge, as_of: date) -> None:
    """An unknown finding is kept as free text and listed; known ones are coded by alias."""
    data = _with(case(row("ALP", 80), **MAN), findings=["purple toes", "itchy skin"])
    facts = _facts(kb, data, as_of)
    assert facts.findings == frozenset({"pruritus"})
    assert len(facts.not_understood) == 1
    assert facts.not_understood[0].startswith("findings[0]:")
    assert "'purple toes' is kept as free text" in facts.not_understood[0]


def test_everything_unknown_is_reported_in_order(as_of: date) -> None:
    """Unknown tests, medicines and findings are all reported, tests first."""
    data = _with(
        case(row("ALP", 80), row("Mystery", 1), **MAN),
        medications=["Unobtainium"],
        findings=["purple toes"],
    )
    notes = interpret(data, as_of=as_of).not_understood
    assert [note.split(":")[0] for note in notes] == [
        "results[1].test",
        "medications[0]",
        "findings[0]",
    ]


# --- medicines: brands, doses, classes -----------------------------------------------------


@pytest.mark.parametrize(
    ("written", "drug", "drug_class"),
    [
        ("Fosamax 70 mg weekly", "alendronate", "antiresorptive"),
        ("alendronic acid 70mg once weekly", "alendronate", "bisphosphonate"),
        ("Prolia 60 mg every 6 months", "denosumab", "antiresorptive"),
        (
            "co-amoxiclav 625 mg three times daily",
            "amoxicillin_clavulanate",
            "cholestatic_dili_antibiotic",
        ),
        ("Vitamin D3 1000 IU daily", "cholecalciferol", "vitamin_d_supplement"),
        ("Tegretol", "carbamazepine", "enzyme_inducing_anticonvulsant"),
        ("PREDNISOLONE 5 MG", "prednisolone", "glucocorticoid"),
    ],
)
def test_brand_names_and_doses_resolve(
    kb: Knowledge, as_of: date, written: str, drug: str, drug_class: str
) -> None:
    """A brand or generic name with a dose resolves to the drug and its classes."""
    facts = _facts(kb, _with(case(row("ALP", 80), **MAN), medications=[written]), as_of)
    assert facts.drugs == (drug,)
    assert drug_class in facts.drug_classes
    assert facts.not_understood == ()


def test_fosamax_counts_as_antiresorptive_in_the_differential(as_of: date) -> None:
    """'Fosamax 70 mg weekly' reaches the differential as antiresorptive therapy."""
    data = _with(case(row("ALP", 30), **MAN), medications=["Fosamax 70 mg weekly"])
    result = interpret(data, as_of=as_of)
    cause = next(c for c in result.differential if c.id == "antiresorptive_therapy")
    assert cause.evidence_for
    assert result.not_understood == []


def test_the_same_drug_twice_is_coded_once(kb: Knowledge, as_of: date) -> None:
    """A drug written twice (generic and brand) is one drug."""
    data = _with(case(row("ALP", 80), **MAN), medications=["alendronate", "Fosamax 70 mg"])
    assert _facts(kb, data, as_of).drugs == ("alendronate",)


# --- ages per result date --------------------------------------------------------------------


def test_age_per_date_from_birth_date(kb: Knowledge, as_of: date) -> None:
    """With a birth date, each result is judged at the age on its own date."""
    data = case(
        row("ALP", 300, "2019-12-01"),
        row("ALP", 300, "2024-01-10"),
        birth_date="2010-01-01",
        sex="male",
    )
    facts = _facts(kb, data, as_of)
    earlier, later = facts.measurements
    assert earlier.age is not None
    assert later.age is not None
    assert earlier.age.years == pytest.approx(9.92, abs=0.01)
    assert later.age.years == pytest.approx(14.02, abs=0.01)
    assert earlier.age.days == (date(2019, 12, 1) - date(2010, 1, 1)).days
    assert earlier.interval != later.interval


def test_age_per_date_from_age_years(kb: Knowledge, as_of: date) -> None:
    """With age_years (age at the latest result), earlier results get younger ages."""
    data = case(
        row("ALP", 300, "2023-01-10"),
        row("ALP", 300, "2024-01-10"),
        age_years=10.5,
        sex="male",
    )
    facts = _facts(kb, data, as_of)
    earlier, later = facts.measurements
    assert later.age is not None
    assert earlier.age is not None
    assert later.age.years == 10.5
    assert earlier.age.years == pytest.approx(10.5 - 365 / 365.25)
    # 9.5 years: the 1-10 y interval; 10.5 years: the 10-13 y interval.
    assert earlier.interval is not None
    assert later.interval is not None
    assert earlier.interval.high != later.interval.high


def test_age_years_older_than_a_result_is_refused(kb: Knowledge, as_of: date) -> None:
    """An age_years that would make the patient unborn at an earlier result is an error."""
    data = case(row("ALP", 300, "2020-01-10"), row("ALP", 300, "2024-01-10"), age_years=1)
    with pytest.raises(InputError, match="age_years"):
        _facts(kb, data, as_of)


def test_no_age_means_no_age(kb: Knowledge, as_of: date) -> None:
    """Without age or birth date, results have no age (adult limits are assumed later)."""
    facts = _facts(kb, case(row("ALP", 80), sex="male"), as_of)
    assert facts.measurements[0].age is None


# --- pregnancy weeks per result date ----------------------------------------------------------


def test_pregnancy_weeks_per_date(kb: Knowledge, as_of: date) -> None:
    """Gestational weeks count back from the latest result; before conception is not pregnant."""
    data = case(
        row("ALP", 150, "2023-06-01"),
        row("ALP", 150, "2023-10-04"),
        row("ALP", 150, "2024-01-10"),
        age_years=30,
        sex="female",
        pregnancy_weeks=30,
    )
    before, second, third = _facts(kb, data, as_of).measurements
    assert before.pregnancy_weeks is None
    assert second.pregnancy_weeks == pytest.approx(16)
    assert third.pregnancy_weeks == 30
    assert before.status == "high"
    assert third.status == "normal"


def test_postpartum_weeks_per_date(kb: Knowledge, as_of: date) -> None:
    """Weeks since delivery count back from the latest result; before delivery there are none."""
    data = case(
        row("ALP", 150, "2023-11-29"),
        row("ALP", 150, "2024-01-10"),
        age_years=30,
        sex="female",
        postpartum_weeks=4,
    )
    before, after = _facts(kb, data, as_of).measurements
    assert before.postpartum_weeks is None
    assert after.postpartum_weeks == 4


# --- dates -----------------------------------------------------------------------------------


def test_undated_results_need_as_of(as_of: date) -> None:
    """With no dated result and no as_of, interpretation is refused; with as_of it works."""
    data = case({"test": "ALP", "value": 80}, **MAN)
    with pytest.raises(InputError, match="as_of"):
        interpret(data)
    result = interpret(data, as_of=as_of)
    assert result.alp is not None
    assert result.alp.date is None
    assert result.results[0].date is None


def test_undated_results_sit_at_the_latest_date(kb: Knowledge, as_of: date) -> None:
    """An undated result (the only one of its test) is placed at the latest result date, and
    aged there."""
    data = case(
        row("ALP", 300, "2019-12-01"),
        row("ALP", 300, "2024-01-10"),
        {"test": "GGT", "value": 30},
        birth_date="2010-01-01",
        sex="male",
    )
    facts = _facts(kb, data, as_of)
    undated = next(m for m in facts.measurements if m.on is None)
    assert undated.when == date(2024, 1, 10)
    assert undated.age == facts.measurements[1].age


def test_repeated_results_without_dates_are_refused(kb: Knowledge, as_of: date) -> None:
    """Issue 16: ALP 32 then 35 without dates silently made 35 'the' result (normal, no flags).
    Two results of one test need dates; the error names the undated ones."""
    data = case({"test": "ALP", "value": 32}, {"test": "ALP", "value": 35}, **MAN)
    with pytest.raises(InputError, match=r"results\[0\], results\[1\] have no date"):
        _facts(kb, data, as_of)


def test_undated_only_results_sit_at_as_of(kb: Knowledge, as_of: date) -> None:
    """With no dated result, undated ones are placed at the as-of date."""
    facts = _facts(kb, case({"test": "ALP", "value": 80}, **MAN), as_of)
    assert facts.measurements[0].when == as_of


def test_result_after_as_of_is_refused(kb: Knowledge) -> None:
    """A result dated after the as-of date is an input error naming the result."""
    with pytest.raises(InputError, match=r"results\[0\]\.date"):
        _facts(kb, case(row("ALP", 80, "2024-02-01"), **MAN), date(2024, 1, 15))


def test_measurements_are_ordered_by_date_then_input(kb: Knowledge, as_of: date) -> None:
    """Results are ordered by date, then input order; latest() is the last of them."""
    data = case(
        row("ALP", 3, "2024-01-10"),
        row("ALP", 1, "2023-01-10"),
        row("ALP", 4, "2024-01-10"),
        row("GGT", 20, "2023-06-10"),
        **MAN,
    )
    facts = _facts(kb, data, as_of)
    assert [m.value for m in facts.by_analyte["alp"]] == [1, 3, 4]
    latest = facts.latest("alp")
    assert latest is not None
    assert latest.value == 4
    assert facts.latest("calcium") is None
    ggt = facts.same_day("ggt", date(2023, 6, 10))
    assert ggt is not None
    assert ggt.value == 20
    assert facts.same_day("ggt", date(2024, 1, 10)) is None


# --- units -----------------------------------------------------------------------------------


def test_units_are_converted_and_remembered(kb: Knowledge, as_of: date) -> None:
    """A result in another unit is converted, keeps what was reported, and is listed."""
    data = case(row("ALP", 2, unit="ukat/L"), row("GGT", 30), **MAN)
    facts = _facts(kb, data, as_of)
    alp = facts.latest("alp")
    assert alp is not None
    assert alp.value == pytest.approx(120)
    assert (alp.reported_value, alp.reported_unit, alp.factor) == (2, "ukat/L", 60)
    assert facts.converted == (alp,)


def test_lab_limits_are_converted_too(kb: Knowledge, as_of: date) -> None:
    """The lab's own limits given in the reported unit are converted with the value."""
    data = case(row("ALP", 2, unit="ukat/L", reference_low=0.5, reference_high=1.5), **MAN)
    alp = _facts(kb, data, as_of).latest("alp")
    assert alp is not None
    assert alp.interval is not None
    assert (alp.interval.low, alp.interval.high) == (30, 90)
    assert alp.interval.source == "laboratory"
    assert alp.status == "high"


@pytest.mark.parametrize(("birth", "accepted"), [("1893-06-01", True), ("1892-12-01", False)])
def test_an_impossible_age_is_over_130_whole_years_as_screening_counts_it(
    as_of: date, birth: str, accepted: bool
) -> None:
    """Aged 130 and a half at the result: accepted, as screening accepts the row; aged 131:
    refused, as screening rejects it ('impossible age')."""
    data = case(row("ALP", 80, "2024-01-10"), birth_date=birth, sex="male")
    if accepted:
        interpret(data, as_of=as_of)
        return
    with pytest.raises(InputError, match="an age of 130 years or less"):
        interpret(data, as_of=as_of)
