"""Real files: Synthea27Nj OMOP (CSV, Parquet and a DuckDB file) and ILPD."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.screening.conftest import Runner

SYNTHEA = ("synthea-csv", "synthea-parquet", "synthea-duckdb")


@pytest.mark.parametrize("dataset", SYNTHEA)
def test_synthea_reads_every_row_and_finds_person_7(
    runner: Runner, engine: str, dataset: str
) -> None:
    """10,040 measurement rows all accounted for; ALP with unit_concept_id 0 is read through
    unit_source_value; person 7 is persistently low and excluded for alendronic acid. Person 20
    (a woman born 1953, four lows of 24-28 U/L) is persistent since the women's limits rise
    with age (LabPLUS 2017: her 106-128 U/L at 54-67 years are no longer 'high', so her ALP
    no longer fluctuates), and she is excluded for an estrogen."""
    run = runner.run(dataset, engine)
    funnel = run.result.funnel
    assert funnel["rows"]["in"] == 10040
    assert funnel["rows"]["balanced"]
    assert funnel["rows"]["by_analyte"]["alp"] == {"used": 52, "rejected": 0}
    assert funnel["rows"]["rejected"] == 0
    assert funnel["persons"]["in_persons_table"] == 28
    assert funnel["persons"]["tested_for_alp"] == 3
    assert funnel["as_of"] == "2021-10-26"  # the latest usable date: no --as-of given
    person, woman = sorted(run.rows("persistent"), key=lambda r: int(r["person_id"]))
    assert (woman["person_id"], woman["sex"], woman["n_low"]) == (20, "female", 4)
    assert woman["exclusion_reasons"] == ["estrogen"]
    assert person["person_id"] == 7
    assert (person["n_alp"], person["n_low"], person["min_alp"]) == (20, 4, 32.7)
    assert person["sex"] == "male"
    assert person["exclusion_reasons"] == ["antiresorptive"]
    assert person["exclusion_evidence"] == [
        "antiresorptive: alendronic acid 10 MG Oral Tablet (2018-08-14)"
    ]
    assert run.rows("worklist") == []


def test_ilpd_has_no_low_alp_and_an_empty_worklist(runner: Runner, engine: str) -> None:
    """A liver clinic population with no low ALP (minimum 63 U/L; children are above their
    age limits too): nobody is low, nobody is persistent, the worklist is empty."""
    run = runner.run("ilpd", engine)
    funnel = run.result.funnel
    assert funnel["persons"]["in_persons_table"] == 583
    assert funnel["persons"]["tested_for_alp"] == 583
    assert funnel["persons"]["with_low_alp"] == 0
    assert funnel["persons"]["persistent"] == 0
    assert run.rows("worklist") == []
    assert funnel["rows"]["balanced"]
    assert funnel["rows"]["by_analyte"]["alp"]["used"] == 583
    report = (run.out / "report.html").read_text()
    assert "The worklist is empty." in report


def test_synthea_as_of_2010_puts_person_7_on_the_worklist(runner: Runner, engine: str) -> None:
    """As of 2010 the alendronic acid (2018) is in the future: person 7's three low values
    (2000, 2006, 2008) and none high make the worklist; later rows are rejected as after
    the as-of date; --explain interprets person 7 from the OMOP rows (LOINC codes)."""
    run = runner.run("synthea-parquet", engine, "lln", date(2010, 1, 1), True)
    (row,) = run.rows("worklist")
    assert (row["person_id"], row["n_low"]) == (7, 3)
    assert run.result.funnel["rows"]["rejected_by_reason"]["after as-of date"] > 0
    (explained,) = (run.out / "explain").glob("*.json")
    record = json.loads(explained.read_text())
    assert record["case"]["patient"] == {"sex": "male", "birth_date": "1938-02-22"}
    tests = {result["test"] for result in record["case"]["results"]}
    assert "6768-6" in tests
    assert all(result["date"] <= "2010-01-01" for result in record["case"]["results"])
    interpretation = record["interpretation"]
    assert interpretation["alp_series"]["persistently_low"] is True
    assert interpretation["alp_series"]["n_low"] == 3
    assert interpretation["secondary_causes"] == []
