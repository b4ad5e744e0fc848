"""Render the web page's templates (the form and the interpretation page)."""

from __future__ import annotations

from functools import cache
from typing import Any

from alkphos._version import __version__
from alkphos.knowledge.loader import Knowledge
from alkphos.model.interpretation import Interpretation
from alkphos.model.report import ReportInterpretation
from alkphos.render.inputs import SETTING_LABELS
from alkphos.render.patient import patient_extras
from alkphos.report.html import environment, read_value, template_context
from alkphos.web.checks import field_label
from alkphos.web.examples import examples
from alkphos.web.form import FormState

__all__ = ["render_docs", "render_form", "render_interpretation"]


@cache
def _catalogue(kb: Knowledge) -> dict[str, Any]:
    """Names, units and suggestions the form offers, from the knowledge base."""
    analytes = sorted(kb.analytes.values(), key=lambda a: a.name.lower())
    names = sorted({a.name for a in analytes} | {alias for a in analytes for alias in a.aliases})
    units = sorted({spelling for a in analytes for spelling in kb.accepted_units(a.id)})
    drugs = sorted(
        {d.name for d in kb.drugs.values()} | {b for d in kb.drugs.values() for b in d.brands}
    )
    return {
        "analyte_names": names,
        "units": units,
        "drug_names": drugs,
        "findings": sorted(kb.findings.values(), key=lambda f: f.name.lower()),
        "unit_table": {
            "names": dict(kb.analyte_index),
            "units": {a.id: kb.accepted_units(a.id) for a in analytes},
        },
    }


def _common(kb: Knowledge, base: str) -> dict[str, Any]:
    return {"base": base, "version": __version__, "knowledge_version": kb.version}


def render_form(
    kb: Knowledge,
    base: str,
    state: FormState,
    errors: dict[str, str] | None = None,
    pasted: str = "",
    *,
    report: ReportInterpretation | None = None,
    report_text: str = "",
    date_order: str = "",
) -> str:
    """The case form, with what was typed, any errors beside their fields and all of them
    in a summary at the top (each a link to its field); after a lab report was read, what
    was read from it above the form it filled in."""
    template = environment("web", "report").get_template("index.html.j2")
    anchors = {"medications": "medication-0", "findings": "finding-0", "form": "main"}
    summary = [
        (anchors.get(name, name), field_label(name), message)
        for name, message in (errors or {}).items()
    ]
    return str(
        template.render(
            **_common(kb, base),
            **_catalogue(kb),
            state=state,
            errors=errors or {},
            error_summary=summary,
            pasted=pasted,
            examples=examples(),
            settings=[(key, label) for key, label in SETTING_LABELS.items() if key != "unknown"],
            report=report,
            report_text=report_text,
            date_order=date_order,
            read_value=read_value,
        )
    )


def render_interpretation(
    result: Interpretation, kb: Knowledge, base: str, key: str, view: str = "clinician"
) -> str:
    """The interpretation page at its stable address."""
    template = environment("web", "report").get_template("interpretation.html.j2")
    context = template_context(result, kb)
    extras = patient_extras(result, kb)
    return str(template.render(**_common(kb, base), **context, key=key, view=view, patient=extras))


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The document's operations, each with its examples and whether the page can send it
    (a GET without path parameters, or a POST with an example body)."""
    found = []
    for path, methods in document.get("paths", {}).items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            default: tuple[str, dict[str, Any]] = ("application/json", {})
            media, entry = next(iter(content.items()), default)
            chosen = list(entry.get("examples", {}).items())
            simple_get = method == "get" and "{" not in path
            found.append(
                {
                    "method": method,
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", "").split("\n\n")[0],
                    "media": media,
                    "examples": chosen,
                    "try": simple_get or bool(chosen),
                }
            )
    return found


def render_docs(kb: Knowledge, base: str, document: dict[str, Any]) -> str:
    """The API page."""
    template = environment("web", "report").get_template("docs.html.j2")
    return str(template.render(**_common(kb, base), operations=_operations(document)))
