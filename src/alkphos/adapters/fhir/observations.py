"""One FHIR Observation -> one case result (or a gestational age), or a note saying why not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from alkphos.adapters.fhir.light import Entry, Observation, Quantity
from alkphos.adapters.fhir.systems import GESTATIONAL_AGE_LOINC, LOINC, UCUM
from alkphos.knowledge.loader import Knowledge

__all__ = ["Reading", "read_observation"]

_UNUSABLE = {"entered-in-error", "cancelled", "registered"}
_WEEKS = {"wk": 1.0, "week": 1.0, "weeks": 1.0, "d": 1 / 7, "day": 1 / 7, "days": 1 / 7}


@dataclass(frozen=True, slots=True)
class Reading:
    """What one Observation gave: a case result or a gestational age, with its date."""

    path: str
    on: date | None
    result: dict[str, Any] | None = None
    gestational_weeks: float | None = None


def read_observation(entry: Entry, kb: Knowledge, notes: list[str]) -> Reading | None:
    """Read one Observation; append a note and return None when it cannot be used."""
    obs = entry.resource
    assert isinstance(obs, Observation)
    where = entry.path
    if str(obs.status) in _UNUSABLE:
        notes.append(f"{where}: status '{obs.status}'; the result was set aside")
        return None
    on, problem = _effective(obs)
    if problem:
        notes.append(f"{where}.effectiveDateTime: {problem}; the result is treated as undated")
    loinc = [str(c.code) for c in obs.code.coding or [] if c.system == LOINC and c.code]
    if GESTATIONAL_AGE_LOINC.intersection(loinc):
        return _gestation(entry, on, notes)
    test = _test_name(obs, loinc, kb)
    if test is None:
        notes.append(f"{where}.code: '{_code_label(obs)}' is not a test alkphos knows; set aside")
        return None
    quantity = obs.valueQuantity
    if quantity is None or quantity.value is None:
        notes.append(f"{where}: no valueQuantity (only numeric results are read); set aside")
        return None
    if quantity.comparator:
        notes.append(
            f"{where}.valueQuantity: '{quantity.comparator}{quantity.value}' is a bound, "
            "not a value; set aside"
        )
        return None
    unit = _unit(quantity)
    result: dict[str, Any] = {"test": test, "value": float(quantity.value)}
    if unit:
        result["unit"] = unit
    if on is not None:
        result["date"] = on.isoformat()
    result.update(_limits(entry, obs, unit, notes))
    return Reading(path=where, on=on, result=result)


def _test_name(obs: Observation, loinc: list[str], kb: Knowledge) -> str | None:
    """The test as a name the knowledge base resolves: the sender's words when they name the
    same analyte as the LOINC code, else the analyte's own name."""
    analyte = next((a for code in loinc if (a := kb.find_analyte(code))), None)
    names = [str(n) for n in (obs.code.text, *(c.display for c in obs.code.coding or [])) if n]
    for name in names:
        found = kb.find_analyte(name)
        if found is not None and analyte in (None, found):
            return name
    return kb.analytes[analyte].name if analyte else None


def _gestation(entry: Entry, on: date | None, notes: list[str]) -> Reading | None:
    obs = entry.resource
    assert isinstance(obs, Observation)
    quantity = obs.valueQuantity
    factor = _WEEKS.get(_unit(quantity) or "wk") if quantity else None
    if quantity is None or quantity.value is None or factor is None:
        notes.append(f"{entry.path}: a gestational age without a value in weeks or days; unused")
        return None
    return Reading(path=entry.path, on=on, gestational_weeks=float(quantity.value) * factor)


def _effective(obs: Observation) -> tuple[date | None, str | None]:
    value: object = obs.effectiveDateTime or obs.effectiveInstant
    if value is None and obs.effectivePeriod is not None:
        value = obs.effectivePeriod.start
    if value is None:
        value = obs.issued
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if value is None:
        return None, None
    return None, f"'{value}' is not a full date"


def _unit(quantity: Quantity | None) -> str | None:
    if quantity is None:
        return None
    if quantity.code and (quantity.system in (None, UCUM)):
        return str(quantity.code)
    return str(quantity.unit) if quantity.unit else None


def _limits(entry: Entry, obs: Observation, unit: str | None, notes: list[str]) -> dict[str, float]:
    """The laboratory's normal range without conditions, if the Observation gives one (a
    note says when it gives ranges but none of them is one)."""
    ranges = obs.referenceRange or []
    for index, interval in enumerate(ranges):
        if interval.appliesTo or interval.age:
            continue
        if interval.type and not any(c.code == "normal" for c in interval.type.coding or []):
            continue
        limits: dict[str, float] = {}
        for name, bound in (("reference_low", interval.low), ("reference_high", interval.high)):
            if bound is None or bound.value is None:
                continue
            bound_unit = _unit(bound)
            if bound_unit and unit and bound_unit != unit:
                notes.append(
                    f"{entry.path}.referenceRange[{index}]: limits in '{bound_unit}', the value "
                    f"in '{unit}'; the laboratory's limits were not used"
                )
                return {}
            limits[name] = float(bound.value)
        return limits
    if ranges:
        notes.append(
            f"{entry.path}.referenceRange: only ranges for a population (appliesTo, age) or of "
            "another type than 'normal'; the knowledge base's interval was used instead"
        )
    return {}


def _code_label(obs: Observation) -> str:
    for coding in obs.code.coding or []:
        if coding.code:
            system = f"{coding.system}|" if coding.system else ""
            display = f" {coding.display}" if coding.display else ""
            return f"{system}{coding.code}{display}"
    return str(obs.code.text or "no code")
