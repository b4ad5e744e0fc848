"""Code system URIs and the few FHIR codes the adapter reads or writes."""

from __future__ import annotations

__all__ = [
    "ALKPHOS_CARD",
    "ALKPHOS_CAUSE",
    "ALKPHOS_FLAG",
    "ALKPHOS_OVERRIDE",
    "ALKPHOS_TEST",
    "CONDITION_CLINICAL",
    "CONDITION_VERIFICATION",
    "GESTATIONAL_AGE_LOINC",
    "ICD10",
    "ICD10CM",
    "KB_SYSTEMS",
    "LOINC",
    "OBSERVATION_CATEGORY",
    "RXNORM",
    "SNOMED",
    "UCUM",
    "V2_SERVICE_SECTION",
    "V3_INTERPRETATION",
]

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
V3_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
V2_SERVICE_SECTION = "http://terminology.hl7.org/CodeSystem/v2-0074"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"

# alkphos's own code systems (stable URNs: alkphos owns no web domain to host them).
ALKPHOS_CAUSE = "urn:alkphos:cause"
ALKPHOS_FLAG = "urn:alkphos:flag"
ALKPHOS_TEST = "urn:alkphos:test"
ALKPHOS_CARD = "urn:alkphos:card"
ALKPHOS_OVERRIDE = "urn:alkphos:override-reason"

# The knowledge base's names for diagnosis code systems (codes.yaml) -> FHIR system URIs.
KB_SYSTEMS = {"snomed": SNOMED, "icd10cm": ICD10CM, "icd10": ICD10}

# Gestational age in weeks, read as pregnancy_weeks: 11884-4 "Gestational age Estimated",
# 18185-9 "Gestational age", 49051-6 "Gestational age in weeks".
GESTATIONAL_AGE_LOINC = frozenset({"11884-4", "18185-9", "49051-6"})
