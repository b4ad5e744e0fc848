"""The knowledge base as small lookup tables that screening joins against.

Every threshold, interval, unit factor, name and code the set-wise rules use comes from
here, built once from the same ``Knowledge`` the per-patient engine reads. Reference
intervals (a laboratory intervals file's too, where one is in use: its digest is part of
the knowledge version the tables are cached by) are expanded to one row per (analyte, sex,
age key) by asking the engine's own ``knowledge_interval``, so screening and ``interpret``
cannot pick different limits:

* age key ``-1``: age unknown (no birth date) - the engine then assumes adult limits;
* ``0..366``: days since birth in the first year of life;
* ``1000 + n``: ``n`` whole years (n >= 1), up to 130.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from inspect import getfile
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]  # noqa: TID253 - screening only

from alkphos.cache import cache_dir, digest, read_cached, write_cached
from alkphos.errors import InputError, KnowledgeError
from alkphos.facts import AGE_LIMIT_YEARS
from alkphos.knowledge.age import DAYS_PER_YEAR, Age
from alkphos.knowledge.codes import family
from alkphos.knowledge.loader import Knowledge
from alkphos.knowledge.local import LocalInterval
from alkphos.knowledge.names import name_candidates
from alkphos.knowledge.schema import AgeBound, ReferenceInterval, ScreeningRule
from alkphos.rules.intervals import knowledge_interval

__all__ = [
    "AGE_LIMIT_YEARS",
    "FIRST_YEAR_DAYS",
    "KEY_SPAN",
    "SEXES",
    "YEAR_KEY_BASE",
    "KnowledgeTables",
    "code_key",
    "condition_name_index",
    "drug_token",
    "name_key",
]

FIRST_YEAR_DAYS = 366
YEAR_KEY_BASE = 1000
KEY_SPAN = 2000  # age keys run from -1 to YEAR_KEY_BASE + AGE_LIMIT_YEARS
SEXES = ("female", "male", "unknown")
_BUILT: dict[str, KnowledgeTables] = {}


def name_key(text: str) -> str:
    """How a name is matched: trimmed, lower case, single spaces (as the engine does)."""
    return " ".join(text.strip().lower().replace("’", "'").split())


@dataclass(frozen=True)
class KnowledgeTables:
    """Arrow tables built from the knowledge base, plus the numbers the rules need."""

    analytes: tuple[str, ...]
    intervals: pa.Table  # analyte, sex, age_key -> ref_low, ref_high
    drug_names: pa.Table  # token -> drug, drug_class (exclusion classes only)
    drug_codes: pa.Table  # code -> drug, drug_class
    codes: pa.Table  # system (its family), code_key, descendants, length -> finding, cause
    condition_names: pa.Table  # key -> finding, cause
    condition_rules: pa.Table  # rule, finding | cause (condition rules)
    rules: pa.Table  # every screening rule: kind, what it matches, its window, its label
    exclusions: tuple[ScreeningRule, ...]
    ranking: tuple[ScreeningRule, ...]
    analyte_codes: dict[str, int]  # analyte -> small integer (interval keys)
    sex_codes: dict[str, int]
    name_map: dict[str, str]  # name key -> analyte
    plain_map: dict[str, str]  # punctuation-free name or core key -> analyte (knowledge.names)
    loinc_codes: dict[str, tuple[str, ...]]  # analyte -> LOINC codes
    unit_map: dict[str, dict[str, float]]  # analyte -> unit key -> factor
    canonical_units: dict[str, str]
    plausible_low: dict[str, float]
    plausible_high: dict[str, float]
    accepted_units: dict[str, str]  # analyte -> "accepted: U/L, IU/L, ..."
    plausible_range: dict[str, str]  # analyte -> "plausible: 0 to 20000 U/L"

    @classmethod
    def build(cls, kb: Knowledge) -> KnowledgeTables:
        """The tables for ``kb``: built once per knowledge version and kept on disk beside
        the knowledge-base cache (building them costs a second; loading, milliseconds)."""
        cached = _BUILT.get(kb.version)
        if cached is None:
            cached = _BUILT[kb.version] = _load_or_build(cls, kb)
        return cached

    @classmethod
    def _build(cls, kb: Knowledge) -> KnowledgeTables:
        """Build every table from ``kb``.

        Raises:
            KnowledgeError: an interval bound screening cannot express (a year bound that is
                not a whole number, or a day bound of a year or more).
        """
        rules = tuple(kb.screening.values())
        exclusions = tuple(r for r in rules if r.role == "exclude")
        ranking = tuple(r for r in rules if r.role == "rank")
        analytes = tuple(
            dict.fromkeys(["alp", *(r.analyte for r in rules if r.kind == "lab" and r.analyte)])
        )
        return cls(
            analytes=analytes,
            intervals=_intervals(kb, analytes),
            drug_names=_drug_names(kb, rules),
            drug_codes=_table(
                {"code": str, "drug": str, "drug_class": str},
                [
                    (code, drug.id, cls_)
                    for drug in kb.drugs.values()
                    for cls_ in _classes(drug.classes, rules)
                    for code in drug.rxnorm
                ],
            ),
            codes=_table(
                {
                    "system": str,
                    "code_key": str,
                    "descendants": bool,
                    "length": int,
                    "finding": str,
                    "cause": str,
                },
                [
                    (
                        family(c.system),
                        code_key(c.code),
                        c.descendants,
                        len(code_key(c.code)),
                        c.finding,
                        c.cause,
                    )
                    for c in kb.codes
                ],
            ),
            condition_names=_condition_names(kb),
            condition_rules=_table(
                {"rule": str, "finding": str, "cause": str},
                [
                    row
                    for r in exclusions + ranking
                    if r.kind == "condition"
                    for row in [
                        *(((r.id, None, r.cause),) if r.cause else ()),
                        *((r.id, f, None) for f in r.findings),
                    ]
                ],
            ),
            rules=_rules(kb, rules),
            exclusions=exclusions,
            ranking=ranking,
            analyte_codes={a: i for i, a in enumerate(analytes)},
            sex_codes={sex: i for i, sex in enumerate(SEXES)},
            name_map={key: a for key, a in kb.analyte_index.items() if a in analytes},
            plain_map={key: a for key, a in kb.analyte_plain.items() if a in analytes},
            loinc_codes={a: tuple(kb.analytes[a].loinc) for a in analytes},
            unit_map={a: {key: c.factor for key, c in kb.unit_index[a].items()} for a in analytes},
            canonical_units={a: kb.analytes[a].unit for a in analytes},
            plausible_low={a: kb.analytes[a].plausible.low for a in analytes},
            plausible_high={a: kb.analytes[a].plausible.high for a in analytes},
            accepted_units={a: "accepted: " + ", ".join(kb.accepted_units(a)) for a in analytes},
            plausible_range={
                a: f"plausible: {kb.analytes[a].plausible.low:g} to "
                f"{kb.analytes[a].plausible.high:g} {kb.analytes[a].unit}"
                for a in analytes
            },
        )


def _cache_file(version: str) -> Path:
    """Named by the knowledge base and by the code the tables are built with (this module
    and the per-patient engine's intervals, ages and codes), so none can go stale."""
    modules = [
        Path(__file__),
        *(Path(getfile(f)) for f in (knowledge_interval, Age, family, name_candidates)),
    ]
    code = digest(version, modules)[:16]
    return cache_dir() / f"screening-tables-{code}.pickle"


def _load_or_build(cls: type[KnowledgeTables], kb: Knowledge) -> KnowledgeTables:
    path = _cache_file(kb.version)
    cached = read_cached(path, cls)
    if cached is not None:
        return cached
    built = cls._build(kb)
    write_cached(path, built)
    return built


def code_key(code: str) -> str:
    """How a diagnosis code is matched: upper case, without dots or spaces."""
    return code.strip().upper().replace(".", "").replace(" ", "")


def _table(columns: dict[str, type], rows: Iterable[tuple[Any, ...]]) -> pa.Table:
    types = {str: pa.string(), float: pa.float64(), int: pa.int64(), bool: pa.bool_()}
    listed = list(dict.fromkeys(rows))
    schema = pa.schema([(name, types[kind]) for name, kind in columns.items()])
    arrays = [
        pa.array([row[i] for row in listed], type=schema.field(i).type) for i in range(len(columns))
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


def _classes(classes: Iterable[str], rules: tuple[ScreeningRule, ...]) -> list[str]:
    wanted = {r.drug_class for r in rules if r.kind == "drug_class"}
    return [c for c in classes if c in wanted]


def drug_token(text: str) -> str:
    """A drug name as a padded run of lower-case words, for whole-word matching."""
    words = "".join(ch if ch.isalnum() else " " for ch in text.lower()).split()
    return f" {' '.join(words)} "


def _drug_names(kb: Knowledge, rules: tuple[ScreeningRule, ...]) -> pa.Table:
    rows = [
        (drug_token(name), drug.id, cls_)
        for drug in kb.drugs.values()
        for cls_ in _classes(drug.classes, rules)
        for name in (drug.id.replace("_", " "), drug.name, *drug.brands, *drug.aliases)
        if drug_token(name).strip()
    ]
    return _table({"token": str, "drug": str, "drug_class": str}, sorted(rows))


def condition_name_index(kb: Knowledge) -> dict[str, tuple[str | None, str | None]]:
    """Condition names -> (finding, cause): finding names and aliases first, then cause
    names, then the displays of diagnosis codes."""
    index: dict[str, tuple[str | None, str | None]] = {}
    for finding in kb.findings.values():
        for name in (finding.id, finding.id.replace("_", " "), finding.name, *finding.aliases):
            index.setdefault(name_key(name), (finding.id, None))
    for cause in kb.causes.values():
        for name in (cause.id, cause.id.replace("_", " "), cause.name):
            index.setdefault(name_key(name), (None, cause.id))
    for code in kb.codes:
        index.setdefault(name_key(code.display), (code.finding, code.cause))
    return index


def _condition_names(kb: Knowledge) -> pa.Table:
    rows = [(key, finding, cause) for key, (finding, cause) in condition_name_index(kb).items()]
    return _table({"key": str, "finding": str, "cause": str}, sorted(rows))


def _rules(kb: Knowledge, rules: tuple[ScreeningRule, ...]) -> pa.Table:
    rows = []
    for r in rules:
        unit = kb.analytes[r.analyte].unit if r.analyte else "U/L"
        above = kb.param(r.above) if r.above else None
        below = kb.param(r.below) if r.below else None
        if above is not None:
            label = f"{r.analyte} above {above:g} {unit}"
        elif below is not None:
            label = f"lowest ALP below {below:g} U/L"
        elif r.status is not None:
            limit = "lower" if r.status == "low" else "upper"
            label = f"{r.analyte} {'below' if r.status == 'low' else 'above'} the {limit} limit"
        else:
            label = r.name
        rows.append(
            (r.id, r.kind, r.drug_class, r.analyte, r.status, above, below, label, r.lookback_days)
        )
    return _table(
        {
            "rule": str,
            "kind": str,
            "drug_class": str,
            "analyte": str,
            "status": str,
            "above": float,
            "below": float,
            "label": str,
            "lookback_days": int,
        },
        rows,
    )


def _age_keys() -> list[tuple[int, Age | None]]:
    keys: list[tuple[int, Age | None]] = [(-1, None)]
    keys += [(day, Age(days=float(day), years=day / DAYS_PER_YEAR)) for day in range(367)]
    keys += [
        (YEAR_KEY_BASE + years, Age(days=years * DAYS_PER_YEAR, years=float(years)))
        for years in range(1, AGE_LIMIT_YEARS + 1)
    ]
    return keys


def _intervals(kb: Knowledge, analytes: tuple[str, ...]) -> pa.Table:
    rows = []
    keys = _age_keys()
    for analyte in analytes:
        bounds = _bounds(kb, analyte)
        for sex in SEXES:
            chosen: dict[tuple[bool, ...] | None, tuple[float | None, float | None]] = {}
            for key, age in keys:
                # The interval depends only on which bounds the age has reached.
                signature = None if age is None else tuple(age.reached(b) for b in bounds)
                if signature not in chosen:
                    found = knowledge_interval(kb, analyte, age, sex, None)
                    chosen[signature] = (found.low, found.high) if found else (None, None)
                low, high = chosen[signature]
                if low is not None or high is not None:
                    code = (analytes.index(analyte) * len(SEXES) + SEXES.index(sex)) * KEY_SPAN
                    rows.append((code + key + 1, analyte, sex, key, low, high))
    return _table(
        {
            "interval_key": int,
            "analyte": str,
            "sex": str,
            "age_key": int,
            "ref_low": float,
            "ref_high": float,
        },
        rows,
    )


def _bounds(kb: Knowledge, analyte: str) -> list[AgeBound]:
    """Every age bound of an analyte's intervals, the knowledge base's and a laboratory
    file's (checked to be expressible by age keys)."""
    bounds: list[AgeBound] = []
    rows: list[ReferenceInterval | LocalInterval] = [
        *kb.intervals.get(analyte, ()),
        *kb.local_intervals.get(analyte, ()),
    ]
    for interval in rows:
        for bound in (interval.age_from, interval.age_to):
            if bound is None:
                continue
            whole = bound.unit == "y" and float(bound.value).is_integer()
            if not (whole or (bound.unit == "d" and bound.value < 365)):
                problem = "screening needs age bounds in whole years or in days under a year"
                if isinstance(interval, LocalInterval):
                    raise InputError(f"intervals file: interval '{interval.id}'", problem)
                raise KnowledgeError("reference_intervals.yaml", f"{interval.id}.age", problem)
            bounds.append(bound)
    return bounds
