"""Resources sent twice are read once: by identity (fullUrl, or type and id) and, for
Observations, by what they report (subject, status, code, time, value and unit).

A prefetch often holds the same resource twice (two search Bundles that overlap, an EHR
that pages badly); counted twice, three low ALP results become six. What was dropped is
said in a note.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from alkphos.adapters.fhir.light import Entry, Observation

__all__ = ["Deduplicated", "deduplicate"]

_EXAMPLES = 3  # duplicates named in the note; the rest are counted


@dataclass(frozen=True, slots=True)
class Deduplicated:
    """The entries with each resource once, and notes on what was dropped or kept."""

    entries: list[Entry]
    notes: list[str]


def deduplicate(entries: list[Entry]) -> Deduplicated:
    """Drop every entry that repeats an earlier one (the first is kept)."""
    first: dict[Hashable, Entry] = {}
    kept: list[Entry] = []
    dropped: list[tuple[Entry, Entry]] = []
    notes: list[str] = []
    for entry in entries:
        keys = _keys(entry)
        earlier = next((first[key] for key in keys if key in first), None)
        if earlier is not None and _same(earlier, entry):
            dropped.append((entry, earlier))
            continue
        if earlier is not None:  # found by identity: the content differs
            notes.append(
                f"{entry.path}: the same resource as {earlier.path} with other content; "
                "both were read"
            )
        for key in keys:
            first.setdefault(key, entry)
        kept.append(entry)
    if dropped:
        notes.insert(0, _dropped_note(dropped))
    return Deduplicated(kept, notes)


def _keys(entry: Entry) -> list[Hashable]:
    """The identities of an entry: fullUrl, type/id, and an Observation's content."""
    keys: list[Hashable] = []
    if entry.full_url:
        keys.append(("url", entry.full_url))
    ident = getattr(entry.resource, "id", None)
    if ident:
        keys.append(("id", entry.kind, ident))
    content = _observed(entry)
    if content is not None:
        keys.append(content)
    return keys


def _observed(entry: Entry) -> Hashable | None:
    """What a dated Observation with a value reports (None for any other resource: two
    undated results of the same value may be two measurements)."""
    obs = entry.resource
    if not isinstance(obs, Observation) or obs.valueQuantity is None:
        return None
    when = obs.effectiveDateTime or obs.effectiveInstant
    if when is None and obs.effectivePeriod is not None:
        when = obs.effectivePeriod.start
    quantity = obs.valueQuantity
    if when is None or quantity.value is None:
        return None
    codes = tuple(sorted((c.system or "", c.code or "") for c in obs.code.coding or []))
    subject = obs.subject.reference if obs.subject else None
    return (
        "observation",
        subject,
        obs.status,
        codes or obs.code.text,
        str(when),
        quantity.value,
        quantity.comparator,
        quantity.code or quantity.unit,
    )


def _same(earlier: Entry, entry: Entry) -> bool:
    """Whether two entries with a common identity are one resource: equal as read, or the
    same Observation content."""
    if earlier.resource == entry.resource:
        return True
    content = _observed(entry)
    return content is not None and content == _observed(earlier)


def _dropped_note(dropped: list[tuple[Entry, Entry]]) -> str:
    kinds = sorted({entry.kind for entry, _ in dropped})
    named = "; ".join(
        f"{entry.path} repeats {earlier.path}" for entry, earlier in dropped[:_EXAMPLES]
    )
    more = f"; and {len(dropped) - _EXAMPLES} more" if len(dropped) > _EXAMPLES else ""
    return (
        f"{len(dropped)} duplicate {'/'.join(kinds)} resource(s) counted once (the same "
        f"resource, or the same test, time, value and unit): {named}{more}"
    )
