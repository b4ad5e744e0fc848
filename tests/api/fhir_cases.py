"""Turn contract cases (the golden examples) into FHIR R4 resources, Bundles and prefetch."""

from __future__ import annotations

import datetime as dt
from typing import Any

from alkphos import Knowledge, load_knowledge

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SYSTEMS = {
    "snomed": "http://snomed.info/sct",
    "icd10cm": "http://hl7.org/fhir/sid/icd-10-cm",
    "icd10": "http://hl7.org/fhir/sid/icd-10",
}


def latest_date(case: dict[str, Any]) -> dt.date:
    """The latest result date of a case."""
    return max(dt.date.fromisoformat(r["date"][:10]) for r in case["results"] if "date" in r)


def birth_date(age_years: float, on: dt.date) -> dt.date:
    """A birth date giving exactly ``age_years`` (calendar years plus a fraction) on ``on``."""
    whole = int(age_years)
    try:
        anniversary = on.replace(year=on.year - whole)
    except ValueError:  # 29 February
        anniversary = on.replace(year=on.year - whole, day=28)
    return anniversary - dt.timedelta(days=round((age_years - whole) * 365.25))


def shifted(case: dict[str, Any], latest: dt.date) -> dict[str, Any]:
    """The case with every date moved by the same number of days, the latest to ``latest``."""
    delta = latest - latest_date(case)
    results = []
    for result in case["results"]:
        moved = dict(result)
        if "date" in moved:
            moved["date"] = (dt.date.fromisoformat(moved["date"][:10]) + delta).isoformat()
        results.append(moved)
    patient = dict(case.get("patient", {}))
    if "birth_date" in patient:
        patient["birth_date"] = (dt.date.fromisoformat(patient["birth_date"]) + delta).isoformat()
    return {**case, "patient": patient, "results": results}


def resources(
    case: dict[str, Any],
    patient_id: str = "p1",
    kb: Knowledge | None = None,
    medication: str = "MedicationStatement",
) -> dict[str, list[dict[str, Any]]]:
    """The case as FHIR resources: patient, observations, medications, conditions."""
    kb = kb or load_knowledge()
    info = case.get("patient", {})
    subject = {"reference": f"Patient/{patient_id}"}
    patient: dict[str, Any] = {"resourceType": "Patient", "id": patient_id}
    if info.get("sex") in ("female", "male"):
        patient["gender"] = info["sex"]
    on = latest_date(case)
    if "age_years" in info:
        patient["birthDate"] = birth_date(info["age_years"], on).isoformat()
    elif "birth_date" in info:
        patient["birthDate"] = info["birth_date"]
    observations = [
        _observation(result, index, subject, kb) for index, result in enumerate(case["results"])
    ]
    if info.get("pregnancy_weeks") is not None:
        observations.append(
            {
                "resourceType": "Observation",
                "id": "gestation",
                "status": "final",
                "code": {"coding": [{"system": LOINC, "code": "11884-4"}]},
                "subject": subject,
                "effectiveDateTime": on.isoformat(),
                "valueQuantity": {
                    "value": info["pregnancy_weeks"],
                    "unit": "wk",
                    "system": UCUM,
                    "code": "wk",
                },
            }
        )
    medications = [
        _medication(name, index, subject, kb, medication)
        for index, name in enumerate(case.get("medications", []))
    ]
    conditions = [
        _condition(name, index, subject, kb) for index, name in enumerate(case.get("findings", []))
    ]
    return {
        "patient": [patient],
        "observations": observations,
        "medications": medications,
        "conditions": conditions,
    }


def bundle(
    case: dict[str, Any], patient_id: str = "p1", bundle_type: str = "collection"
) -> dict[str, Any]:
    """The case as one FHIR Bundle."""
    parts = resources(case, patient_id)
    every = [
        r for key in ("patient", "observations", "medications", "conditions") for r in parts[key]
    ]
    return {
        "resourceType": "Bundle",
        "type": bundle_type,
        "entry": [
            {"fullUrl": f"urn:uuid:00000000-0000-4000-8000-{index:012d}", "resource": resource}
            for index, resource in enumerate(every)
        ],
    }


def searchset(items: list[dict[str, Any]]) -> dict[str, Any]:
    """A searchset Bundle of resources, as a FHIR server answers a search."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(items),
        "entry": [{"resource": item, "search": {"mode": "match"}} for item in items],
    }


def prefetch(case: dict[str, Any], patient_id: str = "p1") -> dict[str, Any]:
    """The prefetch of the alkphos services for a case."""
    parts = resources(case, patient_id, medication="MedicationRequest")
    return {
        "patient": parts["patient"][0],
        "observations": searchset(parts["observations"]),
        "medications": searchset(parts["medications"]),
        "conditions": searchset(parts["conditions"]),
    }


def _observation(
    result: dict[str, Any], index: int, subject: dict[str, str], kb: Knowledge
) -> dict[str, Any]:
    analyte = kb.find_analyte(result["test"])
    codes = kb.analytes[analyte].loinc if analyte else []
    code: dict[str, Any] = {"text": result["test"]}
    if codes:
        code["coding"] = [{"system": LOINC, "code": codes[0]}]
    unit = result.get("unit") or (kb.analytes[analyte].unit if analyte else None)
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "id": f"obs{index}",
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "laboratory",
                    }
                ]
            }
        ],
        "code": code,
        "subject": subject,
        "valueQuantity": {"value": result["value"], "unit": unit, "system": UCUM, "code": unit},
    }
    if "date" in result:
        observation["effectiveDateTime"] = result["date"]
    limits = {}
    for key, bound in (("reference_low", "low"), ("reference_high", "high")):
        if key in result:
            limits[bound] = {"value": result[key], "unit": unit, "system": UCUM, "code": unit}
    if limits:
        observation["referenceRange"] = [limits]
    return observation


def _medication(
    name: str, index: int, subject: dict[str, str], kb: Knowledge, kind: str
) -> dict[str, Any]:
    drug = kb.find_drug(name)
    concept: dict[str, Any] = {"text": name}
    if drug and kb.drugs[drug].rxnorm:
        concept["coding"] = [{"system": RXNORM, "code": kb.drugs[drug].rxnorm[0]}]
    resource = {
        "resourceType": kind,
        "id": f"med{index}",
        "status": "active",
        "medicationCodeableConcept": concept,
        "subject": subject,
    }
    if kind == "MedicationRequest":
        resource["intent"] = "order"
    return resource


def draft_orders(*orders: dict[str, Any]) -> dict[str, Any]:
    """A draftOrders Bundle of MedicationRequests, each given as its medication concept."""
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "resource": {
                    "resourceType": "MedicationRequest",
                    "id": f"draft{index}",
                    "status": "draft",
                    "intent": "order",
                    "subject": {"reference": "Patient/p1"},
                    "medicationCodeableConcept": concept,
                }
            }
            for index, concept in enumerate(orders)
        ],
    }


def _condition(name: str, index: int, subject: dict[str, str], kb: Knowledge) -> dict[str, Any]:
    finding = kb.find_finding(name)
    codes = [c for c in kb.codes if finding and c.finding == finding and not c.descendants]
    concept: dict[str, Any] = {"text": kb.findings[finding].name if finding else name}
    if codes:
        concept["coding"] = [
            {"system": SYSTEMS[c.system], "code": c.code, "display": c.display} for c in codes
        ]
    return {
        "resourceType": "Condition",
        "id": f"cond{index}",
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "code": concept,
        "subject": subject,
    }
