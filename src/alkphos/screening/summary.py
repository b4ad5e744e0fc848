"""Counts for the funnel and the ALP distribution for the report (small aggregate tables)."""

from __future__ import annotations

from itertools import accumulate
from typing import Any

import ibis  # type: ignore[import-untyped]  # noqa: TID253 - screening only

__all__ = ["AGE_BANDS", "TOP_BIN", "distribution", "summarise", "used_counts"]

Table = Any

TOP_BIN = 5000  # U/L: higher results share the last bin

# (label, from years inclusive, to years exclusive); the child bands follow the
# paediatric reference partitions, the adult ones are decades.
AGE_BANDS = (
    ("0-1", 0, 1),
    ("1-9", 1, 10),
    ("10-12", 10, 13),
    ("13-14", 13, 15),
    ("15-16", 15, 17),
    ("17-18", 17, 19),
    ("19-29", 19, 30),
    ("30-39", 30, 40),
    ("40-49", 40, 50),
    ("50-59", 50, 60),
    ("60-69", 60, 70),
    ("70-79", 70, 80),
    ("80+", 80, 200),
)


def used_counts(used: Table) -> Table:
    """Rows used, by analyte."""
    return used.group_by("analyte").aggregate(used=used.count())


def distribution(results: Table) -> Table:
    """ALP by age band, sex and 1 U/L bin: counts only (exact and cheap at any size; the
    report reads percentiles off the cumulative counts), with the results below the lower
    and above the upper limit, and the mean limits applied."""
    band = ibis.cases(
        *((results.age_years < high, label) for label, _, high in AGE_BANDS),
        else_="age unknown",
    )
    r = results.mutate(
        band=ibis.ifelse(results.age_years.isnull(), "age unknown", band),
        sex=results.sex.fill_null("unknown"),
        bin=ibis.least(results.value, TOP_BIN).floor().cast("int64"),
    )
    return r.group_by(["band", "sex", "bin"]).aggregate(
        n=r.count(),
        n_below=r.value.count(where=(r.value < r.ref_low).fill_null(False)),
        n_above=r.value.count(where=(r.value > r.ref_high).fill_null(False)),
        lln_sum=r.ref_low.sum(),
        lln_n=r.ref_low.count(),
        uln_sum=r.ref_high.sum(),
        uln_n=r.ref_high.count(),
    )


def summarise(bins: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per age band and sex: count, 2.5/25/50/75/97.5th percentiles (to the 1 U/L bin),
    the share below and above the limits, and the mean limits (from ``distribution``)."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in bins:
        groups.setdefault((row["band"], row["sex"]), []).append(row)
    out = []
    for (band, sex), members in sorted(groups.items()):
        members.sort(key=lambda row: row["bin"])
        n = sum(row["n"] for row in members)
        cumulative = list(accumulate(row["n"] for row in members))
        quantiles = {}
        for name, q in (
            ("p025", 0.025),
            ("p25", 0.25),
            ("p50", 0.5),
            ("p75", 0.75),
            ("p975", 0.975),
        ):
            position = next(i for i, c in enumerate(cumulative) if c >= q * n)
            quantiles[name] = members[position]["bin"] + 0.5
        lln_n = sum(row["lln_n"] for row in members)
        uln_n = sum(row["uln_n"] for row in members)
        out.append(
            {
                "band": band,
                "sex": sex,
                "n": n,
                **quantiles,
                "n_below": sum(row["n_below"] for row in members),
                "n_above": sum(row["n_above"] for row in members),
                "lln": sum(row["lln_sum"] or 0 for row in members) / lln_n if lln_n else None,
                "uln": sum(row["uln_sum"] or 0 for row in members) / uln_n if uln_n else None,
            }
        )
    return out
