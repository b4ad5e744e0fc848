"""FHIR R4 resources -> a case: Patient, Observation, MedicationRequest/Statement, Condition.

Everything the reader cannot use goes to ``notes`` with the JSON path and the reason, and
from there to the interpretation's ``not_understood``: nothing is dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fhir.resources.R4B.encounter import Encounter  # noqa: TID253 - shell only

from alkphos.adapters.fhir.codes import CodeIndex
from alkphos.adapters.fhir.conditions import read_condition
from alkphos.adapters.fhir.duplicates import deduplicate
from alkphos.adapters.fhir.encounter import choose_encounter, encounter_setting, location_index
from alkphos.adapters.fhir.light import (
    CodeableConcept,
    Condition,
    Entry,
    Medication,
    MedicationRequest,
    MedicationStatement,
    Observation,
    Patient,
    light_entries,
)
from alkphos.adapters.fhir.observations import Reading, read_observation
from alkphos.adapters.fhir.validate import bundle_entries
from alkphos.errors import InputError
from alkphos.knowledge.loader import Knowledge

__all__ = [
    "FhirCase",
    "medication_concept",
    "medication_index",
    "read_bundle",
    "read_entries",
    "read_prefetch",
]

_READ = (
    "Patient",
    "Observation",
    "MedicationRequest",
    "MedicationStatement",
    "Condition",
    "Encounter",
)
_SKIP_ORDER = {"cancelled", "entered-in-error", "draft"}
_SKIP_STATEMENT = {"not-taken", "entered-in-error"}
_ENDED = {"completed", "stopped"}
_MEDICATION_WINDOW_DAYS = 365  # the case contract: medicines current or within the last year
_RESULT = re.compile(r"^results\[(\d+)\](?:\.(\w+))?")
_RESULT_FIELDS = {
    "value": "valueQuantity.value",
    "unit": "valueQuantity",
    "date": "effectiveDateTime",
    "test": "code",
    "reference_low": "referenceRange[0].low",
    "reference_high": "referenceRange[0].high",
}


@dataclass(frozen=True)
class FhirCase:
    """The case read from FHIR, what was set aside, and where each result came from."""

    case: dict[str, Any] | None
    notes: tuple[str, ...]
    patient_id: str | None
    sources: tuple[str, ...]
    patient_path: str | None

    @property
    def latest(self) -> date | None:
        """The date of the latest result read (the as-of date when none is given)."""
        results = (self.case or {}).get("results", [])
        return max((date.fromisoformat(r["date"]) for r in results if "date" in r), default=None)

    def locate(self, error: InputError) -> InputError:
        """Rewrite an engine error about ``results[i]`` or ``patient`` to the FHIR path."""
        match = _RESULT.match(error.path)
        path = error.path
        if match and int(match.group(1)) < len(self.sources):
            base = self.sources[int(match.group(1))]
            field = _RESULT_FIELDS.get(match.group(2) or "")
            path = f"{base}.{field}" if field else base
        elif path.startswith("patient") and self.patient_path:
            path = f"{self.patient_path}.birthDate"
        if path == error.path:
            return error
        return InputError(path, error.problem, error.accepted, error.suggestion)


def read_bundle(data: Any, kb: Knowledge) -> FhirCase:
    """Read a Bundle (collection, searchset or transaction) into a case."""
    return read_entries(bundle_entries(data), kb)


def read_prefetch(
    prefetch: Mapping[str, Any], kb: Knowledge, encounter_id: str | None = None
) -> FhirCase:
    """Read a CDS Hooks prefetch object (resources and search Bundles) into a case,
    validating only what alkphos reads (``light``): every call may be a new patient.
    ``encounter_id`` is the hook context's encounter, whose class gives the setting."""
    return read_entries(light_entries(prefetch), kb, encounter_id)


def read_entries(
    entries: Iterable[Entry], kb: Knowledge, encounter_id: str | None = None
) -> FhirCase:
    """Read validated resources into a case (``case`` is None when no result is usable)."""
    return _Reader(list(entries), kb, encounter_id).read()


class _Reader:
    def __init__(self, entries: list[Entry], kb: Knowledge, encounter_id: str | None) -> None:
        once = deduplicate(entries)
        self.entries = once.entries
        self.kb = kb
        self.encounter_id = encounter_id
        self.codes = CodeIndex.of(kb)
        self.notes: list[str] = once.notes
        self.patient: Entry | None = None
        self.refs: set[str] = set()
        self.medications = medication_index(self.entries)

    def read(self) -> FhirCase:
        patient = self._patient()
        readings: list[Reading] = []
        for entry in self.entries:
            if isinstance(entry.resource, Observation) and self._mine(entry, "subject"):
                reading = read_observation(entry, self.kb, self.notes)
                if reading is not None:
                    readings.append(reading)
        results = [r for r in readings if r.result is not None]
        latest = max((r.on for r in results if r.on is not None), default=None)
        _apply_pregnancy(readings, latest, patient, self.notes)
        medications: list[str] = []
        findings: list[str] = []
        for entry in self.entries:
            resource = entry.resource
            if isinstance(resource, MedicationRequest | MedicationStatement):
                if self._mine(entry, "subject"):
                    drug = self._medication(entry, latest)
                    if drug and drug not in medications:
                        medications.append(drug)
            elif isinstance(resource, Condition):
                if self._mine(entry, "subject"):
                    finding = read_condition(entry, self.codes, self.notes)
                    if finding and finding not in findings:
                        findings.append(finding)
            elif entry.kind not in (*_READ, "Medication", "Location", "OperationOutcome"):
                self.notes.append(
                    f"{entry.path}: a {entry.kind} resource is not read by alkphos "
                    f"(it reads {', '.join(_READ)})"
                )
            elif entry.kind == "OperationOutcome":
                self.notes.append(f"{entry.path}: the sender reported a problem fetching data")
        case = None
        if results:
            case = {
                "patient": patient,
                "results": [r.result for r in results],
                "medications": [self.kb.drugs[d].name for d in medications],
                "findings": findings,
            }
            setting = self._setting(results)
            if setting is not None:
                case["setting"] = setting
        return FhirCase(
            case=case,
            notes=tuple(self.notes),
            patient_id=_id(self.patient),
            sources=tuple(r.path for r in results),
            patient_path=self.patient.path if self.patient else None,
        )

    def _patient(self) -> dict[str, Any]:
        patients = [e for e in self.entries if isinstance(e.resource, Patient)]
        for entry in patients[1:]:
            if _id(entry) is None or _id(entry) != _id(patients[0]):
                raise InputError(
                    entry.path, "a second patient in the same bundle", "one Patient per bundle"
                )
        if not patients:
            self.notes.append("no Patient resource: age and sex are unknown")
            self.refs = self._one_subject()
            return {}
        self.patient = patients[0]
        self.refs = set(_refs(self.patient))
        resource = self.patient.resource
        assert isinstance(resource, Patient)
        patient: dict[str, Any] = {
            "sex": resource.gender if resource.gender in ("female", "male") else "unknown"
        }
        born = resource.birthDate
        if isinstance(born, date):
            patient["birth_date"] = born.isoformat()
        elif born is not None:
            self.notes.append(
                f"{self.patient.path}.birthDate: '{born}' is not a full date; age is unknown"
            )
        else:
            self.notes.append(f"{self.patient.path}: no birthDate; age is unknown")
        return patient

    def _setting(self, results: list[Reading]) -> str | None:
        """Where the patient is seen, from the Encounter of the context or of the latest
        result (None: no Encounter says)."""
        encounters = [
            e
            for e in self.entries
            if isinstance(e.resource, Encounter) and self._mine(e, "subject")
        ]
        dated = [r for r in results if r.on is not None]
        latest = max(dated, key=lambda r: r.on or date.min) if dated else None
        chosen = choose_encounter(
            encounters, self.encounter_id, self._encounter_of(latest), self.notes
        )
        if chosen is None:
            return None
        return encounter_setting(chosen, location_index(self.entries), self.notes)

    def _encounter_of(self, reading: Reading | None) -> str | None:
        if reading is None:
            return None
        entry = next((e for e in self.entries if e.path == reading.path), None)
        reference = getattr(entry.resource, "encounter", None) if entry else None
        target = getattr(reference, "reference", None)
        return str(target) if target else None

    def _one_subject(self) -> set[str]:
        """Without a Patient, the one patient every resource refers to (two: an error)."""
        seen: str | None = None
        for entry in self.entries:
            reference = getattr(entry.resource, "subject", None)
            target = getattr(reference, "reference", None)
            if not target:
                continue
            if seen is not None and str(target) != seen:
                raise InputError(
                    f"{entry.path}.subject",
                    f"refers to {target}, another patient than {seen}",
                    "one patient per bundle",
                )
            seen = str(target)
        return {seen} if seen else set()

    def _mine(self, entry: Entry, field: str) -> bool:
        # A light Reference, or fhir.resources' for an Encounter (read in full).
        target = getattr(getattr(entry.resource, field, None), "reference", None)
        if not isinstance(target, str) or not target or not self.refs:
            return True
        if target in self.refs or any(target.endswith("/" + ref) for ref in self.refs):
            return True
        self.notes.append(
            f"{entry.path}.{field}: refers to another patient than the bundle's; set aside"
        )
        return False

    def _medication(self, entry: Entry, latest: date | None) -> str | None:
        resource = entry.resource
        assert isinstance(resource, MedicationRequest | MedicationStatement)
        status = str(resource.status or "")
        skip = _SKIP_ORDER if isinstance(resource, MedicationRequest) else _SKIP_STATEMENT
        if status in skip:
            self.notes.append(f"{entry.path}: status '{status}'; the medicine was not counted")
            return None
        concept = medication_concept(resource, self.medications)
        if concept is None:
            self.notes.append(f"{entry.path}: the medicine is not coded or named; not counted")
            return None
        drug = self.codes.drug_of(concept)
        if drug is None:
            self.notes.append(
                f"{entry.path}: '{_label(concept)}' is not a medicine alkphos knows; "
                "its effect on ALP was not considered"
            )
            return None
        ended = _medication_day(resource)
        if (
            status in _ENDED
            and latest
            and ended
            and (latest - ended).days > _MEDICATION_WINDOW_DAYS
        ):
            self.notes.append(
                f"{entry.path}: '{_label(concept)}' ended more than a year before the latest "
                "result; not counted"
            )
            return None
        return drug


def medication_concept(
    resource: MedicationRequest | MedicationStatement, medications: Mapping[str, Any]
) -> CodeableConcept | None:
    """What medicine an order or statement names: its own concept, or the Medication it
    refers to (in the bundle, by ``medications`` reference, or contained)."""
    if resource.medicationCodeableConcept is not None:
        return resource.medicationCodeableConcept
    reference = resource.medicationReference
    if reference is None or not reference.reference:
        return None
    target = str(reference.reference)
    medication = medications.get(target)
    if medication is None:
        medication = next(
            (
                c
                for c in resource.contained or []
                if isinstance(c, Medication) and f"#{c.id}" == target
            ),
            None,
        )
    return medication.code if isinstance(medication, Medication) else None


def medication_index(entries: Iterable[Entry]) -> dict[str, Medication]:
    """The Medication resources of a bundle by every reference that may name them."""
    return {
        ref: entry.resource
        for entry in entries
        if isinstance(entry.resource, Medication)
        for ref in _refs(entry)
    }


def _apply_pregnancy(
    readings: list[Reading], latest: date | None, patient: dict[str, Any], notes: list[str]
) -> None:
    weeks = [r for r in readings if r.gestational_weeks is not None]
    if not weeks:
        return
    last = max(weeks, key=lambda r: r.on or date.min)
    assert last.gestational_weeks is not None
    if patient.get("sex") == "male":
        notes.append(f"{last.path}: a gestational age for a male patient; not used")
        return
    now = last.gestational_weeks
    if latest and last.on:
        now += (latest - last.on).days / 7
    if 0 <= now <= 45:
        patient["pregnancy_weeks"] = round(now, 1)
    else:
        notes.append(f"{last.path}: the gestational age does not apply at the latest result")


def _medication_day(resource: MedicationRequest | MedicationStatement) -> date | None:
    if isinstance(resource, MedicationRequest):
        value: object = resource.authoredOn
    else:
        period = resource.effectivePeriod
        value = (period.end or period.start) if period else resource.effectiveDateTime
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _label(concept: CodeableConcept) -> str:
    if concept.text:
        return str(concept.text)
    for coding in concept.coding or []:
        if coding.display or coding.code:
            return str(coding.display or coding.code)
    return "?"


def _id(entry: Entry | None) -> str | None:
    if entry is None:
        return None
    value = getattr(entry.resource, "id", None)
    return str(value) if value else None


def _refs(entry: Entry) -> list[str]:
    refs = [f"{entry.kind}/{_id(entry)}"] if _id(entry) else []
    return [*refs, entry.full_url] if entry.full_url else refs
