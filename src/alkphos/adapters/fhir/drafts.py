"""The medicines named by draft orders (CDS Hooks ``draftOrders``), read from plain JSON.

A draft order is incomplete by nature: ``order-select`` fires as soon as a medicine is
picked, before the dose, the subject or anything else a signed order needs (CDS Hooks 2.0,
order-select: "CDS services should expect some of the order information to not yet be
specified"). So a draft is not validated as a final FHIR resource; only what names its
medicine is read, the way every FHIR version and the EHRs spell it:

- ``medicationCodeableConcept`` (R4, STU3, DSTU2), or R5's ``medication.concept``;
- ``medicationReference`` (R5: ``medication.reference``) to a contained Medication
  (``#id``), to a Medication in the same Bundle (``Medication/id`` or its ``fullUrl``),
  else the reference's ``display``;
- RxNorm codings first, then the text, then the codings' displays.

Other request types (ServiceRequest, NutritionOrder, ...) are passed over. A structural
problem a caller must fix (``draftOrders`` not a Bundle, ``entry`` not an array) raises
``InputError``; within a draft, an element of the wrong shape is simply not a name.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from alkphos.adapters.fhir.codes import CodeIndex
from alkphos.errors import InputError

__all__ = ["DraftMedication", "draft_medications"]

# MedicationOrder is the DSTU2 name of MedicationRequest; CDS Hooks is FHIR-version agnostic.
MEDICATION_ORDERS = ("MedicationRequest", "MedicationOrder")


@dataclass(frozen=True, slots=True)
class DraftMedication:
    """One draft medication order: where it is, how it is referred to, what it names.

    ``drug`` is the knowledge-base drug id (None: a medicine alkphos does not know);
    ``named`` is False when the draft names no medicine at all.
    """

    path: str
    reference: str
    drug: str | None
    named: bool


def draft_medications(bundle: Any, path: str, codes: CodeIndex) -> list[DraftMedication]:
    """Every medication order of a ``draftOrders`` Bundle, with the medicine it names."""
    entries = _entries(bundle, path)
    bundled = _bundled_medications(entries)
    found: list[DraftMedication] = []
    for index, entry in enumerate(entries):
        resource = entry.get("resource")
        if not isinstance(resource, dict) or resource.get("resourceType") not in MEDICATION_ORDERS:
            continue
        reference = _reference(resource, entry)
        names = list(_names(resource, bundled))
        drug = next((d for d in (codes.drug_named(c, t) for c, t in names) if d is not None), None)
        found.append(
            DraftMedication(
                path=f"{path}.entry[{index}].resource",
                reference=reference,
                drug=drug,
                named=bool(names),
            )
        )
    return found


def _entries(bundle: Any, path: str) -> list[dict[str, Any]]:
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        found = bundle.get("resourceType") if isinstance(bundle, dict) else None
        problem = f"not a Bundle ({json.dumps(found)})" if found else "not a FHIR Bundle"
        raise InputError(path, problem, 'a FHIR Bundle: {"resourceType": "Bundle", ...}')
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        raise InputError(f"{path}.entry", "not an array", "a JSON array of entries")
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise InputError(
                f"{path}.entry[{index}]", "an entry must be a JSON object", '{"resource": {...}}'
            )
    return entries


def _reference(resource: Mapping[str, Any], entry: Mapping[str, Any]) -> str:
    """How ``selections`` and card actions refer to the order: Type/id, else its fullUrl."""
    ident = resource.get("id")
    if isinstance(ident, str) and ident:
        return f"{resource['resourceType']}/{ident}"
    full_url = entry.get("fullUrl")
    return full_url if isinstance(full_url, str) else ""


def _bundled_medications(entries: list[dict[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """The Medication resources of the Bundle by every reference that may name them."""
    index: dict[str, Mapping[str, Any]] = {}
    for entry in entries:
        resource = entry.get("resource")
        if not isinstance(resource, dict) or resource.get("resourceType") != "Medication":
            continue
        if isinstance(resource.get("id"), str):
            index[f"Medication/{resource['id']}"] = resource
        if isinstance(entry.get("fullUrl"), str):
            index[entry["fullUrl"]] = resource
    return index


_Name = tuple[list[tuple[object, object, object]], object]


def _names(order: Mapping[str, Any], bundled: Mapping[str, Mapping[str, Any]]) -> Iterator[_Name]:
    """Each way the order names its medicine: (codings, text), most specific first."""
    r5 = order.get("medication")
    concept = order.get("medicationCodeableConcept")
    reference = order.get("medicationReference")
    if isinstance(r5, dict):
        concept = concept or r5.get("concept")
        reference = reference or r5.get("reference")
    if isinstance(concept, dict):
        yield from _concept(concept)
    if not isinstance(reference, dict):
        return
    target = reference.get("reference")
    medication: Any = None
    if isinstance(target, str) and target.startswith("#"):
        contained = order.get("contained")
        medication = next(
            (
                c
                for c in (contained if isinstance(contained, list) else [])
                if isinstance(c, dict)
                and c.get("resourceType") == "Medication"
                and f"#{c.get('id')}" == target
            ),
            None,
        )
    elif isinstance(target, str):
        medication = bundled.get(target)
        if medication is None:  # an absolute URL ending in Medication/id
            medication = next((m for key, m in bundled.items() if target.endswith("/" + key)), None)
    if isinstance(medication, dict) and isinstance(medication.get("code"), dict):
        yield from _concept(medication["code"])
    display = reference.get("display")
    if _word(display):
        yield [], display


def _concept(concept: Mapping[str, Any]) -> Iterator[_Name]:
    codings = concept.get("coding")
    found = [
        (c.get("system"), c.get("code"), c.get("display"))
        for c in (codings if isinstance(codings, list) else [])
        if isinstance(c, dict) and (_word(c.get("code")) or _word(c.get("display")))
    ]
    text = concept.get("text")
    if found or _word(text):
        yield found, text


def _word(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())
