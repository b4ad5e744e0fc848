"""A laboratory's intervals file in use: checked on load (each problem names its entry),
read back unchanged, and changing a status exactly where its limits differ from the
knowledge base's, through the Python API and the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from alkphos import InputError, interpret, load_intervals, load_knowledge
from alkphos.cli import app
from alkphos.intervals.labfile import LabInterval, LabIntervalFile, dump_file, parse_file
from alkphos.intervals.use import check_file, with_intervals
from alkphos.knowledge.schema import AgeBound, WeekRange
from tests.lab_intervals import (
    FILE_HIGH,
    FILE_LOW,
    KB_HIGH,
    KB_LOW,
    STATEMENT,
    differs,
    lab_file,
    write_lab_file,
)

RUN = CliRunner()


def _case(value: float, sex: str = "female", age: float = 40, **limits: float) -> dict[str, Any]:
    result: dict[str, Any] = {"test": "ALP", "value": value, "unit": "U/L", "date": "2025-03-01"}
    result.update(limits)
    return {"patient": {"age_years": age, "sex": sex}, "results": [result]}


def _entry(entry_id: str, **changes: Any) -> LabInterval:
    base = lab_file().intervals[0]
    return base.model_copy(update={"id": entry_id, **changes})


def _with(*entries: LabInterval) -> LabIntervalFile:
    return lab_file().model_copy(update={"intervals": list(entries)})


def _years(value: float) -> AgeBound:
    return AgeBound(value=value, unit="y")


def test_file_round_trip(tmp_path: Path) -> None:
    """What dump_file writes (as derive will) loads back equal, checked."""
    original = lab_file()
    assert parse_file(dump_file(original)) == original
    assert load_intervals(write_lab_file(tmp_path)) == original


def test_a_whole_tiling_file_is_accepted() -> None:
    """Children for both sexes, then women and men, and pregnancy weeks that meet."""
    entries = [
        _entry(
            "any.0d-15d",
            sex="any",
            age_from=AgeBound(value=0, unit="d"),
            age_to=AgeBound(value=15, unit="d"),
            low=83,
            high=248,
        ),
        _entry(
            "any.15d-18y",
            sex="any",
            age_from=AgeBound(value=15, unit="d"),
            age_to=_years(18),
            low=50,
            high=400,
        ),
        _entry("female.18y", sex="female", age_from=_years(18)),
        _entry("male.18y", sex="male", age_from=_years(18), low=40, high=129),
        _entry("preg.0-20", pregnancy_weeks=WeekRange.model_validate({"from": 0, "to": 20})),
        _entry(
            "preg.20-42", pregnancy_weeks=WeekRange.model_validate({"from": 20, "to": 42}), high=250
        ),
    ]
    check_file(_with(*entries), load_knowledge())


@pytest.mark.parametrize(
    ("entries", "named", "problem"),
    [
        ([_entry("a", analyte="alkp")], "'a'.analyte", "'alkp' is not an analyte"),
        ([_entry("a", unit="mg/dL")], "'a'.unit", "'mg/dL' is not a unit"),
        ([_entry("a", low=95.0, high=45.0)], "'a'.low", "lower limit 95 is not below"),
        ([_entry("a", low=60.0, high=60.0)], "'a'.low", "lower limit 60 is not below"),
        ([_entry("a", low=None, high=None)], "'a'.low", "neither a lower nor an upper"),
        ([_entry("a", low=-1.0)], "'a'.low", "negative limit"),
        ([_entry("a", high=90000.0)], "'a'.high", "implausible limit"),
        ([_entry("a", age_to=_years(18))], "'a'.age_to", "is not after age_from"),
        (
            [
                _entry(
                    "a", sex="male", pregnancy_weeks=WeekRange.model_validate({"from": 0, "to": 9})
                )
            ],
            "'a'.pregnancy_weeks",
            "given for sex 'male'",
        ),
        ([_entry("a"), _entry("a", sex="male")], "'a'", "used by an earlier entry"),
        (
            [_entry("a", age_to=_years(50)), _entry("b", age_from=_years(40))],
            "'b'",
            "overlap those of interval 'a' (18 y to 50 y) for alp, female",
        ),
        (
            [_entry("a", sex="any", age_to=_years(20)), _entry("b", age_from=_years(19))],
            "'b'",
            "overlap those of interval 'a'",
        ),
    ],
)
def test_each_bad_entry_is_named(entries: list[LabInterval], named: str, problem: str) -> None:
    """Every check refuses its case with an InputError naming the entry and the problem."""
    with pytest.raises(InputError) as caught:
        check_file(_with(*entries), load_knowledge(), "lab.yaml")
    message = str(caught.value)
    assert message.startswith(f"lab.yaml: interval {named}: "), message
    assert problem in message


def test_unknown_analyte_and_unit_suggest_the_close_one() -> None:
    with pytest.raises(InputError, match="did you mean 'alp'"):
        check_file(_with(_entry("a", analyte="alpp")), load_knowledge())
    with pytest.raises(InputError, match="did you mean 'IU/L'"):
        check_file(_with(_entry("a", unit="IU/mL")), load_knowledge())


def test_limits_in_another_unit_are_converted() -> None:
    """45-95 U/L given as 0.75-1.583333 µkat/L (60 U/L per µkat/L) judge the same."""
    entry = _entry("a", unit="µkat/L", low=0.75, high=95 / 60)
    result = interpret(_case(44), intervals=_with(entry))
    assert result.alp is not None
    assert result.alp.status == "low"
    assert (result.alp.reference_interval.low, result.alp.reference_interval.high) == (45, 95)


def test_status_changes_exactly_where_the_limits_differ() -> None:
    """For a woman of 40, every ALP from 30 to 125 U/L: the status differs with the file
    exactly when the value lies between the knowledge base's limit and the file's."""
    lab = lab_file()
    for value in [v / 2 for v in range(60, 251)]:
        with_kb = interpret(_case(value)).alp
        with_file = interpret(_case(value), intervals=lab).alp
        assert with_kb is not None
        assert with_file is not None
        assert (with_kb.status != with_file.status) == differs(value), value
    assert interpret(_case(FILE_HIGH), intervals=lab).alp.status == "normal"  # type: ignore[union-attr]
    assert interpret(_case(FILE_HIGH + 0.5), intervals=lab).alp.status == "high"  # type: ignore[union-attr]
    assert interpret(_case(KB_HIGH)).alp.status == "normal"  # type: ignore[union-attr]
    assert interpret(_case(KB_LOW - 0.5)).alp.status == "low"  # type: ignore[union-attr]


def test_the_interval_names_its_basis() -> None:
    """source 'laboratory file', the basis sentence, and the entry's basis as data."""
    alp = interpret(_case(100), intervals=lab_file()).alp
    assert alp is not None
    used = alp.reference_interval
    assert (used.low, used.high, used.source) == (FILE_LOW, FILE_HIGH, "laboratory file")
    assert STATEMENT in used.basis
    assert used.citations == []
    [basis] = used.laboratory_basis
    assert basis.entry == "lab.alp.female.18y"
    assert (basis.method, basis.n, basis.upper_ci) == ("indirect", 12000, (92.0, 98.0))
    assert basis.statement == STATEMENT


def test_people_the_file_does_not_cover_keep_the_knowledge_base() -> None:
    """Men, children and pregnancy are not in the file: the knowledge base's intervals."""
    pregnant = _case(120, age=30)
    pregnant["patient"]["pregnancy_weeks"] = 30
    for case in (_case(100, sex="male"), _case(200, age=8), pregnant):
        used = interpret(case, intervals=lab_file())
        assert used.alp == interpret(case).alp
        assert used.alp is not None
        assert used.alp.reference_interval.source == "knowledge base"


def test_sex_not_given_takes_the_widest_of_the_file_and_the_knowledge_base() -> None:
    """The file covers women only: with the sex unknown, the widest of the file's women's
    limits and the knowledge base's men's."""
    male = interpret(_case(100, sex="male")).alp
    alp = interpret(_case(100, sex="unknown"), intervals=lab_file()).alp
    assert male is not None
    assert alp is not None
    used = alp.reference_interval
    assert used.low == min(FILE_LOW, male.reference_interval.low or 0)
    assert used.high == max(FILE_HIGH, male.reference_interval.high or 0)
    assert "sex not given" in used.basis
    assert used.laboratory_basis[0].entry == "lab.alp.female.18y"


def test_printed_limits_still_win() -> None:
    """Limits printed on the result are used; a missing one comes from the file."""
    lab = lab_file()
    both = interpret(_case(100, reference_low=30, reference_high=105), intervals=lab).alp
    assert both is not None
    assert (both.status, both.reference_interval.source) == ("normal", "laboratory")
    upper_only = interpret(_case(42, reference_high=105), intervals=lab).alp
    assert upper_only is not None
    assert upper_only.status == "low"
    assert upper_only.reference_interval.low == FILE_LOW
    assert "lower limit from the laboratory's intervals file" in upper_only.reference_interval.basis
    assert upper_only.reference_interval.laboratory_basis[0].entry == "lab.alp.female.18y"


def test_a_path_and_the_model_give_the_same(tmp_path: Path) -> None:
    path = write_lab_file(tmp_path)
    assert interpret(_case(100), intervals=path) == interpret(_case(100), intervals=lab_file())
    assert interpret(_case(100), intervals=str(path)).knowledge_version.startswith("kb-")
    with pytest.raises(InputError, match="cannot be read"):
        interpret(_case(100), intervals=tmp_path / "missing.yaml")


def test_the_knowledge_version_says_a_file_is_in_use() -> None:
    kb = load_knowledge()
    merged = with_intervals(kb, lab_file())
    assert merged.version.startswith(kb.version + "+lab-")
    assert with_intervals(merged, lab_file()).version == merged.version
    other = _with(_entry("x", high=96.0))
    assert with_intervals(kb, other).version != merged.version


def test_cli_interpret_with_intervals(tmp_path: Path) -> None:
    """--intervals changes the JSON status and the text names the basis."""
    case = tmp_path / "case.json"
    case.write_text(json.dumps(_case(100)), encoding="utf-8")
    lab = str(write_lab_file(tmp_path))
    plain = RUN.invoke(app, ["interpret", str(case)])
    used = RUN.invoke(app, ["interpret", str(case), "--intervals", lab])
    assert plain.exit_code == used.exit_code == 0, used.output
    assert json.loads(plain.stdout)["alp"]["status"] == "normal"
    out = json.loads(used.stdout)["alp"]
    assert out["status"] == "high"
    assert out["reference_interval"]["laboratory_basis"][0]["statement"] == STATEMENT
    text = RUN.invoke(app, ["interpret", str(case), "--intervals", lab, "--format", "text"])
    assert text.exit_code == 0
    assert STATEMENT in " ".join(text.stdout.split())
    html = RUN.invoke(app, ["interpret", str(case), "--intervals", lab, "--format", "html"])
    assert html.exit_code == 0
    assert "laboratory file" in html.stdout
    assert "indirect estimate from 12,000 routine results 2025" in html.stdout


def test_cli_batch_with_intervals(tmp_path: Path) -> None:
    batch = tmp_path / "cases.jsonl"
    batch.write_text("\n".join(json.dumps(_case(v)) for v in (42, 70, 100)) + "\n")
    done = RUN.invoke(
        app, ["interpret", "--batch", str(batch), "--intervals", str(write_lab_file(tmp_path))]
    )
    assert done.exit_code == 0, done.output
    statuses = [json.loads(line)["alp"]["status"] for line in done.stdout.splitlines()]
    assert statuses == ["low", "normal", "high"]


def test_cli_bad_intervals_file_is_one_error_line(tmp_path: Path) -> None:
    case = tmp_path / "case.json"
    case.write_text(json.dumps(_case(100)), encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(dump_file(_with(_entry("lab.alp.f", low=95.0, high=45.0))), encoding="utf-8")
    done = RUN.invoke(app, ["interpret", str(case), "--intervals", str(bad)])
    assert done.exit_code == 2
    assert done.stderr == (
        f"error: --intervals: {bad}: interval 'lab.alp.f'.low: lower limit 95 is not below "
        "upper limit 45 (low < high)\n"
    )


def test_a_gap_between_entries_keeps_the_knowledge_base_there_and_is_said() -> None:
    """Ages a file leaves out between entries (a stratum `intervals derive` could not
    estimate) are not refused: the knowledge base's interval is used there, and
    `uncovered` says so for a note."""
    from alkphos.intervals.use import uncovered

    lab = _with(_entry("a", age_to=_years(40)), _entry("b", age_from=_years(50)))
    check_file(lab, load_knowledge(), "lab.yaml")
    (gap,) = uncovered(lab)
    assert "ages between interval 'a' (18 y to 40 y) and interval 'b'" in gap
    assert "knowledge base's interval is used there" in gap
    weeks = _with(
        _entry("a", pregnancy_weeks=WeekRange.model_validate({"from": 0, "to": 20})),
        _entry("b", pregnancy_weeks=WeekRange.model_validate({"from": 24, "to": 42})),
    )
    check_file(weeks, load_knowledge(), "lab.yaml")
    assert any("pregnancy weeks between" in said for said in uncovered(weeks))
