"""Load the knowledge base once: parse, validate, cross-check, precompute, cache.

``load_knowledge()`` reads every YAML file in ``data/``, validates each object with its
pydantic model, checks every cross-reference (an unknown id is an error naming the file
and the key), computes unit conversion factors with pint, and caches the result on disk
keyed by a hash of the data and of this code, so a second start takes milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from alkphos._version import __version__
from alkphos.cache import cache_dir, digest, read_cached, write_cached
from alkphos.errors import KnowledgeError
from alkphos.knowledge.local import LocalInterval
from alkphos.knowledge.names import cores, name_candidates, plain_key
from alkphos.knowledge.schema import (
    Analyte,
    Cause,
    Citation,
    Claim,
    ClinicalCode,
    Drug,
    DrugClass,
    Finding,
    Flag,
    FollowUpRule,
    Parameter,
    PublishedYield,
    ReferenceInterval,
    ScreeningRule,
    Test,
)
from alkphos.units import conversion_factor, normalise_spelling, pint_expression

__all__ = ["Knowledge", "UnitConversion", "knowledge_files", "load_knowledge"]

M = TypeVar("M", bound=BaseModel)

# file name -> (top-level key, model) for the files holding one list each.
_LISTS: dict[str, tuple[str, type[BaseModel]]] = {
    "analytes.yaml": ("analytes", Analyte),
    "reference_intervals.yaml": ("intervals", ReferenceInterval),
    "causes.yaml": ("causes", Cause),
    "tests.yaml": ("tests", Test),
    "findings.yaml": ("findings", Finding),
    "flags.yaml": ("flags", Flag),
    "parameters.yaml": ("parameters", Parameter),
    "followup.yaml": ("rules", FollowUpRule),
    "claims.yaml": ("claims", Claim),
    "codes.yaml": ("codes", ClinicalCode),
    "screening.yaml": ("screening", ScreeningRule),
    "yields.yaml": ("yields", PublishedYield),
}
_DRUGS = "drugs.yaml"
_CITATIONS_DIR = "citations"
_VOCABULARY = "vocabulary.yaml"


@dataclass(frozen=True, slots=True)
class UnitConversion:
    """One accepted spelling of a unit and its factor to the canonical unit."""

    spelling: str
    factor: float


@dataclass(frozen=True, repr=False, eq=False)
class Knowledge:
    """The validated, cross-checked knowledge base (read-only)."""

    version: str
    analytes: Mapping[str, Analyte]
    intervals: Mapping[str, tuple[ReferenceInterval, ...]]
    causes: Mapping[str, Cause]
    tests: Mapping[str, Test]
    findings: Mapping[str, Finding]
    flags: Mapping[str, Flag]
    drug_classes: Mapping[str, DrugClass]
    drugs: Mapping[str, Drug]
    parameters: Mapping[str, Parameter]
    follow_up: Mapping[str, FollowUpRule]
    claims: Mapping[str, Claim]
    codes: tuple[ClinicalCode, ...]
    screening: Mapping[str, ScreeningRule]
    yields: Mapping[str, PublishedYield]
    citations: Mapping[str, Citation]
    analyte_index: Mapping[str, str] = field(repr=False)
    analyte_plain: Mapping[str, str] = field(repr=False)
    unit_index: Mapping[str, Mapping[str, UnitConversion]] = field(repr=False)
    finding_index: Mapping[str, str] = field(repr=False)
    drug_index: Mapping[str, str] = field(repr=False)
    interval_factors: Mapping[str, float] = field(repr=False)
    local_intervals: Mapping[str, tuple[LocalInterval, ...]] = field(
        default_factory=dict, repr=False
    )
    """A laboratory's own intervals (from its intervals file), looked up before
    ``intervals`` for the people they cover; empty for the bundled knowledge base."""

    def __repr__(self) -> str:
        return f"Knowledge(version={self.version!r}, causes={len(self.causes)})"

    def param(self, parameter_id: str) -> float:
        """The value of a rule parameter (KeyError names it when missing)."""
        return self.parameters[parameter_id].value

    def find_analyte(self, name: str) -> str | None:
        """The analyte id for a LOINC code, name or alias (case-insensitive), if known; else
        for the name as laboratories print it (``knowledge.names``: punctuation, specimen
        and method words, a catalogue's inverted order)."""
        found = self.analyte_index.get(_key(name))
        if found is not None:
            return found
        return next(
            (owner for key in name_candidates(name) if (owner := self.analyte_plain.get(key))),
            None,
        )

    def find_drug(self, name: str) -> str | None:
        """The drug id for a generic name, brand or alias (case-insensitive), if known."""
        return self.drug_index.get(_key(name))

    def find_finding(self, name: str) -> str | None:
        """The finding id for an id, name or alias (case-insensitive), if known."""
        return self.finding_index.get(_key(name))

    def accepted_units(self, analyte_id: str) -> list[str]:
        """Every spelling accepted for an analyte, canonical first."""
        return [conversion.spelling for conversion in self.unit_index[analyte_id].values()]


def _key(text: str) -> str:
    return " ".join(text.strip().lower().replace("’", "'").split())


def data_dir() -> Path:
    """The folder holding the knowledge YAML files."""
    return Path(str(resources.files("alkphos.knowledge") / "data"))


def knowledge_files(root: Path | None = None) -> list[Path]:
    """Every data file of the knowledge base, sorted."""
    folder = root or data_dir()
    return sorted(path for path in folder.rglob("*.yaml"))


@cache
def load_knowledge() -> Knowledge:
    """Load the bundled knowledge base, from the on-disk cache when it is current."""
    folder = data_dir()
    files = knowledge_files(folder)
    digest = _digest(files)
    cache_file = cache_dir() / f"knowledge-{digest}.pickle"
    cached = read_cached(cache_file, Knowledge)
    if cached is not None:
        return cached
    knowledge = build_knowledge(folder, version=f"kb-{digest[:12]}")
    write_cached(cache_file, knowledge)
    return knowledge


def _digest(files: Iterable[Path]) -> str:
    code = Path(__file__).parent
    modules = (code / "schema.py", code / "local.py", code / "loader.py", code.parent / "units.py")
    return digest(__version__, (*modules, *files))


def build_knowledge(folder: Path, version: str) -> Knowledge:
    """Parse, validate and cross-check the knowledge files in ``folder``.

    Raises:
        KnowledgeError: a file is missing or malformed, an id is repeated or unknown, or a
            data file is not used (an orphan).
    """
    known = set(_LISTS) | {_DRUGS, _VOCABULARY}
    for path in knowledge_files(folder):
        relative = path.relative_to(folder)
        if relative.parts[0] != _CITATIONS_DIR and relative.as_posix() not in known:
            raise KnowledgeError(relative.as_posix(), "(file)", "not a knowledge file (orphan)")

    lists: dict[str, list[Any]] = {
        name: _read_list(folder, name, key, model) for name, (key, model) in _LISTS.items()
    }
    drugs_raw = _read_yaml(folder / _DRUGS, _DRUGS)
    classes = _validate(_DRUGS, "classes", drugs_raw, DrugClass)
    drugs = _validate(_DRUGS, "drugs", drugs_raw, Drug)
    citations: list[Citation] = []
    citation_files = sorted((folder / _CITATIONS_DIR).glob("*.yaml"))
    if not citation_files:
        raise KnowledgeError(_CITATIONS_DIR, "(folder)", "no citation files")
    for path in citation_files:
        name = f"{_CITATIONS_DIR}/{path.name}"
        citations += _validate(name, "citations", _read_yaml(path, name), Citation)

    def by_id(file: str, items: Iterable[Any]) -> dict[str, Any]:
        table: dict[str, Any] = {}
        for item in items:
            if item.id in table:
                raise KnowledgeError(file, item.id, "id is defined twice")
            table[item.id] = item
        return table

    kb = _Tables(
        analytes=by_id("analytes.yaml", lists["analytes.yaml"]),
        interval_list=lists["reference_intervals.yaml"],
        causes=by_id("causes.yaml", lists["causes.yaml"]),
        tests=by_id("tests.yaml", lists["tests.yaml"]),
        findings=by_id("findings.yaml", lists["findings.yaml"]),
        flags=by_id("flags.yaml", lists["flags.yaml"]),
        classes=by_id(_DRUGS, classes),
        drugs=by_id(_DRUGS, drugs),
        parameters=by_id("parameters.yaml", lists["parameters.yaml"]),
        follow_up=by_id("followup.yaml", lists["followup.yaml"]),
        claims=by_id("claims.yaml", lists["claims.yaml"]),
        codes=lists["codes.yaml"],
        screening=by_id("screening.yaml", lists["screening.yaml"]),
        yields=by_id("yields.yaml", lists["yields.yaml"]),
        citations=by_id("citations/", citations),
    )
    by_id("reference_intervals.yaml", kb.interval_list)
    from alkphos.knowledge.checks import check_references

    check_references(kb, _read_yaml(folder / _VOCABULARY, _VOCABULARY))
    unit_index = _unit_index(kb.analytes)
    interval_factors = _interval_factors(kb.interval_list, unit_index)
    intervals: dict[str, list[ReferenceInterval]] = {}
    for interval in kb.interval_list:
        intervals.setdefault(interval.analyte, []).append(interval)
    return Knowledge(
        version=version,
        analytes=kb.analytes,
        intervals={key: tuple(value) for key, value in intervals.items()},
        causes=kb.causes,
        tests=kb.tests,
        findings=kb.findings,
        flags=kb.flags,
        drug_classes=kb.classes,
        drugs=kb.drugs,
        parameters=kb.parameters,
        follow_up=kb.follow_up,
        claims=kb.claims,
        codes=tuple(kb.codes),
        screening=kb.screening,
        yields=kb.yields,
        citations=kb.citations,
        analyte_index=_name_index(
            "analytes.yaml",
            ((a.id, [a.id, a.name, *a.loinc, *a.aliases]) for a in kb.analytes.values()),
        ),
        analyte_plain=_plain_index(
            (a.id, [a.id, a.name, *a.loinc, *a.aliases]) for a in kb.analytes.values()
        ),
        unit_index=unit_index,
        finding_index=_name_index(
            "findings.yaml",
            ((f.id, [f.id, f.name, *f.aliases]) for f in kb.findings.values()),
        ),
        drug_index=_name_index(
            _DRUGS,
            ((d.id, [d.id, d.name, *d.brands, *d.aliases]) for d in kb.drugs.values()),
        ),
        interval_factors=interval_factors,
    )


@dataclass
class _Tables:
    analytes: dict[str, Analyte]
    interval_list: list[ReferenceInterval]
    causes: dict[str, Cause]
    tests: dict[str, Test]
    findings: dict[str, Finding]
    flags: dict[str, Flag]
    classes: dict[str, DrugClass]
    drugs: dict[str, Drug]
    parameters: dict[str, Parameter]
    follow_up: dict[str, FollowUpRule]
    claims: dict[str, Claim]
    codes: list[ClinicalCode]
    screening: dict[str, ScreeningRule]
    yields: dict[str, PublishedYield]
    citations: dict[str, Citation]


def _read_yaml(path: Path, name: str) -> Any:
    if not path.is_file():
        raise KnowledgeError(name, "(file)", "missing")
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise KnowledgeError(name, "(file)", f"not valid YAML: {exc}") from exc


def _read_list(folder: Path, name: str, key: str, model: type[M]) -> list[M]:
    return _validate(name, key, _read_yaml(folder / name, name), model)


def _validate(file: str, key: str, document: Any, model: type[M]) -> list[M]:
    if not isinstance(document, dict) or not isinstance(document.get(key), list):
        raise KnowledgeError(file, key, "expected a top-level list under this key")
    items: list[M] = []
    for position, raw in enumerate(document[key]):
        label = raw.get("id", f"[{position}]") if isinstance(raw, dict) else f"[{position}]"
        try:
            items.append(model.model_validate(raw))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise KnowledgeError(file, f"{key}.{label}.{where}", first["msg"]) from exc
    return items


def _name_index(file: str, entries: Iterable[tuple[str, list[str]]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for owner, names in entries:
        for name in names:
            key = _key(name)
            if index.get(key, owner) != owner:
                raise KnowledgeError(file, owner, f"name '{name}' also names '{index[key]}'")
            index[key] = owner
    return index


def _plain_index(entries: Iterable[tuple[str, list[str]]]) -> dict[str, str]:
    """Names by their punctuation-free key, and by their core without specimen or method
    words ("ALP bone (U/L)" is also "alp bone"); a name's own key wins over another's core,
    and a key two owners share at the same rank is left out."""
    ranked: dict[str, tuple[int, set[str]]] = {}
    for owner, names in entries:
        for name in names:
            for rank, keys in enumerate(([plain_key(name)], cores(name))):
                for key in keys:
                    best, owners = ranked.get(key, (rank, set()))
                    if rank < best:
                        ranked[key] = (rank, {owner})
                    elif rank == best:
                        ranked[key] = (rank, owners | {owner})
    return {key: next(iter(owners)) for key, (_, owners) in ranked.items() if len(owners) == 1}


def _unit_index(analytes: Mapping[str, Analyte]) -> dict[str, dict[str, UnitConversion]]:
    index: dict[str, dict[str, UnitConversion]] = {}
    for analyte in analytes.values():
        canonical = analyte.pint or pint_expression(analyte.unit)
        table = {normalise_spelling(analyte.unit): UnitConversion(analyte.unit, 1.0)}
        for accepted in analyte.units:
            key = normalise_spelling(accepted.unit)
            if key in table:
                continue
            try:
                factor = conversion_factor(
                    accepted.pint or pint_expression(accepted.unit), canonical, analyte.molar_mass
                )
            except ValueError as exc:
                raise KnowledgeError(
                    "analytes.yaml", f"{analyte.id}.units.{accepted.unit}", str(exc)
                ) from exc
            table[key] = UnitConversion(accepted.unit, factor)
        index[analyte.id] = table
    return index


def _interval_factors(
    intervals: Iterable[ReferenceInterval], units: Mapping[str, Mapping[str, UnitConversion]]
) -> dict[str, float]:
    factors: dict[str, float] = {}
    for interval in intervals:
        conversion = units.get(interval.analyte, {}).get(normalise_spelling(interval.unit))
        if conversion is None:
            raise KnowledgeError(
                "reference_intervals.yaml",
                f"{interval.id}.unit",
                f"'{interval.unit}' is not a unit accepted for {interval.analyte}",
            )
        factors[interval.id] = conversion.factor
    return factors
