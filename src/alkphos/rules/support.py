"""Whether the evidence supports a cause of the differential: one definition for the safety
flags, the follow-up and the CDS cards."""

from __future__ import annotations

from alkphos.knowledge.loader import Knowledge
from alkphos.model.interpretation import Cause

__all__ = ["supported"]


def supported(cause: Cause, kb: Knowledge) -> bool:
    """The case's evidence, taken together, raises ``cause`` above its prior (a cause ranked
    on its prior alone, or with more against it than for it, is not supported)."""
    return cause.score > kb.causes[cause.id].prior
