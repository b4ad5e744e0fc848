"""Test names as laboratories print them, reduced to the knowledge base's names.

An exact name, alias or LOINC code is found first. Otherwise a name is tried without its
punctuation ("Alk-Phos" is "Alk Phos"), without the words that name the specimen or the
method rather than the test ("Alkaline Phosphatase, Serum", "ALP (IFCC)", "S-ALP"), and
with a catalogue's inverted order put right ("Phosphatase, alkaline"). A qualifier in
brackets is dropped only when every word of it is a specimen or method word, so "ALP
(bone)" is never read as total ALP.
"""

from __future__ import annotations

import re

__all__ = ["QUALIFIER_WORDS", "name_candidates", "plain_key"]

_PUNCTUATION = re.compile(r"[^\w]+|_")
_BRACKETS = re.compile(r"[(\[]([^)\]]*)[)\]]")
# Words that name the sample or the method, not the test.
QUALIFIER_WORDS = frozenset(
    {
        "serum",
        "plasma",
        "blood",
        "whole",
        "venous",
        "s",
        "p",
        "b",
        "fs",
        "fp",
        "sérum",
        "suero",
        "sangre",
        "blut",
        "ifcc",
        "dgkc",
        "amp",
        "pnpp",
        "enzymatic",
        "kinetic",
        "activity",
        "level",
        "u",
        "l",
        "iu",
        "ui",
        "ukat",
        "µkat",
        "test",
    }
)


def plain_key(text: str) -> str:
    """Lower case, punctuation as spaces, single spaces."""
    return " ".join(_PUNCTUATION.sub(" ", text.lower().replace("’", "'")).split())


def _without_qualifiers(text: str) -> str:
    """Drop bracketed parts made only of qualifier words, then qualifier words at either
    end (a specimen before or after the name)."""

    def bracket(match: re.Match[str]) -> str:
        words = plain_key(match.group(1)).split()
        return " " if all(word in QUALIFIER_WORDS for word in words) else match.group(0)

    words = plain_key(_BRACKETS.sub(bracket, text)).split()
    while words and words[0] in QUALIFIER_WORDS:
        words.pop(0)
    while words and words[-1] in QUALIFIER_WORDS:
        words.pop()
    return " ".join(words)


def name_candidates(text: str) -> list[str]:
    """The keys to try for a printed name, most literal first (no duplicates)."""
    candidates = [plain_key(text), _without_qualifiers(text)]
    parts = [part for part in text.split(",") if part.strip()]
    if len(parts) == 2 and _without_qualifiers(parts[1]):
        # "Phosphatase, alkaline" or "Bilirubin, direct": the catalogue's order
        candidates.append(_without_qualifiers(f"{parts[1]} {parts[0]}"))
    return [key for key in dict.fromkeys(candidates) if key]
