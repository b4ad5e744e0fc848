"""The public API is curated, and the core stays light (heavy libraries load lazily)."""

from __future__ import annotations

import subprocess
import sys

import alkphos

HEAVY = (
    "fastapi",
    "uvicorn",
    "ibis",
    "duckdb",
    "pyspark",
    "pandas",
    "weasyprint",
    "jinja2",
    "fhir",
    "httpx",
    "pint",
    "numpy",
    "rich",
)


def test_all_lists_exactly_the_public_names() -> None:
    """__all__ is sorted and names every public attribute (the httpx pattern)."""
    public = sorted(
        name for name in vars(alkphos) if not name.startswith("_") and name != "annotations"
    )
    public = [
        name
        for name in public
        if name
        not in {"adapters", "engine", "errors", "facts", "knowledge", "model", "rules", "units"}
    ]
    assert set(public) == set(alkphos.__all__) - {"__version__"}


def test_interpret_imports_no_heavy_library() -> None:
    """Interpreting a case (with a warm knowledge cache) imports no heavy library."""
    code = (
        "import sys, alkphos.cli\n"
        "from alkphos import interpret\n"
        "interpret({'patient': {}, 'results': [{'test': 'ALP', 'value': 1.2, "
        "'unit': 'ukat/L', 'date': '2024-01-02'}]})\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))"
    )
    subprocess.run([sys.executable, "-c", "import alkphos; alkphos.load_knowledge()"], check=True)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
