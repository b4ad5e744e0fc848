"""Whether the evidence supports a cause of the differential: one definition for the safety
flags, the follow-up and the CDS cards."""

from __future__ import annotations

from alkphos.knowledge.loader import Knowledge
from alkphos.model.interpretation import Cause

__all__ = ["supported"]


def supported(cause: Cause, kb: Knowledge) -> bool:
    """The case's evidence, taken together, raises ``cause`` above its prior, and some of that
    evidence is the case's own (results, findings, medicines, setting), not age or sex alone.
    A cause ranked on its prior alone, or with more against it than for it, is not supported.
    The differential decides this once for each cause (``Cause.supported``)."""
    return cause.supported and cause.score > kb.causes[cause.id].prior
