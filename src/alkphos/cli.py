"""The ``alkphos`` command line: thin commands over the engine and the knowledge base.

Exit codes: 0 success; 2 bad input (one line ``error: ...`` on standard error, never a
traceback); 1 anything else.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from alkphos.errors import AlkphosError, InputError

if TYPE_CHECKING:
    from alkphos.model.interpretation import Interpretation

app = typer.Typer(
    name="alkphos",
    help="Interpret alkaline phosphatase (ALP) results.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
kb_app = typer.Typer(help="The knowledge base: export it or check it.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")


class OutputFormat(StrEnum):
    """Output formats of ``interpret``."""

    json = "json"
    text = "text"
    jsonl = "jsonl"
    html = "html"
    pdf = "pdf"


class ExportFormat(StrEnum):
    """Output formats of ``kb export``."""

    json = "json"


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        _fail(f"{path}: cannot read the file ({exc.strerror or exc})")
    except UnicodeDecodeError:
        _fail(f"{path}: not UTF-8 text (a JSON case file)")


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        _fail(f"--as-of: not a date: '{text}' (an ISO 8601 date such as 2024-05-31)")


def _write(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        out.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


@app.command()
def interpret(
    case: Annotated[
        str | None, typer.Argument(help="A case JSON file, or '-' for standard input.")
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.json,
    batch: Annotated[
        Path | None, typer.Option(help="A JSON Lines file: one case per line.")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(help="Interpretation date (default: the latest result date, else today)."),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")] = None,
) -> None:
    """Interpret one case (or a batch of cases) and print the interpretation."""
    from alkphos.adapters.case_json import read_case_text
    from alkphos.engine import default_as_of
    from alkphos.engine import interpret as run

    when = _as_of(as_of)
    if batch is not None:
        if case is not None:
            _fail("give a case file or --batch, not both")
        raise typer.Exit(_run_batch(batch, when, out))
    if case is None:
        _fail("no case given (a case JSON file, '-' for standard input, or --batch FILE)")
    try:
        parsed = read_case_text(_read_text(case))
        result = run(parsed, as_of=when or default_as_of(parsed) or date.today())
    except AlkphosError as exc:
        _fail(str(exc))
    if output_format is OutputFormat.text:
        from alkphos.render.text import render_text

        _write(render_text(result), out)
    elif output_format in (OutputFormat.html, OutputFormat.pdf):
        _write_report(result, output_format, out)
    else:
        indent = None if output_format is OutputFormat.jsonl else 2
        _write(result.model_dump_json(indent=indent), out)


def _write_report(result: Interpretation, output_format: OutputFormat, out: Path | None) -> None:
    from alkphos.engine import knowledge

    today = date.today()
    if output_format is OutputFormat.html:
        from alkphos.report.html import render_report

        _write(render_report(result, knowledge(), today), out)
        return
    if out is None:
        _fail("--format pdf needs --out FILE (a PDF is not printed to the terminal)")
    from alkphos.report.pdf import render_pdf

    out.write_bytes(render_pdf(result, knowledge(), today))


def _run_batch(batch: Path, when: date | None, out: Path | None) -> int:
    from alkphos.adapters.case_json import read_case_text
    from alkphos.engine import default_as_of
    from alkphos.engine import interpret as run

    try:
        lines = batch.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"{batch}: cannot read the file ({exc})")
    failed = 0
    sink = out.open("w", encoding="utf-8") if out else sys.stdout
    try:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                parsed = read_case_text(line)
                result = run(parsed, as_of=when or default_as_of(parsed) or date.today())
                sink.write(result.model_dump_json() + "\n")
            except AlkphosError as exc:
                failed += 1
                sink.write(json.dumps({"line": number, "error": str(exc)}) + "\n")
    finally:
        if out:
            sink.close()
    if failed:
        typer.echo(f"error: {failed} of the batch's cases could not be interpreted", err=True)
    return 2 if failed else 0


@app.command()
def schema() -> None:
    """Print the JSON Schema of the case input."""
    from alkphos.model.schema import case_json_schema

    _write(json.dumps(case_json_schema(), indent=2), None)


@kb_app.command("export")
def kb_export(
    output_format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ExportFormat.json,
    out: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")] = None,
) -> None:
    """Print the whole knowledge base with its citations."""
    from alkphos.engine import knowledge
    from alkphos.knowledge.export import export_knowledge

    try:
        data = export_knowledge(knowledge())
    except AlkphosError as exc:
        _fail(str(exc))
    _write(json.dumps(data, indent=2, ensure_ascii=False), out)


@kb_app.command("validate")
def kb_validate(
    data: Annotated[
        Path | None, typer.Option(help="A knowledge folder to check (default: the bundled one).")
    ] = None,
) -> None:
    """Check the knowledge base: schemas, cross-references, predicates, intervals."""
    from alkphos.knowledge.loader import build_knowledge, data_dir
    from alkphos.rules.evidence import check_predicates

    try:
        kb = build_knowledge(data or data_dir(), version="validate")
        check_predicates(kb)
    except AlkphosError as exc:
        _fail(str(exc))
    counts = ", ".join(
        f"{len(table)} {name}"
        for name, table in (
            ("analytes", kb.analytes),
            ("causes", kb.causes),
            ("tests", kb.tests),
            ("findings", kb.findings),
            ("flags", kb.flags),
            ("drugs", kb.drugs),
            ("citations", kb.citations),
        )
    )
    typer.echo(f"knowledge base is valid: {counts}")


def main() -> None:
    """Entry point of the ``alkphos`` console script."""
    try:
        app()
    except InputError as exc:  # pragma: no cover - commands already turn these into exits
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(2)
    except KeyboardInterrupt:  # pragma: no cover
        sys.stderr.write("error: interrupted\n")
        sys.exit(1)
    except Exception as exc:
        if os.environ.get("ALKPHOS_DEBUG"):
            raise
        sys.stderr.write(
            f"error: internal error: {type(exc).__name__}: {exc} "
            "(set ALKPHOS_DEBUG=1 for details)\n"
        )
        sys.exit(1)
