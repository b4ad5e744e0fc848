"""The antiresorptive guard: a bisphosphonate or denosumab ordered while hypophosphatasia
is possible gets one critical card with override reasons; anything else gets silence."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from alkphos.adapters.fhir.codes import CodeIndex
from alkphos.adapters.fhir.drafts import draft_medications
from alkphos.api.cds.cards import CardMaker, card_values, summary_text
from alkphos.api.cds.definitions import Services
from alkphos.api.cds.models import Action, Card, Suggestion
from alkphos.errors import InputError
from alkphos.knowledge.loader import Knowledge

__all__ = ["DraftOrder", "antiresorptive_orders", "guard_cards"]

CARD = "antiresorptive_guard"
logger = logging.getLogger("alkphos.api.guard")


@dataclass(frozen=True, slots=True)
class DraftOrder:
    """A draft medication order for a guarded drug."""

    reference: str
    drug: str


def antiresorptive_orders(
    context: dict[str, Any], hook: str, services: Services, kb: Knowledge
) -> list[DraftOrder]:
    """The guarded drugs among the orders this hook is about (order-select: the selected).

    Only the medicine of each draft is read: a draft lacking what a signed order needs
    (subject, dose, ...) is still checked. A draft naming no medicine cannot be checked:
    it is logged (by its JSON path, no patient data) and gets no card.
    """
    draft = context.get("draftOrders")
    if draft is None:
        raise InputError(
            "context.draftOrders", "required field is missing", f"{hook} context holds a Bundle"
        )
    selections = context.get("selections") if hook == "order-select" else None
    if selections is not None and (
        not isinstance(selections, list) or not all(isinstance(s, str) for s in selections)
    ):
        raise InputError(
            "context.selections", "not an array of strings", '["MedicationRequest/id"]'
        )
    guarded = set(services.guard_classes)
    orders: list[DraftOrder] = []
    for order in draft_medications(draft, "context.draftOrders", CodeIndex.of(kb)):
        # An order with neither id nor fullUrl cannot be told apart from the selected
        # ones; it is checked rather than passed over.
        if selections and order.reference and order.reference not in selections:
            continue
        if not order.named:
            logger.warning(
                "%s: %s draft order names no medication (no medicationCodeableConcept, "
                "nor a medicationReference to a Medication with a code or a display); "
                "the antiresorptive guard could not check it",
                order.path,
                hook,
            )
            continue
        drug = order.drug
        if drug is not None and guarded.intersection(kb.drugs[drug].classes):
            orders.append(DraftOrder(reference=order.reference, drug=drug))
    return orders


def guard_cards(maker: CardMaker, orders: list[DraftOrder]) -> list[tuple[str, Card]]:
    """The guard card, when an order is guarded and the interpretation raises a guard flag."""
    services = maker.services
    result = maker.result
    raised = [flag for flag in result.flags if flag.id in services.guard_flags]
    if not orders or not raised or result.alp is None:
        return []
    names = list(dict.fromkeys(maker.kb.drugs[order.drug].name for order in orders))
    spec = services.cards[CARD]
    values = {**card_values(result), "drug": " and ".join(names).lower()}
    why = " ".join([spec.why or "", *(flag.message for flag in raised)]).strip()
    cancel = [
        Suggestion(
            label=f"Cancel the {maker.kb.drugs[order.drug].name.lower()} order",
            actions=[
                Action(
                    type="delete",
                    description=f"Remove the draft {maker.kb.drugs[order.drug].name} order",
                    resourceId=order.reference,
                )
            ],
        )
        for order in orders
        if order.reference.startswith("MedicationRequest/")
    ]
    tests = [t for t in services.guard_tests if t in {x.id for x in result.tests}]
    card = maker.card(
        CARD,
        summary_text(spec, values, None),
        spec.indicator or "critical",
        why,
        tests,
        extra=cancel,
        override=True,
    )
    return [(CARD, card)]
