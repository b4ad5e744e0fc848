"""Reports: the self-contained HTML page, the SVG chart and the PDF."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

from alkphos import Knowledge, interpret
from alkphos.report.chart import alp_chart_svg
from alkphos.report.html import render_report

EXAMPLE = Path(__file__).parent.parent.parent / "examples" / "low-alp-adult.json"
SERIES = {
    "patient": {"birth_date": "2008-05-01", "sex": "female"},
    "results": [
        {"test": "ALP", "value": 300, "date": "2019-06-01"},
        {"test": "ALP", "value": 210, "date": "2022-06-01"},
        {"test": "ALP", "value": 60, "date": "2024-06-01"},
    ],
}


def test_chart_draws_every_result_and_the_band() -> None:
    """One marker per ALP result and a band that follows the age intervals."""
    svg = alp_chart_svg(interpret(SERIES))
    assert svg is not None
    assert svg.count("<circle") == 3
    assert svg.count('fill="#86efac"') == 3  # one band step per result
    assert 'role="img"' in svg
    assert "<title" in svg


def test_no_chart_without_alp() -> None:
    """No ALP result, no chart."""
    result = interpret(
        {"patient": {}, "results": [{"test": "GGT", "value": 20, "date": "2024-01-01"}]}
    )
    assert alp_chart_svg(result) is None


def test_html_report_is_self_contained(kb: Knowledge) -> None:
    """No external asset: no link, no script, no remote URL in src or href."""
    html = render_report(interpret(SERIES), kb, date(2026, 1, 2))
    assert "<link" not in html
    assert "<script" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<style>" in html
    assert "<svg" in html


def test_html_report_has_the_sections(kb: Knowledge) -> None:
    """Flags, the ALP with its interval, causes with evidence, tests, follow-up, sources."""
    result = interpret(
        {
            "patient": {"age_years": 46, "sex": "female"},
            "results": [
                {"test": "ALP", "value": 22, "date": "2024-01-10"},
                {"test": "ALP", "value": 24, "date": "2023-01-10"},
            ],
        }
    )
    html = render_report(result, kb, date(2026, 1, 2))
    for text in (
        "Flags",
        "Interval used:",
        "Likely causes",
        "Evidence for",
        "Next tests",
        "Follow-up",
        "In plain words",
        "Sources",
        result.knowledge_version,
        "2026-01-02",
    ):
        assert text in html, text
    assert html.index("Flags") < html.index("Likely causes")


def test_pdf_report_text(tmp_path: Path) -> None:
    """The PDF carries the chart, the interval, the sources, the versions and the date."""
    out = tmp_path / "report.pdf"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "alkphos",
            "interpret",
            str(EXAMPLE),
            "--format",
            "pdf",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF")
    pdf_text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = " ".join(pdf_text.split())  # where a line wraps depends on the text's width
    for expected in (
        "alkphos report",
        "Read with: age",
        "seen in: not said (read as outpatient)",
        "Interval used:",
        "Likely causes",
        "Hypophosphatasia",
        "Sources",
        "ALP, U/L",
        date.today().isoformat(),
    ):
        assert expected in text, expected
    # pdftotext drops the hyphen of "kb-" when the line breaks there (it depends on the hash)
    assert re.search(r"knowledge kb-? ?[0-9a-f]{12}", text)


def test_pdf_needs_an_output_file() -> None:
    """A PDF is not written to the terminal: --out is required (exit 2, one line)."""
    done = subprocess.run(
        [sys.executable, "-m", "alkphos", "interpret", str(EXAMPLE), "--format", "pdf"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: --format pdf needs --out FILE (a PDF is not printed to the terminal)"
    ]


def test_causes_are_shown_in_words_not_scores(kb: Knowledge) -> None:
    """Issue 14: people read each cause's standing in words; raw scores stay in the JSON."""
    from alkphos.render.text import render_text

    case = {
        "patient": {"age_years": 46, "sex": "female"},
        "results": [
            {"test": "ALP", "value": 22, "date": "2024-06-01"},
            {"test": "ALP", "value": 21, "date": "2025-01-20"},
            {"test": "PLP", "value": 212, "unit": "nmol/L", "date": "2025-01-20"},
        ],
    }
    result = interpret(case)
    text = render_text(result)
    html = render_report(result, kb, date(2026, 1, 2))
    assert "score" not in text.lower()
    assert "(score" not in html
    assert "(supported)" in text
    assert 'class="standing standing-supported">supported<' in html
    assert {c.standing for c in result.differential} <= {"supported", "possible", "less likely"}


def test_chart_text_is_twelve_pixels_at_every_width() -> None:
    """Issue 16: no viewBox (a scaled drawing shrinks its text on a phone) and every text
    12 px or more; positions across are percentages, so the chart fills any width."""
    svg = alp_chart_svg(interpret(SERIES))
    assert svg is not None
    assert "viewBox" not in svg
    assert 'width="100%"' in svg
    sizes = [float(size) for size in re.findall(r'font-size="([\d.]+)"', svg)]
    assert sizes
    assert min(sizes) >= 12
    assert all(x.endswith("%") for x in re.findall(r' (?:x|x1|x2|cx)="([^"]+)"', svg))


def test_chart_prints_each_value_and_labels_the_limits() -> None:
    """Each point's value is printed, not only on hover; the latest limits carry values."""
    result = interpret(SERIES)
    svg = alp_chart_svg(result)
    assert svg is not None
    printed = re.findall(r'class="point-value">([^<]+)<', svg)
    assert printed == ["300", "210", "60"]
    interval = result.alp.reference_interval if result.alp else None
    assert interval is not None
    assert f">upper {interval.high:g}<" in svg
    assert f">lower {interval.low:g}<" in svg


def test_chart_of_a_single_result() -> None:
    """One result: the band spans the plot, the point sits in the middle, the axis names its
    date (never 'result 1')."""
    one = {"patient": {"age_years": 50}, "results": [{"test": "ALP", "value": 30}]}
    svg = alp_chart_svg(interpret(one, as_of=date(2025, 1, 1)))
    assert svg is not None
    assert "result 1" not in svg
    assert ">undated<" in svg
    (band,) = re.findall(r'<rect x="([\d.]+)%" width="([\d.]+)%"', svg)
    assert float(band[0]) <= 11
    assert float(band[0]) + float(band[1]) >= 78
    assert re.search(r'<circle cx="44.50%"', svg)
    dated = {
        "patient": {"age_years": 50},
        "results": [{"test": "ALP", "value": 30, "date": "2024-05-06"}],
    }
    svg = alp_chart_svg(interpret(dated))
    assert svg is not None
    assert ">2024-05-06<" in svg
