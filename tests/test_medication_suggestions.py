"""'Did you mean' for medicines (issue 18 item 5): only a close misspelling of a known medicine
is suggested, never another medicine that looks alike, and a suggestion is never used as the
medicine."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from alkphos import Knowledge, parse_case
from alkphos.errors import SAME_START, close_spelling, edit_distance, spelling_bound
from alkphos.facts import Facts, gather_facts

WHEN = date(2024, 1, 10)


def _names(kb: Knowledge) -> list[str]:
    return [d.name for d in kb.drugs.values()] + [
        b for d in kb.drugs.values() for b in (*d.brands, *d.aliases)
    ]


def _facts(kb: Knowledge, medicine: str) -> Facts:
    case = parse_case(
        {
            "patient": {"age_years": 60, "sex": "female"},
            "results": [{"test": "ALP", "value": 30, "unit": "U/L", "date": "2024-01-10"}],
            "medications": [medicine],
        }
    )
    return gather_facts(case, kb, WHEN)


# The harmless medicines the review saw mapped onto ALP-changing ones.
@pytest.mark.parametrize(
    "medicine",
    ["amlodipine", "amlodipine 5 mg", "bisoprolol", "tamsulosin", "folic acid", "mesalazine"],
)
def test_harmless_medicines_get_no_lookalike_suggestion(kb: Knowledge, medicine: str) -> None:
    facts = _facts(kb, medicine)
    assert facts.drugs == ()
    (note,) = facts.not_understood
    assert "did you mean" not in note
    assert "its effect on ALP was not considered" in note


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("alendronat", "Alendronate"),
        ("omerpazole", "Omeprazole"),
        ("Fosamaxx", "Fosamax"),
        ("alendronat 70 mg weekly", "Alendronate"),
    ],
)
def test_a_misspelling_is_suggested_but_not_used(kb: Knowledge, typed: str, meant: str) -> None:
    facts = _facts(kb, typed)
    assert facts.drugs == ()  # the antiresorptive is not assumed
    assert facts.drug_classes == frozenset()
    (note,) = facts.not_understood
    assert f"did you mean '{meant}'? not assumed" in note


def test_edit_distance_counts_a_swap_as_one() -> None:
    assert edit_distance("omeprazole", "omerpazole") == 1
    assert edit_distance("amlodipine", "amiodarone") == 4
    assert edit_distance("", "abc") == 3


@given(typed=st.text(alphabet="abcdefghijklmnopqrstuvwxyz -", max_size=20))
@example(typed="amlodipine")
@example(typed="bisoprolol")
@example(typed="mesalazine")
def test_any_suggestion_shares_the_start_and_is_within_the_bound(kb: Knowledge, typed: str) -> None:
    """Whatever is typed, a suggestion starts with the same letters and is a few edits away."""
    hint = close_spelling(typed, _names(kb))
    if hint is None:
        return
    typed_key, hint_key = " ".join(typed.split()), " ".join(hint.lower().split())
    assert hint_key[:SAME_START] == typed_key[:SAME_START]
    assert edit_distance(typed_key, hint_key) <= spelling_bound(typed_key)


@given(data=st.data())
def test_one_typo_after_the_start_finds_a_medicine_that_close(
    kb: Knowledge, data: st.DataObject
) -> None:
    """Drop, double or change one letter after the first three of a known name: a medicine at
    most that far away is suggested (the same one, or one as close)."""
    names = [n for n in _names(kb) if len(n) > SAME_START + 1]
    name = data.draw(st.sampled_from(sorted(names)))
    position = data.draw(st.integers(min_value=SAME_START, max_value=len(name) - 1))
    kind = data.draw(st.sampled_from(["drop", "double", "change"]))
    letter = data.draw(st.sampled_from("aeiourstn"))
    if kind == "drop":
        typed = name[:position] + name[position + 1 :]
    elif kind == "double":
        typed = name[:position] + name[position] + name[position:]
    else:
        typed = name[:position] + letter + name[position + 1 :]
    typed_key, name_key = (" ".join(text.lower().split()) for text in (typed, name))
    # dropping the last letter of "vitamin d" leaves "vitamin": two edits once the space goes
    assume(edit_distance(typed_key, name_key) <= spelling_bound(typed_key))
    hint = close_spelling(typed, _names(kb))
    assert hint is not None
    hint_key = " ".join(hint.lower().split())
    assert edit_distance(typed_key, hint_key) <= edit_distance(typed_key, name_key)
