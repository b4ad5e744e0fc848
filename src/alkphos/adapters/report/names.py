"""Test names: the knowledge base's names, aliases and LOINC codes, matched without regard
to case, punctuation or spacing ("ALK PHOS." is "Alk. Phos.", "Gamma-GT" is "gamma GT")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from alkphos.knowledge.loader import Knowledge

__all__ = ["NameIndex", "name_key"]

_PUNCTUATION = re.compile(r"[^\w]+|_")
_LONGEST_NAME_WORDS = 8
# Specimen words printed before or after a test name ("Serum alkaline phosphatase",
# "ALP, plasma"); they name the sample, not the test.
SPECIMEN_WORDS = frozenset(
    [
        "serum",
        "plasma",
        "blood",
        "s",
        "p",
        "fs",
        "fp",
        "b",
        "sérum",
        "suero",
        "sangre",
        "blut",
        "vollblut",
        "total",
    ]
)


def name_key(text: str) -> str:
    """The key a name is matched by: lower case, punctuation as spaces, single spaces."""
    return " ".join(_PUNCTUATION.sub(" ", text.lower().replace("’", "'")).split())


@dataclass(frozen=True)
class NameIndex:
    """Every name of every analyte, by its key; keys two analytes share are left out and
    kept apart as ambiguous ("Bone ALP" names an immunoassay and a fraction)."""

    keys: dict[str, str]
    ambiguous: frozenset[str] = frozenset()
    firsts: frozenset[str] = frozenset()  # first words of every name, to skip other words fast

    @classmethod
    def of(cls, kb: Knowledge) -> NameIndex:
        """The index of a knowledge base."""
        keys: dict[str, str] = {}
        shared: set[str] = set()
        for analyte in kb.analytes.values():
            for name in (analyte.name, *analyte.aliases, *analyte.loinc):
                key = name_key(name)
                if key and keys.get(key, analyte.id) != analyte.id:
                    shared.add(key)
                keys[key] = analyte.id
        firsts = frozenset(key.split()[0] for key in keys if key) | SPECIMEN_WORDS
        return cls(
            {key: owner for key, owner in keys.items() if key not in shared},
            frozenset(shared),
            firsts,
        )

    def find(self, text: str) -> str | None:
        """The analyte a whole name stands for, if any."""
        key = name_key(text)
        found = self.keys.get(key)
        if found is None:
            words = [w for w in key.split() if w not in SPECIMEN_WORDS]
            found = self.keys.get(" ".join(words)) if words else None
        return found

    def match(self, words: list[str]) -> tuple[str, int] | None:
        """The analyte named by the longest run of leading ``words``, and how many words."""
        head = name_key(words[0]) if words else ""
        if not head or head.split()[0] not in self.firsts:
            return None
        for size in range(min(len(words), _LONGEST_NAME_WORDS), 0, -1):
            key = name_key(" ".join(words[:size]))
            if key and key in self.keys:
                return self.keys[key], size
            # A specimen prefix joined to the name ("P-ALAT", "S-GGT"), when the whole is
            # not itself a name ("B-ALP" is bone ALP).
            head, _, rest = key.partition(" ")
            if rest and head in SPECIMEN_WORDS and rest in self.keys and "-" in words[0]:
                return self.keys[rest], size
        return None

    def is_ambiguous(self, words: list[str]) -> bool:
        """Whether these words are a name that more than one analyte has."""
        return name_key(" ".join(words)) in self.ambiguous
