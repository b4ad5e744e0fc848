"""CDS Hooks 2.0 messages: discovery, request, response (cards) and feedback.

Field names follow the specification (cds-hooks.hl7.org/2.0). Optional fields are left out
of responses rather than sent as null, as the specification requires.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator, model_validator

from alkphos.api.settings import is_loopback

__all__ = [
    "AcceptedSuggestion",
    "Action",
    "Card",
    "CdsRequest",
    "CdsResponse",
    "Coding",
    "Discovery",
    "Feedback",
    "FeedbackAck",
    "FeedbackRequest",
    "FhirAuthorization",
    "HookContext",
    "Link",
    "OverrideReason",
    "ServiceDefinition",
    "Source",
    "Suggestion",
]

_OPEN = ConfigDict(extra="allow")


class Coding(BaseModel):
    """A code from a code system (a trimmed FHIR Coding)."""

    system: str = Field(description="The code system.")
    code: str = Field(description="The code.")
    display: str | None = Field(default=None, description="Human-readable label.")


class ServiceDefinition(BaseModel):
    """One CDS Service as listed by discovery."""

    hook: str = Field(description="The hook this service is invoked on.")
    title: str = Field(description="Human-friendly name.")
    description: str = Field(description="What the service does.")
    id: str = Field(description="The {id} in {baseUrl}/cds-services/{id}.")
    prefetch: dict[str, str] = Field(description="Prefetch templates by prefetch key.")


class Discovery(BaseModel):
    """The discovery response: every CDS Service of this server."""

    services: list[ServiceDefinition]


class FhirAuthorization(BaseModel):
    """An OAuth 2.0 bearer token for the CDS client's FHIR server."""

    model_config = _OPEN

    access_token: str = Field(min_length=1, description="The bearer access token.")
    token_type: str = Field(default="Bearer", description="Fixed value: Bearer.")
    expires_in: int | None = Field(default=None, description="Lifetime in seconds.")
    scope: str | None = Field(default=None, description="Granted scopes.")
    subject: str | None = Field(default=None, description="The CDS Service's client id.")


class HookContext(BaseModel):
    """The hook context alkphos reads (other fields are accepted and ignored)."""

    model_config = _OPEN

    patientId: str = Field(min_length=1, description="FHIR id of the patient in context.")
    userId: str | None = Field(default=None, description="The user, e.g. Practitioner/123.")
    encounterId: str | None = Field(default=None, description="FHIR id of the encounter.")
    selections: list[str] | None = Field(
        default=None, description="order-select: the newly selected orders (Type/id)."
    )
    draftOrders: dict[str, Any] | None = Field(
        default=None, description="order-select, order-sign: a Bundle of the draft orders."
    )


class CdsRequest(BaseModel):
    """A call to a CDS Service."""

    model_config = _OPEN

    hook: Literal["patient-view", "order-select", "order-sign"] = Field(
        description="The hook that triggered the call (the service's own hook)."
    )
    hookInstance: str = Field(min_length=1, description="UUID of this hook call.")
    fhirServer: AnyHttpUrl | None = Field(
        default=None, description="Base URL of the client's FHIR server."
    )
    fhirAuthorization: FhirAuthorization | None = Field(
        default=None, description="Token for the FHIR server (requires fhirServer)."
    )
    context: HookContext = Field(description="Hook-specific context.")
    prefetch: dict[str, Any] | None = Field(
        default=None, description="Prefetched FHIR data by prefetch key (null: no data)."
    )

    @model_validator(mode="after")
    def _server_with_token(self) -> CdsRequest:
        if self.fhirAuthorization is not None and self.fhirServer is None:
            msg = "fhirAuthorization is given without fhirServer"
            raise ValueError(msg)
        return self

    @field_validator("fhirServer")
    @classmethod
    def _https(cls, server: AnyHttpUrl | None) -> AnyHttpUrl | None:
        if server is not None and server.scheme != "https" and not is_loopback(server.host or ""):
            # CDS Hooks: https when production data is exchanged; plain http only on loopback.
            msg = "must use https (http only on a loopback address)"
            raise ValueError(msg)
        return server


class Source(BaseModel):
    """Where the card's guidance comes from."""

    label: str = Field(description="Short label of the source.")
    url: str | None = Field(default=None, description="Where to learn more about the source.")
    topic: Coding | None = Field(default=None, description="What the card is about.")


class Action(BaseModel):
    """A change a suggestion proposes."""

    type: Literal["create", "update", "delete"]
    description: str
    resource: dict[str, Any] | None = Field(default=None, description="The FHIR resource.")
    resourceId: str | None = Field(default=None, description="Relative reference (delete).")


class Suggestion(BaseModel):
    """A suggested set of actions the user may accept."""

    label: str
    uuid: str | None = None
    isRecommended: bool | None = None
    actions: list[Action] | None = None


class Link(BaseModel):
    """A link to more information."""

    label: str
    url: str
    type: Literal["absolute", "smart"] = "absolute"
    appContext: str | None = None


class Card(BaseModel):
    """One piece of decision support."""

    uuid: str | None = Field(default=None, description="Card id; feedback refers to it.")
    summary: str = Field(max_length=139, description="One sentence, under 140 characters.")
    detail: str | None = Field(default=None, description="Markdown details.")
    indicator: Literal["info", "warning", "critical"]
    source: Source
    suggestions: list[Suggestion] | None = None
    selectionBehavior: Literal["at-most-one", "any"] | None = None
    overrideReasons: list[Coding] | None = None
    links: list[Link] | None = None


class CdsResponse(BaseModel):
    """The answer to a CDS Service call (no cards: nothing needs attention)."""

    cards: list[Card]


class AcceptedSuggestion(BaseModel):
    """A suggestion the user accepted."""

    id: str = Field(min_length=1, description="The suggestion's uuid.")


class OverrideReason(BaseModel):
    """Why the user overrode a card."""

    model_config = _OPEN

    reason: Coding | None = None
    userComment: str | None = Field(default=None, description="Free text; not stored.")


class Feedback(BaseModel):
    """What the user did with one card."""

    model_config = _OPEN

    card: str = Field(min_length=1, description="The card's uuid.")
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[AcceptedSuggestion] | None = None
    overrideReason: OverrideReason | None = None
    outcomeTimestamp: str = Field(description="ISO timestamp (UTC) of the action.")


class FeedbackRequest(BaseModel):
    """The body sent to a service's feedback endpoint."""

    feedback: list[Feedback]


class FeedbackAck(BaseModel):
    """How many feedback entries were recorded."""

    recorded: int
