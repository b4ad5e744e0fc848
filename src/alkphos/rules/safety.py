"""Safety and context flags. Each trigger is a small function; words, severities and
numbers come from the knowledge base (flags.yaml, parameters.yaml).

Data flags come first (they may count as evidence in the differential); judgement flags
(avoid antiresorptives, osteomalacia first, B6 confounder) read the differential.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from alkphos.facts import Facts, Measurement
from alkphos.model.interpretation import AlpBlock, Cause
from alkphos.rules.intervals import adult_interval
from alkphos.rules.series import Series
from alkphos.rules.support import supported as is_supported

__all__ = ["DATA_FLAGS", "data_flags", "judgement_flags"]

Detail = str | None
_TOP = 3
_Check = Callable[[Facts, AlpBlock | None, Series | None], Detail | bool]

# The checks data_flags runs, in order: each flag raised when its check gives a truthy value
# (a string is the flag's detail).
_DATA_CHECKS: tuple[tuple[str, _Check], ...] = (
    ("insufficient_data", lambda facts, alp, series: alp is None and "no ALP result in the case"),
    ("acute_liver_failure", lambda facts, alp, series: _acute_liver_failure(facts)),
    ("wilson_acute_liver_failure", lambda facts, alp, series: _wilson(facts)),
    ("possible_edta_contamination", lambda facts, alp, series: _edta(facts)),
    ("marked_elevation", lambda facts, alp, series: _marked(facts)),
    ("possible_obstruction", lambda facts, alp, series: _obstruction(facts)),
    (
        "possible_cholestasis_of_pregnancy",
        lambda facts, alp, series: _cholestasis_of_pregnancy(facts),
    ),
    ("persistently_low_alp", lambda facts, alp, series: _persistent(series)),
    ("physiologic_pregnancy", lambda facts, alp, series: _physiologic_pregnancy(facts)),
    ("physiologic_for_age", lambda facts, alp, series: _physiologic_for_age(facts)),
    ("liver_disease_raises_b12", lambda facts, alp, series: _b12(facts)),
    (
        "biotin_immunoassay_interference",
        lambda facts, alp, series: "biotin_supplement" in facts.drug_classes,
    ),
    ("unit_converted", lambda facts, alp, series: _converted(facts)),
)
# The flags data_flags can raise (the only ones evidence predicates may refer to).
DATA_FLAGS = tuple(name for name, _ in _DATA_CHECKS)


def data_flags(facts: Facts, alp: AlpBlock | None, series: Series | None) -> dict[str, Detail]:
    """Flags that follow from the data alone, in a fixed order, with a detail each."""
    raised: dict[str, Detail] = {}
    for flag, check in _DATA_CHECKS:
        outcome = check(facts, alp, series)
        if outcome:
            raised[flag] = outcome if isinstance(outcome, str) else None
    return raised


def judgement_flags(
    facts: Facts, alp: AlpBlock | None, differential: Sequence[Cause], tests: Sequence[str]
) -> dict[str, Detail]:
    """Flags that need the differential (and the tests about to be recommended)."""
    raised: dict[str, Detail] = {}
    kb = facts.kb
    supported = [c.id for c in differential[:_TOP] if is_supported(c, kb)]
    if alp is not None and alp.status == "low" and "hypophosphatasia" in supported:
        raised["avoid_antiresorptives"] = (
            "hypophosphatasia ranks among the leading causes of this low ALP"
        )
    vitamin_d = facts.latest("vitamin_d")
    deficient = vitamin_d is not None and vitamin_d.value < facts.kb.param(
        "vitamin_d_deficiency_max"
    )
    leading_osteomalacia = "osteomalacia_rickets" in supported
    if deficient or (alp is not None and alp.status == "high" and leading_osteomalacia):
        raised["treat_osteomalacia_before_antiresorptive"] = (
            f"25-OH vitamin D {vitamin_d.value:g} nmol/L" if deficient and vitamin_d else None
        )
    if "vitamin_b6_supplement" in facts.drug_classes and (
        facts.latest("plp") is not None or "plp" in tests
    ):
        raised["b6_supplement_confounds_plp"] = None
    return raised


def _latest_alp(facts: Facts) -> Measurement | None:
    return facts.latest("alp")


def _acute_liver_failure(facts: Facts) -> Detail | bool:
    if "acute_liver_failure" in facts.findings:
        return "acute liver failure is reported"
    inr = facts.latest("inr")
    if (
        inr is not None
        and inr.value >= facts.kb.param("alf_inr_min")
        and ("encephalopathy" in facts.findings)
    ):
        return f"INR {inr.value:g} with encephalopathy"
    return False


def _wilson(facts: Facts) -> Detail | bool:
    if not _acute_liver_failure(facts):
        return False
    alp, bilirubin = _latest_alp(facts), facts.latest("total_bilirubin")
    ast, alt = facts.latest("ast"), facts.latest("alt")
    if alp is None or bilirubin is None or ast is None or alt is None:
        return False
    if not bilirubin.detectable or not alt.detectable:
        return False  # a ratio over a value below detection is not defined
    alp_bilirubin = alp.value / bilirubin.value
    ast_alt = ast.value / alt.value
    kb = facts.kb
    if alp_bilirubin < kb.param("wilson_alp_bilirubin_ratio_max") and ast_alt > kb.param(
        "wilson_ast_alt_ratio_min"
    ):
        return f"ALP/total bilirubin {alp_bilirubin:.1f} (U/L per mg/dL), AST/ALT {ast_alt:.1f}"
    return False


def _edta(facts: Facts) -> Detail | bool:
    alp = _latest_alp(facts)
    if alp is None or alp.status != "low":
        return False
    potassium = facts.same_day("potassium", alp.when)
    calcium = facts.same_day("calcium", alp.when)
    if potassium is None or calcium is None:
        return False
    if potassium.status == "high" and calcium.status == "low":
        detail = (
            f"potassium {potassium.value:g} mmol/L high and calcium {calcium.value:g} mmol/L low"
        )
        return detail + " in the same draw as the low ALP"
    return False


def _marked(facts: Facts) -> Detail | bool:
    alp = _latest_alp(facts)
    if alp is None or alp.interval is None or not alp.interval.high:
        return False
    kb = facts.kb
    multiple = alp.value / alp.interval.high
    if multiple > kb.param("marked_elevation_uln_multiple"):
        return f"ALP {alp.value:g} U/L is {multiple:.1f} times the upper limit"
    adult = alp.age is None or alp.age.years >= kb.param("adult_age_years")
    if adult and alp.value > kb.param("marked_elevation_alp"):
        return f"ALP {alp.value:g} U/L"
    return False


def _obstruction(facts: Facts) -> Detail | bool:
    alp = _latest_alp(facts)
    if alp is None or alp.status != "high":
        return False
    for analyte in ("total_bilirubin", "direct_bilirubin"):
        bilirubin = facts.latest(analyte)
        if bilirubin is not None and bilirubin.status == "high":
            name = facts.kb.analytes[analyte].name
            return f"{name} {bilirubin.value:g} mg/dL is raised with the high ALP"
    return False


def _pregnant(facts: Facts) -> bool:
    alp = _latest_alp(facts)
    weeks = alp.pregnancy_weeks if alp is not None else facts.case.patient.pregnancy_weeks
    return weeks is not None


def _cholestasis_of_pregnancy(facts: Facts) -> Detail | bool:
    if not _pregnant(facts):
        return False
    bile_acids = facts.latest("bile_acids")
    if bile_acids is not None and bile_acids.status == "high":
        return f"bile acids {bile_acids.value:g} umol/L"
    return "pruritus in pregnancy" if "pruritus" in facts.findings else False


def _persistent(series: Series | None) -> Detail | bool:
    if series is None or not series.persistently_low:
        return False
    first, last = series.first_low, series.last_low
    if first is None or last is None:
        return False
    return f"{series.n_low} low results from {first.when.isoformat()} to {last.when.isoformat()}"


def _above_general_limit(facts: Facts, alp: Measurement, general_high: float | None) -> bool:
    return (
        alp.status == "normal"
        and alp.interval is not None
        and alp.interval.source == "knowledge base"
        and general_high is not None
        and alp.value > general_high
    )


def _physiologic_pregnancy(facts: Facts) -> Detail | bool:
    alp = _latest_alp(facts)
    if alp is None or alp.pregnancy_weeks is None:
        return False
    sex = "female"
    adult = adult_interval(facts.kb, "alp", sex)
    high = adult.high * facts.kb.interval_factors[adult.id] if adult and adult.high else None
    if _above_general_limit(facts, alp, high):
        weeks = alp.pregnancy_weeks
        return (
            f"ALP {alp.value:g} U/L is above the non-pregnant limit but normal at {weeks:g} weeks"
        )
    return False


def _physiologic_for_age(facts: Facts) -> Detail | bool:
    alp = _latest_alp(facts)
    if alp is None or alp.age is None or alp.pregnancy_weeks is not None:
        return False
    if alp.age.years >= facts.kb.param("adult_age_years"):
        return False
    sex = facts.sex if facts.sex in ("female", "male") else "male"
    adult = adult_interval(facts.kb, "alp", sex)
    high = adult.high * facts.kb.interval_factors[adult.id] if adult and adult.high else None
    if _above_general_limit(facts, alp, high):
        age = _age_words(alp.age.years)
        return f"ALP {alp.value:g} U/L is above the adult limit but normal at {age}"
    return False


def _age_words(years: float) -> str:
    if years < 2:
        return f"{int(years * 12)} months"
    return f"{int(years)} years"


def _b12(facts: Facts) -> Detail | bool:
    alp, b12 = _latest_alp(facts), facts.latest("vitamin_b12")
    if alp is None or b12 is None:
        return False
    return alp.status == "high" and b12.status == "high"


def _converted(facts: Facts) -> Detail | bool:
    if not facts.converted:
        return False
    parts = [
        f"{m.test} {m.reported_value:g} {m.reported_unit} = {m.value:g} "
        f"{facts.kb.analytes[m.analyte].unit}"
        for m in facts.converted
    ]
    return "; ".join(parts)
