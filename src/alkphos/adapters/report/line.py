"""One result from a line: after the test name, the value, unit, range, flag and date in
whatever order the layout prints them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from alkphos.adapters.report.dates import FoundDate, find_dates
from alkphos.adapters.report.flags import FLAG
from alkphos.adapters.report.names import SPECIMEN_WORDS, NameIndex
from alkphos.adapters.report.ranges import RANGE, Limits, read_limits
from alkphos.adapters.report.values import CENSOR, NUMBER, DecimalStyle, Value, parse_number
from alkphos.knowledge.loader import Knowledge
from alkphos.units import normalise_spelling

__all__ = ["Parsed", "TailReader"]

_SKIP = re.compile(r"[\s:=|;,]+")
_TIME = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?(?![\d])")
_VALUE = re.compile(rf"(?P<censor>{CENSOR})?\s*(?P<number>{NUMBER})(?![-–]\d)(?![\d])")
_RANGE = re.compile(RANGE, re.IGNORECASE)
_FLAG = re.compile(FLAG, re.IGNORECASE)
_BRACKETED = re.compile(r"[(\[]([^)\]]*)[)\]]")
_WORD = re.compile(r"\S+")
# A bracketed abbreviation after a test name ("Fosfatasa alcalina (FA)") names the test.
_ABBREVIATION = re.compile(r"^[^\W\d_][^\W\d_ .\-/]{0,11}$")
# Words prose puts between a test name and its value ("ALP was 1080 U/L").
_FILLERS = frozenset(
    [
        "was",
        "is",
        "were",
        "of",
        "at",
        "=",
        "result",
        "value",
        "wert",
        "war",
        "ist",
        "est",
        "était",
        "es",
        "fue",
        "de",
        "del",
        "resultado",
        "résultat",
        "level",
        "levels",
        "niveau",
        "nivel",
        "spiegel",
    ]
)
_NO_VALUE = re.compile(
    r"(?:-{1,3}|n\.?\s?[ad]\.?|not\s+done|entfällt|non\s+fait|pendiente)\b", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Parsed:
    """What the text after a test name holds, and where reading stopped."""

    value: Value | None
    value_text: str | None
    unit: str | None
    limits: Limits | None
    flag: str | None
    date: FoundDate | None
    end: int
    problem: str | None


@dataclass(frozen=True)
class TailReader:
    """Reads the value, unit, range, flag and date that follow a test name."""

    kb: Knowledge
    names: NameIndex
    style: DecimalStyle
    known_units: frozenset[str]

    @classmethod
    def of(cls, kb: Knowledge, names: NameIndex, style: DecimalStyle) -> TailReader:
        """A reader for one report's style."""
        units = frozenset(key for table in kb.unit_index.values() for key in table)
        return cls(kb, names, style, units)

    def unit_kind(self, token: str, analyte: str) -> str | None:
        """'accepted' for a unit of the analyte, 'other' for another unit, else None."""
        key = normalise_spelling(token.strip("()[],;"))
        if key in self.kb.unit_index[analyte]:
            return "accepted"
        if key in self.known_units or "/" in key or key == "%":
            return "other"
        return None

    def read(self, line: str, start: int, analyte: str) -> Parsed:
        """Read from ``line[start:]`` up to the end or the next test name."""
        dates = {found.start: found for found in find_dates(line)}
        value: Value | None = None
        value_text = unit = flag = problem = None
        limits: Limits | None = None
        date: FoundDate | None = None
        strayed = False
        position = start
        while position < len(line):
            skipped = _SKIP.match(line, position)
            if skipped:
                position = skipped.end()
                continue
            if position in dates:
                date = date or dates[position]
                position = dates[position].end
                continue
            timed = _TIME.match(line, position)
            if timed:
                position = timed.end()
                continue
            if value is None:
                found = _VALUE.match(line, position)
                if found:
                    value_text = found.group().strip()
                    value, problem = self._value(found)
                    position = found.end()
                    if problem:
                        break
                    continue
                if _NO_VALUE.match(line, position):
                    problem = "no value is printed"
                    break
                bracket = _BRACKETED.match(line, position)
                word = bracket.group(1) if bracket else _WORD.match(line, position).group()  # type: ignore[union-attr]
                end = bracket.end() if bracket else position + len(word)
                early_flag = _FLAG.match(line, position)
                if bracket and early_flag and early_flag.end() == end and flag is None:
                    # A flag printed before the value: "ALP   [L]   19   U/L".
                    flag = early_flag.group()
                    position = end
                    continue
                kind = self.unit_kind(word, analyte)
                if kind is not None and unit is None:
                    unit = word.strip("()[],;")
                elif not self._filler(word, analyte) and not (
                    bracket and _ABBREVIATION.match(word)
                ):
                    problem = f"no value after the test name (found '{word}')"
                    break
                position = end
                continue
            ranged = _RANGE.match(line, position)
            if ranged and limits is None and re.search(r"\d", ranged.group()):
                try:
                    limits = read_limits(ranged, self.style)
                except ValueError as exc:
                    problem = str(exc)
                    break
                position = ranged.end()
                continue
            flagged = _FLAG.match(line, position)
            if flagged and flag is None and not strayed:
                flag = flagged.group()
                position = flagged.end()
                continue
            word = _WORD.match(line, position).group()  # type: ignore[union-attr]
            if word[0].isdigit() or word[0] in "<>≤≥":
                break
            if self._starts_name(line, position):
                break
            if unit is None and self.unit_kind(word, analyte) is not None:
                unit = word.strip("()[],;")
            else:
                # Past a word that is none of the result's parts (prose: "and a bilirubin"),
                # a lone letter is a word, not a flag.
                strayed = True
            position += len(word)
        return Parsed(value, value_text, unit, limits, flag, date, position, problem)

    def _value(self, found: re.Match[str]) -> tuple[Value | None, str | None]:
        try:
            number = parse_number(found.group("number"), self.style)
        except ValueError as exc:
            return None, str(exc)
        censor = found.group("censor")
        if censor:
            return Value(None, f"{censor}{found.group('number')}"), None
        return Value(number), None

    def _filler(self, word: str, analyte: str) -> bool:
        key = word.strip("()[],;:.").lower()
        return (
            key in _FILLERS
            or key in SPECIMEN_WORDS
            or not key
            or self.names.find(word.strip("()[],;:")) == analyte
        )

    def _starts_name(self, line: str, position: int) -> bool:
        words = line[position:].split()
        found = self.names.match(words)
        return found is not None and not _FLAG.fullmatch(words[0])
