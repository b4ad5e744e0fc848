"""Real files: Synthea27Nj OMOP (CSV, Parquet and a DuckDB file) and ILPD."""

from __future__ import annotations

import pytest

from tests.screening.conftest import Runner

SYNTHEA = ("synthea-csv", "synthea-parquet", "synthea-duckdb")


@pytest.mark.parametrize("dataset", SYNTHEA)
def test_synthea_reads_every_row_and_finds_person_7(
    runner: Runner, engine: str, dataset: str
) -> None:
    """10,040 measurement rows all accounted for; ALP with unit_concept_id 0 is read through
    unit_source_value; person 7 is persistently low and excluded for alendronic acid."""
    run = runner.run(dataset, engine)
    funnel = run.result.funnel
    assert funnel["rows"]["in"] == 10040
    assert funnel["rows"]["balanced"]
    assert funnel["rows"]["by_analyte"]["alp"] == {"used": 52, "rejected": 0}
    assert funnel["rows"]["rejected"] == 0
    assert funnel["persons"]["in_persons_table"] == 28
    assert funnel["persons"]["tested_for_alp"] == 3
    assert funnel["as_of"] == "2021-10-26"  # the latest usable date: no --as-of given
    (person,) = run.rows("persistent")
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
