"""Parity: the worklist is exactly the set of persons the per-patient engine flags
``persistently_low_alp`` with no secondary cause, on a generated population."""

from __future__ import annotations

from alkphos import Knowledge, interpret
from alkphos.screening.explain import build_case, fetch_people
from tests.screening.conftest import Runner
from tests.screening.population import AS_OF


def test_worklist_equals_the_per_patient_engine(runner: Runner, engine: str, kb: Knowledge) -> None:
    """Every person is interpreted one by one; the sets, the low counts, the first and last
    low dates and the exclusion reasons all agree with the screen."""
    run = runner.run("generated", engine, "lln", AS_OF, True)
    ids = sorted(row["person_id"] for row in run.engine.to_arrow(run.sources.persons).to_pylist())
    flagged: set[str] = set()
    persistent: dict[str, tuple[int, str | None, str | None, list[str]]] = {}
    for person in fetch_people(run.engine, run.sources, ids, None):
        case, _ = build_case(kb, person, AS_OF)
        if not case["results"]:
            continue
        result = interpret(case, as_of=AS_OF, kb=kb)
        flags = {flag.id for flag in result.flags}
        series = result.alp_series
        if series is None or not series.persistently_low:
            assert "persistently_low_alp" not in flags
            continue
        assert "persistently_low_alp" in flags
        persistent[person.person_id] = (
            series.n_low,
            series.first_low_date,
            series.last_low_date,
            sorted(result.secondary_causes),
        )
        if not result.secondary_causes:
            flagged.add(person.person_id)
    worklist = {row["person_id"] for row in run.rows("worklist")}
    assert worklist == flagged
    assert len(worklist) > 50
    screened = {
        row["person_id"]: (
            row["n_low"],
            row["first_low_date"].isoformat(),
            row["last_low_date"].isoformat(),
            sorted(row["exclusion_reasons"]),
        )
        for row in run.rows("persistent")
    }
    assert screened == persistent
