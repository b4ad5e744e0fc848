"""The ALP block: the latest ALP against its interval, its multiple of the ULN and a grade.

Raised ALP is graded with CTCAE v5.0 "alkaline phosphatase increased" against the ULN
(the thresholds are knowledge-base parameters); a low or normal ALP has no grade.
"""

from __future__ import annotations

from typing import Literal

from alkphos.facts import Facts, Measurement
from alkphos.knowledge.loader import Knowledge
from alkphos.knowledge.local import LocalBasis
from alkphos.model.interpretation import AlpBlock, LaboratoryBasis, ReferenceIntervalUsed
from alkphos.rules.intervals import Interval

__all__ = ["GRADE_SCHEME", "alp_block", "grade", "interval_used"]

GRADE_SCHEME = "CTCAE v5.0, alkaline phosphatase increased (multiples of the ULN)"
_LABELS = {"G1": "mild", "G2": "moderate", "G3": "marked", "G4": "extreme"}


def interval_used(interval: Interval) -> ReferenceIntervalUsed:
    """The output form of an interval."""
    return ReferenceIntervalUsed(
        low=interval.low,
        high=interval.high,
        unit=interval.unit,
        basis=interval.basis,
        source=_SOURCES.get(interval.source, "knowledge base"),
        citations=list(interval.citations),
        laboratory_basis=[
            LaboratoryBasis.model_validate(_fields(basis)) for basis in interval.local
        ],
    )


_SOURCES: dict[str, Literal["laboratory", "laboratory file", "knowledge base"]] = {
    "laboratory": "laboratory",
    "laboratory file": "laboratory file",
}


def _fields(basis: LocalBasis) -> dict[str, object]:
    return {name: getattr(basis, name) for name in LocalBasis.__slots__}


def grade(kb: Knowledge, multiple_of_uln: float) -> str | None:
    """The CTCAE v5.0 grade (G1-G4) of an ALP at this multiple of the ULN, or None."""
    if multiple_of_uln <= 1.0:
        return None
    for name, parameter in (
        ("G1", "ctcae_grade1_max_uln"),
        ("G2", "ctcae_grade2_max_uln"),
        ("G3", "ctcae_grade3_max_uln"),
    ):
        if multiple_of_uln <= kb.param(parameter):
            return name
    return "G4"


def multiple_of_uln(measurement: Measurement) -> float:
    """Value divided by the upper limit of its interval (0 when there is no upper limit)."""
    interval = measurement.interval
    if interval is None or not interval.high:
        return 0.0
    return measurement.value / interval.high


def alp_block(facts: Facts) -> AlpBlock | None:
    """The latest ALP, judged; None when the case has no ALP."""
    latest = facts.latest("alp")
    if latest is None or latest.interval is None:
        return None
    multiple = multiple_of_uln(latest)
    level = grade(facts.kb, multiple) if latest.status == "high" else None
    return AlpBlock(
        value=latest.value,
        date=latest.on.isoformat() if latest.on else None,
        status="normal" if latest.status == "unknown" else latest.status,
        reference_interval=interval_used(latest.interval),
        multiple_of_uln=round(multiple, 2),
        grade=level,
        grade_scheme=GRADE_SCHEME if level else None,
        grade_label=_LABELS[level] if level else None,
    )
