"""The patient's inputs in one line, as every output for people shows them: age, sex,
pregnancy, medicines, findings and where the patient is seen."""

from __future__ import annotations

import math

from alkphos.knowledge.age import DAYS_PER_YEAR
from alkphos.model.interpretation import Inputs

__all__ = ["SETTING_LABELS", "age_words", "inputs_line"]

# The same words as the web form's "Seen in" choice.
SETTING_LABELS = {
    "outpatient": "outpatient clinic or GP",
    "emergency": "emergency department",
    "inpatient": "hospital ward",
    "intensive_care": "intensive care",
    "unknown": "not said (read as outpatient)",
}
_DAYS_PER_MONTH = DAYS_PER_YEAR / 12


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"


def age_words(years: float) -> str:
    """An age as people say it: whole years from 2, months under 2, weeks under a month,
    days under a week (always rounded down, as ages are)."""
    if years >= 2:
        return _count(math.floor(years), "year")
    days = round(years * DAYS_PER_YEAR, 6)  # 7 days given as years is 7, not 6.999...
    if days >= _DAYS_PER_MONTH:
        return _count(math.floor(days / _DAYS_PER_MONTH), "month")
    if days >= 7:
        return _count(math.floor(days / 7), "week")
    return _count(math.floor(days), "day")


def _weeks(weeks: float) -> str:
    return _count(math.floor(weeks), "week")


def inputs_line(inputs: Inputs) -> str:
    """'age 63 years; female, not pregnant; medicines: omeprazole; seen in: emergency
    department' (findings, when given, before the setting)."""
    age = f"age {age_words(inputs.age_years)}" if inputs.age_years is not None else "age unknown"
    sex = {"female": "female", "male": "male"}.get(inputs.sex, "sex unknown")
    if inputs.pregnancy_weeks is not None:
        sex += f", pregnant ({_weeks(inputs.pregnancy_weeks)})"
    elif inputs.sex == "female":
        sex += ", not pregnant"
    if inputs.postpartum_weeks is not None:
        sex += f", delivered {_weeks(inputs.postpartum_weeks)} ago"
    if inputs.menopause is not None:
        sex += f", {inputs.menopause}menopausal"
    parts = [age, sex, "medicines: " + (", ".join(inputs.medications) or "none given")]
    if inputs.findings:
        parts.append("findings: " + ", ".join(f.replace("_", " ") for f in inputs.findings))
    parts.append(f"seen in: {SETTING_LABELS[inputs.setting]}")
    return "; ".join(parts)
