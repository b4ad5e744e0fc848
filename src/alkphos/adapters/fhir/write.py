"""An interpretation -> a FHIR R4 Bundle: DiagnosticReport, the ALP Observation, DetectedIssues.

The DiagnosticReport carries the clinician summary as ``conclusion`` and the leading causes as
``conclusionCode``; the ALP Observation carries the v3 interpretation (L/N/H, LL/HH when a
critical flag applies) and the reference range used; each warning or critical flag becomes a
DetectedIssue. Ids are UUIDs derived from the content, so the same interpretation gives the
same Bundle byte for byte. The tests validate it with fhir.resources for every golden case.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from alkphos.adapters.fhir.systems import (
    ALKPHOS_CAUSE,
    ALKPHOS_FLAG,
    KB_SYSTEMS,
    LOINC,
    OBSERVATION_CATEGORY,
    UCUM,
    V2_SERVICE_SECTION,
    V3_INTERPRETATION,
)
from alkphos.knowledge.loader import Knowledge
from alkphos.model.interpretation import AlpBlock, Flag, Interpretation

__all__ = ["interpretation_bundle"]

_NAMESPACE = uuid.UUID("5b0c51a8-3c53-4f7e-9d55-6f2f3c1a7e10")
_INTERPRETATION = {
    "low": ("L", "Low"),
    "normal": ("N", "Normal"),
    "high": ("H", "High"),
    "critical-low": ("LL", "Critical low"),
    "critical-high": ("HH", "Critical high"),
}
_ISSUE_SEVERITY = {"critical": "high", "warning": "moderate"}
_TOP_CAUSES = 3


def interpretation_bundle(
    result: Interpretation, kb: Knowledge, patient_id: str | None = None
) -> dict[str, Any]:
    """The interpretation as a FHIR R4 ``collection`` Bundle (JSON-ready)."""
    digest = hashlib.sha256(result.model_dump_json().encode()).hexdigest()

    def url(role: str) -> str:
        return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{digest}:{role}')}"

    subject = {"reference": f"Patient/{patient_id}"} if patient_id else None
    resources: list[tuple[str, dict[str, Any]]] = []
    observation_url = url("alp-observation")
    if result.alp is not None:
        resources.append((observation_url, _alp_observation(result, result.alp, kb, subject)))
    issues = [flag for flag in result.flags if flag.severity in _ISSUE_SEVERITY]
    for flag in issues:
        issue = _detected_issue(result, flag, kb, subject)
        if result.alp is not None:
            issue["implicated"] = [{"reference": observation_url}]
        resources.append((url(f"issue:{flag.id}"), issue))
    report = _report(result, kb, subject)
    if result.alp is not None:
        report["result"] = [{"reference": observation_url}]
    resources.insert(0, (url("report"), report))
    return {
        "resourceType": "Bundle",
        "id": url("bundle").removeprefix("urn:uuid:"),
        "type": "collection",
        "entry": [
            {"fullUrl": full, "resource": {**resource, "id": full.removeprefix("urn:uuid:")}}
            for full, resource in resources
        ],
    }


def _alp_code(kb: Knowledge) -> dict[str, Any]:
    analyte = kb.analytes["alp"]
    coding = [{"system": LOINC, "code": code, "display": analyte.name} for code in analyte.loinc]
    return {"coding": coding, "text": analyte.name}


def _quantity(value: float) -> dict[str, Any]:
    return {"value": value, "unit": "U/L", "system": UCUM, "code": "U/L"}


def _reference(subject: dict[str, str] | None) -> dict[str, Any]:
    return {"subject": subject} if subject else {}


def _alp_observation(
    result: Interpretation, alp: AlpBlock, kb: Knowledge, subject: dict[str, str] | None
) -> dict[str, Any]:
    critical = any(flag.severity == "critical" for flag in result.flags)
    key = f"critical-{alp.status}" if critical and alp.status != "normal" else alp.status
    code, display = _INTERPRETATION[key]
    interval = alp.reference_interval
    reference: dict[str, Any] = {"text": f"{interval.basis} ({interval.source})"}
    if interval.low is not None:
        reference["low"] = _quantity(interval.low)
    if interval.high is not None:
        reference["high"] = _quantity(interval.high)
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "laboratory"}]}],
        "code": _alp_code(kb),
        **_reference(subject),
        "valueQuantity": _quantity(alp.value),
        "interpretation": [
            {"coding": [{"system": V3_INTERPRETATION, "code": code, "display": display}]}
        ],
        "referenceRange": [reference],
    }
    if alp.date:
        observation["effectiveDateTime"] = alp.date
    return observation


def _cause_concept(cause_id: str, name: str, kb: Knowledge) -> dict[str, Any]:
    coding = [{"system": ALKPHOS_CAUSE, "code": cause_id, "display": name}]
    coding += [
        {"system": KB_SYSTEMS[code.system], "code": code.code, "display": code.display}
        for code in kb.codes
        if code.cause == cause_id and not code.descendants
    ]
    return {"coding": coding, "text": name}


def _report(
    result: Interpretation, kb: Knowledge, subject: dict[str, str] | None
) -> dict[str, Any]:
    if result.differential:
        conclusions = [
            _cause_concept(cause.id, cause.name, kb) for cause in result.differential[:_TOP_CAUSES]
        ]
    elif result.alp is not None:
        code, display = _INTERPRETATION[result.alp.status]
        conclusions = [
            {"coding": [{"system": V3_INTERPRETATION, "code": code, "display": display}]}
        ]
    else:
        conclusions = []
    report: dict[str, Any] = {
        "resourceType": "DiagnosticReport",
        "status": "final",
        "category": [{"coding": [{"system": V2_SERVICE_SECTION, "code": "CH"}]}],
        "code": {
            "coding": _alp_code(kb)["coding"],
            "text": "Alkaline phosphatase interpretation",
        },
        **_reference(subject),
        "performer": [
            {"display": f"alkphos {result.alkphos_version} ({result.knowledge_version})"}
        ],
        "conclusion": result.summary.clinician,
    }
    if result.alp is not None and result.alp.date:
        report["effectiveDateTime"] = result.alp.date
    if conclusions:
        report["conclusionCode"] = conclusions
    return report


def _detected_issue(
    result: Interpretation, flag: Flag, kb: Knowledge, subject: dict[str, str] | None
) -> dict[str, Any]:
    issue: dict[str, Any] = {
        "resourceType": "DetectedIssue",
        "status": "final",
        "code": {
            "coding": [{"system": ALKPHOS_FLAG, "code": flag.id}],
            "text": kb.flags[flag.id].trigger if flag.id in kb.flags else flag.id,
        },
        "severity": _ISSUE_SEVERITY[flag.severity],
        "identifiedDateTime": result.as_of,
        "detail": flag.message,
    }
    if subject:
        issue["patient"] = subject
    return issue
