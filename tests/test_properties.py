"""Properties of the whole engine: monotone grading, known ids only, deterministic output."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from alkphos import Knowledge, interpret
from alkphos.knowledge.loader import data_dir

VOCABULARY = yaml.safe_load((data_dir() / "vocabulary.yaml").read_text(encoding="utf-8"))
GRADES = [None, "G1", "G2", "G3", "G4"]

_sex = st.sampled_from(["female", "male", "unknown"])
_age = st.floats(min_value=0, max_value=110)


def _case(alp: float, age: float, sex: str, extra: list[dict[str, Any]]) -> dict[str, Any]:
    results = [{"test": "ALP", "value": alp, "date": "2024-01-02"}, *extra]
    return {"patient": {"age_years": age, "sex": sex}, "results": results}


_PLAUSIBLE = {
    "GGT": (1, 1000),
    "ALT": (1, 3000),
    "AST": (1, 3000),
    "Total bilirubin": (0.1, 30),
    "Calcium": (1.0, 4.0),
    "PTH": (1, 500),
}
_companions = st.lists(
    st.sampled_from(sorted(_PLAUSIBLE)).flatmap(
        lambda test: st.fixed_dictionaries(
            {
                "test": st.just(test),
                "value": st.floats(*_PLAUSIBLE[test]),
                "date": st.just("2024-01-02"),
            }
        )
    ),
    max_size=3,
    unique_by=lambda r: r["test"],
)


@given(low=st.floats(0, 5000), high=st.floats(0, 5000), age=_age, sex=_sex, extra=_companions)
# Found by random exploration: an ALP that underflows when divided by its ULN, with an ALT.
@example(
    low=5e-324,
    high=5e-324,
    age=40.0,
    sex="male",
    extra=[{"test": "ALT", "value": 500.0, "date": "2024-01-02"}],
)
def test_raising_alp_never_lowers_the_grade(
    low: float, high: float, age: float, sex: str, extra: list[dict[str, Any]]
) -> None:
    """With everything else equal, a higher ALP has the same or a higher grade."""
    low, high = sorted((low, high))
    first = interpret(_case(low, age, sex, extra)).alp
    second = interpret(_case(high, age, sex, extra)).alp
    assert first is not None
    assert second is not None
    assert GRADES.index(first.grade) <= GRADES.index(second.grade)
    assert first.multiple_of_uln <= second.multiple_of_uln


@given(
    alp=st.floats(1, 3000),
    age=_age,
    sex=_sex,
    extra=_companions,
    findings=st.lists(st.sampled_from(sorted(VOCABULARY["findings"])), max_size=3),
    medications=st.lists(
        st.sampled_from(["alendronate", "prednisone", "phenytoin", "biotin", "pyridoxine"]),
        max_size=2,
    ),
)
def test_every_output_id_is_known(
    kb: Knowledge,
    alp: float,
    age: float,
    sex: str,
    extra: list[dict[str, Any]],
    findings: list[str],
    medications: list[str],
) -> None:
    """Every cause, test and flag id in the output is in the vocabulary or the knowledge base."""
    case = _case(alp, age, sex, extra) | {"findings": findings, "medications": medications}
    result = interpret(case)
    for cause in result.differential:
        assert cause.id in VOCABULARY["causes"] or cause.id in kb.causes
        assert set(cause.citations) <= set(kb.citations)
    for test in result.tests:
        assert test.id in VOCABULARY["tests"] or test.id in kb.tests
    for flag in result.flags:
        assert flag.id in VOCABULARY["flags"]
    assert result.source.likely in VOCABULARY["sources"]
    if result.pattern is not None:
        assert result.pattern.name in VOCABULARY["patterns"]
    assert [t.priority for t in result.tests] == list(range(1, len(result.tests) + 1))


@given(alp=st.floats(1, 3000), age=_age, sex=_sex, extra=_companions)
def test_same_input_same_bytes(
    alp: float, age: float, sex: str, extra: list[dict[str, Any]]
) -> None:
    """The same case and knowledge give byte-identical JSON."""
    case = _case(alp, age, sex, extra)
    assert interpret(case).model_dump_json() == interpret(case).model_dump_json()


def test_same_bytes_across_processes() -> None:
    """A fresh process (cold caches) gives the same bytes as this one."""
    case = _case(
        21, 73, "male", [{"test": "PLP", "value": 200, "unit": "ng/mL", "date": "2024-01-02"}]
    )
    here = interpret(case).model_dump_json()
    code = (
        "import json,sys; from alkphos import interpret; "
        "print(interpret(json.loads(sys.argv[1])).model_dump_json(), end='')"
    )
    import json

    there = subprocess.run(
        [sys.executable, "-c", code, json.dumps(case)],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "123", "PATH": "/usr/bin:/bin"},
    ).stdout
    assert there == here
