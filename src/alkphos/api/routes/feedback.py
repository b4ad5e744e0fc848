"""CDS Hooks feedback: record what clinicians did with the cards; report counts per type."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends  # noqa: TID253 - api only
from fastapi import Path as Path_  # noqa: TID253

from alkphos.api.cds.models import FeedbackAck, FeedbackRequest
from alkphos.api.context import ApiContext, api_context
from alkphos.api.routes.cds_hooks import service_spec
from alkphos.api.schemas import (
    BODY_ERRORS,
    ErrorResponse,
    FeedbackCount,
    FeedbackSummary,
    OverrideReasonCount,
)
from alkphos.api.store import FeedbackItem

__all__ = ["router"]

router = APIRouter()
Context = Annotated[ApiContext, Depends(api_context)]
_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": "No service with this id."},
    **BODY_ERRORS,
}


@router.post(
    "/cds-services/{service_id}/feedback",
    tags=["cds-hooks"],
    summary="Feedback on cards",
    response_model=FeedbackAck,
    responses=_ERRORS,
)
async def feedback(
    service_id: Annotated[str, Path_(description="The service id from discovery.")],
    body: FeedbackRequest,
    context: Context,
) -> FeedbackAck:
    """Record accepted and overridden outcomes with their coded override reasons."""
    spec = service_spec(context, service_id)
    items = [
        FeedbackItem(
            card=entry.card,
            outcome=entry.outcome,
            reason_system=reason.system if reason else None,
            reason_code=reason.code if reason else None,
            reason_display=reason.display if reason else None,
            accepted=tuple(s.id for s in entry.acceptedSuggestions or []),
            outcome_timestamp=entry.outcomeTimestamp,
        )
        for entry in body.feedback
        for reason in [entry.overrideReason.reason if entry.overrideReason else None]
    ]
    return FeedbackAck(recorded=context.store.record_feedback(spec.id, items))


@router.get(
    "/v1/feedback/summary",
    tags=["cds-hooks"],
    summary="Feedback counts per card type",
    response_model=FeedbackSummary,
)
async def summary(context: Context) -> FeedbackSummary:
    """Cards issued, accepted and overridden per service and card type, with the reasons."""
    store = context.store
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for service, kind, issued in store.issued_counts():
        counts.setdefault((service, kind), {})["issued"] = issued
    for service, kind, outcome, count in store.feedback_counts():
        counts.setdefault((service, kind), {})[outcome] = count
    reasons: dict[tuple[str, str], list[OverrideReasonCount]] = {}
    for service, kind, code, display, count in store.override_reasons():
        reasons.setdefault((service, kind), []).append(
            OverrideReasonCount(code=code, display=display, count=count)
        )
    return FeedbackSummary(
        card_types=[
            FeedbackCount(
                service=service,
                card_type=kind,
                issued=values.get("issued", 0),
                accepted=values.get("accepted", 0),
                overridden=values.get("overridden", 0),
                override_reasons=reasons.get((service, kind), []),
            )
            for (service, kind), values in sorted(counts.items())
        ]
    )
