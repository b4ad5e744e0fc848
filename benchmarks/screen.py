"""Screening speed: ``alkphos screen`` on OMOP and on flat tables, against hand-written SQL.

Generates a synthetic OMOP CDM database (MEASUREMENT of N rows, default 10 million, with
several analytes, a realistic ALP distribution by age and sex, about 0.2% of persons
persistently low, some ALP rows in µkat/L and a few bad rows; PERSON; CONCEPT; a small
DRUG_EXPOSURE) with DuckDB SQL, straight to Parquet; with ``--input flat``, also the same
data as flat tables (tests as LOINC codes and several names, units and dates spelled the
ways exports spell them, the bad rows as empty, blank or impossible texts). Then, in the
same run and each in its own process, it times:

1. ``alkphos screen --omop DIR --criteria tornero2020 --quiet`` (DuckDB engine);
2. with ``--input flat``, ``alkphos screen MEASUREMENTS --persons ... --medications ...``;
3. a hand-written DuckDB SQL script doing the same work as ``screen`` (unit conversion,
   checks, de-duplication, age/sex intervals, rejects, the tornero2020 rule);
4. a minimal hand-written query of the tornero2020 rule alone (a reference line);
5. the floors: reading every column screening reads (OMOP; with ``--input flat``, flat),
   each value touched once and nothing else done;

and prints wall time, rows/s and peak memory (the child's maximum resident set size) of
each, and the ratios. It also checks that all find the same persons.

Goals on a 2-core machine: 100 M rows in < 30 s with peak memory < 4 GB (OMOP and flat);
flat rows/s at least 90% of OMOP rows/s; within 1.5x the full hand-written script.

    python benchmarks/screen.py                          # 10 million OMOP rows
    python benchmarks/screen.py --input flat --rows 100000000
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

ALP_CONCEPT = 3035995
U_PER_L, UKAT_PER_L, MMOL_PER_L, G_PER_DL, MG_PER_DL, MIU_PER_L = (
    8645,
    44777578,
    8753,
    8713,
    8840,
    9550,
)
# (concept_id, LOINC, name, unit concept, median, spread, share of rows)
ANALYTES = [
    (ALP_CONCEPT, "6768-6", "Alkaline phosphatase", U_PER_L, 75.0, 0.25, 0.20),
    (3006923, "1742-6", "Alanine aminotransferase", U_PER_L, 22.0, 0.4, 0.16),
    (3013721, "1920-8", "Aspartate aminotransferase", U_PER_L, 24.0, 0.35, 0.14),
    (3024561, "1751-7", "Albumin", G_PER_DL, 4.2, 0.08, 0.12),
    (3016723, "2160-0", "Creatinine", MG_PER_DL, 0.9, 0.2, 0.16),
    (3019550, "2951-2", "Sodium", MMOL_PER_L, 140.0, 0.02, 0.16),
    (3001420, "19123-9", "Magnesium", MG_PER_DL, 2.0, 0.1, 0.03),
    (3019170, "3016-3", "Thyrotropin", MIU_PER_L, 1.8, 0.5, 0.03),
]
UNITS = [
    (U_PER_L, "U/L"),
    (UKAT_PER_L, "ukat/L"),
    (MMOL_PER_L, "mmol/L"),
    (G_PER_DL, "g/dL"),
    (MG_PER_DL, "mg/dL"),
    (MIU_PER_L, "m[IU]/L"),
]
# Spellings of each test as flat exports write them: (concept_id, [spellings])
FLAT_TESTS = {
    ALP_CONCEPT: [
        "6768-6",
        "ALP",
        "Alkaline phosphatase",
        "ALK PHOS",
        "alkaline phosphatase",
        " Alk Phos ",
        "ALKALINE  PHOSPHATASE",
        "Alk. Phos.",
    ],
    3006923: ["1742-6", "ALT", "Alanine aminotransferase"],
    3013721: ["1920-8", "AST", "Aspartate aminotransferase"],
    3024561: ["1751-7", "Albumin", "ALB", "albumin "],
    3016723: ["2160-0", "Creatinine", "CREA"],
    3019550: ["2951-2", "Sodium", "NA+"],
    3001420: ["19123-9", "Magnesium", "Mg", "MAGNESIUM"],
    3019170: ["3016-3", "TSH", "Thyrotropin"],
}
# Spellings of each unit concept (the knowledge base's unit matching: case, spaces, micro).
FLAT_UNITS = {
    U_PER_L: ["U/L", "IU/L", "u/l", "U / L", "iu/l", " U/L"],
    UKAT_PER_L: ["ukat/L", "µkat/L", "μkat/L", "µkat/l", "UKAT/L"],
    MMOL_PER_L: ["mmol/L", "mmol/l", "MMOL/L"],
    G_PER_DL: ["g/dL", "g/dl", "G/DL"],
    MG_PER_DL: ["mg/dL", "mg/dl"],
    MIU_PER_L: ["mIU/L", "m[IU]/L", "mU/L"],
}
# Dates as exports write them (the screening reads an ISO date or date-time, any time part).
FLAT_DATES = [
    "strftime(d, '%Y-%m-%d')",
    "strftime(d, '%Y-%m-%d') || ' 00:00:00'",
    "strftime(d, '%Y-%m-%d') || 'T08:30:00Z'",
    "strftime(d, '%Y-%m-%d') || ' 14:05:12.000'",
    "strftime(d, '%Y-%m-%d') || 'T10:15:00+01:00'",
    "' ' || strftime(d, '%Y-%m-%d') || ' '",
]
ROWS_PER_PERSON = 20
LOW_EVERY = 500  # 1 person in 500 (0.2%) is persistently low


def generate(folder: Path, rows: int, threads: int) -> None:
    """Write measurement, person, concept and drug_exposure Parquet files."""
    folder.mkdir(parents=True, exist_ok=True)
    persons = max(rows // ROWS_PER_PERSON, 100)
    con = duckdb.connect()
    con.sql(f"SET threads = {threads}")
    con.sql("SET preserve_insertion_order = false")
    con.sql("SET enable_progress_bar = false")
    con.sql("CREATE MACRO h(x, seed, n) AS (hash(x, seed) % n)::BIGINT")
    concept_rows = [
        f"({cid}, '{name}', 'Measurement', 'LOINC', 'Lab Test', 'S', '{code}')"
        for cid, code, name, *_ in ANALYTES
    ] + [f"({cid}, '{code}', 'Unit', 'UCUM', 'Unit', 'S', '{code}')" for cid, code in UNITS]
    con.sql(
        "COPY (SELECT * FROM (VALUES "
        + ", ".join(concept_rows)
        + ") AS c(concept_id, concept_name, domain_id, vocabulary_id, concept_class_id, "
        f"standard_concept, concept_code)) TO '{folder / 'concept.parquet'}' (FORMAT parquet)"
    )
    # Ages: 15% children and adolescents, the rest adults up to 95; birth dates spread.
    con.sql(
        f"""
        COPY (
          SELECT i AS person_id,
                 CASE WHEN h(i, 1, 2) = 0 THEN 8532 ELSE 8507 END AS gender_concept_id,
                 year(birth) AS year_of_birth, month(birth) AS month_of_birth,
                 day(birth) AS day_of_birth, birth::TIMESTAMP AS birth_datetime
          FROM (
            SELECT i, DATE '2024-06-30' - INTERVAL (
              CASE WHEN h(i, 2, 100) < 15 THEN h(i, 3, 18 * 365)
                   ELSE 18 * 365 + h(i, 3, 77 * 365) END) DAY AS birth
            FROM range({persons}) t(i)
          )
        ) TO '{folder / "person.parquet"}' (FORMAT parquet)
        """
    )
    cases = " ".join(
        f"WHEN a < {sum(a[6] for a in ANALYTES[: k + 1]):.4f} THEN {k}"
        for k in range(len(ANALYTES))
    )
    pick = lambda column: " ".join(  # noqa: E731 - a small SQL helper
        f"WHEN {k} THEN {a[column]}" for k, a in enumerate(ANALYTES)
    )
    # Values: log-normal-ish (sum of uniforms) around each analyte's median; ALP higher in
    # children and adolescents (bone growth) and in older women; the 0.2% persistently
    # low persons have every ALP between 12 and 34 U/L.
    con.sql(
        f"""
        COPY (
          WITH base AS (
            SELECT i AS measurement_id,
                   h(i, 10, {persons}) AS person_id,
                   CASE {cases} ELSE {len(ANALYTES) - 1} END AS k,
                   DATE '2015-01-01' + h(i, 12, 3450)::INT AS d,
                   (h(i, 13, 1000) + h(i, 14, 1000) + h(i, 15, 1000)
                    - 1500) / 1500.0 AS z,
                   h(i, 16, 10000) AS bad
            FROM (SELECT i, h(i, 11, 100000) / 100000.0 AS a FROM range({rows}) t(i))
          ), born AS (
            -- a result after birth: one drawn before it moves into the person's lifetime
            SELECT b.* REPLACE (
                     CASE WHEN b.d > p.birth_datetime::DATE THEN b.d
                          ELSE p.birth_datetime::DATE + 1
                               + h(b.measurement_id, 18, greatest(1, DATE '2024-06-30'
                                                        - p.birth_datetime::DATE))::INT
                     END AS d),
                   p.gender_concept_id AS g, p.birth_datetime::DATE AS birth
            FROM base b JOIN read_parquet('{folder / "person.parquet"}') p USING (person_id)
          ), aged AS (
            SELECT *, date_diff('year', birth, d) AS age FROM born
          ), valued AS (
            SELECT *, CASE k {pick(3)} END AS unit_id,
                   CASE WHEN k = 0 AND person_id % {LOW_EVERY} = 0
                        THEN 12 + h(measurement_id, 17, 2200) / 100.0
                        WHEN k = 0
                        THEN (CASE WHEN age < 16 THEN 210 WHEN g = 8532 AND age > 55 THEN 85
                                   ELSE 72 END) * exp(0.6 * z)
                        ELSE (CASE k {pick(4)} END) * exp(3 * (CASE k {pick(5)} END) * z)
                   END AS v
            FROM aged
          )
          SELECT measurement_id,
                 CASE WHEN bad = 1 THEN -1 ELSE person_id END AS person_id,
                 CASE k {pick(0)} END AS measurement_concept_id,
                 CASE WHEN bad = 2 THEN NULL ELSE d END AS measurement_date,
                 CASE WHEN bad = 3 THEN NULL
                      WHEN k = 0 AND measurement_id % 20 = 0 THEN round(v / 60, 3)::DECIMAL(18,3)
                      ELSE round(v, 2)::DECIMAL(18,3) END AS value_as_number,
                 CASE WHEN bad = 4 THEN 0
                      WHEN k = 0 AND measurement_id % 20 = 0 THEN {UKAT_PER_L}
                      ELSE unit_id END AS unit_concept_id,
                 CASE WHEN bad = 4 THEN 'IU/mL' END AS unit_source_value,
                 NULL::DECIMAL(18,3) AS range_low, NULL::DECIMAL(18,3) AS range_high,
                 NULL::VARCHAR AS measurement_source_value
          FROM valued
        ) TO '{folder / "measurement.parquet"}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)
        """
    )
    con.sql(
        f"""
        COPY (
          SELECT i AS drug_exposure_id, h(i, 20, {persons}) AS person_id,
                 0 AS drug_concept_id,
                 CASE WHEN i % 3 = 0 THEN 'alendronate 70 MG Oral Tablet'
                      ELSE 'omeprazole 20 MG Oral Capsule' END AS drug_source_value,
                 DATE '2016-01-01' + h(i, 21, 3000)::INT AS drug_exposure_start_date,
                 DATE '2016-01-01' + h(i, 21, 3000)::INT + 180 AS drug_exposure_end_date
          FROM range({max(persons // 50, 10)}) t(i)
        ) TO '{folder / "drug_exposure.parquet"}' (FORMAT parquet)
        """
    )
    con.close()


def _spelling(key: str, seed: int, spellings: dict[int, list[str]]) -> str:
    """SQL: one of the spellings of ``key``'s concept, picked by a hash of the row."""
    cases = " ".join(
        f"WHEN {concept} THEN [{', '.join(repr(s) for s in names)}]"
        f"[1 + h(measurement_id, {seed}, {len(names)})]"
        for concept, names in spellings.items()
    )
    return f"CASE {key} {cases} END"


def generate_flat(omop: Path, folder: Path, threads: int) -> None:
    """Write the same data as flat tables: measurements.parquet (test names as LOINC codes
    and text spellings, units spelled several ways, dates as text in several formats, a
    few bad rows), persons.parquet and medications.parquet."""
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.sql(f"SET threads = {threads}")
    con.sql("SET preserve_insertion_order = false")
    con.sql("SET enable_progress_bar = false")
    con.sql("CREATE MACRO h(x, seed, n) AS (hash(x, seed) % n)::BIGINT")
    dates = " ".join(f"WHEN {k} THEN {f}" for k, f in enumerate(FLAT_DATES))
    test = _spelling("measurement_concept_id", 31, FLAT_TESTS)
    unit = _spelling("unit_concept_id", 32, FLAT_UNITS)
    # Rows without a date in OMOP have none here either: empty, blank, or not a date.
    con.sql(
        f"""
        COPY (
          SELECT person_id, {test} AS test, value_as_number::DOUBLE AS value,
                 CASE WHEN unit_concept_id = 0 THEN unit_source_value ELSE {unit} END AS unit,
                 CASE WHEN d IS NULL THEN ['', NULL, 'n/a', '2021-02-30', '31/12/2020']
                                          [1 + h(measurement_id, 33, 5)]
                      ELSE CASE h(measurement_id, 34, {len(FLAT_DATES)}) {dates} END
                 END AS date
          FROM (SELECT *, measurement_date AS d
                FROM read_parquet('{omop / "measurement.parquet"}'))
        ) TO '{folder / "measurements.parquet"}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)
        """
    )
    con.sql(
        f"""
        COPY (
          SELECT person_id, strftime(birth_datetime, '%Y-%m-%d') AS birth_date,
                 CASE WHEN gender_concept_id = 8532 THEN ['F', 'female', 'Female', ' f ']
                      ELSE ['M', 'male', 'Male', 'm'] END [1 + h(person_id, 35, 4)] AS sex
          FROM read_parquet('{omop / "person.parquet"}')
        ) TO '{folder / "persons.parquet"}' (FORMAT parquet)
        """
    )
    con.sql(
        f"""
        COPY (
          SELECT person_id, drug_source_value AS drug,
                 drug_exposure_start_date AS start_date, drug_exposure_end_date AS end_date
          FROM read_parquet('{omop / "drug_exposure.parquet"}')
        ) TO '{folder / "medications.parquet"}' (FORMAT parquet)
        """
    )
    con.close()


MINIMAL = """
WITH alp AS (
  SELECT m.person_id, m.measurement_date AS d,
         CASE WHEN m.unit_concept_id = {ukat} THEN m.value_as_number::DOUBLE * 60
              ELSE m.value_as_number::DOUBLE END AS v
  FROM read_parquet('{folder}/measurement.parquet') m
  WHERE m.measurement_concept_id = {alp} AND m.unit_concept_id IN ({ul}, {ukat})
    AND m.value_as_number IS NOT NULL AND m.measurement_date IS NOT NULL
), adult AS (
  SELECT a.person_id, a.d, a.v
  FROM alp a JOIN read_parquet('{folder}/person.parquet') p USING (person_id)
  WHERE year(a.d) - year(p.birth_datetime)
        - (month(a.d) * 100 + day(a.d) < month(p.birth_datetime) * 100 + day(p.birth_datetime))::INT
        >= 18
)
SELECT person_id FROM adult GROUP BY person_id
HAVING count(DISTINCT d) FILTER (WHERE v <= 35) >= 2 AND max(v) <= 45
"""

# The same work as ``screen`` on OMOP, written by hand: every row of the screening analytes
# (by concept id) converted to the canonical unit, judged (unknown person, no date,
# impossible age, no value, unknown unit, implausible value, implausible range), the usable
# rows de-duplicated with their age/sex reference interval, the rejects (and every extra
# copy of a duplicate) written, and the tornero2020 rule applied. The knowledge base's
# numbers (concepts, unit factors, plausible bounds, intervals, thresholds) are given as
# tables, as a hand-written query would have them.
FULL = """
SET memory_limit = '3GB';
SET preserve_insertion_order = false;
SET enable_progress_bar = false;
CREATE TEMP TABLE analytes AS SELECT * FROM (VALUES {analytes}) t(concept_id, analyte);
CREATE TEMP TABLE factors AS SELECT * FROM (VALUES {factors}) t(analyte, unit, factor);
CREATE TEMP TABLE plausible AS SELECT * FROM (VALUES {plausible}) t(analyte, p_low, p_high);
CREATE TEMP TABLE intervals AS SELECT * FROM read_parquet('{intervals}');
CREATE VIEW judged AS
WITH m AS (
  SELECT m.measurement_id AS row_id, m.person_id, a.analyte, m.measurement_date AS d,
         m.value_as_number::DOUBLE AS v, m.unit_concept_id AS unit, f.factor,
         nullif(m.range_low::DOUBLE, 0) AS rl, nullif(m.range_high::DOUBLE, 0) AS rh
  FROM read_parquet('{folder}/measurement.parquet') m
  JOIN analytes a ON m.measurement_concept_id = a.concept_id
  LEFT JOIN factors f ON f.analyte = a.analyte AND f.unit = m.unit_concept_id
), j AS (
  SELECT m.*, p.person_id IS NOT NULL AS known, p.birth_datetime::DATE AS birth,
         CASE p.gender_concept_id WHEN 8532 THEN 0 WHEN 8507 THEN 1 ELSE 2 END AS sex,
         round(m.v * m.factor, 6) AS value, m.rl * m.factor AS low, m.rh * m.factor AS high
  FROM m LEFT JOIN read_parquet('{folder}/person.parquet') p ON m.person_id = p.person_id
), aged AS (
  SELECT *, year(d) - year(birth)
            - (month(d) * 100 + day(d) < month(birth) * 100 + day(birth))::INT AS age
  FROM j
)
SELECT aged.*, CASE
    WHEN NOT known THEN 'unknown person'
    WHEN d IS NULL THEN 'no date'
    WHEN d < birth OR age > 130 THEN 'impossible age'
    WHEN v IS NULL THEN 'no value'
    WHEN factor IS NULL THEN 'unknown unit'
    WHEN value < pl.p_low OR value > pl.p_high THEN 'implausible value'
    WHEN low < 0 OR high < 0 OR low > high THEN 'implausible range'
  END AS reason
FROM aged JOIN plausible pl USING (analyte);
CREATE TEMP TABLE used AS
SELECT u.person_id, u.analyte, u.d, u.value, coalesce(u.low, i.ref_low) AS ref_low,
       coalesce(u.high, i.ref_high) AS ref_high, u.age, u.sex, count(*) AS copies
FROM judged u LEFT JOIN intervals i ON i.interval_key
     = (u.analyte * 3 + u.sex) * 2000
       + CASE WHEN u.age = 0 THEN u.d - u.birth ELSE u.age + 1000 END + 1
WHERE u.reason IS NULL
GROUP BY ALL;
COPY (
  SELECT row_id, person_id, analyte, v, unit, d, reason FROM judged WHERE reason IS NOT NULL
  UNION ALL
  SELECT row_id, person_id, analyte, v, unit, d, 'duplicate' FROM (
    SELECT j.*, row_number() OVER (PARTITION BY j.person_id, j.analyte, j.d, j.value
                                   ORDER BY j.row_id) AS copy
    FROM judged j SEMI JOIN (SELECT * FROM used WHERE copies > 1) u
      ON j.person_id = u.person_id AND j.analyte = u.analyte AND j.d = u.d
         AND j.value = u.value
    WHERE j.reason IS NULL
  ) WHERE copy > 1
) TO '{rejects}' (FORMAT parquet);
COPY (
  SELECT person_id FROM used WHERE analyte = {alp_code} AND age >= {min_age}
  GROUP BY person_id
  HAVING count(DISTINCT d) FILTER (WHERE value <= {max_low}) >= {needed}
     AND count(*) FILTER (WHERE value > {max_any}) = 0
) TO '{out}' (FORMAT parquet);
"""

MINIMAL_SCRIPT = """
import sys, duckdb
con = duckdb.connect()
con.sql(sys.argv[1]).write_parquet(sys.argv[2])
"""

# The floor of each input: every column screening reads, read and touched once (hashed),
# and nothing else done.
READS = {
    "reading the OMOP columns": (
        "SELECT count(*), sum(hash(person_id, measurement_concept_id, unit_concept_id, "
        "measurement_date)), sum(value_as_number::DOUBLE) "
        "FROM read_parquet('{omop}/measurement.parquet')"
    ),
    "reading the flat columns": (
        "SELECT count(*), sum(hash(person_id, test, unit, date)), sum(value) "
        "FROM read_parquet('{flat}/measurements.parquet')"
    ),
}

READ_SCRIPT = """
import sys, duckdb
duckdb.connect().sql(sys.argv[1]).fetchall()
"""

FULL_SCRIPT = """
import sys, duckdb
con = duckdb.connect()
for statement in sys.argv[1].split(";"):
    if statement.strip():
        con.execute(statement)
"""


def full_query(folder: Path, work: Path) -> tuple[str, Path]:
    """The hand-written query with the knowledge base's numbers; the file it writes."""
    from alkphos.engine import knowledge
    from alkphos.screening.tables import KnowledgeTables
    from alkphos.units import normalise_spelling

    kb = knowledge()
    kt = KnowledgeTables.build(kb)
    loinc = {code: a for a, codes in kt.loinc_codes.items() for code in codes}
    codes = kt.analyte_codes
    analytes = [(cid, codes[loinc[code]]) for cid, code, *_ in ANALYTES if code in loinc]
    factors = [
        (codes[a], cid, units[normalise_spelling(code)])
        for a, units in kt.unit_map.items()
        for cid, code in UNITS
        if normalise_spelling(code) in units
    ]
    intervals = work / "intervals.parquet"
    pq.write_table(kt.intervals, intervals)
    out = work / "full.parquet"
    query = FULL.format(
        analytes=", ".join(f"({c}, {a})" for c, a in analytes),
        factors=", ".join(f"({a}, {u}, {f!r})" for a, u, f in factors),
        plausible=", ".join(
            f"({codes[a]}, {kt.plausible_low[a]!r}, {kt.plausible_high[a]!r})" for a in kt.analytes
        ),
        intervals=intervals,
        folder=folder,
        rejects=work / "full-rejects.parquet",
        out=out,
        alp_code=codes["alp"],
        min_age=int(kb.param("tornero2020_min_age")),
        max_low=kb.param("tornero2020_max_low"),
        max_any=kb.param("tornero2020_max_any"),
        needed=int(kb.param("persistence_min_low_results")),
    )
    return query, out


@dataclass
class Timing:
    """Wall time and peak memory of one child process."""

    seconds: float
    peak_mb: float


def measure(command: list[str]) -> Timing:
    """Run ``command``; return its wall time and the child's peak resident set size."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        msg = f"{command[:3]} failed with exit code {process.returncode}"
        raise SystemExit(msg)
    return Timing(seconds=elapsed, peak_mb=usage.ru_maxrss / 1024)


def persons_in(path: Path) -> set[int]:
    """The person ids of a result file."""
    return set(pq.read_table(path, columns=["person_id"]).column(0).to_pylist())


def main() -> None:
    """Generate, time each, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="MEASUREMENT rows")
    parser.add_argument("--data", type=Path, help="keep the generated data here (reused)")
    parser.add_argument(
        "--input",
        choices=("omop", "flat"),
        default="omop",
        help="flat: also generate the same data as flat tables and time screening them",
    )
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="alkphos-bench-"))
    data = args.data or work / "data"
    omop, flat = data / "omop", data / "flat"
    try:
        if not (omop / "measurement.parquet").exists():
            started = time.perf_counter()
            generate(omop, args.rows, args.threads)
            print(f"generated {args.rows:,} OMOP rows in {time.perf_counter() - started:.1f} s")
        if args.input == "flat" and not (flat / "measurements.parquet").exists():
            started = time.perf_counter()
            generate_flat(omop, flat, args.threads)
            print(f"wrote them as flat tables in {time.perf_counter() - started:.1f} s")
        rows = pq.ParquetFile(omop / "measurement.parquet").metadata.num_rows
        size = (omop / "measurement.parquet").stat().st_size / 1e6
        print(f"MEASUREMENT: {rows:,} rows, {size:,.0f} MB Parquet, in {omop}")
        common = ["--criteria", "tornero2020", "--quiet"]
        screen = [sys.executable, "-m", "alkphos", "screen"]
        timings: dict[str, Timing] = {}
        found: dict[str, set[int]] = {}
        timings["alkphos screen, OMOP"] = measure(
            [*screen, "--omop", str(omop), "--out", str(work / "omop-out"), *common]
        )
        found["alkphos screen, OMOP"] = persons_in(work / "omop-out" / "persistent.parquet")
        if args.input == "flat":
            flat_command = [*screen, str(flat / "measurements.parquet")]
            flat_command += ["--persons", str(flat / "persons.parquet")]
            flat_command += ["--medications", str(flat / "medications.parquet")]
            timings["alkphos screen, flat"] = measure(
                [*flat_command, "--out", str(work / "flat-out"), *common]
            )
            found["alkphos screen, flat"] = persons_in(work / "flat-out" / "persistent.parquet")
        query, full_out = full_query(omop, work)
        timings["hand-written SQL, full"] = measure([sys.executable, "-c", FULL_SCRIPT, query])
        found["hand-written SQL, full"] = persons_in(full_out)
        minimal = MINIMAL.format(folder=omop, alp=ALP_CONCEPT, ul=U_PER_L, ukat=UKAT_PER_L)
        minimal_out = work / "minimal.parquet"
        timings["hand-written SQL, minimal"] = measure(
            [sys.executable, "-c", MINIMAL_SCRIPT, minimal, str(minimal_out)]
        )
        found["hand-written SQL, minimal"] = persons_in(minimal_out)
        for name, read in READS.items():
            if "flat" not in name or args.input == "flat":
                sql = read.format(omop=omop, flat=flat)
                timings[name] = measure([sys.executable, "-c", READ_SCRIPT, sql])

        print(f"\n{'':28}{'seconds':>9}{'rows/s':>14}{'peak MB':>10}")
        for name, timing in timings.items():
            print(
                f"{name:28}{timing.seconds:9.2f}{rows / timing.seconds:14,.0f}"
                f"{timing.peak_mb:10,.0f}"
            )
        first = found["alkphos screen, OMOP"]
        same = all(persons == first for persons in found.values())
        print(f"\npersistently low (tornero2020): {len(first):,} persons; all agree: {same}")
        ours = timings["alkphos screen, OMOP"].seconds
        full = timings["hand-written SQL, full"].seconds
        minimal_s = timings["hand-written SQL, minimal"].seconds
        print(f"alkphos OMOP / hand-written full: {ours / full:.2f}x (goal <= 1.5x)")
        if "alkphos screen, flat" in timings:
            flat_s = timings["alkphos screen, flat"].seconds
            print(f"alkphos flat / hand-written full: {flat_s / full:.2f}x")
            print(f"flat rows/s / OMOP rows/s: {ours / flat_s:.0%} (goal >= 90%)")
            floor = timings["reading the flat columns"].seconds
            print(f"alkphos flat / reading the flat columns (floor): {flat_s / floor:.2f}x")
        print(f"alkphos OMOP / hand-written minimal (reference): {ours / minimal_s:.2f}x")
        if not same:
            raise SystemExit("the implementations disagree on the persons found")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
