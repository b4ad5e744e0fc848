"""The liver-injury pattern by R ratio: (ALT / ALT ULN) / (ALP / ALP ULN).

R >= 5 hepatocellular, R <= 2 cholestatic, between mixed (ACG DILI guideline, Chalasani
2014; the cut-offs are knowledge-base parameters). R assumes the ALP comes from the liver and
that the liver is injured, so it is not computed for a bone, placental or intestinal ALP, in
pregnancy or growth, or when neither ALT nor ALP is raised; the reason is then given.
"""

from __future__ import annotations

from alkphos.facts import Facts
from alkphos.model.interpretation import Pattern

__all__ = ["liver_pattern"]


def liver_pattern(facts: Facts, source: str) -> tuple[Pattern | None, str | None]:
    """The pattern and R ratio, or None with the reason it cannot be given."""
    alp, alt = facts.latest("alp"), facts.latest("alt")
    if alp is None:
        return None, "No ALP result, so no R ratio."
    if alt is None:
        return None, "No ALT result, so the R ratio cannot be computed."
    alp_uln = alp.interval.high if alp.interval else None
    alt_uln = alt.interval.high if alt.interval else None
    if not alp_uln or not alt_uln:
        return None, "An upper limit for ALT or ALP is missing, so the R ratio cannot be computed."
    if source in ("bone", "placenta", "intestine"):
        return (
            None,
            f"The ALP is likely from {_tissue(source)}, so the liver R ratio does not apply.",
        )
    if alp.pregnancy_weeks is not None:
        return None, "In pregnancy placental ALP adds to the liver's: the R ratio does not apply."
    if alp.age is not None and alp.age.years < facts.kb.param("adult_age_years"):
        return None, "In a growing child most ALP comes from bone, so the R ratio does not apply."
    if not alp.detectable:
        return None, "ALP is below detection, so the R ratio cannot be computed."
    if alp.status != "high" and alt.status != "high":
        return None, "Neither ALT nor ALP is raised: there is no liver injury to classify."
    r_ratio = (alt.value / alt_uln) / (alp.value / alp_uln)
    kb = facts.kb
    if r_ratio >= kb.param("r_ratio_hepatocellular_min"):
        name = "hepatocellular"
    elif r_ratio <= kb.param("r_ratio_cholestatic_max"):
        name = "cholestatic"
    else:
        name = "mixed"
    return Pattern(name=name, r_ratio=round(r_ratio, 2)), None


def _tissue(source: str) -> str:
    return {"bone": "bone", "placenta": "the placenta", "intestine": "the intestine"}[source]
