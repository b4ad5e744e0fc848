"""The light prefetch reader against fhir.resources.

Property: any prefetch the light reader accepts, fhir.resources accepts too, or the
difference is one of those named in ``light.DIFFERENCES`` (an element or a resource type
alkphos does not read, an element FHIR does not define). When both accept, both read the
same case and the same notes. The prefetches are the worked examples with mutations on
elements alkphos reads and on elements it does not.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alkphos.adapters.fhir.light import DIFFERENCES, READ_TYPES, light_entries
from alkphos.adapters.fhir.read import read_entries
from alkphos.adapters.fhir.validate import prefetch_entries
from alkphos.engine import knowledge
from alkphos.errors import InputError
from tests.api.fhir_cases import RXNORM, prefetch
from tests.api.test_cds_hooks import CASES, case
from tests.conftest import scaled

KB = knowledge()
BASES = [prefetch(case(case_id)) for case_id in ("EX-01", "EX-02", "EX-06", "EX-10")]
for base in BASES:  # a MedicationStatement and a contained Medication, read too
    base["medications"]["entry"].append(
        {
            "resource": {
                "resourceType": "MedicationStatement",
                "id": "st1",
                "status": "active",
                "subject": {"reference": "Patient/p1"},
                "contained": [
                    {"resourceType": "Medication", "id": "m", "code": {"coding": [
                        {"system": RXNORM, "code": "46041"}]}}
                ],
                "medicationReference": {"reference": "#m"},
                "effectivePeriod": {"start": "2024-01-01"},
            }
        }
    )  # fmt: skip

_CONCEPT: dict[str, Any] = {"coding": {"system": {}, "code": {}, "display": {}}, "text": {}}
_QUANTITY: dict[str, Any] = {k: {} for k in ("value", "comparator", "unit", "system", "code")}
_REFERENCE: dict[str, Any] = {"reference": {}}
_PERIOD: dict[str, Any] = {"start": {}, "end": {}}
_MEDICATION: dict[str, Any] = {
    "id": {},
    "status": {},
    "subject": _REFERENCE,
    "medicationCodeableConcept": _CONCEPT,
    "medicationReference": _REFERENCE,
    "contained": None,  # any resource: read by its own type
}
# The elements alkphos reads, by resource type (an empty dict: read, nothing inside).
READ: dict[str, dict[str, Any]] = {
    "Patient": {"id": {}, "gender": {}, "birthDate": {}},
    "Observation": {
        "id": {},
        "status": {},
        "code": _CONCEPT,
        "subject": _REFERENCE,
        "encounter": _REFERENCE,
        "effectiveDateTime": {},
        "effectiveInstant": {},
        "effectivePeriod": _PERIOD,
        "issued": {},
        "valueQuantity": _QUANTITY,
        "referenceRange": {
            "low": _QUANTITY,
            "high": _QUANTITY,
            "type": _CONCEPT,
            "appliesTo": _CONCEPT,
            "age": "object",
        },
    },
    "Medication": {"id": {}, "code": _CONCEPT},
    "MedicationRequest": {**_MEDICATION, "authoredOn": {}},
    "MedicationStatement": {**_MEDICATION, "effectiveDateTime": {}, "effectivePeriod": _PERIOD},
    "Condition": {
        "id": {},
        "subject": _REFERENCE,
        "code": _CONCEPT,
        "clinicalStatus": _CONCEPT,
        "verificationStatus": _CONCEPT,
    },
}
assert set(READ) == set(READ_TYPES)

VALUES = st.sampled_from(
    [
        "final", "amended", "a  b", "", " x", "6768-6", "U/L", "2024", "2024-05", "2024-05-06",
        "2024-05-06T10:00:00Z", "2024-05-06T10:00:00", "2024-02-30", "2024-13-01", "23", "abc",
        "http://loinc.org", "Patient/p1", "female", 0, 23, -1.5, 1e300, True, None,
        {}, {"text": "x"}, {"value": 5}, {"reference": 5}, [], [{}], [1], ["x"],
    ]
)  # fmt: skip
# Where mutations go: elements alkphos reads and elements it does not, plus unknown ones.
TARGETS = [
    "status", "code", "code.text", "code.coding", "code.coding.0.code", "code.coding.0.system",
    "subject", "subject.reference", "effectiveDateTime", "effectivePeriod.start", "issued",
    "valueQuantity", "valueQuantity.value", "valueQuantity.unit", "valueQuantity.comparator",
    "referenceRange", "referenceRange.0.low.value", "referenceRange.0.text", "id", "gender",
    "birthDate", "name", "category", "interpretation", "note", "intent", "dosageInstruction",
    "medicationCodeableConcept.text", "medicationReference.reference", "authoredOn",
    "clinicalStatus.coding.0.code", "onsetDateTime", "contained.0.code.text", "meta.lastUpdated",
    "text.status", "noSuchElement", "resourceType",
]  # fmt: skip


def _set(resource: dict[str, Any], dotted: str, value: Any) -> None:
    """Set an element (creating objects and one-element arrays on the way)."""
    parts = dotted.split(".")
    node: Any = resource
    for part, following in zip(parts, [*parts[1:], None], strict=True):
        key: Any = int(part) if part.isdigit() else part
        if isinstance(node, list) != isinstance(key, int):
            return  # an earlier mutation made this an array where a name is wanted, or not
        if following is None:
            if isinstance(node, list):
                node.append(value) if key >= len(node) else node.__setitem__(key, value)
            else:
                node[key] = value
            return
        child = {} if not following.isdigit() else []
        if isinstance(node, list):
            while len(node) <= key:
                node.append(copy.deepcopy(child))
            if not isinstance(node[key], dict | list):
                node[key] = child
            node = node[key]
        else:
            if not isinstance(node.get(key), dict | list):
                node[key] = child
            node = node[key]


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A worked example's prefetch with one to three elements changed."""
    data = copy.deepcopy(draw(st.sampled_from(BASES)))
    resources = [data["patient"]] + [
        entry["resource"]
        for key in ("observations", "medications", "conditions")
        for entry in data[key]["entry"]
    ]
    for _ in range(draw(st.integers(1, 3))):
        target = draw(st.sampled_from(resources))
        where = draw(st.sampled_from(TARGETS))
        value = draw(VALUES)
        if where == "resourceType":
            value = draw(st.sampled_from(["Encounter", "Basic", "NoSuchType", "Observation"]))
        _set(target, where, value)
    if draw(st.booleans()):
        data["observations"].pop("type", None)  # Bundle.type: required, not read
    return data


def _elements(path: str, data: dict[str, Any]) -> tuple[str, list[str]]:
    """The resource type and element names (indexes dropped) an error path points into."""
    match = re.match(r"prefetch\.(\w+)(\.entry\[(\d+)\]\.resource)?\.?(.*)$", path)
    assert match, path
    key, _, index, rest = match.groups()
    if index is None and data[key].get("resourceType") == "Bundle":
        return "Bundle", [p for p in re.split(r"[.\[\]]+", rest) if p and not p.isdigit()]
    resource = data[key] if index is None else data[key]["entry"][int(index)]["resource"]
    names = [p for p in re.split(r"[.\[\]]+", rest) if p and not p.isdigit()]
    return str(resource.get("resourceType")), names


def difference(error: InputError, data: dict[str, Any]) -> str | None:
    """The named difference that explains why fhir.resources refused what the light reader
    accepted (None: not explained)."""
    kind, names = _elements(error.path, data)
    if kind == "Bundle":
        return (
            "unread required" if error.problem == "required field is missing" else "unread element"
        )
    spec: Any = READ.get(kind)
    if spec is None:
        return "unread type"
    for depth, name in enumerate(names):
        if spec is None and name != "resourceType":  # contained: read by its own type
            return difference_in_contained(names[depth:], error)
        if not isinstance(spec, dict) or name not in spec:
            if error.problem.startswith("unknown field"):
                return "unknown element"
            if error.problem == "required field is missing":
                return "unread required"
            return "unread element"
        spec = spec[name]
    return None


def difference_in_contained(names: list[str], error: InputError) -> str | None:
    """Inside a contained resource (only Medication is read there)."""
    spec: Any = READ["Medication"]
    for name in names:
        if not isinstance(spec, dict) or name not in spec:
            return (
                "unknown element" if error.problem.startswith("unknown field") else "unread element"
            )
        spec = spec[name]
    return None


def _outcome(read: Any, data: dict[str, Any]) -> Any:
    try:
        return read(data)
    except InputError as error:
        return error


@settings(max_examples=scaled(400), suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_what_the_light_reader_accepts_fhir_resources_accepts_or_the_difference_is_named(
    data: dict[str, Any],
) -> None:
    light = _outcome(light_entries, data)
    strict = _outcome(prefetch_entries, data)
    if isinstance(light, InputError):
        return
    if isinstance(strict, InputError):
        assert difference(strict, data) in DIFFERENCES, (strict.path, str(strict))
        return
    assert read_entries(light, KB) == read_entries(strict, KB)


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_both_readers_read_every_example_alike(case_id: str) -> None:
    """The worked examples as prefetch: the same case and notes either way."""
    data = prefetch(case(case_id))
    assert read_entries(light_entries(data), KB) == read_entries(prefetch_entries(data), KB)


@pytest.mark.parametrize(
    ("where", "value", "path"),
    [
        ("valueQuantity.value", "low", "valueQuantity.value"),
        ("valueQuantity.value", True, "valueQuantity.value"),
        ("effectiveDateTime", "2024-05-06T10:00:00", "effectiveDateTime"),
        ("effectiveDateTime", "2024-02-30", "effectiveDateTime"),
        ("status", None, "status"),
        ("status", "a  b", "status"),
        ("code.coding", "x", "code.coding"),
        ("subject.reference", 5, "subject.reference"),
        # a choice element given twice (make explore found it: fhir.resources refuses it)
        ("effectivePeriod", {"start": "2024-05-06"}, "effectivePeriod"),
        ("valueString", "high", "valueString"),
    ],
)
def test_what_alkphos_reads_is_still_checked(where: str, value: Any, path: str) -> None:
    """A bad value in an element alkphos reads is a 422-style error naming the element."""
    data = prefetch(case("EX-01"))
    _set(data["observations"]["entry"][0]["resource"], where, value)
    with pytest.raises(InputError) as caught:
        light_entries(data)
    assert caught.value.path == f"prefetch.observations.entry[0].resource.{path}"
