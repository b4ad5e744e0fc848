"""The indirect method: the non-pathological distribution hidden in routine values.

Model. The non-pathological values ``x`` follow a Box-Cox power-normal distribution:
``BoxCox(x - shift, lambda)`` is Normal(mu, sigma), lambda in [0, 1] and a shift only
where the data need one (as in refineR, Ammer et al., Sci Rep 2021, citation
``ammer2021refiner``). Everything else (pathological values on either side, junk) is
an unknown non-negative excess on top of it.

Main peak. On each candidate transform the values are smoothed (each distinct value
spread over the interval it was rounded from) and cut into basins at the valleys
between significant peaks; the non-pathological peak is the one whose basin holds the
most values, not the tallest (a narrow pathological peak can be taller). Mu is kept
near that peak.

Fit. The values are compacted to a histogram of about equal-count bins on their
original scale (bin edges halfway between distinct values, so rounding never splits a
value). For a candidate (lambda, shift) the bin edges are transformed and the expected
count of bin k is ``m_k = P * n * (Phi(z_{k+1}) - Phi(z_k))``. Each bin's count ``c_k`` is
Poisson with mean ``m_k`` plus an excess, and every unit of excess costs ``kappa``.
Minimising over the excess gives a per-bin cost that is the Poisson likelihood where
the model explains the bin (within ``kappa``, or within one Poisson standard error,
of the count) and linear in ``m_k`` where the bin holds more (pathological values): a
model above the data is penalised wherever it is, a model below it only weakly. In
the core around the main peak (where the data's density is above ``CORE_LEVEL`` of the
peak) excess is expensive, so the model must match the data there; outside it excess
is nearly free.

Two prices of excess. The transform (lambda, shift) is chosen by a pilot search in
which excess costs ``KAPPA_PILOT`` everywhere; the distribution on that transform is
then fitted with the core priced high and the rest at ``KAPPA_OUTSIDE``. Each holds two
values. The first pair (cheap excess in the pilot, a little reward for covering values
outside the core) fits samples with few pathological values best. Where its fit leaves
more than a fifth of the values to pathology (``MANY_PATHOLOGICAL_BELOW``), the sample is
fitted again with the second pair: excess dear in the pilot, so the whole shape of the
values, not a pathological shoulder, decides the skewness (a left shoulder raised
lambda and lengthened the lower tail); and almost free outside the core, so covering a
shoulder of overlapping pathological values no longer widens the fit. The second pair
alone misfits some clean skewed samples by a z of 1 (make explore); the first alone
scores 0.31 on RIbench against 0.29 for either the second or both.

The cost (this package's own, not refineR's) is smooth and convex in ``m_k``; (mu,
log sigma, logit P) are found by BFGS with the analytic gradient, lambda over a grid
refined by a parabola, and the shift over a grid when lambda sits at 0. A fit whose
lowest values would fall below the transform's floor (values below the shift) is
penalised.

Limits. The 2.5th and 97.5th percentiles of the fitted distribution; their 90%
confidence intervals are the 5th and 95th percentiles over bootstrap resamples of the
histogram (each refitted, lambda searched near the estimate). Data without a peak
(flat, or a fit whose limits reach the edges of the values) are refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from alkphos.intervals import boxcox
from alkphos.intervals.result import Estimate, IndirectModel, SampleError
from alkphos.intervals.sample import Compact, as_array, compact, decimals_of

__all__ = ["MIN_VALUES", "estimate_indirect"]

#: Fewer values than this are refused: the tails of the non-pathological distribution
#: cannot be told from the pathological values (refineR's authors recommend several
#: thousand; RIbench's smallest sets have 1,000).
MIN_VALUES = 1000
#: How far (in sigmas) mu may sit from the data's main mode before a penalty applies,
#: and the penalty's weight per value.
MODE_TOLERANCE = 0.3
MODE_WEIGHT = 1.0
#: Points of the grid the main mode is found on, and the smoothing bandwidth's factor.
MODE_GRID = 256
#: Iterations of the optimiser for one transform.
MAX_ITERATIONS = 100
#: Fewer distinct values than this leave no distribution to fit.
MIN_DISTINCT = 8
#: Cost of one unit of unexplained excess in the pilot search that chooses the
#: transform (see the module docstring), for samples with few pathological values and,
#: second, with many. With many, 0.04 let a pathological shoulder raise lambda; 0.2
#: (chosen on RIbench samples: 0.08 to 0.35 give about the same) stops that but misfits
#: some clean skewed samples by a z of 1 (make explore), so it is used only for these.
KAPPA_PILOT = (0.04, 0.2)
#: Inside the core (where the data's density is above CORE_LEVEL of its peak) excess
#: costs KAPPA_CORE: there the model must match the data.
KAPPA_CORE = 1.0
#: Outside the core, in the final search: excess is nearly free (pathological values).
#: At 0 the fitted tails sink below thin tails of clean data (upper limits of skewed
#: distributions too low); at 0.01 a shoulder of overlapping pathological values is
#: worth covering and widens the fit.
KAPPA_OUTSIDE = (0.01, 0.003)
#: Samples whose first fit (the first prices) explains less than this share of the values
#: are fitted again with the second: many pathological values, overlapping the core.
MANY_PATHOLOGICAL_BELOW = 0.8
#: The core: where the smoothed density stays above this share of the main peak's
#: height (about 0.67 sigma either side of a clean normal peak). Tuned on RIbench
#: samples: a wider core lets overlapping pathological values widen the fit.
CORE_LEVEL = 0.8
#: Poisson standard errors a model may sit below a count and still explain it.
NOISE_Z = 1.0
#: The fitted distribution's mu must sit this many sigmas above the transform's floor
#: (so that its lowest 0.1% are values the model can describe).
FLOOR_Z = 3.0
#: A peak must rise this share of its height above the valley to a higher peak to count.
PEAK_PERSISTENCE = 0.1
#: The 2.5th and 97.5th percentiles (CLSI EP28-A3c) as standard-normal quantiles.
Z_LOWER = -1.959963984540054
Z_UPPER = 1.959963984540054
#: Lambda grid of the search (refineR 1.6 searches lambda in [0, 1] too).
LAMBDAS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
#: Shifts tried when lambda sits at 0, as fractions of the 1st percentile of the values.
SHIFT_FRACTIONS = (0.25, 0.5, 0.7, 0.85)
#: Smallest share of values the model must explain, else no mode was identified.
MIN_SHARE = 0.15
#: The data's density at the fitted mode must exceed this many times its density around
#: the fitted limits on its sparser side (a normal gives about 6); less means no
#: identifiable peak.
MIN_PEAK_CONTRAST = 1.15
#: Limits beyond these quantiles of the values (either side) are refused.
EDGE_SHARE = 0.001


@dataclass(frozen=True)
class _Histogram:
    edges: Any  # bin edges on the original scale, first -inf and last +inf
    counts: Any  # values per bin
    starts: Any  # index of each bin's first distinct value
    n: int
    modes: dict[tuple[float, float, int], tuple[Any, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Fit:
    lam: float
    shift: float
    mu: float
    sigma: float
    share: float
    cost: float

    def limits(self) -> tuple[float, float]:
        import numpy as np

        low, high = boxcox.inverse(
            np.array([self.mu + Z_LOWER * self.sigma, self.mu + Z_UPPER * self.sigma]),
            self.lam,
            self.shift,
        )
        return float(low), float(high)


def _bins(sample: Compact) -> _Histogram:
    import numpy as np

    n = sample.n
    target = int(min(200, max(40, n // 40)))
    cumulative = np.cumsum(sample.counts)
    cuts = np.searchsorted(cumulative, np.arange(1, target) * n / target, side="left")
    starts = np.unique(np.concatenate(([0], cuts + 1)))
    starts = starts[starts < sample.values.size]
    inner = (sample.values[starts[1:] - 1] + sample.values[starts[1:]]) / 2
    edges = np.concatenate(([-np.inf], inner, [np.inf]))
    counts = np.add.reduceat(sample.counts, starts).astype(np.float64)
    return _Histogram(edges=edges, counts=counts, starts=starts, n=n)


def _bin_probabilities(t: Any, mu: float, sigma: float) -> tuple[Any, Any, Any]:
    """Model probability of each bin, and the normal densities and z at the edges."""
    import numpy as np
    from scipy.special import ndtr

    z = np.clip((t - mu) / sigma, -40.0, 40.0)
    upper_tail = z > 0
    cdf = np.where(upper_tail, ndtr(-z), ndtr(z))
    lo_c, hi_c = cdf[:-1], cdf[1:]
    p = np.where(upper_tail[:-1], lo_c - hi_c, hi_c - lo_c)
    # a bin straddling 0 mixes the two forms: compute it directly
    straddle = upper_tail[1:] & ~upper_tail[:-1]
    p = np.where(straddle, 1.0 - hi_c - lo_c, p)
    p = np.maximum(p, 0.0)
    pdf = np.exp(-0.5 * z * z) * 0.3989422804014327
    return p, pdf, z


def _cost(
    params: Any, t: Any, terms: tuple[Any, Any, Any, Any], n: int, mode: float, floor: float
) -> tuple[float, Any]:
    """Contamination-penalised Poisson cost of (mu, log sigma, logit P) and its gradient.

    ``terms`` are the counts, each bin's ``kappa``, its ceiling and the constant part of
    its excess cost (``_terms``). A penalty keeps mu within ``MODE_TOLERANCE`` sigmas of
    the data's main mode ``mode``: the non-pathological distribution is the main peak,
    not a broad pathological shoulder. Another keeps mu at least ``FLOOR_Z`` sigmas above
    ``floor``, the transform of the shift (``-1/lambda``; ``-inf`` for lambda 0): below it
    the power-normal distribution does not exist, so a fit reaching there describes no
    values.
    """
    import numpy as np

    counts, kappa, ceiling, excess_base = terms
    mu, log_sigma, logit_share = params
    sigma = float(np.exp(min(max(log_sigma, -30.0), 30.0)))
    share = 1.0 / (1.0 + np.exp(-min(max(logit_share, -30.0), 30.0)))
    scale = share * n
    p, pdf, z = _bin_probabilities(t, mu, sigma)
    m = np.maximum(scale * p, 1e-300)
    explained = m >= ceiling
    cost = float(np.where(explained, m - counts * np.log(m), excess_base - kappa * m).sum())
    dcost_dm = np.where(explained, 1.0 - counts / m, -kappa)
    dm_dmu = (pdf[:-1] - pdf[1:]) * (scale / sigma)
    zpdf = z * pdf
    dm_dlogsigma = (zpdf[:-1] - zpdf[1:]) * scale
    grad = np.array([dcost_dm @ dm_dmu, dcost_dm @ dm_dlogsigma, (dcost_dm @ m) * (1.0 - share)])
    distance = (mu - mode) / sigma
    excess = abs(distance) - MODE_TOLERANCE
    if excess > 0:
        weight = MODE_WEIGHT * n
        cost += weight * excess * excess
        grad[0] += 2 * weight * excess * np.sign(distance) / sigma
        grad[1] -= 2 * weight * excess * abs(distance)
    room = (mu - floor) / sigma
    short = FLOOR_Z - room
    if short > 0:
        weight = MODE_WEIGHT * n
        cost += weight * short * short
        grad[0] -= 2 * weight * short / sigma
        grad[1] += 2 * weight * short * room
    return cost, grad


def _terms(counts: Any, kappa: Any) -> tuple[Any, Any, Any, Any]:
    """The per-bin constants of the cost: counts, kappa, ceiling, constant excess cost."""
    import numpy as np

    kappa = np.broadcast_to(np.asarray(kappa, dtype=np.float64), counts.shape)
    ceiling = _ceiling(counts, kappa)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ceiling = np.where(counts > 0, counts * np.log(ceiling), 0.0)
    return counts, kappa, ceiling, ceiling - log_ceiling + kappa * ceiling


def _ceiling(counts: Any, kappa: Any) -> Any:
    """Below this a bin's count is more than the model explains (pathological excess).

    A model within ``kappa`` of the count, or within ``NOISE_Z`` Poisson standard errors
    of it, explains the bin: a small bin's noise is not excess, or the fit would sink
    below the true density wherever counts are small.
    """
    import numpy as np

    tolerance = np.maximum(kappa, NOISE_Z / np.sqrt(np.maximum(counts, 1.0)))
    return counts / (1.0 + tolerance)


def _minimise(
    t: Any, terms: tuple[Any, Any, Any, Any], n: int, mode: float, floor: float, x0: Any
) -> tuple[Any, float]:
    """BFGS with a backtracking line search (3 parameters: faster than a general solver)."""
    import numpy as np

    x = np.asarray(x0, dtype=np.float64)
    cost, grad = _cost(x, t, terms, n, mode, floor)
    inverse_hessian = np.eye(3) * (0.1 / max(float(np.abs(grad).max()), 1e-12))
    for _ in range(MAX_ITERATIONS):
        direction = -inverse_hessian @ grad
        slope = float(grad @ direction)
        if slope >= 0:  # not a descent direction: restart from the gradient
            inverse_hessian = np.eye(3) * (0.1 / max(float(np.abs(grad).max()), 1e-12))
            direction = -inverse_hessian @ grad
            slope = float(grad @ direction)
        step = 1.0
        while True:
            candidate = x + step * direction
            new_cost, new_grad = _cost(candidate, t, terms, n, mode, floor)
            if new_cost <= cost + 1e-4 * step * slope or step < 1e-8:
                break
            step *= 0.3
        s = candidate - x
        y = new_grad - grad
        converged = cost - new_cost <= 1e-10 * max(1.0, abs(cost))
        x, cost, grad = candidate, new_cost, new_grad
        if converged:
            break
        sy = float(s @ y)
        if sy > 1e-12:
            rho = 1.0 / sy
            identity = np.eye(3)
            left = identity - rho * np.outer(s, y)
            inverse_hessian = left @ inverse_hessian @ left.T + rho * np.outer(s, s)
    return x, cost


def _transformed_edges(hist: _Histogram, lam: float, shift: float) -> Any:
    import numpy as np

    t = boxcox.forward(hist.edges, lam, shift)
    t[-1] = np.inf
    return t


def _fit_one(
    sample: Compact,
    hist: _Histogram,
    counts: Any,
    lam: float,
    shift: float,
    start: tuple[float, float, float] | None,
    kappa: Any = None,
) -> _Fit:
    """Best (mu, sigma, share) for one transform, from a start (default: the main mode)."""
    import numpy as np

    t = _transformed_edges(hist, lam, shift)
    mode, sigma_mode, share_mode, _ = _cached_mode(sample, counts, hist, lam, shift)
    mu0, sigma0, share0 = start if start is not None else (mode, sigma_mode, share_mode)
    share0 = min(max(share0, 0.01), 0.99)
    x0 = [mu0, np.log(max(sigma0, 1e-9)), np.log(share0 / (1 - share0))]
    floor = -1.0 / lam if lam > 0 else -np.inf
    terms = _terms(counts, KAPPA_PILOT[0] if kappa is None else kappa)
    x, cost = _minimise(t, terms, hist.n, mode, floor, x0)
    mu, log_sigma, logit_share = x
    return _Fit(
        lam=lam,
        shift=shift,
        mu=float(mu),
        sigma=float(np.exp(min(max(log_sigma, -30.0), 30.0))),
        share=float(1.0 / (1.0 + np.exp(-min(max(logit_share, -30.0), 30.0)))),
        cost=float(cost),
    )


def _cached_mode(
    sample: Compact, counts: Any, hist: _Histogram, lam: float, shift: float
) -> tuple[float, float, float, tuple[float, float]]:
    """``_main_mode``, computed once per transform and counts (the cache keeps the counts)."""
    key = (lam, shift, id(counts))
    cached = hist.modes.get(key)
    if cached is None or cached[0] is not counts:
        cached = (counts, _main_mode(sample, counts, hist, lam, shift))
        hist.modes[key] = cached
    result: tuple[float, float, float, tuple[float, float]] = cached[1]
    return result


def _main_mode(
    sample: Compact, counts: Any, hist: _Histogram, lam: float, shift: float
) -> tuple[float, float, float, tuple[float, float]]:
    """The data's main mode on the transformed scale, its peak's width, share and core.

    The core is the stretch around the mode where the smoothed density stays above
    ``CORE_LEVEL`` of its peak, on the original scale.

    Each distinct value's count is spread over the interval it was rounded from, the
    transformed scale between the 0.5th and 99.5th percentiles is cut into equal
    cells, and the cell counts are smoothed with a Gaussian kernel (robust Silverman
    bandwidth). Counts come from the bins (``counts``), spread in proportion to the
    sample, so a bootstrap resample finds its own mode.
    """
    import numpy as np

    values = sample.values
    half = sample.step / 2 if sample.step > 0 else 0.0
    boundaries = np.concatenate(
        ([values[0] - half], (values[:-1] + values[1:]) / 2, [values[-1] + half])
    )
    weights = sample.counts.astype(np.float64)
    if counts is not hist.counts:
        original = np.add.reduceat(weights, hist.starts)
        factor = np.where(original > 0, counts / np.maximum(original, 1e-300), 0.0)
        weights = weights * np.repeat(factor, np.diff(np.append(hist.starts, values.size)))
    cumulative = np.concatenate(([0.0], np.cumsum(weights)))
    total = cumulative[-1]
    lo_x = float(np.interp(0.005 * total, cumulative, boundaries))
    hi_x = float(np.interp(0.995 * total, cumulative, boundaries))
    q25, q75 = np.interp([0.25 * total, 0.75 * total], cumulative, boundaries)
    lo_t, hi_t, t25, t75 = boxcox.forward(
        np.array([max(lo_x, shift + half, shift + 1e-9), hi_x, max(q25, shift + 1e-9), q75]),
        lam,
        shift,
    )
    if not (np.isfinite(lo_t) and np.isfinite(hi_t)) or hi_t <= lo_t:
        return float(np.median(boundaries)), 1.0, 0.5, (lo_x, hi_x)
    grid = np.linspace(lo_t, hi_t, MODE_GRID + 1)
    cell = (hi_t - lo_t) / MODE_GRID
    at = np.interp(boxcox.inverse(grid, lam, shift), boundaries, cumulative)
    density = np.diff(at)
    spread = max(float(t75 - t25) / 1.349, cell) if np.isfinite(t25) else (hi_t - lo_t) / 4
    bandwidth = max(0.9 * spread * total ** (-0.2), cell)
    half_width = int(min(3 * bandwidth / cell, MODE_GRID))
    kernel = np.exp(-0.5 * (np.arange(-half_width, half_width + 1) * cell / bandwidth) ** 2)
    smooth = np.convolve(density, kernel / kernel.sum(), mode="same")
    peak, first, last = _main_basin(smooth)
    mode = float(lo_t + (peak + 0.5) * cell)
    height = smooth[peak]
    above = smooth >= height / 2
    left = peak
    while left > first and above[left - 1]:
        left -= 1
    right = peak
    while right < last and above[right + 1]:
        right += 1
    sigma = max((right - left + 1) * cell / 2.3548, cell)
    share = float(height / cell * sigma * 2.5066 / total)
    inside = smooth >= height * CORE_LEVEL
    left = peak
    while left > first and inside[left - 1]:
        left -= 1
    right = peak
    while right < last and inside[right + 1]:
        right += 1
    core = boxcox.inverse(np.array([lo_t + left * cell, lo_t + (right + 1) * cell]), lam, shift)
    return mode, sigma, min(max(share, 0.05), 0.95), (float(core[0]), float(core[1]))


def _main_basin(density: Any) -> tuple[int, int, int]:
    """The peak of the largest basin of a smoothed density, and the basin's first and last cell.

    Peaks that rise less than ``PEAK_PERSISTENCE`` of their height above the valley
    joining them to a neighbouring peak are noise and belong to that peak's basin. Of the
    peaks that remain, the one whose basin (between the valleys separating it from its
    neighbours) holds the most values is the main peak: a narrow, tall pathological peak
    does not outrank the broad non-pathological one holding more values.
    """
    import numpy as np

    last = int(density.size) - 1
    slope = np.sign(np.diff(density))
    nonzero = np.flatnonzero(slope)
    if nonzero.size == 0:
        return last // 2, 0, last
    filled = np.maximum(np.searchsorted(nonzero, np.arange(slope.size), side="right") - 1, 0)
    slope = slope[nonzero[filled]]
    turns = np.flatnonzero(np.diff(slope) != 0) + 1
    points = [0, *(int(k) for k in turns), last]
    peak = [bool(slope[0] < 0), *(bool(slope[k - 1] > 0) for k in turns), bool(slope[-1] > 0)]
    while True:
        weakest, weakest_share = -1, PEAK_PERSISTENCE
        for k, is_peak in enumerate(peak):
            if not is_peak:
                continue
            valleys = [v for v in (k - 1, k + 1) if 0 < v < len(points) - 1]
            if not valleys:
                continue
            v = max(valleys, key=lambda v: density[points[v]])
            share = (density[points[k]] - density[points[v]]) / max(density[points[k]], 1e-300)
            if share < weakest_share:
                weakest, weakest_share = k, share
        if weakest < 0:
            break
        valleys = [v for v in (weakest - 1, weakest + 1) if 0 < v < len(points) - 1]
        v = max(valleys, key=lambda v: density[points[v]])
        for index in sorted((weakest, v), reverse=True):
            del points[index]
            del peak[index]
    peaks = [k for k, is_peak in enumerate(peak) if is_peak]
    cumulative = np.concatenate(([0.0], np.cumsum(density)))
    best, best_area = (last // 2, 0, last), -1.0
    for k in peaks:
        first = points[k - 1] if k > 0 else 0
        end = points[k + 1] if k + 1 < len(points) else last
        area = float(cumulative[end + 1] - cumulative[first])
        if area > best_area:
            best, best_area = (points[k], first, end), area
    return best


def _carry(fit: _Fit, lam: float, shift: float) -> tuple[float, float, float]:
    """A start for another transform: the same distribution's centre and spread there."""
    import numpy as np

    points = boxcox.inverse(
        np.array([fit.mu - fit.sigma, fit.mu, fit.mu + fit.sigma]), fit.lam, fit.shift
    )
    t = boxcox.forward(points, lam, shift)
    if not np.all(np.isfinite(t)):
        t = boxcox.forward(np.maximum(points, shift + 1e-9 * max(1.0, abs(shift))), lam, shift)
    sigma = float((t[2] - t[0]) / 2)
    if not np.isfinite(sigma) or sigma <= 0:
        sigma = 1.0
    return float(t[1]), sigma, fit.share


def _quantile(sample: Compact, q: float) -> float:
    import numpy as np

    cumulative = np.cumsum(sample.counts)
    index = int(np.searchsorted(cumulative, q * cumulative[-1], side="left"))
    return float(sample.values[min(index, sample.values.size - 1)])


def _search(sample: Compact, hist: _Histogram, counts: Any) -> tuple[_Fit, Any]:
    """The best transform and distribution: with the first prices, and again with the
    second where the first fit leaves many values to pathology."""
    first, kappa = _priced_search(sample, hist, counts, 0)
    if first.share >= MANY_PATHOLOGICAL_BELOW:
        return first, kappa
    return _priced_search(sample, hist, counts, 1)


def _priced_search(sample: Compact, hist: _Histogram, counts: Any, prices: int) -> tuple[_Fit, Any]:
    """The best transform and distribution at one pair of prices.

    A pilot search with excess priced at ``KAPPA_PILOT`` everywhere finds the
    transform; the core around the main mode on that transform's scale is where the
    model must match the data; the final search (lambda near the pilot's, a parabola,
    shifts when lambda is 0) uses it, with excess outside the core at ``KAPPA_OUTSIDE``.
    """
    pilot = _grid_search(sample, hist, counts, LAMBDAS, KAPPA_PILOT[prices])
    _, _, _, (core_lo, core_hi) = _cached_mode(sample, counts, hist, pilot.lam, pilot.shift)
    import numpy as np

    inside = (hist.edges[:-1] >= core_lo) & (hist.edges[1:] <= core_hi)
    kappa = np.where(inside, KAPPA_CORE, KAPPA_OUTSIDE[prices])
    step = LAMBDAS[1] - LAMBDAS[0]
    near = tuple(lam for lam in LAMBDAS if abs(lam - pilot.lam) <= step + 1e-9)
    return _grid_search(sample, hist, counts, near, kappa), kappa


def _grid_search(
    sample: Compact, hist: _Histogram, counts: Any, lambdas: tuple[float, ...], kappa: Any
) -> _Fit:
    """The best fit over a lambda grid, refined by a parabola, or over shifts at lambda 0."""
    fits: dict[float, _Fit] = {}
    for lam in lambdas:
        fits[lam] = _fit_one(sample, hist, counts, lam, 0.0, None, kappa)
    best = min(fits.values(), key=lambda f: f.cost)
    if best.lam == 0.0:
        low = _quantile(sample, 0.01)
        for fraction in SHIFT_FRACTIONS:
            shift = fraction * low
            for lam in (0.0, 0.1, 0.2):
                candidate = _fit_one(sample, hist, counts, lam, shift, None, kappa)
                if candidate.cost < best.cost:
                    best = candidate
    else:
        best = _refine(sample, hist, counts, best, fits, kappa)
    return best


def _refine(
    sample: Compact, hist: _Histogram, counts: Any, best: _Fit, fits: dict[float, _Fit], kappa: Any
) -> _Fit:
    """Lambda at the vertex of the parabola through the best grid point and its neighbours."""
    step = LAMBDAS[1] - LAMBDAS[0]
    left, right = fits.get(round(best.lam - step, 10)), fits.get(round(best.lam + step, 10))
    if left is None or right is None:
        return best
    curvature = left.cost - 2 * best.cost + right.cost
    if curvature <= 0:
        return best
    lam = best.lam + step * (left.cost - right.cost) / (2 * curvature)
    lam = min(max(lam, 0.0), 1.0)
    candidate = _fit_one(sample, hist, counts, lam, best.shift, None, kappa)
    return candidate if candidate.cost < best.cost else best


def _check_peak(sample: Compact, fit: _Fit) -> None:
    """Refuse a fit that found no peak: the data must be denser at the mode than at the limits."""
    contrast = _peak_contrast(sample, fit)
    if fit.share < MIN_SHARE or contrast < MIN_PEAK_CONTRAST:
        raise SampleError(
            "no identifiable non-pathological mode: the values have no peak that a "
            f"power-normal distribution explains (share explained {fit.share:.2f}, density at "
            f"the mode {contrast:.2f} times that near the limits; a peak needs "
            f"{MIN_PEAK_CONTRAST})"
        )


def _peak_contrast(sample: Compact, fit: _Fit) -> float:
    """The data's density around the fitted mode over their density around a limit.

    The sparser side counts: pathological values may fill one side of a peak, not a
    flat stretch of values on both.

    Densities are per unit of the fitted z scale, over the part of each band that lies
    within the values seen (a band reaching past the largest value is not made sparse
    by the values that could not be there).
    """
    import numpy as np

    seen = boxcox.forward(
        np.array([sample.values[0] - sample.step / 2, sample.values[-1] + sample.step / 2]),
        fit.lam,
        fit.shift,
    )
    z_seen = (np.nan_to_num(seen, neginf=-1e300) - fit.mu) / fit.sigma
    cumulative = np.concatenate(([0], np.cumsum(sample.counts)))

    def density(a: float, b: float) -> float | None:
        width = min(b, z_seen[1]) - max(a, z_seen[0])
        if width < 0.5:
            return None
        z = np.array([a, b]) * fit.sigma + fit.mu
        lo, hi = boxcox.inverse(z, fit.lam, fit.shift)
        i = np.searchsorted(sample.values, [lo, hi], side="left")
        return float(cumulative[i[1]] - cumulative[i[0]]) / float(width)

    centre = density(-0.5, 0.5) or 0.0
    sides = [d for d in (density(-2.5, -1.5), density(1.5, 2.5)) if d is not None]
    side = min(sides) if sides else 0.0
    return centre / side if side > 0 else float("inf")


def _check_limits(sample: Compact, fit: _Fit, lower: float, upper: float) -> None:
    """Refuse limits the data do not support: at or beyond the edges of the values seen.

    The edges are the ``EDGE_SHARE`` and ``1 - EDGE_SHARE`` quantiles: real data thin
    out beyond the limits of their non-pathological part, while a flat stretch of values
    fitted by a wide distribution puts its limits where the values stop.
    """
    import math

    half = sample.step / 2
    low_seen = _quantile(sample, EDGE_SHARE) - half
    high_seen = _quantile(sample, 1 - EDGE_SHARE) + half
    if not (math.isfinite(lower) and math.isfinite(upper)) or lower >= upper:
        raise SampleError("no identifiable non-pathological mode: the fit did not converge")
    if lower < low_seen or upper > high_seen:
        seen = f"{low_seen + half:.4g} to {high_seen - half:.4g}"
        raise SampleError(
            "no identifiable non-pathological mode: the fitted distribution's limits "
            f"({lower:.4g} to {upper:.4g}) reach the edges of the values seen ({seen}, "
            f"the {100 * EDGE_SHARE:g}th to {100 * (1 - EDGE_SHARE):g}th percentiles); "
            "the values look flat, not like a peak"
        )


def _diagnostic(hist: _Histogram, fit: _Fit, kappa: Any) -> tuple[float, float, float]:
    """Deviance per explained bin, and the range of values where the model explains the data."""
    import numpy as np

    t = _transformed_edges(hist, fit.lam, fit.shift)
    p, _, _ = _bin_probabilities(t, fit.mu, fit.sigma)
    m = np.maximum(fit.share * hist.n * p, 1e-300)
    c = hist.counts
    explained = m >= _ceiling(c, kappa)
    with np.errstate(divide="ignore", invalid="ignore"):
        dev = 2 * (np.where(c > 0, c * np.log(c / m), 0.0) - (c - m))
    k = np.flatnonzero(explained & (c > 0))
    if k.size == 0:
        return float("inf"), float("nan"), float("nan")
    edges = hist.edges
    lo = edges[k[0]] if np.isfinite(edges[k[0]]) else edges[k[0] + 1]
    hi = edges[k[-1] + 1] if np.isfinite(edges[k[-1] + 1]) else edges[k[-1]]
    return float(dev[k].sum() / k.size), float(lo), float(hi)


def _bootstrap(
    sample: Compact, hist: _Histogram, best: _Fit, kappa: Any, replicates: int, seed: int
) -> tuple[tuple[float, float], tuple[float, float]]:
    import numpy as np

    rng = np.random.default_rng(seed)
    lows: list[float] = []
    highs: list[float] = []
    probabilities = sample.counts / sample.n
    lambdas = sorted({min(max(best.lam + d, 0.0), 1.0) for d in (-0.1, 0.0, 0.1)})
    for _ in range(replicates):
        resampled = rng.multinomial(sample.n, probabilities)
        counts = np.add.reduceat(resampled, hist.starts).astype(np.float64)
        fit = min(
            (
                _fit_one(
                    sample, hist, counts, lam, best.shift, _carry(best, lam, best.shift), kappa
                )
                for lam in lambdas
            ),
            key=lambda f: f.cost,
        )
        low, high = fit.limits()
        lows.append(low)
        highs.append(high)
    lo_ci = np.percentile(lows, [5, 95])
    hi_ci = np.percentile(highs, [5, 95])
    return (float(lo_ci[0]), float(lo_ci[1])), (float(hi_ci[0]), float(hi_ci[1]))


def estimate_indirect(
    values: Iterable[float] | Any, *, bootstrap: int = 50, seed: int = 20210716
) -> Estimate:
    """The reference interval hidden in routine values (the indirect method).

    ``values``: one analyte's results in one unit (any iterable of numbers or a numpy
    array), at least ``MIN_VALUES`` of them, none negative. ``bootstrap``: resamples
    for the 90% confidence intervals (0 for none: the intervals are then the point
    estimate). Raises ``SampleError`` for a sample too small, not numeric, negative
    or without an identifiable non-pathological mode.
    """

    array = as_array(values)
    if array.size < MIN_VALUES:
        raise SampleError(
            f"too few values for the indirect method: {array.size} (it needs at least "
            f"{MIN_VALUES}; for a direct study of reference individuals use the direct method)"
        )
    if (array < 0).any():
        raise SampleError(
            f"{int((array < 0).sum())} negative value(s): concentrations and activities "
            "cannot be negative"
        )
    sample = compact(array)
    if sample.values.size < MIN_DISTINCT:
        raise SampleError(
            f"only {sample.values.size} distinct value(s): no distribution to fit "
            f"(the indirect method needs at least {MIN_DISTINCT})"
        )
    hist = _bins(sample)
    best, kappa = _search(sample, hist, hist.counts)
    _check_peak(sample, best)
    lower, upper = best.limits()
    _check_limits(sample, best, lower, upper)
    if bootstrap > 0:
        lower_ci, upper_ci = _bootstrap(sample, hist, best, kappa, bootstrap, seed)
    else:
        lower_ci, upper_ci = (lower, lower), (upper, upper)
    deviance, fitted_from, fitted_to = _diagnostic(hist, best, kappa)
    digits = decimals_of(sample.step) + 1
    model = IndirectModel(
        lambda_=round(best.lam, 4),
        mu=best.mu,
        sigma=best.sigma,
        shift=best.shift,
        share_nonpathological=round(best.share, 4),
        deviance_per_bin=round(deviance, 3),
        bins=int(hist.counts.size),
        fitted_from=fitted_from,
        fitted_to=fitted_to,
        bootstrap=bootstrap,
    )
    return Estimate(
        method="indirect (Box-Cox power-normal, contamination-penalised histogram fit)",
        n=sample.n,
        lower=round(lower, digits),
        upper=round(upper, digits),
        lower_ci=(round(min(lower_ci[0], lower), digits), round(max(lower_ci[1], lower), digits)),
        upper_ci=(round(min(upper_ci[0], upper), digits), round(max(upper_ci[1], upper), digits)),
        model=model,
    )
