"""The lab-report box in a real browser against the real server: paste or upload a report,
see what was read with its lines, correct a value in the filled-in form, interpret."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.reports.pdfs import text_pdf

DESK = {"width": 1280, "height": 900}
REPORT = """\
Collected: 2024-03-14
TEST                 RESULT   FLAG   UNITS    REFERENCE
ALK PHOS.            22       L      U/L      35-104
Gamma-GT             15              U/L      (5 - 36)
Ferritin             45              ng/mL    15-150
"""


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context(viewport=DESK)
    page = context.new_page()
    yield page
    context.close()


def _read(page: Any, server: str) -> None:
    page.goto(server + "/")
    page.fill("#report-text", REPORT)
    page.fill("#report-age_years", "58")
    page.select_option("#report-sex", "female")
    page.click("text=Read the report")
    page.wait_for_selector("#reading")


def test_pasted_report_fills_the_form_and_names_what_was_not_read(
    page: Any, server: str, shots: Path
) -> None:
    _read(page, server)
    reading = page.locator("#reading").inner_text()
    assert "Read from your report" in reading
    assert "ALK PHOS." in reading
    assert "Line 5: 'Ferritin' is not a test alkphos knows" in reading
    assert page.locator("#results-0-value").input_value() == "22"
    assert page.locator("#results-0-unit").input_value() == "U/L"
    assert page.locator("#results-0-date").input_value() == "2024-03-14"
    assert page.locator("#results-0-reference_low").input_value() == "35"
    assert page.locator("#results-1-reference_high").input_value() == "36"
    assert page.locator("#age_years").input_value() == "58"
    assert page.locator("#sex").input_value() == "female"
    page.screenshot(path=str(shots / "report-read-desk.png"), full_page=True)
    page.fill("#results-0-value", "25")  # the person corrects a misread value
    page.click("#interpret")
    page.wait_for_url("**/interpretations/**")
    alp = page.locator("#alp").inner_text()
    assert "25" in alp
    assert "LOW" in alp


def test_the_form_as_read_interprets_as_the_report_service(page: Any, server: str) -> None:
    _read(page, server)
    page.click("#interpret")
    page.wait_for_url("**/interpretations/**")
    from_form = httpx.get(page.url + ".json", timeout=30).json()
    from_service = httpx.post(
        f"{server}/v1/interpret/report?age_years=58&sex=female",
        content=REPORT.encode(),
        headers={"content-type": "text/plain"},
        timeout=30,
    ).json()["interpretation"]
    assert from_form == from_service


def test_an_uploaded_pdf_is_read(page: Any, server: str, tmp_path: Path) -> None:
    pdf = tmp_path / "results.pdf"
    pdf.write_bytes(text_pdf(REPORT))
    page.goto(server + "/")
    page.set_input_files("#report-file", str(pdf))
    page.select_option("#report-sex", "female")
    page.click("text=Read the report")
    page.wait_for_selector("#reading")
    assert page.locator("#results-0-value").input_value() == "22"
    assert page.locator("#results-1-value").input_value() == "15"


def test_a_report_that_cannot_be_read_is_said_beside_the_box(page: Any, server: str) -> None:
    page.goto(server + "/")
    page.fill("#report-text", "Dear colleague, see you soon.")
    page.click("text=Read the report")
    error = page.locator("#report-error")
    assert error.is_visible()
    assert "no result alkphos can use" in error.inner_text()
    assert page.locator("#report-text").input_value() == "Dear colleague, see you soon."
