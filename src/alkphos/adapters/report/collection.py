"""The collection date a report prints for its results: a "Collected:", "Datum:",
"Specimen received" line and their equivalents in German, French and Spanish."""

from __future__ import annotations

import re

from alkphos.adapters.report.dates import FoundDate, find_dates

__all__ = ["labelled_dates"]

_COLLECTED = re.compile(
    r"collected|collection(?:\s+date)?|date\s+collected|sample\s+(?:date|taken|collected)"
    r"|drawn|(?:proben)?entnahme(?:datum)?|abnahme(?:datum)?|prélevé(?:\s+le)?|prélèvement"
    r"|fecha\s+de\s+(?:toma|extracción|recogida|obtención)|toma\s+de\s+muestra|extracción"
    r"|provtagning(?:sdatum)?",
    re.IGNORECASE,
)
_RECEIVED = re.compile(
    r"specimen\s+received|received|eingang(?:sdatum)?|reçu(?:\s+le)?|réception"
    r"|fecha\s+de\s+recepción|recepción",
    re.IGNORECASE,
)
_GENERIC = re.compile(
    r"(?<![\w-])(?:(?:date|datum|fecha)\s*[:.]|r[ée]sultats?\s+du|results?\s+of)", re.IGNORECASE
)
# Dates that are not collection dates, even after one of the labels above.
_OTHER = re.compile(
    r"birth|dob|geburt|naissance|né\(?e?\)?|nacimiento|print|report|befund|gedruckt|imprimé"
    r"|impres|édité|validat|freigabe|signed",
    re.IGNORECASE,
)


def labelled_dates(lines: list[str]) -> list[tuple[int, FoundDate]]:
    """Each (line index, date) of the collection dates, the best kind present only:
    collected, else a plain "Date:" line, else received."""
    kinds: dict[int, list[tuple[int, FoundDate]]] = {0: [], 1: [], 2: []}
    for index, line in enumerate(lines):
        for rank, label in enumerate((_COLLECTED, _GENERIC, _RECEIVED)):
            match = label.search(line)
            if match is None:
                continue
            before = line[max(0, match.start() - 20) : match.end() + 12]
            if _OTHER.search(before):
                continue
            after = [found for found in find_dates(line) if found.start >= match.end()]
            if after and after[0].start - match.end() <= 24:
                kinds[rank].append((index, after[0]))
                break
    for rank in (0, 1, 2):
        if kinds[rank]:
            return kinds[rank]
    return []
