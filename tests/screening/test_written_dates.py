"""Dates flat exports write other than ISO, read once per distinct text (never guessed)."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from alkphos.screening.written_dates import read_written_dates

_DAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))
_MONTH = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_TIMES = st.sampled_from(["", " 08:30", "T08:30:00Z", " 8:30 PM", " 23:59:59.123", ", 07:05"])


def _dmy(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def _mdy(day: date) -> str:
    return f"{day.month}/{day.day}/{day.year}"


_STYLES = {
    "dotted": lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
    "dmy": _dmy,
    "mdy": _mdy,
    "named": lambda d: f"{d.day:02d}-{_MONTH[d.month - 1]}-{d.year}",
    "us named": lambda d: f"{_MONTH[d.month - 1]} {d.day}, {d.year}",
}


@given(
    days=st.lists(_DAYS, min_size=1, max_size=6),
    style=st.sampled_from(sorted(_STYLES)),
    time=_TIMES,
)
def test_a_column_of_one_style_is_read_exactly(days: list[date], style: str, time: str) -> None:
    """Every date of a column written in one style (with a time or not) is read as the day it
    is, once the column shows its day/month order (here by 13 December of the same style)."""
    write = _STYLES[style]
    texts = [write(day) + time for day in days] + [write(date(2020, 12, 13))]
    read = read_written_dates(texts)
    assert [read.dates[text] for text in texts[:-1]] == days


@given(days=st.lists(_DAYS, min_size=1, max_size=6), style=st.sampled_from(["dmy", "mdy"]))
def test_day_and_month_are_never_guessed(days: list[date], style: str) -> None:
    """A slashed column whose dates all have day and month of 12 or less shows no order:
    those dates are not read (their rows are rejected, not given a guessed date)."""
    low = [day.replace(day=min(day.day, 12)) for day in days]
    read = read_written_dates([_STYLES[style](day) for day in low])
    assert read.order is None
    assert all(_STYLES[style](day) not in read.dates for day in low if day.day != day.month)


@given(text=st.text(max_size=30))
def test_any_text_gives_a_date_only_when_it_is_one(text: str) -> None:
    """Whatever a column holds, a date read from it is a date the text writes in full."""
    read = read_written_dates([text])
    if text in read.dates:
        assert str(read.dates[text].year) in text


def test_what_is_not_read() -> None:
    """A two-digit year (which century?), a date that is not in the calendar, two dates and
    a date with words after it are left unread."""
    read = read_written_dates(
        ["05.06.45", "31.02.2024", "01.02.2024 - 03.02.2024", "01.02.2024 fasting", "13/01/2024"]
    )
    assert read.dates == {"13/01/2024": date(2024, 1, 13)}
    assert read.order == "dmy"
