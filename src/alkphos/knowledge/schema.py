"""Pydantic models of the knowledge base files (every one frozen, ``extra="forbid"``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AgeBound",
    "Analyte",
    "AnalyteUnit",
    "Cause",
    "Citation",
    "Claim",
    "ClinicalCode",
    "Drug",
    "DrugClass",
    "DrugEffect",
    "EvidenceItem",
    "Finding",
    "Flag",
    "FollowUpRule",
    "MedicineReading",
    "Parameter",
    "Plausible",
    "PublishedYield",
    "ReferenceInterval",
    "ScreeningRule",
    "Test",
    "WatchFor",
    "WeekRange",
]

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.\-]*$")]
Direction = Literal["low", "high", "either"]
Severity = Literal["info", "warning", "critical"]
Sex = Literal["female", "male", "any"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Citation(_Frozen):
    """A published source; every cause, interval, threshold and weight cites one or more."""

    id: Id
    authors: str
    title: str
    published_in: str = Field(description="Journal, book, guideline body or publisher.")
    year: int | None = None
    doi: str | None = None
    pmid: str | None = None
    note: str | None = Field(default=None, description="What was checked, and any caveat.")


class AnalyteUnit(_Frozen):
    """A spelling of a unit accepted for an analyte; ``pint`` is the expression pint parses
    when the spelling itself is not one (e.g. ``IU/L`` for an enzyme is ``U/L``)."""

    unit: str
    pint: str | None = None


class Plausible(_Frozen):
    """Values outside these bounds (canonical unit) are refused as implausible."""

    low: float = 0.0
    high: float


class Analyte(_Frozen):
    """A measurable quantity: names, codes, units and plausibility."""

    id: Id
    name: str
    loinc: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    unit: str = Field(description="Canonical unit; every value is converted to it.")
    units: list[AnalyteUnit] = Field(
        default_factory=list, description="Other accepted spellings, converted with pint."
    )
    pint: str | None = Field(default=None, description="pint expression of the canonical unit.")
    molar_mass: float | None = Field(default=None, description="g/mol, for mass <-> molar.")
    plausible: Plausible
    decimals: int = Field(
        ge=0,
        le=4,
        description="Reporting precision in the canonical unit (decimal places). A value that "
        "rounds to zero at this precision is below what the method reports: read as below "
        "detection, never divided by.",
    )
    citations: list[Id] = Field(default_factory=list)
    note: str | None = None

    @property
    def step(self) -> float:
        """The smallest reportable step in the canonical unit (10 ** -decimals)."""
        return 10.0**-self.decimals

    def detectable(self, value: float) -> bool:
        """Whether a value (canonical unit) is at least half a step: it rounds above zero."""
        return value >= self.step / 2


class AgeBound(_Frozen):
    """An age limit in days or years: ``15 d`` or ``13 y``."""

    value: float
    unit: Literal["d", "y"]


class WeekRange(_Frozen):
    """Gestational weeks, ``from`` inclusive, ``to`` exclusive."""

    from_: float = Field(alias="from")
    to: float


class ReferenceInterval(_Frozen):
    """A reference interval for one analyte and one population partition."""

    id: Id
    analyte: Id
    sex: Sex = "any"
    age_from: AgeBound
    age_to: AgeBound | None = Field(default=None, description="Exclusive; none = no upper bound.")
    pregnancy_weeks: WeekRange | None = Field(
        default=None, description="Applies only in pregnancy at these weeks."
    )
    menopause: Literal["pre", "post"] | None = Field(
        default=None,
        description="The menopausal status the interval describes; a woman whose stated status "
        "differs gets the interval of her status nearest her age.",
    )
    low: float | None
    high: float | None
    unit: str
    population: str = Field(description="Who the interval describes, in words.")
    citations: Annotated[list[Id], Field(min_length=1)]


class Parameter(_Frozen):
    """A named number used by a rule, with its source."""

    id: Id
    value: float
    unit: str | None = None
    description: str
    citations: Annotated[list[Id], Field(min_length=1)]


class EvidenceItem(_Frozen):
    """A named predicate, its weight (log likelihood ratio) and the sentence shown when it holds."""

    when: str = Field(description="Predicate name, optionally with arguments: 'high:ggt'.")
    weight: float
    says: str
    citations: list[Id] = Field(default_factory=list)
    applies_in: list[str] = Field(
        default_factory=list,
        description="Predicates that must all hold for the weight to apply: the population "
        "the figure was measured in (e.g. 'alp_persistently_low').",
    )
    population: str | None = Field(
        default=None, description="The population the weight was measured in, in words."
    )
    sign: str | None = Field(
        default=None,
        description="The underlying sign this item shows (e.g. 'bilirubin' for jaundice, "
        "total and direct bilirubin): of the items of one cause sharing a sign, only the "
        "strongest that holds counts, so one sign is never counted twice.",
    )
    diagnostic: bool | None = Field(
        default=None,
        description="Whether the item can make the cause supported. Unset: as its predicate "
        "says (who the patient is, the tissue, the pattern, normal tests of the other tissue "
        "and the size of the ALP alone cannot; results, findings, medicines, setting and time "
        "can). True where the cause's own diagnostic criteria name it (normal liver tests "
        "and bone minerals for transient hyperphosphatasaemia).",
    )


class MedicineReading(_Frozen):
    """A cause that is a medicine's effect: when it leads, the reading is "the medicine
    explains it", and ``reconsider`` says what would change that reading."""

    drug_class: Id = Field(description="The drug class whose effect this cause is.")
    effect: str = Field(description="What the class does to ALP, as a clause.")
    reconsider: str = Field(description="What would change the reading, in one sentence.")
    citations: Annotated[list[Id], Field(min_length=1)]


class WatchFor(_Frozen):
    """What a patient whose result raises this flag should watch for, and whom to tell, in
    plain words."""

    plain: str
    citations: Annotated[list[Id], Field(min_length=1)]


class Cause(_Frozen):
    """A cause of abnormal ALP with its prior and evidence."""

    id: Id
    name: str
    direction: Direction
    prior: float = Field(description="Log-odds before the evidence (how common it is).")
    summary: str
    plain: str = Field(description="What it is, in plain words for a patient.")
    mechanism: str | None = None
    evidence: list[EvidenceItem]
    tests: list[Id] = Field(default_factory=list, description="Work-up, most useful first.")
    requires: list[str] = Field(
        default_factory=list,
        description="Predicates of which at least one must hold for the cause to be supported "
        "(a drug cause needs the drug, a cause of pregnancy the pregnancy); unmet, the cause "
        "may still be ranked as possible but is never supported.",
    )
    physiological: bool = Field(
        default=False,
        description="A normal state (pregnancy, growth), not a disease: when it leads and nothing "
        "else is abnormal, no work-up is offered.",
    )
    medicine: MedicineReading | None = Field(
        default=None, description="Set when the cause is the effect of a medicine."
    )

    citations: Annotated[list[Id], Field(min_length=1)]


class Test(_Frozen):
    """A test or investigation alkphos may recommend."""

    id: Id
    name: str
    analytes: list[Id] = Field(
        default_factory=list, description="Analytes whose results mean the test is done."
    )
    done_when: Literal["all", "any"] = Field(
        default="all",
        description="'all': every analyte must be present (a panel); 'any': one is enough "
        "(alternative forms of one measurement).",
    )
    tier: Annotated[int, Field(ge=1, le=5)] = Field(
        description="1 = cheap, quick and decisive ... 5 = invasive, costly or specialist."
    )
    sexes: list[Literal["female", "male"]] = Field(
        default=["female", "male"],
        description="Only for these sexes (a patient of unknown sex may get any test).",
    )
    min_age_years: float | None = Field(default=None, description="Only from this age.")
    in_pregnancy: bool = Field(default=True, description="False: never offered in pregnancy.")
    for_low_alp: bool = Field(
        default=True,
        description="False: part of a low ALP's work-up only when a flag calls for it.",
    )
    not_needed_when: list[str] = Field(
        default_factory=list,
        description="'status:analyte' results that make the test unnecessary (e.g. 'high:ama' "
        "for a liver biopsy: a positive AMA with cholestasis makes the diagnosis).",
    )
    decisive_when: list[str] = Field(
        default_factory=list,
        description="'status:analyte' results after which this test decides the leading cause "
        "and comes first (e.g. ALPL sequencing once PLP is raised).",
    )
    purpose: str
    citations: list[Id] = Field(default_factory=list)


class Finding(_Frozen):
    """A clinical finding a case may report."""

    id: Id
    name: str
    aliases: list[str] = Field(default_factory=list)
    description: str | None = None


class Flag(_Frozen):
    """A safety or context flag; its trigger lives in code, its words and numbers here."""

    id: Id
    severity: Severity
    message: str
    trigger: str = Field(description="When it is raised, in words.")
    tests: list[Id] = Field(
        default_factory=list, description="Tests the flag calls for, done first."
    )
    supporting_findings: list[Id] = Field(
        default_factory=list,
        description="Findings that count for the flag beside the results, as its sources name "
        "them (e.g. the features of hypophosphatasia, the clues of an active biliary process).",
    )
    watch_for: WatchFor | None = Field(
        default=None, description="For the patient: what to watch for and whom to tell."
    )
    citations: Annotated[list[Id], Field(min_length=1)]


class DrugEffect(_Frozen):
    """What a drug class does to a measured analyte."""

    analyte: Id
    direction: Literal["up", "down", "interference"]
    mechanism: str
    citations: Annotated[list[Id], Field(min_length=1)]


class DrugClass(_Frozen):
    """A class of drugs sharing an effect on ALP or on the work-up."""

    id: Id
    name: str
    effects: list[DrugEffect]


class Drug(_Frozen):
    """A drug by generic name, with brand names and classes."""

    id: Id
    name: str
    brands: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    classes: Annotated[list[Id], Field(min_length=1)]
    rxnorm: list[str] = Field(default_factory=list)


class Claim(_Frozen):
    """A claim from a seed article, with the verdict of the evidence and what alkphos says."""

    id: Id = Field(description="Seed number and claim number, e.g. 'seed000.16'.")
    seed: str = Field(description="The seed article, by its title.")
    claim: str = Field(description="The claim, paraphrased.")
    verdict: Literal["supported", "nuanced", "contradicted", "unsupported", "unverified"]
    says: str = Field(description="What the evidence says, in alkphos's own words.")
    citations: Annotated[list[Id], Field(min_length=1)]


class ClinicalCode(_Frozen):
    """A diagnosis code (SNOMED CT or ICD-10) that means a finding or a cause the rules use."""

    system: Literal["snomed", "icd10cm", "icd10"]
    code: str
    display: str
    finding: Id | None = Field(default=None, description="The finding id the code means.")
    cause: Id | None = Field(default=None, description="The cause id the code means.")
    descendants: bool = Field(
        default=False, description="ICD-10: the code also covers codes that start with it."
    )
    note: str | None = Field(default=None, description="How the code was checked.")
    citations: Annotated[list[Id], Field(min_length=1)]


class FollowUpRule(_Frozen):
    """When to repeat ALP in one situation, and the advice in words."""

    id: Id
    repeat_alp_after_days: int | None
    advice: str
    basis: Literal["guideline", "study", "design default"]
    citations: Annotated[list[Id], Field(min_length=1)]


class ScreeningRule(_Frozen):
    """What population screening does with one kind of evidence about a person.

    ``role: exclude`` names a secondary cause of a low ALP: a person with this evidence
    in the window stays in the persistent list with the reason but leaves the worklist.
    ``role: rank`` names a signal that moves a worklist person up. ``kind`` says where
    the evidence comes from: a drug class, a condition (a cause through diagnosis codes,
    or a finding), a laboratory result, or the person's own lowest ALP.
    """

    id: Id
    role: Literal["exclude", "rank"]
    kind: Literal["drug_class", "condition", "lab", "alp"]
    name: str = Field(description="Short label shown as the reason or the ranking signal.")
    cause: Id | None = Field(default=None, description="exclude: the cause it stands for.")
    drug_class: Id | None = Field(default=None, description="drug_class: the class.")
    findings: list[Id] = Field(
        default_factory=list,
        description="condition: findings that mean it; the first stands for the cause.",
    )
    analyte: Id | None = Field(default=None, description="lab: the analyte.")
    status: Literal["low", "high"] | None = Field(
        default=None, description="lab: the status against the reference interval."
    )
    above: Id | None = Field(default=None, description="lab: above this parameter instead.")
    below: Id | None = Field(default=None, description="alp: lowest ALP below this parameter.")
    lookback_days: int | None = Field(
        default=None,
        ge=0,
        description="Evidence counts from this many days before the first low ALP to the "
        "as-of date; none = any date up to the as-of date.",
    )
    says: str = Field(description="Why it matters, in one sentence.")
    citations: Annotated[list[Id], Field(min_length=1)]


class PublishedYield(_Frozen):
    """How many people a published low-ALP case-finding study found, for comparison."""

    id: Id
    study: str = Field(description="Short label: first author and year.")
    setting: str
    definition: str = Field(description="The study's definition of a (persistently) low ALP.")
    stage: Literal["with_low", "persistent"] = Field(
        description="The funnel stage the figure compares with."
    )
    screened: int = Field(gt=0, description="People whose ALP was looked at.")
    found: int | None = Field(default=None, ge=0, description="People found, when reported.")
    percent: float = Field(ge=0, le=100, description="found / screened, as reported.")
    citations: Annotated[list[Id], Field(min_length=1)]
