"""Diagnosis codes: screening reads them exactly as the per-patient engine does, on both
engines, whichever ICD-10 vocabulary (ICD10 or ICD10CM) a condition is coded in."""

from __future__ import annotations

from datetime import date

import ibis
import pyarrow as pa

from alkphos import Knowledge
from alkphos.knowledge.codes import family, match_code
from alkphos.screening.causes import condition_meanings
from alkphos.screening.tables import KnowledgeTables
from tests.screening.conftest import Runner

VOCABULARIES = ("SNOMED", "ICD10CM", "ICD10")


def _written(kb: Knowledge) -> list[tuple[str, str]]:
    """Each knowledge-base code as a hospital might write it, in every vocabulary of its
    family, plus a sub-code where the entry covers its descendants."""
    rows = []
    for c in kb.codes:
        for vocabulary in VOCABULARIES:
            if family(vocabulary) == family(c.system):
                rows.append((vocabulary, c.code))
                if c.descendants:
                    rows.append((vocabulary, c.code + ("9" if "." in c.code else ".9")))
    return rows


def test_condition_codes_mean_what_the_per_patient_engine_says(
    runner: Runner, engine: str, kb: Knowledge
) -> None:
    written = _written(kb)
    conditions = ibis.memtable(
        pa.table(
            {
                "person_id": pa.array(range(len(written)), pa.int64()),
                "code": [code for _, code in written],
                "system": [family(vocabulary) for vocabulary, _ in written],
                "name": pa.array([None] * len(written), pa.string()),
                "date": [date(2023, 1, 1)] * len(written),
            }
        )
    )
    eng = runner.engine(engine)
    try:
        found = eng.to_arrow(condition_meanings(conditions, KnowledgeTables.build(kb)))
    finally:
        eng.close()
    meanings: dict[int, set[str]] = {}
    for row in found.to_pylist():
        meanings.setdefault(row["person_id"], set()).add(row["finding"] or row["cause"])
    for pid, (vocabulary, code) in enumerate(written):
        entry = match_code(kb, vocabulary, code)
        assert entry is not None, (vocabulary, code)
        assert (entry.finding or entry.cause) in meanings.get(pid, set()), (vocabulary, code)
