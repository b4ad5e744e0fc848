"""A laboratory's own reference intervals file (``intervals.yaml``).

Each entry has the knowledge base's interval fields (analyte, sex, age range, optional
gestational weeks, limits, unit, population in words) and, in place of a citation, its
``basis``: how the limits were obtained (indirect estimate from routine data, a direct
study of reference individuals, or an interval transferred from a source), from how many
values, over which dates, with which confidence intervals, and from what data. A cited
source may be named as well (``citations``).

``dump_file`` writes the YAML that ``load_file`` reads back unchanged.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Final, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from alkphos.errors import InputError
from alkphos.knowledge.schema import AgeBound, Sex, WeekRange

__all__ = [
    "FILE_FORMAT",
    "Basis",
    "LabInterval",
    "LabIntervalFile",
    "dump_file",
    "load_file",
    "parse_file",
]

FILE_FORMAT: Final = "alkphos-intervals/1"

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.\-]*$")]
Method = Literal["indirect", "direct", "transferred"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Basis(_Frozen):
    """How an interval's limits were obtained."""

    method: Method = Field(
        description="indirect: estimated from routine results; direct: CLSI EP28-A3c rank "
        "percentiles of reference individuals; transferred: taken from a named source."
    )
    estimator: str | None = Field(
        default=None, description="The procedure in words, e.g. the fitted model's name."
    )
    n: int | None = Field(default=None, ge=1, description="Values the limits rest on.")
    lower_ci: tuple[float, float] | None = Field(
        default=None, description="90% confidence interval of the lower limit."
    )
    upper_ci: tuple[float, float] | None = Field(
        default=None, description="90% confidence interval of the upper limit."
    )
    date_from: dt.date | None = Field(default=None, description="First collection date used.")
    date_to: dt.date | None = Field(default=None, description="Last collection date used.")
    origin: str = Field(description="Where the data came from, in words.")


class LabInterval(_Frozen):
    """One interval of a laboratory's file: one analyte in one population."""

    id: Id
    analyte: Id
    sex: Sex = "any"
    age_from: AgeBound
    age_to: AgeBound | None = Field(default=None, description="Exclusive; none = no upper bound.")
    pregnancy_weeks: WeekRange | None = None
    low: float | None
    high: float | None
    unit: str
    population: str = Field(description="Who the interval describes, in words.")
    basis: Basis
    citations: list[Id] = Field(default_factory=list)


class LabIntervalFile(_Frozen):
    """A laboratory's intervals file."""

    format: Literal["alkphos-intervals/1"] = "alkphos-intervals/1"
    laboratory: str | None = Field(default=None, description="Whose intervals these are.")
    created: dt.date
    intervals: Annotated[list[LabInterval], Field(min_length=1)]


def dump_file(intervals_file: LabIntervalFile) -> str:
    """The file as YAML, entries in their given order."""
    data = intervals_file.model_dump(mode="json", by_alias=True, exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def parse_file(text: str, source: str = "intervals file") -> LabIntervalFile:
    """Read an intervals file's text; a problem is an ``InputError`` naming where it is."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InputError(source, f"not valid YAML ({error})") from None
    if not isinstance(data, dict):
        raise InputError(source, "expected a mapping with 'created' and 'intervals'")
    try:
        return LabIntervalFile.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = _where(data, first["loc"])
        raise InputError(f"{source}: {where}", first["msg"]) from None


def load_file(path: Path) -> LabIntervalFile:
    """Read an intervals file from disk."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(str(path), f"cannot be read ({error.strerror})") from None
    return parse_file(text, str(path))


def _where(data: dict[str, object], loc: tuple[int | str, ...]) -> str:
    """A validation error's place, naming the interval's id when the error is in one."""
    path = ".".join(str(part) for part in loc)
    if len(loc) >= 2 and loc[0] == "intervals" and isinstance(loc[1], int):
        entries = data.get("intervals")
        if isinstance(entries, list) and loc[1] < len(entries):
            entry = entries[loc[1]]
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                return f"{path} (interval {entry['id']!r})"
    return path
