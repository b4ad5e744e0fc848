"""The report reader: layouts, languages, censoring, decimal marks, dates, bad input."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from alkphos import Knowledge, load_knowledge
from alkphos.adapters.report import read_report
from alkphos.adapters.report.dates import DateOrder
from alkphos.errors import InputError

FIXED_WIDTH = """\
CITY HOSPITAL LABORATORY                         Page 1 of 1
Patient: DOE, JANE        DOB: 06/02/1966
Collected: 03/14/2024 08:15     Received: 03/14/2024 10:02

TEST                 RESULT   FLAG   UNITS    REFERENCE
ALK PHOS.            22       L      U/L      35-104
GPT (ALT)            18              U/L      <=33
Gamma-GT             15              U/L      (5 - 36)
Ferritin             45              ng/mL    15-150
25-Hydroxy Vitamin D <5       L      ng/mL    30-100
Comment: sample slightly haemolysed.
"""


def _rows(kb: Knowledge, text: str) -> list[tuple[str, float | None, str | None]]:
    reading = read_report(text, kb)
    return [(r.analyte, r.value, r.unit) for r in reading.results]


def test_fixed_width_report_reads_each_result_with_its_line_and_date(kb: Knowledge) -> None:
    reading = read_report(FIXED_WIDTH, kb)
    alp = reading.results[0]
    assert (alp.analyte, alp.value, alp.unit, alp.flag_direction) == ("alp", 22.0, "U/L", "low")
    assert (alp.reference_low, alp.reference_high, alp.date) == (35.0, 104.0, "2024-03-14")
    assert alp.line == 6
    assert alp.text.startswith("ALK PHOS.")
    assert [r.analyte for r in reading.results] == ["alp", "alt", "ggt", "vitamin_d"]
    assert reading.results[1].reference_high == 33.0
    assert reading.results[1].reference_low is None


def test_unknown_tests_and_censored_values_are_named_not_dropped(kb: Knowledge) -> None:
    reading = read_report(FIXED_WIDTH, kb)
    reasons = {u.line: u.reason for u in reading.not_understood}
    assert "'Ferritin' is not a test alkphos knows" in reasons[9]
    assert "censored value '<5'" in reasons[10]
    vitamin_d = reading.results[-1]
    assert (vitamin_d.value, vitamin_d.censored, vitamin_d.case_index) == (None, "<5", None)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("ALK PHOS......... 22 *L", ("alp", 22.0, None)),
        ("ALP 1080 U/L (ref 35-104)", ("alp", 1080.0, "U/L")),
        ("Alkalische Phosphatase\t0,42\tµkat/l\t0,58 - 1,74\t↓", ("alp", 0.42, "µkat/l")),
        ("Phosphatase alcaline : 108 UI/L [40-129]", ("alp", 108.0, "UI/L")),
        ("Fosfatasa alcalina (FA)   120 UI/L  (40 - 129)", ("alp", 120.0, "UI/L")),
        ("Serum alkaline phosphatase 45 U/L Ref: 39-117", ("alp", 45.0, "U/L")),
        ("Gamma-GT  0,35  µkat/l  < 0,70", ("ggt", 0.35, "µkat/l")),
    ],
)
def test_layouts_and_languages(
    kb: Knowledge, line: str, expected: tuple[str, float, str | None]
) -> None:
    assert _rows(kb, line) == [expected]


def test_several_results_on_one_prose_line(kb: Knowledge) -> None:
    text = "Her ALP was 1080 U/L (ref 35-104) on 2024-03-05; GGT 350 U/L (ref <40)."
    assert _rows(kb, text) == [("alp", 1080.0, "U/L"), ("ggt", 350.0, "U/L")]


def test_cumulative_table_one_column_per_date(kb: Knowledge) -> None:
    text = (
        "Test              12.01.2024   03.02.2024   Einheit   Referenz\n"
        "AP                31           28           U/l       35-104\n"
        "GGT               12           14           U/l       <40\n"
    )
    reading = read_report(text, kb)
    alp = [(r.value, r.date) for r in reading.results if r.analyte == "alp"]
    assert alp == [(31.0, "2024-01-12"), (28.0, "2024-02-03")]


def test_cumulative_table_one_row_per_date(kb: Knowledge) -> None:
    text = (
        "Date          ALP (U/L)    GGT (U/L)\n"
        "Ref           35-104       <40\n"
        "2023-11-02    29           12\n"
        "2024-01-10    24           15\n"
    )
    reading = read_report(text, kb)
    alp = [(r.value, r.date, r.reference_high) for r in reading.results if r.analyte == "alp"]
    assert alp == [(29.0, "2023-11-02", 104.0), (24.0, "2024-01-10", 104.0)]


def test_thousands_or_decimal_follows_the_report_and_is_refused_when_unknown(
    kb: Knowledge,
) -> None:
    assert _rows(kb, "ALP 1,080 U/L\nCreatinine 0.9 mg/dL")[0] == ("alp", 1080.0, "U/L")
    assert _rows(kb, "ALP 1,080 U/L\nKreatinin 0,9 mg/dl")[0] == ("alp", 1.08, "U/L")
    reading = read_report("ALP 1,080 U/L\nGGT 35 U/L", kb)
    assert "could be 1080 or 1.080" in reading.not_understood[0].reason


def test_ambiguous_day_month_is_refused_or_settled_by_other_dates(kb: Knowledge) -> None:
    with pytest.raises(InputError, match="could be 3 May or March 5"):
        read_report("Collected: 03/05/2024\nALP 40 U/L 35-104", kb)
    settled = read_report("Printed: 03/25/2024\nCollected: 03/05/2024\nALP 40 U/L 35-104", kb)
    assert settled.results[0].date == "2024-03-05"
    told = read_report("Collected: 03/05/2024\nALP 40 U/L 35-104", kb, date_order="dmy")
    assert told.results[0].date == "2024-05-03"


def test_bad_input_is_refused_clearly(kb: Knowledge) -> None:
    with pytest.raises(InputError, match="empty"):
        read_report("  \n ", kb)
    with pytest.raises(InputError, match="no result alkphos can use"):
        read_report("Dear colleague,\nplease see the attached letter.", kb)


def test_a_report_without_alp_says_so(kb: Knowledge) -> None:
    reading = read_report("GGT 35 U/L (5-36)", kb)
    assert any("No ALP result" in note for note in reading.notes)


_UNITS = ["U/L", "IU/L", "UI/L", "U/l", "µkat/L", "ukat/L"]
_RANGE_FORMS = ["{lo}-{hi}", "({lo} - {hi})", "[{lo}-{hi}]", "Ref: {lo}-{hi}", "{lo} - {hi} {u}"]
_LAYOUTS = ["ALP {v} {u} {r}", "ALP\t{v}\t{u}\t{r}", "ALK PHOS......... {v} {u}   {r}"]


@given(
    value=st.decimals(min_value=1, max_value=300, places=2).map(float),
    low=st.integers(min_value=10, max_value=60),
    unit=st.sampled_from(_UNITS),
    form=st.sampled_from(_RANGE_FORMS),
    layout=st.sampled_from(_LAYOUTS),
    comma=st.booleans(),
)
@example(value=22.0, low=35, unit="U/L", form="{lo}-{hi}", layout=_LAYOUTS[0], comma=False)
def test_value_unit_and_range_read_back_the_same(
    value: float, low: int, unit: str, form: str, layout: str, comma: bool
) -> None:
    high = low + 69.5
    mark = "," if comma else "."

    def write(number: float) -> str:
        return f"{number:.2f}".replace(".", mark)

    limits = form.format(lo=write(low), hi=write(high), u=unit)
    line = layout.format(v=write(value), u=unit, r=limits)
    [read] = read_report(line, load_knowledge()).results
    assert (read.value, read.unit) == (value, unit)
    assert (read.reference_low, read.reference_high) == (low, high)


_DATE_FORMS = [
    ("Collected: {d:%Y-%m-%d}", None),
    ("Datum: {d:%d.%m.%Y}", None),
    ("Collected: {d:%B} {d.day}, {d:%Y}", None),
    ("Sample taken: {d.day}-{d:%b}-{d:%Y}", None),
    ("Fecha de extracción: {d:%d/%m/%Y}", "dmy"),
    ("Collected: {d:%m/%d/%Y}", "mdy"),
]
_FLAGS = ["L", "H", "LL", "HH", "*L", "*H", "Low", "HIGH", "(L)", "[H]", "↓", "↑"]


@given(
    on=st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)),
    form=st.sampled_from(_DATE_FORMS),
    flag=st.sampled_from(_FLAGS),
)
@example(on=date(2024, 3, 5), form=_DATE_FORMS[5], flag="L")
def test_a_date_and_flag_in_any_supported_form_read_back_the_same(
    on: date, form: tuple[str, DateOrder | None], flag: str
) -> None:
    template, order = form
    text = f"{template.format(d=on)}\nALP   40   U/L   35-104   {flag}\n"
    [read] = read_report(text, load_knowledge(), order).results
    assert read.date == on.isoformat()
    assert read.flag == flag
    expected = "low" if flag.strip("()[]*").lower() in ("l", "ll", "low", "↓") else "high"
    assert read.flag_direction == expected


def test_a_text_longer_than_any_lab_report_is_refused_before_it_is_read(kb: Knowledge) -> None:
    from alkphos.adapters.report.reader import MAX_LINES

    with pytest.raises(InputError, match=f"at most {MAX_LINES:,} lines"):
        read_report("ALP 40 U/L\n" * (MAX_LINES + 1), kb)


def test_a_result_in_words_is_named_not_dropped() -> None:
    """A result printed as a word (an unknown test's 'Negative', a known test's 'Positive')
    is listed in not_understood with its line; the numeric results around it are read."""
    text = (
        "Collected: 2024-03-02\n"
        "ALP              22   U/L   (35-104)  L\n"
        "Anti-HBc         Negative\n"
        "AMA              Positive\n"
        "HBsAg: non-reactive\n"
        "Comment: sample slightly haemolysed\n"
    )
    reading = read_report(text, load_knowledge())
    assert [(r.test, r.value) for r in reading.results] == [("ALP", 22.0)]
    unread = {item.line: item.reason for item in reading.not_understood}
    assert set(unread) == {3, 4, 5}
    assert "Negative" in unread[3]
    assert "Positive" in unread[4]
