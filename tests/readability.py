"""Flesch reading ease, computed here so the tests need no language data downloads.

Syllables are counted with the usual vowel-group rule (a silent final 'e' does not count;
every word has at least one syllable). Flesch 1948: 206.835 - 1.015 x words per sentence
- 84.6 x syllables per word; 60-70 is plain English a 12-year-old follows.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")
_VOWELS = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    """Estimated syllables of one English word."""
    lowered = word.lower()
    count = len(_VOWELS.findall(lowered))
    if lowered.endswith("e") and not lowered.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(count, 1)


def flesch_reading_ease(text: str) -> float:
    """Flesch reading ease of a text (higher is easier)."""
    words = _WORD.findall(text)
    sentences = max(len(_SENTENCE_END.findall(text)), 1)
    if not words:
        return 100.0
    per_sentence = len(words) / sentences
    per_word = sum(syllables(w) for w in words) / len(words)
    return 206.835 - 1.015 * per_sentence - 84.6 * per_word
