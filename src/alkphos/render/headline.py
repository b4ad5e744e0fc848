"""The answer in one glance, for people: the ALP value and its status against the interval
used, what it most likely means (or that nothing stands out), a medicine entered that
explains it and what would change that reading, and the one action that matters most.

Everything here is read from the interpretation (and, for a medicine's effect, from the
cause's ``medicine`` entry in the knowledge base); nothing is judged again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from alkphos.facts import code_medications
from alkphos.knowledge.loader import Knowledge
from alkphos.model.interpretation import Cause, Interpretation
from alkphos.render.numbers import canonical, limits

__all__ = ["Headline", "MedicineReading", "headline", "one_line_reason"]

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


@dataclass(frozen=True, slots=True)
class MedicineReading:
    """A medicine the case entered whose effect explains the finding."""

    medicines: tuple[str, ...]
    drug_class: str
    text: str
    reconsider: str
    citations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Headline:
    """The answer in words, each part one short sentence or phrase."""

    value: str
    status: str
    against: str
    series: str
    meaning: str
    cause: str | None
    medicine: MedicineReading | None
    action: str


def one_line_reason(reason: str) -> str:
    """A test's reason in one line: its first sentence, without the '(for: ...)' list."""
    bare = reason.split(" (for: ")[0].strip()
    first = _SENTENCE.split(bare, maxsplit=1)[0]
    return first if first.endswith((".", "!", "?")) else first + "."


def _first_sentence(text: str) -> str:
    return _SENTENCE.split(text.strip(), maxsplit=1)[0]


def _leading(result: Interpretation) -> Cause | None:
    return next((cause for cause in result.differential if cause.standing == "supported"), None)


def _medicine(result: Interpretation, cause: Cause | None, kb: Knowledge) -> MedicineReading | None:
    """The medicine reading when the leading cause is a medicine's effect and the case
    entered a medicine of that class."""
    if cause is None or result.inputs is None or cause.id not in kb.causes:
        return None
    entry = kb.causes[cause.id].medicine
    if entry is None:
        return None
    names = tuple(
        name
        for name in result.inputs.medications
        if any(
            entry.drug_class in kb.drugs[drug].classes for drug in code_medications(kb, [name])[0]
        )
    )
    if not names:
        return None
    status = result.alp.status if result.alp is not None else ""
    verb = "are" if len(names) > 1 else "is"
    text = f"{entry.effect}; {' and '.join(names)} {verb} entered: that explains this {status} ALP."
    return MedicineReading(
        medicines=names,
        drug_class=entry.drug_class,
        text=text,
        reconsider=entry.reconsider,
        citations=tuple(entry.citations),
    )


def _series(result: Interpretation) -> str:
    series = result.alp_series
    if series is None or series.n_results < 2:
        return ""
    parts = [f"{series.n_results} results: {series.n_low} low, {series.n_high} high"]
    if series.n_low > 1:
        parts.append("persistently low" if series.persistently_low else "not persistently low")
    if series.trend:
        parts.append(series.trend)
    return "; ".join(parts)


def _action(result: Interpretation, medicine: MedicineReading | None) -> str:
    critical = [flag for flag in result.flags if flag.severity == "critical"]
    if critical:
        return critical[0].message
    if medicine is not None:
        return _first_sentence(result.follow_up.advice)
    if result.tests:
        first = result.tests[0]
        return f"{first.name}: {one_line_reason(first.reason)}"
    return _first_sentence(result.follow_up.advice)


def headline(result: Interpretation, kb: Knowledge) -> Headline:
    """The headline of an interpretation."""
    alp = result.alp
    cause = _leading(result)
    medicine = _medicine(result, cause, kb)
    if alp is None:
        return Headline(
            value="ALP not measured",
            status="unknown",
            against="",
            series="",
            meaning="The case has no ALP result, so there is nothing to interpret for ALP.",
            cause=None,
            medicine=None,
            action=_action(result, None),
        )
    interval = alp.reference_interval
    basis = interval.basis.split(";")[0].split(" (")[0]
    where = {"low": "below", "high": "above", "normal": "within"}[alp.status]
    against = f"{where} {limits(interval, 'alp', kb)} ({interval.source}: {basis})"
    if cause is not None:
        meaning = f"Most likely: {cause.name}."
    elif alp.status == "normal" and not any(f.severity != "info" for f in result.flags):
        meaning = "Nothing stands out: ALP is within its interval."
    else:
        meaning = "No single cause stands out in these results."
    return Headline(
        value=f"{canonical(alp.value, 'alp', kb)} U/L",
        status=alp.status,
        against=against,
        series=_series(result),
        meaning=meaning,
        cause=cause.name if cause is not None else None,
        medicine=medicine,
        action=_action(result, medicine),
    )
