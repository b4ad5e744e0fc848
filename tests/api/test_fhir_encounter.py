"""FHIR R4 Encounter -> the case's setting: the class (v3 ActCode), intensive care from an
ICU code (v3 RoleCode ICUPracticeSetting, SNOMED CT) on the Encounter or its Location, and
which Encounter is read when a Bundle holds several."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from alkphos import load_knowledge
from alkphos.adapters.fhir import interpret_fhir, read_bundle
from alkphos.adapters.fhir.encounter import CLASS_SETTING
from tests.api.conftest import CASES
from tests.api.fhir_cases import bundle

KB = load_knowledge()
SUBJECT = {"reference": "Patient/p1"}
ACT = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ROLE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"


def encounter(code: str, eid: str = "e1", status: str = "in-progress", **more: Any) -> dict:
    return {
        "resourceType": "Encounter",
        "id": eid,
        "status": status,
        "class": {"system": ACT, "code": code},
        "subject": SUBJECT,
        **more,
    }


def with_resources(*resources: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(bundle(CASES["EX-01"]["case"]))
    document["entry"] += [{"resource": resource} for resource in resources]
    return document


def setting_of(document: dict[str, Any]) -> str | None:
    read = read_bundle(document, KB)
    assert read.case is not None
    return read.case.get("setting")


@pytest.mark.parametrize(
    ("code", "setting"),
    [
        ("AMB", "outpatient"),
        ("VR", "outpatient"),
        ("HH", "outpatient"),
        ("PRENC", "outpatient"),
        ("EMER", "emergency"),
        ("IMP", "inpatient"),
        ("ACUTE", "inpatient"),
        ("NONAC", "inpatient"),
        ("OBSENC", "inpatient"),
        ("SS", "inpatient"),
    ],
)
def test_the_encounter_class_gives_the_setting(code: str, setting: str) -> None:
    assert setting_of(with_resources(encounter(code))) == setting
    assert CLASS_SETTING[code] == setting


def test_the_setting_reaches_the_interpretation() -> None:
    read = read_bundle(with_resources(encounter("EMER")), KB)
    result = interpret_fhir(read)
    assert result.inputs is not None
    assert result.inputs.setting == "emergency"


def test_an_icu_location_is_intensive_care() -> None:
    """An inpatient Encounter at a Location typed ICU (v3 RoleCode) is intensive care; a
    Location the patient has left is not."""
    icu = {
        "resourceType": "Location",
        "id": "l1",
        "type": [{"coding": [{"system": ROLE, "code": "ICU"}]}],
    }
    at_icu = encounter("IMP", location=[{"location": {"reference": "Location/l1"}}])
    assert setting_of(with_resources(at_icu, icu)) == "intensive_care"
    left = encounter(
        "IMP", location=[{"location": {"reference": "Location/l1"}, "status": "completed"}]
    )
    assert setting_of(with_resources(left, icu)) == "inpatient"


@pytest.mark.parametrize(
    "coding",
    [
        {"system": ROLE, "code": "PEDNICU"},
        {"system": ROLE, "code": "CCU"},  # coronary care unit
        {"system": "http://snomed.info/sct", "code": "309904001"},
    ],
)
def test_an_icu_encounter_type_is_intensive_care(coding: dict[str, str]) -> None:
    typed = encounter("ACUTE", type=[{"coding": [coding]}])
    assert setting_of(with_resources(typed)) == "intensive_care"


def test_a_class_that_does_not_place_the_patient_is_noted() -> None:
    """A field encounter (FLD) or another system's code leaves the setting unknown, said."""
    read = read_bundle(with_resources(encounter("FLD")), KB)
    assert read.case is not None
    assert "setting" not in read.case
    assert any("does not say where the patient is seen" in note for note in read.notes)


def test_a_cancelled_encounter_is_not_used() -> None:
    read = read_bundle(with_resources(encounter("EMER", status="cancelled")), KB)
    assert read.case is not None
    assert "setting" not in read.case
    assert any("status 'cancelled'; the encounter was not used" in n for n in read.notes)


def test_the_latest_results_encounter_wins_over_others() -> None:
    """Of two Encounters, the one the latest result was taken in gives the setting."""
    document = with_resources(encounter("AMB", "old", status="finished"), encounter("EMER"))
    latest = max(
        (e for e in document["entry"] if e["resource"]["resourceType"] == "Observation"),
        key=lambda e: e["resource"].get("effectiveDateTime", ""),
    )
    latest["resource"]["encounter"] = {"reference": "Encounter/e1"}
    assert setting_of(document) == "emergency"
    latest["resource"]["encounter"] = {"reference": "Encounter/old"}
    assert setting_of(document) == "outpatient"


def test_several_encounters_and_none_named_are_noted() -> None:
    read = read_bundle(with_resources(encounter("AMB", "a"), encounter("EMER", "b")), KB)
    assert read.case is not None
    assert "setting" not in read.case
    assert any("2 encounters and none named" in note for note in read.notes)


def test_another_patients_encounter_is_set_aside() -> None:
    other = encounter("EMER", subject={"reference": "Patient/p2"})
    read = read_bundle(with_resources(other), KB)
    assert read.case is not None
    assert "setting" not in read.case
    assert any("refers to another patient" in note for note in read.notes)
