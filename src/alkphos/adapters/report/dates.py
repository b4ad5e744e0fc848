"""Dates as reports print them: ISO, day.month.year, US and European slashes, month names
in English, German, French and Spanish.

Day and month are never guessed: dotted dates (05.03.2024) are day first by convention;
a slashed or dashed date whose day and month could be swapped takes its order from the
report's other dates (one with a part above 12 shows it) or from the caller, and is
refused otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

__all__ = ["DATE", "AmbiguousDateError", "DateOrder", "FoundDate", "find_dates", "report_order"]

DateOrder = Literal["dmy", "mdy"]

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "jan january januar janvier enero ene janv",
        "feb february februar février fevrier febrero févr fevr",
        "mar march märz maerz mars marzo mrz",
        "apr april avril abril avr abr",
        "may mai mayo",
        "jun june juni juin junio",
        "jul july juli juillet julio juil",
        "aug august août aout agosto ago",
        "sep sept september septembre septiembre set",
        "oct october oktober octobre octubre okt",
        "nov november novembre noviembre",
        "dec december dezember décembre decembre diciembre dez déc dic",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_MONTH = r"(?P<mon>[A-Za-zÀ-ÿ]{3,10})\.?"
_ISO = r"(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})"
_NUMERIC = r"(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})"
_DAY_MONTH = (
    rf"(?P<dd>\d{{1,2}})(?:\.?\s*|-)(?:de\s+)?{_MONTH}(?:\s*(?:de\s+)?,?\s*|-)(?P<dy>\d{{4}})"
)
_MONTH_DAY = r"(?P<mon2>[A-Za-zÀ-ÿ]{3,10})\.?\s+(?P<md>\d{1,2}),?\s+(?P<my>\d{4})"
DATE = rf"(?<![\d.])(?:{_ISO}|{_NUMERIC}|{_DAY_MONTH}|{_MONTH_DAY})(?![\d])"
_DATE = re.compile(DATE, re.IGNORECASE)


class AmbiguousDateError(ValueError):
    """A date whose day and month could be either way round."""


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A date printed in a line: where, as printed, and its day/month reading."""

    start: int
    end: int
    text: str
    year: int
    first: int
    second: int
    order: DateOrder | None  # None: numeric with day and month both possible

    def resolve(self, order: DateOrder | None) -> date:
        """The calendar date, with ``order`` for a date that could be read both ways.

        Raises:
            AmbiguousDateError: the order is needed and not known.
            ValueError: not a calendar date.
        """
        chosen = self.order or order
        if chosen is None:
            raise AmbiguousDateError(
                f"date '{self.text}' could be {self.first} {_month_name(self.second)} or "
                f"{_month_name(self.first)} {self.second} and no other date in the report "
                "shows the order"
            )
        if chosen == "dmy":
            return date(self.year, self.second, self.first)
        return date(self.year, self.first, self.second)


def _month_name(number: int) -> str:
    return date(2000, number, 1).strftime("%B") if 1 <= number <= 12 else str(number)


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        return 2000 + year if year < 70 else 1900 + year
    return year


def find_dates(line: str) -> list[FoundDate]:
    """Every date printed in ``line`` (month names must be real month names)."""
    found: list[FoundDate] = []
    for match in _DATE.finditer(line):
        parts = match.groupdict()
        text = match.group()
        if parts["iy"]:
            found.append(
                FoundDate(
                    match.start(),
                    match.end(),
                    text,
                    int(parts["iy"]),
                    int(parts["id"]),
                    int(parts["im"]),
                    "dmy",
                )
            )
        elif parts["a"]:
            a, b = int(parts["a"]), int(parts["b"])
            order: DateOrder | None = None
            if parts["sep"] == "." or a > 12:
                order = "dmy"
            elif b > 12:
                order = "mdy"
            found.append(
                FoundDate(match.start(), match.end(), text, _year(parts["y"]), a, b, order)
            )
        else:
            name = (parts["mon"] or parts["mon2"] or "").lower()
            month = _MONTHS.get(name)
            if month is None:
                continue
            day = int(parts["dd"] or parts["md"])
            year = int(parts["dy"] or parts["my"])
            found.append(FoundDate(match.start(), match.end(), text, year, day, month, "dmy"))
    return found


def report_order(text: str) -> DateOrder | None:
    """The day/month order the report's slashed and dashed dates show, if they agree."""
    seen: set[DateOrder] = set()
    for line in text.splitlines():
        for found in find_dates(line):
            numeric = re.fullmatch(r"\d{1,2}[/-]\d{1,2}[/-]\d{2,4}", found.text)
            if numeric and found.order is not None:
                seen.add(found.order)
    return seen.pop() if len(seen) == 1 else None
