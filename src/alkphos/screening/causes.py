"""Evidence for the screening rules (``screening.yaml``): secondary causes and ranking signals.

For each person on a short list (the persistent ones), every rule's evidence is found
set-wise in the same data: medications of a drug class, conditions that mean a cause or a
finding (diagnosis codes through ``codes.yaml``, or names), laboratory results beyond a
limit, or the person's own lowest ALP. A rule with ``lookback_days`` only counts evidence
from that many days before the person's first low ALP up to the as-of date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis  # type: ignore[import-untyped]  # noqa: TID253 - screening only

from alkphos.knowledge.loader import Knowledge
from alkphos.screening.spellings import name_key
from alkphos.screening.tables import KnowledgeTables

__all__ = ["condition_meanings", "drug_classes", "evidence"]

Table = Any
Column = Any


def drug_classes(medications: Table, kt: KnowledgeTables) -> Table:
    """Medication rows of the screening rules' drug classes (by name, brand, alias or RxNorm).

    Names are matched as whole words anywhere in the text, so "alendronic acid 70 MG Oral
    Tablet" is alendronate. Matching runs once per distinct text, not per row.
    """
    names = ibis.memtable(kt.drug_names)
    codes = ibis.memtable(kt.drug_codes)
    texts = medications.filter(medications.drug.notnull()).select("drug").distinct()
    padded = texts.mutate(
        padded=" " + texts.drug.lower().re_replace("[^a-z0-9]+", " ").strip() + " "
    )
    by_name = (
        padded.cross_join(names)
        .filter(lambda t: t.padded.contains(t.token))
        .select(text=lambda t: t.drug, drug_class=lambda t: t.drug_class)
    )
    by_code = codes.select(code_text=codes.code, code_class=codes.drug_class)
    m = medications
    named = m.join(by_name, m.drug == by_name.text).select(
        "person_id", "drug", "start_date", "end_date", drug_class=by_name.drug_class
    )
    coded = m.join(by_code, m.code == by_code.code_text).select(
        "person_id", "drug", "start_date", "end_date", drug_class=by_code.code_class
    )
    return named.union(coded).distinct()


def condition_meanings(conditions: Table, kt: KnowledgeTables) -> Table:
    """Condition rows with the finding or cause they mean (a row may mean several).

    Codes match ``codes.yaml`` exactly, or by prefix where an ICD-10 entry covers its
    descendants; the longest matching code wins. Names match finding and cause names and
    aliases, as the per-patient engine reads findings.
    """
    known = ibis.memtable(kt.codes)
    c = conditions.mutate(
        code_key=conditions.code.upper().replace(".", "").replace(" ", ""),
        name_key=name_key(conditions.name),
    )
    distinct = c.filter(c.code_key.notnull()).select("code_key", "system").distinct()
    system_ok = distinct.system.isnull() | (distinct.system == known.system)
    candidates = distinct.cross_join(known).filter(
        system_ok
        & (
            (distinct.code_key == known.code_key)
            | (known.descendants & distinct.code_key.startswith(known.code_key))
        )
    )
    candidates = candidates.select(
        key=candidates.code_key,
        key_system=candidates.system,
        length=candidates.length,
        finding=candidates.finding,
        cause=candidates.cause,
    )
    longest = candidates.group_by(["key", "key_system"]).aggregate(longest=candidates.length.max())
    best = candidates.join(
        longest,
        [
            candidates.key == longest.key,
            candidates.key_system.identical_to(longest.key_system),
            candidates.length == longest.longest,
        ],
    ).select(
        code_meaning_key=candidates.key,
        code_meaning_system=candidates.key_system,
        finding=candidates.finding,
        cause=candidates.cause,
    )
    by_code = c.join(
        best,
        [
            c.code_key == best.code_meaning_key,
            c.system.identical_to(best.code_meaning_system),
        ],
    ).select(
        "person_id",
        "date",
        evidence=c.name.fill_null(c.code),
        finding=best.finding,
        cause=best.cause,
    )
    names = ibis.memtable(kt.condition_names)
    by_name = c.join(names, c.name_key == names.key).select(
        "person_id",
        "date",
        evidence=c.name,
        finding=names.finding,
        cause=names.cause,
    )
    return by_code.union(by_name).distinct()


def evidence(
    people: Table,
    used: Table,
    medications: Table | None,
    meanings: Table | None,
    kt: KnowledgeTables,
    kb: Knowledge,
    as_of: date,
) -> Table:
    """Every rule's evidence for ``people`` (person_id, first_low_date, min_alp).

    One row per piece of evidence: ``person_id``, ``rule``, ``evidence`` (text), ``value``
    (for laboratory results and ALP) and ``date``. Each kind of rule is one join against
    the rules table, whatever the number of rules.
    """
    rules = ibis.memtable(kt.rules)
    parts = [_labs(rules, people, used, as_of), _alp(rules, people)]
    if medications is not None:
        parts.append(_drugs(rules, people, medications, as_of))
    if meanings is not None:
        parts.append(_conditions(rules, ibis.memtable(kt.condition_rules), people, meanings, as_of))
    combined = parts[0]
    for part in parts[1:]:
        combined = combined.union(part)
    return combined


def _in_window(lookback: Column, on: Column, first_low: Column, as_of: date) -> Column:
    """``on`` is inside the rule's window (undated evidence counts only without a lookback)."""
    return ibis.ifelse(
        lookback.isnull(),
        on.isnull() | (on <= as_of),
        (on <= as_of) & (on.delta(first_low, unit="day") >= -lookback),
    ).fill_null(False)


def _select(table: Table, evidence: Column, value: Column, on: Column) -> Table:
    return table.select(
        person_id=table.person_id, rule=table.rule, evidence=evidence, value=value, date=on
    )


def _drugs(rules: Table, people: Table, medications: Table, as_of: date) -> Table:
    r = rules.filter(rules.kind == "drug_class").select("rule", "drug_class", "lookback_days")
    j = medications.join(r, "drug_class").join(people, "person_id")
    last = ibis.greatest(j.end_date.fill_null(ibis.literal(as_of)), j.start_date)
    inside = (j.start_date <= as_of) & (
        j.lookback_days.isnull() | (last.delta(j.first_low_date, unit="day") >= -j.lookback_days)
    )
    # An exposure with no start date counts, as a medicine listed on a case does: it is
    # shown as undated in the evidence rather than dropped.
    found = j.filter(j.start_date.isnull() | inside.fill_null(False))
    return _select(found, found.drug, ibis.null("float64"), found.start_date)


def _conditions(rules: Table, matches: Table, people: Table, meanings: Table, as_of: date) -> Table:
    # Keys are renamed before joining (Spark resolves a same-named key of related tables
    # ambiguously) and nulls are dropped on both sides (engines differ on null = null).
    findings = matches.filter(matches.finding.notnull()).select(
        "rule", match_finding=matches.finding
    )
    causes = matches.filter(matches.cause.notnull()).select("rule", match_cause=matches.cause)
    known_finding = meanings.filter(meanings.finding.notnull())
    known_cause = meanings.filter(meanings.cause.notnull())
    by_finding = known_finding.join(
        findings, known_finding.finding == findings.match_finding
    ).select("person_id", "date", "evidence", "rule")
    by_cause = known_cause.join(causes, known_cause.cause == causes.match_cause).select(
        "person_id", "date", "evidence", "rule"
    )
    windows = rules.select("rule", "lookback_days")
    j = by_finding.union(by_cause).join(windows, "rule").join(people, "person_id")
    found = j.filter(_in_window(j.lookback_days, j.date, j.first_low_date, as_of))
    return _select(found, found.evidence, ibis.null("float64"), found.date)


def _labs(rules: Table, people: Table, used: Table, as_of: date) -> Table:
    r = rules.filter(rules.kind == "lab").select(
        "rule", "analyte", "status", "above", "label", "lookback_days"
    )
    j = used.join(r, "analyte").join(people, "person_id")
    beyond = ibis.cases(
        (j.above.notnull(), j.value > j.above),
        (j.status == "low", j.value < j.ref_low),
        (j.status == "high", j.value > j.ref_high),
        else_=False,
    ).fill_null(False)
    found = j.filter(beyond & _in_window(j.lookback_days, j.date, j.first_low_date, as_of))
    return _select(found, found.label, found.value, found.date)


def _alp(rules: Table, people: Table) -> Table:
    r = rules.filter(rules.kind == "alp").select("rule", "below", "label")
    j = people.cross_join(r)
    found = j.filter(j.min_alp < j.below)
    return _select(found, found.label, found.min_alp, ibis.null("date"))
