"""One FHIR Condition -> a finding id the rules use, or a note saying why not."""

from __future__ import annotations

from alkphos.adapters.fhir.codes import CodeIndex
from alkphos.adapters.fhir.light import Condition, Entry
from alkphos.adapters.fhir.systems import ICD10, ICD10CM, SNOMED

__all__ = ["read_condition"]

_INACTIVE = {"inactive", "remission", "resolved"}
_NOT_TRUE = {"refuted", "entered-in-error"}
_SYSTEMS = (SNOMED, ICD10CM, ICD10)


def read_condition(entry: Entry, codes: CodeIndex, notes: list[str]) -> str | None:
    """The finding id a Condition means, if it is current and coded (or named) as one."""
    condition = entry.resource
    assert isinstance(condition, Condition)
    where = entry.path
    clinical = _status(condition.clinicalStatus)
    verification = _status(condition.verificationStatus)
    if verification in _NOT_TRUE:
        notes.append(f"{where}: verification status '{verification}'; not counted")
        return None
    if clinical in _INACTIVE:
        notes.append(f"{where}: clinical status '{clinical}'; not counted")
        return None
    concept = condition.code
    if concept is None:
        notes.append(f"{where}: a Condition without a code; not counted")
        return None
    causes: list[str] = []
    for coding in concept.coding or []:
        if coding.system not in _SYSTEMS or not coding.code:
            continue
        known = codes.diagnosis(str(coding.system), str(coding.code))
        if known is None:
            continue
        if known.finding is not None:
            return known.finding
        if known.cause is not None:
            if known.cause in codes.kb.findings:
                return known.cause
            causes.append(known.cause)
    for text in [concept.text, *(c.display for c in concept.coding or [])]:
        finding = codes.kb.find_finding(str(text)) if text else None
        if finding is not None:
            return finding
    label = concept.text or next((c.display or c.code for c in concept.coding or []), "?")
    if causes:
        names = ", ".join(codes.kb.causes[c].name for c in causes)
        notes.append(
            f"{where}.code: '{label}' is a recorded diagnosis of {names}; alkphos weighs causes "
            "from the results and findings, so it was noted but not used"
        )
    else:
        notes.append(f"{where}.code: '{label}' is not a condition the rules use; not counted")
    return None


def _status(concept: object) -> str | None:
    coding = getattr(concept, "coding", None) or []
    return str(coding[0].code) if coding and coding[0].code else None
