"""``alkphos intervals derive`` speed: a synthetic OMOP warehouse of N rows (default 10 M).

The warehouse is the one ``benchmarks/screen.py`` generates (several analytes, ALP
log-normal-ish by age and sex, some rows in µkat/L, a few bad rows). The command runs in
its own process; printed: wall time, rows/s, peak memory (the child's maximum resident
set size) and the limits of each stratum fitted. Only the per-stratum histograms (distinct
(stratum, value) pairs) come back from the engine, never the rows.

    python benchmarks/derive.py                  # 10 million rows
    python benchmarks/derive.py --rows 1000000 --engine spark
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screen import generate, measure  # the same warehouse as the screen benchmark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--engine", default="duckdb")
    parser.add_argument("--bootstrap", type=int, default=50)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="alkphos-derive-bench-"))
    try:
        generate(folder / "omop", args.rows, args.threads)
        out = folder / "out"
        alkphos = Path(sys.executable).with_name("alkphos")
        command = [
            str(alkphos), "intervals", "derive", "--omop", str(folder / "omop"),
            "--out", str(out), "--engine", args.engine, "--bootstrap", str(args.bootstrap),
            "--quiet",
        ]  # fmt: skip
        timing = measure(command)
        intervals = yaml.safe_load((out / "intervals.yaml").read_text())["intervals"]
        html = (out / "report.html").read_text()
        print(
            f"intervals derive, {args.rows:,} rows, {args.engine}: {timing.seconds:.1f} s "
            f"({args.rows / timing.seconds:,.0f} rows/s), peak {timing.peak_mb:,.0f} MB; "
            f"{len(intervals)} strata fitted; bootstrap {args.bootstrap}; "
            f"report {len(html) / 1024:,.0f} KiB"
        )
        for entry in intervals:
            print(
                f"  {entry['id']}: {entry['low']:g} to {entry['high']:g} {entry['unit']} "
                f"(n = {entry['basis']['n']:,})"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
