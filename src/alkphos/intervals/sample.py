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
