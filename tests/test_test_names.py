"""Test names as laboratories print them (issue 14 item 13, real records): a specimen or
method word, punctuation or a catalogue's inverted order does not hide a known test, and a
bracket that says something else (bone, isoenzyme) is never dropped."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alkphos import Knowledge, interpret
from alkphos.engine import knowledge
from alkphos.knowledge.names import plain_key

KB = knowledge()
NAMES = sorted(
    (name, analyte.id)
    for analyte in KB.analytes.values()
    for name in (analyte.name, *analyte.aliases)
    if KB.analyte_plain.get(plain_key(name)) == analyte.id
)
DRESS = [
    "{name}, serum",
    "{name}, Plasma",
    "Serum {name}",
    "S-{name}",
    "{name} (IFCC)",
    "{name} [U/L]",
    "  {name}.  ",
    "{upper}",
]


@given(st.sampled_from(NAMES), st.sampled_from(DRESS))
def test_specimen_and_method_words_do_not_hide_a_test(named: tuple[str, str], dress: str) -> None:
    name, analyte = named
    printed = dress.format(name=name, upper=name.upper())
    assert KB.find_analyte(printed) == analyte


@pytest.mark.parametrize(
    ("printed", "analyte"),
    [
        ("Alkaline Phosphatase, Serum", "alp"),
        ("ALP (IFCC)", "alp"),
        ("Phosphatase, alkaline", "alp"),
        ("Alk-Phos", "alp"),
        ("Bilirubin, direct", "direct_bilirubin"),
        ("Bilirubin, total", "total_bilirubin"),
        ("Vitamin D, 25-Hydroxy", "vitamin_d"),
        ("AST (GOT)", "ast"),
    ],
)
def test_names_from_real_reports(printed: str, analyte: str) -> None:
    assert KB.find_analyte(printed) == analyte


def test_a_bracket_that_says_something_else_is_kept() -> None:
    """'ALP (bone)' is not total ALP; an unknown qualifier leaves the name unknown."""
    assert KB.find_analyte("ALP (bone)") != "alp"
    assert KB.find_analyte("ALP (urine)") is None


def test_an_alp_printed_the_catalogue_way_is_interpreted(kb: Knowledge) -> None:
    result = interpret(
        {
            "patient": {"age_years": 50, "sex": "male"},
            "results": [
                {"test": "Phosphatase, alkaline (IFCC)", "value": 20, "date": "2026-01-01"}
            ],
        },
        kb=kb,
    )
    assert result.alp is not None
    assert result.alp.status == "low"
