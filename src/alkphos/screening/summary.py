"""Counts for the funnel and the ALP distribution for the report (small aggregate tables)."""

from __future__ import annotations

from typing import Any

import ibis  # type: ignore[import-untyped]  # noqa: TID253 - screening only

__all__ = ["AGE_BANDS", "distribution", "used_counts"]

Table = Any

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


def distribution(results: Table, persons: Table) -> Table:
    """ALP by age band and sex: count, quantiles, share below the lower limit, usual limits."""
    people = persons.select(d_id=persons.person_id, d_sex=persons.sex)
    joined = results.left_join(people, results.person_id == people.d_id)
    band = ibis.cases(
        *((joined.age_years < high, label) for label, _, high in AGE_BANDS),
        else_="age unknown",
    )
    r = joined.mutate(
        band=ibis.ifelse(joined.age_years.isnull(), "age unknown", band),
        sex=joined.d_sex.fill_null("unknown"),
    )
    grouped = r.group_by(["band", "sex"]).aggregate(
        n=r.count(),
        q=r.value.quantile([0.025, 0.25, 0.5, 0.75, 0.975]),
        n_below=r.value.count(where=(r.value < r.ref_low).fill_null(False)),
        n_above=r.value.count(where=(r.value > r.ref_high).fill_null(False)),
        lln=r.ref_low.median(),
        uln=r.ref_high.median(),
    )
    names = ("p025", "p25", "p50", "p75", "p975")
    return grouped.select(
        "band",
        "sex",
        "n",
        *(grouped.q[i].name(name) for i, name in enumerate(names)),
        "n_below",
        "n_above",
        "lln",
        "uln",
    )
