"""Safety and context flags. Each trigger is a small function; words, severities and
numbers come from the knowledge base (flags.yaml, parameters.yaml).

Data flags come first (they may count as evidence in the differential); judgement flags
(avoid antiresorptives, osteomalacia first, B6 confounder) read the differential.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from alkphos.facts import Facts, Measurement
from alkphos.knowledge.loader import Knowledge
from alkphos.model.interpretation import AlpBlock, Cause, Pattern
from alkphos.render.numbers import as_reported
from alkphos.rules.intervals import adult_interval
from alkphos.rules.series import Series
from alkphos.rules.support import supported as is_supported
from alkphos.units import plain_unit, readable

__all__ = ["DATA_FLAGS", "data_flags", "hpp_features", "judgement_flags"]

Detail = str | None
_TOP = 3
_Check = Callable[[Facts, AlpBlock | None, Series | None, Pattern | None], Detail | bool]

# The checks data_flags runs, in order: each flag raised when its check gives a truthy value
# (a string is the flag's detail).
_DATA_CHECKS: tuple[tuple[str, _Check], ...] = (
    (
        "insufficient_data",
        lambda facts, alp, series, pattern: alp is None and "no ALP result in the case",
    ),
    ("acute_liver_failure", lambda facts, alp, series, pattern: _acute_liver_failure(facts)),
    (
        "acute_severe_liver_injury",
        lambda facts, alp, series, pattern: (
            not _acute_liver_failure(facts) and _acute_severe_liver_injury(facts)
        ),
    ),
    ("wilson_acute_liver_failure", lambda facts, alp, series, pattern: _wilson(facts)),
    ("possible_cholangitis", lambda facts, alp, series, pattern: _cholangitis(facts)),
    ("advanced_liver_disease", lambda facts, alp, series, pattern: _advanced_liver(facts)),
    ("possible_edta_contamination", lambda facts, alp, series, pattern: _edta(facts)),
    ("marked_elevation", lambda facts, alp, series, pattern: _marked(facts)),
    (
        "possible_obstruction",
        lambda facts, alp, series, pattern: _obstruction(facts, series, pattern),
    ),
    (
        "possible_cholestasis_of_pregnancy",
        lambda facts, alp, series, pattern: _cholestasis_of_pregnancy(facts),
    ),
    ("persistently_low_alp", lambda facts, alp, series, pattern: _persistent(series)),
    ("physiologic_pregnancy", lambda facts, alp, series, pattern: _physiologic_pregnancy(facts)),
    ("physiologic_for_age", lambda facts, alp, series, pattern: _physiologic_for_age(facts)),
    ("liver_disease_raises_b12", lambda facts, alp, series, pattern: _b12(facts)),
    (
        "biotin_immunoassay_interference",
        lambda facts, alp, series, pattern: "biotin_supplement" in facts.drug_classes,
    ),
    ("unit_converted", lambda facts, alp, series, pattern: _converted(facts)),
    ("value_set_aside", lambda facts, alp, series, pattern: "; ".join(facts.set_aside)),
    ("borderline_alp", lambda facts, alp, series, pattern: _borderline(facts)),
)
# The flags data_flags can raise (the only ones evidence predicates may refer to).
DATA_FLAGS = tuple(name for name, _ in _DATA_CHECKS)


def data_flags(
    facts: Facts, alp: AlpBlock | None, series: Series | None, pattern: Pattern | None
) -> dict[str, Detail]:
    """Flags that follow from the data alone, in a fixed order, with a detail each."""
    raised: dict[str, Detail] = {}
    for flag, check in _DATA_CHECKS:
        outcome = check(facts, alp, series, pattern)
        if outcome:
            raised[flag] = outcome if isinstance(outcome, str) else None
    return raised


def judgement_flags(
    facts: Facts,
    alp: AlpBlock | None,
    differential: Sequence[Cause],
    tests: Sequence[str],
    series: Series | None,
) -> dict[str, Detail]:
    """Flags that need the differential (and the tests about to be recommended)."""
    raised: dict[str, Detail] = {}
    kb = facts.kb
    supported = [c.id for c in differential[:_TOP] if is_supported(c, kb)]
    if alp is not None and alp.status == "low":
        persistent = series is not None and series.persistently_low
        raised.update(_antiresorptive_advice(facts, differential, supported, persistent))
    vitamin_d = facts.latest("vitamin_d")
    deficient = vitamin_d is not None and vitamin_d.value < facts.kb.param(
        "vitamin_d_deficiency_max"
    )
    leading_osteomalacia = "osteomalacia_rickets" in supported
    if deficient or (alp is not None and alp.status == "high" and leading_osteomalacia):
        raised["treat_osteomalacia_before_antiresorptive"] = (
            f"25-OH vitamin D {_shown(facts, vitamin_d)}" if deficient and vitamin_d else None
        )
    if "vitamin_b6_supplement" in facts.drug_classes and (
        facts.latest("plp") is not None or "plp" in tests
    ):
        raised["b6_supplement_confounds_plp"] = None
    return raised


_ALREADY_ON = "antiresorptive"


def _antiresorptive_advice(
    facts: Facts, differential: Sequence[Cause], supported: Sequence[str], persistent: bool
) -> dict[str, Detail]:
    """The warning against antiresorptives only where hypophosphatasia is really suspected (a
    persistent low ALP or supporting features, and no proven other cause leading); a note to
    repeat ALP before starting one for an adult's single, unexplained low ALP; never a word
    about bone drugs for a child who has no sign of hypophosphatasia (a child's patient text
    never mentions them)."""
    kb = facts.kb
    alp = _latest_alp(facts)
    if alp is None:
        return {}
    child = alp.age is not None and alp.age.years < kb.param("adult_age_years")
    lead = differential[0] if differential else None
    explained = lead is not None and lead.id != "hypophosphatasia" and lead.id in supported
    features = [f for f in hpp_features(kb) if f in facts.findings] + [
        facts.kb.analytes[a].name
        for a in ("plp", "urine_pea")
        if (m := facts.latest(a)) is not None and m.status == "high"
    ]
    if "hypophosphatasia" in supported and not explained and (persistent or features):
        detail = "hypophosphatasia ranks among the leading causes of this low ALP"
        if _ALREADY_ON in facts.drug_classes:
            detail += (
                "; already on one: do not stop it abruptly (stopping denosumab brings rebound "
                "vertebral fractures); plan any change with a bone specialist"
            )
        return {"avoid_antiresorptives": detail}
    sick = _acute_liver_failure(facts) or _acute_severe_liver_injury(facts)
    if not (child or persistent or explained or sick or _ALREADY_ON in facts.drug_classes):
        return {"repeat_alp_before_antiresorptive": None}
    return {}


def hpp_features(kb: Knowledge) -> tuple[str, ...]:
    """Findings that support hypophosphatasia beyond the low ALP itself (knowledge base)."""
    return tuple(kb.flags["avoid_antiresorptives"].supporting_findings)


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
        return f"INR {_shown(facts, inr)} with encephalopathy"
    return False


def _wilson(facts: Facts) -> Detail | bool:
    """Korman 2008's ratios, checked in acute liver failure and in acute severe liver injury
    (before encephalopathy). In a child the AST/ALT ratio is less sensitive, so the ALP/bilirubin
    ratio alone raises the flag there, with that caveat."""
    if not (_acute_liver_failure(facts) or _acute_severe_liver_injury(facts)):
        return False
    alp, bilirubin = _latest_alp(facts), facts.latest("total_bilirubin")
    if alp is None or bilirubin is None or not bilirubin.detectable:
        return False  # a ratio over a value below detection is not defined
    kb = facts.kb
    alp_bilirubin = alp.value / bilirubin.value
    if alp_bilirubin >= kb.param("wilson_alp_bilirubin_ratio_max"):
        return False
    detail = f"ALP/total bilirubin {alp_bilirubin:.1f} (U/L per mg/dL)"
    ast, alt = facts.latest("ast"), facts.latest("alt")
    ast_alt = (
        ast.value / alt.value if ast is not None and alt is not None and alt.detectable else None
    )
    child = alp.age is not None and alp.age.years < kb.param("adult_age_years")
    if ast_alt is not None and ast_alt > kb.param("wilson_ast_alt_ratio_min"):
        detail += f", AST/ALT {ast_alt:.1f}"
    elif not child:
        return False
    if child:
        detail += (
            "; in children the AST/ALT ratio is less sensitive, so the ALP/bilirubin ratio "
            "alone raises this: start with copper studies and a haemolysis screen"
        )
    return detail


def _acute_severe_liver_injury(facts: Facts) -> Detail | bool:
    """Impaired liver function (INR at or above the EASL limit with jaundice or a raised
    bilirubin), or a severe transaminase rise (ACG: above 15 times the upper limit)."""
    kb = facts.kb
    inr, bilirubin = facts.latest("inr"), facts.latest("total_bilirubin")
    jaundice = "jaundice" in facts.findings
    raised_bilirubin = bilirubin is not None and bilirubin.status == "high"
    if inr is not None and inr.value >= kb.param("asli_inr_min") and (jaundice or raised_bilirubin):
        sign = "jaundice" if jaundice else f"total bilirubin {_shown(facts, bilirubin)} raised"
        return f"INR {_shown(facts, inr)} with {sign}"
    multiple = kb.param("severe_transaminase_uln_multiple")
    for analyte in ("alt", "ast"):
        enzyme = facts.latest(analyte)
        if enzyme is None or enzyme.interval is None or not enzyme.interval.high:
            continue
        if enzyme.value > multiple * enzyme.interval.high:
            times = enzyme.value / enzyme.interval.high
            return f"{analyte.upper()} {_shown(facts, enzyme)} is {times:.0f} times the upper limit"
    return False


def _cholangitis(facts: Facts) -> Detail | bool:
    """Charcot's triad (fever, jaundice, right upper quadrant pain) with a raised ALP, or
    Reynolds' pentad's confusion on top (Tokyo Guidelines 2018)."""
    alp = _latest_alp(facts)
    if alp is None or alp.status != "high":
        return False
    inflamed = [facts.latest(a) for a in ("wbc", "crp")]
    fever = "fever" in facts.findings or any(m is not None and m.status == "high" for m in inflamed)
    bilirubin = facts.latest("total_bilirubin")
    jaundice = "jaundice" in facts.findings or (
        bilirubin is not None and bilirubin.status == "high"
    )
    if not (fever and jaundice and "ruq_pain" in facts.findings):
        return False
    if "encephalopathy" in facts.findings:
        return "Reynolds' pentad features: fever, jaundice, pain and confusion"
    return "Charcot's triad: fever or inflammation, jaundice and right upper quadrant pain"


_DECOMPENSATION = ("ascites", "encephalopathy")


def _advanced_liver(facts: Facts) -> Detail | bool:
    """Two or more laboratory signs of advanced liver disease, or decompensation."""
    if _acute_liver_failure(facts) or _acute_severe_liver_injury(facts):
        return False  # already a critical flag
    signs: list[str] = []
    for analyte, status in (
        ("albumin", "low"),
        ("total_bilirubin", "high"),
        ("inr", "high"),
        ("platelets", "low"),
    ):
        measurement = facts.latest(analyte)
        if measurement is not None and measurement.status == status:
            signs.append(f"{status} {facts.kb.analytes[analyte].name.lower()}")
    ast, alt = facts.latest("ast"), facts.latest("alt")
    if ast is not None and ast.status == "high" and (alt is None or ast.value > alt.value):
        signs.append("AST raised" + (" above ALT" if alt is not None else ""))
    found = [f for f in _DECOMPENSATION if f in facts.findings]
    if found or len(signs) >= facts.kb.param("advanced_liver_lab_signs_min"):
        return ", ".join([*found, *signs])
    return False


def _shown(facts: Facts, measurement: Measurement | None, limit: float | None = None) -> str:
    """A result (or ``limit``, one of its interval's limits in the canonical unit) as people
    read it: in the unit the laboratory reported, at the method's precision; the
    laboratory's own limits as it printed them, the knowledge base's rounded."""
    if measurement is None:
        return ""
    m = measurement
    if limit is None:
        return as_reported(m.reported_value, m.reported_unit, m.analyte, m.factor, facts.kb)
    converted = m.factor != 1 and m.interval is not None and m.interval.source != "laboratory"
    value = limit / (m.factor or 1.0)
    return as_reported(value, m.reported_unit, m.analyte, m.factor, facts.kb, converted)


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
            f"potassium {_shown(facts, potassium)} high and calcium {_shown(facts, calcium)} low"
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
        return f"ALP {_shown(facts, alp)} is {multiple:.1f} times the upper limit"
    adult = alp.age is None or alp.age.years >= kb.param("adult_age_years")
    if adult and alp.value > kb.param("marked_elevation_alp"):
        return f"ALP {_shown(facts, alp)}"
    return False


def _obstruction(facts: Facts, series: Series | None, pattern: Pattern | None) -> Detail | bool:
    """A high ALP with jaundice or a raised bilirubin, when something says the process is
    recent or active: a cholestatic injury pattern that has not been stable for months, pain,
    fever, pale stools, a recent rise of ALP or a rising bilirubin (ACG 2017; EASL 2017)."""
    alp = _latest_alp(facts)
    if alp is None or alp.status != "high" or (pattern and pattern.name == "hepatocellular"):
        return False
    raised = [
        m
        for analyte in ("total_bilirubin", "direct_bilirubin")
        if (m := facts.latest(analyte)) is not None and m.status == "high"
    ]
    if not raised and "jaundice" not in facts.findings:
        return False
    sign = (
        f"{facts.kb.analytes[raised[0].analyte].name} {_shown(facts, raised[0])}"
        if raised
        else "jaundice"
    )
    kb = facts.kb
    days = (alp.when - series.run_start).days if series and series.run_start else 0
    chronic = days >= kb.param("chronic_cholestasis_days") and series is not None
    clues = [
        kb.findings[finding].name.lower()
        for finding in kb.flags["possible_obstruction"].supporting_findings
        if finding in facts.findings
    ]
    normal = series.normal_before_run if series is not None else None
    if normal is not None and (alp.when - normal).days <= kb.param("recent_onset_days"):
        clues.append(f"ALP normal on {normal.isoformat()}")
    if _rising(facts, "total_bilirubin"):
        clues.append("bilirubin rising")
    if pattern is not None and not chronic:
        clues.append(f"{pattern.name} pattern")
    if not clues:
        return False
    return f"{sign} with the high ALP; " + ", ".join(clues)


def _rising(facts: Facts, analyte: str) -> bool:
    series = facts.by_analyte.get(analyte, ())
    if len(series) < 2 or not series[-2].detectable:
        return False
    change = facts.kb.param("meaningful_change_fraction")
    return series[-1].value / series[-2].value - 1 >= change


def _borderline(facts: Facts) -> Detail | bool:
    """An abnormal ALP within the method's allowable error of the limit it crossed."""
    alp = _latest_alp(facts)
    if alp is None or alp.interval is None:
        return False
    share = facts.kb.param("alp_total_allowable_error")
    low, high = alp.interval.low, alp.interval.high
    if alp.status == "low" and low and alp.value >= low * (1 - share):
        side, limit = "lower", low
    elif alp.status == "high" and high and alp.value <= high * (1 + share):
        side, limit = "upper", high
    else:
        return False
    return (
        f"ALP {_shown(facts, alp)} is within {share:.1%} (the method's allowable error) "
        f"of the {side} limit {_shown(facts, alp, limit)}"
    )


def _pregnant(facts: Facts) -> bool:
    alp = _latest_alp(facts)
    weeks = alp.pregnancy_weeks if alp is not None else facts.case.patient.pregnancy_weeks
    return weeks is not None


def _cholestasis_of_pregnancy(facts: Facts) -> Detail | bool:
    if not _pregnant(facts):
        return False
    bile_acids = facts.latest("bile_acids")
    if bile_acids is not None and bile_acids.status == "high":
        return f"bile acids {_shown(facts, bile_acids)}"
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
        and alp.interval.source != "laboratory"
        and general_high is not None
        and alp.value > general_high
    )


def _physiologic_pregnancy(facts: Facts) -> Detail | bool:
    alp = _latest_alp(facts)
    if alp is None or alp.pregnancy_weeks is None:
        return False
    adult = adult_interval(facts.kb, "alp", "female", alp.age.years if alp.age else None)
    high = adult.high if adult else None
    if _above_general_limit(facts, alp, high):
        weeks = alp.pregnancy_weeks
        shown = _shown(facts, alp)
        return f"ALP {shown} is above the non-pregnant limit but normal at {weeks:g} weeks"
    return False


def _physiologic_for_age(facts: Facts) -> Detail | bool:
    alp = _latest_alp(facts)
    if alp is None or alp.age is None or alp.pregnancy_weeks is not None:
        return False
    if alp.age.years >= facts.kb.param("adult_age_years"):
        return False
    sex = facts.sex if facts.sex in ("female", "male") else "male"
    adult = adult_interval(facts.kb, "alp", sex, alp.age.years)
    high = adult.high if adult else None
    if _above_general_limit(facts, alp, high):
        age = _age_words(alp.age.years)
        return f"ALP {_shown(facts, alp)} is above the adult limit but normal at {age}"
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
        f"{m.test} {readable(m.reported_value)} {plain_unit(m.reported_unit)} = "
        f"{readable(m.value)} {plain_unit(facts.kb.analytes[m.analyte].unit)}"
        for m in facts.converted
    ]
    return "; ".join(parts)
