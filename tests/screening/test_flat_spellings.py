"""Flat tables spell tests, units and dates many ways; screening reads each spelling once
(``spellings``) and must answer as it does for the same data in OMOP form."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alkphos import Knowledge
from alkphos.screening import rows as screening_rows
from alkphos.screening.inputs import read_flat, read_omop
from alkphos.screening.persistence import Criteria
from alkphos.screening.run import screen
from alkphos.screening.spellings import load_spellings
from alkphos.screening.tables import KnowledgeTables
from alkphos.screening.written_dates import read_written_dates
from tests.conftest import scaled
from tests.screening.conftest import Runner

ALP, ALBUMIN = 3035995, 3024561
U_PER_L, UKAT_PER_L, G_PER_DL = 8645, 44777578, 8713
AS_OF = date(2024, 6, 30)
# (person, sex, birth date) and ALP results in U/L (date offset in days, value).
PERSONS = [
    (1, "F", date(1960, 5, 1)),
    (2, "M", date(1950, 2, 28)),
    (3, "F", date(1980, 12, 31)),
    (4, "M", date(2012, 7, 15)),
    (5, "F", date(1970, 1, 1)),
    (6, "M", date(1945, 6, 1)),
]
ALP_RESULTS = {
    1: [(0, 25.0), (40, 28.0), (90, 30.0)],  # persistently low
    2: [(0, 30.0), (60, 27.0), (200, 33.0)],  # persistently low, partly in ukat/L
    3: [(0, 80.0), (30, 95.0)],
    4: [(0, 210.0), (100, 180.0)],  # a child
    5: [(0, 30.0), (0, 30.0), (10, 32.0), (70, 29.0)],  # low, with a duplicate
    6: [(0, 31.0), (50, 60.0)],  # one low result only
}
START = date(2023, 1, 10)
# How flat exports write the same things (every row picks one, in turn).
ALP_NAMES = [
    "6768-6",
    "ALP",
    "Alkaline phosphatase",
    "ALK PHOS",
    " alk  phos ",
    "Alk. Phos.",
    # as laboratory catalogues print it (knowledge.names, as interpret reads it)
    "Alkaline Phosphatase, Serum",
    "ALP (IFCC)",
    "Phosphatase, alkaline",
]
U_L = ["U/L", "IU/L", "u/l", " U / L ", "iu/l"]
UKAT = ["ukat/L", "µkat/L", "μkat/L", "µkat/l", "UKAT/L"]
DATES = ["{d}", "{d} 00:00:00", "{d}T08:30:00Z", " {d} ", "{d}T10:15:00.000+01:00"]


def _rows() -> list[dict[str, Any]]:
    """Every measurement once, in a neutral form both writers spell their own way."""
    rows: list[dict[str, Any]] = []
    for pid, results in ALP_RESULTS.items():
        for k, (offset, value) in enumerate(results):
            in_ukat = pid == 2 and k == 1
            rows.append(
                {
                    "person_id": pid,
                    "analyte": "alp",
                    "date": START + timedelta(days=offset),
                    "value": round(value / 60, 4) if in_ukat else value,
                    "unit": "ukat" if in_ukat else "ul",
                }
            )
    rows.append({"person_id": 1, "analyte": "albumin", "date": START, "value": 4.2, "unit": "gdl"})
    bad: list[dict[str, Any]] = [
        {"person_id": 99, "date": START},  # unknown person
        {"person_id": 3, "date": None},  # no date
        {"person_id": 3, "date": START, "value": None},  # no value
        {"person_id": 3, "date": START, "unit": "bad"},  # unknown unit
        {"person_id": 6, "date": START + timedelta(days=5), "value": 250000.0},  # implausible
    ]
    for extra in bad:
        rows.append({"analyte": "alp", "value": 70.0, "unit": "ul", **extra})
    return rows


def _write_omop(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    units = {"ul": U_PER_L, "ukat": UKAT_PER_L, "gdl": G_PER_DL, "bad": 0}
    rows = _rows()
    pq.write_table(
        pa.table(
            {
                "measurement_id": list(range(1, len(rows) + 1)),
                "person_id": [r["person_id"] for r in rows],
                "measurement_concept_id": [ALP if r["analyte"] == "alp" else ALBUMIN for r in rows],
                "measurement_date": pa.array([r["date"] for r in rows], pa.date32()),
                "value_as_number": pa.array([r["value"] for r in rows], pa.float64()),
                "unit_concept_id": [units[r["unit"]] for r in rows],
                "unit_source_value": ["IU/mL" if r["unit"] == "bad" else None for r in rows],
            }
        ),
        folder / "measurement.parquet",
    )
    pq.write_table(
        pa.table(
            {
                "person_id": [p for p, _, _ in PERSONS],
                "gender_concept_id": [8532 if s == "F" else 8507 for _, s, _ in PERSONS],
                "year_of_birth": [b.year for _, _, b in PERSONS],
                "birth_datetime": pa.array(
                    [f"{b.isoformat()} 00:00:00" for _, _, b in PERSONS], pa.string()
                ),
            }
        ),
        folder / "person.parquet",
    )
    concepts = [
        (ALP, "Alkaline phosphatase", "LOINC", "6768-6"),
        (ALBUMIN, "Albumin", "LOINC", "1751-7"),
        (U_PER_L, "U/L", "UCUM", "U/L"),
        (UKAT_PER_L, "ukat/L", "UCUM", "ukat/L"),
        (G_PER_DL, "g/dL", "UCUM", "g/dL"),
    ]
    pq.write_table(
        pa.table(
            {
                "concept_id": [c[0] for c in concepts],
                "concept_name": [c[1] for c in concepts],
                "vocabulary_id": [c[2] for c in concepts],
                "concept_code": [c[3] for c in concepts],
            }
        ),
        folder / "concept.parquet",
    )
    return folder


def _write_flat(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rows = _rows()
    spelled: dict[str, list[Any]] = {"person_id": [], "test": [], "value": [], "unit": []}
    spelled["date"] = []
    for i, r in enumerate(rows):
        spelled["person_id"].append(r["person_id"])
        spelled["test"].append(ALP_NAMES[i % len(ALP_NAMES)] if r["analyte"] == "alp" else "ALB")
        spelled["value"].append(r["value"])
        unit = {"ul": U_L, "ukat": UKAT, "gdl": ["g/dl"], "bad": ["IU/mL"]}[r["unit"]]
        spelled["unit"].append(unit[i % len(unit)])
        when = r["date"]
        spelled["date"].append(
            "2023-02-30" if when is None else DATES[i % len(DATES)].format(d=when.isoformat())
        )
    measurements = folder / "measurements.parquet"
    pq.write_table(
        pa.table({**spelled, "value": pa.array(spelled["value"], pa.float64())}), measurements
    )
    persons = folder / "persons.parquet"
    pq.write_table(
        pa.table(
            {
                "person_id": [p for p, _, _ in PERSONS],
                "birth_date": [b.isoformat() for _, _, b in PERSONS],
                "sex": [{"F": " female", "M": "M"}[s] for _, s, _ in PERSONS],
            }
        ),
        persons,
    )
    return measurements, persons


def _rejects(out: Path) -> list[tuple[Any, ...]]:
    table = pq.read_table(out / "rejects.parquet")
    return sorted(
        (r["person_id"], r["analyte"], r["reason"], r["reported_value"], r["date"])
        for r in table.to_pylist()
    )


@pytest.mark.parametrize("criteria", ["lln", "tornero2020"])
def test_flat_and_omop_with_the_same_data_give_the_same_worklist(
    runner: Runner, engine: str, kb: Knowledge, tmp_path: Path, criteria: str
) -> None:
    """The same rows, as OMOP concept ids and as flat text spelled many ways: the same
    worklist, persistent persons, rejects (with their reasons) and funnel counts."""
    omop = _write_omop(tmp_path / "omop")
    measurements, persons = _write_flat(tmp_path / "flat")
    runs = {}
    for kind in ("omop", "flat"):
        eng = runner.engine(engine)
        try:
            sources = (
                read_omop(eng, omop) if kind == "omop" else read_flat(eng, measurements, persons)
            )
            runs[kind] = screen(
                sources, eng, kb, tmp_path / f"out-{kind}", Criteria(criteria), as_of=AS_OF
            )
        finally:
            eng.close()
    omop_run, flat_run = runs["omop"], runs["flat"]
    assert flat_run.worklist.to_pylist() == omop_run.worklist.to_pylist()
    assert flat_run.persistent.to_pylist() == omop_run.persistent.to_pylist()
    assert {r["person_id"] for r in flat_run.persistent.to_pylist()} == {1, 2, 5}
    assert _rejects(flat_run.out) == _rejects(omop_run.out)
    for key in ("in", "used", "rejected", "other_analytes", "rejected_by_reason"):
        assert flat_run.funnel["rows"][key] == omop_run.funnel["rows"][key], key


def test_every_spelling_is_read_and_every_bad_row_rejected_with_its_reason(
    runner: Runner, engine: str, kb: Knowledge, tmp_path: Path
) -> None:
    """Names, units and dates spelled the ways exports spell them are all read (31/12/2022
    too); a unit of another test, an impossible date, a two-digit year, a blank date or
    unit, an unknown test are not."""
    good = [
        (name, unit, when.format(d="2023-03-0" + str(1 + k % 9)), 30.0 + k)
        for k, (name, unit, when) in enumerate(
            (ALP_NAMES[k % len(ALP_NAMES)], U_L[k % len(U_L)], DATES[k % len(DATES)])
            for k in range(15)
        )
    ]
    good += [("ALP", unit, "2023-04-01", 0.5) for unit in UKAT]  # 30 U/L each
    good += [("ALP", "U/L", "31/12/2022", 44.0)]  # day first: 31 cannot be a month
    bad = [
        ("ALP", "g/dl", "2023-05-01", 30.0),  # a unit, but not of ALP
        ("ALB", "U/L", "2023-05-01", 4.0),  # a unit of ALP, not of albumin
        ("ALP", "U/L", "2023-02-30", 30.0),  # no such day
        ("ALP", "U/L", "03/04/23", 30.0),  # a two-digit year: which century?
        ("ALP", "U/L", "   ", 30.0),  # blank date
        ("ALP", "  ", "2023-05-02", 30.0),  # blank unit
        ("ALP", None, "2023-05-03", 30.0),  # no unit
    ]
    other = [("Alk Phos XYZ", "U/L", "2023-05-04", 30.0), (None, "U/L", "2023-05-05", 30.0)]
    rows = good + bad + other
    measurements = tmp_path / "m.parquet"
    pq.write_table(
        pa.table(
            {
                "person_id": [1] * len(rows),
                "test": pa.array([r[0] for r in rows], pa.string()),
                "value": [r[3] for r in rows],
                "unit": pa.array([r[1] for r in rows], pa.string()),
                "date": [r[2] for r in rows],
            }
        ),
        measurements,
    )
    persons = tmp_path / "p.csv"
    persons.write_text("person_id,sex,birth_date\n1,F,1960-05-01\n")
    eng = runner.engine(engine)
    try:
        result = screen(
            read_flat(eng, measurements, persons), eng, kb, tmp_path / "out", as_of=AS_OF
        )
    finally:
        eng.close()
    counts = result.funnel["rows"]
    assert counts["in"] == len(rows)
    assert counts["other_analytes"] == len(other)
    # The five µkat/L rows are one result (30 U/L on one day) and four duplicates.
    assert counts["used"] == 15 + 1 + 1
    reasons = sorted(
        (r["test"], r["unit"] or "", r["date_text"] or "", r["reason"], r["detail"])
        for r in pq.read_table(tmp_path / "out" / "rejects.parquet").to_pylist()
        if r["reason"] != "duplicate"
    )
    alp = "accepted: " + ", ".join(kb.accepted_units("alp"))
    albumin = "accepted: " + ", ".join(kb.accepted_units("albumin"))
    assert reasons == sorted(
        [
            ("ALP", "g/dl", "", "unknown unit", f"'g/dl' is not a unit of this test; {alp}"),
            ("ALB", "U/L", "", "unknown unit", f"'U/L' is not a unit of this test; {albumin}"),
            ("ALP", "U/L", "2023-02-30", "no date", "not a date: 2023-02-30"),
            ("ALP", "U/L", "03/04/23", "no date", "not a date: 03/04/23"),
            ("ALP", "U/L", "", "no date", "no date given"),
            ("ALP", "", "", "unknown unit", f"no unit; {alp}"),
            ("ALP", "", "", "unknown unit", f"no unit; {alp}"),
        ]
    )
    assert counts["rejected_by_reason"]["duplicate"] == 4
    assert counts["rejected"] == len(bad) + 4


EXAMPLES = {"duckdb": 20, "spark": 2}
TESTS = [*ALP_NAMES, "ALB", "albumin ", "Sodium", "Alk Phos XYZ", "", "   ", None]
UNITS = [*U_L, *UKAT, "g/dl", "IU/mL", "", " ", None]
WRITTEN_DATES = [
    *(form.format(d="2023-03-04") for form in DATES),
    "2023-03-05",
    "2023-02-30",
    "31/12/2023",
    "05.03.2023 08:30",
    "03/04/23",
    "n/a",
    "",
    "   ",
    None,
]
flat_row = st.tuples(st.sampled_from(TESTS), st.sampled_from(UNITS), st.sampled_from(WRITTEN_DATES))


def test_spellings_count_every_row_and_parse_every_date_as_a_row_would(
    runner: Runner, engine: str, kb: Knowledge
) -> None:
    """For any flat rows, the pass that reads the spellings counts every row and, of them,
    exactly the rows the classification leaves without an analyte; each screening row is
    classified once and gets the date and date text parsing its own text gives (a written
    date such as 31/12/2023 as the column's dates read it)."""
    eng = runner.engine(engine)
    kt = KnowledgeTables.build(kb)
    persons = Path(tempfile.mkdtemp(prefix="alkphos-test-")) / "p.csv"
    persons.write_text("person_id,sex,birth_date\n1,F,1960-05-01\n")

    @settings(max_examples=scaled(EXAMPLES[engine]), deadline=None)
    @given(rows=st.lists(flat_row, min_size=1, max_size=30))
    def check(rows: list[tuple[str | None, str | None, str | None]]) -> None:
        measurements = persons.parent / f"m-{len(list(persons.parent.iterdir()))}.parquet"
        pq.write_table(
            pa.table(
                {
                    "person_id": [1] * len(rows),
                    "test": pa.array([r[0] for r in rows], pa.string()),
                    "value": [30.0] * len(rows),
                    "unit": pa.array([r[1] for r in rows], pa.string()),
                    "date": pa.array([r[2] for r in rows], pa.string()),
                }
            ),
            measurements,
        )
        m = read_flat(eng, measurements, persons).measurements
        spellings = load_spellings(eng, m, kt)
        assert spellings.rows_in == len(rows)
        classified = screening_rows.classify(m, kt, None, spellings)
        other = eng.scalar(classified.count(where=classified.analyte_code.isnull()))
        assert spellings.other == other
        per_row = classified.mutate(own_date=classified.date, own_text=classified.date_text)
        found = eng.to_arrow(spellings.screening_rows(per_row)).to_pylist()
        assert len(found) == len(rows) - other
        # ISO as the row's own text parses, else as the column's written dates read it
        written = read_written_dates({r[2] for r in rows if r[2] and r[2].strip()}).dates
        assert [(r["date"], r["date_text"]) for r in found] == [
            (r["own_date"] or written.get(r["date_raw"]), r["own_text"]) for r in found
        ]

    try:
        check()
    finally:
        eng.close()
