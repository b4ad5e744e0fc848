"""The laboratory intervals file: written and read back unchanged; bad entries named."""

from __future__ import annotations

import datetime as dt

import pytest

from alkphos.errors import InputError
from alkphos.intervals.labfile import Basis, LabInterval, LabIntervalFile, dump_file, parse_file
from alkphos.knowledge.schema import AgeBound


def _file() -> LabIntervalFile:
    return LabIntervalFile(
        laboratory="Example laboratory",
        created=dt.date(2026, 12, 5),
        intervals=[
            LabInterval(
                id="lab.alp.female.18y-50y",
                analyte="alp",
                sex="female",
                age_from=AgeBound(value=18, unit="y"),
                age_to=AgeBound(value=50, unit="y"),
                low=38.0,
                high=118.0,
                unit="U/L",
                population="Women 18 to <50 years, routine outpatient results",
                basis=Basis(
                    method="indirect",
                    n=12000,
                    lower_ci=(36.0, 40.0),
                    upper_ci=(114.0, 122.0),
                    date_from=dt.date(2025, 1, 1),
                    date_to=dt.date(2025, 12, 31),
                    origin="routine results of the laboratory",
                ),
            )
        ],
    )


def test_round_trip() -> None:
    original = _file()
    assert parse_file(dump_file(original)) == original


def test_bad_entry_is_named() -> None:
    text = dump_file(_file()).replace("method: indirect", "method: guessed")
    with pytest.raises(InputError) as caught:
        parse_file(text, "intervals.yaml")
    assert "lab.alp.female.18y-50y" in str(caught.value)
    assert "intervals.0.basis.method" in str(caught.value)


def test_not_yaml_mapping_is_refused() -> None:
    with pytest.raises(InputError, match="mapping"):
        parse_file("- just\n- a list\n")
