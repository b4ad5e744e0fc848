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

__all__ = ["QUALIFIER_WORDS", "cores", "name_candidates", "plain_key"]

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
    """Lower case, punctuation as spaces, single spaces; a per cent sign is a word (it tells
    a fraction from an activity: "Bone ALP %")."""
    text = text.lower().replace("’", "'").replace("%", " percent ")
    return " ".join(_PUNCTUATION.sub(" ", text).split())


def cores(text: str) -> list[str]:
    """The name without bracketed parts made only of qualifier words, and without any number
    of qualifier words before or after it (a specimen printed with it), fewest removed first:
    "Serum blood sugar" gives "serum blood sugar", "blood sugar", "sugar"."""

    def bracket(match: re.Match[str]) -> str:
        words = plain_key(match.group(1)).split()
        return " " if all(word in QUALIFIER_WORDS for word in words) else match.group(0)

    words = plain_key(_BRACKETS.sub(bracket, text)).split()
    lead = next((i for i, word in enumerate(words) if word not in QUALIFIER_WORDS), len(words))
    trail = next(
        (i for i, word in enumerate(reversed(words)) if word not in QUALIFIER_WORDS), len(words)
    )
    cuts = sorted(
        ((front, back) for front in range(lead + 1) for back in range(trail + 1)),
        key=lambda cut: (cut[0] + cut[1], cut),
    )
    cores = [" ".join(words[front : len(words) - back]) for front, back in cuts]
    return [core for core in cores if core]


def name_candidates(text: str) -> list[str]:
    """The keys to try for a printed name, most literal first (no duplicates)."""
    candidates = [plain_key(text), *cores(text)]
    parts = [part for part in text.split(",") if part.strip()]
    if len(parts) == 2 and cores(parts[1]):
        # "Phosphatase, alkaline" or "Bilirubin, direct": the catalogue's order
        candidates.extend(cores(f"{parts[1]} {parts[0]}"))
    return list(dict.fromkeys(candidates))
