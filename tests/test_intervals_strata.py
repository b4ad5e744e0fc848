"""The strata of ``intervals derive``, the partition option, and samples given as counts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from alkphos import Knowledge
from alkphos.errors import InputError
from alkphos.intervals.result import SampleError
from alkphos.intervals.sample import Compact, compact
from alkphos.intervals.strata import age_key, knowledge_intervals, parse_partition, strata
from alkphos.knowledge.age import Age, age_bound_days


def _stratum_of(kb: Knowledge, partition: str, sex: str, days: float) -> list[str]:
    found = []
    for s in strata(kb, "alp", parse_partition(partition)):
        end = age_bound_days(s.age_to)
        if s.sex == sex and age_bound_days(s.age_from) <= days < end:
            found.append(s.id)
    return found


@given(
    years=st.floats(min_value=0, max_value=129.9),
    sex=st.sampled_from(["female", "male"]),
    partition=st.sampled_from(["10y", "5y", "18,50", "20,40,60,80", "1y"]),
)
def test_every_age_is_in_exactly_one_stratum(
    kb: Knowledge, years: float, sex: str, partition: str
) -> None:
    """No gap and no overlap from birth to the age limit, for each sex and partition."""
    assert len(_stratum_of(kb, partition, sex, Age.from_years(years).days)) == 1


@given(years=st.floats(min_value=0, max_value=129.9), sex=st.sampled_from(["female", "male"]))
def test_no_stratum_crosses_a_paediatric_bound(kb: Knowledge, years: float, sex: str) -> None:
    """Below the adult age a stratum lies inside one knowledge-base interval."""
    adult = kb.param("adult_age_years")
    for s in strata(kb, "alp", parse_partition("10y")):
        if s.sex != sex or s.adult:
            continue
        start, end = age_bound_days(s.age_from), age_bound_days(s.age_to)
        inside = [
            i
            for i in knowledge_intervals(kb, "alp", sex)
            if age_bound_days(i.age_from) <= start and end <= age_bound_days(i.age_to)
        ]
        assert len(inside) == 1, s.id
        assert end <= adult * 365.25


def test_default_adult_bands_are_at_most_ten_years(kb: Knowledge) -> None:
    """Adults start at the knowledge base's adult age; every closed band spans ten years."""
    adults = [s for s in strata(kb, "alp", parse_partition("10y")) if s.adult]
    assert adults[0].age_from.value == kb.param("adult_age_years")
    assert all(s.age_to is None or s.age_to.value - s.age_from.value == 10 for s in adults[:-1])
    assert [s.id for s in strata(kb, "alp", parse_partition("18,50")) if s.adult] == [
        "female.18y-50y",
        "female.50y",
        "male.18y-50y",
        "male.50y",
    ]


def test_age_keys_follow_screening() -> None:
    """Days below a year, ``1000 + years`` from the first birthday (as screening keys ages)."""
    from alkphos.knowledge.schema import AgeBound

    assert age_key(AgeBound(value=15, unit="d")) == 15
    assert age_key(AgeBound(value=1, unit="y")) == 1001
    assert age_key(AgeBound(value=0, unit="y")) == 0


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "not a partition"),
        ("ten", "not a partition"),
        ("0y", "a band of 0 years"),
        ("18,18", "cut points not increasing"),
        ("50,18", "cut points not increasing"),
        ("0,18", "cut points outside"),
        ("18,130", "cut points outside"),
        ("18.5,40", "not a partition"),
    ],
)
def test_bad_partitions_are_refused(text: str, problem: str) -> None:
    """Each bad --partition names the option and what is wrong."""
    with pytest.raises(InputError, match=problem) as raised:
        parse_partition(text)
    assert str(raised.value).startswith("--partition: ")


@given(st.lists(st.integers(min_value=1, max_value=129), min_size=1, max_size=8, unique=True))
def test_any_increasing_cut_points_are_accepted(cuts: list[int]) -> None:
    """Sorted distinct whole years are a partition whose cut points are kept."""
    ordered = sorted(cuts)
    assert parse_partition(",".join(map(str, ordered))).cuts == tuple(ordered)


@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=500), st.integers(min_value=0, max_value=9)),
        min_size=1,
        max_size=60,
    )
)
def test_from_pairs_is_the_sample_the_pairs_count(pairs: list[tuple[int, int]]) -> None:
    """(value, count) pairs in any order, repeated or zero, give the same sample as the values."""
    values = np.repeat([float(v) for v, _ in pairs], [c for _, c in pairs])
    given_pairs = Compact.from_pairs((float(v), c) for v, c in pairs)
    if values.size == 0:
        assert given_pairs.n == 0
        return
    direct = compact(values)
    assert np.array_equal(given_pairs.values, direct.values)
    assert np.array_equal(given_pairs.counts, direct.counts)
    assert given_pairs.step == direct.step
    assert np.array_equal(given_pairs.expanded(), np.sort(values))


@pytest.mark.parametrize(
    ("pairs", "problem"),
    [
        ([(1.0, -1)], "count 1 is not a whole number"),
        ([(1.0, 2), (2.0, 1.5)], "count 2 is not a whole number"),
        ([(float("nan"), 1)], "not finite"),
    ],
)
def test_bad_pairs_are_refused(pairs: list[tuple[float, float]], problem: str) -> None:
    """A negative or fractional count, or a value that is not a number, is a SampleError."""
    with pytest.raises(SampleError, match=problem):
        Compact.from_pairs(pairs)  # type: ignore[arg-type]
