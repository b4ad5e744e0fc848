"""Numbers as reports print them: decimal points or commas, thousands groups, censoring.

A separator followed by exactly three digits ("1,080", "1.080") is a thousands group or a
decimal mark depending on the report: the other numbers of the same report decide (a
report that writes "0,42" uses decimal commas). When they do not, the number is refused
rather than guessed: 1,080 U/L and 1.08 U/L are different results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CENSOR", "NUMBER", "DecimalStyle", "Value", "decimal_style", "parse_number"]

NUMBER = r"\d+(?:[.,]\d+)*"
CENSOR = r"(?:<=|>=|≤|≥|<|>)"
_NUMBER = re.compile(NUMBER)
_DATE_OR_TIME = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,2}:\d{2}(?::\d{2})?")


@dataclass(frozen=True, slots=True)
class DecimalStyle:
    """Which decimal marks a report uses, from its numbers that leave no doubt."""

    comma: bool
    point: bool


@dataclass(frozen=True, slots=True)
class Value:
    """A value as read: a number, or a censored value kept as printed."""

    number: float | None
    censored: str | None = None


def decimal_style(text: str) -> DecimalStyle:
    """The decimal marks of a report: a mark followed by other than three digits, or after
    a leading zero ("0,125"), can only be a decimal mark."""
    comma = point = False
    for match in _NUMBER.finditer(_DATE_OR_TIME.sub(" ", text)):
        groups = re.split(r"([.,])", match.group())
        if len(groups) != 3:
            continue
        head, mark, tail = groups
        if len(tail) != 3 or head == "0":
            comma |= mark == ","
            point |= mark == "."
    return DecimalStyle(comma=comma, point=point)


def parse_number(text: str, style: DecimalStyle) -> float:
    """The number ``text`` stands for in a report of this style.

    Raises:
        ValueError: the number can be read two ways (the reason is the message).
    """
    marks = re.findall(r"[.,]", text)
    if not marks:
        return float(text)
    if len(marks) == 1:
        head, tail = re.split(r"[.,]", text)
        mark = marks[0]
        if len(tail) != 3 or head == "0":
            return float(f"{head}.{tail}")
        uses_this = style.point if mark == "." else style.comma
        uses_other = style.comma if mark == "." else style.point
        if uses_this and not uses_other:
            return float(f"{head}.{tail}")
        if uses_other and not uses_this:
            return float(head + tail)
        raise ValueError(
            f"'{text}' could be {head}{tail} or {head}.{tail}: the report's other numbers do "
            "not show whether it uses decimal points or decimal commas"
        )
    decimal = marks[-1]
    groups = marks[:-1]
    if all(mark != decimal for mark in groups):
        whole, _, fraction = text.rpartition(decimal)
        return float(re.sub(r"[.,]", "", whole) + "." + fraction)
    if all(mark == marks[0] for mark in marks) and all(
        len(part) == 3 for part in re.split(r"[.,]", text)[1:]
    ):
        return float(re.sub(r"[.,]", "", text))
    raise ValueError(f"'{text}' is not a number alkphos can read")
