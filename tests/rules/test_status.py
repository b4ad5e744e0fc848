"""The ALP block: latest ALP, its status, multiple of the ULN and CTCAE v5.0 grade."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alkphos import Knowledge
from alkphos.rules.status import GRADE_SCHEME, grade
from tests.conftest import case, row
from tests.rules.helpers import lln, run, uln

LAB = {"reference_low": 40, "reference_high": 100}


def test_no_alp_gives_no_block(as_of: date) -> None:
    """A case without any ALP result has no ALP block."""
    result = run(case(row("GGT", 30), age_years=50, sex="male"), as_of)
    assert result.alp is None


def test_normal_alp_has_no_grade(kb: Knowledge, as_of: date) -> None:
    """A normal ALP is 'normal', with its multiple of the ULN and no grade."""
    high = uln(kb, "alp")
    value = round(high * 0.6)
    alp = run(case(row("ALP", value), age_years=50, sex="male"), as_of).alp
    assert alp is not None
    assert alp.status == "normal"
    assert alp.multiple_of_uln == round(value / high, 2)
    assert alp.grade is None
    assert alp.grade_scheme is None
    assert alp.grade_label is None


def test_limits_count_as_normal(kb: Knowledge, as_of: date) -> None:
    """An ALP exactly at the upper or lower limit is normal, not abnormal."""
    for value in (uln(kb, "alp"), lln(kb, "alp")):
        alp = run(case(row("ALP", value), age_years=50, sex="male"), as_of).alp
        assert alp is not None
        assert alp.status == "normal"


def test_low_alp_is_low_without_grade(kb: Knowledge, as_of: date) -> None:
    """An ALP below the lower limit is 'low' and gets no grade (CTCAE grades rises only)."""
    alp = run(case(row("ALP", lln(kb, "alp") - 1), age_years=50, sex="male"), as_of).alp
    assert alp is not None
    assert alp.status == "low"
    assert alp.grade is None


@pytest.mark.parametrize(
    ("parameter", "nudge", "expected"),
    [
        ("ctcae_grade1_max_uln", 0.0, "G1"),
        ("ctcae_grade1_max_uln", 0.01, "G2"),
        ("ctcae_grade2_max_uln", 0.0, "G2"),
        ("ctcae_grade2_max_uln", 0.01, "G3"),
        ("ctcae_grade3_max_uln", 0.0, "G3"),
        ("ctcae_grade3_max_uln", 0.01, "G4"),
    ],
)
def test_grade_boundaries(
    kb: Knowledge, as_of: date, parameter: str, nudge: float, expected: str
) -> None:
    """Each CTCAE grade includes its upper multiple; just above it is the next grade."""
    multiple = kb.param(parameter) + nudge
    value = multiple * LAB["reference_high"]
    alp = run(case(row("ALP", value, **LAB), age_years=50, sex="male"), as_of).alp
    assert alp is not None
    assert alp.status == "high"
    assert alp.grade == expected
    assert alp.grade_scheme == GRADE_SCHEME
    assert alp.grade_label


def test_just_above_the_uln_is_grade_1(as_of: date) -> None:
    """An ALP one unit above the ULN is high and grade 1."""
    alp = run(case(row("ALP", 101, **LAB), age_years=50, sex="male"), as_of).alp
    assert alp is not None
    assert (alp.status, alp.grade, alp.grade_label) == ("high", "G1", "mild")


@given(multiple=st.floats(min_value=0.0, max_value=60.0, allow_nan=False))
def test_grade_matches_the_thresholds(kb: Knowledge, multiple: float) -> None:
    """grade() follows the CTCAE cut-offs of the knowledge base for any multiple."""
    g1, g2, g3 = (kb.param(f"ctcae_grade{n}_max_uln") for n in (1, 2, 3))
    if multiple <= 1.0:
        expected = None
    elif multiple <= g1:
        expected = "G1"
    elif multiple <= g2:
        expected = "G2"
    elif multiple <= g3:
        expected = "G3"
    else:
        expected = "G4"
    assert grade(kb, multiple) == expected


def test_latest_alp_by_date_not_input_order(as_of: date) -> None:
    """The block reports the most recent ALP, whatever the order of the rows."""
    data = case(
        row("ALP", 300, "2024-01-05"),
        row("ALP", 20, "2023-01-05"),
        age_years=50,
        sex="male",
    )
    alp = run(data, as_of).alp
    assert alp is not None
    assert (alp.value, alp.date, alp.status) == (300, "2024-01-05", "high")


def test_laboratory_limits_win(kb: Knowledge, as_of: date) -> None:
    """The reporting lab's own limits are used in place of the knowledge base's."""
    value = uln(kb, "alp") - 5
    alp = run(
        case(row("ALP", value, reference_low=30, reference_high=value - 10), age_years=50),
        as_of,
    ).alp
    assert alp is not None
    assert alp.status == "high"
    assert alp.reference_interval.source == "laboratory"
    assert alp.reference_interval.high == value - 10


def test_missing_age_assumes_adult_limits(kb: Knowledge, as_of: date) -> None:
    """Without an age the adult interval is used, and the basis says so."""
    alp = run(case(row("ALP", 70), sex="female"), as_of).alp
    assert alp is not None
    assert alp.reference_interval.high == uln(kb, "alp", age=None, sex="female")
    assert "age not given" in alp.reference_interval.basis


def test_unknown_sex_uses_the_widest_limits(kb: Knowledge, as_of: date) -> None:
    """With the sex unknown the widest of the female and male limits is used, and said."""
    alp = run(case(row("ALP", 70), age_years=50), as_of).alp
    assert alp is not None
    interval = alp.reference_interval
    assert interval.high == max(uln(kb, "alp", sex="female"), uln(kb, "alp", sex="male"))
    assert interval.low == min(lln(kb, "alp", sex="female"), lln(kb, "alp", sex="male"))
    assert "sex not given" in interval.basis


def test_pregnancy_uses_the_trimester_interval(kb: Knowledge, as_of: date) -> None:
    """In pregnancy the trimester interval replaces the lab's non-pregnant limits."""
    data = case(
        row("ALP", 150, reference_low=35, reference_high=104),
        age_years=30,
        sex="female",
        pregnancy_weeks=32,
    )
    alp = run(data, as_of).alp
    assert alp is not None
    assert alp.reference_interval.high == uln(kb, "alp", age=30, sex="female", weeks=32)
    assert alp.reference_interval.source == "knowledge base"
    assert alp.status == "normal"


def test_converted_alp_is_judged_in_u_per_l(kb: Knowledge, as_of: date) -> None:
    """An ALP reported in ukat/L is converted to U/L before it is judged."""
    alp = run(case(row("ALP", 5, unit="ukat/L"), age_years=50, sex="male"), as_of).alp
    assert alp is not None
    assert alp.value == pytest.approx(300)
    assert alp.status == "high"
    assert alp.multiple_of_uln == round(300 / uln(kb, "alp"), 2)
