"""The case: one patient's results and context, exactly as the contract's input schema."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["Case", "LabResult", "Menopause", "Patient", "Setting", "Sex", "parse_when"]

Sex = Literal["female", "male", "unknown"]
Menopause = Literal["pre", "post"]
Setting = Literal["outpatient", "emergency", "inpatient", "intensive_care", "unknown"]

_FROZEN = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)


class _Input(BaseModel):
    """Optional fields may be left out, but only those in ``NULLABLE`` may be null."""

    model_config = _FROZEN
    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key, value in data.items():
                if value is None and key in cls.model_fields and key not in cls.NULLABLE:
                    msg = f"null is not accepted for {key}"
                    raise ValueError(msg)
        return data


def parse_when(text: str) -> dt.date:
    """Parse an ISO 8601 date or date-time into the calendar date of collection."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return dt.datetime.fromisoformat(text).date()


class Patient(_Input):
    """Who the results belong to; every field is optional."""

    NULLABLE = frozenset({"pregnancy_weeks", "postpartum_weeks"})

    age_years: Annotated[float, Field(ge=0, le=130)] | None = Field(
        default=None,
        description="Age at the most recent result; fractions for infants (0.5 = six months).",
    )
    birth_date: dt.date | None = Field(
        default=None,
        description="Alternative to age_years; age is then computed at each result's date.",
    )
    sex: Sex = Field(default="unknown", description="female, male or unknown.")
    pregnancy_weeks: Annotated[float, Field(ge=0, le=45)] | None = Field(
        default=None,
        description="Gestational age in weeks if pregnant at the most recent result; "
        "null or absent if not pregnant.",
    )
    postpartum_weeks: Annotated[float, Field(ge=0)] | None = Field(
        default=None, description="Weeks since delivery, if recently delivered."
    )
    menopause: Menopause | None = Field(
        default=None,
        description="For a woman: 'pre' or 'post' menopause, if known. ALP rises after the "
        "menopause, so where the knowledge base's intervals for women are split by it, the "
        "stated status chooses the interval instead of the age alone.",
    )

    @field_validator("birth_date", mode="before")
    @classmethod
    def _birth_date_from_text(cls, value: object) -> object:
        if isinstance(value, str):
            return dt.date.fromisoformat(value)
        return value

    @model_validator(mode="after")
    def _pregnancy_fits_sex(self) -> Patient:
        if self.sex == "male" and self.pregnancy_weeks is not None:
            msg = "pregnancy_weeks is given for a male patient"
            raise ValueError(msg)
        if self.sex == "male" and self.postpartum_weeks is not None:
            msg = "postpartum_weeks is given for a male patient"
            raise ValueError(msg)
        if self.sex == "male" and self.menopause is not None:
            msg = "menopause is given for a male patient"
            raise ValueError(msg)
        if self.menopause == "post" and self.pregnancy_weeks is not None:
            msg = "menopause 'post' is given with a pregnancy"
            raise ValueError(msg)
        return self


class LabResult(_Input):
    """One laboratory result as reported."""

    test: Annotated[str, Field(min_length=1)] = Field(
        description="A LOINC code (6768-6) or a common name or alias (ALP, alk phos, GGT, ...)."
    )
    value: float = Field(description="The reported value.")
    unit: str | None = Field(
        default=None,
        description="UCUM or common unit (U/L, ukat/L, mg/dL, umol/L, ...). "
        "Absent: the analyte's conventional unit.",
    )
    date: str | None = Field(
        default=None,
        description="ISO 8601 date or date-time of collection. Required on every result of a "
        "test given more than once: which result is the latest decides the answer, and the "
        "results' order in the list is never taken as time (such a case is refused, naming "
        "the undated results).",
    )
    reference_low: float | None = Field(
        default=None, description="The reporting lab's own lower limit; it wins when given."
    )
    reference_high: float | None = Field(
        default=None, description="The reporting lab's own upper limit; it wins when given."
    )
    fasting: bool | None = Field(default=None, description="Whether the sample was fasting.")

    @field_validator("date")
    @classmethod
    def _date_is_iso(cls, value: str | None) -> str | None:
        if value is not None:
            parse_when(value)
        return value

    @property
    def collected_on(self) -> dt.date | None:
        """The calendar date of collection, if given."""
        return parse_when(self.date) if self.date is not None else None


class Case(_Input):
    """One patient's results and context: the input of ``interpret``."""

    patient: Patient
    results: Annotated[list[LabResult], Field(min_length=1)]
    medications: list[str] = Field(
        default_factory=list,
        description="Generic or brand names, current or within the last year.",
    )
    findings: list[str] = Field(
        default_factory=list,
        description="Finding ids from the vocabulary; unknown strings are reported as "
        "not understood.",
    )
    setting: Setting = Field(
        default="unknown",
        description="Where the patient is being seen. Causes tied to a setting (critical "
        "illness, sepsis, recent major surgery, massive transfusion) need that setting or "
        "direct evidence of it. Unknown is treated as outpatient.",
    )

    @property
    def acute_setting(self) -> bool:
        """Seen in an emergency department, on a ward or in intensive care."""
        return self.setting in ("emergency", "inpatient", "intensive_care")
