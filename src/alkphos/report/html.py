"""The interpretation as a self-contained HTML page (inline CSS and SVG, no external asset)."""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from alkphos.knowledge.loader import Knowledge
from alkphos.knowledge.schema import Citation
from alkphos.model.interpretation import Interpretation
from alkphos.model.report import ReadResult, ReportInterpretation
from alkphos.render.headline import headline, one_line_reason
from alkphos.render.inputs import inputs_line
from alkphos.render.numbers import canonical, reported
from alkphos.report.chart import HEIGHT_PX, alp_chart_svg
from alkphos.rules.intervals import citation_label

__all__ = [
    "MAX_CAUSES",
    "citation_text",
    "environment",
    "read_value",
    "render_report",
    "stylesheet",
    "template_context",
]

MAX_CAUSES = 8
FIRST_TESTS = 4  # tests shown before "more"


@cache
def environment(*packages: str) -> Any:
    """The Jinja environment over the templates of these packages (the first wins), with
    HTML autoescaping: one for the report, one for the web page."""
    import jinja2

    folders = [str(resources.files(f"alkphos.{package}") / "templates") for package in packages]
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def stylesheet() -> str:
    """The one stylesheet of the page, the report and the PDF."""
    return (resources.files("alkphos.report") / "templates" / "style.css").read_text("utf-8")


def citation_text(citation: Citation) -> str:
    """A reference in the usual form: authors. title. journal, year. DOI/PMID."""
    parts = [citation.authors, citation.title, citation.published_in]
    if citation.authors.strip().lower() == "unknown":
        parts = parts[1:]
    text = ". ".join(part.strip().rstrip(".") for part in parts)
    text += f", {citation.year}." if citation.year else "."
    if citation.doi:
        text += f" doi:{citation.doi}"
    elif citation.pmid:
        text += f" PMID {citation.pmid}"
    return text


def template_context(
    result: Interpretation,
    kb: Knowledge,
    *,
    open_all: bool = False,
    max_causes: int = MAX_CAUSES,
    headline_level: int = 1,
    chart_height: int = HEIGHT_PX,
) -> dict[str, Any]:
    """Everything the interpretation templates need. ``open_all`` (the PDF) opens the
    leading cause's evidence, the further tests and the details; the sources listed are
    those of the interval, a medicine's reading and the causes whose evidence is shown."""
    top = headline(result, kb)
    ids: list[str] = []
    if result.alp is not None:
        ids.extend(result.alp.reference_interval.citations)
    if top.medicine is not None:
        ids.extend(top.medicine.citations)
    for cause in result.differential[: 1 if open_all else 3]:
        ids.extend(cause.citations)
    used = list(dict.fromkeys(i for i in ids if i in kb.citations))
    return {
        "result": result,
        "chart": alp_chart_svg(result, chart_height),
        "citations": {key: citation_label(kb.citations[key]) for key in used},
        "used_citations": [citation_text(kb.citations[key]) for key in used],
        "max_causes": max_causes,
        "open_all": open_all,
        "headline": top,
        "headline_level": headline_level,
        "first_tests": FIRST_TESTS,
        "reason": one_line_reason,
        "reported": lambda row: reported(row, kb),
        "alp_value": lambda value: canonical(value, "alp", kb),
        "inputs": inputs_line(result.inputs) if result.inputs is not None else "",
    }


def render_report(
    result: Interpretation,
    kb: Knowledge,
    made_on: date,
    *,
    open_all: bool = False,
    max_causes: int = MAX_CAUSES,
    report: ReportInterpretation | None = None,
) -> str:
    """The standalone report page; with ``report``, what was read from the lab report
    comes first ("Read from your report")."""
    context = template_context(
        result, kb, open_all=open_all, max_causes=max_causes, headline_level=2, chart_height=150
    )
    template = environment("report").get_template("report.html.j2")
    return str(
        template.render(
            **context,
            css=stylesheet(),
            made_on=made_on.isoformat(),
            report=report,
            read_value=read_value,
        )
    )


def read_value(read: ReadResult) -> str:
    """A value as read from a report: the censored text, else the number."""
    return read.censored if read.censored is not None else f"{read.value:g}"
