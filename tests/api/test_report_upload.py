"""POST /v1/interpret/report on the real server: text, PDF and form uploads give what the
command line gives; bad reports are 4xx in the same words."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import httpx
import pytest

from alkphos.adapters.report.case import interpret_report
from alkphos.adapters.report.document import MAX_BYTES
from alkphos.engine import knowledge
from tests.reports.pdfs import encrypted_pdf, image_only_pdf, text_pdf

REPORT = """\
Collected: 2024-03-14
TEST                 RESULT   FLAG   UNITS    REFERENCE
ALK PHOS.            22       L      U/L      35-104
Gamma-GT             15              U/L      (5 - 36)
Ferritin             45              ng/mL    15-150
"""
URL = "/v1/interpret/report"


def test_text_body_gives_the_reading_and_the_interpretation(server: str) -> None:
    response = httpx.post(
        f"{server}{URL}?age_years=58&sex=female",
        content=REPORT.encode(),
        headers={"content-type": "text/plain; charset=utf-8"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    expected = interpret_report(
        REPORT, {"age_years": 58.0, "sex": "female"}, knowledge(), date(2024, 6, 1)
    )
    assert body == json.loads(expected.model_dump_json())
    assert body["reading"]["results"][0]["line"] == 3
    assert body["reading"]["not_understood"][0]["line"] == 5


def test_the_service_answers_as_the_command_line(server: str) -> None:
    response = httpx.post(
        f"{server}{URL}?age_years=12&sex=male",
        content=REPORT.encode(),
        headers={"content-type": "text/plain"},
        timeout=30,
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "alkphos",
            "interpret",
            "--report",
            "-",
            "--age",
            "12",
            "--sex",
            "male",
        ],
        input=REPORT.encode(),
        capture_output=True,
        check=True,
        timeout=60,
    )
    assert response.json() == json.loads(done.stdout)
    assert response.json()["set_aside"][0]["line"] == 3


def test_pdf_body_and_multipart_form(server: str) -> None:
    pdf = text_pdf(REPORT)
    as_pdf = httpx.post(
        f"{server}{URL}?birth_date=1966-06-02&sex=female",
        content=pdf,
        headers={"content-type": "application/pdf"},
        timeout=30,
    )
    assert as_pdf.status_code == 200, as_pdf.text
    assert [r["value"] for r in as_pdf.json()["reading"]["results"]] == [22.0, 15.0]
    form = httpx.post(
        f"{server}{URL}",
        files={"report": ("results.pdf", pdf, "application/pdf")},
        data={"age_years": "58", "sex": "female", "pregnancy_weeks": "30"},
        timeout=30,
    )
    assert form.status_code == 200, form.text
    body = form.json()
    assert body["interpretation"]["inputs"]["pregnancy_weeks"] == 30
    assert body["set_aside"][0]["line"] == 3
    pasted = httpx.post(f"{server}{URL}", data={"text": REPORT, "sex": "female"}, timeout=30)
    assert pasted.status_code == 200, pasted.text


@pytest.mark.parametrize(
    ("content", "kind", "status", "words"),
    [
        (b"", "text/plain", 422, "empty"),
        (b"\x00\x01binary\x00", "application/octet-stream", 422, "binary file that is not a PDF"),
        (b"ALP 40 U/L", "application/pdf", 422, "is not a PDF"),
        (b"ALP 40 U/L", "application/json", 415, "not read here"),
        (encrypted_pdf(), "application/pdf", 422, "encrypted"),
        (image_only_pdf(), "application/pdf", 422, "no text layer"),
        (b"Dear colleague, see you soon.", "text/plain", 422, "no result alkphos can use"),
    ],
)
def test_bad_reports_are_4xx_in_clear_words(
    server: str, content: bytes, kind: str, status: int, words: str
) -> None:
    response = httpx.post(
        f"{server}{URL}", content=content, headers={"content-type": kind}, timeout=30
    )
    assert response.status_code == status, response.text
    assert words in response.json()["error"]["message"]


def test_a_report_over_ten_megabytes_is_413_and_a_large_one_is_read(server: str) -> None:
    big = b"ALP 40 U/L\n" * (MAX_BYTES // 11 + 2)
    response = httpx.post(
        f"{server}{URL}", content=big, headers={"content-type": "text/plain"}, timeout=60
    )
    assert response.status_code == 413
    padded = (("Comment: " + "x" * 300 + "\n") * 4000 + REPORT).encode()
    assert 1_000_000 < len(padded) < MAX_BYTES  # above the service's usual body limit
    ok = httpx.post(
        f"{server}{URL}?sex=female",
        content=padded,
        headers={"content-type": "text/plain"},
        timeout=60,
    )
    assert ok.status_code == 200, ok.text[:300]
