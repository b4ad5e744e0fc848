"""The knowledge base: every file loads, every reference resolves, nothing is orphaned."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from alkphos import Knowledge, KnowledgeError
from alkphos.knowledge.loader import build_knowledge, data_dir, knowledge_files
from alkphos.rules.evidence import check_predicates

VOCABULARY = yaml.safe_load((data_dir() / "vocabulary.yaml").read_text(encoding="utf-8"))


def test_every_data_file_is_loaded(kb: Knowledge) -> None:
    """Each YAML file in the data folder is a knowledge file (an orphan fails the load)."""
    names = {path.relative_to(data_dir()).as_posix() for path in knowledge_files()}
    assert "causes.yaml" in names
    assert any(name.startswith("citations/") for name in names)
    assert kb.causes
    assert kb.citations


def test_vocabulary_ids_exist_with_their_meaning(kb: Knowledge) -> None:
    """Every contract id is in the knowledge base; causes keep their direction."""
    for cause_id, entry in VOCABULARY["causes"].items():
        assert kb.causes[cause_id].direction == entry["direction"]
    for section, table in (("tests", kb.tests), ("findings", kb.findings), ("flags", kb.flags)):
        assert set(VOCABULARY[section]) <= set(table), section


def test_every_cause_cites_and_every_citation_is_used(kb: Knowledge) -> None:
    """Causes, flags, intervals and parameters cite sources; every source is cited."""
    for cause in kb.causes.values():
        assert cause.citations
        assert set(cause.citations) <= set(kb.citations)
        assert cause.evidence, cause.id
    for intervals in kb.intervals.values():
        for interval in intervals:
            assert set(interval.citations) <= set(kb.citations)
    for parameter in kb.parameters.values():
        assert parameter.citations


def test_predicates_are_valid(kb: Knowledge) -> None:
    """Every evidence item names a predicate the engine implements, with valid arguments."""
    check_predicates(kb)


def test_no_overlapping_intervals_for_any_analyte(kb: Knowledge) -> None:
    """For every analyte and sex, at most one non-pregnancy interval covers any age."""
    from alkphos.knowledge.age import age_bound_days

    for analyte, intervals in kb.intervals.items():
        for sex in ("female", "male"):
            spans = sorted(
                (age_bound_days(i.age_from), age_bound_days(i.age_to), i.id)
                for i in intervals
                if i.pregnancy_weeks is None and i.sex in (sex, "any")
            )
            for (_, end, first), (start, _, second) in itertools.pairwise(spans):
                assert start >= end, (analyte, sex, first, second)


@pytest.mark.parametrize(
    ("file", "edit", "message"),
    [
        (
            "causes.yaml",
            lambda text: text.replace("tests: [repeat_alp,", "tests: [repeat_alpp,", 1),
            "unknown test 'repeat_alpp'",
        ),
        (
            "reference_intervals.yaml",
            lambda text: text.replace("estey2013", "estey2031", 1),
            "unknown citation 'estey2031'",
        ),
        (
            "drugs.yaml",
            lambda text: text.replace("- antiresorptive\n", "- antiresorptives\n", 1),
            "unknown drug class 'antiresorptives'",
        ),
        (
            "flags.yaml",
            lambda text: text.replace("severity: critical", "severity: urgent", 1),
            "flags.yaml: flags.",
        ),
        (
            "flags.yaml",
            lambda text: text.replace("      - fever\n", "      - fevers\n", 1),
            "unknown finding 'fevers'",
        ),
    ],
)
def test_a_dangling_reference_names_file_and_key(
    broken: Callable[[str, Callable[[str], str]], Path],
    file: str,
    edit: Callable[[str], str],
    message: str,
) -> None:
    """A broken reference is an error that names the file and the key."""
    folder = broken(file, edit)
    with pytest.raises(KnowledgeError) as caught:
        build_knowledge(folder, version="test")
    assert message in str(caught.value)
    assert caught.value.file.split("/")[0] in (file, "citations")


def test_an_orphan_file_fails(tmp_path: Path) -> None:
    """A YAML file the loader does not know is an orphan and fails the load."""
    folder = tmp_path / "data"
    shutil.copytree(data_dir(), folder)
    (folder / "extra.yaml").write_text("things: []\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="orphan"):
        build_knowledge(folder, version="test")


def test_an_uncited_source_fails(tmp_path: Path) -> None:
    """A citation nobody cites is an orphan."""
    folder = tmp_path / "data"
    shutil.copytree(data_dir(), folder)
    (folder / "citations" / "zz.yaml").write_text(
        "citations:\n  - {id: nobody2020, authors: A B, title: T, published_in: J, year: 2020}\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError, match="nobody2020: never cited"):
        build_knowledge(folder, version="test")


def test_a_gap_in_alp_intervals_fails(
    broken: Callable[[str, Callable[[str], str]], Path],
) -> None:
    """Removing a partition leaves a gap, which the loader refuses."""

    def drop_partition(text: str) -> str:
        start = text.index("  - id: alp.caliper_roche.any.10y-13y")
        end = text.index("  - id:", start + 5)
        return text[:start] + text[end:]

    folder = broken("reference_intervals.yaml", drop_partition)
    with pytest.raises(KnowledgeError, match="gap"):
        build_knowledge(folder, version="test")


def test_kb_validate_exits_2_on_a_problem(
    broken: Callable[[str, Callable[[str], str]], Path],
) -> None:
    """`alkphos kb validate --data DIR` prints one error line and exits 2."""
    folder = broken("causes.yaml", lambda text: text.replace('"high:ggt"', '"hihg:ggt"', 1))
    done = subprocess.run(
        [sys.executable, "-m", "alkphos", "kb", "validate", "--data", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: causes.yaml: ")
    assert "unknown predicate 'hihg'" in done.stderr


def test_a_cause_requiring_an_unknown_predicate_fails(
    broken: Callable[[str, Callable[[str], str]], Path],
) -> None:
    """A cause's `requires` is checked like its evidence: the error names the cause."""
    from alkphos.rules.evidence import check_predicates

    folder = broken(
        "causes.yaml",
        lambda text: text.replace('requires: ["drug_class:fibrate"]', 'requires: ["fibrate"]', 1),
    )
    with pytest.raises(KnowledgeError, match=r"clofibrate_therapy\.requires\[0\]"):
        check_predicates(build_knowledge(folder, version="test"))
