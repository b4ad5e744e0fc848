"""Where the patient is seen, from a FHIR R4 Encounter: its class (HL7 v3 ActCode, the R4
binding of Encounter.class) and, for intensive care, an ICU code (HL7 v3 RoleCode, the
ICUPracticeSetting value set; SNOMED CT) on the Encounter's type or on a Location it is at.

Which Encounter: the one the hook's context names, else the one the latest result was
taken in (Observation.encounter), else the only one. Anything set aside is said in a note.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from fhir.resources.R4B.codeableconcept import CodeableConcept  # noqa: TID253 - shell only
from fhir.resources.R4B.encounter import Encounter  # noqa: TID253
from fhir.resources.R4B.location import Location  # noqa: TID253

from alkphos.adapters.fhir.validate import Entry
from alkphos.model.case import Setting

__all__ = ["CLASS_SETTING", "choose_encounter", "encounter_setting", "location_index"]

_ACT_CODE = {"http://terminology.hl7.org/CodeSystem/v3-ActCode", "http://hl7.org/fhir/v3/ActCode"}
_ROLE_CODE = {
    "http://terminology.hl7.org/CodeSystem/v3-RoleCode",
    "http://hl7.org/fhir/v3/RoleCode",
}
_SNOMED = "http://snomed.info/sct"

# HL7 v3 ActCode encounter classes (v3-ActEncounterCode, the R4 Encounter.class value set).
# FLD (field: a school, a workplace, an ambulance) says too little to place the patient.
CLASS_SETTING: dict[str, Setting] = {
    "AMB": "outpatient",  # ambulatory: clinic, practitioner's office, hospital outpatients
    "HH": "outpatient",  # home health
    "VR": "outpatient",  # virtual
    "PRENC": "outpatient",  # pre-admission, before the patient is admitted
    "EMER": "emergency",
    "IMP": "inpatient",  # inpatient encounter
    "ACUTE": "inpatient",  # inpatient acute
    "NONAC": "inpatient",  # inpatient non-acute
    "OBSENC": "inpatient",  # observation: in hospital, under treatment and monitoring
    "SS": "inpatient",  # short stay: admitted for a set time, usually under 24 hours
}
# v3 RoleCode ICUPracticeSetting (is-a ICU): intensive care unit, paediatric ICU,
# paediatric neonatal ICU; and CCU, the coronary care unit: HL7 lists it beside ICU among
# hospital units, but it is the cardiac intensive care unit, whose patients are critically
# ill. SNOMED CT 309904001 |Intensive care unit (environment)|.
_ICU_ROLE = {"ICU", "PEDICU", "PEDNICU", "CCU"}
_ICU_SNOMED = {"309904001"}
_NOT_HAPPENED = {"planned", "cancelled", "entered-in-error"}
_LOCATION_LEFT = {"planned", "reserved", "completed"}


def choose_encounter(
    encounters: list[Entry],
    context_id: str | None,
    result_encounter: str | None,
    notes: list[str],
) -> Entry | None:
    """The Encounter the results are read in, or None (with a note when there were some)."""
    usable: list[Entry] = []
    for entry in encounters:
        status = str(getattr(entry.resource, "status", "") or "")
        if status in _NOT_HAPPENED:
            notes.append(f"{entry.path}: status '{status}'; the encounter was not used")
        else:
            usable.append(entry)
    for wanted in (context_id, result_encounter):
        if wanted is None:
            continue
        found = next((e for e in usable if _names(e, wanted)), None)
        if found is not None:
            return found
    if len(usable) == 1:
        return usable[0]
    if usable:
        notes.append(
            f"{len(usable)} encounters and none named by the hook or the latest result; "
            "the setting was not taken from them (read as outpatient)"
        )
    return None


def encounter_setting(
    entry: Entry, locations: Mapping[str, Location], notes: list[str]
) -> Setting | None:
    """The setting an Encounter says, or None (with a note) when it does not say one."""
    encounter = entry.resource
    assert isinstance(encounter, Encounter)
    if _icu(encounter.type or []) or any(
        _icu(location.type or []) for location in _current_locations(encounter, locations)
    ):
        return "intensive_care"
    coding = encounter.class_fhir
    code = str(coding.code or "") if coding is not None else ""
    system = str(coding.system or "") if coding is not None else ""
    setting = CLASS_SETTING.get(code) if not system or system in _ACT_CODE else None
    if setting is None:
        shown = f"{system}|{code}" if system else code
        notes.append(
            f"{entry.path}.class: '{shown}' does not say where the patient is seen "
            f"(understood: v3 ActCode {', '.join(CLASS_SETTING)}); read as outpatient"
        )
    return setting


def location_index(entries: Iterable[Entry]) -> dict[str, Location]:
    """The Location resources of a bundle by every reference that may name them."""
    index: dict[str, Location] = {}
    for entry in entries:
        if isinstance(entry.resource, Location):
            if entry.resource.id:
                index[f"Location/{entry.resource.id}"] = entry.resource
            if entry.full_url:
                index[entry.full_url] = entry.resource
    return index


def _current_locations(encounter: Encounter, locations: Mapping[str, Location]) -> list[Location]:
    found: list[Location] = []
    for place in encounter.location or []:
        if str(place.status or "") in _LOCATION_LEFT:
            continue
        target = str(place.location.reference or "") if place.location else ""
        location = locations.get(target) or next(
            (loc for ref, loc in locations.items() if target and ref.endswith("/" + target)),
            None,
        )
        if location is not None:
            found.append(location)
    return found


def _icu(concepts: list[CodeableConcept]) -> bool:
    for concept in concepts:
        for coding in concept.coding or []:
            system, code = str(coding.system or ""), str(coding.code or "")
            if (system in _ROLE_CODE and code in _ICU_ROLE) or (
                system == _SNOMED and code in _ICU_SNOMED
            ):
                return True
    return False


def _names(entry: Entry, wanted: str) -> bool:
    """Whether a reference or id names this Encounter (id, Encounter/id, full URL)."""
    own = getattr(entry.resource, "id", None)
    names = {str(own), f"Encounter/{own}"} if own else set()
    if entry.full_url:
        names.add(entry.full_url)
    return wanted in names or any(wanted.endswith("/" + name) for name in names if name)
