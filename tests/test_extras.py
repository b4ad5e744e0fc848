"""A command whose optional extra is missing says which extra to install, in one line,
with exit code 2 (``pip install alkphos`` brings only the core).

Each run is the real entry point in a fresh process in which the modules of an extra cannot
be imported (``sys.modules[name] = None``, as Python treats a module that is not there).
The wheel installed without extras is tested in ``test_installed.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from alkphos.extras import EXTRAS, MissingExtra, extra_of, require

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "low-alp-adult.json"
OMOP = ROOT / "tests" / "data" / "synthea27nj-omop" / "parquet"
_RUN = "import sys; sys.modules.update(dict.fromkeys({blocked!r})); from alkphos.cli import main; "
_RUN += "sys.argv = ['alkphos', *{args!r}]; main()"


def without(blocked: tuple[str, ...], *args: str) -> subprocess.CompletedProcess[str]:
    """``alkphos ARGS`` as if the ``blocked`` modules were not installed."""
    code = _RUN.format(blocked=list(blocked), args=list(args))
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(
    ("blocked", "args", "extra", "module"),
    [
        (EXTRAS["api"], ["serve"], "api", "fastapi"),
        (("uvloop",), ["serve", "--port", "1"], "api", "uvloop"),
        (EXTRAS["screening"], ["screen", "--omop", str(OMOP), "--out", "o"], "screening", "ibis"),
        (("pyspark",), ["screen", "--omop", "x", "--out", "o", "--engine", "spark"], "screening",
         "pyspark"),
        (("weasyprint",), ["interpret", str(EXAMPLE), "--format", "pdf", "--out", "r.pdf"],
         "report", "weasyprint"),
        (("jinja2",), ["interpret", str(EXAMPLE), "--format", "html"], "report", "jinja2"),
        (("fhir",), ["interpret", "--fhir", str(EXAMPLE)], "api", "fhir"),
        (("fhir",), ["interpret", str(EXAMPLE), "--format", "fhir"], "api", "fhir"),
        (("scipy",), ["intervals", "estimate", str(EXAMPLE)], "intervals", "scipy"),
        (EXTRAS["screening"], ["intervals", "derive", "--omop", str(OMOP), "--out", "o"],
         "screening", "ibis"),
        (("scipy",), ["intervals", "derive", "--omop", str(OMOP), "--out", "o"], "intervals",
         "scipy"),
    ],
    ids=["serve", "serve-uvloop", "screen", "screen-spark", "pdf", "html", "fhir-in", "fhir-out",
         "intervals", "derive-screening", "derive-intervals"],
)  # fmt: skip
def test_a_missing_extra_is_one_line_and_exit_2(
    blocked: tuple[str, ...], args: list[str], extra: str, module: str, tmp_path: Path
) -> None:
    """The line names the command, the missing module and the pip command; nothing is
    written and no traceback is shown."""
    done = without(blocked, *args)
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith("error: alkphos ")
    assert f"needs the {extra} extra (module '{module}' is not installed)" in line
    assert line.endswith(f"pip install 'alkphos[{extra}]'")
    assert done.stdout == ""


def test_the_core_commands_need_no_extra() -> None:
    """interpret (JSON and text) and kb validate run with every extra's modules missing."""
    every = tuple(sorted({m for modules in EXTRAS.values() for m in modules}))
    done = without(every, "interpret", str(EXAMPLE), "--format", "text")
    assert done.returncode == 0, done.stderr
    assert "ALP" in done.stdout
    assert without(every, "kb", "validate").returncode == 0


def test_an_import_the_checks_did_not_foresee_still_names_the_extra() -> None:
    """The entry point's safety net: an extra's module missing deep inside a command is
    the same one line, exit 2, never 'internal error'."""
    code = (
        "import sys; from alkphos import cli\n"
        "def broken(): raise ModuleNotFoundError(\"No module named 'duckdb'\", name='duckdb')\n"
        "cli.app = broken; cli.main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert done.stderr == (
        "error: this command needs the screening extra (module 'duckdb' is not installed): "
        "pip install 'alkphos[screening]'\n"
    )


def test_the_extras_match_pyproject() -> None:
    """Every extra named here is one pyproject.toml declares."""
    import tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert set(EXTRAS) == set(declared["project"]["optional-dependencies"])


def test_require_and_extra_of() -> None:
    """The building blocks: nothing imported, a dotted name found by its top level."""
    require("api", "x", ("json",))
    with pytest.raises(MissingExtra, match=r"pip install 'alkphos\[report\]'"):
        require("report", "alkphos thing", ("no_such_module_alkphos",))
    assert extra_of("fhir.resources.R4B") == "api"
    assert extra_of("jinja2", preferred="report") == "report"
    assert extra_of("scipy.stats") == "intervals"
    assert extra_of("yaml") is None
    assert extra_of(None) is None
