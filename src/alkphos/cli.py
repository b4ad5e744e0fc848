"""The ``alkphos`` command line: thin commands over the engine and the knowledge base.

Exit codes: 0 success; 2 bad input (one line ``error: ...`` on standard error, never a
traceback); 1 anything else.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, cast, get_args

import typer

from alkphos.errors import AlkphosError, InputError, closest
from alkphos.model.case import Setting

if TYPE_CHECKING:
    from alkphos.adapters.report.dates import DateOrder
    from alkphos.knowledge.loader import Knowledge
    from alkphos.model.interpretation import Interpretation
    from alkphos.model.report import ReportInterpretation

app = typer.Typer(
    name="alkphos",
    help="Interpret alkaline phosphatase (ALP) results.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
kb_app = typer.Typer(help="The knowledge base: export it or check it.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")
intervals_app = typer.Typer(
    help="A laboratory's own reference intervals, estimated from its data.",
    no_args_is_help=True,
)
app.add_typer(intervals_app, name="intervals")


class OutputFormat(StrEnum):
    """Output formats of ``interpret``."""

    json = "json"
    text = "text"
    jsonl = "jsonl"
    html = "html"
    pdf = "pdf"
    fhir = "fhir"


class IntervalsFormat(StrEnum):
    """Output formats of ``intervals estimate``."""

    text = "text"
    json = "json"
    jsonl = "jsonl"


class IntervalsMethod(StrEnum):
    """Methods of ``intervals estimate``."""

    indirect = "indirect"
    direct = "direct"


class ExportFormat(StrEnum):
    """Output formats of ``kb export``."""

    json = "json"


IntervalsOption = Annotated[
    Path | None,
    typer.Option(
        "--intervals",
        help="A laboratory's intervals file (alkphos-intervals/1 YAML): used in place of the "
        "knowledge base's intervals for the people it covers.",
        metavar="FILE",
    ),
]


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
        _write_file(out, (text if text.endswith("\n") else text + "\n").encode("utf-8"))


def _write_file(out: Path, data: bytes) -> None:
    """Write ``--out``; a folder or a path that cannot be written is one line, exit 2."""
    if out.is_dir():
        _fail(f"--out: {out} is a folder (a file name, e.g. {out / 'report'})")
    try:
        out.write_bytes(data)
    except OSError as exc:
        _fail(f"--out: cannot write {out} ({exc.strerror or exc})")


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
    fhir: Annotated[
        str | None,
        typer.Option(
            "--fhir",
            help="A FHIR R4 Bundle (JSON file, or '-') instead of a case.",
            metavar="BUNDLE",
        ),
    ] = None,
    setting: Annotated[
        str | None,
        typer.Option(
            help="Where the patient is seen: outpatient, emergency, inpatient or "
            "intensive_care (overrides the case's own).",
        ),
    ] = None,
    report: Annotated[
        str | None,
        typer.Option(
            "--report",
            help="A lab report (text or a text-layer PDF, or '-') instead of a case.",
            metavar="FILE",
        ),
    ] = None,
    age: Annotated[
        float | None, typer.Option(help="With --report: age in years at the latest result.")
    ] = None,
    birth_date: Annotated[
        str | None, typer.Option(help="With --report: birth date, YYYY-MM-DD.")
    ] = None,
    sex: Annotated[str | None, typer.Option(help="With --report: female, male or unknown.")] = None,
    pregnancy_week: Annotated[
        float | None,
        typer.Option(help="With --report: week of pregnancy at the latest result, if pregnant."),
    ] = None,
    date_order: Annotated[
        str | None,
        typer.Option(
            help="With --report: dmy or mdy, for dates such as 03/05/2024 the report leaves open."
        ),
    ] = None,
    intervals: IntervalsOption = None,
) -> None:
    """Interpret one case (or a batch of cases, a FHIR Bundle or a lab report) and print the
    interpretation."""
    from alkphos.adapters.case_json import read_case_text
    from alkphos.engine import default_as_of
    from alkphos.engine import interpret as run

    _require_for_interpret(output_format, fhir is not None)
    when = _as_of(as_of)
    place = _setting(setting)
    kb = _knowledge(intervals)
    patient = {
        key: value
        for key, value in (
            ("age_years", age),
            ("birth_date", birth_date),
            ("sex", sex),
            ("pregnancy_weeks", pregnancy_week),
        )
        if value is not None
    }
    if report is not None:
        if case is not None or fhir is not None or batch is not None:
            _fail("give a case file, --fhir, --batch or --report, not more than one")
        _interpret_report(report, patient, date_order, when, place, output_format, out, kb)
        return
    if patient or date_order is not None:
        _fail("--age, --birth-date, --sex, --pregnancy-week and --date-order go with --report")
    if batch is not None:
        if case is not None or fhir is not None:
            _fail("give a case file, --fhir or --batch, not more than one")
        raise typer.Exit(_run_batch(batch, when, out, kb))
    if case is not None and fhir is not None:
        _fail("give a case file or --fhir BUNDLE, not both")
    if case is None and fhir is None:
        _fail("no case given (a case JSON file, '-' for standard input, --fhir or --batch FILE)")
    patient_id = None
    try:
        if fhir is not None:
            result, patient_id = _interpret_fhir(_read_text(fhir), when, place, kb)
        else:
            assert case is not None
            parsed = read_case_text(_read_text(case))
            if place is not None:
                parsed = parsed.model_copy(update={"setting": place})
            result = run(parsed, as_of=when or default_as_of(parsed) or date.today(), kb=kb)
    except AlkphosError as exc:
        _fail(str(exc))
    if output_format is OutputFormat.fhir:
        from alkphos.adapters.fhir import interpretation_bundle
        from alkphos.engine import knowledge

        bundle = interpretation_bundle(result, knowledge(), patient_id)
        _write(json.dumps(bundle, indent=2, ensure_ascii=False), out)
    elif output_format is OutputFormat.text:
        from alkphos.render.text import render_text

        _write(render_text(result), out)
    elif output_format in (OutputFormat.html, OutputFormat.pdf):
        _write_report(result, output_format, out)
    else:
        indent = None if output_format is OutputFormat.jsonl else 2
        _write(result.model_dump_json(indent=indent), out)


def _interpret_report(
    path: str,
    patient: Mapping[str, object],
    date_order: str | None,
    when: date | None,
    place: Setting | None,
    output_format: OutputFormat,
    out: Path | None,
    kb: Knowledge,
) -> None:
    """``interpret --report``: read the report, interpret it, and show what was read first."""
    from alkphos.adapters.report.case import interpret_report
    from alkphos.adapters.report.document import MAX_BYTES, is_pdf, report_text

    if output_format in (OutputFormat.fhir, OutputFormat.jsonl):
        _fail(f"--report gives json, text, html or pdf, not {output_format.value}")
    if date_order not in (None, "dmy", "mdy"):
        _fail(f"--date-order: '{date_order}' is not accepted (dmy, mdy)")
    data = _read_bytes(path, MAX_BYTES + 1)
    name = "standard input" if path == "-" else path
    try:
        if is_pdf(data):
            from alkphos.extras import require

            require("report", "alkphos interpret --report on a PDF", ("pdfplumber",))
        text = report_text(data, name)
        case_patient = dict(patient)
        read = interpret_report(
            text,
            case_patient,
            kb,
            date.today(),
            as_of=when,
            date_order=cast("DateOrder | None", date_order),
            setting=place,
        )
    except AlkphosError as exc:
        _fail(str(exc))
    if output_format is OutputFormat.text:
        from alkphos.render.reading import render_report_text

        _write(render_report_text(read), out)
    elif output_format in (OutputFormat.html, OutputFormat.pdf):
        _write_report(read.interpretation, output_format, out, read)
    else:
        _write(read.model_dump_json(indent=2), out)


def _read_bytes(path: str, limit: int) -> bytes:
    """At most ``limit`` bytes of a file or standard input (enough to tell it is too big)."""
    if path == "-":
        return sys.stdin.buffer.read(limit)
    try:
        with Path(path).open("rb") as handle:
            return handle.read(limit)
    except OSError as exc:
        _fail(f"{path}: cannot read the file ({exc.strerror or exc})")


def _require_screening(command: str, engine: str, *extras: str) -> None:
    """Stop with one line when the screening extra (pyspark for Spark, or ``extras``) that
    ``command`` needs is not installed."""
    from alkphos.extras import MissingExtra, require

    try:
        require("screening", command, ("ibis", "duckdb", "pyarrow", "pandas"))
        for extra in extras:
            require(extra, command)
        if engine == "spark":
            require("screening", f"{command} --engine spark", ("pyspark",))
    except MissingExtra as exc:
        _fail(str(exc))


def _knowledge(intervals: Path | None) -> Knowledge:
    """The bundled knowledge base, with a laboratory's intervals file in use if given."""
    from alkphos.engine import knowledge

    if intervals is None:
        return knowledge()
    from alkphos.intervals.labfile import load_file
    from alkphos.intervals.use import resolve, uncovered

    try:
        kb = resolve(intervals, knowledge())
    except AlkphosError as exc:
        _fail(f"--intervals: {exc}")
    for gap in uncovered(load_file(intervals)):
        typer.echo(f"note: --intervals: {gap}", err=True)
    return kb


def _require_for_interpret(output_format: OutputFormat, reads_fhir: bool) -> None:
    """Stop with one line when the extra a chosen input or output needs is missing."""
    from alkphos.extras import MissingExtra, require

    try:
        if reads_fhir:
            require("api", "alkphos interpret --fhir", ("fhir", "fhir_core"))
        if output_format is OutputFormat.fhir:
            require("api", "alkphos interpret --format fhir", ("fhir", "fhir_core"))
        elif output_format is OutputFormat.html:
            require("report", "alkphos interpret --format html", ("jinja2",))
        elif output_format is OutputFormat.pdf:
            require("report", "alkphos interpret --format pdf")
    except MissingExtra as exc:
        _fail(str(exc))


def _setting(text: str | None) -> Setting | None:
    if text is None:
        return None
    choices = get_args(Setting)
    if text not in choices:
        hint = closest(text, list(choices))
        _fail(
            f"--setting: unknown setting '{text}' (accepted: {', '.join(choices)})"
            + (f"; did you mean '{hint}'?" if hint else "")
        )
    return cast("Setting", text)


def _interpret_fhir(
    text: str, when: date | None, setting: Setting | None, kb: Knowledge
) -> tuple[Interpretation, str | None]:
    from alkphos.adapters.case_json import load_json
    from alkphos.adapters.fhir import interpret_fhir, read_bundle

    read = read_bundle(load_json(text), kb)
    if setting is not None and read.case is not None:
        read.case["setting"] = setting
    result = interpret_fhir(read, as_of=when or read.latest or date.today(), kb=kb)
    return result, read.patient_id


def _write_report(
    result: Interpretation,
    output_format: OutputFormat,
    out: Path | None,
    report: ReportInterpretation | None = None,
) -> None:
    from alkphos.engine import knowledge

    today = date.today()
    if output_format is OutputFormat.html:
        from alkphos.report.html import render_report

        _write(render_report(result, knowledge(), today, report=report), out)
        return
    if out is None:
        _fail("--format pdf needs --out FILE (a PDF is not printed to the terminal)")
    from alkphos.report.pdf import render_pdf

    _write_file(out, render_pdf(result, knowledge(), today, report))


def _run_batch(batch: Path, when: date | None, out: Path | None, kb: Knowledge) -> int:
    from alkphos.adapters.case_json import read_case_text
    from alkphos.engine import default_as_of
    from alkphos.engine import interpret as run

    try:
        lines = batch.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"{batch}: cannot read the file ({exc})")
    failed = 0
    if out is not None:
        _write_file(out, b"")  # a folder or an unwritable path fails before any work
    sink = out.open("w", encoding="utf-8") if out else sys.stdout
    try:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                parsed = read_case_text(line)
                result = run(parsed, as_of=when or default_as_of(parsed) or date.today(), kb=kb)
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


class Auth(StrEnum):
    """Authentication of ``serve``."""

    none = "none"
    jwt = "jwt"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    auth: Annotated[
        Auth, typer.Option(help="none: loopback only; jwt: CDS Hooks client JWTs on every call.")
    ] = Auth.none,
    jwks: Annotated[
        Path | None, typer.Option(help="JWK Set file with the clients' public keys (--auth jwt).")
    ] = None,
    issuer: Annotated[
        list[str] | None, typer.Option(help="An allowed JWT issuer (repeat for more).")
    ] = None,
    public_url: Annotated[
        str | None, typer.Option(help="Base URL clients call, behind a proxy (JWT aud, links).")
    ] = None,
    db: Annotated[
        Path | None, typer.Option(help="SQLite file for feedback and card links.")
    ] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1)] = 1,
    frame_ancestor: Annotated[
        list[str] | None,
        typer.Option(help="An origin allowed to embed the web page (repeat for more)."),
    ] = None,
    intervals: IntervalsOption = None,
    web_form: Annotated[
        bool | None,
        typer.Option(
            "--web-form/--no-web-form",
            help="Serve the case form to anyone who reaches the service (default: on with "
            "--auth none, off with --auth jwt; card links open either way).",
        ),
    ] = None,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            help="Another name clients call the service by (Host; repeat for more). "
            "The --public-url host, the listening address and, on loopback, localhost "
            "are allowed already."
        ),
    ] = None,
) -> None:
    """Start the service: REST API, FHIR R4 in and out, CDS Hooks 2.0."""
    from alkphos.extras import MissingExtra, require

    try:
        require("api", "alkphos serve")
    except MissingExtra as exc:
        _fail(str(exc))
    from alkphos.api.serve import run
    from alkphos.api.settings import Settings, default_db

    settings = Settings(
        host=host,
        port=port,
        auth=auth.value,
        jwks=jwks,
        issuers=tuple(issuer or ()),
        public_url=public_url,
        db=db or default_db(),
        frame_ancestors=tuple(frame_ancestor or ()),
        intervals=intervals,
        allowed_hosts=tuple(allowed_host or ()),
        web_form=web_form,
    )
    problems = settings.problems()
    if problems:
        _fail("; ".join(problems))
    if jwks is not None:
        from alkphos.api.security import load_jwks

        try:
            load_jwks(jwks)
        except ValueError as exc:
            _fail(str(exc))
    if intervals is not None:
        _knowledge(intervals)  # a bad file stops here with one line, before any worker starts
    base = settings.base_url()
    typer.echo(f"alkphos serving on {base} (CDS Hooks discovery: {base}/cds-services)", err=True)
    run(settings, workers=workers)


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


@app.command()
def screen(
    measurements: Annotated[
        Path | None,
        typer.Argument(
            metavar="INPUT",
            help="Flat measurements table (CSV or Parquet): person_id, test, value, unit, date "
            "[, reference_low, reference_high].",
        ),
    ] = None,
    persons: Annotated[
        Path | None,
        typer.Option(help="Persons table: person_id, birth_date or year_of_birth, sex."),
    ] = None,
    medications: Annotated[
        Path | None,
        typer.Option(help="Medications table: person_id, drug, start_date, end_date."),
    ] = None,
    conditions: Annotated[
        Path | None, typer.Option(help="Conditions table: person_id, code or name, date.")
    ] = None,
    omop: Annotated[
        Path | None,
        typer.Option(help="OMOP CDM 5.4: a folder of CSV or Parquet files, or a DuckDB file."),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Folder to write the results in.")] = None,
    engine: Annotated[str, typer.Option(help="duckdb (default) or spark.")] = "duckdb",
    spark_master: Annotated[
        str | None, typer.Option(help="Spark master URL (default: local[2]).")
    ] = None,
    criteria: Annotated[
        str, typer.Option(help="Definition of persistent: lln, tornero2020 or maman2016.")
    ] = "lln",
    as_of: Annotated[
        str | None,
        typer.Option(help="Date ages and windows are computed against (default: latest result)."),
    ] = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Also interpret each worklist person in full.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", help="No progress display and no summary line.")
    ] = False,
    intervals: IntervalsOption = None,
) -> None:
    """Screen a population for persistently low ALP that nobody followed up."""
    _require_screening("alkphos screen", engine)
    from alkphos.screening.command import ScreenOptions, run_screen

    options = ScreenOptions(
        measurements=measurements,
        persons=persons,
        medications=medications,
        conditions=conditions,
        omop=omop,
        out=out,
        engine=engine,
        spark_master=spark_master,
        criteria=criteria,
        as_of=_as_of(as_of),
        explain=explain,
        quiet=quiet,
        intervals=intervals,
    )
    try:
        run_screen(options)
    except AlkphosError as exc:
        _fail(str(exc))


@intervals_app.command("estimate")
def intervals_estimate(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE...", help="One-column CSV (header optional) or Parquet of numbers."
        ),
    ],
    output_format: Annotated[
        IntervalsFormat, typer.Option("--format", help="text, json or jsonl (one line per file).")
    ] = IntervalsFormat.text,
    method: Annotated[
        IntervalsMethod,
        typer.Option(
            help="indirect (routine values, at least 1,000) or direct (CLSI EP28-A3c, "
            "reference individuals, at least 120)."
        ),
    ] = IntervalsMethod.indirect,
    bootstrap: Annotated[
        int, typer.Option(min=0, help="Bootstrap resamples for the 90% confidence intervals.")
    ] = 50,
) -> None:
    """Estimate the reference interval (2.5th-97.5th percentiles) in each file of values."""
    from alkphos.extras import MissingExtra, require

    try:
        require("intervals", "alkphos intervals estimate")
    except MissingExtra as exc:
        _fail(str(exc))
    from alkphos.intervals.command import estimate_files, format_estimates

    try:
        estimates = estimate_files(files, method=method.value, bootstrap=bootstrap)
    except AlkphosError as exc:
        _fail(str(exc))
    _write(format_estimates(estimates, output_format.value), None)


@intervals_app.command("derive")
def intervals_derive(
    measurements: Annotated[
        Path | None,
        typer.Argument(
            metavar="INPUT",
            help="Flat measurements table (CSV or Parquet): person_id, test, value, unit, date.",
        ),
    ] = None,
    persons: Annotated[
        Path | None,
        typer.Option(help="Persons table: person_id, birth_date or year_of_birth, sex."),
    ] = None,
    omop: Annotated[
        Path | None,
        typer.Option(help="OMOP CDM 5.4: a folder of CSV or Parquet files, or a DuckDB file."),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Folder to write the results in.")] = None,
    engine: Annotated[str, typer.Option(help="duckdb (default) or spark.")] = "duckdb",
    spark_master: Annotated[
        str | None, typer.Option(help="Spark master URL (default: local[2]).")
    ] = None,
    partition: Annotated[
        str,
        typer.Option(
            help="Adult age bands: a width (10y, 5y) from the adult age, or cut points in "
            "years (18,40,60; the last band is open-ended). Children get the knowledge "
            "base's paediatric bands."
        ),
    ] = "10y",
    bootstrap: Annotated[
        int, typer.Option(min=0, help="Bootstrap resamples for the 90% confidence intervals.")
    ] = 50,
    origin: Annotated[
        str | None,
        typer.Option(help="Where the data came from, in words (default: the input's name)."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", help="No progress lines and no summary line.")
    ] = False,
) -> None:
    """Estimate ALP reference intervals per sex and age band from routine results."""
    _require_screening("alkphos intervals derive", engine, "intervals")
    from alkphos.intervals.derive import DeriveOptions, run_derive

    options = DeriveOptions(
        measurements=measurements,
        persons=persons,
        omop=omop,
        out=out,
        engine=engine,
        spark_master=spark_master,
        partition=partition,
        bootstrap=bootstrap,
        quiet=quiet,
        origin=origin,
    )
    try:
        run_derive(options)
    except AlkphosError as exc:
        _fail(str(exc))


class VerifyFormat(StrEnum):
    """Output formats of ``intervals verify``."""

    text = "text"
    json = "json"


class VerifySex(StrEnum):
    """The sex of ``intervals verify --sex``."""

    female = "female"
    male = "male"


@intervals_app.command("verify")
def intervals_verify(
    intervals: IntervalsOption = None,
    values: Annotated[
        Path | None,
        typer.Option(
            "--values",
            help="Values of healthy reference individuals (20 or more per stratum), in the "
            "order measured: the CLSI EP28-A3c transference rule.",
            metavar="FILE",
        ),
    ] = None,
    estimate: Annotated[
        Path | None,
        typer.Option(
            "--estimate",
            help="Routine results (1,000 or more per stratum): an indirect estimate, whose 90% "
            "confidence intervals the limits in use should fall in.",
            metavar="FILE",
        ),
    ] = None,
    sex: Annotated[
        VerifySex | None,
        typer.Option(help="With --age: one stratum, and one-column files of values."),
    ] = None,
    age: Annotated[
        float | None, typer.Option(min=0, max=130, help="Age in years (with --sex).")
    ] = None,
    analyte: Annotated[str, typer.Option(help="The analyte the values are of.")] = "alp",
    unit: Annotated[
        str | None, typer.Option(help="The values' unit (default: the analyte's own, U/L).")
    ] = None,
    output_format: Annotated[
        VerifyFormat, typer.Option("--format", help="text or json.")
    ] = VerifyFormat.text,
    bootstrap: Annotated[
        int, typer.Option(min=0, help="Bootstrap resamples of the indirect estimate's CIs.")
    ] = 50,
) -> None:
    """Check the intervals in use (the knowledge base's, or --intervals FILE's) against this
    laboratory's data: per stratum keep, replace (with what), or test 20 more.

    Files: without --sex/--age, CSVs with a header naming value, sex (female/male or F/M)
    and age (years), a stratum per interval in use; with --sex and --age, one-column files
    (as for 'intervals estimate') for that one stratum.
    """
    from alkphos.extras import MissingExtra, require

    try:
        require("intervals", "alkphos intervals verify")
    except MissingExtra as exc:
        _fail(str(exc))
    if values is None and estimate is None:
        _fail("nothing to verify against: give --values FILE, --estimate FILE or both")
    if (sex is None) != (age is None):
        _fail(
            "--sex and --age go together (one stratum); leave both out for files with "
            "columns value, sex and age"
        )
    kb = _knowledge(intervals)
    known = kb.find_analyte(analyte)
    if known is None:
        _fail(f"--analyte: '{analyte}' is not an analyte alkphos knows")
    factor = 1.0
    if unit is not None:
        from alkphos.units import normalise_spelling

        conversion = kb.unit_index[known].get(normalise_spelling(unit))
        if conversion is None:
            accepted = ", ".join(kb.accepted_units(known))
            _fail(f"--unit: '{unit}' is not a unit for {known} (accepted: {accepted})")
        factor = conversion.factor
    from alkphos.intervals.command import verify_files
    from alkphos.intervals.verify import format_verdicts

    try:
        verdicts = verify_files(
            kb,
            analyte=known,
            reference=values,
            routine=estimate,
            sex=sex.value if sex else None,
            age=age,
            factor=factor,
            bootstrap=bootstrap,
        )
    except AlkphosError as exc:
        _fail(str(exc))
    described = "the knowledge base's" + (
        f", and the laboratory's from {intervals} where it covers the person" if intervals else ""
    )
    in_use = {
        "description": described,
        "file": str(intervals) if intervals else None,
        "knowledge_version": kb.version,
    }
    _write(format_verdicts(verdicts, in_use, output_format.value), None)


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
        _missing_extra(exc)
        sys.stderr.write(
            f"error: internal error: {type(exc).__name__}: {exc} "
            "(set ALKPHOS_DEBUG=1 for details)\n"
        )
        sys.exit(1)


def _missing_extra(exc: Exception) -> None:
    """Exit 2 with one line when ``exc`` is an import of a module an extra brings (a path
    the commands' own checks did not foresee)."""
    if not isinstance(exc, ModuleNotFoundError):
        return
    from alkphos.extras import extra_of

    extra = extra_of(exc.name)
    if extra is not None:
        sys.stderr.write(
            f"error: this command needs the {extra} extra (module '{exc.name}' is not "
            f"installed): pip install 'alkphos[{extra}]'\n"
        )
        sys.exit(2)
