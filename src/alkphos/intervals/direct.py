"""The direct non-parametric method of CLSI EP28-A3c (citation ``clsi_ep28a3c``).

For values from at least 120 reference individuals: the 2.5th and 97.5th percentiles
are the values of rank 0.025(n + 1) and 0.975(n + 1) (interpolated between ranks), and
their 90% confidence intervals are the values at the ranks the binomial distribution
gives (for n = 120: ranks 1 to 7 and 114 to 120, as in the guideline's table).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from alkphos.intervals.result import Estimate, SampleError
from alkphos.intervals.sample import as_array

__all__ = ["MIN_REFERENCE_INDIVIDUALS", "estimate_direct", "rank_interval"]

#: EP28-A3c: at least 120 reference individuals for non-parametric limits with CIs.
MIN_REFERENCE_INDIVIDUALS = 120


def rank_interval(n: int, p: float, level: float = 0.90) -> tuple[int, int]:
    """1-based ranks bounding the ``level`` confidence interval of the ``p`` percentile."""
    from scipy.stats import binom

    tail = (1 - level) / 2
    low = int(binom.ppf(tail, n, p))
    high = int(binom.ppf(1 - tail, n, p)) + 1
    return max(low, 1), min(high, n)


def _at_rank(ordered: Any, rank: float) -> float:
    """Value at a 1-based, possibly fractional rank (linear between neighbours)."""
    import math

    n = len(ordered)
    rank = min(max(rank, 1.0), float(n))
    below = math.floor(rank)
    fraction = rank - below
    value = float(ordered[below - 1])
    if fraction and below < n:
        value += fraction * (float(ordered[below]) - value)
    return value


def estimate_direct(values: Iterable[float] | Any) -> Estimate:
    """Reference limits from reference individuals' values, CLSI EP28-A3c non-parametric."""
    import numpy as np

    array = as_array(values)
    n = int(array.size)
    if n < MIN_REFERENCE_INDIVIDUALS:
        raise SampleError(
            f"too few values for the direct method: {n} (CLSI EP28-A3c needs at least "
            f"{MIN_REFERENCE_INDIVIDUALS} reference individuals)"
        )
    ordered = np.sort(array)
    lower = _at_rank(ordered, 0.025 * (n + 1))
    upper = _at_rank(ordered, 0.975 * (n + 1))
    lo_ranks = rank_interval(n, 0.025)
    hi_ranks = rank_interval(n, 0.975)
    return Estimate(
        method="direct (CLSI EP28-A3c non-parametric)",
        n=n,
        lower=lower,
        upper=upper,
        lower_ci=(float(ordered[lo_ranks[0] - 1]), float(ordered[lo_ranks[1] - 1])),
        upper_ci=(float(ordered[hi_ranks[0] - 1]), float(ordered[hi_ranks[1] - 1])),
    )
