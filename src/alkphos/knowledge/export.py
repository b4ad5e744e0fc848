"""The whole knowledge base as plain JSON-ready data (``alkphos kb export``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from alkphos.knowledge.loader import Knowledge

__all__ = ["export_knowledge"]


def _dump(items: Iterable[BaseModel]) -> list[dict[str, Any]]:
    return [item.model_dump(mode="json", by_alias=True, exclude_none=True) for item in items]


def export_knowledge(kb: Knowledge) -> dict[str, Any]:
    """Every table of the knowledge base; each a list of objects with an ``id``."""
    drugs = []
    for drug in _dump(kb.drugs.values()):
        drug["effects"] = [
            {"class": class_id, **effect}
            for class_id in drug["classes"]
            for effect in _dump(kb.drug_classes[class_id].effects)
        ]
        drugs.append(drug)
    return {
        "knowledge_version": kb.version,
        "causes": _dump(kb.causes.values()),
        "tests": _dump(kb.tests.values()),
        "findings": _dump(kb.findings.values()),
        "flags": _dump(kb.flags.values()),
        "drugs": drugs,
        "drug_classes": _dump(kb.drug_classes.values()),
        "reference_intervals": _dump(
            interval for intervals in kb.intervals.values() for interval in intervals
        ),
        "analytes": _dump(kb.analytes.values()),
        "parameters": _dump(kb.parameters.values()),
        "follow_up": _dump(kb.follow_up.values()),
        "claims": _dump(kb.claims.values()),
        "codes": _dump(kb.codes),
        "screening": _dump(kb.screening.values()),
        "yields": _dump(kb.yields.values()),
        "citations": _dump(kb.citations.values()),
    }
