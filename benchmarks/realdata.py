"""Real-data harness: the NHANES 2017-2018 and ILPD extracts through ``interpret()``.

Prints, per data set and sex x age group: how many cases, the share called low and high,
warnings and critical flags per 100 people, the share of ranked cases (those with a
differential) whose top cause is unsupported by the case's own evidence
(``rules.support.supported``), and the top causes named first. Goal
(issue 14): in every adult NHANES sex x age group (18-59, 60+) at most 8% high and 5% low.

The data are read at run time from ``../shared/data`` next to the repository (or --data);
they are not part of the repository, and the test suite does not need them. It is a
benchmark, not a test.

    .venv/bin/python benchmarks/realdata.py [--data DIR] [--top N]
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from alkphos import InputError, interpret, load_knowledge
from alkphos.knowledge.loader import Knowledge
from alkphos.model.interpretation import Interpretation
from alkphos.rules.support import supported

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
NHANES_FILE = Path("nhanes-2017-2018") / "nhanes_2017_2018_alp_extract.csv"
ILPD_FILE = Path("ilpd") / "ILPD.csv"
# Neither set gives exam dates (NHANES only the two-year cycle); one date per set is used.
NHANES_DATE = date(2018, 1, 1)
ILPD_DATE = date(2012, 1, 1)
GOAL_HIGH, GOAL_LOW = 8.0, 5.0

# NHANES column -> (test name, unit); ALP is LBXSAPSI (IU/L).
_NHANES_TESTS = {
    "LBXSAPSI": ("ALP", "IU/L"),
    "LBXSATSI": ("ALT", "U/L"),
    "LBXSASSI": ("AST", "U/L"),
    "LBXSGTSI": ("GGT", "U/L"),
    "LBXSTB": ("Total bilirubin", "mg/dL"),
    "LBXSAL": ("Albumin", "g/dL"),
    "LBXSCA": ("Calcium", "mg/dL"),
    "LBXSPH": ("Phosphate", "mg/dL"),
    "LBXSCR": ("Creatinine", "mg/dL"),
}
_ILPD_TESTS = {
    "Alkphos": ("ALP", "IU/L"),
    "Sgpt": ("ALT", "U/L"),
    "Sgot": ("AST", "U/L"),
    "TB": ("Total bilirubin", "mg/dL"),
    "DB": ("Direct bilirubin", "mg/dL"),
    "ALB": ("Albumin", "g/dL"),
}


@dataclass(frozen=True, slots=True)
class Person:
    """One record as a case, with the group it is counted in."""

    dataset: str
    sex: str
    age: float
    case: dict[str, Any]


@dataclass(slots=True)
class Tally:
    """What the engine said for one group."""

    n: int = 0
    refused: int = 0
    low: int = 0
    high: int = 0
    warnings: int = 0
    critical: int = 0
    unsupported_top: int = 0
    ranked: int = 0
    top: Counter[str] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)

    def add(self, result: Interpretation, kb: Knowledge) -> None:
        """Count one interpretation."""
        self.n += 1
        status = result.alp.status if result.alp is not None else "unknown"
        self.low += status == "low"
        self.high += status == "high"
        self.warnings += sum(flag.severity == "warning" for flag in result.flags)
        self.critical += sum(flag.severity == "critical" for flag in result.flags)
        if result.differential:
            first = result.differential[0]
            self.ranked += 1
            self.top[first.id] += 1
            self.unsupported_top += not supported(first, kb)

    def refuse(self, error: InputError) -> None:
        """Count a case the engine refused (it is not silently dropped)."""
        self.refused += 1
        self.refusals[str(error).split(":")[0]] += 1

    def unsupported_share(self) -> float:
        """Percentage of the ranked cases (those with a differential) whose first cause is
        unsupported by the case's evidence."""
        return 100.0 * self.unsupported_top / self.ranked if self.ranked else 0.0

    def share(self, count: int) -> float:
        """Percentage of the interpreted cases."""
        return 100.0 * count / self.n if self.n else 0.0


def age_group(age: float) -> str:
    """The harness's age bands: children (<18), 18-59 and 60+."""
    if age < 18:
        return "<18"
    return "18-59" if age < 60 else "60+"


def _number(text: str | None) -> float | None:
    text = (text or "").strip()
    return float(text) if text else None


def _results(
    row: Mapping[str, str], tests: Mapping[str, tuple[str, str]], when: date
) -> list[dict[str, Any]]:
    out = []
    for column, (test, unit) in tests.items():
        value = _number(row.get(column))
        if value is not None:
            out.append({"test": test, "value": value, "unit": unit, "date": when.isoformat()})
    return out


def read_nhanes(path: Path) -> Iterator[Person | str]:
    """Adults and adolescents with an ALP; pregnant participants (no weeks given) are
    yielded as the reason they are left out, so the count is printed."""
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if _number(row["LBXSAPSI"]) is None:
                yield "no ALP"
                continue
            if row["RIDEXPRG"].strip() == "1":
                yield "pregnant (no gestational week in NHANES)"
                continue
            sex = {"1": "male", "2": "female"}[row["RIAGENDR"].strip()]
            age = float(row["RIDAGEYR"])
            case = {
                "patient": {"age_years": age, "sex": sex},
                "results": _results(row, _NHANES_TESTS, NHANES_DATE),
            }
            yield Person("NHANES 2017-2018", sex, age, case)


def read_ilpd(path: Path) -> Iterator[Person | str]:
    """Every ILPD record (CR line endings; csv reads them with newline='')."""
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            sex = row["Gender"].strip().lower()
            age = float(row["Age"])
            case = {
                "patient": {"age_years": age, "sex": sex},
                "results": _results(row, _ILPD_TESTS, ILPD_DATE),
            }
            yield Person("ILPD", sex, age, case)


def run(
    records: Iterable[Person | str], kb: Knowledge
) -> tuple[dict[tuple[str, str, str], Tally], Counter[str]]:
    """Interpret every person; tallies by (data set, sex, age group) and the left-out count."""
    tallies: dict[tuple[str, str, str], Tally] = {}
    left_out: Counter[str] = Counter()
    for record in records:
        if isinstance(record, str):
            left_out[record] += 1
            continue
        tally = tallies.setdefault((record.dataset, record.sex, age_group(record.age)), Tally())
        try:
            result = interpret(record.case, kb=kb)
        except InputError as error:
            tally.refuse(error)
            continue
        tally.add(result, kb)
    return tallies, left_out


def meets_goal(dataset: str, group: str, tally: Tally) -> str:
    """'yes'/'NO' against the adult goal on NHANES (a general population); '' otherwise."""
    if not dataset.startswith("NHANES") or group == "<18":
        return ""
    ok = tally.share(tally.high) <= GOAL_HIGH and tally.share(tally.low) <= GOAL_LOW
    return "yes" if ok else "NO"


def report(tallies: Mapping[tuple[str, str, str], Tally], top: int) -> list[str]:
    """The printed table, one line per group, then the top causes of each group."""
    order = {"<18": 0, "18-59": 1, "60+": 2}
    keys = sorted(tallies, key=lambda k: (k[0], k[1], order[k[2]]))
    lines = [
        f"{'data set':<17}{'sex':<7}{'age':<6}{'n':>5}{'refused':>8}{'low %':>7}{'high %':>7}"
        f"{'warn/100':>9}{'crit/100':>9}{'unsupp. top %':>14}{'goal':>6}"
    ]
    for key in keys:
        t = tallies[key]
        lines.append(
            f"{key[0]:<17}{key[1]:<7}{key[2]:<6}{t.n:>5}{t.refused:>8}"
            f"{t.share(t.low):>7.1f}{t.share(t.high):>7.1f}{t.share(t.warnings):>9.1f}"
            f"{t.share(t.critical):>9.1f}{t.unsupported_share():>14.1f}"
            f"{meets_goal(key[0], key[2], t):>6}"
        )
    lines.append("")
    lines.append(f"Top causes named first (cases with a differential; top {top}, counts):")
    for key in keys:
        t = tallies[key]
        named = ", ".join(f"{cause} {n}" for cause, n in t.top.most_common(top))
        lines.append(f"  {key[0]} {key[1]} {key[2]} ({t.ranked} ranked): {named}")
        if t.refusals:
            refused = ", ".join(f"{field} {n}" for field, n in t.refusals.most_common())
            lines.append(f"    refused: {refused}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run both extracts and print the figures; exit 2 if the data are not there."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--top", type=int, default=3, help="top causes shown per group")
    args = parser.parse_args(argv)
    paths = {"nhanes": args.data / NHANES_FILE, "ilpd": args.data / ILPD_FILE}
    missing = [str(path) for path in paths.values() if not path.is_file()]
    if missing:
        print(f"error: data not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    kb = load_knowledge()
    records = [*read_nhanes(paths["nhanes"]), *read_ilpd(paths["ilpd"])]
    tallies, left_out = run(records, kb)
    print("\n".join(report(tallies, args.top)))
    if left_out:
        print("Left out of NHANES: " + ", ".join(f"{why} {n}" for why, n in left_out.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
