"""The generated population: each curated person gets the answer worked out by hand,
under each definition, on both engines; the funnel balances to the row; every reject has
its reason."""

from __future__ import annotations

import pytest

from tests.screening.conftest import Runner
from tests.screening.population import AS_OF, EXPECTED_REJECTS, curated

CURATED = {str(person.pid): person for person in curated()}
CRITERIA = ("lln", "tornero2020", "maman2016")


@pytest.mark.parametrize("criteria", CRITERIA)
def test_curated_persons_are_persistent_exactly_as_worked_out(
    runner: Runner, engine: str, criteria: str
) -> None:
    """Boundaries (35/45 inclusive/exclusive, < 40, the age/sex LLN), same-day lows,
    fluctuating and one-off lows, children, the lab's own range, unknown sex and age."""
    run = runner.run("generated", engine, criteria, AS_OF, criteria == "lln")
    found = {row["person_id"] for row in run.rows("persistent")}
    expected = {pid for pid, person in CURATED.items() if criteria in person.persistent}
    assert found & set(CURATED) == expected


def test_secondary_causes_are_recorded_not_dropped(runner: Runner, engine: str) -> None:
    """Each curated exclusion is in persistent.parquet with its reason and evidence and
    off the worklist; evidence outside its window does not exclude."""
    run = runner.run("generated", engine, "lln", AS_OF, True)
    persistent = {row["person_id"]: row for row in run.rows("persistent")}
    worklist = {row["person_id"] for row in run.rows("worklist")}
    for pid, person in CURATED.items():
        if "lln" not in person.persistent:
            continue
        row = persistent[pid]
        assert set(row["exclusion_reasons"]) == set(person.excluded), pid
        assert (pid in worklist) == (not person.excluded), pid
        assert len(row["exclusion_evidence"]) == len(person.excluded), pid
    # a medicine with no start date counts, and says it is undated
    assert persistent["40"]["exclusion_evidence"] == [
        "antiresorptive: alendronate 70 mg weekly (undated)"
    ]
    evidence = {(row["person_id"], row["reason"]): row for row in run.rows("exclusions")}
    assert evidence[("14", "antiresorptive")]["evidence"] == "alendronate 70 mg weekly"
    assert str(evidence[("14", "antiresorptive")]["date"]) == "2022-06-01"
    assert evidence[("16", "low_magnesium")]["value"] == 0.5
    assert evidence[("20", "hypothyroidism")]["evidence"] == "E03.9"
    assert evidence[("26", "low_albumin")]["value"] == 25.0
    assert evidence[("26", "low_albumin")]["cause"] == "malnutrition"


def test_worklist_is_ranked_by_signals_then_lowest_alp(runner: Runner, engine: str) -> None:
    """Ranking signals first (ALP < 25, PLP > 180, musculoskeletal findings), then the
    lowest ALP, more low results, the earliest low, the person id; rank starts at 1."""
    rows = runner.run("generated", engine, "lln", AS_OF, True).rows("worklist")
    assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1))
    keys = [
        (-row["n_signals"], row["min_alp"], -row["n_low"], row["first_low_date"], row["person_id"])
        for row in rows
    ]
    assert keys == sorted(keys)
    by_id = {row["person_id"]: row for row in rows}
    for pid, person in CURATED.items():
        if pid in by_id and person.signals:
            assert by_id[pid]["n_signals"] == len(person.signals)
    assert "PLP above 180 nmol/L (250.0)" in by_id["34"]["why"]
    assert "Musculoskeletal findings: stress fracture" in by_id["35"]["why"]
    assert by_id["5"]["why"].startswith("lowest ALP 20.0 U/L; 3 low of 3 results")


def test_the_funnel_balances_to_the_row(runner: Runner, engine: str) -> None:
    """Rows in = used + rejected + other analytes, and each count is the exact one."""
    run = runner.run("generated", engine, "lln", AS_OF, True)
    rows = run.result.funnel["rows"]
    written = len(runner.dataset("generated")["measurements"].read_text().splitlines()) - 1
    assert rows["in"] == written
    assert rows["balanced"]
    assert rows["in"] == rows["used"] + rows["rejected"] + rows["other_analytes"]
    assert rows["rejected"] == run.table("rejects").num_rows
    assert rows["other_analytes"] == 3  # two sodium rows and one unknown test
    by_analyte = rows["by_analyte"]
    assert sum(a["used"] for a in by_analyte.values()) == rows["used"]
    assert sum(a["rejected"] for a in by_analyte.values()) == rows["rejected"]
    persons = run.result.funnel["persons"]
    stages = [persons[k] for k in ("tested_for_alp", "with_low_alp", "persistent", "worklist")]
    assert stages == sorted(stages, reverse=True)
    assert persons["persistent"] == run.table("persistent").num_rows
    assert persons["worklist"] == run.table("worklist").num_rows
    assert persons["in_persons_table"] == len(CURATED) + 300


def test_every_reject_has_its_reason(runner: Runner, engine: str) -> None:
    """Unknown unit, implausible value, no date, no value, unknown person, duplicate,
    after the as-of date, before birth and an inverted lab range: each row once."""
    run = runner.run("generated", engine, "lln", AS_OF, True)
    rejects = run.rows("rejects")
    counts: dict[str, int] = {}
    for row in rejects:
        counts[row["reason"]] = counts.get(row["reason"], 0) + 1
        assert row["detail"], row
    assert counts == EXPECTED_REJECTS
    assert run.result.funnel["rows"]["rejected_by_reason"] == {
        reason: counts.get(reason, 0) for reason in run.result.funnel["rows"]["rejected_by_reason"]
    }
    details = {(row["reason"], row["detail"]) for row in rejects}
    assert ("no date", "not a date: 2023-13-45") in details
    assert ("no date", "no date given") in details
    assert ("unknown person", "person_id not in the persons table") in details
    assert ("unknown person", "no person_id given") in details  # a row with no person at all
    unknown_unit = [r["detail"] for r in rejects if r["reason"] == "unknown unit"]
    assert any(
        d.startswith("'IU/mL' is not a unit of this test; accepted: U/L") for d in unknown_unit
    )
    assert any(d.startswith("no unit; accepted:") for d in unknown_unit)
    assert all(row["person_id"] == "37" for row in rejects if row["reason"] != "unknown person")


def test_each_extra_copy_is_listed_as_it_came_in(runner: Runner, engine: str) -> None:
    """Three copies of one result (ALP 80 U/L twice, "Alkaline phosphatase" 80 IU/L once):
    the first in order is used, the other two are rejects with their own test and unit."""
    run = runner.run("generated", engine, "lln", AS_OF, True)
    copies = sorted(
        (row["test"], row["unit"], row["reported_value"], str(row["date"]))
        for row in run.rows("rejects")
        if row["reason"] == "duplicate"
    )
    assert copies == [
        ("ALP", "U/L", 80.0, "2023-03-01"),
        ("Alkaline phosphatase", "IU/L", 80.0, "2023-03-01"),
    ]


def test_explain_writes_one_interpretation_per_worklist_person(runner: Runner, engine: str) -> None:
    """--explain: one JSON per worklist person, the per-patient engine's full output."""
    import json

    run = runner.run("generated", engine, "lln", AS_OF, True)
    files = sorted((run.out / "explain").glob("*.json"))
    worklist = run.rows("worklist")
    assert len(files) == len(worklist)
    first = json.loads(files[0].read_text())
    assert first["person_id"] == worklist[0]["person_id"]
    assert first["rank"] == 1
    interpretation = first["interpretation"]
    assert interpretation["alp_series"]["persistently_low"] is True
    assert interpretation["secondary_causes"] == []
    assert interpretation["as_of"] == AS_OF.isoformat()


def test_a_person_listed_twice_is_one_person_with_what_the_rows_agree_on(
    runner: Runner, engine: str
) -> None:
    """Two disagreeing rows for one person: one person, sex unknown, age unknown; the
    person's results are counted once (the funnel still balances)."""
    run = runner.run("generated", engine, "maman2016", AS_OF)
    (row,) = [r for r in run.rows("persistent") if r["person_id"] == "38"]
    assert (row["sex"], row["age"], row["n_alp"]) == ("unknown", None, 2)
    assert run.result.funnel["rows"]["balanced"]
