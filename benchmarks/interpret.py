"""Speed of in-process ``interpret()`` on the worked example cases.

Goal (issue: clinical brain): p50 < 1 ms and p99 < 5 ms per case on the 2-core machine.
Prints the figures; it is a benchmark, not a test.

    .venv/bin/python benchmarks/interpret.py [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import yaml

from alkphos import interpret, load_knowledge, parse_case

CASES = Path(__file__).resolve().parent.parent / "tests" / "golden" / "cases"


def main() -> None:
    """Time every example case many times and print percentiles."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200, help="passes over all cases")
    args = parser.parse_args()
    cases = [
        parse_case(yaml.safe_load(path.read_text(encoding="utf-8"))["case"])
        for path in sorted(CASES.glob("*.yaml"))
    ]
    load_knowledge()
    for case in cases:  # warm up
        interpret(case)
    timings: list[float] = []
    for _ in range(args.rounds):
        for case in cases:
            start = time.perf_counter()
            interpret(case)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p50 = statistics.median(timings)
    p99 = timings[int(len(timings) * 0.99) - 1]
    print(f"interpret(): {len(timings)} calls over {len(cases)} example cases")
    print(f"  p50 {p50:.3f} ms (goal < 1 ms)   p99 {p99:.3f} ms (goal < 5 ms)")
    print(f"  mean {statistics.fmean(timings):.3f} ms   max {timings[-1]:.3f} ms")
    print(f"  throughput {1000 / statistics.fmean(timings):.0f} cases/s on one core")


if __name__ == "__main__":
    main()
