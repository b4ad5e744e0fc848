"""A generated population for screening tests: curated persons with known answers, plus
random ones for the parity test, written as flat tables (measurements as CSV, the rest as
Parquet, so both readers and the text-to-number parsing are exercised).

Curated persons carry their expected outcome per criteria preset and their expected
exclusion reasons; random persons only feed the parity test.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

AS_OF = date(2024, 6, 30)
ADULT = date(1974, 3, 15)


@dataclass
class Person:
    """One person and what the screen should conclude."""

    pid: int
    sex: str
    birth_date: date | None = ADULT
    year_of_birth: int | None = None
    results: list[dict[str, Any]] = field(default_factory=list)
    medications: list[dict[str, Any]] = field(default_factory=list)
    conditions: list[dict[str, Any]] = field(default_factory=list)
    also_listed_as: list[dict[str, Any]] = field(default_factory=list)  # more person rows
    persistent: frozenset[str] = frozenset()  # criteria presets under which persistent
    excluded: frozenset[str] = frozenset()  # exclusion reasons expected (lln)
    signals: frozenset[str] = frozenset()  # ranking signals expected (lln)

    def alp(self, value: float | str, on: str, unit: str = "U/L", **extra: Any) -> Person:
        self.results.append({"test": "ALP", "value": value, "unit": unit, "date": on, **extra})
        return self

    def lab(self, test: str, value: float, unit: str, on: str) -> Person:
        self.results.append({"test": test, "value": value, "unit": unit, "date": on})
        return self

    def drug(self, name: str, start: str, end: str | None = None) -> Person:
        self.medications.append({"drug": name, "start_date": start, "end_date": end})
        return self

    def condition(self, on: str | None, name: str | None = None, code: str | None = None) -> Person:
        self.conditions.append({"name": name, "code": code, "date": on})
        return self


def _p(pid: int, sex: str, **kwargs: Any) -> Person:
    return Person(pid=pid, sex=sex, **kwargs)


ALL = frozenset({"lln", "tornero2020", "maman2016"})
LLN = frozenset({"lln"})


def curated() -> list[Person]:
    """Persons with known answers (limits: women 17-<22 y 45-150, 22-<50 y 40-110, 50-<60 y
    40-120, 60+ 40-130 U/L (LabPLUS 2017); men 40-129 U/L; see each line)."""
    people = [
        # lln only: two lows < 35 (F), one value above 45 stops tornero and maman
        _p(1, "F", persistent=LLN)
        .alp(30, "2023-01-10")
        .alp(28, "2023-06-10")
        .alp(50, "2023-12-01"),
        # 38 and 36 are low for a man (< 40), all < 40 (maman), none <= 35 (not tornero)
        _p(2, "M", persistent=frozenset({"lln", "maman2016"}))
        .alp(38, "2023-01-10")
        .alp(36, "2023-02-10"),
        # tornero boundaries: two values of exactly 35 and one of exactly 45
        _p(3, "M", persistent=frozenset({"lln", "tornero2020"}))
        .alp(35, "2023-01-10")
        .alp(35, "2023-03-10")
        .alp(45, "2023-05-10"),
        # 45.1 is above 45: not tornero
        _p(4, "M", persistent=LLN)
        .alp(35, "2023-01-10")
        .alp(35, "2023-03-10")
        .alp(45.1, "2023-05-10"),
        # every definition; lowest ALP 20 < 25 ranks it up
        _p(5, "M", persistent=ALL, signals=frozenset({"very_low_alp"}))
        .alp(35.1, "2023-01-10")
        .alp(30, "2023-03-10")
        .alp(20, "2023-05-10"),
        # maman boundary: 39.9 twice is < 40, and low for a woman of 49 (40 since LabPLUS 2017)
        _p(6, "F", persistent=frozenset({"lln", "maman2016"}))
        .alp(39.9, "2023-01-10")
        .alp(39.9, "2023-02-10"),
        # 40 is not < 40; one low only
        _p(7, "F").alp(40, "2023-01-10").alp(20, "2023-02-10"),
        # two lows on the same day are one occasion
        _p(8, "M").alp(30, "2023-01-10").alp(31, "2023-01-10"),
        # a one-off low
        _p(9, "M").alp(25, "2023-01-10").alp(80, "2023-03-10"),
        # fluctuating: lows and a high
        _p(10, "M").alp(30, "2023-01-10").alp(30, "2023-03-10").alp(150, "2023-05-10"),
        # a child of 6: 120 and 130 are below the 1-10 y limit of 142 (adult-normal values)
        _p(11, "F", birth_date=date(2017, 5, 1), persistent=LLN)
        .alp(120, "2023-06-01")
        .alp(130, "2023-09-01"),
        # a child with normal values
        _p(12, "M", birth_date=date(2016, 2, 1)).alp(200, "2023-06-01").alp(220, "2023-09-01"),
        # 17 y female: 44 and 42 are below 45 (17-<22 y) though normal for a woman from 22
        _p(13, "F", birth_date=date(2006, 1, 15), persistent=LLN)
        .alp(44, "2023-06-01")
        .alp(42, "2023-09-01"),
        # antiresorptive during the lows: excluded
        _p(14, "F", persistent=ALL, excluded=frozenset({"antiresorptive"}))
        .alp(25, "2023-03-01")
        .alp(26, "2023-08-01")
        .drug("alendronate 70 mg weekly", "2022-06-01", "2023-12-31"),
        # antiresorptive listed with no start date: counted (listed, as a case lists it), and
        # shown as undated rather than dropped
        _p(40, "F", persistent=ALL, excluded=frozenset({"antiresorptive"}))
        .alp(25, "2023-03-01")
        .alp(26, "2023-08-01")
        .drug("alendronate 70 mg weekly", ""),
        # antiresorptive stopped long before (window starts 365 days before the first low)
        _p(15, "F", persistent=ALL)
        .alp(25, "2023-03-01")
        .alp(26, "2023-08-01")
        .drug("Fosamax", "2018-01-01", "2020-01-01"),
        # low magnesium 30 days before the first low: excluded
        _p(16, "M", persistent=ALL, excluded=frozenset({"low_magnesium"}))
        .alp(30, "2023-05-01")
        .alp(32, "2023-08-01")
        .lab("Magnesium", 0.5, "mmol/L", "2023-04-01"),
        # low magnesium long before: not excluded
        _p(17, "M", persistent=ALL)
        .alp(30, "2023-05-01")
        .alp(32, "2023-08-01")
        .lab("Mg", 1.0, "mg/dL", "2022-01-01"),
        # high TSH a month before the first low
        _p(18, "F", persistent=ALL, excluded=frozenset({"high_tsh"}))
        .lab("TSH", 9, "mIU/L", "2023-02-01")
        .alp(28, "2023-03-01")
        .alp(29, "2023-08-01"),
        # hypothyroidism by name, any date
        _p(19, "F", persistent=ALL, excluded=frozenset({"hypothyroidism"}))
        .alp(28, "2023-03-01")
        .alp(29, "2023-08-01")
        .condition("2010-01-01", name="Hypothyroidism"),
        # hypothyroidism by ICD-10 code (E03 covers E03.9)
        _p(20, "M", persistent=ALL, excluded=frozenset({"hypothyroidism"}))
        .alp(30, "2023-03-01")
        .alp(31, "2023-08-01")
        .condition("2015-05-05", code="E03.9"),
        # sepsis two weeks before the first low: critical illness
        _p(21, "M", persistent=ALL, excluded=frozenset({"critical_illness"}))
        .alp(30, "2023-03-01")
        .alp(31, "2023-09-01")
        .condition("2023-02-15", name="sepsis"),
        # sepsis years before: not excluded
        _p(22, "M", persistent=ALL)
        .alp(30, "2023-03-01")
        .alp(31, "2023-09-01")
        .condition("2020-01-01", name="sepsis"),
        _p(23, "F", persistent=ALL, excluded=frozenset({"glucocorticoid"}))
        .alp(28, "2023-03-01")
        .alp(29, "2023-08-01")
        .drug("prednisolone 5 MG Oral Tablet", "2023-01-01", "2023-02-01"),
        _p(24, "F", persistent=ALL, excluded=frozenset({"estrogen"}))
        .alp(28, "2023-03-01")
        .alp(29, "2023-08-01")
        .drug("Premarin", "2021-01-01"),
        _p(25, "M", persistent=ALL, excluded=frozenset({"fibrate"}))
        .alp(30, "2023-03-01")
        .alp(31, "2023-08-01")
        .drug("fenofibrate 145 mg", "2023-04-01", "2023-10-01"),
        _p(26, "F", persistent=ALL, excluded=frozenset({"low_albumin"}))
        .alp(28, "2023-03-01")
        .alp(29, "2023-08-01")
        .lab("Albumin", 2.5, "g/dL", "2023-08-01"),
        _p(27, "M", persistent=ALL, excluded=frozenset({"low_zinc"}))
        .alp(30, "2023-03-01")
        .alp(31, "2023-08-01")
        .lab("Zinc", 40, "ug/dL", "2023-07-01"),
        # results in µkat/L: 0.5 µkat/L is 30 U/L
        _p(28, "M", persistent=ALL)
        .alp(0.5, "2023-03-01", unit="µkat/L")
        .alp(0.55, "2023-08-01", unit="ukat/L"),
        # the lab's own limits win: 45 and 46 are below its 50
        _p(29, "F", persistent=LLN)
        .alp(45, "2023-03-01", reference_low=50, reference_high=150)
        .alp(46, "2023-08-01", reference_low=50, reference_high=150),
        # sex unknown: the widest limits (lower limit 40 for both sexes) apply
        _p(30, "unknown", persistent=ALL).alp(34, "2023-03-01").alp(33, "2023-08-01"),
        _p(31, "", persistent=frozenset({"lln", "maman2016"}))
        .alp(37, "2023-03-01")
        .alp(38, "2023-08-01"),
        # year of birth only (taken as 1 July)
        _p(32, "M", birth_date=None, year_of_birth=1970, persistent=ALL)
        .alp(30, "2023-03-01")
        .alp(30, "2023-08-01"),
        # no birth date: adult limits assumed; not eligible for tornero (age unknown)
        _p(33, "M", birth_date=None, persistent=frozenset({"lln", "maman2016"}))
        .alp(30, "2023-03-01")
        .alp(31, "2023-08-01"),
        # a raised PLP ranks up
        _p(34, "M", persistent=ALL, signals=frozenset({"high_plp"}))
        .alp(30, "2023-03-01")
        .alp(28, "2023-08-01")
        .lab("PLP", 250, "nmol/L", "2023-09-01"),
        # musculoskeletal findings rank up
        _p(35, "F", persistent=ALL, signals=frozenset({"musculoskeletal"}))
        .alp(30, "2023-03-01")
        .alp(31, "2023-08-01")
        .condition("2022-05-01", name="stress fracture"),
        # 45.0000004 U/L is 45 to 6 significant figures, as the per-patient engine rounds:
        # not above tornero's 45 (unrounded, it would be)
        _p(39, "M", persistent=frozenset({"lln", "tornero2020"}))
        .alp(30, "2023-03-01")
        .alp(31, "2023-08-01")
        .alp(45.0000004, "2023-10-01"),
        # no ALP at all: in the persons table, not tested
        _p(36, "F").lab("Sodium", 140, "mmol/L", "2023-03-01"),
        # listed twice in the persons table, disagreeing: sex and age become unknown, so
        # 36 and 37 are below the widest lower limit (40) and tornero cannot apply
        _p(
            38,
            "F",
            also_listed_as=[{"sex": "M", "birth_date": date(1960, 1, 1)}],
            persistent=frozenset({"lln", "maman2016"}),
        )
        .alp(36, "2023-03-01")
        .alp(37, "2023-08-01"),
    ]
    # A normal adult whose rows show every reason for rejection.
    bad = _p(37, "M").alp(80, "2023-03-01").alp(80, "2023-03-01")  # the second is a duplicate
    bad.lab("Alkaline phosphatase", 80, "IU/L", "2023-03-01")  # so is this (reported apart)
    bad.alp(70, "2023-04-01", unit="IU/mL")  # unknown unit
    bad.alp(-5, "2023-04-02")  # implausible value
    bad.alp(70, "")  # no date
    bad.alp(70, "2023-13-45")  # not a date
    bad.alp("", "2023-04-03")  # no value
    bad.alp("abc", "2023-04-04")  # not a number
    bad.alp(70, "2023-04-05", reference_low=100, reference_high=50)  # implausible range
    bad.alp(70, "2025-01-01")  # after the as-of date
    bad.alp(70, "1960-01-01")  # before the birth date
    bad.alp(70, "2023-04-06", unit=None)  # no unit
    bad.lab("Sodium", 140, "mmol/L", "2023-03-01")  # another analyte
    bad.lab("Foo", 1, "U", "2023-03-01")  # a test alkphos does not know
    people.append(bad)
    return people


UNKNOWN_PERSON_ROWS = [
    {"person_id": 9999, "test": "ALP", "value": 30, "unit": "U/L", "date": "2023-03-01"},
    {"person_id": "", "test": "ALP", "value": 30, "unit": "U/L", "date": ""},  # no one, no day
]

EXPECTED_REJECTS = {
    "duplicate": 2,
    "unknown unit": 2,
    "implausible value": 1,
    "no date": 2,
    "no value": 2,
    "implausible range": 1,
    "after as-of date": 1,
    "impossible age": 1,
    "unknown person": 2,
}

_DRUGS = [
    "alendronate 70 mg",
    "Fosamax",
    "prednisolone 5 mg",
    "omeprazole 20 mg",
    "Premarin",
    "levothyroxine",
]
_CONDITIONS = [
    ("sepsis", None),
    ("hypothyroidism", None),
    (None, "E03.9"),
    ("stress fracture", None),
    ("asthma", None),
]


def random_people(count: int, seed: int = 7, first_id: int = 1000) -> list[Person]:
    """Random persons around the limits (children, teens and adults), for the parity test."""
    rng = random.Random(seed)
    people = []
    for index in range(count):
        age = rng.choice(
            [rng.uniform(0.1, 1), rng.uniform(1, 18), rng.uniform(18, 90), rng.uniform(18, 90)]
        )
        birth = AS_OF - timedelta(days=int(age * 365.25) + 200)
        sex = rng.choice(["F", "M", "F", "M", "unknown"])
        person = _p(first_id + index, sex, birth_date=birth)
        centre = rng.choice([30, 38, 45, 60, 120, 150, 250])
        for _ in range(rng.randint(1, 5)):
            on = AS_OF - timedelta(days=rng.randint(0, 900))
            if on <= birth:
                continue
            value = round(max(1.0, rng.gauss(centre, centre * 0.25)), 1)
            if rng.random() < 0.1:
                person.alp(round(value / 60, 3), on.isoformat(), unit="ukat/L")
            else:
                person.alp(value, on.isoformat())
        on = AS_OF - timedelta(days=rng.randint(0, 900))
        if rng.random() < 0.3 and on > birth:
            person.lab("Magnesium", round(rng.uniform(0.5, 1.0), 2), "mmol/L", on.isoformat())
        on = AS_OF - timedelta(days=rng.randint(0, 900))
        if rng.random() < 0.2 and on > birth:
            person.lab("Albumin", round(rng.uniform(25, 45), 1), "g/L", on.isoformat())
        if rng.random() < 0.3:
            start = AS_OF - timedelta(days=rng.randint(0, 1500))
            end = start + timedelta(days=rng.randint(10, 600))
            person.drug(rng.choice(_DRUGS), start.isoformat(), end.isoformat())
        if rng.random() < 0.2:
            name, code = rng.choice(_CONDITIONS)
            on = AS_OF - timedelta(days=rng.randint(0, 2000))
            person.condition(on.isoformat(), name=name, code=code)
        people.append(person)
    return people


def write(
    folder: Path, people: list[Person], extra_rows: list[dict[str, Any]] | None = None
) -> dict[str, Path]:
    """Write the flat tables; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "measurements": folder / "measurements.csv",
        "persons": folder / "persons.parquet",
        "medications": folder / "medications.parquet",
        "conditions": folder / "conditions.parquet",
    }
    header = ["person_id", "test", "value", "unit", "date", "reference_low", "reference_high"]
    with paths["measurements"].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        for person in people:
            for row in person.results:
                writer.writerow({"person_id": person.pid, **row})
        for row in extra_rows or []:
            writer.writerow(row)
    pq.write_table(
        pa.Table.from_pylist(
            [
                {
                    "person_id": p.pid,
                    "birth_date": p.birth_date,
                    "year_of_birth": p.year_of_birth,
                    "sex": p.sex,
                }
                for p in people
            ]
            + [
                {"person_id": p.pid, "birth_date": None, "year_of_birth": None, **row}
                for p in people
                for row in p.also_listed_as
            ],
            schema=pa.schema(
                [
                    ("person_id", pa.int64()),
                    ("birth_date", pa.date32()),
                    ("year_of_birth", pa.int64()),
                    ("sex", pa.string()),
                ]
            ),
        ),
        paths["persons"],
    )
    pq.write_table(
        pa.Table.from_pylist(
            [
                {
                    "person_id": p.pid,
                    "drug": m["drug"],
                    "start_date": date.fromisoformat(m["start_date"]) if m["start_date"] else None,
                    "end_date": date.fromisoformat(m["end_date"]) if m["end_date"] else None,
                }
                for p in people
                for m in p.medications
            ],
            schema=pa.schema(
                [
                    ("person_id", pa.int64()),
                    ("drug", pa.string()),
                    ("start_date", pa.date32()),
                    ("end_date", pa.date32()),
                ]
            ),
        ),
        paths["medications"],
    )
    pq.write_table(
        pa.Table.from_pylist(
            [
                {
                    "person_id": p.pid,
                    "code": c["code"],
                    "name": c["name"],
                    "date": date.fromisoformat(c["date"]) if c["date"] else None,
                }
                for p in people
                for c in p.conditions
            ],
            schema=pa.schema(
                [
                    ("person_id", pa.int64()),
                    ("code", pa.string()),
                    ("name", pa.string()),
                    ("date", pa.date32()),
                ]
            ),
        ),
        paths["conditions"],
    )
    return paths
