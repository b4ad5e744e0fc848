"""The interpretation: what alkphos concludes for one case (the output contract)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from alkphos.model.case import Setting, Sex

__all__ = [
    "AlpBlock",
    "AlpSeries",
    "Cause",
    "Flag",
    "FollowUp",
    "Inputs",
    "Interpretation",
    "LaboratoryBasis",
    "Pattern",
    "ReferenceIntervalUsed",
    "ResultStatus",
    "Source",
    "Summary",
    "TestRecommendation",
]

Status = Literal["low", "normal", "high"]
Severity = Literal["info", "warning", "critical"]
SourceName = Literal["liver", "bone", "placenta", "intestine", "indeterminate"]
PatternName = Literal["hepatocellular", "mixed", "cholestatic"]

_OUT = ConfigDict(frozen=True, extra="forbid")


class LaboratoryBasis(BaseModel):
    """How a laboratory's own interval (an entry of its intervals file) was obtained."""

    model_config = _OUT

    entry: str = Field(description="The entry's id in the intervals file.")
    laboratory: str | None = None
    method: Literal["indirect", "direct", "transferred"]
    estimator: str | None = None
    n: int | None = Field(default=None, description="Values the limits rest on.")
    lower_ci: tuple[float, float] | None = Field(
        default=None, description="90% confidence interval of the lower limit (canonical unit)."
    )
    upper_ci: tuple[float, float] | None = Field(
        default=None, description="90% confidence interval of the upper limit (canonical unit)."
    )
    date_from: str | None = None
    date_to: str | None = None
    origin: str
    statement: str = Field(description="The basis in one sentence.")


class ReferenceIntervalUsed(BaseModel):
    """The reference interval a result was judged against, and why it was chosen."""

    model_config = _OUT

    low: float | None
    high: float | None
    unit: str
    basis: str = Field(description="Which population and which source.")
    source: Literal["laboratory", "laboratory file", "knowledge base"] = Field(
        description="laboratory: limits printed on the result; laboratory file: the "
        "laboratory's intervals file (--intervals); knowledge base: alkphos's own."
    )
    citations: list[str] = Field(default_factory=list)
    laboratory_basis: list[LaboratoryBasis] = Field(
        default_factory=list,
        description="For limits from a laboratory's intervals file: how each was obtained.",
    )


class AlpBlock(BaseModel):
    """The latest ALP result and its status."""

    model_config = _OUT

    value: float
    unit: Literal["U/L"] = "U/L"
    date: str | None
    status: Status
    reference_interval: ReferenceIntervalUsed
    multiple_of_uln: float
    grade: str | None = Field(description="CTCAE v5.0 grade of a raised ALP (G1-G4), else null.")
    grade_scheme: str | None = None
    grade_label: str | None = None


class ResultStatus(BaseModel):
    """One reported result, converted and judged."""

    model_config = _OUT

    index: int = Field(description="Position of the result in the case's results.")
    test: str = Field(description="As reported.")
    analyte: str
    name: str
    value: float
    unit: str
    reported_value: float
    reported_unit: str
    date: str | None
    status: Literal["low", "normal", "high", "unknown"]
    reference_interval: ReferenceIntervalUsed | None


class AlpSeries(BaseModel):
    """What the ALP results say over time."""

    model_config = _OUT

    n_results: int
    n_low: int
    n_high: int
    persistence_definition: str
    persistently_low: bool
    first_low_date: str | None
    last_low_date: str | None
    first_ever_abnormal: bool = Field(description="The latest value is the first abnormal one.")
    long_standing: bool = Field(
        description="Abnormal values span at least the long-standing window."
    )
    trend: Literal["rising", "falling", "stable"] | None
    fold_change: float | None = Field(description="Latest ALP divided by the previous one.")
    acute_fall: bool
    abnormal_since: str | None = Field(
        default=None,
        description="First date of the unbroken run of results in the latest result's "
        "direction (low or high); null when the latest ALP is normal.",
    )
    abnormal_days: int | None = Field(
        default=None, description="Days from abnormal_since to the latest ALP."
    )
    normal_before: str | None = Field(
        default=None, description="The last date ALP was not in that direction before the run."
    )


class Source(BaseModel):
    """The likely tissue source of the ALP and why."""

    model_config = _OUT

    likely: SourceName
    evidence: list[str]
    test_to_tell: str | None = Field(
        default=None, description="The test that would tell, when the source is indeterminate."
    )


class Pattern(BaseModel):
    """The liver-injury pattern by R ratio."""

    model_config = _OUT

    name: PatternName
    r_ratio: float


class Cause(BaseModel):
    """One cause in the differential, with the evidence that moved its score."""

    model_config = _OUT

    id: str
    name: str
    score: float
    evidence_for: list[str]
    evidence_against: list[str]
    citations: list[str]
    supported: bool = Field(
        default=False,
        description="Whether this case's own evidence (results, findings, medicines, setting; "
        "not age or sex alone) raises the cause above how common it is.",
    )
    standing: Literal["supported", "possible", "less likely"] = Field(
        default="possible",
        description="The cause's standing in words, for people: supported (see supported), "
        "less likely (the evidence against outweighs the evidence for), or possible.",
    )
    evidence_not_applied: list[str] = Field(
        default_factory=list,
        description="Findings that hold but were not weighed, because the figure behind them "
        "was measured in another population (said with each).",
    )


class TestRecommendation(BaseModel):
    """A next test, in priority order (1 = do first)."""

    model_config = _OUT

    id: str
    name: str
    priority: int
    reason: str


class Flag(BaseModel):
    """A safety or context flag."""

    model_config = _OUT

    id: str
    severity: Severity
    message: str


class FollowUp(BaseModel):
    """When to repeat ALP, and the advice in words."""

    model_config = _OUT

    repeat_alp_after_days: int | None
    advice: str
    basis: str | None = None


class Summary(BaseModel):
    """The two summaries: for the clinician and, in plain words, for the patient."""

    model_config = _OUT

    clinician: str
    patient: str


class Inputs(BaseModel):
    """The patient's context as the case gave it, so every output can show what it was read
    with (results are under ``results``)."""

    model_config = _OUT

    age_years: float | None = Field(
        description="Age at the latest result (from age_years or birth_date); null if unknown."
    )
    sex: Sex
    pregnancy_weeks: float | None = Field(
        default=None, description="Gestational age at the latest result, if pregnant."
    )
    postpartum_weeks: float | None = Field(
        default=None, description="Weeks since delivery at the latest result, if given."
    )
    menopause: Literal["pre", "post"] | None = Field(
        default=None, description="Menopausal status as the case gave it."
    )
    medications: list[str] = Field(default_factory=list, description="As the case gave them.")
    findings: list[str] = Field(default_factory=list, description="As the case gave them.")
    setting: Setting = Field(
        default="unknown", description="Where the patient is seen; unknown is read as outpatient."
    )


class Interpretation(BaseModel):
    """The full interpretation of one case."""

    model_config = _OUT

    alkphos_version: str
    knowledge_version: str
    as_of: str
    inputs: Inputs | None = Field(
        default=None, description="The patient's context the case was read with."
    )
    alp: AlpBlock | None
    alp_series: AlpSeries | None
    results: list[ResultStatus]
    source: Source
    pattern: Pattern | None
    pattern_note: str | None = Field(default=None, description="Why there is no pattern.")
    differential: list[Cause]
    tests: list[TestRecommendation]
    flags: list[Flag]
    follow_up: FollowUp
    summary: Summary
    not_understood: list[str]
    secondary_causes: list[str] = Field(
        default_factory=list,
        description="Screening exclusions that hold (ids from screening.yaml): secondary "
        "causes of a low ALP found in the case.",
    )
