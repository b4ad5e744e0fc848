"""A resource sent twice counts once (issue 17, item 7): by identity (type/id, fullUrl) and,
for Observations, by what they report; a note says how many were dropped."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

from alkphos import load_knowledge
from alkphos.adapters.fhir import FhirCase, interpret_fhir, read_bundle, read_prefetch
from tests.api.fhir_cases import bundle, prefetch

KB = load_knowledge()
CASE = json.loads(
    (Path(__file__).resolve().parents[2] / "examples" / "low-alp-adult.json").read_text()
)
AS_OF = date(2025, 2, 1)


def _n_low(read: FhirCase) -> int:
    series = interpret_fhir(read, as_of=AS_OF, kb=KB).alp_series
    assert series is not None
    return series.n_low


def _duplicate_notes(read: FhirCase) -> list[str]:
    return [note for note in read.notes if "duplicate" in note]


def test_the_same_observations_three_times_in_a_prefetch_count_once() -> None:
    once = prefetch(CASE)
    thrice = copy.deepcopy(once)
    entries = thrice["observations"]["entry"]
    thrice["observations"]["entry"] = entries * 3
    read, plain = read_prefetch(thrice, KB), read_prefetch(once, KB)
    assert read.case == plain.case
    assert _n_low(read) == _n_low(plain) == 3
    dropped = 2 * len(entries)
    assert _duplicate_notes(read) == [
        note for note in read.notes if note.startswith(f"{dropped} duplicate Observation")
    ]
    assert len(_duplicate_notes(read)) == 1
    assert _duplicate_notes(plain) == []


def test_a_repeat_under_another_fullurl_and_id_counts_once_by_content() -> None:
    """The same ALP result (code, time, value, unit) under new identities: counted once."""
    document = bundle(CASE)
    alps = [e for e in document["entry"] if e["resource"].get("code", {}).get("text") == "ALP"]
    for number, entry in enumerate(alps):
        copied = copy.deepcopy(entry)
        copied["fullUrl"] = f"urn:uuid:11111111-0000-4000-8000-{number:012d}"
        copied["resource"]["id"] = f"again{number}"
        document["entry"].append(copied)
    read = read_bundle(document, KB)
    assert len(read.case["results"]) == len(CASE["results"])  # type: ignore[index]
    assert _n_low(read) == 3
    assert _duplicate_notes(read)[0].startswith("3 duplicate Observation resource(s)")


def test_the_same_patient_in_two_prefetch_keys_is_one_patient() -> None:
    data: dict[str, Any] = prefetch(CASE)
    data["observations"]["entry"].append({"resource": copy.deepcopy(data["patient"])})
    read = read_prefetch(data, KB)
    assert read.case is not None
    assert _duplicate_notes(read)[0].startswith("1 duplicate Patient resource(s)")


def test_what_only_looks_alike_is_kept() -> None:
    """Another value on the same day, or the same id with another value, is read (with a
    note for the clash); two undated equal values may be two measurements: both kept."""
    document = bundle(CASE)
    alp = next(e for e in document["entry"] if e["resource"].get("code", {}).get("text") == "ALP")
    other_value = copy.deepcopy(alp)
    other_value["fullUrl"] = "urn:uuid:22222222-0000-4000-8000-000000000001"
    other_value["resource"]["valueQuantity"]["value"] = 26
    document["entry"].append(other_value)
    read = read_bundle(document, KB)
    assert len(read.case["results"]) == len(CASE["results"]) + 1  # type: ignore[index]
    assert _duplicate_notes(read) == []
    assert any("the same resource as" in note and "both were read" in note for note in read.notes)

    undated = bundle(CASE)
    for number in (1, 2):
        copied = copy.deepcopy(alp)
        copied["fullUrl"] = f"urn:uuid:33333333-0000-4000-8000-{number:012d}"
        copied["resource"]["id"] = f"undated{number}"
        del copied["resource"]["effectiveDateTime"]
        undated["entry"].append(copied)
    assert len(read_bundle(undated, KB).case["results"]) == len(CASE["results"]) + 2  # type: ignore[index]
