"""What was read from a report, in words: each result with the line it came from, the lines
not understood, the printed ranges set aside and the flags that disagree. Shared by the
text output and the HTML/PDF report."""

from __future__ import annotations

import textwrap

from alkphos.model.report import ReadResult, ReportInterpretation
from alkphos.render.text import render_text

__all__ = ["read_line", "render_report_text", "result_words"]

_WIDTH = 88


def result_words(read: ReadResult) -> str:
    """One read result in words: 'ALK PHOS. 22 U/L (printed range 35-104, flag L, 2024-03-14)'."""
    value = read.censored if read.censored is not None else f"{read.value:g}"
    parts = [f"printed range {read.reference_text}"] if read.reference_text else []
    if read.flag:
        parts.append(f"flag {read.flag}")
    if read.date:
        parts.append(read.date)
    unit = f" {read.unit}" if read.unit else ""
    details = f" ({', '.join(parts)})" if parts else ""
    return f"{read.test} {value}{unit}{details}"


def read_line(read: ReadResult) -> str:
    """A read result with the line number and text it came from."""
    return f'line {read.line}: {result_words(read)}, from "{_plain(read.text)}"'


def _plain(text: str) -> str:
    """A line with its column gaps as single spaces (the line number says where it is)."""
    return " ".join(text.split())


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, _WIDTH, initial_indent="  - ", subsequent_indent="    ")


def render_report_text(report: ReportInterpretation) -> str:
    """'Read from your report: ...' and then the interpretation, as plain text."""
    reading = report.reading
    used = [r for r in reading.results if r.case_index is not None]
    lines = [f"Read from your report: {len(used)} result{'s' if len(used) != 1 else ''}"]
    for read in used:
        lines += _wrap(read_line(read))
    if reading.not_understood:
        lines.append("NOT UNDERSTOOD (check these lines yourself)")
        for unread in reading.not_understood:
            lines += _wrap(f'line {unread.line}: {unread.reason}, from "{_plain(unread.text)}"')
    if report.set_aside:
        lines.append("PRINTED RANGES SET ASIDE")
        for item in report.set_aside:
            lines += _wrap(f"line {item.line}, {item.test}: {item.reason}")
    if report.disagreements:
        lines.append("THE LABORATORY'S FLAG AND ALKPHOS DISAGREE")
        for disagreement in report.disagreements:
            lines += _wrap(disagreement.message)
    for note in reading.notes:
        lines += _wrap(note)
    return "\n".join(lines) + "\n\n" + render_text(report.interpretation)
