"""The reader over the corpus of report texts: reading accuracy of at least 98 %, every ALP
result read exactly, nothing read that is not there, and the lines not understood named."""

from __future__ import annotations

import pytest

from alkphos import Knowledge
from alkphos.adapters.report import read_report
from alkphos.errors import InputError
from alkphos.model.report import ReadResult
from tests.reports.corpus_score import CORPUS, score_corpus

LANGUAGES = {
    "German": "Alkalische Phosphatase",
    "French": "Phosphatase alcaline",
    "Spanish": "Fosfatasa alcalina",
}


def test_the_corpus_is_varied() -> None:
    texts = sorted(CORPUS.glob("*.txt"))
    assert len(texts) >= 30
    assert all(path.with_suffix(".json").exists() for path in texts)
    everything = "\n".join(path.read_text(encoding="utf-8") for path in texts).lower()
    for spelling in LANGUAGES.values():
        assert spelling.lower() in everything
    assert "\t" in everything
    assert "......" in everything


def test_reading_accuracy_and_every_alp(kb: Knowledge) -> None:
    scores = score_corpus(kb)
    expected = sum(s.expected for s in scores)
    exact = sum(s.exact for s in scores)
    assert exact / expected >= 0.98, [m for s in scores for m in s.misses]
    assert sum(s.alp_exact for s in scores) == sum(s.alp_expected for s in scores), [
        (s.name, s.misses) for s in scores if s.alp_exact != s.alp_expected
    ]
    assert [s.name for s in scores if s.extra] == []
    assert [s.name for s in scores if s.unread_lines_wrong] == []


@pytest.mark.parametrize("name", ["06-french.txt", "17-spanish-prose.txt", "28-spanish-tab.txt"])
def test_dates_only_the_user_can_settle_are_refused_without_the_order(
    kb: Knowledge, name: str
) -> None:
    with pytest.raises(InputError, match="could be"):
        read_report((CORPUS / name).read_text(encoding="utf-8"), kb)


@pytest.mark.parametrize(
    "name", ["01-fixed-width-us.txt", "09-cumulative-date-rows.txt", "35-us-cumulative.txt"]
)
def test_a_report_printed_to_pdf_reads_as_its_text(kb: Knowledge, name: str) -> None:
    from alkphos.adapters.report.document import report_text
    from tests.reports.pdfs import text_pdf

    text = (CORPUS / name).read_text(encoding="utf-8")
    from_pdf = read_report(report_text(text_pdf(text)), kb).results
    from_text = read_report(text, kb).results

    def parts(results: list[ReadResult]) -> list[tuple[object, ...]]:
        return [
            (r.analyte, r.value, r.unit, r.reference_low, r.reference_high, r.flag, r.date)
            for r in results
        ]

    assert parts(from_pdf) == parts(from_text)
