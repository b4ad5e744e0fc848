"""Which optional extra each command needs, and one clear line when it is not installed.

``pip install alkphos`` installs the core (``interpret``, ``kb``, ``schema``); the service,
screening and the reports come with extras. A command whose extra is missing says which
one to install instead of failing on an import deep inside.
"""

from __future__ import annotations

from importlib.util import find_spec

from alkphos.errors import AlkphosError

__all__ = ["EXTRAS", "MissingExtra", "extra_of", "require"]

# The modules each extra brings (pyproject.toml [project.optional-dependencies]), by the
# name they are imported under.
EXTRAS: dict[str, tuple[str, ...]] = {
    "api": (
        "fastapi",
        "starlette",
        "uvicorn",
        "fhir",
        "fhir_core",
        "httpx",
        "jwt",
        "jinja2",
        "multipart",
        "uvloop",
        "httptools",
    ),
    "screening": ("ibis", "duckdb", "pyarrow", "pandas", "pyspark"),
    "intervals": ("numpy", "scipy"),
    "report": ("jinja2", "weasyprint", "pdfplumber"),
}


class MissingExtra(AlkphosError):
    """A command needs an extra that is not installed (the CLI exits with code 2)."""

    def __init__(self, what: str, extra: str, module: str) -> None:
        self.extra = extra
        self.module = module
        super().__init__(
            f"{what} needs the {extra} extra (module '{module}' is not installed): "
            f"pip install 'alkphos[{extra}]'"
        )


def _installed(module: str) -> bool:
    try:
        return find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def require(extra: str, what: str, modules: tuple[str, ...] | None = None) -> None:
    """Raise ``MissingExtra`` unless the modules of ``extra`` (or the given subset) are
    installed; nothing is imported."""
    for module in modules or EXTRAS[extra]:
        if not _installed(module):
            raise MissingExtra(what, extra, module)


def extra_of(module: str | None, preferred: str | None = None) -> str | None:
    """The extra that brings ``module`` (a dotted name is looked up by its top level),
    ``preferred`` when several do."""
    if not module:
        return None
    top = module.split(".", 1)[0]
    owners = [extra for extra, modules in EXTRAS.items() if top in modules]
    if preferred in owners:
        return preferred
    return owners[0] if owners else None
