"""CDS Hooks 2.0: discovery, the services with prefetch and via fhirServer, 412, feedback."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fhir.resources.R4B.servicerequest import ServiceRequest

from tests.api.conftest import CASES, FHIR_TOKEN, LATEST, TODAY, FhirServer
from tests.api.fhir_cases import draft_orders, prefetch, resources, searchset, shifted

VIEW = "/cds-services/alkphos-patient-view"
SIGN = "/cds-services/alkphos-antiresorptive-guard-sign"
SELECT = "/cds-services/alkphos-antiresorptive-guard-select"
ALENDRONATE = {
    "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "46041"}],
    "text": "alendronate 70 MG Oral Tablet",
}
PROLIA = {"text": "Prolia 60 MG/ML Prefilled Syringe"}
ATORVASTATIN = {"text": "atorvastatin 20 MG Oral Tablet"}

# The cards a clinician should see for each example case (card types, in order).
EXPECTED = {
    "EX-01": ["persistently_low_alp", "avoid_antiresorptives"],
    "EX-02": ["unexplained_low_alp", "avoid_antiresorptives"],
    "EX-03": ["unexplained_low_alp", "avoid_antiresorptives"],
    # Issue 18: the Wilson ratio is checked in a child too (ALP/bilirubin alone, with its
    # caveat): this boy's fulminant liver failure was Wilson disease.
    "EX-04": ["acute_liver_failure", "wilson_acute_liver_failure"],
    "EX-05": [],
    "EX-06": ["possible_obstruction"],
    "EX-07": [],
    "EX-08": [],
    "EX-09": [],
    "EX-10": ["treat_osteomalacia_before_antiresorptive"],
    "EX-11": [],
    "EX-12": ["possible_edta_contamination"],
    "EX-13": [],
    "EX-14": [],
    "EX-15": [],
}


def case(case_id: str) -> dict[str, Any]:
    """An example case moved in time so that its latest result is a week before today."""
    return shifted(CASES[case_id]["case"], LATEST)


def hook_call(hook: str, data: dict[str, Any] | None, **context: Any) -> dict[str, Any]:
    """A CDS Hooks request body."""
    body: dict[str, Any] = {
        "hook": hook,
        "hookInstance": f"hook-{hook}-{len(json.dumps(data or {}))}-{sorted(context)}",
        "context": {"userId": "Practitioner/example", "patientId": "p1", **context},
    }
    if data is not None:
        body["prefetch"] = data
    return body


def check_card(card: dict[str, Any]) -> None:
    """A card as CDS Hooks 2.0 defines it, with valid FHIR in its suggestions."""
    assert len(card["summary"]) < 140
    assert card["indicator"] in ("info", "warning", "critical")
    assert card["source"]["label"]
    assert card["source"]["topic"]["system"] == "urn:alkphos:card"
    assert card["detail"].startswith("**ALP ")
    assert "null" not in json.dumps(card)  # optional fields are left out, never null
    assert ("suggestions" in card) == ("selectionBehavior" in card)
    for suggestion in card.get("suggestions", []):
        assert suggestion["label"]
        assert suggestion["actions"]
        for action in suggestion["actions"]:
            if action["type"] == "create":
                ServiceRequest.model_validate(action["resource"])
                assert action["resource"]["subject"] == {"reference": "Patient/p1"}
            else:
                assert action["resourceId"].startswith("MedicationRequest/")
    (link,) = card["links"]
    assert link["type"] == "absolute"
    assert "/interpretations/" in link["url"]


def test_discovery_lists_every_service(api: Any) -> None:
    """Discovery names the three services with hook, title, description and prefetch."""
    services = {s["id"]: s for s in api.get("/cds-services").json()["services"]}
    assert {services[k]["hook"] for k in services} == {"patient-view", "order-select", "order-sign"}
    assert set(services) == {
        "alkphos-patient-view",
        "alkphos-antiresorptive-guard-select",
        "alkphos-antiresorptive-guard-sign",
    }
    view = services["alkphos-patient-view"]
    assert view["title"]
    assert view["description"]
    assert view["prefetch"]["patient"] == "Patient/{{context.patientId}}"
    observations = view["prefetch"]["observations"]
    assert observations.startswith("Observation?patient={{context.patientId}}&code=6768-6,")
    assert f"date=ge{TODAY.replace(year=TODAY.year - 3).isoformat()}" in observations
    assert "MedicationRequest?patient={{context.patientId}}" in view["prefetch"]["medications"]
    assert "Condition?patient={{context.patientId}}" in view["prefetch"]["conditions"]
    for service in services.values():
        assert service["prefetch"]["encounter"] == (
            "Encounter?_id={{context.encounterId}}&_include=Encounter:location"
        )


@pytest.mark.parametrize("case_id", sorted(EXPECTED))
def test_patient_view_cards_for_each_example(client: Any, case_id: str) -> None:
    """Each example case gets exactly the cards a clinician should see; silence otherwise."""
    response = client.post(VIEW, json=hook_call("patient-view", prefetch(case(case_id))))
    assert response.status_code == 200, response.text
    cards = response.json()["cards"]
    assert [c["source"]["topic"]["code"] for c in cards] == EXPECTED[case_id]
    for card in cards:
        check_card(card)
    assert len({card["uuid"] for card in cards}) == len(cards)


def test_patient_view_over_real_http_and_link(server: str) -> None:
    """Through uvicorn: cards for EX-01, suggestions of the tests recommended, a working link."""
    response = httpx.post(
        f"{server}{VIEW}", json=hook_call("patient-view", prefetch(case("EX-01"))), timeout=30
    )
    assert response.status_code == 200
    persistent, guard = response.json()["cards"]
    assert persistent["indicator"] == "warning"
    assert "persistently low" in persistent["summary"]
    assert "Hypophosphatasia" in persistent["detail"]
    labels = [s["label"] for s in guard["suggestions"]]
    assert labels == ["Order Urine phosphoethanolamine", "Order ALPL gene sequencing"]
    # PLP is raised, so ALPL sequencing decides and is the one recommended (issue 18).
    recommended = [s["label"] for s in guard["suggestions"] if s.get("isRecommended")]
    assert recommended == ["Order ALPL gene sequencing"]
    link = persistent["links"][0]["url"]
    assert link.startswith(server + "/interpretations/")
    shown = httpx.get(link, headers={"Accept": "application/json"}, timeout=30).json()
    assert shown["alp"]["value"] == 23
    assert shown["as_of"] == TODAY.isoformat()
    assert shown["flags"][0]["id"] == "persistently_low_alp"


def test_no_prefetch_and_no_fhir_server_is_412(api: Any) -> None:
    """Without the required prefetch and without fhirServer the answer is 412."""
    response = api.post(VIEW, json=hook_call("patient-view", None))
    assert response.status_code == 412
    assert "observations" in response.json()["error"]["problem"]
    partial = {"patient": prefetch(case("EX-01"))["patient"]}
    assert api.post(VIEW, json=hook_call("patient-view", partial)).status_code == 412


def test_optional_prefetch_may_be_missing_and_null_means_no_data(api: Any) -> None:
    """Medications and conditions may be left out; a null key means the EHR has no data."""
    data = prefetch(case("EX-01"))
    trimmed = {"patient": data["patient"], "observations": data["observations"]}
    response = api.post(VIEW, json=hook_call("patient-view", trimmed))
    assert response.status_code == 200
    assert len(response.json()["cards"]) == 2
    empty = {**data, "observations": None}
    response = api.post(VIEW, json=hook_call("patient-view", empty))
    assert response.json() == {"cards": []}


def _load(fhir: FhirServer, patient_id: str, case_id: str) -> None:
    parts = resources(case(case_id), patient_id, medication="MedicationRequest")
    fhir.data[patient_id] = parts


def test_fhir_server_path_gives_the_cards_of_the_same_data(api: Any, fhir: FhirServer) -> None:
    """No prefetch: the service fetches from fhirServer with the token, following pages."""
    _load(fhir, "p1", "EX-02")
    fhir.seen.clear()
    body = hook_call("patient-view", None)
    body["fhirServer"] = fhir.url
    body["fhirAuthorization"] = {
        "access_token": FHIR_TOKEN,
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "patient/*.read",
        "subject": "alkphos",
    }
    fetched = api.post(VIEW, json=body)
    assert fetched.status_code == 200, fetched.text
    same = {
        **hook_call("patient-view", prefetch(case("EX-02"))),
        "hookInstance": body["hookInstance"],
    }
    prefetched = api.post(VIEW, json=same)
    assert fetched.json() == prefetched.json()
    assert len(fetched.json()["cards"]) == 2
    paths = [urlsplit(url).path for url in fhir.seen]
    assert sorted(set(paths)) == [
        "/fhir/Condition",
        "/fhir/MedicationRequest",
        "/fhir/Observation",
        "/fhir/Patient/p1",
    ]
    assert any("_offset=4" in url for url in fhir.seen)  # the next page was followed
    assert any("date=ge2022-03-01" in url for url in fhir.seen)


def test_an_optional_key_the_fhir_server_cannot_give_is_said_not_dropped(
    api: Any, fhir: FhirServer
) -> None:
    """Medicines cannot be fetched (HTTP 500): the cards still come, and the interpretation
    behind their link says the medicines were not considered."""
    _load(fhir, "p1", "EX-02")
    fhir.data["p1"]["broken"] = [{"kind": "MedicationRequest"}]
    try:
        body = hook_call("patient-view", None)
        body["fhirServer"] = fhir.url
        body["fhirAuthorization"] = {"access_token": FHIR_TOKEN, "token_type": "Bearer"}
        answer = api.post(VIEW, json=body)
        assert answer.status_code == 200, answer.text
        link = answer.json()["cards"][0]["links"][0]["url"]
        shown = api.get(urlsplit(link).path, headers={"Accept": "application/json"})
        assert shown.status_code == 200, shown.text
        notes = shown.json()["not_understood"]
        assert (
            "prefetch.medications: could not be fetched from the FHIR server (the server "
            "answered HTTP 500); the interpretation was made without it"
        ) in notes
    finally:
        del fhir.data["p1"]["broken"]


def test_fhir_server_fetches_only_what_is_missing(api: Any, fhir: FhirServer) -> None:
    """With a partial prefetch only the missing keys are fetched."""
    _load(fhir, "p1", "EX-01")
    fhir.seen.clear()
    data = prefetch(case("EX-01"))
    body = hook_call(
        "patient-view", {"patient": data["patient"], "observations": data["observations"]}
    )
    body["fhirServer"] = fhir.url
    body["fhirAuthorization"] = {"access_token": FHIR_TOKEN, "token_type": "Bearer"}
    assert api.post(VIEW, json=body).status_code == 200
    assert sorted({urlsplit(url).path for url in fhir.seen}) == [
        "/fhir/Condition",
        "/fhir/MedicationRequest",
    ]


def test_fhir_server_refusing_the_token_is_412(api: Any, fhir: FhirServer) -> None:
    """A FHIR server that refuses the token leaves the required data missing: 412."""
    _load(fhir, "p1", "EX-01")
    body = hook_call("patient-view", None)
    body["fhirServer"] = fhir.url
    body["fhirAuthorization"] = {"access_token": "wrong", "token_type": "Bearer"}
    assert api.post(VIEW, json=body).status_code == 412


@pytest.mark.parametrize("concept", [ALENDRONATE, PROLIA], ids=["rxnorm", "brand-text"])
def test_guard_warns_on_antiresorptive_when_hpp_is_possible(api: Any, concept: Any) -> None:
    """order-sign of alendronate (RxNorm) or Prolia (text) for EX-01: one critical card."""
    body = hook_call("order-sign", prefetch(case("EX-01")), draftOrders=draft_orders(concept))
    response = api.post(SIGN, json=body)
    assert response.status_code == 200, response.text
    (card,) = response.json()["cards"]
    check_card(card)
    assert card["indicator"] == "critical"
    assert card["source"]["topic"]["code"] == "antiresorptive_guard"
    assert "reconsider" in card["summary"]
    reasons = card["overrideReasons"]
    assert len(reasons) >= 3
    assert all(r["display"] and r["system"] == "urn:alkphos:override-reason" for r in reasons)
    cancel = card["suggestions"][0]["actions"][0]
    assert cancel == {
        "type": "delete",
        "description": cancel["description"],
        "resourceId": "MedicationRequest/draft0",
    }


@pytest.mark.parametrize(
    ("case_id", "concept"),
    [("EX-09", ALENDRONATE), ("EX-05", PROLIA), ("EX-01", ATORVASTATIN)],
    ids=["normal-alp", "high-alp", "other-drug"],
)
def test_guard_is_silent_otherwise(api: Any, case_id: str, concept: Any) -> None:
    """No card for a normal or high ALP, nor for a drug that is not an antiresorptive."""
    body = hook_call("order-sign", prefetch(case(case_id)), draftOrders=draft_orders(concept))
    response = api.post(SIGN, json=body)
    assert response.status_code == 200
    assert response.json() == {"cards": []}


def test_guard_needs_no_data_when_no_antiresorptive_is_ordered(api: Any) -> None:
    """A non-antiresorptive order is answered at once, without prefetch or fhirServer."""
    body = hook_call("order-sign", None, draftOrders=draft_orders(ATORVASTATIN))
    assert api.post(SIGN, json=body).json() == {"cards": []}
    body = hook_call("order-sign", None, draftOrders=draft_orders(ALENDRONATE))
    assert api.post(SIGN, json=body).status_code == 412


def test_order_select_looks_at_the_selected_orders(api: Any) -> None:
    """order-select warns only when the antiresorptive is among the selections."""
    orders = draft_orders(ATORVASTATIN, ALENDRONATE)
    data = prefetch(case("EX-01"))
    body = hook_call(
        "order-select", data, draftOrders=orders, selections=["MedicationRequest/draft0"]
    )
    assert api.post(SELECT, json=body).json() == {"cards": []}
    body = hook_call(
        "order-select", data, draftOrders=orders, selections=["MedicationRequest/draft1"]
    )
    (card,) = api.post(SELECT, json=body).json()["cards"]
    assert card["indicator"] == "critical"


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        (VIEW, {"hook": "order-sign", "hookInstance": "x", "context": {"patientId": "p1"}}, 422),
        (VIEW, {"hook": "patient-view", "hookInstance": "x", "context": {}}, 422),
        (VIEW, {"hook": "patient-view", "context": {"patientId": "p1"}}, 422),
        (SIGN, {"hook": "order-sign", "hookInstance": "x", "context": {"patientId": "p1"}}, 422),
        (
            "/cds-services/nope",
            {"hook": "patient-view", "hookInstance": "x", "context": {"patientId": "p1"}},
            404,
        ),
        (
            VIEW,
            {
                "hook": "patient-view",
                "hookInstance": "x",
                "context": {"patientId": "p1"},
                "fhirAuthorization": {"access_token": "t"},
            },
            422,
        ),
        (
            VIEW,
            {
                "hook": "patient-view",
                "hookInstance": "x",
                "context": {"patientId": "p1"},
                "fhirServer": "http://ehr.example.org/fhir",
            },
            422,
        ),
    ],
)
def test_bad_hook_calls(api: Any, path: str, body: Any, status: int) -> None:
    """Wrong hook, missing patientId, hookInstance or draftOrders, unknown service, token
    without server, plain http to a remote FHIR server: each a clear 4xx."""
    response = api.post(path, json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"]["problem"]


def test_invalid_prefetch_fhir_is_422_with_the_path(api: Any) -> None:
    """Invalid FHIR in the prefetch is a 422 naming the prefetch path."""
    data = prefetch(case("EX-01"))
    data["observations"]["entry"][0]["resource"]["valueQuantity"]["value"] = "low"
    response = api.post(VIEW, json=hook_call("patient-view", data))
    assert response.status_code == 422
    assert response.json()["error"]["path"] == (
        "prefetch.observations.entry[0].resource.valueQuantity.value"
    )


def test_feedback_is_recorded_and_summarised(api: Any) -> None:
    """Accepted and overridden feedback, with reasons, is counted per card type."""
    view = api.post(VIEW, json=hook_call("patient-view", prefetch(case("EX-12")))).json()
    (edta,) = view["cards"]
    guard_body = hook_call("order-sign", prefetch(case("EX-02")), draftOrders=draft_orders(PROLIA))
    (guard,) = api.post(SIGN, json=guard_body).json()["cards"]
    before = {
        (c["service"], c["card_type"]): c
        for c in api.get("/v1/feedback/summary").json()["card_types"]
    }
    accepted = {
        "card": edta["uuid"],
        "outcome": "accepted",
        "acceptedSuggestions": [{"id": edta["suggestions"][0]["uuid"]}],
        "outcomeTimestamp": "2025-03-01T10:00:00Z",
    }
    reason = guard["overrideReasons"][0]
    overridden = {
        "card": guard["uuid"],
        "outcome": "overridden",
        "overrideReason": {"reason": reason, "userComment": "patient details here"},
        "outcomeTimestamp": "2025-03-01T10:01:00Z",
    }
    assert api.post(f"{VIEW}/feedback", json={"feedback": [accepted]}).json() == {"recorded": 1}
    assert api.post(f"{SIGN}/feedback", json={"feedback": [overridden]}).json() == {"recorded": 1}
    after = {
        (c["service"], c["card_type"]): c
        for c in api.get("/v1/feedback/summary").json()["card_types"]
    }
    key = ("alkphos-patient-view", "possible_edta_contamination")
    assert after[key]["accepted"] == before.get(key, {}).get("accepted", 0) + 1
    assert after[key]["issued"] >= 1
    key = ("alkphos-antiresorptive-guard-sign", "antiresorptive_guard")
    assert after[key]["overridden"] == before.get(key, {}).get("overridden", 0) + 1
    codes = {r["code"]: r for r in after[key]["override_reasons"]}
    assert codes[reason["code"]]["display"] == reason["display"]


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        (f"{VIEW}/feedback", {"feedback": [{"card": "x", "outcome": "maybe"}]}, 422),
        (f"{VIEW}/feedback", {"nothing": []}, 422),
        ("/cds-services/nope/feedback", {"feedback": []}, 404),
    ],
)
def test_bad_feedback(api: Any, path: str, body: Any, status: int) -> None:
    """Malformed feedback is 422; feedback to an unknown service is 404."""
    assert api.post(path, json=body).status_code == status


def test_marked_rise_gets_a_card(api: Any) -> None:
    """An ALP that rose beyond the meaningful change to above the upper limit: a card."""
    rising = {
        "patient": {"age_years": 55, "sex": "female"},
        "results": [
            {"test": "ALP", "value": 90, "unit": "U/L", "date": "2024-06-01"},
            {"test": "ALP", "value": 240, "unit": "U/L", "date": "2025-02-20"},
            {"test": "GGT", "value": 25, "unit": "U/L", "date": "2025-02-20"},
        ],
    }
    response = api.post(VIEW, json=hook_call("patient-view", prefetch(rising)))
    cards = response.json()["cards"]
    kinds = [card["source"]["topic"]["code"] for card in cards]
    assert "marked_rise" in kinds
    card = cards[kinds.index("marked_rise")]
    check_card(card)
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("ALP rose 2.67x to 240 U/L")


def test_summaries_are_cut_under_140_characters() -> None:
    """A long summary is cut at a word boundary, under 140 characters."""
    from alkphos.api.cds.cards import fit

    text = "word " * 60
    assert len(fit(text)) < 140
    assert fit(text).endswith("…")
    assert fit("short") == "short"


def test_cards_name_only_supported_causes(client: Any) -> None:
    """Issue 14: a card never lists an unsupported cause as likely; with none supported it
    says that no cause stands out."""

    def details(results: list[tuple[float, str]]) -> str:
        rows = [{"test": "ALP", "value": v, "unit": "U/L", "date": d} for v, d in results]
        lone = {"patient": {"age_years": 33, "sex": "male"}, "results": rows}
        response = client.post(VIEW, json=hook_call("patient-view", prefetch(lone)))
        assert response.status_code == 200, response.text
        return " ".join(card["detail"] for card in response.json()["cards"])

    once = details([(30, LATEST.isoformat())])
    assert "Most likely causes" not in once
    assert "No cause stands out" in once
    persistent = details([(30, LATEST.isoformat()), (31, "2020-01-02")])
    assert "Causes the results support" in persistent
    assert "Hypophosphatasia" in persistent


ICU_ENCOUNTER = {
    "resourceType": "Encounter",
    "id": "e1",
    "status": "in-progress",
    "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
    "subject": {"reference": "Patient/p1"},
    "location": [{"location": {"reference": "Location/icu"}, "status": "active"}],
}
ICU_LOCATION = {
    "resourceType": "Location",
    "id": "icu",
    "type": [
        {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": "ICU"}]}
    ],
}


def _interpretation_behind(api: Any, answer: Any) -> dict[str, Any]:
    link = answer.json()["cards"][0]["links"][0]["url"]
    shown = api.get(urlsplit(link).path, headers={"Accept": "application/json"})
    assert shown.status_code == 200, shown.text
    return dict(shown.json())


def test_the_context_encounter_gives_the_setting(api: Any) -> None:
    """patient-view with encounterId and the encounter prefetch (an inpatient Encounter at
    an ICU Location): the interpretation behind the card is read in intensive care; without
    the encounter it is read with the setting unknown."""
    data = prefetch(case("EX-02"))
    with_encounter = {**data, "encounter": searchset([ICU_ENCOUNTER, ICU_LOCATION])}
    answer = api.post(VIEW, json=hook_call("patient-view", with_encounter, encounterId="e1"))
    assert answer.status_code == 200, answer.text
    assert _interpretation_behind(api, answer)["inputs"]["setting"] == "intensive_care"
    plain = api.post(VIEW, json=hook_call("patient-view", data))
    assert _interpretation_behind(api, plain)["inputs"]["setting"] == "unknown"


def test_the_encounter_is_fetched_only_when_the_hook_names_one(api: Any, fhir: FhirServer) -> None:
    """Via fhirServer: with encounterId the Encounter and its locations are searched for
    and give the setting; without one nothing is asked and nothing is noted."""
    _load(fhir, "p1", "EX-02")
    fhir.data["p1"]["encounters"] = [ICU_ENCOUNTER]
    fhir.data["p1"]["locations"] = [ICU_LOCATION]
    auth = {"access_token": FHIR_TOKEN, "token_type": "Bearer"}
    fhir.seen.clear()
    body = {**hook_call("patient-view", None, encounterId="e1"), "fhirServer": fhir.url}
    answer = api.post(VIEW, json={**body, "fhirAuthorization": auth})
    assert answer.status_code == 200, answer.text
    assert any(urlsplit(url).path == "/fhir/Encounter" and "_id=e1" in url for url in fhir.seen)
    shown = _interpretation_behind(api, answer)
    assert shown["inputs"]["setting"] == "intensive_care"
    fhir.seen.clear()
    body = {**hook_call("patient-view", None), "fhirServer": fhir.url}
    answer = api.post(VIEW, json={**body, "fhirAuthorization": auth})
    assert not any(urlsplit(url).path == "/fhir/Encounter" for url in fhir.seen)
    shown = _interpretation_behind(api, answer)
    assert shown["inputs"]["setting"] == "unknown"
    assert not any("encounter" in note for note in shown["not_understood"])
