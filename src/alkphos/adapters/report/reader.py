"""Read a laboratory report's text into results, each with the line it came from, and the
lines that looked like results but were not understood.

Layouts: one result per line (fixed-width or tab-separated columns, dotted leaders, prose
such as "ALP 1080 U/L (ref 35-104)", several results on one line), and cumulative tables
with one column per date or one row per date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from alkphos.adapters.report.collection import labelled_dates
from alkphos.adapters.report.dates import AmbiguousDateError, DateOrder, FoundDate, find_dates
from alkphos.adapters.report.flags import flag_direction
from alkphos.adapters.report.line import Parsed, TailReader
from alkphos.adapters.report.lines import Cell, cells, report_lines
from alkphos.adapters.report.names import SPECIMEN_WORDS, NameIndex, name_key
from alkphos.adapters.report.ranges import Limits
from alkphos.adapters.report.values import CENSOR, NUMBER, decimal_style
from alkphos.errors import InputError, closest
from alkphos.knowledge.loader import Knowledge
from alkphos.model.report import ReadResult, ReportReading, UnreadLine
from alkphos.units import normalise_spelling

__all__ = ["MAX_LINES", "read_report", "replace_index"]

# Far more than any lab report prints; it bounds the time one request can take.
MAX_LINES = 5000

_WORDS = re.compile(r"\S+")
_BRACKETED = re.compile(r"\s*[(\[]([^)\]]*)[)\]]\s*")
_UNIT_ROW = re.compile(r"^(?:units?|einheit(?:en)?|unités?|unidad(?:es)?)\s*:?$", re.IGNORECASE)
_REF_ROW = re.compile(r"^(?:ref|norm|referenz|valeurs?|valores?|intervalo|rango)", re.IGNORECASE)
_EMPTY_CELL = re.compile(r"^(?:-{1,3}|\.|—|–)?$")
_RESULT_LIKE = re.compile(
    rf"^\s*(?P<name>[^\W\d_][^\t:]{{0,40}}?)\s*[:.]?\s+(?P<value>{CENSOR}?\s*{NUMBER})"
    r"(?!\d|[./-]\d)(?P<rest>.*)$"
)
_LETTER = re.compile(r"[^\W\d_]")
# A result printed as a word ("Anti-HBc   Negative", "AMA: positif"): not a number alkphos
# can use, but a result line all the same, so it is named, never dropped silently.
_QUALITATIVE = re.compile(
    r"^\s*(?P<name>[^\W\d_][^\t:]{0,40}?)\s*[:.]?\s+(?P<word>"
    r"positive|negative|non-reactive|nonreactive|reactive|not detected|detected|"
    r"positiv|negativ|positif|positive?|n[ée]gatif|positivo|negativo|pos|neg"
    r")\b",
    re.IGNORECASE,
)
_BARE_DATE = re.compile(r"\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?\s*")


@dataclass(frozen=True, slots=True)
class _Found:
    """A result found on a line, before its date and unit are checked."""

    line: int  # index into the lines
    test: str
    analyte: str
    parsed: Parsed
    date: FoundDate | None


def read_report(text: str, kb: Knowledge, date_order: DateOrder | None = None) -> ReportReading:
    """Read every result of a report's text.

    Raises:
        InputError: empty text, no result that can be used, or a collection date whose day
            and month could be swapped with nothing in the report to tell the order.
    """
    if not text.strip():
        raise InputError("report", "empty: there is no text to read", "the lines of a lab report")
    lines = report_lines(text)
    if len(lines) > MAX_LINES:
        raise InputError(
            "report", f"{len(lines):,} lines", f"a lab report of at most {MAX_LINES:,} lines"
        )
    names = NameIndex.of(kb)
    reader = TailReader.of(kb, names, decimal_style(text))
    scan = _Scan(lines, names, reader)
    scan.run()
    order = date_order or _order(text)
    return _assemble(kb, scan, labelled_dates(lines), order)


def _order(text: str) -> DateOrder | None:
    from alkphos.adapters.report.dates import report_order

    return report_order(text)


@dataclass
class _Scan:
    """Walks the lines once, table by table and line by line."""

    lines: list[str]
    names: NameIndex
    reader: TailReader

    def __post_init__(self) -> None:
        self.found: list[_Found] = []
        self.unread: list[UnreadLine] = []

    def run(self) -> None:
        index = 0
        while index < len(self.lines):
            after = self._date_columns(index) or self._test_columns(index)
            if after is not None:
                index = after
                continue
            self._line(index)
            index += 1

    def _unread(self, index: int, reason: str) -> None:
        self.unread.append(
            UnreadLine(line=index + 1, text=self.lines[index].strip(), reason=reason)
        )

    # One or more results on one line.
    def _line(self, index: int) -> None:
        line = self.lines[index]
        words = list(_WORDS.finditer(line))
        position = 0
        found_any = False
        k = 0
        while k < len(words):
            if words[k].start() < position:
                k += 1
                continue
            match = self.names.match([w.group() for w in words[k:]])
            if match is None:
                k += 1
                continue
            analyte, size = match
            start, end = words[k].start(), words[k + size - 1].end()
            qualified = self._qualified(words, k, size)
            if qualified is not None:
                if not found_any:
                    self._unread(
                        index,
                        f"'{qualified}' could name more than one test, so it is not read "
                        f"as {line[start:end]}",
                    )
                    return
                k += size
                continue
            before = line[:start]
            dates_before = [d for d in find_dates(line) if d.end <= start]
            leading = " ".join(
                w
                for w in _strip_dates(before, dates_before).split()
                if name_key(w) not in SPECIMEN_WORDS
            )
            at_start = _LETTER.search(leading) is None
            parsed = self.reader.read(line, end, analyte)
            test = line[start:end].strip(" :")
            if parsed.problem or parsed.value is None:
                if at_start and not found_any and _worth_naming(line, parsed):
                    reason = parsed.problem or "no value after the test name"
                    self._unread(index, f"{test}: {reason}")
                    return
                k += size
                continue
            evidence = parsed.unit is not None or parsed.limits is not None
            if at_start or found_any or evidence:
                own_date = parsed.date or (dates_before[-1] if dates_before else None)
                self.found.append(_Found(index, test, analyte, parsed, own_date))
                found_any = True
            position = parsed.end
            k += size
        if not found_any:
            self._unknown(index, line)

    def _qualified(self, words: list[re.Match[str]], k: int, size: int) -> str | None:
        """The longer name a qualifier before the match makes, when that name belongs to
        more than one test ("Bone ALP" is not total ALP)."""
        for back in range(1, min(k, 3) + 1):
            run = [w.group() for w in words[k - back : k + size]]
            if self.names.is_ambiguous(run):
                return " ".join(run)
        return None

    def _unknown(self, index: int, line: str) -> None:
        """Name a line that looks like a result of a test alkphos does not know."""
        word = _QUALITATIVE.match(line)
        if word is not None:
            name = word.group("name").strip(" .:")
            self._unread(
                index, f"'{name}': a result in words ('{word.group('word')}'), not a value"
            )
            return
        match = _RESULT_LIKE.match(line)
        if match is None:
            return
        rest = match.group("rest")
        units = [w for w in rest.split() if _looks_like_unit(self.reader, w)]
        if not units:
            return
        name = match.group("name").strip(" .:")
        hint = closest(name, list(self.names.keys))
        suggestion = f" (did you mean '{hint}'?)" if hint else ""
        self._unread(index, f"'{name}' is not a test alkphos knows{suggestion}")

    # A cumulative table with one column per date.
    def _date_columns(self, index: int) -> int | None:
        header = self.lines[index]
        if len(find_dates(header)) < 2 or self.names.match(header.split()) is not None:
            return None
        head = cells(header)
        columns = {i: find_dates(cell.text) for i, cell in enumerate(head)}
        # A date column's header is the date alone (a time may follow); "Collected:
        # 2024-10-03   Received: 2024-10-03" is two labelled dates, not a table.
        date_columns = {
            i: found[0]
            for i, found in columns.items()
            if len(found) == 1 and _BARE_DATE.fullmatch(_strip_dates(head[i].text, found))
        }
        if len(date_columns) < 2:
            return None
        row = index + 1
        while row < len(self.lines) and self.lines[row].strip():
            line = self.lines[row]
            if len(find_dates(line)) >= 2:
                break
            match = self.names.match(line.split())
            if match is None:
                self._unknown(row, line)
                row += 1
                continue
            analyte, size = match
            name_end = list(_WORDS.finditer(line))[size - 1].end()
            test = line[:name_end].strip(" :")
            assigned = _align(head, [c for c in cells(line) if c.start >= name_end], line, header)
            rest = " ".join(c.text for i, c in assigned if i not in date_columns)
            for column, on in date_columns.items():
                text = " ".join(c.text for i, c in assigned if i == column)
                if _EMPTY_CELL.match(text):
                    continue
                parsed = self.reader.read(f"{text} {rest}", 0, analyte)
                self._table_result(row, test, analyte, parsed, on)
            row += 1
        return row

    # A cumulative table with one row per date and one column per test.
    def _test_columns(self, index: int) -> int | None:
        header = self.lines[index]
        head = cells(header)
        tests: dict[int, tuple[str, str, str | None]] = {}
        for i, cell in enumerate(head):
            bare = _BRACKETED.sub(" ", cell.text).strip()
            analyte = self.names.find(bare) if bare else None
            if analyte is not None:
                inside = _BRACKETED.search(cell.text)
                tests[i] = (bare, analyte, inside.group(1) if inside else None)
        if len(tests) < 2 or len(tests) < len(head) - 2:
            return None
        units: dict[int, str] = {}
        ranges: dict[int, str] = {}
        row = index + 1
        while row < len(self.lines) and self.lines[row].strip():
            line = self.lines[row]
            row_cells = cells(line)
            first = row_cells[0].text if row_cells else ""
            assigned = _align(head, row_cells[1:], line, header)
            if _UNIT_ROW.match(first):
                units.update({i: c.text for i, c in assigned})
            elif _REF_ROW.match(first):
                ranges.update({i: c.text for i, c in assigned})
            else:
                on = find_dates(first)
                if not on or on[0].start != 0:
                    break
                for column, (test, analyte, unit) in tests.items():
                    text = " ".join(c.text for i, c in assigned if i == column)
                    if _EMPTY_CELL.match(text):
                        continue
                    written = f"{text} {units.get(column) or unit or ''} {ranges.get(column, '')}"
                    self._table_result(
                        row, test, analyte, self.reader.read(written, 0, analyte), on[0]
                    )
            row += 1
        return row

    def _table_result(
        self, row: int, test: str, analyte: str, parsed: Parsed, on: FoundDate
    ) -> None:
        if parsed.problem or parsed.value is None:
            self._unread(row, f"{test} ({on.text}): {parsed.problem or 'no value'}")
        else:
            self.found.append(_Found(row, test, analyte, parsed, on))


def _strip_dates(text: str, dates: list[FoundDate]) -> str:
    for found in reversed(dates):
        text = text[: found.start] + " " + text[found.end :]
    return text


def _worth_naming(line: str, parsed: Parsed) -> bool:
    """A named test without a value is worth listing when the line has a number or says
    plainly that no value is printed; a heading ("Alkaline phosphatase isoenzymes") is not."""
    return (
        bool(re.search(r"\d", line))
        or parsed.problem == "no value is printed"
        or _QUALITATIVE.match(line) is not None
    )


def _looks_like_unit(reader: TailReader, word: str) -> bool:
    """A unit has a letter or is a percent ("1", the unit of a ratio, is not a sign)."""
    key = normalise_spelling(word.strip("()[],;"))
    if _LETTER.search(key) is None and key != "%":
        return False
    return key in reader.known_units or "/" in key


def _align(head: list[Cell], row: list[Cell], line: str, header: str) -> list[tuple[int, Cell]]:
    """Each cell of a row with the header column it sits under."""
    if "\t" in line and "\t" in header:
        offset = len(cells(header)) - len(row) - 0
        whole = cells(line)
        first = len(whole) - len(row)
        return [(first + i, cell) for i, cell in enumerate(row) if cell.text] if offset >= 0 else []
    placed: list[tuple[int, Cell]] = []
    for cell in row:
        if cell.start > head[-1].end + 1:
            # Past the header's last column (units and ranges a header line above names):
            # no column of this header, so it belongs to every value of the row.
            placed.append((-1, cell))
            continue
        overlaps = [
            (min(cell.end, h.end) - max(cell.start, h.start), i) for i, h in enumerate(head)
        ]
        best_overlap, best = max(overlaps)
        if best_overlap <= 0:
            best = min(range(len(head)), key=lambda i: abs(head[i].centre - cell.centre))
        placed.append((best, cell))
    return placed


def _assemble(
    kb: Knowledge,
    scan: _Scan,
    labelled: list[tuple[int, FoundDate]],
    order: DateOrder | None,
) -> ReportReading:
    results: list[ReadResult] = []
    unread = list(scan.unread)
    notes: list[str] = []
    used = 0
    for found in scan.found:
        line = scan.lines[found.line]
        number = found.line + 1
        parsed = found.parsed
        limits: Limits | None = parsed.limits
        unit = parsed.unit or (limits.unit if limits else None)
        on = found.date or _labelled_for(found.line, labelled)
        iso = None
        if on is not None:
            try:
                iso = on.resolve(order).isoformat()
            except AmbiguousDateError as exc:
                raise InputError(
                    f"report line {number}", str(exc), "give the order as date_order: dmy or mdy"
                ) from None
            except ValueError:
                raise InputError(
                    f"report line {number}", f"'{on.text}' is not a calendar date", "a real date"
                ) from None
        value = parsed.value
        assert value is not None
        problem = _problem(kb, found.analyte, value.number, value.censored, unit)
        read = ReadResult(
            line=number,
            text=line.strip(),
            test=found.test,
            analyte=found.analyte,
            value=value.number,
            censored=value.censored,
            unit=unit,
            reference_low=limits.low if limits else None,
            reference_high=limits.high if limits else None,
            reference_text=limits.text if limits else None,
            flag=parsed.flag,
            flag_direction=flag_direction(parsed.flag) if parsed.flag else None,
            date=iso,
        )
        if problem:
            unread.append(
                UnreadLine(line=number, text=line.strip(), reason=f"{found.test}: {problem}")
            )
        else:
            read = replace_index(read, used)
            used += 1
            if unit is None:
                notes.append(
                    f"line {number}: no unit printed for {found.test}; read in "
                    f"{kb.analytes[found.analyte].unit}, its usual unit"
                )
        results.append(read)
    if used == 0:
        first = f"; {unread[0].reason} (line {unread[0].line})" if unread else ""
        raise InputError(
            "report",
            f"no result alkphos can use was found{first}",
            "lines such as 'ALP 45 U/L 35-104'",
        )
    if not any(r.analyte == "alp" and r.case_index is not None for r in results):
        notes.append("No ALP result was found in the report; the other results are interpreted.")
    unread.sort(key=lambda u: u.line)
    return ReportReading(results=results, not_understood=unread, notes=notes)


def replace_index(read: ReadResult, index: int) -> ReadResult:
    """The same reading, placed at ``index`` of the case's results."""
    return read.model_copy(update={"case_index": index})


def _labelled_for(line: int, labelled: list[tuple[int, FoundDate]]) -> FoundDate | None:
    before = [found for index, found in labelled if index <= line]
    if before:
        return before[-1]
    return labelled[0][1] if labelled else None


def _problem(
    kb: Knowledge, analyte: str, number: float | None, censored: str | None, unit: str | None
) -> str | None:
    """Why a read result cannot go into the case, if it cannot."""
    info = kb.analytes[analyte]
    if censored is not None:
        side = "below" if censored[0] in "<≤" else "above"
        return (
            f"censored value '{censored}' ({side} what the laboratory reports as a number) is "
            "kept as printed and not interpreted as a number"
        )
    conversion = kb.unit_index[analyte].get(normalise_spelling(unit or info.unit))
    if conversion is None:
        return (
            f"unit '{unit}' is not one alkphos accepts for {info.name} "
            f"(accepted: {', '.join(kb.accepted_units(analyte))})"
        )
    assert number is not None
    converted = number * conversion.factor
    if not info.plausible.low <= converted <= info.plausible.high:
        return f"{number:g} {unit or info.unit} is not a plausible {info.name}"
    return None
