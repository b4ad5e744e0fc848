"""The README's examples work as written (issue 16 item 7): every file it names exists, every
`alkphos` command on them succeeds, and every curl call answers as the README says."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from tests.test_cli import run

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = [
    shlex.split(line.split("#")[0].removeprefix(".venv/bin/alkphos"))
    for line in README.splitlines()
    if line.startswith(".venv/bin/alkphos interpret") and "examples/" in line
]
CURLS = re.findall(
    r"curl -s -X POST http://127\.0\.0\.1:8000(\S+)(?:[^@]*?)--data @(\S+)", README, re.S
)


def test_every_example_the_readme_names_exists() -> None:
    named = set(re.findall(r"examples/[\w.-]+\.\w+", README))
    assert named, "the README names its examples"
    assert all((ROOT / path).is_file() for path in named), named


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_each_readme_command_runs(args: list[str], tmp_path: Path) -> None:
    args = [str(tmp_path / "report.pdf") if a == "report.pdf" else a for a in args]
    done = run(*args)
    assert done.returncode == 0, done.stderr


def test_the_readme_pipes_the_case_on_standard_input() -> None:
    case = (ROOT / "examples/low-alp-adult.json").read_text(encoding="utf-8")
    done = run("interpret", "-", "--format", "json", stdin=case)
    assert json.loads(done.stdout)["alp"]["status"] == "low"


def test_the_readme_curl_calls_are_all_there() -> None:
    paths = [path for path, _ in CURLS]
    assert paths == [
        "/v1/interpret",
        "/v1/interpret/fhir",
        "/cds-services/alkphos-patient-view",
        "/cds-services/alkphos-antiresorptive-guard-select",
    ]


@pytest.mark.parametrize(("path", "file"), CURLS, ids=[path for path, _ in CURLS])
def test_each_readme_curl_call_answers(server: str, path: str, file: str) -> None:
    """Posted to a real server as the README's curl does."""
    import httpx

    body = (ROOT / file).read_bytes()
    response = httpx.post(
        f"{server}{path}",
        content=body,
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    if path.startswith("/v1/"):
        assert data["alp"]["status"] == "low"
    else:
        cards = data["cards"]
        assert cards, data
        text = json.dumps(cards).lower()
        assert "hypophosphatasia" in text
