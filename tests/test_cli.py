"""The command line: JSON and text output, standard input, batches, and bad input.

Every bad input exits 2 with exactly one line on standard error, ``error: <path>: ...``,
and never a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ALKPHOS = [sys.executable, "-m", "alkphos"]
EXAMPLE = Path(__file__).parent.parent / "examples" / "low-alp-adult.json"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a subprocess."""
    return subprocess.run(
        [*ALKPHOS, *args], input=stdin, capture_output=True, text=True, check=False, timeout=60
    )


def test_json_output_has_the_contract_fields() -> None:
    """--format json prints the interpretation with every contract field."""
    done = run("interpret", str(EXAMPLE), "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    for key in (
        "alkphos_version",
        "knowledge_version",
        "alp",
        "source",
        "pattern",
        "differential",
        "tests",
        "flags",
        "follow_up",
        "summary",
        "not_understood",
    ):
        assert key in data
    alp = data["alp"]
    assert alp["unit"] == "U/L"
    assert alp["status"] == "low"
    assert set(alp["reference_interval"]) >= {"low", "high", "unit", "basis"}
    assert "multiple_of_uln" in alp
    assert "grade" in alp


def test_text_output_reads_most_important_first() -> None:
    """--format text starts with the warnings, then the ALP, then the causes."""
    done = run("interpret", str(EXAMPLE), "--format", "text")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert text.index("ATTENTION") < text.index("ALP\n") < text.index("CAUSES CONSIDERED")
    assert "Hypophosphatasia" in text
    assert "FOR THE PATIENT" in text


def test_standard_input() -> None:
    """'-' reads the case from standard input and gives the same answer as the file."""
    from_file = run("interpret", str(EXAMPLE))
    from_stdin = run("interpret", "-", stdin=EXAMPLE.read_text(encoding="utf-8"))
    assert from_stdin.returncode == 0
    assert from_stdin.stdout == from_file.stdout


def test_as_of_defaults_to_the_latest_result_date() -> None:
    """Without --as-of the interpretation is dated at the latest result."""
    data = json.loads(run("interpret", str(EXAMPLE)).stdout)
    assert data["as_of"] == "2025-01-20"
    later = json.loads(run("interpret", str(EXAMPLE), "--as-of", "2025-06-01").stdout)
    assert later["as_of"] == "2025-06-01"


def test_batch_jsonl(tmp_path: Path) -> None:
    """--batch writes one output line per input line, in order; bad lines report and go on."""
    good = json.dumps(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    bad = '{"patient": {}, "results": [{"test": "ALP", "value": "x"}]}'
    batch = tmp_path / "cases.jsonl"
    batch.write_text("\n".join([good, bad, "not json", good]) + "\n", encoding="utf-8")
    done = run("interpret", "--batch", str(batch), "--format", "jsonl")
    assert done.returncode == 2
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(lines) == 4
    assert lines[0]["alp"]["status"] == "low"
    assert lines[1] == {
        "line": 2,
        "error": 'results[0].value: not a number: "x" (a JSON number, e.g. 42)',
    }
    assert lines[2]["line"] == 3
    assert lines[2]["error"].startswith("$: not JSON")
    assert lines[3] == lines[0]


def test_batch_all_good_exits_zero(tmp_path: Path) -> None:
    """A batch with no bad line exits 0."""
    batch = tmp_path / "cases.jsonl"
    batch.write_text(json.dumps(json.loads(EXAMPLE.read_text(encoding="utf-8"))) + "\n")
    done = run("interpret", "--batch", str(batch))
    assert done.returncode == 0
    assert len(done.stdout.splitlines()) == 1


RESULT = '{"test": "ALP", "value": 70, "date": "2024-01-01"}'
BAD_INPUTS = [
    (
        "not json",
        "not json",
        "error: $: not JSON: Expecting value at line 1 column 1 (a JSON object)",
    ),
    (
        "missing results",
        '{"patient": {}}',
        "error: results: required field is missing "
        "(an array of results, each with at least test and value)",
    ),
    (
        "value not a number",
        '{"patient": {}, "results": [{"test": "ALP", "value": "abc"}]}',
        'error: results[0].value: not a number: "abc" (a JSON number, e.g. 42)',
    ),
    (
        "negative value",
        '{"patient": {}, "results": [{"test": "ALP", "value": -5, "date": "2024-01-01"}]}',
        "error: results[0].value: negative value -5 (0 or more)",
    ),
    (
        "implausible value",
        '{"patient": {}, "results": [{"test": "ALP", "value": 250000, "date": "2024-01-01"}]}',
        "error: results[0].value: implausible Alkaline phosphatase of 250000 U/L "
        "(plausible: 0 to 20000 U/L)",
    ),
    (
        "unknown unit",
        '{"patient": {}, "results": [{"test": "ALP", "value": 70, "unit": "IU/mL", '
        '"date": "2024-01-01"}]}',
        "error: results[0].unit: unknown unit 'IU/mL' for Alkaline phosphatase "
        "(accepted: U/L, IU/L, UI/L, ukat/L, nkat/L, mU/mL); did you mean 'IU/L'?",
    ),
    (
        "bad date",
        '{"patient": {}, "results": [{"test": "ALP", "value": 70, "date": "2024-13-45"}]}',
        'error: results[0].date: not a date: "2024-13-45" '
        "(an ISO 8601 date such as 2024-05-31 or date-time 2024-05-31T08:30:00)",
    ),
    (
        "age over 130",
        '{"patient": {"age_years": 140}, "results": [' + RESULT + "]}",
        "error: patient.age_years: age 140 is out of range (at most 130)",
    ),
    (
        "pregnancy week for a male",
        '{"patient": {"sex": "male", "pregnancy_weeks": 20}, "results": [' + RESULT + "]}",
        "error: patient.pregnancy_weeks: pregnancy_weeks is given for a male patient "
        "(only for a female patient or one of unknown sex)",
    ),
    (
        "misspelt sex",
        '{"patient": {"sex": "femal"}, "results": [' + RESULT + "]}",
        'error: patient.sex: "femal" is not accepted (female, male, unknown); '
        "did you mean 'female'?",
    ),
    (
        "misspelt field",
        '{"patient": {}, "results": [{"test": "ALP", "valu": 70}]}',
        "error: results[0].valu: unknown field 'valu' (accepted: test, value, unit, date, "
        "reference_low, reference_high, fasting); did you mean 'value'?",
    ),
    (
        "empty results",
        '{"patient": {}, "results": []}',
        "error: results: is empty (at least one item)",
    ),
    (
        "not an object",
        "[1, 2]",
        "error: $: a case must be a JSON object, not an array (an object)",
    ),
    (
        "boolean value",
        '{"patient": {}, "results": [{"test": "ALP", "value": true}]}',
        "error: results[0].value: not a number: true (a JSON number, e.g. 42)",
    ),
    (
        "lab limits reversed",
        '{"patient": {}, "results": [{"test": "ALP", "value": 70, "date": "2024-01-01", '
        '"reference_low": 130, "reference_high": 40}]}',
        "error: results[0].reference_low: 130 is above reference_high 40 "
        "(a lower limit below the upper limit)",
    ),
    (
        "result before birth",
        '{"patient": {"birth_date": "2020-01-01"}, "results": ['
        '{"test": "ALP", "value": 70, "date": "2019-01-01"}, ' + RESULT + "]}",
        "error: results[0].date: 2019-01-01 is before the birth date 2020-01-01 "
        "(a date on or after birth_date)",
    ),
]


@pytest.mark.parametrize(("case", "stdin", "message"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_is_one_clear_line(case: str, stdin: str, message: str) -> None:
    """Bad input: exit code 2, exactly one line on standard error, no traceback."""
    done = run("interpret", "-", stdin=stdin)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [message]


def test_unknown_test_is_kept_aside_not_an_error() -> None:
    """An unknown test name is listed in not_understood and the rest is interpreted."""
    stdin = json.dumps(
        {
            "patient": {"age_years": 40, "sex": "female"},
            "results": [
                {"test": "Frobnitz", "value": 7, "date": "2024-01-01"},
                {"test": "alk phos", "value": 70, "date": "2024-01-01"},
            ],
            "medications": ["xyzzy"],
            "findings": ["headache"],
        }
    )
    done = run("interpret", "-", stdin=stdin)
    assert done.returncode == 0
    data = json.loads(done.stdout)
    assert data["alp"]["value"] == 70
    assert data["not_understood"] == [
        "results[0].test: 'Frobnitz' is not a test alkphos knows; this result was set aside",
        "medications[0]: 'xyzzy' is not a medicine alkphos knows; its effect on ALP was not "
        "considered",
        "findings[0]: 'headache' is kept as free text; the rules do not use it",
    ]


def test_missing_file() -> None:
    """A file that does not exist is a one-line error with exit code 2."""
    done = run("interpret", "/nonexistent/case.json")
    assert done.returncode == 2
    assert done.stderr.startswith("error: /nonexistent/case.json: cannot read the file")


def test_kb_export_covers_the_contract() -> None:
    """kb export prints every table as a list of objects with ids; causes cite resolving sources."""
    done = run("kb", "export", "--format", "json")
    assert done.returncode == 0
    data = json.loads(done.stdout)
    for key in (
        "causes",
        "tests",
        "findings",
        "flags",
        "drugs",
        "reference_intervals",
        "citations",
    ):
        assert isinstance(data[key], list)
        assert data[key]
        assert all("id" in item for item in data[key])
    citations = {item["id"] for item in data["citations"]}
    for cause in data["causes"]:
        assert cause["citations"]
        assert set(cause["citations"]) <= citations


def test_kb_validate_passes() -> None:
    """kb validate accepts the bundled knowledge base."""
    done = run("kb", "validate")
    assert done.returncode == 0
    assert done.stdout.startswith("knowledge base is valid")


def test_setting_is_given_on_the_command_line() -> None:
    """--setting places the case (issue 14); an unknown one is refused with a suggestion."""
    case = {
        "patient": {"age_years": 60, "sex": "male"},
        "results": [
            {"test": "ALP", "value": 25, "date": "2023-12-20"},
            {"test": "ALP", "value": 25, "date": "2024-01-10"},
        ],
    }

    def score(*extra: str) -> float:
        done = run("interpret", "-", *extra, stdin=json.dumps(case))
        assert done.returncode == 0, done.stderr
        causes = json.loads(done.stdout)["differential"]
        return float(next(c["score"] for c in causes if c["id"] == "critical_illness"))

    assert score("--setting", "intensive_care") > score()
    wrong = run("interpret", "-", "--setting", "icu", stdin=json.dumps(case))
    assert wrong.returncode == 2
    assert wrong.stderr.startswith("error: --setting: unknown setting 'icu'")
