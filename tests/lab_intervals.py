"""A laboratory intervals file for the tests: women 18 and over, 45-95 U/L.

The knowledge base's interval for women 22 to <50 is 40-110 U/L, so an ALP from 40 to
below 45, or above 95 up to 110, has one status with the knowledge base and another with
this file; every other value has the same status with both.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from alkphos.intervals.labfile import Basis, LabInterval, LabIntervalFile, dump_file
from alkphos.knowledge.schema import AgeBound

FILE_LOW = 45.0
FILE_HIGH = 95.0
KB_LOW = 40.0  # the knowledge base's women 22 to <50 years
KB_HIGH = 110.0


def lab_file() -> LabIntervalFile:
    """The file's model."""
    return LabIntervalFile(
        laboratory="Example laboratory",
        created=dt.date(2026, 12, 5),
        intervals=[
            LabInterval(
                id="lab.alp.female.18y",
                analyte="alp",
                sex="female",
                age_from=AgeBound(value=18, unit="y"),
                low=FILE_LOW,
                high=FILE_HIGH,
                unit="U/L",
                population="Women 18 years and over, routine outpatient results",
                basis=Basis(
                    method="indirect",
                    n=12000,
                    lower_ci=(43.0, 47.0),
                    upper_ci=(92.0, 98.0),
                    date_from=dt.date(2025, 1, 1),
                    date_to=dt.date(2025, 12, 31),
                    origin="routine results of the laboratory",
                ),
            )
        ],
    )


STATEMENT = (
    "laboratory interval of Example laboratory, indirect estimate from 12,000 routine "
    "results 2025; 90% CI of the lower limit 43-47, of the upper limit 92-98 U/L; "
    "data: routine results of the laboratory"
)


def write_lab_file(folder: Path) -> Path:
    """The file written as ``derive`` writes it (``dump_file``)."""
    path = folder / "intervals.yaml"
    path.write_text(dump_file(lab_file()), encoding="utf-8")
    return path


def differs(value: float) -> bool:
    """Whether a woman of 22 to <50 has another status with the file than without."""
    return KB_LOW <= value < FILE_LOW or FILE_HIGH < value <= KB_HIGH
