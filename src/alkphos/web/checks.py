"""Check the case form before it is interpreted, finding every mistake at once, each in
plain words beside its field: numbers, dates, test names (with the name meant), units for
the test, and a date on every result of a test entered more than once (the order of results
matters, and the rows' order is never taken as time).

The case itself is then read by the same parser as the API, so nothing is accepted here
that the API would refuse; these checks only say more, and say it sooner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from alkphos.errors import closest
from alkphos.knowledge.loader import Knowledge
from alkphos.units import normalise_spelling
from alkphos.web.form import AMBIGUOUS, NUMBER, FormState

__all__ = ["FieldError", "check_form", "field_label"]

_ROW_FIELD = re.compile(r"^results-(\d+)-(\w+)$")
_ROW_LABELS = {
    "test": "name",
    "value": "value",
    "unit": "unit",
    "date": "date",
    "reference_low": "lab low",
    "reference_high": "lab high",
}
_PATIENT_LABELS = {
    "age_years": "Age",
    "birth_date": "Birth date",
    "sex": "Sex",
    "pregnancy_weeks": "Pregnancy week",
    "postpartum_weeks": "Weeks since delivery",
    "setting": "Seen in",
    "medications": "Medicines",
    "findings": "Findings",
    "document": "Pasted case",
    "form": "Form",
}


@dataclass(frozen=True, slots=True)
class FieldError:
    """A mistake, the field it belongs to and its label."""

    field: str
    label: str
    message: str


def field_label(name: str) -> str:
    """What a field is called on the form: 'Test 2, value', 'Age'."""
    match = _ROW_FIELD.match(name)
    if match:
        return f"Test {int(match.group(1)) + 1}, {_ROW_LABELS.get(match.group(2), 'test')}"
    return _PATIENT_LABELS.get(name, name.replace("_", " ").capitalize())


def _number_problem(text: str) -> str | None:
    stripped = text.strip()
    if not stripped:
        return None
    if AMBIGUOUS.match(stripped):
        return (
            f"{stripped} could be read two ways ({stripped.replace(',', '.')} or "
            f"{stripped.replace(',', '')}): write it without the comma, with a point for "
            "decimals"
        )
    if not NUMBER.match(stripped):
        return f"“{stripped}” is not a number: write it in digits, such as 42 or 0.8"
    if float(stripped.replace(",", ".")) < 0:
        return "a result cannot be below 0"
    return None


def _date_problem(text: str) -> str | None:
    if not text.strip():
        return None
    try:
        date.fromisoformat(text.strip())
    except ValueError:
        return f"“{text.strip()}” is not a date: write it as year-month-day, such as 2025-01-20"
    return None


def _test_names(kb: Knowledge) -> list[str]:
    return [a.name for a in kb.analytes.values()] + [
        alias for a in kb.analytes.values() for alias in a.aliases
    ]


def check_form(state: FormState, kb: Knowledge) -> list[FieldError]:
    """Every mistake the form holds, in the order of the fields (empty when none)."""
    errors: list[FieldError] = []

    def add(name: str, message: str) -> None:
        errors.append(FieldError(name, field_label(name), message))

    for name in ("age_years", "pregnancy_weeks", "postpartum_weeks"):
        problem = _number_problem(state.patient.get(name, ""))
        if problem:
            add(name, problem.replace("a result cannot", "it cannot"))
    problem = _date_problem(state.patient.get("birth_date", ""))
    if problem:
        add("birth_date", problem)
    undated: dict[str, list[int]] = {}
    counts: dict[str, int] = {}
    for number in state.origin():
        row = state.rows[number]
        prefix = f"results-{number}-"
        analyte = kb.find_analyte(row.test) if row.test.strip() else None
        if not row.test.strip():
            add(prefix + "test", "enter the test's name, such as ALP")
        elif analyte is None:
            hint = closest(row.test, _test_names(kb))
            known = f"“{row.test.strip()}” is not a test alkphos knows"
            add(prefix + "test", known + (f": did you mean “{hint}”?" if hint else ""))
        if not row.value.strip():
            add(prefix + "value", "enter the result's value")
        for name in ("value", "reference_low", "reference_high"):
            problem = _number_problem(getattr(row, name))
            if problem:
                add(prefix + name, problem)
        if analyte is not None and row.unit.strip():
            accepted = kb.accepted_units(analyte)
            if normalise_spelling(row.unit) not in kb.unit_index[analyte]:
                hint = closest(row.unit, accepted)
                add(
                    prefix + "unit",
                    f"{kb.analytes[analyte].name} is not reported in {row.unit}: choose "
                    f"{', '.join(accepted[:4])}" + (f" (did you mean {hint}?)" if hint else ""),
                )
        problem = _date_problem(row.date)
        if problem:
            add(prefix + "date", problem)
        if analyte is not None:
            counts[analyte] = counts.get(analyte, 0) + 1
            if not row.date.strip():
                undated.setdefault(analyte, []).append(number)
    for analyte, numbers in undated.items():
        if counts[analyte] > 1:
            name = kb.analytes[analyte].name
            for number in numbers:
                add(
                    f"results-{number}-date",
                    f"add the date: {name} is entered {counts[analyte]} times, and which "
                    "result is the latest decides the answer",
                )
    order = {name: position for position, name in enumerate(_field_order(state))}
    return sorted(errors, key=lambda error: order.get(error.field, len(order)))


def _field_order(state: FormState) -> list[str]:
    fields = ["age_years", "birth_date", "sex", "pregnancy_weeks", "postpartum_weeks", "setting"]
    for number in range(len(state.rows)):
        fields += [f"results-{number}-{name}" for name in _ROW_LABELS]
    return fields
