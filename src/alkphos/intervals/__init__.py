"""A laboratory's own reference intervals, estimated from its data.

Two methods:

* ``estimate_indirect``: the indirect method. From routine values that mix
  non-pathological results with pathological ones and junk, it models the
  non-pathological part as a Box-Cox power-normal distribution (with a shift where the
  data need it), fitted on a histogram where non-pathological values dominate, and
  reports the 2.5th and 97.5th percentiles with bootstrap 90% confidence intervals. The
  approach follows refineR (Ammer et al., Sci Rep 2021; knowledge base citation
  ``ammer2021refiner``); the cost function and the search are this package's own.
* ``estimate_direct``: the direct non-parametric method of CLSI EP28-A3c for a set of
  reference individuals (rank percentiles, 90% confidence intervals from the binomial
  distribution; citation ``clsi_ep28a3c``).

numpy and scipy are imported only inside the functions, so importing ``alkphos`` (and
``alkphos interpret``) does not pay for them.
"""

from __future__ import annotations

from alkphos.intervals.direct import estimate_direct
from alkphos.intervals.indirect import estimate_indirect
from alkphos.intervals.result import Estimate, IndirectModel, SampleError

__all__ = ["Estimate", "IndirectModel", "SampleError", "estimate_direct", "estimate_indirect"]
