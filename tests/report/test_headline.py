"""The headline: the answer first (value, status against the interval used, what it most
likely means, a medicine that explains it and what would change that, the one action)."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest

from alkphos import Knowledge, interpret
from alkphos.render.headline import headline, one_line_reason
from alkphos.report.pdf import render_pdf

EXAMPLE = Path(__file__).parent.parent.parent / "examples" / "low-alp-adult.json"
ALENDRONATE = {
    "patient": {"age_years": 63, "sex": "female"},
    "results": [
        {"test": "ALP", "value": 32, "date": "2025-01-10"},
        {"test": "ALP", "value": 30, "date": "2025-04-10"},
    ],
    "medications": ["alendronate 70 mg weekly"],
}


def test_an_antiresorptive_that_explains_a_low_alp_is_said_first(kb: Knowledge) -> None:
    """Issue 16: 'is this the drug, and what do I do about it?' is answered in the headline."""
    top = headline(interpret(ALENDRONATE), kb)
    assert top.status == "low"
    assert top.against.startswith("below 40-130 U/L (knowledge base: Women 60 years")
    assert top.meaning == "Most likely: Antiresorptive therapy (bisphosphonate, denosumab)."
    assert top.medicine is not None
    assert top.medicine.medicines == ("alendronate 70 mg weekly",)
    assert "that explains this low ALP" in top.medicine.text
    assert "hypophosphatasia" in top.medicine.reconsider
    assert set(top.medicine.citations) <= set(kb.citations)
    assert "keep the treatment as planned" in top.action


def test_an_enzyme_inducer_that_explains_a_raised_alp(kb: Knowledge) -> None:
    case = {
        "patient": {"age_years": 40, "sex": "male"},
        "results": [
            {"test": "ALP", "value": 160, "date": "2025-01-01"},
            {"test": "GGT", "value": 90, "date": "2025-01-01"},
        ],
        "medications": ["carbamazepine"],
    }
    top = headline(interpret(case), kb)
    assert top.medicine is not None
    assert top.medicine.drug_class == "enzyme_inducing_anticonvulsant"
    assert "that explains this high ALP" in top.medicine.text


def test_a_medicine_that_does_not_explain_the_finding_is_not_named(kb: Knowledge) -> None:
    """Alendronate beside a raised ALP explains nothing: no medicine reading."""
    case = dict(ALENDRONATE, results=[{"test": "ALP", "value": 200, "date": "2025-01-10"}])
    assert headline(interpret(case), kb).medicine is None


def test_a_normal_alp_says_nothing_stands_out(kb: Knowledge) -> None:
    case = {
        "patient": {"age_years": 40, "sex": "male"},
        "results": [{"test": "ALP", "value": 80, "date": "2025-01-01"}],
    }
    top = headline(interpret(case), kb)
    assert top.meaning == "Nothing stands out: ALP is within its interval."
    assert top.action.startswith("No repeat is needed")


def test_a_critical_flag_is_the_action(kb: Knowledge) -> None:
    when = "2025-01-01"
    case = {
        "patient": {"age_years": 40, "sex": "male"},
        "results": [
            {"test": "ALP", "value": 300, "date": when},
            {"test": "ALT", "value": 2000, "date": when},
            {"test": "INR", "value": 2.0, "date": when},
            {"test": "bilirubin", "value": 80, "unit": "umol/L", "date": when},
        ],
    }
    result = interpret(case)
    critical = [flag for flag in result.flags if flag.severity == "critical"]
    assert critical
    assert headline(result, kb).action == critical[0].message


@pytest.mark.parametrize(
    ("reason", "line"),
    [
        ("Confirms it. Second sentence. (for: flag: x, HPP (ALPL variants))", "Confirms it."),
        ("No full stop (for: A)", "No full stop."),
        ("About 180 nmol/L; e.g. fasting. More.", "About 180 nmol/L; e.g. fasting."),
    ],
)
def test_a_tests_reason_in_one_line(reason: str, line: str) -> None:
    assert one_line_reason(reason) == line


@pytest.mark.parametrize("case", ["example", "alendronate"])
def test_the_pdf_fits_on_two_a4_pages(kb: Knowledge, tmp_path: Path, case: str) -> None:
    """Issue 16: a persistently low ALP with supporting tests fits on two A4 pages."""
    import json

    data = json.loads(EXAMPLE.read_text()) if case == "example" else ALENDRONATE
    out = tmp_path / "report.pdf"
    out.write_bytes(render_pdf(interpret(data), kb, date(2026, 1, 2)))
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True)
    pages = next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))
    assert int(pages.split()[1]) <= 2
    assert "Page size:       595.276 x 841.89 pts (A4)" in info.stdout
