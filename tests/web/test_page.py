"""The web page in a real browser against the real server: enter, paste, examples, errors,
patient view, PDF, accessibility, phone width, no JavaScript, nothing fetched from outside."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.fhir_cases import bundle as case_to_bundle

DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
AXE = Path(__import__("axe_playwright_python").__file__).parent / "axe.min.js"


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    """A fresh page that records every request it makes."""
    context = browser.new_context(viewport=DESK, accept_downloads=True)
    page = context.new_page()
    page.requests = []  # type: ignore[attr-defined]
    page.on("request", lambda request: page.requests.append(request.url))
    yield page
    context.close()


def _only_local(page: Any, server: str) -> None:
    outside = [url for url in page.requests if not url.startswith((server, "data:", "blob:"))]
    assert outside == [], outside


def _fill_low_alp_adult(page: Any) -> None:
    page.fill("#age_years", "52")
    page.select_option("#sex", "female")
    rows = [("ALP", "24", "2024-03-01"), ("ALP", "21", "2025-02-10"), ("PLP", "230", "2025-02-10")]
    for index, (test, value, when) in enumerate(rows):
        if not page.locator(f"#results-{index}-test").is_visible():  # held back on a phone
            page.click("#add-rows")
        page.fill(f"#results-{index}-test", test)
        page.fill(f"#results-{index}-value", value)
        page.fill(f"#results-{index}-date", when)
    page.fill("#medication-0", "alendronate")
    page.fill("#finding-0", "stress_fractures")


def test_enter_a_low_alp_adult_by_hand(page: Any, server: str, shots: Path) -> None:
    """Typed in by hand: hypophosphatasia leads and the antiresorptive warning shows."""
    page.goto(server + "/")
    page.screenshot(path=str(shots / "form-desk.png"), full_page=True)
    _fill_low_alp_adult(page)
    page.select_option("#setting", "outpatient")
    page.click("#interpret")
    page.wait_for_url("**/interpretations/**")
    inputs = page.locator("#inputs").first.inner_text()
    assert "age 52 years; female, not pregnant; medicines: alendronate" in inputs
    assert inputs.endswith("seen in: outpatient clinic or GP")
    first_cause = page.locator("#differential details.cause summary").first.inner_text()
    assert "Hypophosphatasia" in first_cause
    flags = page.locator("#flags").inner_text()
    assert "bisphosphonates and denosumab" in flags
    assert page.locator(".flag").first.get_attribute("class") in ("flag warning", "flag critical")
    page.screenshot(path=str(shots / "interpretation-desk.png"), full_page=True)
    _only_local(page, server)


def _fill_persistent_low_with_supporting_tests(page: Any) -> None:
    """The README's low-ALP adult: three low ALPs, PLP high and seven other results."""
    case = json.loads((Path(__file__).parents[2] / "examples" / "low-alp-adult.json").read_text())
    page.fill("#age_years", str(case["patient"]["age_years"]))
    page.select_option("#sex", case["patient"]["sex"])
    while page.locator("#rows .row").count() < len(case["results"]):
        page.click("#add-rows")
    for index, result in enumerate(case["results"]):
        page.fill(f"#results-{index}-test", result["test"])
        page.fill(f"#results-{index}-value", str(result["value"]))
        page.fill(f"#results-{index}-date", result["date"])
    page.fill("#medication-0", case["medications"][0])
    page.fill("#finding-0", case["findings"][0])


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["1280", "390"])
def test_the_answer_comes_first(browser: Any, server: str, shots: Path, viewport: Any) -> None:
    """Issue 16: the headline (value, status, interval, meaning, action) is in view without
    scrolling, and a persistently low ALP with its supporting tests fits in 2,000 px on a
    desktop with its details collapsed."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(server + "/")
    _fill_persistent_low_with_supporting_tests(page)
    page.click("#interpret")
    page.wait_for_url("**/interpretations/**")
    title = page.locator("#headline-title")
    assert "22 U/L" in title.inner_text()
    assert "LOW" in title.inner_text()
    headline = page.locator("#alp").inner_text()
    assert "below 40-110 U/L (knowledge base: Women 22 to <50 years)" in headline
    assert "Most likely: Hypophosphatasia" in headline
    action = page.locator("#action").bounding_box()
    assert action is not None
    assert action["y"] + action["height"] <= viewport["height"], action
    assert page.locator("details[open]").count() == 0
    height = page.evaluate("document.documentElement.scrollHeight")
    if viewport is DESK:
        assert height <= 2000, height
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.screenshot(path=str(shots / f"answer-{viewport['width']}.png"), full_page=True)
    context.close()


def test_a_medicine_that_explains_the_finding_leads_on_a_phone(browser: Any, server: str) -> None:
    """Issue 16: ALP 32 then 30 on alendronate: the headline says the medicine explains it,
    what would change that reading and what to do, all in view at 390 px."""
    case = {
        "patient": {"age_years": 63, "sex": "female"},
        "results": [
            {"test": "ALP", "value": 32, "date": "2025-01-10"},
            {"test": "ALP", "value": 30, "date": "2025-04-10"},
        ],
        "medications": ["alendronate"],
    }
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(server + "/")
    page.fill("#age_years", "63")
    page.select_option("#sex", "female")
    for index, result in enumerate(case["results"]):
        page.fill(f"#results-{index}-test", "ALP")
        page.fill(f"#results-{index}-value", str(result["value"]))
        page.fill(f"#results-{index}-date", str(result["date"]))
    page.fill("#medication-0", "alendronate")
    page.click("#interpret")
    page.wait_for_url("**/interpretations/**")
    medicine = page.locator("#medicine-reading").inner_text()
    assert "alendronate is entered: that explains this low ALP" in medicine
    assert "What would change this:" in medicine
    assert "keep the treatment as planned" in page.locator("#action").inner_text()
    action = page.locator("#action").bounding_box()
    assert action is not None
    assert action["y"] + action["height"] <= PHONE["height"], action
    context.close()


def test_the_chart_is_readable_on_a_phone(browser: Any, server: str) -> None:
    """Issue 16: every text in the chart renders at 12 px or more at 390 px wide, and the
    chart fills the width of the page on a desktop."""
    for viewport in (PHONE, DESK):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.goto(server + "/")
        _fill_low_alp_adult(page)
        page.click("#interpret")
        page.wait_for_url("**/interpretations/**")
        sizes = page.evaluate(
            "Array.from(document.querySelectorAll('.clinician-view svg text'))"
            ".map(t => t.getBoundingClientRect().height)"
        )
        assert sizes
        assert min(sizes) >= 12 * 0.95, sizes  # a glyph box, not the em size
        chart = page.locator(".clinician-view figure.chart svg").bounding_box()
        main = page.locator("main").bounding_box()
        assert chart is not None
        assert main is not None
        assert chart["width"] >= main["width"] - 1
        context.close()


def test_load_an_example_with_one_click(page: Any, server: str) -> None:
    """Each example is one click away and opens its interpretation."""
    page.goto(server + "/")
    page.locator("ul.examples button").first.click()
    page.wait_for_url("**/interpretations/**")
    assert page.locator("#alp").is_visible()
    assert page.locator("figure svg").count() >= 1


def test_paste_a_fhir_bundle(page: Any, server: str) -> None:
    """A pasted FHIR R4 Bundle is read and interpreted."""
    bundle = case_to_bundle(
        {
            "patient": {"age_years": 60, "sex": "male"},
            "results": [
                {"test": "ALP", "value": 410, "unit": "U/L", "date": "2024-05-02"},
                {"test": "GGT", "value": 20, "unit": "U/L", "date": "2024-05-02"},
            ],
            "findings": ["bone_pain"],
        }
    )
    page.goto(server + "/")
    page.fill("#document", json.dumps(bundle))
    page.click("text=Interpret pasted JSON")
    page.wait_for_url("**/interpretations/**")
    assert "HIGH" in page.locator("#alp").inner_text()
    assert "Paget" in page.locator("#differential").inner_text()


def test_a_field_error_shows_next_to_the_field(page: Any, server: str, shots: Path) -> None:
    """A value that is not a number is shown beside the value, in plain words."""
    page.goto(server + "/")
    page.fill("#results-0-test", "ALP")
    page.fill("#results-0-value", "abc")
    page.click("#interpret")
    error = page.locator("#results-0-value-error")
    assert error.is_visible()
    assert error.inner_text() == "“abc” is not a number: write it in digits, such as 42 or 0.8"
    assert page.locator("#results-0-value").get_attribute("aria-invalid") == "true"
    assert page.locator("#results-0-test").input_value() == "ALP"
    page.screenshot(path=str(shots / "form-error-desk.png"), full_page=True)


def test_enter_interprets(page: Any, server: str) -> None:
    """Issue 16: Enter in a field interprets the case (it never adds rows)."""
    page.goto(server + "/")
    page.fill("#age_years", "40")
    page.fill("#results-0-test", "ALP")
    page.fill("#results-0-value", "70")
    page.fill("#results-0-date", "2025-01-02")
    page.focus("#results-0-value")
    page.keyboard.press("Enter")
    page.wait_for_url("**/interpretations/**")
    assert "70 U/L" in page.locator("#headline-title").inner_text()


def test_every_mistake_at_once_with_a_summary_that_takes_focus(
    page: Any, server: str, shots: Path
) -> None:
    """Issue 16: all mistakes beside their fields and in a summary at the top that takes
    focus; a misspelled test name is caught on the form with the name meant."""
    page.goto(server + "/")
    page.fill("#age_years", "fifty")
    rows = [("alk phosphatse", "32", "2025-01-02"), ("ALP", "1,234", "2025-02-02")]
    for index, (test, value, when) in enumerate(rows):
        page.fill(f"#results-{index}-test", test)
        page.fill(f"#results-{index}-value", value)
        page.fill(f"#results-{index}-date", when)
    page.click("#interpret")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    items = page.locator("#error-summary li").all_inner_texts()
    assert len(items) == 3, items
    assert items[0].startswith("Age: “fifty” is not a number")
    assert items[1] == (
        "Test 1, name: “alk phosphatse” is not a test alkphos knows: did you mean "
        "“Alk phosphatase”?"
    )
    assert items[2].startswith("Test 2, value: 1,234 could be read two ways")
    for field in ("age_years", "results-0-test", "results-1-value"):
        assert page.locator(f"#{field}-error").is_visible(), field
        assert page.locator(f"#{field}").get_attribute("aria-invalid") == "true"
    page.screenshot(path=str(shots / "form-errors-desk.png"), full_page=True)


def test_two_results_of_a_test_without_dates_are_stopped_on_the_form(
    page: Any, server: str
) -> None:
    """Issue 16, item 1: ALP 32 then 35 without dates: the rows' order is not taken as time;
    each undated row asks for its date and nothing is interpreted."""
    page.goto(server + "/")
    page.fill("#age_years", "60")
    page.select_option("#sex", "female")
    for index, value in enumerate(("32", "35")):
        page.fill(f"#results-{index}-test", "ALP")
        page.fill(f"#results-{index}-value", value)
    for index in (0, 1):  # the form says so before it is sent
        assert page.locator(f"#results-{index}-date").get_attribute("required") is not None
        assert page.locator(f"label[for=results-{index}-date]").inner_text() == "Date (required)"
    assert page.locator("#results-2-date").get_attribute("required") is None
    page.click("#interpret")
    assert "/interpretations/" not in page.url
    for index in (0, 1):
        error = page.locator(f"#results-{index}-date-error").inner_text()
        assert error.startswith("add the date: Alkaline phosphatase is entered 2 times")


def test_the_phone_form_is_short_with_the_button_in_reach(browser: Any, server: str) -> None:
    """Issue 16: on a phone the form shows two result rows and the Interpret button is in
    view without scrolling; 'Add more rows' shows the rows held back."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(server + "/")
    assert page.locator("#rows .row:visible").count() == 2
    button = page.locator("#interpret").bounding_box()
    assert button is not None
    assert button["y"] + button["height"] <= PHONE["height"]
    page.click("#add-rows")
    assert page.locator("#rows .row:visible").count() == 3
    context.close()


def test_the_patient_path_opens_the_patient_view(page: Any, server: str, shots: Path) -> None:
    """Issue 16, item 4: a pregnant woman with ALP 140 (above the adults' range her lab may
    print): the patient view opens first, names the pregnancy range, explains the H mark,
    says what to watch for and whom to tell, and says nothing of medicines she does not
    take."""
    page.goto(server + "/")
    page.check("input[name=reader][value=patient]")
    page.fill("#age_years", "31")
    page.select_option("#sex", "female")
    page.fill("#pregnancy_weeks", "30")
    page.fill("#results-0-test", "ALP")
    page.fill("#results-0-value", "140")
    page.fill("#results-0-date", "2025-01-02")
    page.click("#interpret")
    page.wait_for_url("**/interpretations/**?view=patient")
    assert page.locator(".patient-only").is_visible()
    assert not page.locator(".clinician-view").is_visible()
    text = page.locator(".patient-only").inner_text()
    summary = page.locator("#patient-summary").inner_text()
    assert summary.startswith(
        "Your ALP was 140 U/L, within the usual range at 30 weeks of pregnancy (38-229 U/L)."
    )
    assert "may mark this result H (high)" in summary
    assert "itching" in text
    assert "midwife" in text
    assert "medicine" not in text.lower()
    assert page.locator("#patient-medicines").count() == 0
    page.screenshot(path=str(shots / "patient-view-pregnancy.png"), full_page=True)


def test_switch_to_the_patient_view(page: Any, server: str, shots: Path) -> None:
    """The switch shows the plain-words view and hides the clinician's."""
    page.goto(server + "/")
    _fill_low_alp_adult(page)
    page.click("#interpret")
    page.wait_for_url("**/interpretations/**")
    assert page.locator(".clinician-view").is_visible()
    page.click("label[for=view-patient]")
    assert not page.locator(".clinician-view").is_visible()
    text = page.locator(".patient-only").inner_text()
    assert "Talk to your doctor before changing any medicine." in text
    page.screenshot(path=str(shots / "patient-view-desk.png"), full_page=True)


def test_download_the_pdf(page: Any, server: str, tmp_path: Path) -> None:
    """The Download PDF button gives a PDF with the key sections."""
    page.goto(server + "/")
    _fill_low_alp_adult(page)
    page.click("#interpret")
    page.wait_for_url("**/interpretations/**")
    with page.expect_download() as info:
        page.click("text=Download PDF")
    target = tmp_path / "report.pdf"
    info.value.save_as(target)
    text = subprocess.run(
        ["pdftotext", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    sections = ("alkphos report", "Interval used:", "Likely causes", "Next tests", "Sources")
    for section in sections:
        assert section in text, section


def test_phone_width(browser: Any, server: str, shots: Path) -> None:
    """At phone width nothing scrolls sideways, on the form and on the result."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(server + "/")
    page.screenshot(path=str(shots / "form-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("ul.examples button").first.click()
    page.wait_for_url("**/interpretations/**")
    page.screenshot(path=str(shots / "interpretation-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


def test_works_without_javascript(browser: Any, server: str) -> None:
    """With JavaScript off a case can be entered and its result read."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/")
    page.fill("#age_years", "40")
    page.fill("#results-0-test", "alkaline phosphatase")
    page.fill("#results-0-value", "1.2")
    page.select_option("#results-0-unit", "ukat/L")
    page.fill("#results-0-date", "2024-01-02")
    page.click("#interpret")
    page.wait_for_url("**/interpretations/**")
    assert "72 U/L" in page.locator("#alp").inner_text()
    page.click("label[for=view-patient]")
    assert page.locator(".patient-only").is_visible()
    context.close()


def test_the_security_policy_blocks_nothing_the_page_needs(page: Any, server: str) -> None:
    """Under the service's Content-Security-Policy the form, its script (unit suggestions),
    an interpretation and the patient view run without a single violation."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    response = page.goto(server + "/")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    _fill_low_alp_adult(page)
    page.click("#interpret")
    page.wait_for_url("**/interpretations/**")
    page.click("label[for=view-patient]")
    assert page.locator(".patient-only").is_visible()
    assert page.evaluate("document.querySelectorAll('link[rel=stylesheet]').length") == 1
    assert page.evaluate("getComputedStyle(document.body).fontFamily") != "Times New Roman"
    assert violations == []
    _only_local(page, server)


def test_the_api_page_sends_its_examples(page: Any, server: str) -> None:
    """Issue 16 item 7: /docs lists every route from the OpenAPI document and sends an
    operation's example from the page itself (nothing fetched from outside)."""
    page.goto(server + "/docs")
    text = page.locator("main").inner_text()
    for route in ("POST /v1/interpret", "POST /v1/interpret/fhir", "GET /healthz"):
        assert route in text, route
    form = page.locator("form[data-path$='/v1/interpret'][data-method=post]")
    form.locator("button").click()
    answer = form.locator(".answer")
    answer.wait_for(state="visible")
    assert answer.inner_text().startswith("200 ")
    assert '"alp"' in answer.inner_text()
    fhir = page.locator("form[data-path$='/v1/interpret/fhir'][data-method=post]")
    fhir.locator("textarea").fill("{}")
    fhir.locator("button").click()
    fhir.locator(".answer").wait_for(state="visible")
    assert fhir.locator(".answer").inner_text().startswith("422 ")
    assert "OperationOutcome" in fhir.locator(".answer").inner_text()
    _only_local(page, server)


@pytest.mark.parametrize("path", ["/", "interpretation", "errors", "patient", "docs"])
def test_no_serious_accessibility_violation(browser: Any, server: str, path: str) -> None:
    """axe-core (served from this machine) finds no serious or critical violation (axe is
    injected as an inline script, which the page's policy forbids: bypassed here only)."""
    context = browser.new_context(viewport=DESK, bypass_csp=True)
    page = context.new_page()
    page.requests = []  # type: ignore[attr-defined]
    page.on("request", lambda request: page.requests.append(request.url))
    page.goto(server + ("/docs" if path == "docs" else "/"))
    if path in ("interpretation", "patient"):
        page.locator("ul.examples button").first.click()
        page.wait_for_url("**/interpretations/**")
    if path == "patient":
        page.click("label[for=view-patient]")
    if path == "errors":
        page.fill("#age_years", "abc")
        page.fill("#results-0-test", "alk phosphatse")
        page.fill("#results-0-value", "x")
        page.click("#interpret")
        assert page.locator("#error-summary").is_visible()
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    report = page.evaluate("async () => await axe.run(document)")
    serious = [
        (violation["id"], violation["help"], [n["target"] for n in violation["nodes"]][:3])
        for violation in report["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert serious == []
    _only_local(page, server)
    context.close()


def test_post_interpret_with_accept_html_returns_the_page(server: str) -> None:
    """POST /v1/interpret with Accept: text/html answers with the interpretation page."""
    import httpx

    case = {
        "patient": {"age_years": 30},
        "results": [{"test": "ALP", "value": 70, "date": "2024-01-02"}],
    }
    response = httpx.post(server + "/v1/interpret", json=case, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Alkaline phosphatase" in response.text
    assert 'href="' + "/static/style.css" in response.text or "/static/style.css" in response.text
