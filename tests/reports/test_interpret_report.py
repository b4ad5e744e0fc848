"""From a report's reading to an interpretation: the case built from it, the printed ranges
that cannot apply (pregnancy, an adult range for a child) and the flags that disagree."""

from __future__ import annotations

from datetime import date

import pytest

from alkphos import Knowledge, interpret
from alkphos.adapters.report import read_report
from alkphos.adapters.report.case import interpret_report, report_case
from alkphos.errors import InputError

TODAY = date(2024, 6, 1)
REPORT = """\
CITY HOSPITAL LABORATORY                         Page 1 of 1
Collected: 03/14/2024 08:15     Received: 03/14/2024 10:02

TEST                 RESULT   FLAG   UNITS    REFERENCE
ALK PHOS.            122      H      U/L      35-104
GPT (ALT)            18              U/L      <=33
Gamma-GT             15              U/L      (5 - 36)
Ferritin             45              ng/mL    15-150
"""


def test_the_case_is_what_was_read_and_interprets_the_same_as_typed(kb: Knowledge) -> None:
    adult = {"age_years": 58, "sex": "female"}
    report = interpret_report(REPORT, adult, kb, TODAY)
    typed = {
        "patient": adult,
        "results": [
            {
                "test": "ALK PHOS.",
                "value": 122,
                "unit": "U/L",
                "date": "2024-03-14",
                "reference_low": 35,
                "reference_high": 104,
            },
            {
                "test": "GPT (ALT)",
                "value": 18,
                "unit": "U/L",
                "date": "2024-03-14",
                "reference_high": 33,
            },
            {
                "test": "Gamma-GT",
                "value": 15,
                "unit": "U/L",
                "date": "2024-03-14",
                "reference_low": 5,
                "reference_high": 36,
            },
        ],
    }
    assert report.interpretation == interpret(typed, as_of=date(2024, 3, 14), kb=kb)
    assert report.interpretation.alp is not None
    assert report.interpretation.alp.status == "high"
    assert report.interpretation.alp.reference_interval.source == "laboratory"
    assert report.set_aside == []
    assert report.disagreements == []
    assert [u.line for u in report.reading.not_understood] == [8]


def test_in_pregnancy_the_printed_range_is_set_aside_and_the_flag_disagreement_shown(
    kb: Knowledge,
) -> None:
    pregnant = {"age_years": 31, "sex": "female", "pregnancy_weeks": 34}
    report = interpret_report(REPORT, pregnant, kb, TODAY)
    alp = report.interpretation.alp
    assert alp is not None
    assert alp.reference_interval.source == "knowledge base"
    assert "pregnan" in alp.reference_interval.basis.lower()
    alp_aside = [s for s in report.set_aside if s.line == 5]
    assert alp_aside
    assert "34 weeks of pregnancy" in alp_aside[0].reason
    assert alp_aside[0].printed == "35-104"
    # ALT and GGT have pregnancy intervals too.
    assert {s.line for s in report.set_aside} == {5, 6, 7}
    [disagreement] = report.disagreements
    assert (disagreement.line, disagreement.flag, disagreement.status) == (5, "H", "normal")


def test_for_a_child_an_adult_printed_range_gives_way_to_the_age_interval(kb: Knowledge) -> None:
    child = {"age_years": 12, "sex": "male"}
    report = interpret_report(REPORT, child, kb, TODAY)
    alp = report.interpretation.alp
    assert alp is not None
    assert alp.reference_interval.source == "knowledge base"
    [aside] = [s for s in report.set_aside if s.line == 5]
    assert "adult range" in aside.reason
    assert "12 years" in aside.reason
    assert alp.status == "low"
    assert report.disagreements[0].message.startswith("line 5: the laboratory flagged it 'H'")


def test_a_paediatric_printed_range_is_kept_for_a_child(kb: Knowledge) -> None:
    text = "Collected: 2024-03-14\nALP 300 U/L (129-417)\n"
    report = interpret_report(text, {"age_years": 12, "sex": "male"}, kb, TODAY)
    assert report.set_aside == []
    assert report.interpretation.alp is not None
    assert report.interpretation.alp.reference_interval.source == "laboratory"


def test_an_unflagged_abnormal_result_disagrees_only_where_the_report_prints_flags(
    kb: Knowledge,
) -> None:
    flagged = "Date: 2024-03-14\nALP 20 U/L 35-104 L\nGGT 80 U/L <40\n"
    report = interpret_report(flagged, {"age_years": 50, "sex": "male"}, kb, TODAY)
    [disagreement] = report.disagreements
    assert (disagreement.test, disagreement.flag, disagreement.status) == ("GGT", None, "high")
    assert "did not flag it" in disagreement.message
    unflagged = "Date: 2024-03-14\nALP 20 U/L 35-104\nGGT 80 U/L <40\n"
    plain = interpret_report(unflagged, {"age_years": 50, "sex": "male"}, kb, TODAY)
    assert plain.disagreements == []


def test_a_report_without_alp_is_interpreted_and_says_so(kb: Knowledge) -> None:
    report = interpret_report("Date: 2024-03-14\nGGT 35 U/L (5-36)\n", {}, kb, TODAY)
    assert report.interpretation.alp is None
    assert any("No ALP result" in note for note in report.reading.notes)


def test_an_error_in_a_read_result_names_the_report_line(kb: Knowledge) -> None:
    text = "Collected: 2024-03-14\nComment\nALP 40 U/L (35-104)\n"
    with pytest.raises(InputError, match=r"^report line 3 \(ALP, date\): .* after the as-of"):
        interpret_report(text, {"age_years": 40}, kb, TODAY, as_of=date(2024, 1, 1))


def test_patient_fields_are_checked_as_in_a_case(kb: Knowledge) -> None:
    with pytest.raises(InputError, match=r"patient\.sex"):
        interpret_report(REPORT, {"sex": "femal"}, kb, TODAY)


def test_the_case_leaves_out_only_the_limits_set_aside(kb: Knowledge) -> None:
    reading = read_report(REPORT, kb)
    case = report_case(reading, {"age_years": 12}, kb, without={5})
    assert "reference_high" not in case["results"][0]
    assert case["results"][1]["reference_high"] == 33
