"""Which persons have a persistently low ALP, by one of three published definitions.

* ``lln`` (default, the per-patient engine's definition): at least N ALP results below the
  age/sex lower limit on different days, and none above the upper limit;
* ``tornero2020``: adults only (age >= 18 at the result): at least N results of 35 U/L or
  less on different days and none above 45 U/L;
* ``maman2016``: at least N results on different days, every one below 40 U/L.

N (``persistence_min_low_results``) and every threshold come from the knowledge base.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

import ibis  # type: ignore[import-untyped]  # noqa: TID253 - screening only

from alkphos.knowledge.loader import Knowledge
from alkphos.screening.rows import whole_years

__all__ = ["Criteria", "alp_results", "definition", "describe", "per_person"]

Table = Any


class Criteria(StrEnum):
    """The definitions of a persistently low ALP."""

    lln = "lln"
    tornero2020 = "tornero2020"
    maman2016 = "maman2016"


def definition(kb: Knowledge, criteria: Criteria) -> str:
    """The definition in words, with the knowledge base's numbers."""
    n = int(kb.param("persistence_min_low_results"))
    if criteria is Criteria.tornero2020:
        return (
            f"tornero2020: adults (age >= {kb.param('tornero2020_min_age'):g} at the result) "
            f"with at least {n} ALP results <= {kb.param('tornero2020_max_low'):g} U/L on "
            f"different days and none > {kb.param('tornero2020_max_any'):g} U/L"
        )
    if criteria is Criteria.maman2016:
        return (
            f"maman2016: at least {n} ALP results on different days, all "
            f"< {kb.param('maman2016_max_all'):g} U/L"
        )
    return (
        f"lln: at least {n} ALP results below the age/sex lower limit on different days "
        "and none above the upper limit"
    )


def alp_results(used: Table, kb: Knowledge, criteria: Criteria) -> Table:
    """Every ALP result, flagged ``eligible`` (the definition looks at it: for
    ``tornero2020`` only results at age 18 or over), ``is_low`` and ``is_high`` (never on a
    result the definition does not look at)."""
    alp = used.filter(used.analyte == "alp")
    if criteria is Criteria.tornero2020:
        adult = (alp.age_years >= int(kb.param("tornero2020_min_age"))).fill_null(False)
        return alp.mutate(
            eligible=adult,
            is_low=adult & (alp.value <= kb.param("tornero2020_max_low")),
            is_high=adult & (alp.value > kb.param("tornero2020_max_any")),
        )
    if criteria is Criteria.maman2016:
        limit = kb.param("maman2016_max_all")
        return alp.mutate(
            eligible=ibis.literal(True), is_low=alp.value < limit, is_high=alp.value >= limit
        )
    return alp.mutate(
        eligible=ibis.literal(True),
        is_low=(alp.value < alp.ref_low).fill_null(False),
        is_high=(alp.value > alp.ref_high).fill_null(False),
    )


def per_person(results: Table, kb: Knowledge) -> Table:
    """One row per person tested for ALP: counts of the results the definition looks at
    (``n_alp`` 0: tested, but not eligible), lowest ALP, first and last low, persistence."""
    r = results
    needed = int(kb.param("persistence_min_low_results"))
    summary = r.group_by("person_id").aggregate(
        n_alp=r.eligible.count(where=r.eligible),
        n_low=r.is_low.count(where=r.is_low),
        n_high=r.is_high.count(where=r.is_high),
        min_alp=r.value.min(where=r.eligible),
        first_low_date=r.date.min(where=r.is_low),
        last_low_date=r.date.max(where=r.is_low),
    )
    # Days with a low result, counted over the (few) low rows only.
    lows = r.filter(r.is_low).select("person_id", "date").distinct()
    days = lows.group_by("person_id").aggregate(low_days=lows.count())
    days = days.rename(d_id="person_id")
    j = summary.left_join(days, summary.person_id == days.d_id)
    low_days = j.low_days.fill_null(0)
    return j.select(
        *summary.columns,
        low_days=low_days,
        persistent=(low_days >= needed) & (j.n_high == 0),
    )


def describe(persistent: Table, results: Table, persons: Table, as_of: date) -> Table:
    """The persistent persons with their median ALP, sex and age at the as-of date."""
    looked_at = results.filter(results.eligible)
    mine = looked_at.semi_join(persistent, "person_id").select(*results.columns).view()
    medians = mine.group_by("person_id").aggregate(median_alp=mine.value.median())
    people = persons.select(p_id=persons.person_id, sex=persons.sex, birth=persons.birth_date)
    j = persistent.join(medians, "person_id").left_join(people, persistent.person_id == people.p_id)
    age = whole_years(ibis.literal(as_of), j.birth)
    return j.select(
        "person_id",
        "n_alp",
        "n_low",
        "min_alp",
        "median_alp",
        "first_low_date",
        "last_low_date",
        age=age.cast("int64"),
        sex=j.sex.fill_null("unknown"),
    )
