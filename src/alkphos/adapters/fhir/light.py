"""FHIR R4 resources as alkphos reads them: only the elements it reads, validated.

The reader (``read``, ``observations``, ``conditions``) works on these small classes,
whose fields are named as in FHIR. They are made two ways:

- ``light_entries`` (the CDS Hooks prefetch, where every call is a new patient): only what
  alkphos reads is validated (types, codes, decimals, dates, references) and the rest is
  ignored;
- ``validate.bundle_entries`` (a Bundle sent to the REST API or the CLI): fhir.resources
  validates the whole resource first, then it is read the same way.

What the light reader accepts and fhir.resources refuses is named in ``DIFFERENCES`` (and
shown by a property test): elements alkphos does not read are not checked, nor are the
resource types it does not read, nor unknown elements. The light reader is never more
lenient on an element alkphos reads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, TypeVar

from fhir_core.fhirabstractmodel import FHIRAbstractModel

from alkphos.adapters.text import refuse_lone_surrogates
from alkphos.errors import InputError

__all__ = [
    "DIFFERENCES",
    "READ_TYPES",
    "STRICT_TYPES",
    "CodeableConcept",
    "Coding",
    "Condition",
    "Entry",
    "Medication",
    "MedicationRequest",
    "MedicationStatement",
    "Observation",
    "Other",
    "Patient",
    "Period",
    "Quantity",
    "Reference",
    "ReferenceRange",
    "Resource",
    "light_entries",
    "light_resource",
]

# What the light reader accepts that fhir.resources refuses, by kind.
DIFFERENCES = {
    "unread element": "an element alkphos does not read is not validated",
    "unknown element": "an element FHIR R4 does not define is ignored, not refused",
    "unread type": "a resource of a type alkphos does not read is not validated",
    "unread required": "a required element alkphos does not read may be missing "
    "(MedicationRequest.intent, Bundle.type, ...)",
}

_CODE = re.compile(r"[^\s]+(\s[^\s]+)*")
_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_YEAR = r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)"
_DATE = re.compile(_YEAR + r"(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?")
_TIME = (
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]{1,9})?"
    r"(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
)
_DATE_TIME = re.compile(
    _YEAR + r"(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(" + _TIME + r")?)?)?"
)
_INSTANT = re.compile(_YEAR + r"-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])" + _TIME)


@dataclass(frozen=True, slots=True)
class Coding:
    """A code from a code system."""

    system: str | None = None
    code: str | None = None
    display: str | None = None


@dataclass(frozen=True, slots=True)
class CodeableConcept:
    """Codings and a text."""

    coding: list[Coding] | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Reference:
    """A reference to another resource."""

    reference: str | None = None


@dataclass(frozen=True, slots=True)
class Quantity:
    """A measured amount."""

    value: Decimal | None = None
    comparator: str | None = None
    unit: str | None = None
    system: str | None = None
    code: str | None = None


@dataclass(frozen=True, slots=True)
class Period:
    """A time range (a date without time is a ``date``; a partial date stays text)."""

    start: date | datetime | str | None = None
    end: date | datetime | str | None = None


@dataclass(frozen=True, slots=True)
class ReferenceRange:
    """An Observation's reference range (``appliesTo`` and ``age`` only tell whether the
    range is for a population)."""

    low: Quantity | None = None
    high: Quantity | None = None
    type: CodeableConcept | None = None
    appliesTo: list[CodeableConcept] | None = None
    age: bool = False


@dataclass(frozen=True, slots=True)
class Resource:
    """A resource: its type and id."""

    resource_type: ClassVar[str] = ""
    id: str | None = None

    def get_resource_type(self) -> str:
        """The FHIR resource type, e.g. ``Observation``."""
        return self.resource_type


@dataclass(frozen=True, slots=True)
class Patient(Resource):
    """The elements of a Patient alkphos reads."""

    resource_type: ClassVar[str] = "Patient"
    gender: str | None = None
    birthDate: date | str | None = None


@dataclass(frozen=True, slots=True)
class Observation(Resource):
    """The elements of an Observation alkphos reads."""

    resource_type: ClassVar[str] = "Observation"
    status: str = ""
    code: CodeableConcept = CodeableConcept()
    subject: Reference | None = None
    encounter: Reference | None = None
    effectiveDateTime: date | datetime | str | None = None
    effectiveInstant: datetime | None = None
    effectivePeriod: Period | None = None
    issued: datetime | None = None
    valueQuantity: Quantity | None = None
    referenceRange: list[ReferenceRange] | None = None


@dataclass(frozen=True, slots=True)
class Medication(Resource):
    """The elements of a Medication alkphos reads."""

    resource_type: ClassVar[str] = "Medication"
    code: CodeableConcept | None = None


@dataclass(frozen=True, slots=True)
class MedicationRequest(Resource):
    """The elements of a MedicationRequest alkphos reads."""

    resource_type: ClassVar[str] = "MedicationRequest"
    status: str = ""
    subject: Reference | None = None
    medicationCodeableConcept: CodeableConcept | None = None
    medicationReference: Reference | None = None
    contained: list[Resource | FHIRAbstractModel] | None = None
    authoredOn: date | datetime | str | None = None


@dataclass(frozen=True, slots=True)
class MedicationStatement(Resource):
    """The elements of a MedicationStatement alkphos reads."""

    resource_type: ClassVar[str] = "MedicationStatement"
    status: str = ""
    subject: Reference | None = None
    medicationCodeableConcept: CodeableConcept | None = None
    medicationReference: Reference | None = None
    contained: list[Resource | FHIRAbstractModel] | None = None
    effectiveDateTime: date | datetime | str | None = None
    effectivePeriod: Period | None = None


@dataclass(frozen=True, slots=True)
class Condition(Resource):
    """The elements of a Condition alkphos reads."""

    resource_type: ClassVar[str] = "Condition"
    subject: Reference | None = None
    code: CodeableConcept | None = None
    clinicalStatus: CodeableConcept | None = None
    verificationStatus: CodeableConcept | None = None


@dataclass(frozen=True, slots=True)
class Other(Resource):
    """A resource of a type alkphos does not read (only its type and id)."""

    kind: str = ""

    def get_resource_type(self) -> str:
        """The FHIR resource type, e.g. ``OperationOutcome``."""
        return self.kind


@dataclass(frozen=True, slots=True)
class Entry:
    """One resource and where it was found (an Encounter or a Location is the
    fhir.resources model, see ``STRICT_TYPES``)."""

    path: str
    resource: Resource | FHIRAbstractModel
    full_url: str | None = None

    @property
    def kind(self) -> str:
        """The resource type, e.g. ``Observation``."""
        return self.resource.get_resource_type()


# ---- validation of single elements -------------------------------------------------------

_T = TypeVar("_T")


def _join(path: str, part: str | int) -> str:
    if isinstance(part, int):
        return f"{path}[{part}]"
    return f"{path}.{part}" if path and path != "$" else part


def _invalid(path: str, value: object, accepted: str) -> InputError:
    shown = json.dumps(value, default=str)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return InputError(path, f"not valid FHIR: {shown}", accepted)


def _text(value: object, path: str, pattern: re.Pattern[str] | None, accepted: str) -> str:
    if not isinstance(value, str) or not value or (pattern and not pattern.fullmatch(value)):
        raise _invalid(path, value, accepted)
    return value


def _string(data: Mapping[str, Any], key: str, path: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, str) and value:
        return value
    raise _invalid(_join(path, key), value, "a non-empty JSON string")


def _code(data: Mapping[str, Any], key: str, path: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    return _text(value, _join(path, key), _CODE, "a FHIR code (text without extra spaces)")


def _uri(data: Mapping[str, Any], key: str, path: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    raise _invalid(_join(path, key), value, "a URI (a JSON string)")


def _decimal(data: Mapping[str, Any], key: str, path: str) -> Decimal | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _invalid(_join(path, key), value, "a FHIR decimal (a JSON number)")
    text = str(value)
    if not _DECIMAL.fullmatch(text):
        raise _invalid(_join(path, key), value, "a FHIR decimal (a JSON number)")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise _invalid(_join(path, key), value, "a FHIR decimal") from None


def _when(text: str, path: str, with_time: bool) -> date | datetime | str:
    """A full date as ``date``, a date and time as ``datetime``, a partial date as text."""
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        if with_time and len(text) > 10:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _invalid(path, text, "a real calendar date") from None
    return text


def _date(data: Mapping[str, Any], key: str, path: str) -> date | str | None:
    value = data.get(key)
    if value is None:
        return None
    where = _join(path, key)
    found = _when(
        _text(value, where, _DATE, "a FHIR date: YYYY, YYYY-MM or YYYY-MM-DD"), where, False
    )
    assert not isinstance(found, datetime)
    return found


def _date_time(data: Mapping[str, Any], key: str, path: str) -> date | datetime | str | None:
    value = data.get(key)
    if value is None:
        return None
    where = _join(path, key)
    accepted = "a FHIR dateTime: YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss+zz:zz"
    return _when(_text(value, where, _DATE_TIME, accepted), where, True)


def _instant(data: Mapping[str, Any], key: str, path: str) -> datetime | None:
    value = data.get(key)
    if value is None:
        return None
    where = _join(path, key)
    found = _when(
        _text(value, where, _INSTANT, "a FHIR instant: YYYY-MM-DDThh:mm:ss+zz:zz"), where, True
    )
    assert isinstance(found, datetime)
    return found


def _object(data: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _invalid(_join(path, key), value, "a JSON object")
    return value


def _list(
    data: Mapping[str, Any],
    key: str,
    path: str,
    item: Callable[[Mapping[str, Any], str], _T],
) -> list[_T] | None:
    value = data.get(key)
    if value is None:
        return None
    where = _join(path, key)
    if not isinstance(value, list):
        raise _invalid(where, value, "a JSON array")
    made = []
    for index, element in enumerate(value):
        if not isinstance(element, dict):
            raise _invalid(_join(where, index), element, "a JSON object")
        made.append(item(element, _join(where, index)))
    return made


def _one(
    data: Mapping[str, Any], key: str, path: str, item: Callable[[Mapping[str, Any], str], _T]
) -> _T | None:
    found = _object(data, key, path)
    return None if found is None else item(found, _join(path, key))


def _required(data: Mapping[str, Any], key: str, path: str, kind: str) -> None:
    if data.get(key) is None:
        raise InputError(
            _join(path, key), "required field is missing", f"FHIR R4 {kind} requires it"
        )


def _one_choice(data: Mapping[str, Any], stem: str, path: str) -> None:
    """A choice element (``effective[x]``, ``value[x]``, ``medication[x]``) is given once."""
    given = [
        key for key in data if key.startswith(stem) and key[len(stem) : len(stem) + 1].isupper()
    ]
    if len(given) > 1:
        raise InputError(
            _join(path, given[1]),
            f"{stem}[x] is given {len(given)} times ({', '.join(given)})",
            f"one {stem}[x] element (FHIR R4 choice type)",
        )


# ---- data types ----------------------------------------------------------------------------


def _coding(data: Mapping[str, Any], path: str) -> Coding:
    return Coding(
        system=_uri(data, "system", path),
        code=_code(data, "code", path),
        display=_string(data, "display", path),
    )


def _concept(data: Mapping[str, Any], path: str) -> CodeableConcept:
    return CodeableConcept(
        coding=_list(data, "coding", path, _coding), text=_string(data, "text", path)
    )


def _reference(data: Mapping[str, Any], path: str) -> Reference:
    return Reference(reference=_string(data, "reference", path))


def _quantity(data: Mapping[str, Any], path: str) -> Quantity:
    return Quantity(
        value=_decimal(data, "value", path),
        comparator=_code(data, "comparator", path),
        unit=_string(data, "unit", path),
        system=_uri(data, "system", path),
        code=_code(data, "code", path),
    )


def _period(data: Mapping[str, Any], path: str) -> Period:
    return Period(start=_date_time(data, "start", path), end=_date_time(data, "end", path))


def _range(data: Mapping[str, Any], path: str) -> ReferenceRange:
    return ReferenceRange(
        low=_one(data, "low", path, _quantity),
        high=_one(data, "high", path, _quantity),
        type=_one(data, "type", path, _concept),
        appliesTo=_list(data, "appliesTo", path, _concept),
        age=_object(data, "age", path) is not None,
    )


# ---- resources -----------------------------------------------------------------------------


def _id(data: Mapping[str, Any], path: str) -> str | None:
    value = data.get("id")
    if value is None:
        return None
    return _text(value, _join(path, "id"), _ID, "a FHIR id: letters, digits, '-' and '.'")


def _patient(data: Mapping[str, Any], path: str) -> Patient:
    return Patient(
        id=_id(data, path),
        gender=_code(data, "gender", path),
        birthDate=_date(data, "birthDate", path),
    )


def _observation(data: Mapping[str, Any], path: str) -> Observation:
    _required(data, "status", path, "Observation")
    _required(data, "code", path, "Observation")
    for stem in ("effective", "value"):
        _one_choice(data, stem, path)
    status = _code(data, "status", path)
    code = _one(data, "code", path, _concept)
    assert status is not None
    assert code is not None
    return Observation(
        id=_id(data, path),
        status=status,
        code=code,
        subject=_one(data, "subject", path, _reference),
        encounter=_one(data, "encounter", path, _reference),
        effectiveDateTime=_date_time(data, "effectiveDateTime", path),
        effectiveInstant=_instant(data, "effectiveInstant", path),
        effectivePeriod=_one(data, "effectivePeriod", path, _period),
        issued=_instant(data, "issued", path),
        valueQuantity=_one(data, "valueQuantity", path, _quantity),
        referenceRange=_list(data, "referenceRange", path, _range),
    )


def _medication(data: Mapping[str, Any], path: str) -> Medication:
    return Medication(id=_id(data, path), code=_one(data, "code", path, _concept))


def _contained(data: Mapping[str, Any], path: str) -> list[Resource | FHIRAbstractModel] | None:
    return _list(data, "contained", path, light_resource)


def _medication_use(data: Mapping[str, Any], path: str, kind: str) -> dict[str, Any]:
    """The elements a MedicationRequest and a MedicationStatement share, as alkphos reads
    them (status and subject required)."""
    for key in ("status", "subject"):
        _required(data, key, path, kind)
    for stem in ("medication", "effective"):
        _one_choice(data, stem, path)
    status = _code(data, "status", path)
    assert status is not None
    return {
        "id": _id(data, path),
        "status": status,
        "subject": _one(data, "subject", path, _reference),
        "medicationCodeableConcept": _one(data, "medicationCodeableConcept", path, _concept),
        "medicationReference": _one(data, "medicationReference", path, _reference),
        "contained": _contained(data, path),
    }


def _medication_request(data: Mapping[str, Any], path: str) -> MedicationRequest:
    return MedicationRequest(
        **_medication_use(data, path, "MedicationRequest"),
        authoredOn=_date_time(data, "authoredOn", path),
    )


def _medication_statement(data: Mapping[str, Any], path: str) -> MedicationStatement:
    return MedicationStatement(
        **_medication_use(data, path, "MedicationStatement"),
        effectiveDateTime=_date_time(data, "effectiveDateTime", path),
        effectivePeriod=_one(data, "effectivePeriod", path, _period),
    )


def _condition(data: Mapping[str, Any], path: str) -> Condition:
    _required(data, "subject", path, "Condition")
    return Condition(
        id=_id(data, path),
        subject=_one(data, "subject", path, _reference),
        code=_one(data, "code", path, _concept),
        clinicalStatus=_one(data, "clinicalStatus", path, _concept),
        verificationStatus=_one(data, "verificationStatus", path, _concept),
    )


_READERS: dict[str, Callable[[Mapping[str, Any], str], Resource]] = {
    "Patient": _patient,
    "Observation": _observation,
    "Medication": _medication,
    "MedicationRequest": _medication_request,
    "MedicationStatement": _medication_statement,
    "Condition": _condition,
}
READ_TYPES = tuple(_READERS)
# Types the setting is read from: validated in full by fhir.resources (one per call at most).
STRICT_TYPES = ("Encounter", "Location")


def light_resource(data: Any, path: str) -> Resource | FHIRAbstractModel:
    """One resource, validating only the elements alkphos reads (an Encounter or a
    Location in full)."""
    if not isinstance(data, dict):
        raise InputError(path, "a resource must be a JSON object", "a FHIR R4 resource")
    kind = data.get("resourceType")
    if not isinstance(kind, str) or not kind:
        raise InputError(
            _join(path, "resourceType"), "required field is missing", "a FHIR resource type"
        )
    if kind in STRICT_TYPES:
        from alkphos.adapters.fhir.validate import validate_resource

        return validate_resource(data, path)
    reader = _READERS.get(kind)
    if reader is None:
        ident = data.get("id")
        return Other(id=ident if isinstance(ident, str) else None, kind=kind)
    return reader(data, path)


def _bundle(data: Mapping[str, Any], path: str) -> list[Entry]:
    raw = data.get("entry", [])
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise InputError(_join(path, "entry"), "not an array", "a JSON array of entries")
    entries: list[Entry] = []
    for index, item in enumerate(raw):
        where = _join(_join(path, "entry"), index)
        if not isinstance(item, dict):
            raise InputError(where, "an entry must be a JSON object", '{"resource": {...}}')
        resource = item.get("resource")
        if resource is None:
            continue
        full_url = item.get("fullUrl") if isinstance(item.get("fullUrl"), str) else None
        where = _join(where, "resource")
        entries.append(Entry(where, light_resource(resource, where), full_url))
    return entries


def light_entries(prefetch: Mapping[str, Any], path: str = "prefetch") -> list[Entry]:
    """Every resource of a CDS Hooks prefetch object (single resources and search Bundles),
    validating only what alkphos reads (and refusing text that is not Unicode)."""
    refuse_lone_surrogates(prefetch, path)
    entries: list[Entry] = []
    for key, value in prefetch.items():
        where = _join(path, key)
        if value is None:
            continue  # the EHR had no data for this template
        if isinstance(value, dict) and value.get("resourceType") == "Bundle":
            entries.extend(_bundle(value, where))
        else:
            entries.append(Entry(where, light_resource(value, where)))
    return entries
