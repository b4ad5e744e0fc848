"""Regression tests: each pins a rule that was once wrong (the module and function it was
found in are named), so it cannot come back."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from alkphos import Knowledge, KnowledgeError
from alkphos.rules.evidence import check_predicates
from tests.conftest import case, row
from tests.rules.helpers import flag_ids, lln, run, uln, with_context

MAN = {"age_years": 50, "sex": "male"}


def test_single_unexplained_low_is_not_called_acute_illness(kb: Knowledge, as_of: date) -> None:
    """A first, unexplained low ALP in a well adult gets the 'low_unexplained_first' advice."""
    # rules/followup.py situation(): critical_illness tops the low differential on its prior
    # alone (no evidence for it), so the advice was 'A low ALP during acute illness ...
    # repeat after recovery' (42 days) instead of 'recheck in 1-3 months' (60 days).
    value = lln(kb, "alp") - 10
    assert value > 25  # above the HPP-specific cut-off, so no evidence favours any cause
    result = run(case(row("ALP", value), **MAN), as_of)
    assert not any(c.evidence_for for c in result.differential if c.id == "critical_illness")
    rule = kb.follow_up["low_unexplained_first"]
    assert result.follow_up.advice == rule.advice
    assert result.follow_up.repeat_alp_after_days == rule.repeat_alp_after_days


def test_osteomalacia_flag_needs_support(kb: Knowledge, as_of: date) -> None:
    """No osteomalacia warning when vitamin D is normal and osteomalacia is not above its prior."""
    # rules/safety.py judgement_flags(): the top-3 check for osteomalacia_rickets has no
    # 'score > prior' guard (avoid_antiresorptives has one), so a cause in third place on its
    # prior alone raises "Vitamin D deficiency or osteomalacia is likely".
    result = run(
        case(
            row("ALP", uln(kb, "alp") * 2.3),
            row("GGT", 10),
            row("vitamin D", 80),
            age_years=30,
            sex="male",
        ),
        as_of,
    )
    osteomalacia = next(c for c in result.differential if c.id == "osteomalacia_rickets")
    assert osteomalacia.score <= kb.causes["osteomalacia_rickets"].prior
    assert "treat_osteomalacia_before_antiresorptive" not in flag_ids(result)


def test_measured_bone_alp_means_bone_specific_alp_is_done(kb: Knowledge, as_of: date) -> None:
    """Bone-specific ALP is not recommended once a bone-specific ALP is in the case."""
    # rules/workup.py recommend_tests() offer(): bone_specific_alp lists two alternative
    # assays (bone_alp, bone_alp_activity) and both had to be present to count as done.
    result = run(
        case(row("ALP", 300), row("GGT", 20), row("bone ALP", uln(kb, "bone_alp") * 2), **MAN),
        as_of,
    )
    assert "bone_specific_alp" not in {t.id for t in result.tests}


def test_reported_isoenzymes_are_not_asked_for_again(as_of: date) -> None:
    """ALP isoenzymes are not recommended once an isoenzyme report is in the case."""
    # rules/workup.py recommend_tests() offer(): all four fractions had to be present,
    # but outside pregnancy a report has no placental fraction.
    result = run(
        case(
            row("ALP", 300),
            row("GGT", 20),
            row("ALP bone fraction", 50),
            row("ALP liver fraction", 30, reference_high=60),
            row("ALP intestinal fraction", 20, reference_high=10),
            **MAN,
        ),
        as_of,
    )
    assert result.source.likely == "intestine"
    assert "alp_isoenzymes" not in {t.id for t in result.tests}


def test_no_r_ratio_in_pregnancy(kb: Knowledge, as_of: date) -> None:
    """No R ratio is given in pregnancy, where placental ALP makes it meaningless."""
    # rules/pattern.py liver_pattern(): the module docstring says R is not computed in
    # pregnancy; it was, whenever GGT was missing and ALT is high (source 'liver').
    weeks = 30
    result = run(
        case(
            row("ALP", uln(kb, "alp", age=30, sex="female", weeks=weeks) * 1.3),
            row("ALT", uln(kb, "alt", age=30, sex="female") * 4),
            age_years=30,
            sex="female",
            pregnancy_weeks=weeks,
        ),
        as_of,
    )
    assert result.pattern is None
    assert result.pattern_note


def test_no_r_ratio_in_a_growing_child(kb: Knowledge, as_of: date) -> None:
    """No R ratio is given in a growing child, whose ALP is mostly from bone."""
    # rules/pattern.py liver_pattern(): the module docstring says R is not computed in
    # growth (clinical facts §2.1); an 8-year-old with a high ALT got a pattern.
    result = run(
        case(
            row("ALP", uln(kb, "alp", age=8) * 1.2),
            row("ALT", uln(kb, "alt", age=8) * 4),
            age_years=8,
            sex="male",
        ),
        as_of,
    )
    assert result.pattern is None
    assert result.pattern_note


def test_equal_scores_are_ordered_by_prior_then_id(kb: Knowledge, as_of: date) -> None:
    """Causes with the same shown score are ordered by prior, then by id."""
    # rules/differential.py rank_causes(): the sort key uses the unrounded float sum, so
    # noise decides ties (PSC, prior -3.5, before cirrhosis, prior -2.5, both at -2.0).
    result = run(case(row("ALP", 200), row("GGT", 100), age_years=30, sex="male"), as_of)
    keys = [(-c.score, -kb.causes[c.id].prior, c.id) for c in result.differential]
    assert keys == sorted(keys)


@pytest.mark.parametrize("number", ["nan", "inf", "-inf"])
def test_nan_and_infinity_are_not_numbers_for_thresholds(kb: Knowledge, number: str) -> None:
    """A threshold of nan or infinity in causes.yaml is rejected at load time."""
    # rules/evidence.py check_predicates(): float('nan') parses, so 'above:alp:nan' passes
    # and the item silently never (or, for -inf, always) holds.
    cause = kb.causes["paget_disease"]
    evidence = list(cause.evidence)
    evidence[0] = evidence[0].model_copy(update={"when": f"above:alp:{number}"})
    changed = cause.model_copy(update={"evidence": evidence})
    broken = dataclasses.replace(kb, causes={**kb.causes, "paget_disease": changed})
    with pytest.raises(KnowledgeError, match="paget_disease"):
        check_predicates(broken)


def test_raised_bile_acids_without_lab_limits(as_of: date) -> None:
    """Bile acids of 40 umol/L in pregnancy raise the cholestasis flag without lab limits."""
    # knowledge/data/reference_intervals.yaml has no bile_acids interval, so without the
    # lab's limits the value is 'unknown' and neither the flag (rules/safety.py
    # _cholestasis_of_pregnancy) nor the 'high:bile_acids' evidence can fire.
    result = run(
        case(
            row("ALP", 150), row("bile acids", 40), age_years=30, sex="female", pregnancy_weeks=32
        ),
        as_of,
    )
    assert "possible_cholestasis_of_pregnancy" in flag_ids(result)


def test_physiologic_for_age_detail_does_not_round_the_age_up(kb: Knowledge, as_of: date) -> None:
    """The physiologic-for-age detail gives a 9.6-year-old's age as 9, not 10."""
    # rules/safety.py _physiologic_for_age(): the age is printed with '.0f', so it rounds
    # up (9.6 -> 10; a 6-month-old is 'age 0').
    value = (uln(kb, "alp", sex="male") + uln(kb, "alp", age=9.6, sex="male")) / 2
    result = run(
        with_context(case(row("ALP", value), age_years=9.6, sex="male")),
        as_of,
    )
    message = next(f.message for f in result.flags if f.id == "physiologic_for_age")
    assert "normal at 9 years" in message
