"""The interpretation as a PDF for the patient's record (WeasyPrint)."""

from __future__ import annotations

from datetime import date

from alkphos.knowledge.loader import Knowledge
from alkphos.model.interpretation import Interpretation
from alkphos.model.report import ReportInterpretation
from alkphos.report.html import render_report

__all__ = ["PDF_CAUSES", "render_pdf"]

PDF_CAUSES = 5


def render_pdf(
    result: Interpretation,
    kb: Knowledge,
    made_on: date,
    report: ReportInterpretation | None = None,
) -> bytes:
    """The report as PDF bytes: every cause opened, the chart, the sources and versions
    (and first, with ``report``, what was read from the lab report)."""
    import weasyprint

    html = render_report(result, kb, made_on, open_all=True, max_causes=PDF_CAUSES, report=report)
    document: bytes = weasyprint.HTML(string=html, base_url=None).write_pdf()
    return document
