"""Wall time of ``alkphos interpret`` on one case, as a user runs it (a fresh process).

Goal (issue: foundation): under 0.5 s on this machine with the knowledge cache warm.
Also prints the first, cold run (the knowledge base is built and cached once).

    .venv/bin/python benchmarks/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "low-alp-adult.json"


def _run(env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "alkphos", "interpret", str(EXAMPLE), "--format", "json"],
        check=True,
        stdout=subprocess.DEVNULL,
        env=env,
    )
    return time.perf_counter() - start


def main() -> None:
    """Time the command line cold once, then warm several times."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "ALKPHOS_CACHE_DIR": cache}
        cold = _run(env)
        warm = sorted(_run(env) for _ in range(args.runs))
    print(f"alkphos interpret (one case, fresh process), {args.runs} warm runs")
    print(f"  cold (builds the knowledge cache): {cold:.3f} s")
    print(f"  warm median {statistics.median(warm):.3f} s, worst {warm[-1]:.3f} s (goal < 0.5 s)")


if __name__ == "__main__":
    main()
