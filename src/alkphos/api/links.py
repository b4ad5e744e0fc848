"""The interpretation behind a stored link (card links and web-page addresses)."""

from __future__ import annotations

from datetime import date

from starlette.exceptions import HTTPException  # noqa: TID253 - api only

from alkphos.adapters.fhir import with_notes
from alkphos.api.context import ApiContext
from alkphos.engine import interpret
from alkphos.model.interpretation import Interpretation

__all__ = ["linked_interpretation"]


def linked_interpretation(context: ApiContext, link: str) -> Interpretation:
    """Interpret the stored case again (deterministic: same answer); 404 when unknown."""
    stored = context.store.load_link(link)
    if stored is None:
        raise HTTPException(404, "unknown or expired link")
    payload, as_of = stored
    result = interpret(payload["case"], as_of=date.fromisoformat(as_of), kb=context.kb)
    return with_notes(result, list(payload.get("notes", [])))
