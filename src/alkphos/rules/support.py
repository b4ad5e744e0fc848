"""Whether the evidence supports a cause of the differential: one definition for the safety
flags, the follow-up and the CDS cards."""

from __future__ import annotations

from alkphos.facts import Facts
from alkphos.knowledge.loader import Knowledge
from alkphos.model.interpretation import Cause

__all__ = ["others_abnormal", "supported"]


def supported(cause: Cause, kb: Knowledge) -> bool:
    """The case's evidence, taken together, raises ``cause`` above its prior, and some of that
    evidence is the case's own (results, findings, medicines, setting), not age or sex alone.
    A cause ranked on its prior alone, or with more against it than for it, is not supported.
    The differential decides this once for each cause (``Cause.supported``)."""
    return cause.supported and cause.score > kb.causes[cause.id].prior


def others_abnormal(facts: Facts, ignore: frozenset[str] = frozenset()) -> list[str]:
    """The analytes other than ALP whose latest result is outside its limits, and the reported
    findings not in ``ignore``: what keeps a case from being 'a well patient'."""
    analytes = [
        facts.kb.analytes[analyte].name
        for analyte, series in facts.by_analyte.items()
        if analyte != "alp" and series[-1].status in ("low", "high")
    ]
    return analytes + sorted(facts.findings - ignore)
