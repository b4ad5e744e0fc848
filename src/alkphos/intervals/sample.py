"""A sample of values checked and compacted to its distinct values and their counts.

Laboratory values are rounded, so a sample of 500,000 values has a few hundred or
thousand distinct values: every later step works on those and their counts, not on
the values themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from alkphos.intervals.result import SampleError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["Compact", "compact", "decimals_of"]


@dataclass(frozen=True)
class Compact:
    """Distinct values (ascending), how often each occurs, and the rounding step."""

    values: npt.NDArray[np.float64]
    counts: npt.NDArray[np.int64]
    step: float

    @property
    def n(self) -> int:
        """Number of values in the sample."""
        return int(self.counts.sum())

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[float, int]]) -> Compact:
        """A sample given as (value, how often) pairs, e.g. a histogram a database counted.

        Pairs may come in any order and a value may repeat (its counts add up); a pair
        with count 0 is ignored. Raises ``SampleError`` for a value that is not a finite
        number or a count that is negative or not a whole number.
        """
        import numpy as np

        listed = list(pairs)
        values = as_array([value for value, _ in listed])
        try:
            counts = np.asarray([count for _, count in listed], dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise SampleError(f"the counts are not all numbers ({exc})") from None
        bad = (counts < 0) | (counts != np.round(counts)) | ~np.isfinite(counts)
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise SampleError(
                f"count {first + 1} is not a whole number of values: {counts[first]!r}"
            )
        keep = counts > 0
        distinct, inverse = np.unique(values[keep], return_inverse=True)
        summed = np.bincount(inverse, weights=counts[keep], minlength=distinct.size)
        gaps = np.diff(distinct)
        step = float(gaps.min()) if gaps.size else 0.0
        return cls(values=distinct, counts=summed.astype(np.int64), step=step)

    def expanded(self) -> npt.NDArray[np.float64]:
        """Every value as often as it occurs, ascending (what an estimator given a plain
        sample of values sees)."""
        import numpy as np

        return np.repeat(self.values, self.counts)


def as_array(values: Iterable[float] | Any) -> npt.NDArray[np.float64]:
    """The values as a float array; refuses anything that is not a finite number."""
    import numpy as np

    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise SampleError(f"the values are not all numbers ({exc})") from None
    if array.ndim != 1:
        array = array.reshape(-1)
    bad = ~np.isfinite(array)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise SampleError(
            f"{int(bad.sum())} value(s) are not finite numbers (the first is value "
            f"{first + 1}: {array[first]!r})"
        )
    return array


def compact(array: npt.NDArray[np.float64]) -> Compact:
    """Distinct values and counts of a checked sample, with the step they are rounded to."""
    import numpy as np

    values, counts = np.unique(array, return_counts=True)
    gaps = np.diff(values)
    step = float(gaps.min()) if gaps.size else 0.0
    return Compact(values=values, counts=counts.astype(np.int64), step=step)


def decimals_of(step: float) -> int:
    """Decimals the data are reported to (0 for whole numbers, at most 6), from their step."""
    for decimals in range(7):
        scaled = step * 10**decimals
        if scaled >= 1 - 1e-9 and abs(scaled - round(scaled)) <= 1e-6 * scaled:
            return decimals
    return 6
