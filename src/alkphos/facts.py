"""Turn a case into facts the rules read: analytes resolved, units converted, ages and
pregnancy weeks computed per result date, intervals chosen, medicines and findings coded.

Input that cannot be read raises ``InputError``; input that is readable but unknown (a test,
a medicine or a finding alkphos does not know) is kept in ``not_understood`` with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

from alkphos.errors import InputError, UnitError, close_spelling, closest
from alkphos.knowledge.age import DAYS_PER_YEAR, Age
from alkphos.knowledge.loader import Knowledge
from alkphos.model.case import Case, LabResult
from alkphos.rules.intervals import Interval, check_limit, knowledge_interval, status_of
from alkphos.units import normalise_spelling

__all__ = ["AGE_LIMIT_YEARS", "Facts", "Measurement", "code_medications", "gather_facts"]

Status = Literal["low", "normal", "high", "unknown"]
# A plausibility bound, not a clinical threshold (the oldest verified human lived to 122):
# an age over this many whole years means a wrong birth date. Screening uses the same bound.
AGE_LIMIT_YEARS = 130
_AGE_TOLERANCE_YEARS = 1.0


@dataclass(frozen=True, slots=True)
class Measurement:
    """One understood result, in its analyte's canonical unit."""

    index: int
    test: str
    analyte: str
    value: float
    reported_value: float
    reported_unit: str
    factor: float
    on: date | None
    when: date
    age: Age | None
    pregnancy_weeks: float | None
    postpartum_weeks: float | None
    interval: Interval | None
    status: Status
    fasting: bool | None
    detectable: bool = True
    """False when the value rounds to zero at the analyte's reporting precision (below
    detection): it still has a status, but no ratio divides by it."""


@dataclass(frozen=True)
class Facts:
    """Everything the rules need to know about one case."""

    kb: Knowledge
    case: Case
    as_of: date
    sex: str
    measurements: tuple[Measurement, ...]
    by_analyte: Mapping[str, tuple[Measurement, ...]]
    drugs: tuple[str, ...]
    drug_classes: frozenset[str]
    findings: frozenset[str]
    not_understood: tuple[str, ...]
    converted: tuple[Measurement, ...] = field(default=())
    set_aside: tuple[str, ...] = field(default=())
    """Results set aside as implausible (a data error), each named with its value."""

    def latest(self, analyte: str) -> Measurement | None:
        """The most recent result of an analyte (by date, then by input order)."""
        series = self.by_analyte.get(analyte)
        return series[-1] if series else None

    def same_day(self, analyte: str, on: date) -> Measurement | None:
        """The last result of an analyte collected on a given day."""
        for measurement in reversed(self.by_analyte.get(analyte, ())):
            if measurement.when == on:
                return measurement
        return None


def gather_facts(case: Case, kb: Knowledge, as_of: date) -> Facts:
    """Resolve, convert and judge every result of ``case`` as of ``as_of``.

    Raises:
        InputError: a value, unit, date or age that cannot be interpreted.
    """
    dates = [_result_date(i, r) for i, r in enumerate(case.results)]
    for index, on in enumerate(dates):
        if on is not None and on > as_of:
            raise InputError(
                f"results[{index}].date",
                f"{on.isoformat()} is after the as-of date {as_of.isoformat()}",
                "a date on or before the as-of date",
            )
    reference = max((d for d in dates if d is not None), default=as_of)
    _check_ages(case, reference)
    not_understood: list[str] = []
    set_aside: list[str] = []
    measurements: list[Measurement] = []
    for index, result in enumerate(case.results):
        analyte = kb.find_analyte(result.test)
        if analyte is None:
            names = [a.name for a in kb.analytes.values()] + [
                alias for a in kb.analytes.values() for alias in a.aliases
            ]
            hint = closest(result.test, names)
            suggestion = f" (did you mean '{hint}'?)" if hint else ""
            not_understood.append(
                f"results[{index}].test: '{result.test}' is not a test alkphos knows; "
                f"this result was set aside{suggestion}"
            )
            continue
        try:
            measurement = _measure(
                kb, case, index, result, analyte, dates[index] or reference, reference
            )
        except ImplausibleValue as exc:
            if analyte == "alp":
                raise
            not_understood.append(
                f"{exc.path}: {exc.problem} ({exc.accepted}); this result was set aside"
            )
            set_aside.append(f"{result.test} {result.value:g} {result.unit or ''}".strip())
            continue
        if not measurement.detectable:
            not_understood.append(_below_detection(kb, measurement))
        if measurement.status == "unknown":
            not_understood.append(_without_limits(kb, measurement))
        measurements.append(measurement)
    measurements.sort(key=lambda m: (m.when, m.index))
    by_analyte: dict[str, list[Measurement]] = {}
    for measurement in measurements:
        by_analyte.setdefault(measurement.analyte, []).append(measurement)
    _check_order(kb, by_analyte)
    drugs, drug_notes = code_medications(kb, case.medications)
    findings, finding_notes = _code_findings(kb, case.findings)
    classes = frozenset(c for drug in drugs for c in kb.drugs[drug].classes)
    return Facts(
        kb=kb,
        case=case,
        as_of=as_of,
        sex=case.patient.sex,
        measurements=tuple(measurements),
        by_analyte={key: tuple(value) for key, value in by_analyte.items()},
        drugs=drugs,
        drug_classes=classes,
        findings=findings,
        not_understood=(*not_understood, *drug_notes, *finding_notes),
        converted=tuple(m for m in measurements if m.factor != 1.0),
        set_aside=tuple(set_aside),
    )


def _unit_meant(kb: Knowledge, unit: str, accepted: list[str]) -> str | None:
    """The accepted unit a wrong one misspells; none when it is a real unit of another kind
    (mg/dL for ALP is a mass concentration, not a misspelt mU/mL)."""
    key = normalise_spelling(unit)
    if any(key in units for units in kb.unit_index.values()):
        return None
    return closest(unit, accepted)


def _check_order(kb: Knowledge, by_analyte: Mapping[str, list[Measurement]]) -> None:
    """Two or more results of one test need dates: their order would otherwise be guessed
    from the order of the rows, and with it the latest value, the trend and persistence."""
    for analyte, series in by_analyte.items():
        undated = sorted(m.index for m in series if m.on is None)
        if len(series) > 1 and undated:
            where = ", ".join(f"results[{i}]" for i in undated)
            raise InputError(
                f"results[{undated[0]}].date",
                f"{len(series)} {kb.analytes[analyte].name} results, and {where} "
                f"{'has' if len(undated) == 1 else 'have'} no date, "
                "so which is the latest cannot be told",
                "a date on every result of a test given more than once",
            )


def _result_date(index: int, result: LabResult) -> date | None:
    try:
        return result.collected_on
    except ValueError as exc:  # pragma: no cover - the model already checked the format
        raise InputError(f"results[{index}].date", "not a date", "ISO 8601") from exc


def _check_ages(case: Case, reference: date) -> None:
    patient = case.patient
    if patient.birth_date is None:
        return
    if patient.birth_date > reference:
        raise InputError(
            "patient.birth_date",
            f"{patient.birth_date.isoformat()} is after the latest result",
            "a birth date before the results",
        )
    age = Age.between(patient.birth_date, reference)
    if age.years >= AGE_LIMIT_YEARS + 1:
        raise InputError(
            "patient.birth_date",
            f"gives an age of {int(age.years)} years at the latest result",
            f"an age of {AGE_LIMIT_YEARS} years or less",
        )
    given = patient.age_years
    if given is not None and abs(given - age.years) > _AGE_TOLERANCE_YEARS:
        raise InputError(
            "patient.age_years",
            f"{given:g} does not match birth_date, which gives {age.years:.1f} years "
            "at the latest result",
            "give one of them, or both consistent",
        )


def _measure(
    kb: Knowledge,
    case: Case,
    index: int,
    result: LabResult,
    analyte_id: str,
    when: date,
    reference: date,
) -> Measurement:
    analyte = kb.analytes[analyte_id]
    path = f"results[{index}]"
    units = kb.unit_index[analyte_id]
    reported_unit = result.unit if result.unit is not None else analyte.unit
    conversion = units.get(normalise_spelling(reported_unit))
    if conversion is None:
        accepted = kb.accepted_units(analyte_id)
        raise UnitError(
            f"{path}.unit",
            f"unknown unit '{reported_unit}' for {analyte.name}",
            "accepted: " + ", ".join(accepted),
            suggestion=_unit_meant(kb, reported_unit, accepted),
        )
    if result.value < 0:
        raise InputError(f"{path}.value", f"negative value {result.value:g}", "0 or more")
    value = _tidy(result.value * conversion.factor)
    bounds = analyte.plausible
    if not bounds.low <= value <= bounds.high:
        raise ImplausibleValue(
            f"{path}.value",
            f"implausible {analyte.name} of {result.value:g} {reported_unit}",
            f"plausible: {bounds.low:g} to {bounds.high:g} {analyte.unit}",
        )
    patient = case.patient
    age = _age_at(case, index, when, reference)
    back_weeks = (reference - when).days / 7
    pregnancy = None
    if patient.pregnancy_weeks is not None and patient.pregnancy_weeks - back_weeks >= 0:
        pregnancy = patient.pregnancy_weeks - back_weeks
    postpartum = None
    if patient.postpartum_weeks is not None and patient.postpartum_weeks - back_weeks >= 0:
        postpartum = patient.postpartum_weeks - back_weeks
    interval = _interval(
        kb,
        path,
        result,
        analyte_id,
        conversion.factor,
        age,
        patient.sex,
        pregnancy,
        patient.menopause,
    )
    return Measurement(
        index=index,
        test=result.test,
        analyte=analyte_id,
        value=value,
        reported_value=result.value,
        reported_unit=reported_unit,
        factor=conversion.factor,
        on=result.collected_on,
        when=when,
        age=age,
        pregnancy_weeks=pregnancy,
        postpartum_weeks=postpartum,
        interval=interval,
        status=status_of(value, interval),  # type: ignore[arg-type]
        fasting=result.fasting,
        detectable=analyte.detectable(value),
    )


class ImplausibleValue(InputError):
    """A value outside its analyte's plausible bounds (a data error, not a measurement)."""


def _below_detection(kb: Knowledge, measurement: Measurement) -> str:
    analyte = kb.analytes[measurement.analyte]
    step = f"{analyte.step:.{analyte.decimals}f} {analyte.unit}"
    return (
        f"results[{measurement.index}].value: {measurement.reported_value:g} "
        f"{measurement.reported_unit} is below the smallest step {analyte.name} is reported in "
        f"({step}); it was read as below detection (< {step}) and no ratio divides by it"
    )


def _without_limits(kb: Knowledge, measurement: Measurement) -> str:
    """A result with no limit to judge it by is said to be unused, never silently unknown."""
    name = kb.analytes[measurement.analyte].name
    return (
        f"results[{measurement.index}]: {name} {measurement.reported_value:g} "
        f"{measurement.reported_unit} was not used: the laboratory gave no reference limits and "
        "alkphos has none for this test at this age, so it cannot say whether it is normal"
    )


def _age_at(case: Case, index: int, when: date, reference: date) -> Age | None:
    patient = case.patient
    if patient.birth_date is not None:
        if when < patient.birth_date:
            raise InputError(
                f"results[{index}].date",
                f"{when.isoformat()} is before the birth date {patient.birth_date.isoformat()}",
                "a date on or after birth_date",
            )
        return Age.between(patient.birth_date, when)
    if patient.age_years is None:
        return None
    years = patient.age_years - (reference - when).days / DAYS_PER_YEAR
    if years < 0:
        raise InputError(
            "patient.age_years",
            f"{patient.age_years:g} makes a result dated {when.isoformat()} older than the patient",
            "an age at the most recent result that fits every result date",
        )
    return Age.from_years(years)


def _interval(
    kb: Knowledge,
    path: str,
    result: LabResult,
    analyte: str,
    factor: float,
    age: Age | None,
    sex: str,
    pregnancy_weeks: float | None,
    menopause: str | None,
) -> Interval | None:
    built_in = knowledge_interval(kb, analyte, age, sex, pregnancy_weeks, menopause)
    low, high = result.reference_low, result.reference_high
    known = kb.analytes[analyte]
    for name, limit in (("reference_low", low), ("reference_high", high)):
        if limit is not None:
            check_limit(f"{path}.{name}", limit, factor, known)
    if high is not None and not known.detectable(high * factor):
        raise InputError(
            f"{path}.reference_high",
            f"{high:g} is below the smallest step {known.name} is reported in",
            f"an upper limit of at least {known.step:g} {known.unit}",
        )
    if low is not None and high is not None and low > high:
        raise InputError(
            f"{path}.reference_low",
            f"{low:g} is above reference_high {high:g}",
            "a lower limit below the upper limit",
        )
    if low is None and high is None:
        return built_in
    if pregnancy_weeks is not None and analyte == "alp" and built_in is not None:
        # Labs report non-pregnant limits; placental ALP makes them wrong in pregnancy.
        return replace(
            built_in,
            basis=built_in.basis + "; used instead of the laboratory's non-pregnancy limits",
        )
    basis = "Reporting laboratory's own limits"
    partial = built_in is not None and (low is None or high is None)
    if built_in is not None and partial:
        missing = "lower" if low is None else "upper"
        where = (
            f"the laboratory's intervals file ({built_in.basis})"
            if built_in.source == "laboratory file"
            else "the knowledge base"
        )
        basis += f"; {missing} limit from {where}"
    return Interval(
        low=_tidy(low * factor) if low is not None else (built_in.low if built_in else None),
        high=_tidy(high * factor) if high is not None else (built_in.high if built_in else None),
        unit=kb.analytes[analyte].unit,
        basis=basis,
        source="laboratory",
        citations=built_in.citations if built_in is not None and partial else (),
        local=built_in.local if built_in is not None and partial else (),
    )


def _tidy(value: float) -> float:
    return float(f"{value:.6g}")


_WORD = re.compile(r"[a-z0-9][a-z0-9'\-]*")
# Several medicines on one line: "calcium carbonate and vitamin D3", "pred + alendronate".
_SEPARATORS = re.compile(r"\s+(?:and|with|plus)\s+|\s*[,;+&]\s*", re.IGNORECASE)


def code_medications(kb: Knowledge, names: list[str]) -> tuple[tuple[str, ...], list[str]]:
    """The drugs the entered medicine names are (ids, in order) and a note for each name
    or part of a name that is not a known medicine."""
    drugs: list[str] = []
    notes: list[str] = []
    choices = [d.name for d in kb.drugs.values()] + [
        b for d in kb.drugs.values() for b in (*d.brands, *d.aliases)
    ]
    for index, name in enumerate(names):
        whole = kb.find_drug(name)
        parts = [name] if whole else [p for p in _SEPARATORS.split(name) if p.strip()]
        coded = [(part, kb.find_drug(part) or _match_words(part, kb.find_drug)) for part in parts]
        if not any(drug for _, drug in coded):
            coded = [(name, _match_words(name, kb.find_drug))]
        for part, drug in coded:
            if drug is None:
                hint = _misspelt_medicine(part, choices)
                suggestion = f" (did you mean '{hint}'? not assumed)" if hint else ""
                what = f"'{name}'" if part == name else f"'{part}' in '{name}'"
                notes.append(
                    f"medications[{index}]: {what} is not a medicine alkphos knows; "
                    f"its effect on ALP was not considered{suggestion}"
                )
            elif drug not in drugs:
                drugs.append(drug)
    return tuple(drugs), notes


def _misspelt_medicine(text: str, choices: list[str]) -> str | None:
    """The known medicine ``text`` (or one of its words) misspells, if any; only a hint for
    the note, never taken as the medicine itself."""
    words = [w for w in _WORD.findall(text.lower()) if len(w) >= 4]
    for candidate in (text, *words):
        hint = close_spelling(candidate, choices)
        if hint is not None:
            return hint
    return None


def _code_findings(kb: Knowledge, names: list[str]) -> tuple[frozenset[str], list[str]]:
    findings: set[str] = set()
    notes: list[str] = []
    for index, name in enumerate(names):
        finding = kb.find_finding(name)
        if finding is None:
            hint = closest(name, list(kb.findings))
            suggestion = f" (did you mean '{hint}'?)" if hint else ""
            notes.append(
                f"findings[{index}]: '{name}' is kept as free text; the rules do not use it"
                f"{suggestion}"
            )
        else:
            findings.add(finding)
    return frozenset(findings), notes


def _match_words(text: str, find: Callable[[str], str | None]) -> str | None:
    """Match a medicine written with a dose or form ('alendronate 70 mg weekly')."""
    words = _WORD.findall(text.lower())
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            found = find(" ".join(words[start : start + size]))
            if found is not None:
                return found
    return None
