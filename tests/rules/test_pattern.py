"""The liver-injury pattern by R ratio, and why it is withheld when it does not apply."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alkphos import Knowledge
from tests.conftest import case, row
from tests.rules.helpers import run, uln

ALP_LAB = {"reference_low": 40, "reference_high": 100}
ALT_LAB = {"reference_high": 50}
GGT_HIGH = row("GGT", 300)


def _pattern_case(alt: float, alp: float) -> dict[str, object]:
    return case(
        row("ALP", alp, **ALP_LAB),
        row("ALT", alt, **ALT_LAB),
        GGT_HIGH,
        age_years=50,
        sex="male",
    )


def _alt_for(r_ratio: float, alp: float) -> float:
    """The ALT giving this R with the ALP above (lab limits ALT 50, ALP 100)."""
    return r_ratio * (alp / ALP_LAB["reference_high"]) * ALT_LAB["reference_high"]


def test_no_alp_no_pattern(as_of: date) -> None:
    """Without ALP there is no R ratio, and the note says why."""
    result = run(case(row("ALT", 300), age_years=50), as_of)
    assert result.pattern is None
    assert result.pattern_note is not None
    assert "No ALP" in result.pattern_note


def test_no_alt_no_pattern(as_of: date) -> None:
    """Without ALT the R ratio cannot be computed, and the note says so."""
    result = run(case(row("ALP", 300), GGT_HIGH, age_years=50), as_of)
    assert result.pattern is None
    assert result.pattern_note is not None
    assert "No ALT" in result.pattern_note


def test_nothing_raised_no_pattern(as_of: date) -> None:
    """With ALT and ALP both within limits there is no injury to classify."""
    result = run(_pattern_case(alt=20, alp=80), as_of)
    assert result.pattern is None
    assert result.pattern_note is not None
    assert "ALP is not raised" in result.pattern_note


def test_a_normal_alp_is_never_cholestatic(as_of: date) -> None:
    """Issue 14: ALP 74.7 with ALT 36.2 (a blood donor) was called cholestatic (R 1.89)."""
    result = run(case(row("ALP", 74.7), row("ALT", 36.2), age_years=30, sex="male"), as_of)
    assert result.pattern is None


@pytest.mark.parametrize(
    ("alt_times", "alp_times", "bilirubin_times", "named"),
    [
        (5.0, 1.2, None, True),  # ALT >= 5x ULN (Aithal 2011)
        (4.9, 1.2, None, False),
        (1.0, 2.0, None, True),  # ALP >= 2x ULN
        (1.0, 1.9, None, False),
        (3.0, 1.2, 2.1, True),  # ALT >= 3x with bilirubin > 2x ULN
        (3.0, 1.2, 2.0, False),
    ],
)
def test_a_pattern_needs_a_significant_injury(
    kb: Knowledge,
    as_of: date,
    alt_times: float,
    alp_times: float,
    bilirubin_times: float | None,
    named: bool,
) -> None:
    """The R ratio is named only for the DILI expert working group's injury (Aithal 2011)."""
    rows = [
        row("ALP", round(alp_times * uln(kb, "alp"), 1)),
        row("ALT", round(alt_times * uln(kb, "alt"), 1)),
        GGT_HIGH,
    ]
    if bilirubin_times is not None:
        rows.append(row("total bilirubin", round(bilirubin_times * uln(kb, "total_bilirubin"), 2)))
    result = run(case(*rows, age_years=50, sex="male"), as_of)
    assert (result.pattern is not None) == named, result.pattern_note


def test_ast_stands_in_for_a_missing_alt(kb: Knowledge, as_of: date) -> None:
    """Without ALT the pattern is computed from AST, and the note says so (issue 14)."""
    data = case(row("ALP", 3 * uln(kb, "alp")), row("AST", 40), GGT_HIGH, age_years=50, sex="male")
    result = run(data, as_of)
    assert result.pattern is not None
    assert result.pattern.name == "cholestatic"
    assert result.pattern_note is not None
    assert "AST stood in" in result.pattern_note


@pytest.mark.parametrize(
    ("where", "rows", "patient"),
    [
        ("bone", [row("GGT", 10)], {"age_years": 50, "sex": "male"}),
        (
            "the placenta",
            [row("GGT", 10)],
            {"age_years": 30, "sex": "female", "pregnancy_weeks": 30},
        ),
        ("the intestine", [row("GGT", 10), row("ALP", 130, fasting=False)], {"age_years": 50}),
    ],
)
def test_non_liver_source_withholds_r(
    as_of: date, where: str, rows: list[dict[str, object]], patient: dict[str, object]
) -> None:
    """R is not computed for a bone, placental or intestinal ALP; the note names the tissue."""
    alp = [] if any(r["test"] == "ALP" for r in rows) else [row("ALP", 260)]
    result = run(case(*alp, *rows, row("ALT", 200), **patient), as_of)
    assert result.pattern is None
    assert result.pattern_note is not None
    assert f"from {where}" in result.pattern_note


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (0.0, "hepatocellular"),
        (-0.01, "mixed"),
        (2.0, "hepatocellular"),
    ],
)
def test_hepatocellular_cut_off(kb: Knowledge, as_of: date, offset: float, expected: str) -> None:
    """R at or above the hepatocellular cut-off is hepatocellular; just below is mixed."""
    r_ratio = kb.param("r_ratio_hepatocellular_min") + offset
    alp = 200.0
    pattern = run(_pattern_case(_alt_for(r_ratio, alp), alp), as_of).pattern
    assert pattern is not None
    assert pattern.name == expected
    assert pattern.r_ratio == round(r_ratio, 2)


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (0.0, "cholestatic"),
        (0.01, "mixed"),
        (-1.0, "cholestatic"),
    ],
)
def test_cholestatic_cut_off(kb: Knowledge, as_of: date, offset: float, expected: str) -> None:
    """R at or below the cholestatic cut-off is cholestatic; just above is mixed."""
    r_ratio = kb.param("r_ratio_cholestatic_max") + offset
    alp = 400.0
    pattern = run(_pattern_case(_alt_for(r_ratio, alp), alp), as_of).pattern
    assert pattern is not None
    assert pattern.name == expected
    assert pattern.r_ratio == round(r_ratio, 2)


def test_raised_alt_with_normal_alp_has_no_pattern(as_of: date) -> None:
    """An ALP pattern needs a raised ALP: a hepatitis with a normal ALP gets no R (issue 18)."""
    result = run(_pattern_case(alt=400, alp=80), as_of)
    assert result.pattern is None
    assert result.pattern_note is not None
    assert "ALP is not raised" in result.pattern_note


@given(
    alt=st.floats(min_value=5, max_value=3000, allow_nan=False),
    alp=st.floats(min_value=41, max_value=3000, allow_nan=False),
)
def test_r_ratio_follows_the_cut_offs(kb: Knowledge, as_of: date, alt: float, alp: float) -> None:
    """For any ALT and ALP (liver source), the pattern is the one the R cut-offs give."""
    alt, alp = round(alt, 1), round(alp, 1)
    data = case(row("ALP", alp), row("ALT", alt), GGT_HIGH, age_years=50, sex="male")
    result = run(data, as_of)
    alt_uln, alp_uln = uln(kb, "alt"), uln(kb, "alp")
    injury = (
        alt >= kb.param("dili_alt_uln_min") * alt_uln
        or alp >= kb.param("dili_alp_uln_min") * alp_uln
    )
    if alp <= alp_uln or not injury:
        assert result.pattern is None
        return
    r_ratio = (alt / alt_uln) / (alp / alp_uln)
    if r_ratio >= kb.param("r_ratio_hepatocellular_min"):
        expected = "hepatocellular"
    elif r_ratio <= kb.param("r_ratio_cholestatic_max"):
        expected = "cholestatic"
    else:
        expected = "mixed"
    assert result.pattern is not None
    assert result.pattern.name == expected
    assert result.pattern.r_ratio == pytest.approx(round(r_ratio, 2))
