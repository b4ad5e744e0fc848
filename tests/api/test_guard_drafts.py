"""The antiresorptive guard reads draft orders as EHRs send them: incomplete by nature.

The drafts below follow the shapes of the CDS Hooks 2.0 order-select and order-sign examples
(a Bundle with no ``type``, ``doseAndRate`` as an object, a NutritionOrder among the
drafts), the public CDS Hooks sandbox (a bare draft: no subject, no dosage) and the major
EHRs (a ``medicationReference`` with only a display, a contained or bundled Medication).
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from alkphos.adapters.fhir.codes import CodeIndex
from alkphos.adapters.fhir.drafts import draft_medications
from alkphos.engine import knowledge
from tests.api.fhir_cases import RXNORM, prefetch
from tests.api.test_cds_hooks import SELECT, SIGN, case, hook_call

ALENDRONATE_RXNORM = {"coding": [{"system": RXNORM, "code": "46041"}]}
ZOLEDRONIC_TEXT = "zoledronic acid 5 MG/100ML Injection"


def _bundle(*resources: dict[str, Any], **entry: Any) -> dict[str, Any]:
    """A draftOrders Bundle as the CDS Hooks examples send it: no ``type``."""
    return {"resourceType": "Bundle", "entry": [{"resource": r, **entry} for r in resources]}


def _bare(**fields: Any) -> dict[str, Any]:
    """A draft MedicationRequest with nothing but what the clinician picked."""
    return {"resourceType": "MedicationRequest", "status": "draft", "intent": "order", **fields}


NUTRITION = {
    "resourceType": "NutritionOrder",
    "id": "pureeddiet-simple",
    "status": "draft",
    "patient": {"reference": "Patient/p1"},
}

DRAFTS: dict[str, dict[str, Any]] = {
    # The draft: alendronate by RxNorm, no subject.
    "no-subject": _bundle(_bare(id="rx1", medicationCodeableConcept=ALENDRONATE_RXNORM)),
    # The specification's R4 example shape: a NutritionOrder first, the medication with a
    # dosage whose doseAndRate is an object (not valid R4, as sent in the example).
    "spec-example": _bundle(
        NUTRITION,
        _bare(
            id="rx1",
            subject={"reference": "Patient/p1"},
            medicationCodeableConcept={
                "coding": [
                    {
                        "system": RXNORM,
                        "code": "46041",
                        "display": "alendronate 70 MG Oral Tablet",
                    }
                ],
                "text": "alendronate 70 MG Oral Tablet",
            },
            dosageInstruction=[
                {
                    "text": "70 mg weekly",
                    "doseAndRate": {"doseQuantity": {"value": 70, "unit": "mg"}},
                }
            ],
        ),
    ),
    # A reference naming the medicine only in its display (the Medication is on the server).
    "reference-display": _bundle(
        _bare(
            id="eRx1",
            medicationReference={
                "reference": "Medication/eMed77",
                "display": "alendronate (FOSAMAX) 70 MG tablet",
            },
            subject={"reference": "Patient/p1", "display": "Test, Patient"},
        )
    ),
    # A contained Medication coded in RxNorm.
    "contained": _bundle(
        _bare(
            id="rx1",
            contained=[{"resourceType": "Medication", "id": "m1", "code": ALENDRONATE_RXNORM}],
            medicationReference={"reference": "#m1"},
        )
    ),
    # A Medication elsewhere in the Bundle, referred to by its fullUrl.
    "bundled": {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": "urn:uuid:7d0b6a0e-2c43-4f39-9c1f-0e5b3b0f6a11",
                "resource": {"resourceType": "Medication", "code": {"text": ZOLEDRONIC_TEXT}},
            },
            {
                "resource": _bare(
                    id="rx1",
                    medicationReference={
                        "reference": "urn:uuid:7d0b6a0e-2c43-4f39-9c1f-0e5b3b0f6a11"
                    },
                )
            },
        ],
    },
    # R5 spells the medicine as a CodeableReference.
    "r5-medication": _bundle(
        _bare(id="rx1", medication={"concept": {"text": "Prolia 60 MG/ML Prefilled Syringe"}})
    ),
}


@pytest.mark.parametrize("hook", ["order-select", "order-sign"])
@pytest.mark.parametrize("shape", sorted(DRAFTS))
def test_guard_warns_on_every_draft_shape(client: TestClient, shape: str, hook: str) -> None:
    """EX-01 (persistently low ALP): every draft shape naming an antiresorptive gets the
    critical card, on order-select and order-sign alike."""
    context: dict[str, Any] = {"draftOrders": DRAFTS[shape]}
    if hook == "order-select":
        context["selections"] = ["MedicationRequest/rx1", "NutritionOrder/pureeddiet-simple"]
        if shape == "reference-display":
            context["selections"] = ["MedicationRequest/eRx1"]
    path = SELECT if hook == "order-select" else SIGN
    response = client.post(path, json=hook_call(hook, prefetch(case("EX-01")), **context))
    assert response.status_code == 200, response.text
    (card,) = response.json()["cards"]
    assert card["indicator"] == "critical"
    assert card["source"]["topic"]["code"] == "antiresorptive_guard"


def test_the_card_names_the_drug_and_cancels_the_draft(client: TestClient) -> None:
    """The subject-less draft of the issue: the card names alendronate and offers to
    delete that very draft."""
    body = hook_call(
        "order-select",
        prefetch(case("EX-01")),
        draftOrders=DRAFTS["no-subject"],
        selections=["MedicationRequest/rx1"],
    )
    (card,) = client.post(SELECT, json=body).json()["cards"]
    assert "alendronate" in card["summary"]
    (action,) = card["suggestions"][0]["actions"]
    assert action["type"] == "delete"
    assert action["resourceId"] == "MedicationRequest/rx1"


def test_a_draft_without_id_is_checked_even_with_selections(client: TestClient) -> None:
    """A draft the selections cannot name (no id, no fullUrl) is checked, not passed over;
    its card offers no delete action (there is nothing to refer to)."""
    draft = _bundle(_bare(medicationCodeableConcept=ALENDRONATE_RXNORM))
    body = hook_call("order-select", prefetch(case("EX-01")), draftOrders=draft, selections=["X/1"])
    (card,) = client.post(SELECT, json=body).json()["cards"]
    assert card["indicator"] == "critical"
    assert all(a["type"] != "delete" for s in card.get("suggestions", []) for a in s["actions"])


def test_order_select_still_looks_only_at_the_selected(client: TestClient) -> None:
    """A subject-less antiresorptive draft that is not among the selections: no card."""
    drafts = _bundle(
        _bare(id="rx1", medicationCodeableConcept=ALENDRONATE_RXNORM),
        _bare(id="rx2", medicationCodeableConcept={"text": "atorvastatin 20 MG Oral Tablet"}),
    )
    body = hook_call(
        "order-select",
        prefetch(case("EX-01")),
        draftOrders=drafts,
        selections=["MedicationRequest/rx2"],
    )
    assert client.post(SELECT, json=body).json() == {"cards": []}


@pytest.mark.parametrize(
    "draft",
    [
        _bare(id="rx1"),
        _bare(id="rx1", medicationCodeableConcept={"coding": [{"system": RXNORM}]}),
        _bare(id="rx1", medicationReference={"reference": "Medication/not-sent"}),
        _bare(id="rx1", medicationCodeableConcept="alendronate"),
    ],
    ids=["nothing", "empty-coding", "unresolved-reference", "not-an-object"],
)
def test_a_draft_naming_no_medication_gets_no_card_and_a_log_note(
    client: TestClient, draft: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """No medicine named: no card (nothing to warn about), and a warning in the log that
    says which draft could not be checked, without patient data."""
    body = hook_call("order-sign", prefetch(case("EX-01")), draftOrders=_bundle(draft))
    with caplog.at_level(logging.WARNING, logger="alkphos.api.guard"):
        response = client.post(SIGN, json=body)
    assert response.status_code == 200
    assert response.json() == {"cards": []}
    (record,) = [r for r in caplog.records if r.name == "alkphos.api.guard"]
    message = record.getMessage()
    assert message.startswith("context.draftOrders.entry[0].resource: order-sign draft")
    assert "names no medication" in message
    assert "p1" not in message


@pytest.mark.parametrize(
    ("draft_orders", "path"),
    [
        ([], "context.draftOrders"),
        ({"resourceType": "Patient"}, "context.draftOrders"),
        ({"resourceType": "Bundle", "entry": {}}, "context.draftOrders.entry"),
        ({"resourceType": "Bundle", "entry": [3]}, "context.draftOrders.entry[0]"),
    ],
)
def test_a_draft_orders_that_is_no_bundle_is_422(
    client: TestClient, draft_orders: Any, path: str
) -> None:
    """What the caller must fix is still refused, naming the path."""
    body = hook_call("order-sign", None, draftOrders=draft_orders)
    response = client.post(SIGN, json=body)
    assert response.status_code == 422
    assert response.json()["error"]["path"] == path


def test_the_reader_reads_only_the_medicine() -> None:
    """Unit level: each shape gives the drug; other request types are passed over."""
    codes = CodeIndex.of(knowledge())
    expected = {
        "no-subject": "alendronate",
        "spec-example": "alendronate",
        "reference-display": "alendronate",
        "contained": "alendronate",
        "bundled": "zoledronic_acid",
        "r5-medication": "denosumab",
    }
    for shape, drug in expected.items():
        (order,) = draft_medications(DRAFTS[shape], "context.draftOrders", codes)
        assert (order.drug, order.named) == (drug, True), shape
        assert order.path.startswith("context.draftOrders.entry[")
