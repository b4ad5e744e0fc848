"""The Box-Cox power transform with a shift, and its inverse (numpy arrays)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["forward", "inverse"]


def forward(x: npt.NDArray[np.float64], lam: float, shift: float) -> npt.NDArray[np.float64]:
    """``((x - shift)**lam - 1) / lam`` (``log`` when lam is 0); ``-inf`` where x <= shift."""
    import numpy as np

    base = np.asarray(x, dtype=np.float64) - shift
    out = np.full(base.shape, -np.inf)
    positive = base > 0
    if lam == 0:
        out[positive] = np.log(base[positive])
    else:
        out[positive] = (base[positive] ** lam - 1.0) / lam
    return out


def inverse(y: npt.NDArray[np.float64], lam: float, shift: float) -> npt.NDArray[np.float64]:
    """The value whose transform is ``y``; ``shift`` where y is below the transform's floor."""
    import numpy as np

    y = np.asarray(y, dtype=np.float64)
    if lam == 0:
        return np.exp(y) + shift
    base = np.maximum(lam * y + 1.0, 0.0)
    return base ** (1.0 / lam) + shift
