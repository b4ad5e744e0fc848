"""Interpret a case read from FHIR, with the reader's notes in ``not_understood``."""

from __future__ import annotations

from datetime import date

from alkphos.adapters.fhir.read import FhirCase
from alkphos.engine import interpret, knowledge
from alkphos.errors import InputError
from alkphos.knowledge.loader import Knowledge
from alkphos.model.interpretation import Interpretation

__all__ = ["interpret_fhir", "with_notes"]


def with_notes(result: Interpretation, notes: tuple[str, ...] | list[str]) -> Interpretation:
    """The interpretation with an adapter's notes put first in ``not_understood``."""
    if not notes:
        return result
    return result.model_copy(update={"not_understood": [*notes, *result.not_understood]})


def interpret_fhir(
    read: FhirCase, as_of: date | None = None, kb: Knowledge | None = None
) -> Interpretation:
    """Interpret what was read from FHIR.

    Raises:
        InputError: no usable result, or the engine refused a value; the path points into
            the FHIR input (``entry[3].resource.valueQuantity``), not into the case.
    """
    if read.case is None:
        aside = [note for note in read.notes if note.startswith(("entry", "prefetch"))]
        more = f" (and {len(aside) - 1} more)" if len(aside) > 1 else ""
        raise InputError(
            "$",
            "no Observation alkphos can read" + (f"; set aside: {aside[0]}{more}" if aside else ""),
            "at least one LOINC-coded Observation of a known test with a numeric valueQuantity",
        )
    try:
        result = interpret(read.case, as_of=as_of, kb=kb or knowledge())
    except InputError as exc:
        raise read.locate(exc) from None
    return with_notes(result, read.notes)
