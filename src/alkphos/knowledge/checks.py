"""Cross-reference checks run when the knowledge base is built.

Every id a file mentions must exist; every vocabulary id of the contract must exist with
its meaning; every citation must be cited; reference intervals for ALP, ALT, AST, total
bilirubin and haemoglobin must tile age with no gap and no overlap. Each problem is a
``KnowledgeError`` naming the file and the key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from alkphos.errors import KnowledgeError
from alkphos.knowledge.age import age_bound_days
from alkphos.knowledge.schema import ReferenceInterval, ScreeningRule

if TYPE_CHECKING:
    from alkphos.knowledge.loader import _Tables

__all__ = ["check_references", "check_tiling"]

_AGE_LIMIT_DAYS = 131 * 366  # beyond any accepted age (130 years)
TILED_ANALYTES = ("alp", "alt", "ast", "total_bilirubin", "hemoglobin")


def check_references(kb: _Tables, vocabulary: Mapping[str, Any]) -> None:
    """Raise ``KnowledgeError`` for the first dangling or missing reference."""
    cited: set[str] = set()

    def cite(file: str, key: str, ids: Iterable[str]) -> None:
        for citation in ids:
            if citation not in kb.citations:
                raise KnowledgeError(file, key, f"unknown citation '{citation}'")
            cited.add(citation)

    for analyte in kb.analytes.values():
        cite("analytes.yaml", analyte.id, analyte.citations)
    for interval in kb.interval_list:
        _known("reference_intervals.yaml", interval.id, [interval.analyte], kb.analytes, "analyte")
        cite("reference_intervals.yaml", interval.id, interval.citations)
        if interval.low is not None and interval.high is not None and interval.low > interval.high:
            raise KnowledgeError("reference_intervals.yaml", interval.id, "low is above high")
    for cause in kb.causes.values():
        cite("causes.yaml", cause.id, cause.citations)
        _known("causes.yaml", f"{cause.id}.tests", cause.tests, kb.tests, "test")
        for position, item in enumerate(cause.evidence):
            cite("causes.yaml", f"{cause.id}.evidence[{position}]", item.citations)
        if cause.medicine is not None:
            cite("causes.yaml", f"{cause.id}.medicine", cause.medicine.citations)
            _known(
                "causes.yaml",
                f"{cause.id}.medicine",
                [cause.medicine.drug_class],
                kb.classes,
                "drug class",
            )
    for test in kb.tests.values():
        _known("tests.yaml", test.id, test.analytes, kb.analytes, "analyte")
        cite("tests.yaml", test.id, test.citations)
    for flag in kb.flags.values():
        cite("flags.yaml", flag.id, flag.citations)
        if flag.watch_for is not None:
            cite("flags.yaml", f"{flag.id}.watch_for", flag.watch_for.citations)
        _known("flags.yaml", f"{flag.id}.tests", flag.tests, kb.tests, "test")
        _known(
            "flags.yaml",
            f"{flag.id}.supporting_findings",
            flag.supporting_findings,
            kb.findings,
            "finding",
        )
    used_classes: set[str] = set()
    for drug in kb.drugs.values():
        _known("drugs.yaml", f"drugs.{drug.id}", drug.classes, kb.classes, "drug class")
        used_classes.update(drug.classes)
    for drug_class in kb.classes.values():
        if drug_class.id not in used_classes:
            raise KnowledgeError("drugs.yaml", f"classes.{drug_class.id}", "no drug has it")
        for effect in drug_class.effects:
            key = f"classes.{drug_class.id}.effects"
            _known("drugs.yaml", key, [effect.analyte], kb.analytes, "analyte")
            cite("drugs.yaml", key, effect.citations)
    for parameter in kb.parameters.values():
        cite("parameters.yaml", parameter.id, parameter.citations)
    for rule in kb.follow_up.values():
        cite("followup.yaml", rule.id, rule.citations)
    for claim in kb.claims.values():
        cite("claims.yaml", claim.id, claim.citations)
    seen: set[tuple[str, str]] = set()
    for code in kb.codes:
        key = f"{code.system}:{code.code}"
        if (code.system, code.code) in seen:
            raise KnowledgeError("codes.yaml", key, "code is listed twice")
        seen.add((code.system, code.code))
        if (code.finding is None) == (code.cause is None):
            raise KnowledgeError("codes.yaml", key, "give exactly one of finding or cause")
        if code.finding is not None:
            _known("codes.yaml", key, [code.finding], kb.findings, "finding")
        if code.cause is not None:
            _known("codes.yaml", key, [code.cause], kb.causes, "cause")
        cite("codes.yaml", key, code.citations)
    for screening_rule in kb.screening.values():
        cite("screening.yaml", screening_rule.id, screening_rule.citations)
        _check_screening_rule(kb, screening_rule)
    _check_screening_findings(kb)
    for found in kb.yields.values():
        cite("yields.yaml", found.id, found.citations)
    for citation in kb.citations:
        if citation not in cited:
            raise KnowledgeError("citations/", citation, "never cited (orphan)")
    _check_vocabulary(kb, vocabulary)
    for tiled in TILED_ANALYTES:
        check_tiling(tiled, [i for i in kb.interval_list if i.analyte == tiled])


def _known(file: str, key: str, ids: Iterable[str], table: Mapping[str, Any], what: str) -> None:
    for item in ids:
        if item not in table:
            raise KnowledgeError(file, key, f"unknown {what} '{item}'")


_SCREENING_FIELDS = {
    "drug_class": {"drug_class"},
    "condition": {"findings"},
    "lab": {"analyte"},
    "alp": {"below"},
}


def _check_screening_rule(kb: _Tables, rule: ScreeningRule) -> None:
    """A screening rule names what its kind needs, and every name exists."""
    file, key = "screening.yaml", rule.id
    for wanted in _SCREENING_FIELDS[rule.kind]:
        if not getattr(rule, wanted):
            raise KnowledgeError(file, key, f"a {rule.kind} rule needs '{wanted}'")
    if (rule.role == "exclude") != (rule.cause is not None):
        raise KnowledgeError(file, key, "an exclude rule needs 'cause'; a rank rule has none")
    if rule.role == "exclude" and rule.kind == "alp":
        raise KnowledgeError(file, key, "an alp rule can only rank")
    if rule.kind == "lab" and (rule.status is None) == (rule.above is None):
        raise KnowledgeError(file, key, "a lab rule needs exactly one of 'status' or 'above'")
    if rule.cause is not None:
        _known(file, key, [rule.cause], kb.causes, "cause")
    if rule.drug_class is not None:
        _known(file, key, [rule.drug_class], kb.classes, "drug class")
    _known(file, key, rule.findings, kb.findings, "finding")
    if rule.analyte is not None:
        _known(file, key, [rule.analyte], kb.analytes, "analyte")
    _known(file, key, [p for p in (rule.above, rule.below) if p], kb.parameters, "parameter")


def _check_screening_findings(kb: _Tables) -> None:
    """A finding belongs to one exclude rule at most (its window decides)."""
    owner: dict[str, str] = {}
    for rule in kb.screening.values():
        if rule.role != "exclude":
            continue
        for finding in rule.findings:
            if finding in owner:
                raise KnowledgeError(
                    "screening.yaml", rule.id, f"finding '{finding}' is also in '{owner[finding]}'"
                )
            owner[finding] = rule.id


def _check_vocabulary(kb: _Tables, vocabulary: Mapping[str, Any]) -> None:
    file = "vocabulary.yaml"
    for cause_id, entry in vocabulary["causes"].items():
        cause = kb.causes.get(cause_id)
        if cause is None:
            raise KnowledgeError(file, f"causes.{cause_id}", "missing from causes.yaml")
        if cause.direction != entry["direction"]:
            raise KnowledgeError(
                "causes.yaml", cause_id, f"direction must be '{entry['direction']}'"
            )
    for section, table in (("tests", kb.tests), ("findings", kb.findings), ("flags", kb.flags)):
        for item in vocabulary[section]:
            if item not in table:
                raise KnowledgeError(file, f"{section}.{item}", f"missing from {section}.yaml")


def check_tiling(analyte: str, intervals: list[ReferenceInterval]) -> None:
    """Each sex's non-pregnancy intervals tile all ages, and pregnancy intervals all weeks."""
    file = "reference_intervals.yaml"
    for sex in ("female", "male"):
        spans = sorted(
            (age_bound_days(i.age_from), age_bound_days(i.age_to, _AGE_LIMIT_DAYS), i.id)
            for i in intervals
            if i.pregnancy_weeks is None and i.sex in (sex, "any")
        )
        _check_spans(file, f"{analyte} ({sex})", spans, 0.0, float(_AGE_LIMIT_DAYS), "days")
    weeks = sorted(
        (i.pregnancy_weeks.from_, i.pregnancy_weeks.to, i.id)
        for i in intervals
        if i.pregnancy_weeks is not None
    )
    if weeks:
        _check_spans(file, f"{analyte} (pregnancy)", weeks, 0.0, 45.0, "weeks")


def _check_spans(
    file: str, what: str, spans: list[tuple[float, float, str]], start: float, end: float, unit: str
) -> None:
    reached = start
    for low, high, interval_id in spans:
        if low > reached:
            raise KnowledgeError(file, interval_id, f"{what}: gap from {reached} to {low} {unit}")
        if low < reached:
            raise KnowledgeError(file, interval_id, f"{what}: overlaps below {reached} {unit}")
        reached = high
    if reached < end:
        raise KnowledgeError(file, what, f"no interval from {reached} {unit}")
