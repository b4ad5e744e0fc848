"""FHIR R4 in: what the reader uses, and that everything else is noted, never dropped."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from alkphos import InputError, load_knowledge
from alkphos.adapters.fhir import interpret_fhir, read_bundle
from tests.api.conftest import CASES
from tests.api.fhir_cases import bundle

KB = load_knowledge()
SUBJECT = {"reference": "Patient/p1"}


def ex01() -> dict[str, Any]:
    """The EX-01 case as a collection Bundle."""
    return bundle(CASES["EX-01"]["case"])


def add(document: dict[str, Any], resource: dict[str, Any]) -> dict[str, Any]:
    """The Bundle with one more resource."""
    changed = copy.deepcopy(document)
    changed["entry"].append({"resource": resource})
    return changed


def observation(code: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A final Observation of p1 on 2016-09-20."""
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": code,
        "subject": SUBJECT,
        "effectiveDateTime": "2016-09-20",
        **fields,
    }


def notes_of(document: dict[str, Any]) -> list[str]:
    """What the interpretation lists as not understood."""
    return interpret_fhir(read_bundle(document, KB)).not_understood


ALP = {"coding": [{"system": "http://loinc.org", "code": "6768-6"}]}
UL = {"value": 30, "unit": "U/L", "system": "http://unitsofmeasure.org", "code": "U/L"}


@pytest.mark.parametrize(
    ("resource", "words"),
    [
        (
            observation(
                {"coding": [{"system": "http://loinc.org", "code": "0000-0"}]}, valueQuantity=UL
            ),
            "not a test alkphos knows",
        ),
        (observation(ALP, valueString="low"), "no valueQuantity"),
        (observation(ALP, valueQuantity={**UL, "comparator": "<"}), "is a bound"),
        (
            observation(ALP, valueQuantity=UL, status="entered-in-error"),
            "status 'entered-in-error'",
        ),
        (
            observation(ALP, valueQuantity=UL, subject={"reference": "Patient/other"}),
            "another patient",
        ),
        (
            observation(
                ALP,
                valueQuantity=UL,
                referenceRange=[{"low": {"value": 0.6, "unit": "ukat/L", "code": "ukat/L"}}],
            ),
            "the laboratory's limits were not used",
        ),
        (
            observation(
                ALP,
                valueQuantity=UL,
                referenceRange=[
                    {"low": {"value": 40, "unit": "U/L"}, "age": {"low": {"value": 60}}}
                ],
            ),
            "the knowledge base's interval was used instead",
        ),
        (
            {"resourceType": "Procedure", "status": "completed", "subject": SUBJECT},
            "a Procedure resource is not read by alkphos",
        ),
        (
            {
                "resourceType": "MedicationStatement",
                "status": "active",
                "subject": SUBJECT,
                "medicationCodeableConcept": {"text": "unobtainium 5 mg"},
            },
            "'unobtainium 5 mg' is not a medicine alkphos knows",
        ),
        (
            {
                "resourceType": "MedicationStatement",
                "status": "not-taken",
                "subject": SUBJECT,
                "medicationCodeableConcept": {"text": "alendronate"},
            },
            "status 'not-taken'",
        ),
        (
            {
                "resourceType": "Condition",
                "subject": SUBJECT,
                "code": {
                    "coding": [{"system": "http://snomed.info/sct", "code": "1"}],
                    "text": "Thing",
                },
            },
            "'Thing' is not a condition the rules use",
        ),
        (
            {
                "resourceType": "Condition",
                "subject": SUBJECT,
                "code": {
                    "coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E03.9"}]
                },
            },
            "recorded diagnosis of",
        ),
        (
            {
                "resourceType": "Condition",
                "subject": SUBJECT,
                "clinicalStatus": {"coding": [{"code": "resolved"}]},
                "code": {"text": "jaundice"},
            },
            "clinical status 'resolved'",
        ),
    ],
)
def test_what_is_not_used_is_noted(resource: dict[str, Any], words: str) -> None:
    """Every resource the reader cannot use is named in not_understood, with the reason."""
    notes = notes_of(add(ex01(), resource))
    assert any(words in note and note.startswith("entry[") for note in notes), notes


def test_partial_date_keeps_the_value_undated() -> None:
    """A month-only date is noted and the result kept without a date."""
    document = add(ex01(), observation(ALP, valueQuantity=UL, effectiveDateTime="2016-09"))
    read = read_bundle(document, KB)
    assert read.case is not None
    assert {"test": "6768-6", "value": 30.0, "unit": "U/L"} in read.case["results"] or any(
        r.get("value") == 30.0 and "date" not in r for r in read.case["results"]
    )
    assert any("is not a full date" in note for note in read.notes)


def test_codes_and_references_are_understood() -> None:
    """ICD-10 finding codes, Medication references and gestational age are read."""
    document = add(
        ex01(),
        {
            "resourceType": "Condition",
            "subject": SUBJECT,
            "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "K08.0"}]},
        },
    )
    document = add(
        document, {"resourceType": "Medication", "id": "m1", "code": {"text": "Fosamax"}}
    )
    document = add(
        document,
        {
            "resourceType": "MedicationRequest",
            "status": "active",
            "intent": "order",
            "subject": SUBJECT,
            "medicationReference": {"reference": "Medication/m1"},
        },
    )
    read = read_bundle(document, KB)
    assert read.case is not None
    assert "early_tooth_loss" in read.case["findings"]
    assert read.case["medications"] == ["Alendronate"]
    result = interpret_fhir(read)
    assert "antiresorptive_therapy" in [cause.id for cause in result.differential]


def test_gestational_age_becomes_pregnancy_weeks() -> None:
    """A gestational-age Observation gives pregnancy_weeks at the latest result."""
    case = CASES["EX-08"]["case"]
    read = read_bundle(bundle(case), KB)
    assert read.case is not None
    assert read.case["patient"]["pregnancy_weeks"] == case["patient"]["pregnancy_weeks"]


def test_two_patients_are_refused() -> None:
    """A Bundle with two different patients is a 422 naming the second."""
    document = add(ex01(), {"resourceType": "Patient", "id": "p2"})
    with pytest.raises(InputError) as caught:
        read_bundle(document, KB)
    assert caught.value.path == f"entry[{len(document['entry']) - 1}].resource"


def test_no_patient_is_noted() -> None:
    """Without a Patient the case has no age or sex, and says so."""
    document = ex01()
    document["entry"] = document["entry"][1:]
    assert "no Patient resource: age and sex are unknown" in notes_of(document)


def test_two_subjects_without_a_patient_are_refused() -> None:
    """Without a Patient, resources of two different patients are a 422."""
    document = ex01()
    document["entry"] = document["entry"][1:]
    document["entry"][-1]["resource"]["subject"] = {"reference": "Patient/p2"}
    with pytest.raises(InputError) as caught:
        read_bundle(document, KB)
    assert caught.value.path.endswith(".resource.subject")


def test_nothing_readable_is_422() -> None:
    """A Bundle without one usable Observation is a 422 that says what was set aside."""
    document = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": observation(ALP, valueString="low")}],
    }
    with pytest.raises(InputError) as caught:
        interpret_fhir(read_bundle(document, KB))
    assert caught.value.path == "$"
    assert "no valueQuantity" in caught.value.problem
