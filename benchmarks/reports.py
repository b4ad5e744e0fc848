"""Reading accuracy of the report reader over the corpus in tests/reports/corpus/.

Goal (issue 15): results read exactly / results present >= 98 %, every ALP result read.
A result is read exactly when its line, test, value (or censored value), unit, printed
limits, flag and date all match the corpus's expected reading. Prints the figures and each
miss; it is a benchmark, not a test.

    .venv/bin/python benchmarks/reports.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.reports.corpus_score import score_corpus

from alkphos import load_knowledge


def main() -> None:
    """Score the corpus and print accuracy, ALP accuracy, misses and extra readings."""
    kb = load_knowledge()
    start = time.perf_counter()
    scores = score_corpus(kb)
    elapsed = time.perf_counter() - start
    expected = sum(s.expected for s in scores)
    exact = sum(s.exact for s in scores)
    alp_expected = sum(s.alp_expected for s in scores)
    alp_exact = sum(s.alp_exact for s in scores)
    print(f"reports: {len(scores)} ({elapsed * 1000 / len(scores):.1f} ms each)")
    print(f"results read exactly: {exact} / {expected} = {100 * exact / expected:.1f} %")
    print(f"ALP results read exactly: {alp_exact} / {alp_expected}")
    print(f"results read that are not in the report: {sum(len(s.extra) for s in scores)}")
    wrong = [s.name for s in scores if s.unread_lines_wrong]
    print(f"reports whose not-understood lines differ from the expected: {len(wrong)}")
    for score in scores:
        for miss in score.misses:
            print(f"  missed  {score.name}: {miss}")
        for extra in score.extra:
            print(f"  extra   {score.name}: {extra}")
    for name in wrong:
        print(f"  not-understood lines differ: {name}")


if __name__ == "__main__":
    main()
