"""The public API is curated, and the core stays light (heavy libraries load lazily)."""

from __future__ import annotations

import subprocess
import sys
from types import ModuleType

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
    """__all__ names every public attribute that is not a submodule (the httpx pattern)."""
    public = {
        name
        for name, value in vars(alkphos).items()
        if not name.startswith("_") and name != "annotations" and not isinstance(value, ModuleType)
    }
    assert public == set(alkphos.__all__) - {"__version__"}


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
