"""Population screening: find the persistently low ALP that nobody followed up.

Set-wise Ibis expressions over a whole table (DuckDB by default, Spark for a cluster),
with the thresholds, intervals, units, drug classes, codes and secondary causes of the
knowledge base; only the short worklist goes through the per-patient engine (``--explain``).

Modules, one job each: ``inputs`` (read flat tables or OMOP), ``tables`` (the knowledge base
as lookup tables), ``rows`` (classify, convert, judge and de-duplicate every row),
``persistence`` (the three definitions), ``causes`` (evidence for secondary causes and
ranking), ``worklist`` (exclusions and ranking), ``summary`` (funnel counts and the ALP
distribution), ``outputs`` (files), ``report`` (report.html), ``explain`` (per-patient
interpretations), ``engines`` (DuckDB and Spark) and ``run`` (one run, start to end).

This package imports Ibis and pyarrow; the core never imports it.
"""

from __future__ import annotations
