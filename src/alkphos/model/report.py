"""What was read from a laboratory report: each result with the line it came from, and
every line that looked like a result but was not understood."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from alkphos.model.interpretation import Interpretation

__all__ = [
    "Disagreement",
    "ReadResult",
    "ReportInterpretation",
    "ReportReading",
    "SetAside",
    "UnreadLine",
]

_OUT = ConfigDict(frozen=True, extra="forbid")
Direction = Literal["low", "high", "abnormal"]


class ReadResult(BaseModel):
    """One result read from a report line."""

    model_config = _OUT

    line: int = Field(description="Line number in the report text (1 = first line).")
    text: str = Field(description="The line as printed.")
    test: str = Field(description="The test name as printed.")
    analyte: str = Field(description="The knowledge base's analyte id.")
    value: float | None = Field(description="The value; null when censored.")
    censored: str | None = Field(
        default=None, description="A censored value as printed ('<5', '>20.0'), else null."
    )
    unit: str | None = Field(description="The unit as printed; null when none was printed.")
    reference_low: float | None = None
    reference_high: float | None = None
    reference_text: str | None = Field(default=None, description="The range as printed.")
    flag: str | None = Field(default=None, description="The laboratory's flag as printed.")
    flag_direction: Direction | None = None
    date: str | None = Field(default=None, description="Collection date (ISO 8601).")
    case_index: int | None = Field(
        default=None, description="Position in the case's results, if it went into the case."
    )


class UnreadLine(BaseModel):
    """A line that looked like a result but was not understood, and why."""

    model_config = _OUT

    line: int
    text: str
    reason: str


class Disagreement(BaseModel):
    """The laboratory's flag and alkphos's status for the same result differ."""

    model_config = _OUT

    line: int
    test: str
    flag: str | None
    status: str
    message: str


class SetAside(BaseModel):
    """A printed reference range that cannot apply to this patient, and why."""

    model_config = _OUT

    line: int
    test: str
    printed: str = Field(description="The range as printed.")
    reason: str


class ReportReading(BaseModel):
    """Everything read from one report."""

    model_config = _OUT

    results: list[ReadResult]
    not_understood: list[UnreadLine]
    notes: list[str] = Field(default_factory=list)


class ReportInterpretation(BaseModel):
    """A report's reading and the interpretation of the case made from it."""

    model_config = _OUT

    reading: ReportReading
    set_aside: list[SetAside] = Field(
        default_factory=list,
        description="Printed ranges not used (pregnancy, or an adult range for a child).",
    )
    disagreements: list[Disagreement]
    interpretation: Interpretation
