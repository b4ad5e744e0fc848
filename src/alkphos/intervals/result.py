"""What an interval estimate reports, as plain data (no numpy in these types)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from alkphos.errors import InputError

__all__ = ["Estimate", "IndirectModel", "SampleError"]


class SampleError(InputError):
    """A sample no interval can honestly be estimated from (too small, not numbers, no mode)."""

    def __init__(self, problem: str, path: str = "") -> None:
        super().__init__(path, problem)


@dataclass(frozen=True)
class IndirectModel:
    """The fitted non-pathological distribution of the indirect method.

    ``(x - shift)`` transformed by Box-Cox with ``lambda_`` is Normal(``mu``, ``sigma``);
    ``share_nonpathological`` is the fraction of all values the model accounts for;
    ``deviance_per_bin`` (Poisson deviance per histogram bin, over the bins where the
    model explains the data) is the fit diagnostic: near 1 for a good fit, much larger
    when the data do not look like a power-normal peak. ``fitted_from``/``fitted_to`` are
    the range of values where non-pathological values dominate.
    """

    lambda_: float
    mu: float
    sigma: float
    shift: float
    share_nonpathological: float
    deviance_per_bin: float
    bins: int
    fitted_from: float
    fitted_to: float
    bootstrap: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields (``lambda`` spelled plainly)."""
        data = asdict(self)
        data["lambda"] = data.pop("lambda_")
        return data


@dataclass(frozen=True)
class Estimate:
    """A reference interval estimated from data: the 2.5th and 97.5th percentiles.

    ``lower_ci``/``upper_ci`` are 90% confidence intervals. ``model`` is set for the
    indirect method only.
    """

    method: str
    n: int
    lower: float
    upper: float
    lower_ci: tuple[float, float]
    upper_ci: tuple[float, float]
    model: IndirectModel | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields: n, lower, upper, lower_ci, upper_ci, method, model."""
        return {
            "n": self.n,
            "lower": self.lower,
            "upper": self.upper,
            "lower_ci": list(self.lower_ci),
            "upper_ci": list(self.upper_ci),
            "method": self.method,
            "model": self.model.as_dict() if self.model is not None else {},
        }
