"""The liver-injury pattern by R ratio: (ALT / ALT ULN) / (ALP / ALP ULN).

R >= 5 hepatocellular, R <= 2 cholestatic, between mixed (ACG DILI guideline, Chalasani
2014; the cut-offs are knowledge-base parameters). R assumes the ALP comes from the liver and
that the liver is injured, so it is not computed for a bone, placental or intestinal ALP, in
pregnancy or growth, when ALP is not raised, or without a significant injury by the DILI
expert working group's criteria (Aithal 2011: ALT >= 5x ULN, ALP >= 2x ULN, or ALT >= 3x ULN
with bilirubin > 2x ULN); the reason is then given. Without an ALT, AST stands in, and the
pattern says so.
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
    stand_in = alt is None and facts.latest("ast") is not None
    alt = alt or facts.latest("ast")
    if alt is None:
        return None, "No ALT (or AST) result, so the R ratio cannot be computed."
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
    kb = facts.kb
    if alp.status != "high":
        return None, "ALP is not raised, so there is no cholestatic or mixed pattern to name."
    if not _significant_injury(facts, alt.value / alt_uln, alp.value / alp_uln):
        return None, (
            "ALT and ALP are not raised enough for a liver injury to classify (ALT at least "
            f"{kb.param('dili_alt_uln_min'):g} times or ALP at least "
            f"{kb.param('dili_alp_uln_min'):g} times the upper limit, or ALT at least "
            f"{kb.param('dili_alt_with_bilirubin_uln_min'):g} times with bilirubin above "
            f"{kb.param('dili_bilirubin_uln_min'):g} times), so no R ratio is given."
        )
    r_ratio = (alt.value / alt_uln) / (alp.value / alp_uln)
    if r_ratio >= kb.param("r_ratio_hepatocellular_min"):
        name = "hepatocellular"
    elif r_ratio <= kb.param("r_ratio_cholestatic_max"):
        name = "cholestatic"
    else:
        name = "mixed"
    note = (
        "No ALT result: AST stood in for ALT in the R ratio, which is less specific for the liver."
        if stand_in
        else None
    )
    return Pattern(name=name, r_ratio=round(r_ratio, 2)), note


def _significant_injury(facts: Facts, alt_multiple: float, alp_multiple: float) -> bool:
    """The DILI expert working group's biochemical criteria (Aithal 2011)."""
    kb = facts.kb
    if alt_multiple >= kb.param("dili_alt_uln_min") or alp_multiple >= kb.param("dili_alp_uln_min"):
        return True
    bilirubin = facts.latest("total_bilirubin")
    if bilirubin is None or bilirubin.interval is None or not bilirubin.interval.high:
        return False
    return (
        alt_multiple >= kb.param("dili_alt_with_bilirubin_uln_min")
        and bilirubin.value > kb.param("dili_bilirubin_uln_min") * bilirubin.interval.high
    )


def _tissue(source: str) -> str:
    return {"bone": "bone", "placenta": "the placenta", "intestine": "the intestine"}[source]
