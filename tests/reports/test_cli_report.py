"""``alkphos interpret --report``: every output format shows what was read, and every bad
report is one ``error:`` line with exit code 2, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from alkphos.adapters.report.document import MAX_BYTES
from tests.reports.pdfs import encrypted_pdf, image_only_pdf, table_pdf, text_pdf

ALKPHOS = [sys.executable, "-m", "alkphos"]
REPORT = """\
Collected: 2024-03-14
TEST                 RESULT   FLAG   UNITS    REFERENCE
ALK PHOS.            22       L      U/L      35-104
Gamma-GT             15              U/L      (5 - 36)
Ferritin             45              ng/mL    15-150
"""
PATIENT = ["--age", "58", "--sex", "female"]


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*ALKPHOS, "interpret", *args], input=stdin, capture_output=True, check=False, timeout=90
    )


def test_json_lists_each_result_with_its_line_and_the_lines_not_understood(
    tmp_path: Path,
) -> None:
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    done = run("--report", str(path), *PATIENT)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    [alp, ggt] = data["reading"]["results"]
    assert (alp["line"], alp["value"], alp["unit"], alp["flag"]) == (3, 22.0, "U/L", "L")
    assert alp["text"].startswith("ALK PHOS.")
    assert ggt["reference_low"] == 5.0
    [unread] = data["reading"]["not_understood"]
    assert unread["line"] == 5
    assert "Ferritin" in unread["text"]
    assert data["interpretation"]["alp"]["status"] == "low"
    assert data["interpretation"]["inputs"]["age_years"] == 58


def test_text_from_standard_input_says_what_was_read_first() -> None:
    done = run("--report", "-", *PATIENT, "--format", "text", stdin=REPORT.encode())
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    assert out.startswith("Read from your report: 2 results")
    assert "line 3: ALK PHOS. 22 U/L (printed range 35-104, flag L, 2024-03-14)" in out
    assert "line 5: 'Ferritin' is not a test alkphos knows" in out
    assert out.index("Read from your report") < out.index("alkphos interpretation as of")


def test_html_and_pdf_show_the_reading(tmp_path: Path) -> None:
    html = run("--report", "-", *PATIENT, "--format", "html", stdin=REPORT.encode())
    assert html.returncode == 0, html.stderr
    page = html.stdout.decode()
    assert "Read from your report" in page
    assert "Ferritin" in page
    assert page.index('id="reading"') < page.index('id="flags"')
    out = tmp_path / "out.pdf"
    pdf = run(
        "--report", "-", *PATIENT, "--format", "pdf", "--out", str(out), stdin=REPORT.encode()
    )
    assert pdf.returncode == 0, pdf.stderr
    from alkphos.adapters.report.pdf import pdf_text

    assert "Read from your report" in pdf_text(out.read_bytes())


def test_a_pdf_report_is_read_with_its_columns_in_order(tmp_path: Path) -> None:
    fixed = tmp_path / "fixed.pdf"
    fixed.write_bytes(text_pdf(REPORT))
    done = run("--report", str(fixed), "--birth-date", "1966-06-02", "--sex", "female")
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)["reading"]["results"]
    assert [(r["test"], r["value"], r["reference_text"]) for r in results] == [
        ("ALK PHOS.", 22.0, "35-104"),
        ("Gamma-GT", 15.0, "(5 - 36)"),
    ]
    portal = tmp_path / "portal.pdf"
    portal.write_bytes(
        table_pdf(
            "Your results, collected 14 March 2024",
            ["Test", "Result", "Units", "Normal range", "Flag"],
            [
                ["Alkaline phosphatase", "1,080", "U/L", "35-104", "H"],
                ["ALT", "0.9", "µkat/L", "< 0.6", "H"],
            ],
            "Page 1 of 1 - printed from the patient portal",
        )
    )
    done = run("--report", str(portal), *PATIENT)
    assert done.returncode == 0, done.stderr
    [alp, alt] = json.loads(done.stdout)["reading"]["results"]
    assert (alp["value"], alp["reference_high"], alp["flag"], alp["date"]) == (
        1080.0,
        104.0,
        "H",
        "2024-03-14",
    )
    assert (alt["value"], alt["unit"], alt["reference_high"]) == (0.9, "µkat/L", 0.6)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"   \n", "empty"),
        (b"\x00\x01\x02binary\x00", "a binary file that is not a PDF"),
        (b"%PDF-1.4 not really", "not a readable PDF"),
        (b"Dear colleague, see you soon.", "no result alkphos can use"),
        (b"ALP \xe9 40 U/L", "not UTF-8 text"),
    ],
)
def test_bad_reports_are_one_error_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad"
    path.write_bytes(content)
    done = run("--report", str(path), *PATIENT)
    assert done.returncode == 2
    [line] = done.stderr.decode().splitlines()
    assert line.startswith("error: ")
    assert message in line


def test_oversized_encrypted_and_scanned_pdfs_are_refused(tmp_path: Path) -> None:
    cases = {
        "big.txt": (b"ALP 40 U/L\n" * (MAX_BYTES // 11 + 2), "at most 10 MB"),
        "locked.pdf": (encrypted_pdf(), "encrypted"),
        "scan.pdf": (image_only_pdf(), "no text layer"),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        done = run("--report", str(path), *PATIENT)
        assert done.returncode == 2, name
        [line] = done.stderr.decode().splitlines()
        assert line.startswith("error: "), line
        assert message in line, line


def test_patient_options_need_a_report_and_are_checked() -> None:
    done = run("examples/low-alp-adult.json", "--age", "40")
    assert done.returncode == 2
    assert b"go with --report" in done.stderr
    bad = run("--report", "-", "--sex", "femal", stdin=REPORT.encode())
    assert bad.returncode == 2
    assert b"error: patient.sex" in bad.stderr
