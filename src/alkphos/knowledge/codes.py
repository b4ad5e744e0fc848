"""Match a diagnosis code (SNOMED CT or ICD-10) to the finding or cause it means.

ICD-10 codes compare without the dot and case-insensitively; a knowledge-base code marked
``descendants`` also covers every code that starts with it, and the longest match wins
(C78.7 liver metastases before C78 any secondary cancer). SNOMED CT codes match exactly.
"""

from __future__ import annotations

from functools import cache

from alkphos.knowledge.loader import Knowledge
from alkphos.knowledge.schema import ClinicalCode

__all__ = ["SYSTEMS", "family", "match_code", "normalise_code"]

# Code-system URIs and names as FHIR and OMOP spell them -> the knowledge base's system.
SYSTEMS = {
    "http://snomed.info/sct": "snomed",
    "snomed": "snomed",
    "snomed ct": "snomed",
    "http://hl7.org/fhir/sid/icd-10-cm": "icd10cm",
    "icd10cm": "icd10cm",
    "icd-10-cm": "icd10cm",
    "http://hl7.org/fhir/sid/icd-10": "icd10",
    "icd10": "icd10",
    "icd-10": "icd10",
}
_ICD = ("icd10cm", "icd10")
# ICD-10-CM extends ICD-10, so a code of either matches an entry of either.
_FAMILIES = {"snomed": "snomed", "icd10cm": "icd10", "icd10": "icd10"}


def family(system: str) -> str | None:
    """The family a code system matches within ('icd10' for ICD-10 and ICD-10-CM alike),
    from a FHIR system URI or a name; None for a system the knowledge base has no codes of."""
    kind = SYSTEMS.get(system.strip().lower())
    return _FAMILIES[kind] if kind else None


def normalise_code(system: str, code: str) -> str:
    """The comparable form of a code: ICD without dots and upper-case; SNOMED trimmed."""
    text = code.strip()
    return text.replace(".", "").upper() if system in _ICD else text


@cache
def _index(kb: Knowledge) -> dict[tuple[str, str], ClinicalCode]:
    return {(c.system, normalise_code(c.system, c.code)): c for c in kb.codes}


def match_code(kb: Knowledge, system: str, code: str) -> ClinicalCode | None:
    """The knowledge-base entry a code means, or None.

    Args:
        kb: the knowledge base.
        system: a FHIR system URI or a name ('http://snomed.info/sct', 'ICD10CM', ...).
        code: the code as written ('E03.9', 'e039', '40930008').
    """
    kind = SYSTEMS.get(system.strip().lower())
    if kind is None:
        return None
    index = _index(kb)
    wanted = normalise_code(kind, code)
    if kind not in _ICD:
        return index.get((kind, wanted))
    for length in range(len(wanted), 2, -1):
        for candidate_system in _ICD:
            entry = index.get((candidate_system, wanted[:length]))
            if entry is not None and (length == len(wanted) or entry.descendants):
                return entry
    return None
