"""ALP over time: persistence of a low value, trend, fold change, acute fall, long-standing."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from alkphos import Knowledge, interpret
from alkphos.model.interpretation import AlpSeries
from tests.conftest import case, row
from tests.rules.helpers import day, lln, run, uln


def _series(as_of: date, *rows: dict[str, Any]) -> AlpSeries:
    result = run(case(*rows, age_years=50, sex="male"), as_of)
    assert result.alp_series is not None
    return result.alp_series


def test_no_alp_gives_no_series(as_of: date) -> None:
    """A case without ALP has no ALP series."""
    assert run(case(row("GGT", 30), age_years=50), as_of).alp_series is None


def test_single_result_has_no_trend(as_of: date) -> None:
    """One ALP result counts once and has no trend or fold change."""
    series = _series(as_of, row("ALP", 80))
    assert series.n_results == 1
    assert series.trend is None
    assert series.fold_change is None
    assert not series.persistently_low
    assert not series.acute_fall


def test_persistence_needs_the_minimum_number_of_low_days(kb: Knowledge, as_of: date) -> None:
    """Low ALP on the minimum number of different days is persistent; one fewer is not."""
    needed = int(kb.param("persistence_min_low_results"))
    low = lln(kb, "alp") - 5
    enough = [row("ALP", low, day(-100 * n)) for n in range(needed)]
    series = _series(as_of, *enough)
    assert series.persistently_low
    assert series.n_low == needed
    assert str(needed) in series.persistence_definition
    assert not _series(as_of, *enough[:-1]).persistently_low


def test_lows_on_the_same_day_are_not_persistent(kb: Knowledge, as_of: date) -> None:
    """Several low results drawn on one day do not make a persistent low."""
    needed = int(kb.param("persistence_min_low_results"))
    low = lln(kb, "alp") - 5
    series = _series(as_of, *[row("ALP", low, day(0)) for _ in range(needed + 1)])
    assert series.n_low == needed + 1
    assert not series.persistently_low


def test_a_high_value_breaks_persistence(kb: Knowledge, as_of: date) -> None:
    """Low results with any ALP above the upper limit are not persistently low."""
    low = lln(kb, "alp") - 5
    series = _series(
        as_of,
        row("ALP", low, day(-400)),
        row("ALP", uln(kb, "alp") + 10, day(-200)),
        row("ALP", low, day(0)),
    )
    assert series.n_high == 1
    assert not series.persistently_low


def test_first_and_last_low_dates(kb: Knowledge, as_of: date) -> None:
    """The first and last low dates are those of the earliest and latest low results."""
    low = lln(kb, "alp") - 5
    series = _series(
        as_of,
        row("ALP", low, day(-30)),
        row("ALP", low, day(-300)),
        row("ALP", 80, day(0)),
    )
    assert (series.first_low_date, series.last_low_date) == (day(-300), day(-30))


def test_trend_rising_falling_and_stable(kb: Knowledge, as_of: date) -> None:
    """A change of at least the meaningful fraction is a trend; a smaller one is stable."""
    change = kb.param("meaningful_change_fraction")
    before = 100.0
    cases = {
        "rising": before * (1 + change) + 1,
        "falling": before * (1 - change) - 1,
        "stable": before * (1 + change) - 1,
    }
    for expected, after in cases.items():
        series = _series(as_of, row("ALP", before, day(-60)), row("ALP", after, day(0)))
        assert series.trend == expected, (after, series.trend)
        assert series.fold_change == round(after / before, 2)


def test_trend_compares_with_an_earlier_day(as_of: date) -> None:
    """A result from the same day as the latest is not the 'previous' value for the trend."""
    series = _series(
        as_of, row("ALP", 50, day(-60)), row("ALP", 200, day(0)), row("ALP", 100, day(0))
    )
    assert series.fold_change == 2.0
    assert series.trend == "rising"


def test_acute_fall_within_the_window(kb: Knowledge, as_of: date) -> None:
    """A low ALP with a normal one inside the acute-fall window is an acute fall."""
    window = int(kb.param("acute_fall_window_days"))
    low = lln(kb, "alp") - 10
    series = _series(as_of, row("ALP", 80, day(-window)), row("ALP", low, day(0)))
    assert series.acute_fall


def test_no_acute_fall_outside_the_window(kb: Knowledge, as_of: date) -> None:
    """A normal ALP older than the window does not make an acute fall."""
    window = int(kb.param("acute_fall_window_days"))
    low = lln(kb, "alp") - 10
    series = _series(as_of, row("ALP", 80, day(-window - 1)), row("ALP", low, day(0)))
    assert not series.acute_fall


def test_no_acute_fall_when_latest_is_not_low(kb: Knowledge, as_of: date) -> None:
    """A fall that stays within limits is not an acute fall."""
    series = _series(as_of, row("ALP", 120, day(-10)), row("ALP", lln(kb, "alp"), day(0)))
    assert not series.acute_fall


def test_long_standing_low(kb: Knowledge, as_of: date) -> None:
    """Low results spanning the long-standing window are long-standing; shorter are not."""
    span = int(kb.param("long_standing_low_days"))
    low = lln(kb, "alp") - 5
    long = _series(as_of, row("ALP", low, day(-span)), row("ALP", low, day(0)))
    short = _series(as_of, row("ALP", low, day(-span + 1)), row("ALP", low, day(0)))
    assert long.long_standing
    assert not short.long_standing


def test_long_standing_needs_an_abnormal_latest(kb: Knowledge, as_of: date) -> None:
    """An old low followed by a normal latest value is not long-standing."""
    span = int(kb.param("long_standing_low_days"))
    low = lln(kb, "alp") - 5
    series = _series(as_of, row("ALP", low, day(-2 * span)), row("ALP", 80, day(0)))
    assert not series.long_standing


def test_first_ever_abnormal(kb: Knowledge, as_of: date) -> None:
    """The latest value is 'first ever abnormal' only when no earlier value was abnormal."""
    low, high = lln(kb, "alp") - 5, uln(kb, "alp") + 20
    assert _series(as_of, row("ALP", 80, day(-90)), row("ALP", low, day(0))).first_ever_abnormal
    assert not _series(
        as_of, row("ALP", low, day(-90)), row("ALP", low, day(0))
    ).first_ever_abnormal
    assert not _series(
        as_of, row("ALP", high, day(-90)), row("ALP", low, day(0))
    ).first_ever_abnormal
    assert not _series(as_of, row("ALP", 80, day(0))).first_ever_abnormal


_VALUES = st.lists(
    st.tuples(st.integers(min_value=0, max_value=1000), st.sampled_from([10, 40, 80, 150, 400])),
    min_size=1,
    max_size=6,
)


@given(points=_VALUES)
def test_persistence_matches_its_definition(
    kb: Knowledge, as_of: date, points: list[tuple[int, int]]
) -> None:
    """Persistently low iff lows fall on enough different days and no value is high."""
    low, high = lln(kb, "alp"), uln(kb, "alp")
    needed = int(kb.param("persistence_min_low_results"))
    series = _series(as_of, *[row("ALP", value, day(-back)) for back, value in points])
    low_days = {back for back, value in points if value < low}
    any_high = any(value > high for _, value in points)
    assert series.persistently_low == (len(low_days) >= needed and not any_high)
    if any_high:
        assert not series.persistently_low
    assert series.n_low == sum(value < low for _, value in points)
    assert series.n_high == sum(value > high for _, value in points)


def test_the_series_says_how_long_the_abnormality_has_lasted(as_of: date) -> None:
    """Issue 14: duration, first abnormal date and the normal result before it are output."""
    data = case(
        row("ALP", 80, "2020-01-10"),
        row("ALP", 300, "2021-01-10"),
        row("ALP", 310, "2023-01-10"),
        row("ALP", 305, "2024-01-10"),
        age_years=56,
        sex="female",
    )
    series = interpret(data, as_of=as_of).alp_series
    assert series is not None
    assert series.abnormal_since == "2021-01-10"
    assert series.abnormal_days == (date(2024, 1, 10) - date(2021, 1, 10)).days
    assert series.normal_before == "2020-01-10"
