"""Turn the case form into a case, and map the case's error paths back to form fields.

Values are passed on as typed (numbers as numbers, anything else as text), so a bad entry
gets exactly the error the API and the command line give, shown next to its field. A decimal
comma is read as a point ("0,8" is 0.8), but a number that could be read either way ("1,234":
1.234 or 1234) is refused rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from alkphos.errors import InputError

__all__ = [
    "AMBIGUOUS",
    "NUMBER",
    "ROW_FIELDS",
    "FormRow",
    "FormState",
    "case_from_form",
    "field_for_path",
]

ROW_FIELDS = ("test", "value", "unit", "date", "reference_low", "reference_high")
NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
AMBIGUOUS = re.compile(r"^[+-]?\d{1,3},\d{3}$")  # a thousands comma, or a decimal one?
_PATIENT = (
    "age_years",
    "birth_date",
    "sex",
    "pregnancy_weeks",
    "postpartum_weeks",
    "menopause",
)
_NUMERIC = {
    "age_years",
    "pregnancy_weeks",
    "postpartum_weeks",
    "value",
    "reference_low",
    "reference_high",
}
_ROW_PATH = re.compile(r"^results\[(\d+)\]\.?(\w+)?")


@dataclass
class FormRow:
    """One result row as typed."""

    test: str = ""
    value: str = ""
    unit: str = ""
    date: str = ""
    reference_low: str = ""
    reference_high: str = ""

    def is_empty(self) -> bool:
        """Nothing typed in this row."""
        return not any(getattr(self, name).strip() for name in ROW_FIELDS)


@dataclass
class FormState:
    """Everything typed into the form, to show it again with errors."""

    patient: dict[str, str] = field(default_factory=dict)
    rows: list[FormRow] = field(default_factory=list)
    medications: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    setting: str = ""
    reader: str = "clinician"
    more: bool = False  # rows were added on request (none is held back on a phone)

    @classmethod
    def from_fields(cls, fields: Mapping[str, str | Sequence[str]], min_rows: int) -> FormState:
        """Read the posted fields (``results-<n>-<field>``, ``medication``, ``finding``)."""

        def one(name: str) -> str:
            value = fields.get(name, "")
            return value if isinstance(value, str) else (value[0] if value else "")

        def many(name: str) -> list[str]:
            value = fields.get(name, [])
            values = [value] if isinstance(value, str) else list(value)
            return [v for v in values if v.strip()]

        numbers = sorted(
            {int(m.group(1)) for key in fields if (m := re.match(r"^results-(\d+)-", key))}
        )
        rows = [FormRow(**{n: one(f"results-{i}-{n}") for n in ROW_FIELDS}) for i in numbers]
        while len(rows) < min_rows:
            rows.append(FormRow())
        return cls(
            patient={name: one(name) for name in _PATIENT},
            rows=rows,
            medications=many("medication"),
            findings=many("finding"),
            setting=one("setting"),
            reader="patient" if one("reader") == "patient" else "clinician",
        )

    def origin(self) -> list[int]:
        """For each result of the case, the form row it comes from (empty rows are skipped)."""
        return [number for number, row in enumerate(self.rows) if not row.is_empty()]


def _typed(path: str, name: str, text: str) -> Any:
    stripped = text.strip()
    if name not in _NUMERIC or not NUMBER.match(stripped):
        return stripped
    if AMBIGUOUS.match(stripped):
        raise InputError(
            path,
            f"{stripped} could be read two ways: {stripped.replace(',', '.')} or "
            f"{stripped.replace(',', '')}",
            "write it without a comma, with a point for decimals, e.g. 1234 or 1.234",
        )
    return float(stripped.replace(",", "."))


def case_from_form(state: FormState) -> dict[str, Any]:
    """The case the form describes (its results are the rows of ``state.origin()``).

    Raises:
        InputError: a number that could be read two ways (its path is the case's).
    """
    patient = {
        name: _typed(f"patient.{name}", name, value)
        for name, value in state.patient.items()
        if value.strip()
    }
    results: list[dict[str, Any]] = []
    for index, number in enumerate(state.origin()):
        row = state.rows[number]
        typed = {
            name: _typed(f"results[{index}].{name}", name, getattr(row, name))
            for name in ROW_FIELDS
        }
        results.append({key: value for key, value in typed.items() if value != ""})
    case: dict[str, Any] = {"patient": patient, "results": results}
    if state.medications:
        case["medications"] = state.medications
    if state.findings:
        case["findings"] = state.findings
    if state.setting.strip():
        case["setting"] = state.setting.strip()
    return case


def field_for_path(path: str, origin: Sequence[int]) -> str:
    """The form field an error path points at (``results[1].value`` -> ``results-3-value``)."""
    match = _ROW_PATH.match(path)
    if match:
        index = int(match.group(1))
        row = origin[index] if index < len(origin) else index
        name = match.group(2) or "test"
        return f"results-{row}-{name if name in ROW_FIELDS else 'test'}"
    if path.startswith("patient."):
        return path.removeprefix("patient.")
    if path.startswith(("medications", "findings")):
        return path.split("[")[0]
    if path == "setting":
        return "setting"
    if path == "results":
        return "results-0-test"
    return "form"
