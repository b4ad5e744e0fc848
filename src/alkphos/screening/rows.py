"""Every measurement row: which analyte it is, whether it can be used, and if not, why.

Pure Ibis functions (Table -> Table). A row of an analyte screening does not use is counted
as "other analyte"; a row of a screening analyte is either used (converted to the
canonical unit, with its age and its age/sex reference interval) or rejected with one
reason, the first that applies in this order:

``unknown person``, ``no date``, ``after as-of date``, ``impossible age`` (before the birth
date or over 130 years), ``no value``, ``unknown unit``, ``implausible value`` (outside the
analyte's plausible bounds), ``implausible range`` (a negative or inverted lab range) and
``duplicate`` (the same person, analyte, date, value and limits as a row already used).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import ibis  # type: ignore[import-untyped]  # noqa: TID253 - screening only

from alkphos.screening.spellings import Spellings, name_key, unit_key
from alkphos.screening.tables import (
    AGE_LIMIT_YEARS,
    KEY_SPAN,
    SEXES,
    YEAR_KEY_BASE,
    KnowledgeTables,
)
from alkphos.screening.vocabulary import Vocabulary

__all__ = [
    "REASONS",
    "REJECT_COLUMNS",
    "USED_KEY",
    "again",
    "check",
    "classify",
    "interval_key",
    "kept",
    "rejects",
    "screening_rows",
    "tidy",
    "used",
    "whole_years",
]

Table = Any
Column = Any

REASONS = (
    "unknown person",
    "no date",
    "after as-of date",
    "impossible age",
    "no value",
    "unknown unit",
    "implausible value",
    "implausible range",
    "duplicate",
)
USED_KEY = ("person_id", "analyte", "date", "value", "ref_low", "ref_high")


def whole_years(on: Column, birth: Column) -> Column:
    """Age in completed years on a date (null when either date is)."""
    before_birthday = (on.month() < birth.month()) | (
        (on.month() == birth.month()) & (on.day() < birth.day())
    )
    return on.year() - birth.year() - ibis.ifelse(before_birthday, 1, 0)


_TIDY_LOWEST = -4  # the lowest band also takes everything smaller
_TIDY_ORDER = (1, 2, 0, 3, -1, 4, -2, 5, -3, 6, -4)  # decades, the commonest first


def tidy(column: Column) -> Column:
    """Round to 6 significant figures, as the per-patient engine does after converting.

    A chain of magnitude bands, each a ``round`` to a constant number of decimals: cheap
    per row (no logarithm), exact from 1e-4 to 1e7 (beyond, the value is left as it is).
    The bands exclude one another, so the usual magnitudes of lab results (1 to 10,000)
    are tested first and most rows stop at the first or second.
    """
    size = column.abs()

    def band(e: int) -> Column:
        below = size < 10.0 ** (e + 1)
        return below if e == _TIDY_LOWEST else below & (size >= 10.0**e)

    return ibis.cases(
        (column == 0, column), *((band(e), column.round(5 - e)) for e in _TIDY_ORDER), else_=column
    )


def classify(
    measurements: Table,
    kt: KnowledgeTables,
    vocabulary: Vocabulary | None,
    spellings: Spellings | None = None,
) -> Table:
    """Add ``analyte_code``: the screening analyte of each row as a small integer (see
    ``KnowledgeTables.analyte_codes``), or null for another analyte.

    OMOP rows are matched by ``measurement_concept_id`` through CONCEPT (LOINC codes); an
    unmapped concept (0 or null) falls back to the source value. Flat rows are matched by
    ``test``: a LOINC code, name or alias, as ``interpret`` matches them; with
    ``spellings``, by the test as written against its few distinct spellings.
    """
    m = measurements
    codes = kt.analyte_codes
    if spellings is not None:
        return spellings.classify(m)
    by_name = _code(name_key(m.test), {name: codes[a] for name, a in kt.name_map.items()})
    if vocabulary is None:
        return m.mutate(analyte_code=by_name)
    unmapped = m.concept_id.isnull() | (m.concept_id == 0)
    by_concept = _code(m.concept_id, {c: codes[a] for c, a in vocabulary.analytes.items()})
    return m.mutate(analyte_code=ibis.ifelse(unmapped, by_name, by_concept))


def screening_rows(
    classified: Table, vocabulary: Vocabulary | None, spellings: Spellings | None = None
) -> Table:
    """The rows of screening analytes (for OMOP, a filter on concept ids the Parquet reader
    can push down; for flat spellings, the join to the spellings)."""
    rows = classified.filter(classified.analyte_code.notnull())
    if spellings is not None:
        return spellings.screening_rows(classified)
    if vocabulary is not None and vocabulary.analytes:
        c = classified.concept_id
        rows = classified.filter(c.isin(list(vocabulary.analytes)) | c.isnull() | (c == 0)).filter(
            lambda t: t.analyte_code.notnull()
        )
    return rows


def _code(column: Column, codes: dict[Any, int]) -> Column:
    """``column`` looked up in ``codes`` (null when absent), as a one-byte integer."""
    return column.substitute(codes, else_=ibis.null("int64")).cast("int8")


def _name(column: Column, codes: dict[str, int]) -> Column:
    """The name of a code of ``codes``."""
    names = {code: name for name, code in codes.items()}
    return column.cast("int64").substitute(names, else_=ibis.null("string"))


def _per_code(
    analyte_code: Column, kt: KnowledgeTables, values: dict[str, Any], kind: str
) -> Column:
    """The value of ``values`` (keyed by analyte) for each row's analyte code."""
    by_code = {kt.analyte_codes[a]: v for a, v in values.items() if a in kt.analyte_codes}
    return analyte_code.cast("int64").substitute(by_code, else_=ibis.null(kind))


def _null_factor() -> Column:
    return ibis.null("float64")


def _unit_factor(
    rows: Table, kt: KnowledgeTables, vocabulary: Vocabulary | None, spellings: Spellings | None
) -> Table:
    """Add ``unit`` (as reported) and ``factor`` (to the canonical unit, null if unknown)."""
    r = rows
    if spellings is not None:
        return r.mutate(unit=r.unit_text, factor=r.spelled_factor)
    if vocabulary is not None:
        # OMOP: the unit concept decides; unit_concept_id 0, or an id CONCEPT does not
        # know as a unit, falls back to the unit_source_value text.
        code = r.unit_concept_id.substitute(vocabulary.unit_codes, else_=ibis.null("string"))
        branches = [
            (
                r.analyte_code == kt.analyte_codes[analyte],
                r.unit_concept_id.substitute(factors, else_=ibis.null("float64")),
            )
            for analyte, factors in vocabulary.unit_factors.items()
            if factors
        ]
        # A CONCEPT table without unit concepts: every unit comes from its source text.
        by_concept = (
            ibis.cases(*branches, else_=ibis.null("float64")) if branches else _null_factor()
        )
        r = r.mutate(unit_code=code, c_factor=by_concept)
        from_text = r.unit_code.isnull()
        r = r.mutate(
            unit=ibis.ifelse(from_text, r.unit_text, r.unit_code),
            text_key=ibis.ifelse(from_text, unit_key(r.unit_text), ibis.null("string")),
        )
    else:
        r = r.mutate(
            unit=r.unit_text, text_key=unit_key(r.unit_text), c_factor=ibis.null("float64")
        )
    by_text = ibis.cases(
        *(
            (
                r.analyte_code == kt.analyte_codes[analyte],
                r.text_key.substitute(factors, else_=ibis.null("float64")),
            )
            for analyte, factors in kt.unit_map.items()
        ),
        else_=ibis.null("float64"),
    )
    return r.mutate(factor=r.c_factor.fill_null(by_text))


def check(
    rows: Table,
    persons: Table,
    kt: KnowledgeTables,
    vocabulary: Vocabulary | None,
    as_of: date | None,
    spellings: Spellings | None = None,
) -> Table:
    """Convert and judge the rows of screening analytes (every one, valid or not).

    Adds the unit as reported, the value in the canonical unit, age in whole years, the
    person's sex, the limits (``ref_low``, ``ref_high``: the lab's own, converted, else the
    knowledge base's for the analyte, sex and age), ``usable`` and, for a row that is not,
    its ``reason`` and ``detail``. Units and plausible bounds are knowledge-base values
    written into the expression; persons and intervals are joins. Without ``as_of`` no row
    is after it (the caller takes the latest usable date).
    """
    r = _unit_factor(rows, kt, vocabulary, spellings)
    people = persons.select(
        known_person=persons.person_id,
        birth_date=persons.birth_date,
        sex_code=_code(persons.sex, kt.sex_codes),
    )
    r = r.left_join(people, r.person_id == people.known_person)
    factor = r.factor
    birth = r.birth_date
    years = whole_years(r.date, birth)

    no_range = (r.range_low.fill_null(0) == 0) & (r.range_high.fill_null(0) == 0)
    age_key = ibis.cases(
        (birth.isnull(), -1),
        (years == 0, r.date.delta(birth, unit="day")),
        else_=years + YEAR_KEY_BASE,
    )
    r = r.mutate(
        value_canonical=tidy(r.value * factor),  # as the per-patient engine
        age_years=years,
        interval_key=interval_key(r.analyte_code, r.sex_code, age_key),
        lab_low=ibis.ifelse(no_range, ibis.null("float64"), tidy(r.range_low * factor)),
        lab_high=ibis.ifelse(no_range, ibis.null("float64"), tidy(r.range_high * factor)),
        plausible_low=_per_code(r.analyte_code, kt, kt.plausible_low, "float64"),
        plausible_high=_per_code(r.analyte_code, kt, kt.plausible_high, "float64"),
    )
    bad_range = (
        (r.lab_low < 0)
        | (r.lab_high < 0)
        | (r.lab_low.notnull() & r.lab_high.notnull() & (r.lab_low > r.lab_high))
    )
    implausible = (r.value_canonical < r.plausible_low) | (r.value_canonical > r.plausible_high)
    problem = ibis.cases(
        (r.known_person.isnull(), "unknown person"),
        (r.date.isnull(), "no date"),
        (
            birth.notnull() & ((r.date < birth) | (r.age_years > AGE_LIMIT_YEARS)),
            "impossible age",
        ),
        (r.value.isnull(), "no value"),
        (factor.isnull(), "unknown unit"),
        (implausible, "implausible value"),
        (bad_range.fill_null(False), "implausible range"),
        else_=ibis.null("string"),
    )
    if as_of is not None:
        after = r.known_person.notnull() & (r.date > as_of).fill_null(False)
        problem = ibis.ifelse(after, "after as-of date", problem)
    else:
        after = ibis.literal(False)
    # A row is usable exactly when it has no problem: one definition, never two.
    r = r.mutate(problem=problem, usable=problem.isnull(), after=after)
    accepted = _per_code(r.analyte_code, kt, kt.accepted_units, "string")
    detail = ibis.cases(
        (r.usable, ibis.null("string")),
        (r.after, f"dated after the as-of date {as_of.isoformat() if as_of else ''}"),
        (r.person_id.isnull(), "no person_id given"),
        (r.known_person.isnull(), "person_id not in the persons table"),
        (r.date.isnull() & r.date_text.isnull(), "no date given"),
        (r.date.isnull(), "not a date: " + r.date_text),
        (birth.notnull() & (r.date < birth), "dated before the birth date"),
        (
            birth.notnull() & (r.age_years > AGE_LIMIT_YEARS),
            f"age over {AGE_LIMIT_YEARS} years at this date",
        ),
        (r.value.isnull(), "no numeric value"),
        (factor.isnull() & r.unit.isnull(), "no unit; " + accepted),
        (factor.isnull(), "'" + r.unit + "' is not a unit of this test; " + accepted),
        (implausible, _per_code(r.analyte_code, kt, kt.plausible_range, "string")),
        (bad_range.fill_null(False), "the lab's lower limit is negative or above its upper limit"),
        else_=ibis.null("string"),
    )
    judged = r.select(
        "row_id",
        "person_id",
        "concept_id",
        "test",
        "analyte_code",
        analyte=_name(r.analyte_code, kt.analyte_codes),
        reported_value=r.value,
        unit=r.unit,
        date=r.date,
        date_text=ibis.ifelse(r.date.isnull(), r.date_text, ibis.null("string")),
        value=r.value_canonical,
        age_years=r.age_years,
        sex_code=r.sex_code,
        interval_key=r.interval_key,
        lab_low=r.lab_low,
        lab_high=r.lab_high,
        usable=r.usable,
        reason=ibis.ifelse(r.usable, ibis.null("string"), r.problem),
        detail=detail,
    )
    return _with_limits(judged, kt)


def interval_key(analyte_code: Column, sex_code: Column, age_key: Column) -> Column:
    """One integer naming (analyte, sex, age key): a single-column join to the intervals."""
    a = analyte_code.cast("int64")
    return (a * len(SEXES) + sex_code.cast("int64")) * KEY_SPAN + age_key + 1


def _with_limits(checked: Table, kt: KnowledgeTables) -> Table:
    """Add ``ref_low`` and ``ref_high``: the lab's own limits when given, else the knowledge
    base's interval for the analyte, sex and age (a join against the small interval table)."""
    intervals = ibis.memtable(kt.intervals).select(
        "interval_key", i_low="ref_low", i_high="ref_high"
    )
    j = checked.left_join(intervals, checked.interval_key == intervals.interval_key)
    return j.mutate(
        ref_low=j.lab_low.fill_null(j.i_low), ref_high=j.lab_high.fill_null(j.i_high)
    ).drop("i_low", "i_high", "interval_key", "interval_key_right", "lab_low", "lab_high")


def kept(checked: Table) -> Table:
    """The result of the one pass over the input: usable rows grouped by (person, analyte,
    date, value, limits), with their number of ``copies``; rejected rows grouped the same
    way (``usable`` false), kept only to say on which person and date to look for them
    again (see ``again``).

    Nothing that only explains a rejection goes through this grouping: at 100 million
    rows its width decides whether it fits in memory. For the same reason analyte, age and
    sex are small integer codes (``used`` names them). Age and sex are the same for every
    copy (one person, one date), so they are keys rather than aggregates.
    """
    c = checked
    keys = [
        *(c[k] for k in USED_KEY if k != "analyte"),
        c.usable,
        c.analyte_code,
        c.age_years.cast("int16").name("age_code"),
        c.sex_code,
    ]
    return c.group_by(keys).aggregate(copies=c.count())


def used(kept_rows: Table, kt: KnowledgeTables) -> Table:
    """The rows used: one per (person, analyte, date, value, limits), with ``copies`` and
    the person's age and sex at the date."""
    u = kept_rows.filter(kept_rows.usable)
    return u.select(
        *(k for k in USED_KEY if k != "analyte"),
        analyte=_name(u.analyte_code, kt.analyte_codes),
        copies=u.copies,
        age_years=u.age_code.cast("int64"),
        sex=_name(u.sex_code, kt.sex_codes),
    ).select(*USED_KEY, "copies", "age_years", "sex")


REJECT_COLUMNS = (
    "row_id",
    "person_id",
    "concept_id",
    "test",
    "analyte",
    "reported_value",
    "unit",
    "date",
    "date_text",
    "reason",
    "detail",
)
_DUPLICATE = "another copy of a result used (same person, test, date, value and limits)"


def again(screening: Table, kept_rows: Table, judge: Callable[[Table], Table]) -> Table:
    """The input rows of every (person, date) on which ``kept`` has a row rejected or a
    result more than once, judged again by ``judge`` (the same ``check`` as the one pass):
    a few rows, each as it came in.

    The rows are first narrowed to those persons (one integer key, which the engine pushes
    into its scan), then to their dates: without that step the engine may build its hash
    table from every screening row (flat input: with their texts as written; at 10 million
    rows 2.5 s of CPU, against 0.1 s)."""
    rejected = kept_rows.filter(~kept_rows.usable).select("person_id", "date")
    repeated = kept_rows.filter(kept_rows.usable & (kept_rows.copies > 1))
    where = rejected.union(repeated.select("person_id", "date")).distinct()
    persons = where.select("person_id").distinct()
    s = screening
    theirs = s.semi_join(persons, s.person_id.identical_to(persons.person_id))
    return judge(
        theirs.semi_join(
            where,
            [theirs.person_id.identical_to(where.person_id), theirs.date.identical_to(where.date)],
        )
    )


def rejects(judged_again: Table, kept_rows: Table, kt: KnowledgeTables) -> Table:
    """Every screening row not used, each once and as it came in, with its reason: the
    rows rejected, then of each result used more than once every copy but the first (by
    row id, then as reported), as a duplicate. ``judged_again`` is ``again``'s result."""
    j = judged_again
    invalid = j.filter(~j.usable).select(*REJECT_COLUMNS)
    copies = j.filter(j.usable)
    r = used(kept_rows, kt).filter(lambda t: t.copies > 1)
    members = copies.semi_join(r, [copies[k].identical_to(r[k]) for k in USED_KEY])
    order = ibis.row_number().over(
        group_by=[members[k] for k in USED_KEY],
        order_by=[
            ibis.asc(members[name], nulls_first=True)
            for name in ("row_id", "concept_id", "test", "reported_value", "unit")
        ],
    )
    extra = members.mutate(copy_number=order).filter(lambda t: t.copy_number > 0)
    duplicates = extra.mutate(
        reason=ibis.literal("duplicate"), detail=ibis.literal(_DUPLICATE)
    ).select(*REJECT_COLUMNS)
    return invalid.union(duplicates)
