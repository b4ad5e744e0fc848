"""Every worked example case, with every expectation, through one parametrised test."""

from __future__ import annotations

from typing import Any

import pytest

from alkphos import interpret
from tests.conftest import golden_cases

CASES = golden_cases()


@pytest.mark.parametrize("example", CASES, ids=[c["id"] for c in CASES])
def test_golden_case(example: dict[str, Any]) -> None:
    """The interpretation meets every expectation of the worked case."""
    result = interpret(example["case"])
    expect = example["expect"]
    causes = [cause.id for cause in result.differential]
    tests = {test.id for test in result.tests}
    flags = {flag.id for flag in result.flags}
    assert result.alp is not None
    if "alp_status" in expect:
        assert result.alp.status == expect["alp_status"]
    if "source" in expect:
        assert result.source.likely == expect["source"]
    if "pattern" in expect:
        assert result.pattern is not None
        assert result.pattern.name == expect["pattern"]
    if "differential_top1" in expect:
        assert causes[:1] == [expect["differential_top1"]], causes[:5]
    for cause in expect.get("differential_top3_includes", []):
        assert cause in causes[:3], causes[:5]
    for cause in expect.get("differential_top5_includes", []):
        assert cause in causes[:5], causes[:5]
    for cause in expect.get("differential_excludes", []):
        assert cause not in causes
    for test in expect.get("tests_include", []):
        assert test in tests, sorted(tests)
    for test in expect.get("tests_exclude", []):
        assert test not in tests
    for flag in expect.get("flags_include", []):
        assert flag in flags, sorted(flags)
    for flag in expect.get("flags_exclude", []):
        assert flag not in flags
