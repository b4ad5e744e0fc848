"""``alkphos intervals derive`` on the real NHANES 2017-2018 extract (issue 11, item 7).

The extract is read at run time from ``../shared/data`` next to the repository (or
--data) and converted into the flat screening layout in a temporary folder (never into
the project): one ALP row per participant with a biochemistry profile (IU/L, empty where
NHANES has no value: rejected as "no value"), and one person row each. NHANES gives no
exam dates (only the two-year cycle), so every result gets the nominal date 2018-01-01
and a birth date that makes the age at that date the recorded age (80 means 80 and over).
No health exclusions: pregnant participants are kept too.

Prints the estimated limits per stratum beside the knowledge base's, with the time taken,
and leaves the outputs in --out when given.

    .venv/bin/python benchmarks/nhanes_derive.py [--partition 18,50] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from alkphos.engine import knowledge
from alkphos.intervals.compare import compare
from alkphos.intervals.derive import ANALYTE, DeriveOptions, NothingFitted, run_derive

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
NHANES_FILE = Path("nhanes-2017-2018") / "nhanes_2017_2018_alp_extract.csv"
NOMINAL_DATE = date(2018, 1, 1)
_SEX = {"1": "male", "2": "female"}


def convert(extract: Path, folder: Path) -> tuple[Path, Path]:
    """Write measurements.csv and persons.csv for the flat reader; return their paths."""
    measurements = folder / "measurements.csv"
    persons = folder / "persons.csv"
    with (
        extract.open(newline="", encoding="utf-8") as source,
        measurements.open("w", newline="", encoding="utf-8") as m_file,
        persons.open("w", newline="", encoding="utf-8") as p_file,
    ):
        m_out = csv.writer(m_file)
        p_out = csv.writer(p_file)
        m_out.writerow(["person_id", "test", "value", "unit", "date"])
        p_out.writerow(["person_id", "birth_date", "sex"])
        for row in csv.DictReader(source):
            age = int(float(row["RIDAGEYR"]))
            birth = date(NOMINAL_DATE.year - age, NOMINAL_DATE.month, NOMINAL_DATE.day)
            p_out.writerow([row["SEQN"], birth.isoformat(), _SEX.get(row["RIAGENDR"], "")])
            m_out.writerow(
                [row["SEQN"], "6768-6", row["LBXSAPSI"].strip(), "IU/L", NOMINAL_DATE.isoformat()]
            )
    return measurements, persons


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--partition", default="18,50", help="adult bands (see derive)")
    parser.add_argument("--bootstrap", type=int, default=200, help="bootstrap resamples")
    parser.add_argument("--engine", default="duckdb", help="duckdb or spark")
    parser.add_argument("--out", type=Path, default=None, help="keep the outputs here")
    args = parser.parse_args()
    extract = args.data / NHANES_FILE
    if not extract.exists():
        sys.exit(f"error: {extract}: not found (the NHANES extract, see its README)")
    kb = knowledge()
    with tempfile.TemporaryDirectory(prefix="alkphos-nhanes-") as temp:
        folder = Path(temp)
        measurements, persons = convert(extract, folder)
        out = args.out or folder / "derived"
        started = time.perf_counter()
        try:
            derived = run_derive(
                DeriveOptions(
                    measurements=measurements,
                    persons=persons,
                    omop=None,
                    out=out,
                    engine=args.engine,
                    partition=args.partition,
                    bootstrap=args.bootstrap,
                    quiet=True,
                    origin="NHANES 2017-2018 (NCHS), BIOPRO_J and DEMO_J: serum ALP of "
                    "participants aged 12 and over; exam dates not published (nominal date)",
                )
            )
        except NothingFitted as exc:
            sys.exit(f"error: {exc}")
        seconds = time.perf_counter() - started
    rows = derived.rows
    reasons = ", ".join(f"{n:,} {why}" for why, n in rows["rejected_by_reason"].items() if n)
    print(
        f"NHANES 2017-2018: {rows['in']:,} rows in, {rows['used']:,} used, "
        f"{rows['rejected']:,} rejected ({reasons}); "
        f"partition {derived.partition}; bootstrap {args.bootstrap}; {seconds:.1f} s"
    )
    print(
        "| sex, age | n | lower [90% CI] | upper [90% CI] | knowledge base | KB lower | KB upper |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for fit in derived.fits:
        estimate = fit.estimate
        if estimate is None:
            print(f"| {fit.stratum.label} | {fit.n:,} | not fitted: {fit.problem} | | | | |")
            continue
        for index, c in enumerate(compare(kb, ANALYTE, fit.stratum, estimate)):
            head = (
                f"| {fit.stratum.label} | {fit.n:,} | {estimate.lower:g} "
                f"[{estimate.lower_ci[0]:g}, {estimate.lower_ci[1]:g}] | {estimate.upper:g} "
                f"[{estimate.upper_ci[0]:g}, {estimate.upper_ci[1]:g}]"
                if index == 0
                else "| | | |"
            )
            low = f"{c.low:g}{' **outside**' if c.low_outside else ''}" if c.low else "none"
            high = f"{c.high:g}{' **outside**' if c.high_outside else ''}" if c.high else "none"
            print(f"{head} | {c.interval_id} | {low} | {high} |")
    if args.out is not None:
        print(f"outputs in {args.out}")


if __name__ == "__main__":
    main()
