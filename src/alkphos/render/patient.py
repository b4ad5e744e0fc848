"""The patient view's parts beyond the summary: what to watch for and whom to tell (from
the flags raised, in the knowledge base's plain words), and the medicines, only when the
case has some."""

from __future__ import annotations

from dataclasses import dataclass

from alkphos.knowledge.loader import Knowledge
from alkphos.model.interpretation import Interpretation

__all__ = ["PatientExtras", "patient_extras"]

_STATUS_WORDS = {
    "low": "lower than usual",
    "high": "higher than usual",
    "normal": "in the usual range",
}


@dataclass(frozen=True, slots=True)
class PatientExtras:
    """What the patient view adds to the plain-words summary."""

    status_words: str
    watch_for: tuple[str, ...]
    whom: str
    medicines: tuple[str, ...]


def patient_extras(result: Interpretation, kb: Knowledge) -> PatientExtras:
    """The patient view's extras for an interpretation."""
    watch = tuple(
        entry.plain
        for flag in result.flags
        if flag.id in kb.flags and (entry := kb.flags[flag.id].watch_for) is not None
    )
    inputs = result.inputs
    pregnant = inputs is not None and inputs.pregnancy_weeks is not None
    whom = (
        "your midwife or the doctor who asked for the test"
        if pregnant
        else ("the doctor or nurse who asked for the test")
    )
    return PatientExtras(
        status_words=_STATUS_WORDS[result.alp.status] if result.alp is not None else "",
        watch_for=watch,
        whom=whom,
        medicines=tuple(inputs.medications) if inputs is not None else (),
    )
