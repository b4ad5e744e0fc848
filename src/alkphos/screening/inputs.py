"""Read the data to screen into Ibis tables of one canonical shape.

Two inputs are understood:

* **flat tables** (CSV or Parquet): measurements (``person_id``, ``test``, ``value``, ``unit``,
  ``date``, optional ``reference_low``, ``reference_high``; the test and unit are also kept
  as written, ``test_raw``, ``unit_raw`` and, when it is text, ``date_raw``, for
  ``spellings``), persons (``person_id``,
  ``birth_date`` or ``year_of_birth``, ``sex``), and optional medications (``person_id``,
  ``drug``, ``start_date``, ``end_date``) and conditions (``person_id``, ``code`` and/or
  ``name``, ``date``);
* **OMOP CDM 5.4**: MEASUREMENT, PERSON, DRUG_EXPOSURE, CONDITION_OCCURRENCE and CONCEPT, as a
  folder of CSV files (upper-case names) or Parquet files (lower-case), or a DuckDB file.

The warts of real files are handled here: CSV is read as text and parsed explicitly (so
both engines agree), DECIMAL values become doubles, a date-time or a date-looking text
becomes a date, ``unit_concept_id`` 0 falls back to ``unit_source_value``, and a missing
reference range stays missing. Nothing is dropped here: a row that cannot be parsed keeps
nulls and is rejected later with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis  # type: ignore[import-untyped]  # noqa: TID253 - screening only

from alkphos.errors import InputError
from alkphos.knowledge.codes import SYSTEMS, family
from alkphos.screening.engines import Engine
from alkphos.screening.written_dates import with_written_dates

__all__ = [
    "MEASUREMENT_COLUMNS",
    "Sources",
    "clean_text",
    "parse_date",
    "read_flat",
    "read_omop",
    "written_text",
]

Table = Any
Column = Any

MEASUREMENT_COLUMNS = ("person_id", "test", "value", "unit", "date")
_OPTIONAL_MEASUREMENT = ("reference_low", "reference_high")
_OMOP_TABLES = ("measurement", "person", "drug_exposure", "condition_occurrence", "concept")
_FEMALE = ("f", "female", "woman", "w", "8532")
_MALE = ("m", "male", "man", "8507")
# OMOP vocabulary ids (lower-cased) -> the code family they are matched within.
_FAMILIES = {name: family(name) for name in SYSTEMS}


@dataclass(frozen=True)
class Sources:
    """The input tables in canonical form (see the module docstring of ``expressions``)."""

    measurements: Table
    persons: Table
    medications: Table | None
    conditions: Table | None
    concepts: Table | None
    description: str


# --------------------------------------------------------------------------- flat tables


def read_flat(
    engine: Engine,
    measurements: Path,
    persons: Path,
    medications: Path | None = None,
    conditions: Path | None = None,
) -> Sources:
    """Read the flat tables.

    Raises:
        InputError: a file is missing, of an unknown kind, or lacks a needed column.
    """
    raw = _read(engine, measurements)
    cols = _columns(raw, measurements, MEASUREMENT_COLUMNS, "", _OPTIONAL_MEASUREMENT)
    people = _read(engine, persons)
    pcols = _columns(
        people,
        persons,
        ("person_id", "sex"),
        "and birth_date or year_of_birth",
        ("birth_date", "year_of_birth"),
    )
    if "birth_date" not in pcols and "year_of_birth" not in pcols:
        raise InputError(
            str(persons),
            "missing column 'birth_date' (or 'year_of_birth')",
            "needs person_id, sex and birth_date or year_of_birth",
        )
    as_text = not (_is_integer(raw[cols["person_id"]]) and _is_integer(people[pcols["person_id"]]))
    written = {"date_raw": raw[cols["date"]]} if raw[cols["date"]].type().is_string() else {}
    m = raw.select(
        row_id=ibis.null("int64"),
        person_id=_person(raw[cols["person_id"]], as_text),
        test=clean_text(raw[cols["test"]]),
        concept_id=ibis.null("int64"),
        value=_number(raw[cols["value"]]),
        unit_concept_id=ibis.null("int64"),
        unit_text=clean_text(raw[cols["unit"]]),
        date=parse_date(raw[cols["date"]]),
        date_text=written_text(raw[cols["date"]]),
        range_low=_number(raw[cols["reference_low"]]) if "reference_low" in cols else _null(),
        range_high=_number(raw[cols["reference_high"]]) if "reference_high" in cols else _null(),
        test_raw=_as_text(raw[cols["test"]]),
        unit_raw=_as_text(raw[cols["unit"]]),
        **written,
    )
    if "birth_date" in pcols:
        written = people[pcols["birth_date"]]
        if written.type().is_string():  # 31.12.1970 or 12/31/1970 read once per distinct text
            people = with_written_dates(
                engine,
                people.mutate(alkphos_birth=parse_date(written)),
                pcols["birth_date"],
                "alkphos_birth",
            )
            birth = people.alkphos_birth
        else:
            birth = parse_date(written)
        if "year_of_birth" in pcols:
            birth = birth.fill_null(_mid_year(people[pcols["year_of_birth"]]))
    else:
        birth = _mid_year(people[pcols["year_of_birth"]])
    p = _one_row_per_person(
        people.select(
            person_id=_person(people[pcols["person_id"]], as_text),
            birth_date=birth,
            sex=_sex(people[pcols["sex"]]),
        )
    )
    meds = None
    if medications is not None:
        raw_meds = _read(engine, medications)
        mc = _columns(
            raw_meds, medications, ("person_id", "drug", "start_date"), "", ("end_date", "code")
        )
        meds = raw_meds.select(
            person_id=_person(raw_meds[mc["person_id"]], as_text),
            drug=clean_text(raw_meds[mc["drug"]]),
            code=clean_text(raw_meds[mc["code"]]) if "code" in mc else _null("string"),
            start_date=parse_date(raw_meds[mc["start_date"]]),
            end_date=parse_date(raw_meds[mc["end_date"]]) if "end_date" in mc else _null("date"),
        )
    conds = None
    if conditions is not None:
        raw_conds = _read(engine, conditions)
        cc = _columns(
            raw_conds, conditions, ("person_id",), "and code or name", ("code", "name", "date")
        )
        if "code" not in cc and "name" not in cc:
            raise InputError(
                str(conditions),
                "missing column 'code' (or 'name')",
                "needs person_id, code or name, date",
            )
        conds = raw_conds.select(
            person_id=_person(raw_conds[cc["person_id"]], as_text),
            code=clean_text(raw_conds[cc["code"]]) if "code" in cc else _null("string"),
            system=_null("string"),
            name=clean_text(raw_conds[cc["name"]]) if "name" in cc else _null("string"),
            date=parse_date(raw_conds[cc["date"]]) if "date" in cc else _null("date"),
        )
    return Sources(
        measurements=m,
        persons=p,
        medications=meds,
        conditions=conds,
        concepts=None,
        description=f"{measurements}{_renamed(cols)}"
        + (f"; persons {persons}{_renamed(pcols)}" if _renamed(pcols) else ""),
    )


# ------------------------------------------------------------------------------ OMOP CDM


def read_omop(engine: Engine, path: Path) -> Sources:
    """Read an OMOP CDM 5.4 database: a folder of CSV or Parquet files, or a DuckDB file.

    Raises:
        InputError: the path is missing, or MEASUREMENT or PERSON cannot be found.
    """
    tables = _omop_tables(engine, path)
    for needed in ("measurement", "person"):
        if needed not in tables:
            raise InputError(
                str(path),
                f"no {needed.upper()} table",
                "a folder with MEASUREMENT.csv or measurement.parquet (and PERSON, ...), "
                "or a DuckDB file with those tables",
            )
    raw = tables["measurement"]
    _columns(
        raw,
        path / "measurement",
        ("person_id", "measurement_concept_id", "value_as_number", "measurement_date"),
        "",
        (),
    )
    m = raw.select(
        row_id=_integer(raw.measurement_id) if "measurement_id" in raw.columns else _null("int64"),
        person_id=_integer(raw.person_id),
        test=clean_text(_optional(raw, "measurement_source_value", "string")),
        concept_id=_integer(raw.measurement_concept_id),
        value=_number(raw.value_as_number),
        unit_concept_id=_integer(_optional(raw, "unit_concept_id", "int64")),
        unit_text=clean_text(_optional(raw, "unit_source_value", "string")),
        date=parse_date(raw.measurement_date).fill_null(
            parse_date(_optional(raw, "measurement_datetime", "string"))
        ),
        date_text=written_text(raw.measurement_date),
        range_low=_number(_optional(raw, "range_low", "float64")),
        range_high=_number(_optional(raw, "range_high", "float64")),
    )
    person = tables["person"]
    birth = parse_date(_optional(person, "birth_datetime", "string")).fill_null(
        ibis.date(
            _integer(person.year_of_birth),
            _integer(_optional(person, "month_of_birth", "int64")).fill_null(7),
            ibis.ifelse(
                _integer(_optional(person, "month_of_birth", "int64")).isnull(),
                1,
                _integer(_optional(person, "day_of_birth", "int64")).fill_null(15),
            ),
        )
    )
    gender = _integer(_optional(person, "gender_concept_id", "int64")).cast("string")
    p = person.select(
        person_id=_integer(person.person_id),
        birth_date=birth,
        sex=_sex(
            ibis.ifelse(
                gender.isin(("8532", "8507")),
                gender,
                clean_text(_optional(person, "gender_source_value", "string")),
            )
        ),
    )
    concepts = None
    if "concept" in tables:
        c = tables["concept"]
        concepts = c.select(
            concept_id=_integer(c.concept_id),
            vocabulary=clean_text(c.vocabulary_id),
            code=clean_text(c.concept_code),
            name=clean_text(c.concept_name),
        )
    meds = _omop_drugs(tables.get("drug_exposure"), concepts)
    conds = _omop_conditions(tables.get("condition_occurrence"), concepts)
    return Sources(
        measurements=m,
        persons=p,
        medications=meds,
        conditions=conds,
        concepts=concepts,
        description=str(path),
    )


def _one_row_per_person(persons: Table) -> Table:
    """A person listed twice keeps one row: the birth date and sex the rows agree on, else
    unknown (null birth date, sex 'unknown'), never a guess."""
    g = persons.group_by("person_id").aggregate(
        first_birth=persons.birth_date.min(),
        last_birth=persons.birth_date.max(),
        first_sex=persons.sex.min(),
        last_sex=persons.sex.max(),
    )
    return g.select(
        "person_id",
        birth_date=ibis.ifelse(g.first_birth == g.last_birth, g.first_birth, _null("date")),
        sex=ibis.ifelse(g.first_sex == g.last_sex, g.first_sex, "unknown"),
    )


def _omop_drugs(drugs: Table | None, concepts: Table | None) -> Table | None:
    if drugs is None:
        return None
    d = drugs.select(
        person_id=_integer(drugs.person_id),
        concept_id=_integer(drugs.drug_concept_id),
        source=clean_text(_optional(drugs, "drug_source_value", "string")),
        start_date=parse_date(drugs.drug_exposure_start_date),
        end_date=parse_date(_optional(drugs, "drug_exposure_end_date", "string")),
    )
    if concepts is None:
        return d.select(
            "person_id",
            drug=d.source,
            code=_null("string"),
            start_date=d.start_date,
            end_date=d.end_date,
        )
    joined = d.left_join(concepts, d.concept_id == concepts.concept_id)
    return joined.select(
        "person_id",
        drug=joined.name.fill_null(joined.source),
        code=ibis.ifelse(joined.vocabulary == "RxNorm", joined.code, _null("string")),
        start_date=joined.start_date,
        end_date=joined.end_date,
    )


def _omop_conditions(conditions: Table | None, concepts: Table | None) -> Table | None:
    if conditions is None:
        return None
    c = conditions.select(
        person_id=_integer(conditions.person_id),
        concept_id=_integer(conditions.condition_concept_id),
        source=clean_text(_optional(conditions, "condition_source_value", "string")),
        date=parse_date(conditions.condition_start_date),
    )
    if concepts is None:
        return c.select(
            "person_id", code=c.source, system=_null("string"), name=_null("string"), date=c.date
        )
    joined = c.left_join(concepts, c.concept_id == concepts.concept_id)
    system = joined.vocabulary.lower().substitute(_FAMILIES, else_=_null("string"))
    return joined.select(
        "person_id",
        code=ibis.ifelse(system.notnull(), joined.code, joined.source),
        system=system,
        name=joined.name,
        date=joined.date,
    )


def _omop_tables(engine: Engine, path: Path) -> dict[str, Table]:
    if not path.exists():
        raise InputError(str(path), "no such file or folder", "an OMOP folder or DuckDB file")
    if path.is_file():
        return _duckdb_file(engine, path)
    found: dict[str, Table] = {}
    entries = {entry.name.lower(): entry for entry in path.iterdir()}
    for table in _OMOP_TABLES:
        for suffix in (".parquet", ".csv", ""):
            entry = entries.get(table + suffix)
            if entry is None or (suffix == "" and not entry.is_dir()):
                continue
            found[table] = (
                engine.read_csv(entry) if suffix == ".csv" else engine.read_parquet(entry)
            )
            break
    return found


def _duckdb_file(engine: Engine, path: Path) -> dict[str, Table]:
    import duckdb

    try:
        probe = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise InputError(
            str(path), f"not a DuckDB database ({exc})", "an OMOP folder or DuckDB file"
        ) from exc
    try:
        names = {row[0].lower(): row[0] for row in probe.sql("SHOW TABLES").fetchall()}
        wanted = {t: names[t] for t in _OMOP_TABLES if t in names}
        if engine.name == "spark":
            # Spark cannot read a DuckDB file: hand it Parquet copies of the tables.
            found = {}
            for table, real in wanted.items():
                target = engine.scratch / f"{table}.parquet"
                probe.sql(f"COPY (SELECT * FROM \"{real}\") TO '{target}' (FORMAT parquet)")
                found[table] = engine.read_parquet(target)
            return found
    finally:
        probe.close()
    alias = "omop_source"
    engine.con.raw_sql(f"ATTACH '{path}' AS {alias} (READ_ONLY)")
    return {table: engine.table(real, (alias, "main")) for table, real in wanted.items()}


# ------------------------------------------------------------------------------- helpers


def _read(engine: Engine, path: Path) -> Table:
    if not path.exists():
        raise InputError(str(path), "no such file", "a CSV or Parquet file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return engine.read_csv(path)
    if suffix in (".parquet", ".pq") or path.is_dir():
        return engine.read_parquet(path)
    raise InputError(str(path), f"unknown kind of file '{path.name}'", "a .csv or .parquet file")


# Other names exports give the flat tables' columns (lower case; spaces and hyphens read as
# underscores). A column is found by its own name first, else by the one synonym present.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "person_id": ("patient_id", "subject_id", "patient", "pid", "mrn", "person"),
    "test": ("test_name", "analyte", "lab_test", "test_code", "component", "loinc"),
    "value": ("result", "result_value", "value_as_number", "numeric_result", "result_numeric"),
    "unit": ("units", "uom", "unit_of_measure", "result_unit", "result_units"),
    "date": (
        "collection_date",
        "collected_date",
        "collected",
        "specimen_date",
        "sample_date",
        "result_date",
        "measurement_date",
        "observation_date",
    ),
    "reference_low": ("ref_low", "range_low", "reference_range_low", "normal_low"),
    "reference_high": ("ref_high", "range_high", "reference_range_high", "normal_high"),
    "sex": ("gender", "sex_at_birth"),
    "birth_date": ("date_of_birth", "dob", "birthdate"),
    "year_of_birth": ("birth_year", "yob"),
    "drug": ("medication", "drug_name", "medicine"),
    "start_date": ("drug_exposure_start_date", "start"),
    "end_date": ("drug_exposure_end_date", "stop", "end"),
    "name": ("condition", "condition_name", "diagnosis"),
}


def _key(name: str) -> str:
    return "_".join(name.lower().replace("-", " ").split())


def _columns(
    table: Table, path: Path, required: tuple[str, ...], extra: str, optional: tuple[str, ...]
) -> dict[str, str]:
    """Map wanted column names (case-insensitive, or a synonym exports use) to the table's
    own names.

    Raises:
        InputError: a required column is missing, or two synonyms could both be it.
    """
    present = {_key(name): name for name in table.columns}
    found: dict[str, str] = {}
    for wanted in (*required, *optional):
        if wanted in present:
            found[wanted] = present[wanted]
            continue
        candidates = [present[other] for other in _SYNONYMS.get(wanted, ()) if other in present]
        if len(candidates) > 1:
            both = " and ".join(f"'{name}'" for name in candidates)
            raise InputError(
                str(path),
                f"columns {both} could each be '{wanted}'",
                f"one column named '{wanted}' (rename the one to use)",
            )
        if candidates:
            found[wanted] = candidates[0]
    for name in required:
        if name not in found:
            needs = ", ".join(required) + (f" {extra}" if extra else "")
            options = f"; optional: {', '.join(optional)}" if optional and not extra else ""
            also = _SYNONYMS.get(name, ())
            named = f"; '{name}' may also be named {', '.join(also)}" if also else ""
            raise InputError(
                str(path), f"missing column '{name}'", f"needs {needs}{options}{named}"
            )
    return found


def _renamed(mapping: dict[str, str]) -> str:
    """The columns read under another name, for the input's description."""
    pairs = [
        f"{wanted} = '{actual}'" for wanted, actual in mapping.items() if _key(actual) != wanted
    ]
    return f" (columns read as {', '.join(pairs)})" if pairs else ""


def _optional(table: Table, name: str, kind: str) -> Column:
    return table[name] if name in table.columns else ibis.null(kind)


def _null(kind: str = "float64") -> Column:
    return ibis.null(kind)


def _is_integer(column: Column) -> bool:
    return bool(column.type().is_integer())


def _person(column: Column, as_text: bool) -> Column:
    if as_text:
        return column.cast("string").strip()
    return column.cast("int64")


def _integer(column: Column) -> Column:
    kind = column.type()
    if kind.is_string():
        text = column.strip()
        return text.try_cast("int64").fill_null(text.try_cast("float64").cast("int64"))
    return column.cast("int64")


def _number(column: Column) -> Column:
    kind = column.type()
    if kind.is_string():
        return column.strip().try_cast("float64")
    return column.cast("float64")


def clean_text(column: Column) -> Column:
    """Text as screening reads it: trimmed, an empty text as null."""
    kind = column.type()
    text = column if kind.is_string() else column.cast("string")
    stripped = text.strip()
    return ibis.ifelse(stripped == "", _null("string"), stripped)


def _as_text(column: Column) -> Column:
    """A column as it was written, as text: what ``spellings`` matches once per value."""
    return column if column.type().is_string() else column.cast("string")


def written_text(column: Column) -> Column:
    """The text of a column that may fail to parse (null when it is typed: nothing to show)."""
    return clean_text(column) if column.type().is_string() else _null("string")


def parse_date(column: Column) -> Column:
    """A date column, or the date of a date-time, or the date a text starts with (ISO)."""
    kind = column.type()
    if kind.is_date():
        return column
    if kind.is_timestamp():
        return column.date()
    if kind.is_string():
        text = column.strip()
        # only a year in full, dash-separated: DuckDB would read 04/05/24 as 0004-05-24
        iso = text.re_search(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
        return ibis.ifelse(iso, text.substr(0, 10).try_cast("date"), _null("date"))
    return _null("date")


def _mid_year(column: Column) -> Column:
    return ibis.date(_integer(column), 7, 1)


def _sex(column: Column) -> Column:
    key = column.cast("string").strip().lower()
    return ibis.cases((key.isin(_FEMALE), "female"), (key.isin(_MALE), "male"), else_="unknown")
