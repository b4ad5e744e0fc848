"""Score the report reader against the corpus in ``corpus/``: each report text beside a JSON
file with its expected reading (written by hand for the tests), shared by the corpus test
and ``benchmarks/reports.py``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alkphos.adapters.report import read_report
from alkphos.knowledge.loader import Knowledge

__all__ = ["CORPUS", "FIELDS", "FileScore", "score_corpus", "score_file"]

CORPUS = Path(__file__).parent / "corpus"
FIELDS = (
    "line",
    "analyte",
    "value",
    "censored",
    "unit",
    "reference_low",
    "reference_high",
    "flag",
    "date",
)


@dataclass
class FileScore:
    """How one report was read: results expected, read exactly, missed or wrong, extra."""

    name: str
    expected: int = 0
    exact: int = 0
    alp_expected: int = 0
    alp_exact: int = 0
    misses: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    unread_lines_wrong: bool = False


def _row(result: Any) -> dict[str, Any]:
    return {name: getattr(result, name) for name in FIELDS}


def _expected_row(entry: dict[str, Any]) -> dict[str, Any]:
    return {name: entry.get(name) for name in FIELDS}


def score_file(text_path: Path, kb: Knowledge) -> FileScore:
    """Compare the reading of one report with its expected reading."""
    expected = json.loads(text_path.with_suffix(".json").read_text(encoding="utf-8"))
    score = FileScore(text_path.name)
    reading = read_report(text_path.read_text(encoding="utf-8"), kb, expected.get("date_order"))
    read = [_row(result) for result in reading.results]
    for entry in expected["results"]:
        want = _expected_row(entry)
        score.expected += 1
        is_alp = want["analyte"] == "alp"
        score.alp_expected += is_alp
        if want in read:
            read.remove(want)
            score.exact += 1
            score.alp_exact += is_alp
        else:
            score.misses.append(json.dumps(want, ensure_ascii=False))
    score.extra = [json.dumps(row, ensure_ascii=False) for row in read]
    unread = sorted({u.line for u in reading.not_understood})
    score.unread_lines_wrong = unread != sorted(set(expected["not_understood"]))
    return score


def score_corpus(kb: Knowledge) -> list[FileScore]:
    """Every report of the corpus, scored."""
    return [score_file(path, kb) for path in sorted(CORPUS.glob("*.txt"))]
