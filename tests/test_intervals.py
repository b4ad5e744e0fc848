"""Reference intervals: exactly one ALP interval for every age, sex and pregnancy week."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alkphos import Knowledge, interpret
from alkphos.knowledge.age import Age
from alkphos.knowledge.schema import ReferenceInterval
from alkphos.render.inputs import inputs_line
from alkphos.rules.intervals import knowledge_interval


def _matching(kb: Knowledge, age: Age, sex: str) -> list[ReferenceInterval]:
    rows = []
    for interval in kb.intervals["alp"]:
        if interval.pregnancy_weeks is not None or interval.sex not in (sex, "any"):
            continue
        below_top = interval.age_to is None or not age.reached(interval.age_to)
        if age.reached(interval.age_from) and below_top:
            rows.append(interval)
    return rows


@given(years=st.floats(min_value=0, max_value=120), sex=st.sampled_from(["female", "male"]))
def test_one_alp_interval_per_age_and_sex(kb: Knowledge, years: float, sex: str) -> None:
    """No gap and no overlap at any age, for either sex."""
    assert len(_matching(kb, Age.from_years(years), sex)) == 1


@given(
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2024, 1, 1)),
    sex=st.sampled_from(["female", "male", "unknown"]),
)
def test_one_interval_from_a_birth_date(kb: Knowledge, birth: date, sex: str) -> None:
    """Ages computed from a birth date (days and calendar years) also get one interval."""
    age = Age.between(birth, date(2024, 1, 1))
    interval = knowledge_interval(kb, "alp", age, sex, None)
    assert interval is not None
    assert interval.low is not None
    assert interval.high is not None
    assert interval.low < interval.high
    if sex != "unknown":
        assert len(_matching(kb, age, sex)) == 1


@given(weeks=st.floats(min_value=0, max_value=45), sex=st.sampled_from(["female", "unknown"]))
def test_one_interval_per_pregnancy_week(kb: Knowledge, weeks: float, sex: str) -> None:
    """Every week of pregnancy has exactly one trimester interval."""
    rows = [
        i
        for i in kb.intervals["alp"]
        if i.pregnancy_weeks is not None and i.pregnancy_weeks.from_ <= weeks < i.pregnancy_weeks.to
    ]
    assert len(rows) == 1
    chosen = knowledge_interval(kb, "alp", Age.from_years(30), sex, weeks)
    assert chosen is not None
    assert chosen.high == rows[0].high


@given(years=st.floats(min_value=0, max_value=120))
def test_unknown_sex_gets_the_widest_limits(kb: Knowledge, years: float) -> None:
    """With the sex unknown, the limits cover both the female and the male interval."""
    age = Age.from_years(years)
    unknown = knowledge_interval(kb, "alp", age, "unknown", None)
    female = knowledge_interval(kb, "alp", age, "female", None)
    male = knowledge_interval(kb, "alp", age, "male", None)
    assert unknown is not None
    assert female is not None
    assert male is not None
    assert unknown.low == min(female.low or 0, male.low or 0)
    assert unknown.high == max(female.high or 0, male.high or 0)


# Partition boundaries, just below and at each: CALIPER (Roche) to 17 years and for men;
# LabPLUS 2017 for women from 17 years (45-150, 40-110, 40-120 from 50, 40-130 from 60).
@pytest.mark.parametrize(
    ("age", "sex", "low", "high"),
    [
        (Age(days=14, years=14 / 365.25), "male", 83, 248),
        (Age(days=15, years=15 / 365.25), "male", 122, 469),
        (Age.from_years(0.999), "female", 122, 469),
        (Age.from_years(1), "female", 142, 335),
        (Age.from_years(9.99), "male", 142, 335),
        (Age.from_years(10), "male", 129, 417),
        (Age.from_years(12.99), "female", 129, 417),
        (Age.from_years(13), "female", 57, 254),
        (Age.from_years(13), "male", 116, 468),
        (Age.from_years(15), "female", 50, 117),
        (Age.from_years(15), "male", 82, 331),
        (Age.from_years(16.99), "female", 50, 117),
        (Age.from_years(17), "female", 45, 150),
        (Age.from_years(21.99), "female", 45, 150),
        (Age.from_years(22), "female", 40, 110),
        (Age.from_years(49.99), "female", 40, 110),
        (Age.from_years(50), "female", 40, 120),
        (Age.from_years(59.99), "female", 40, 120),
        (Age.from_years(60), "female", 40, 130),
        (Age.from_years(17), "male", 55, 149),
        (Age.from_years(18.99), "male", 55, 149),
        (Age.from_years(19), "male", 40, 129),
        (Age.from_years(120), "male", 40, 129),
        (Age.from_years(120), "female", 40, 130),
    ],
)
def test_partition_boundaries(kb: Knowledge, age: Age, sex: str, low: float, high: float) -> None:
    """Each partition starts exactly at its lower bound."""
    interval = knowledge_interval(kb, "alp", age, sex, None)
    assert interval is not None
    assert (interval.low, interval.high) == (low, high)


@pytest.mark.parametrize(
    ("weeks", "high"), [(0, 88), (13.9, 88), (14, 126), (27.9, 126), (28, 229), (45, 229)]
)
def test_trimester_boundaries(kb: Knowledge, weeks: float, high: float) -> None:
    """Trimesters change at weeks 14 and 28 (Abbassi-Ghanavati 2009)."""
    interval = knowledge_interval(kb, "alp", Age.from_years(30), "female", weeks)
    assert interval is not None
    assert interval.high == high


def test_birthday_boundary_from_birth_date() -> None:
    """On the 19th birthday a male moves from the 17-19 partition to the adult one."""

    def status_on(day: str) -> tuple[float | None, float | None]:
        result = interpret(
            {
                "patient": {"birth_date": "2005-03-01", "sex": "male"},
                "results": [{"test": "ALP", "value": 100, "date": day}],
            }
        )
        assert result.alp is not None
        interval = result.alp.reference_interval
        return interval.low, interval.high

    assert status_on("2024-02-29") == (55, 149)
    assert status_on("2024-03-01") == (40, 129)


def test_lab_limits_win(kb: Knowledge) -> None:
    """The reporting lab's own limits decide the status and are named as the basis."""
    result = interpret(
        {
            "patient": {"age_years": 50, "sex": "male"},
            "results": [
                {
                    "test": "ALP",
                    "value": 35,
                    "date": "2024-01-02",
                    "reference_low": 30,
                    "reference_high": 120,
                }
            ],
        }
    )
    assert result.alp is not None
    assert result.alp.status == "normal"
    assert result.alp.reference_interval.source == "laboratory"


def test_pregnancy_interval_replaces_non_pregnant_lab_limits() -> None:
    """In pregnancy ALP is not called high against a non-pregnant upper limit."""
    result = interpret(
        {
            "patient": {"age_years": 30, "sex": "female", "pregnancy_weeks": 34},
            "results": [
                {
                    "test": "ALP",
                    "value": 190,
                    "date": "2024-01-02",
                    "reference_low": 35,
                    "reference_high": 104,
                }
            ],
        }
    )
    assert result.alp is not None
    assert result.alp.status == "normal"
    assert "pregnancy" in result.alp.reference_interval.basis


def test_pregnancy_weeks_apply_per_result_date() -> None:
    """An ALP from before the pregnancy is judged against the non-pregnant interval."""
    result = interpret(
        {
            "patient": {"age_years": 30, "sex": "female", "pregnancy_weeks": 20},
            "results": [
                {"test": "ALP", "value": 120, "date": "2023-01-02"},
                {"test": "ALP", "value": 120, "date": "2024-01-02"},
            ],
        }
    )
    first, second = result.results
    assert first.status == "high"
    assert second.status == "normal"


def test_age_per_result_date_from_age_years() -> None:
    """age_years is the age at the latest result; earlier results are younger."""
    result = interpret(
        {
            "patient": {"age_years": 19.5, "sex": "male"},
            "results": [
                {"test": "ALP", "value": 140, "date": "2023-01-02"},
                {"test": "ALP", "value": 140, "date": "2024-01-02"},
            ],
        }
    )
    earlier, latest = result.results
    assert earlier.status == "normal"  # 18.5 years: 55-149
    assert latest.status == "high"  # 19.5 years: 40-129


# Issue 14 ("Intervals that fit"): the women's limits follow age (LabPLUS 2017: 45-150 at
# 17-<22 y, 40-110 at 22-<50, 40-120 at 50-<60, 40-130 from 60), so a postmenopausal woman's
# ALP 118 with a normal GGT is normal, and an 18-year-old's 100 is not 'high' against the
# CALIPER 17-19 y band (45-87), which called 24% of NHANES 2017-2018 women of 18 high.
@pytest.mark.parametrize(
    ("age", "alp", "status", "high"),
    [
        (66, 118, "normal", 130),  # was high against 35-104
        (55, 118, "normal", 120),  # was high against 35-104
        (55, 121, "high", 120),
        (35, 108, "normal", 110),  # was high against 35-104
        (35, 111, "high", 110),
        (35, 38, "low", 110),  # was normal against 35-104: LabPLUS's lower limit is 40
        (18, 100, "normal", 150),  # was high against 45-87
        (18, 44, "low", 150),
    ],
)
def test_womens_alp_limits_follow_age(
    kb: Knowledge, age: int, alp: float, status: str, high: float
) -> None:
    result = interpret(
        {
            "patient": {"age_years": age, "sex": "female"},
            "results": [
                {"test": "ALP", "value": alp, "unit": "U/L", "date": "2024-01-10"},
                {"test": "GGT", "value": 20, "unit": "U/L", "date": "2024-01-10"},
            ],
        },
        kb=kb,
    )
    assert result.alp is not None
    assert result.alp.status == status
    assert result.alp.reference_interval.high == high
    assert result.alp.reference_interval.citations[0] == "labplus2017"
    assert "LabPLUS" in result.alp.reference_interval.basis


def test_every_alp_interval_names_its_population_and_source(kb: Knowledge) -> None:
    """Each built-in ALP interval says who it describes and cites where it comes from."""
    for interval in kb.intervals["alp"]:
        assert interval.citations, interval.id
        assert len(interval.population.split()) >= 6, interval.id
        for citation in interval.citations:
            assert citation in kb.citations, interval.id


@given(
    years=st.floats(min_value=0, max_value=120),
    sex=st.sampled_from(["female", "male"]),
    analyte=st.sampled_from(["alt", "ast", "total_bilirubin", "hemoglobin"]),
)
def test_liver_tests_and_haemoglobin_have_an_interval_at_every_age(
    kb: Knowledge, years: float, sex: str, analyte: str
) -> None:
    """Issue 18: AST, ALT, bilirubin and haemoglobin are never 'unknown' for want of an age."""
    interval = knowledge_interval(kb, analyte, Age.from_years(years), sex, None)
    assert interval is not None
    assert interval.high is not None


def test_a_17_year_old_with_acute_liver_failure_gets_statuses_not_unknown(kb: Knowledge) -> None:
    """Issue 18's 17-year-old (Wilson disease picture): every result has a status; Quest's
    AST 7-19 y (12-32 U/L), bilirubin 10-19 y (up to 1.1 mg/dL) and Dallman's haemoglobin
    for girls 12-18 y (120-160 g/L) apply."""
    when = "2024-01-10"
    result = interpret(
        {
            "patient": {"age_years": 17, "sex": "female"},
            "results": [
                {"test": "ALP", "value": 18, "unit": "U/L", "date": when},
                {"test": "AST", "value": 480, "unit": "U/L", "date": when},
                {"test": "ALT", "value": 160, "unit": "U/L", "date": when},
                {"test": "Total bilirubin", "value": 14.2, "unit": "mg/dL", "date": when},
                {"test": "Haemoglobin", "value": 85, "unit": "g/L", "date": when},
            ],
        },
        kb=kb,
    )
    statuses = {r.analyte: r.status for r in result.results}
    assert statuses == {
        "alp": "low",
        "ast": "high",
        "alt": "high",
        "total_bilirubin": "high",
        "hemoglobin": "low",
    }
    limits = {r.analyte: r.reference_interval for r in result.results}
    assert limits["ast"] is not None
    assert limits["ast"].high == 32
    assert limits["hemoglobin"] is not None
    assert (limits["hemoglobin"].low, limits["hemoglobin"].high) == (120, 160)


@pytest.mark.parametrize(
    ("days", "high"), [(1, 5.1), (2, 7.2), (5, 10.3), (13, 2.7), (14, 0.8), (3652.5, 1.1)]
)
def test_newborn_bilirubin_limits_follow_the_day_of_life(
    kb: Knowledge, days: float, high: float
) -> None:
    interval = knowledge_interval(kb, "total_bilirubin", Age(days, days / 365.25), "male", None)
    assert interval is not None
    assert interval.high == high


# Issue 18 item 7: pregnancy ranges for other analytes (Abbassi-Ghanavati 2009): haemoglobin
# 116-139 / 97-148 / 95-150 g/L, ALT up to 30 / 33 / 25 U/L, AST up to 23 / 33 / 32 U/L.
def _beside_alp(kb: Knowledge, test: str, value: float, unit: str, weeks: float | None) -> Any:
    """The result of ``test`` in a woman of 30, pregnant at ``weeks`` if given."""
    patient: dict[str, object] = {"age_years": 30, "sex": "female"}
    if weeks is not None:
        patient["pregnancy_weeks"] = weeks
    result = interpret(
        {
            "patient": patient,
            "results": [
                {"test": "ALP", "value": 80, "unit": "U/L", "date": "2024-01-10"},
                {"test": test, "value": value, "unit": unit, "date": "2024-01-10"},
            ],
        },
        kb=kb,
    )
    return result.results[1]


@pytest.mark.parametrize(
    ("test", "value", "unit", "weeks", "status", "limits"),
    [
        (
            "Haemoglobin",
            121,
            "g/L",
            10,
            "normal",
            (116, 139),
        ),  # low against 123-157 if not pregnant
        ("Haemoglobin", 12.1, "g/dL", None, "low", (123, 157)),
        ("Haemoglobin", 100, "g/L", 24, "normal", (97, 148)),
        ("Haemoglobin", 93, "g/L", 34, "low", (95, 150)),
        ("ALT", 28, "U/L", 20, "normal", (None, 33)),
        ("ALT", 28, "U/L", 30, "high", (None, 25)),
        ("AST", 30, "U/L", 8, "high", (None, 23)),
    ],
)
def test_pregnancy_ranges_for_other_analytes(
    kb: Knowledge,
    test: str,
    value: float,
    unit: str,
    weeks: float | None,
    status: str,
    limits: tuple[float | None, float],
) -> None:
    row = _beside_alp(kb, test, value, unit, weeks)
    assert row.status == status
    assert row.reference_interval is not None
    assert (row.reference_interval.low, row.reference_interval.high) == limits


# Issue 14: bilirubin, GGT and albumin also have pregnancy ranges (Abbassi-Ghanavati 2009):
# bilirubin up to 0.4 / 0.8 / 1.1 mg/dL, GGT up to 23 / 22 / 26 U/L, albumin 31-51 / 26-45 /
# 23-42 g/L by trimester.
@pytest.mark.parametrize(
    ("test", "value", "unit", "weeks", "status"),
    [
        ("Bilirubin", 0.6, "mg/dL", 10, "high"),  # normal against the non-pregnant limit
        ("Bilirubin", 0.6, "mg/dL", None, "normal"),
        ("Bilirubin", 1.0, "mg/dL", 34, "normal"),
        ("GGT", 30, "U/L", 20, "high"),  # normal against the non-pregnant 38 U/L
        ("GGT", 30, "U/L", None, "normal"),
        ("Albumin", 28, "g/L", 34, "normal"),  # low against 35-50 g/L if not pregnant
        ("Albumin", 28, "g/L", None, "low"),
        ("Albumin", 28, "g/L", 10, "low"),
    ],
)
def test_pregnancy_ranges_for_the_liver_panel(
    kb: Knowledge, test: str, value: float, unit: str, weeks: float | None, status: str
) -> None:
    row = _beside_alp(kb, test, value, unit, weeks)
    assert row.status == status
    assert row.reference_interval is not None
    assert ("pregnan" in row.reference_interval.basis.lower()) == (weeks is not None)


# Issue 14 item 7: an optional menopause field. ALP rises after the menopause with bone turnover
# (Mukaiyama 2015), so a woman's stated status chooses between the LabPLUS 2017 bands for
# women before (40-110 U/L) and after (40-120 and 40-130 U/L) about 50.
@pytest.mark.parametrize(
    ("age", "menopause", "high", "note"),
    [
        (45, None, 110, False),
        (45, "pre", 110, False),
        (45, "post", 120, True),  # early menopause: the nearest postmenopausal band
        (53, None, 120, False),
        (53, "pre", 110, True),  # still menstruating at 53
        (53, "post", 120, False),
        (70, "post", 130, False),
    ],
)
def test_stated_menopause_chooses_the_womens_interval(
    kb: Knowledge, age: float, menopause: str | None, high: float, note: bool
) -> None:
    patient: dict[str, object] = {"age_years": age, "sex": "female"}
    if menopause is not None:
        patient["menopause"] = menopause
    result = interpret(
        {
            "patient": patient,
            "results": [{"test": "ALP", "value": 115, "unit": "U/L", "date": "2026-01-05"}],
        },
        kb=kb,
    )
    assert result.alp is not None
    interval = result.alp.reference_interval
    assert interval is not None
    assert interval.high == high
    assert ("menopausal status" in interval.basis) == note
    assert result.alp.status == ("high" if high < 115 else "normal")
    assert result.inputs is not None
    assert result.inputs.menopause == menopause
    assert (f"{menopause}menopausal" in inputs_line(result.inputs)) == (menopause is not None)


def test_menopause_does_not_change_mens_or_pregnancy_intervals(kb: Knowledge) -> None:
    with pytest.raises(ValueError, match="menopause"):
        interpret(
            {
                "patient": {"age_years": 45, "sex": "male", "menopause": "post"},
                "results": [{"test": "ALP", "value": 80, "unit": "U/L", "date": "2026-01-05"}],
            },
            kb=kb,
        )
    with pytest.raises(ValueError, match="pregnancy"):
        interpret(
            {
                "patient": {
                    "age_years": 45,
                    "sex": "female",
                    "menopause": "post",
                    "pregnancy_weeks": 20,
                },
                "results": [{"test": "ALP", "value": 80, "unit": "U/L", "date": "2026-01-05"}],
            },
            kb=kb,
        )
