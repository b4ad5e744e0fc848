"""Response bodies of the REST API (named and documented: they make up the OpenAPI)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from alkphos.api.settings import MAX_BODY_BYTES

__all__ = [
    "BODY_ERRORS",
    "ErrorDetail",
    "ErrorResponse",
    "FeedbackCount",
    "FeedbackSummary",
    "Health",
    "KnowledgeExport",
    "OverrideReasonCount",
]


class ErrorDetail(BaseModel):
    """What is wrong with the request, in the same words as the command line."""

    path: str = Field(description="JSON path of the offending value ('$' for the whole body).")
    problem: str = Field(description="What is wrong.")
    accepted: str = Field(description="What is accepted instead.")
    suggestion: str | None = Field(default=None, description="A close accepted value, if any.")
    message: str = Field(description="The whole message: '<path>: <problem> (<accepted>)'.")


class ErrorResponse(BaseModel):
    """The body of every 4xx answer."""

    error: ErrorDetail


class ProblemDetails(ErrorResponse):
    """RFC 9457 problem details (``application/problem+json``) with every problem found;
    ``error`` repeats the first. The FHIR routes answer with an OperationOutcome instead."""

    type: str = Field(default="about:blank", description="RFC 9457: the problem type.")
    title: str = Field(description="RFC 9457: a short summary of the problem type.")
    status: int = Field(description="RFC 9457: the HTTP status code.")
    detail: str = Field(description="RFC 9457: this occurrence, in words.")
    errors: list[ErrorDetail] = Field(description="Every problem found, each with its path.")


_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}

# The errors of every route that reads a body (documented in the OpenAPI description).
BODY_ERRORS: dict[int | str, dict[str, Any]] = {
    413: {
        "model": ProblemDetails,
        "content": _PROBLEM,
        "description": "The body is larger than the service's limit "
        f"({MAX_BODY_BYTES:,} bytes unless the service is set otherwise).",
    },
    422: {
        "model": ProblemDetails,
        "content": _PROBLEM,
        "description": "Bad input: every problem with its JSON path and what is accepted "
        "(RFC 9457 problem details; an OperationOutcome on the FHIR routes).",
    },
}


class Health(BaseModel):
    """The service is up; which versions it runs."""

    status: Literal["ok"] = "ok"
    alkphos_version: str
    knowledge_version: str


class KnowledgeExport(BaseModel):
    """The whole knowledge base with its citations (as ``alkphos kb export``)."""

    model_config = ConfigDict(extra="allow")

    knowledge_version: str
    causes: list[dict[str, Any]] = Field(description="Causes of abnormal ALP with evidence.")
    tests: list[dict[str, Any]] = Field(description="Tests alkphos may recommend.")
    findings: list[dict[str, Any]] = Field(description="Clinical findings a case may report.")
    flags: list[dict[str, Any]] = Field(description="Safety and context flags.")
    drugs: list[dict[str, Any]] = Field(description="Drugs with their classes and effects.")
    citations: list[dict[str, Any]] = Field(description="Every source cited.")


class OverrideReasonCount(BaseModel):
    """How often one override reason was given."""

    code: str
    display: str | None
    count: int


class FeedbackCount(BaseModel):
    """Feedback on one card type of one service."""

    service: str
    card_type: str
    issued: int = Field(description="Cards of this type issued and still remembered.")
    accepted: int
    overridden: int
    override_reasons: list[OverrideReasonCount]


class FeedbackSummary(BaseModel):
    """Feedback counts per card type."""

    card_types: list[FeedbackCount]
