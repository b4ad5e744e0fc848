"""--explain reads an OMOP row's unit as screening does, so the two never disagree on it."""

from __future__ import annotations

from datetime import date

import ibis
import pyarrow as pa

from alkphos import Knowledge
from alkphos.screening.engines import connect
from alkphos.screening.explain import build_case, fetch_people
from alkphos.screening.inputs import Sources
from alkphos.screening.tables import KnowledgeTables
from alkphos.screening.vocabulary import load_vocabulary

ALP, U_PER_L, IU_PER_L = 3035995, 8645, 8923


def test_an_unaccepted_unit_concept_falls_back_to_the_source_text(kb: Knowledge) -> None:
    """Unit concept '[IU]/L' is no unit of any screening analyte, so screening reads the
    source text 'IU/L' (accepted); --explain must use the row too, not set it aside."""
    measurements = ibis.memtable(
        pa.table(
            {
                "row_id": [1, 2],
                "person_id": [7, 7],
                "test": ["ALP", "ALP"],
                "concept_id": [ALP, ALP],
                "value": [30.0, 31.0],
                "unit_concept_id": [IU_PER_L, U_PER_L],
                "unit_text": ["IU/L", None],
                "date": [date(2023, 1, 1), date(2023, 6, 1)],
                "date_text": ["2023-01-01", "2023-06-01"],
                "range_low": pa.array([None, None], pa.float64()),
                "range_high": pa.array([None, None], pa.float64()),
            }
        )
    )
    concepts = ibis.memtable(
        pa.table(
            {
                "concept_id": [ALP, U_PER_L, IU_PER_L],
                "vocabulary": ["LOINC", "UCUM", "UCUM"],
                "code": ["6768-6", "U/L", "[IU]/L"],
            }
        )
    )
    people = {"person_id": [7], "birth_date": [date(1970, 1, 1)], "sex": ["female"]}
    persons = ibis.memtable(pa.table(people))
    sources = Sources(measurements, persons, None, None, concepts, "memory")
    engine = connect("duckdb")
    try:
        vocabulary = load_vocabulary(engine, concepts, KnowledgeTables.build(kb))
        assert IU_PER_L not in vocabulary.unit_codes
        (person,) = fetch_people(engine, sources, [7], vocabulary)
    finally:
        engine.close()
    assert [row["unit"] for row in person.measurements] == ["IU/L", "U/L"]
    case, set_aside = build_case(kb, person, date(2024, 1, 1))
    assert len(case["results"]) == 2
    assert set_aside == []
