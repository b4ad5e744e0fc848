"""The interpretation as text for a person: most important first."""

from __future__ import annotations

import textwrap

from alkphos.model.interpretation import Interpretation
from alkphos.render.inputs import inputs_line
from alkphos.render.numbers import canonical, reported
from alkphos.render.numbers import limits as interval_text

__all__ = ["render_text"]

_WIDTH = 88
_SHOWN_CAUSES = 5


def _wrap(text: str, indent: str = "  ", hanging: str | None = None) -> list[str]:
    return textwrap.wrap(
        text, _WIDTH, initial_indent=indent, subsequent_indent=hanging or indent
    ) or [indent.rstrip()]


def render_text(result: Interpretation) -> str:
    """A plain-text report of the interpretation."""
    lines = [
        f"alkphos interpretation as of {result.as_of} "
        f"(alkphos {result.alkphos_version}, knowledge {result.knowledge_version})",
        "",
    ]
    if result.inputs is not None:
        lines.append("PATIENT")
        lines += _wrap(inputs_line(result.inputs), "  ", "    ")
        lines.append("")
    serious = [flag for flag in result.flags if flag.severity in ("critical", "warning")]
    if serious:
        lines.append("ATTENTION")
        for flag in serious:
            lines += _wrap(f"[{flag.severity.upper()}] {flag.message}", "  ", "    ")
        lines.append("")
    alp = result.alp
    lines.append("ALP")
    if alp is None:
        lines.append("  No ALP result in the case.")
    else:
        when = f" on {alp.date}" if alp.date else ""
        lines.append(f"  {canonical(alp.value, 'alp')} U/L{when}: {alp.status.upper()}")
        lines += _wrap(
            f"Interval {interval_text(alp.reference_interval, 'alp')} "
            f"({alp.reference_interval.basis})",
            "  ",
            "    ",
        )
        if alp.status == "high":
            grade = f"; CTCAE v5.0 {alp.grade} ({alp.grade_label})" if alp.grade else ""
            lines.append(f"  {alp.multiple_of_uln:g} x upper limit{grade}")
    series = result.alp_series
    if series is not None and series.n_results > 1:
        lines += _wrap(
            f"{series.n_results} ALP results, {series.n_low} low, {series.n_high} high; "
            f"trend {series.trend or 'n/a'}"
            + (
                f"; persistently low: {'yes' if series.persistently_low else 'no'} "
                f"({series.persistence_definition})"
                if series.n_low
                else ""
            ),
            "  ",
            "    ",
        )
    lines.append("")
    lines.append("SUMMARY")
    lines += _wrap(result.summary.clinician)
    lines.append("")
    if result.differential:
        lines.append("CAUSES CONSIDERED (best supported first)")
        for rank, cause in enumerate(result.differential[:_SHOWN_CAUSES], start=1):
            lines.append(f"  {rank}. {cause.name} ({cause.standing})")
            for item in cause.evidence_for:
                lines += _wrap(f"+ {item}", "       ", "         ")
            for item in cause.evidence_against:
                lines += _wrap(f"- {item}", "       ", "         ")
        hidden = len(result.differential) - _SHOWN_CAUSES
        if hidden > 0:
            lines.append(f"  ({hidden} less likely causes in the JSON output)")
        lines.append("")
    if result.tests:
        lines.append("NEXT TESTS (in order)")
        for test in result.tests:
            lines += _wrap(f"{test.priority}. {test.name}: {test.reason}", "  ", "     ")
        lines.append("")
    lines.append("FOLLOW-UP")
    days = result.follow_up.repeat_alp_after_days
    if days is not None:
        lines.append(f"  Repeat ALP after {days} days." if days else "  Recollect now.")
    lines += _wrap(result.follow_up.advice)
    lines.append("")
    lines.append("SOURCE AND PATTERN")
    lines.append(f"  Likely source: {result.source.likely}")
    for item in result.source.evidence:
        lines += _wrap(f"- {item}", "    ", "      ")
    if result.pattern is not None:
        lines.append(f"  Pattern: {result.pattern.name} (R = {result.pattern.r_ratio:g})")
        if result.pattern_note:
            lines += _wrap(result.pattern_note)
    elif result.pattern_note:
        lines += _wrap(f"Pattern: none. {result.pattern_note}")
    lines.append("")
    lines.append("ALL RESULTS")
    for row in result.results:
        when = f" {row.date}" if row.date else ""
        value, limits = reported(row)
        lines.append(f"  {row.name}{when}: {value} {row.status} ({limits or 'no interval'})")
    info = [flag for flag in result.flags if flag.severity == "info"]
    if info:
        lines.append("")
        lines.append("NOTES")
        for flag in info:
            lines += _wrap(f"- {flag.message}", "  ", "    ")
    lines.append("")
    lines.append("FOR THE PATIENT")
    lines += _wrap(result.summary.patient)
    if result.not_understood:
        lines.append("")
        lines.append("NOT UNDERSTOOD (set aside)")
        for item in result.not_understood:
            lines += _wrap(f"- {item}", "  ", "    ")
    return "\n".join(lines) + "\n"
