"""``--explain``: each worklist person's full interpretation, by the per-patient engine.

A person's rows are fetched set-wise (one query for the whole worklist), then turned into
a case in the contract's form, one person at a time: every result alkphos knows (not only
ALP), the medicines taken around the low results, and the findings the recorded
conditions mean. Rows the screen would reject are set aside with the reason, so the case
holds what the screen used. The same builder feeds the parity test.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import ibis  # type: ignore[import-untyped]  # noqa: TID253 - screening only

from alkphos.adapters.case_json import parse_case
from alkphos.errors import AlkphosError
from alkphos.facts import gather_facts
from alkphos.knowledge.age import Age
from alkphos.knowledge.codes import family
from alkphos.knowledge.loader import Knowledge
from alkphos.knowledge.schema import ScreeningRule
from alkphos.rules.secondary import window_start
from alkphos.rules.series import alp_series
from alkphos.screening.engines import Engine
from alkphos.screening.inputs import Sources
from alkphos.screening.outputs import Tables, write_json
from alkphos.screening.tables import AGE_LIMIT_YEARS, code_key, condition_name_index, name_key
from alkphos.screening.vocabulary import Vocabulary
from alkphos.units import normalise_spelling

__all__ = ["PersonData", "build_case", "explain_worklist", "fetch_people"]

_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class PersonData:
    """Everything the sources hold about one person, as plain Python rows."""

    person_id: Any
    birth_date: date | None
    sex: str
    measurements: list[dict[str, Any]]
    medications: list[dict[str, Any]]
    conditions: list[dict[str, Any]]


def fetch_people(
    engine: Engine, sources: Sources, person_ids: Sequence[Any], vocabulary: Vocabulary | None
) -> list[PersonData]:
    """Fetch the rows of these persons (three small queries), in the order given.

    OMOP units are read as screening reads them (``vocabulary``): a unit concept some
    screening analyte accepts, else the source text; the UCUM code of another unit concept
    only when there is no text.
    """
    if not person_ids:
        return []
    ids = list(person_ids)
    m = sources.measurements.filter(sources.measurements.person_id.isin(ids))
    if sources.concepts is not None:
        c = sources.concepts
        loinc = c.filter(c.vocabulary == "LOINC").select(t_id=c.concept_id, t_code=c.code)
        ucum = c.filter(c.vocabulary == "UCUM").select(u_id=c.concept_id, u_code=c.code)
        m = m.left_join(loinc, m.concept_id == loinc.t_id).left_join(
            ucum, m.unit_concept_id == ucum.u_id
        )
        codes = vocabulary.unit_codes if vocabulary is not None else {}
        accepted = m.unit_concept_id.substitute(codes, else_=ibis.null("string"))
        m = m.mutate(
            test=m.t_code.fill_null(m.test),
            unit=accepted.fill_null(m.unit_text).fill_null(m.u_code),
        )
    else:
        m = m.mutate(unit=m.unit_text)
    m = m.select("person_id", "row_id", "test", "value", "unit", "date", "range_low", "range_high")
    people = sources.persons.filter(sources.persons.person_id.isin(ids))
    by_person: dict[Any, dict[str, Any]] = {
        row["person_id"]: row for row in engine.to_arrow(people).to_pylist()
    }
    grouped: dict[str, dict[Any, list[dict[str, Any]]]] = {}
    tables = {"measurements": m}
    if sources.medications is not None:
        tables["medications"] = sources.medications.filter(sources.medications.person_id.isin(ids))
    if sources.conditions is not None:
        tables["conditions"] = sources.conditions.filter(sources.conditions.person_id.isin(ids))
    for name, expr in tables.items():
        rows: dict[Any, list[dict[str, Any]]] = {}
        for row in engine.to_arrow(expr).to_pylist():
            rows.setdefault(row["person_id"], []).append(row)
        grouped[name] = rows
    found = []
    for pid in ids:
        person = by_person.get(pid, {})
        found.append(
            PersonData(
                person_id=pid,
                birth_date=person.get("birth_date"),
                sex=person.get("sex") or "unknown",
                measurements=_sorted(grouped["measurements"].get(pid, [])),
                medications=grouped.get("medications", {}).get(pid, []),
                conditions=grouped.get("conditions", {}).get(pid, []),
            )
        )
    return found


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(
        rows,
        key=lambda r: (
            r["date"] or date.min,
            str(r["test"]),
            r["value"] if r["value"] is not None else -1.0,
            r["row_id"] if r["row_id"] is not None else -1,
        ),
    )


def build_case(
    kb: Knowledge, person: PersonData, as_of: date, first_low: date | None = None
) -> tuple[dict[str, Any], list[str]]:
    """The person's case in the contract's form, and the rows set aside (with reasons).

    ``first_low`` (the first low ALP) anchors the windows of medicines and conditions; when
    not given, the per-patient engine's own series gives it.
    """
    results, set_aside = _results(kb, person, as_of)
    patient: dict[str, Any] = {"sex": person.sex}
    if person.birth_date is not None:
        patient["birth_date"] = person.birth_date.isoformat()
    case: dict[str, Any] = {"patient": patient, "results": results}
    if first_low is None and results:
        first_low = _first_low(kb, case, as_of)
    rules = list(kb.screening.values())
    drug_rules = [r for r in rules if r.kind == "drug_class"]
    case["medications"] = _medications(person.medications, drug_rules, first_low, as_of)
    case["findings"] = _findings(kb, person.conditions, rules, first_low, as_of)
    if not results:
        set_aside.append("no usable result: the case cannot be interpreted")
    return case, set_aside


def _first_low(kb: Knowledge, case: dict[str, Any], as_of: date) -> date | None:
    try:
        series = alp_series(gather_facts(parse_case(case), kb, as_of))
    except AlkphosError:
        return None
    return series.first_low.when if series and series.first_low else None


def _results(
    kb: Knowledge, person: PersonData, as_of: date
) -> tuple[list[dict[str, Any]], list[str]]:
    results: list[dict[str, Any]] = []
    set_aside: list[str] = []
    seen: set[tuple[Any, ...]] = set()
    unknown = later = 0
    for row in person.measurements:
        analyte = kb.find_analyte(str(row["test"])) if row["test"] is not None else None
        if analyte is None:
            unknown += 1
            continue
        reason = _problem(kb, person, row, analyte, as_of)
        label = f"{row['test']} {row['value']} {row['unit']} on {row['date']}"
        if reason == "after as-of date":
            later += 1
            continue
        if reason is not None:
            set_aside.append(f"{label}: {reason}")
            continue
        factor = kb.unit_index[analyte][normalise_spelling(row["unit"])].factor
        low, high = _range(row)
        key = (analyte, row["date"], _tidy(row["value"] * factor), low, high)
        if key in seen:
            set_aside.append(f"{label}: duplicate")
            continue
        seen.add(key)
        result: dict[str, Any] = {
            "test": str(row["test"]),
            "value": float(row["value"]),
            "unit": row["unit"],
            "date": row["date"].isoformat(),
        }
        if low is not None:
            result["reference_low"] = low
        if high is not None:
            result["reference_high"] = high
        results.append(result)
    if later:
        set_aside.append(f"{later} rows dated after the as-of date {as_of.isoformat()}")
    if unknown:
        set_aside.append(f"{unknown} rows of tests alkphos does not know")
    return results, set_aside


def _range(row: Mapping[str, Any]) -> tuple[float | None, float | None]:
    low, high = row["range_low"], row["range_high"]
    if (low or 0) == 0 and (high or 0) == 0:
        return None, None
    return low, high


def _problem(
    kb: Knowledge, person: PersonData, row: Mapping[str, Any], analyte: str, as_of: date
) -> str | None:
    when: date | None = row["date"]
    if when is None:
        return "no date"
    if when > as_of:
        return "after as-of date"
    birth = person.birth_date
    if birth is not None and (
        when < birth or Age.between(birth, when).years >= AGE_LIMIT_YEARS + 1
    ):
        return "impossible age"
    if row["value"] is None:
        return "no value"
    conversion = kb.unit_index[analyte].get(normalise_spelling(row["unit"] or "\0"))
    if row["unit"] is None or conversion is None:
        return "unknown unit"
    bounds = kb.analytes[analyte].plausible
    if not bounds.low <= _tidy(row["value"] * conversion.factor) <= bounds.high:
        return "implausible value"
    low, high = _range(row)
    if (low is not None and low < 0) or (high is not None and high < 0):
        return "implausible range"
    if low is not None and high is not None and low > high:
        return "implausible range"
    return None


def _tidy(value: float) -> float:
    return float(f"{value:.6g}")


def _lookback(rules: Iterable[ScreeningRule]) -> int | None:
    days = [r.lookback_days for r in rules]
    return None if not days or None in days else max(d for d in days if d is not None)


def _medications(
    rows: list[dict[str, Any]], drug_rules: list[ScreeningRule], first_low: date | None, as_of: date
) -> list[str]:
    lookback = _lookback(drug_rules)
    start = None if lookback is None else (first_low or as_of) - timedelta(days=lookback)
    taken: list[str] = []
    for row in sorted(rows, key=lambda r: (r["start_date"] or date.min, r["drug"] or "")):
        began, ended = row["start_date"], row["end_date"]
        if row["drug"] is None or (began is not None and began > as_of):
            continue
        last = max(ended or as_of, began) if began else None  # undated: counts (listed)
        if (start is None or last is None or last >= start) and row["drug"] not in taken:
            taken.append(row["drug"])
    return taken


def _findings(
    kb: Knowledge,
    rows: list[dict[str, Any]],
    rules: list[ScreeningRule],
    first_low: date | None,
    as_of: date,
) -> list[str]:
    conditions = [r for r in rules if r.kind == "condition"]
    excluders = [r for r in conditions if r.role == "exclude"]
    owner = {f: r for r in excluders for f in r.findings}
    by_cause = {r.cause: r for r in excluders if r.cause}
    names = condition_name_index(kb)
    found: list[str] = []
    for row in rows:
        for finding, cause in _meanings(kb, names, row):
            rule = owner.get(finding or "") or by_cause.get(cause or "")
            chosen = finding or (rule.findings[0] if rule else None)
            if chosen is None or chosen in found:
                continue
            when: date | None = row["date"]
            if rule is not None and rule.lookback_days is not None:
                start = window_start(rule, first_low, as_of)
                inside = when is not None and start is not None and start <= when <= as_of
            else:
                inside = when is None or when <= as_of
            if inside:
                found.append(chosen)
    return found


def _meanings(
    kb: Knowledge, names: Mapping[str, tuple[str | None, str | None]], row: Mapping[str, Any]
) -> list[tuple[str | None, str | None]]:
    meanings: list[tuple[str | None, str | None]] = []
    code, system = row.get("code"), row.get("system")
    if code:
        key = code_key(code)
        matches = [
            c
            for c in kb.codes
            if (system is None or family(c.system) == system)
            and (code_key(c.code) == key or (c.descendants and key.startswith(code_key(c.code))))
        ]
        if matches:
            longest = max(len(code_key(c.code)) for c in matches)
            meanings += [(c.finding, c.cause) for c in matches if len(code_key(c.code)) == longest]
    if row.get("name"):
        hit = names.get(name_key(row["name"]))
        if hit is not None:
            meanings.append(hit)
    return meanings


def explain_worklist(
    engine: Engine,
    sources: Sources,
    vocabulary: Vocabulary | None,
    kb: Knowledge,
    tables: Tables,
    as_of: date,
    folder: Path,
) -> int:
    """Write ``<person_id>.json`` for every worklist person; return how many were written."""
    from alkphos.engine import interpret

    folder.mkdir(parents=True, exist_ok=True)
    worklist = tables.worklist.to_pylist()
    people = fetch_people(engine, sources, [row["person_id"] for row in worklist], vocabulary)
    for row, person in zip(worklist, people, strict=True):
        case, set_aside = build_case(kb, person, as_of, row["first_low_date"])
        record: dict[str, Any] = {
            "person_id": row["person_id"],
            "rank": row["rank"],
            "why": row["why"],
            "as_of": as_of.isoformat(),
            "case": case,
            "set_aside": set_aside,
        }
        try:
            record["interpretation"] = interpret(case, as_of=as_of, kb=kb).model_dump(mode="json")
        except AlkphosError as exc:
            record["error"] = str(exc)
        name = _SAFE.sub("_", str(row["person_id"])) or "person"
        write_json(folder / f"{row['rank']:05d}-{name}.json", record)
    return len(worklist)
