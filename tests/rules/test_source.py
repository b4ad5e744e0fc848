"""Source localisation of a raised ALP: liver, bone, placenta, intestine or indeterminate."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from alkphos import Knowledge
from alkphos.model.interpretation import Source
from tests.conftest import case, row
from tests.rules.helpers import lln, run, uln, with_context

ADULT = {"age_years": 50, "sex": "male"}


def _source(as_of: date, *rows: dict[str, Any], **context: Any) -> Source:
    medications = context.pop("medications", None)
    findings = context.pop("findings", None)
    patient = context or ADULT
    data = with_context(case(*rows, **patient), medications, findings)
    return run(data, as_of).source


def _high_alp(kb: Knowledge, **who: Any) -> float:
    return uln(kb, "alp", **who) * 2


def test_no_alp_is_indeterminate(as_of: date) -> None:
    """Without an ALP result there is nothing to localise."""
    source = _source(as_of, row("GGT", 200))
    assert source.likely == "indeterminate"
    assert source.test_to_tell is None
    assert "No ALP" in source.evidence[0]


@pytest.mark.parametrize("which", ["low", "normal"])
def test_low_or_normal_alp_is_not_localised(kb: Knowledge, as_of: date, which: str) -> None:
    """A low or normal ALP is not localised and no localising test is named."""
    value = lln(kb, "alp") - 5 if which == "low" else 80
    source = _source(as_of, row("ALP", value), row("GGT", 200))
    assert source.likely == "indeterminate"
    assert source.test_to_tell is None
    assert which in source.evidence[0]


@pytest.mark.parametrize("marker", ["GGT", "5'-nucleotidase"])
def test_raised_liver_marker_means_liver(kb: Knowledge, as_of: date, marker: str) -> None:
    """A high ALP with a raised GGT or 5'-nucleotidase is hepatobiliary."""
    analyte = "ggt" if marker == "GGT" else "five_nucleotidase"
    source = _source(as_of, row("ALP", _high_alp(kb)), row(marker, uln(kb, analyte) * 3))
    assert source.likely == "liver"
    assert source.test_to_tell is None
    assert "hepatobiliary" in source.evidence[0]


def test_normal_ggt_means_bone(kb: Knowledge, as_of: date) -> None:
    """A high ALP with a normal GGT points to bone."""
    source = _source(as_of, row("ALP", _high_alp(kb)), row("GGT", uln(kb, "ggt") / 2))
    assert source.likely == "bone"
    assert "not a liver pattern" in source.evidence[0]


def test_enzyme_inducer_caveat(kb: Knowledge, as_of: date) -> None:
    """A raised GGT on an enzyme-inducing anticonvulsant still says liver, with a caveat."""
    source = _source(
        as_of,
        row("ALP", _high_alp(kb)),
        row("GGT", uln(kb, "ggt") * 3),
        medications=["carbamazepine"],
        **ADULT,
    )
    assert source.likely == "liver"
    assert any("enzyme-inducing" in line for line in source.evidence)


def test_high_bone_alp_alone_means_bone(kb: Knowledge, as_of: date) -> None:
    """A raised bone-specific ALP without a raised liver marker means bone."""
    source = _source(as_of, row("ALP", _high_alp(kb)), row("bone ALP", uln(kb, "bone_alp") * 2))
    assert source.likely == "bone"
    assert "Bone-specific ALP" in source.evidence[0]


def test_liver_and_bone_markers_both_high(kb: Knowledge, as_of: date) -> None:
    """Raised GGT and raised bone ALP together are indeterminate; isoenzymes would tell."""
    source = _source(
        as_of,
        row("ALP", _high_alp(kb)),
        row("GGT", uln(kb, "ggt") * 3),
        row("bone ALP", uln(kb, "bone_alp") * 2),
    )
    assert source.likely == "indeterminate"
    assert source.test_to_tell == "alp_isoenzymes"


def test_pregnancy_with_normal_ggt_means_placenta(kb: Knowledge, as_of: date) -> None:
    """From the placental week, a high ALP with a normal GGT is placental."""
    weeks = kb.param("placental_alp_from_weeks") + 6
    who = {"age": 30, "sex": "female", "weeks": weeks}
    source = _source(
        as_of,
        row("ALP", uln(kb, "alp", **who) * 1.5),
        row("GGT", uln(kb, "ggt", age=30, sex="female") / 2),
        age_years=30,
        sex="female",
        pregnancy_weeks=weeks,
    )
    assert source.likely == "placenta"
    assert f"{weeks:g} weeks" in source.evidence[-1]


def test_early_pregnancy_is_not_placental(kb: Knowledge, as_of: date) -> None:
    """Before the placental week a high ALP with a normal GGT is read as bone."""
    weeks = kb.param("placental_alp_from_weeks") - 4
    who = {"age": 30, "sex": "female", "weeks": weeks}
    source = _source(
        as_of,
        row("ALP", uln(kb, "alp", **who) * 1.5),
        row("GGT", uln(kb, "ggt", age=30, sex="female") / 2),
        age_years=30,
        sex="female",
        pregnancy_weeks=weeks,
    )
    assert source.likely == "bone"


def test_non_fasting_mild_rise_means_intestine(kb: Knowledge, as_of: date) -> None:
    """A non-fasting sample with a rise no larger than a meal gives is intestinal."""
    rise = kb.param("postprandial_max_rise")
    source = _source(
        as_of,
        row("ALP", uln(kb, "alp") + rise, fasting=False),
        row("GGT", uln(kb, "ggt") / 2),
    )
    assert source.likely == "intestine"
    assert source.test_to_tell == "repeat_alp"


def test_non_fasting_finding_also_counts(kb: Knowledge, as_of: date) -> None:
    """The finding 'non-fasting' marks the sample as non-fasting too."""
    source = _source(
        as_of,
        row("ALP", uln(kb, "alp") + 10),
        row("GGT", uln(kb, "ggt") / 2),
        findings=["non-fasting"],
        **ADULT,
    )
    assert source.likely == "intestine"


def test_non_fasting_large_rise_is_not_a_meal(kb: Knowledge, as_of: date) -> None:
    """A rise larger than any meal gives is not called intestinal, even non-fasting."""
    rise = kb.param("postprandial_max_rise")
    source = _source(
        as_of,
        row("ALP", uln(kb, "alp") + rise + 1, fasting=False),
        row("GGT", uln(kb, "ggt") / 2),
    )
    assert source.likely == "bone"


def test_liver_injury_without_ggt_means_liver(kb: Knowledge, as_of: date) -> None:
    """Without GGT, a raised ALT points to the liver, and GGT is named to confirm."""
    source = _source(as_of, row("ALP", _high_alp(kb)), row("ALT", uln(kb, "alt") * 4))
    assert source.likely == "liver"
    assert source.test_to_tell == "ggt"


def test_no_markers_is_indeterminate(kb: Knowledge, as_of: date) -> None:
    """A high ALP with no liver or bone marker is indeterminate; GGT would tell."""
    source = _source(as_of, row("ALP", _high_alp(kb)))
    assert source.likely == "indeterminate"
    assert source.test_to_tell == "ggt"
    assert "Neither GGT" in source.evidence[0]


def test_no_markers_in_pregnancy_mentions_the_placenta(kb: Knowledge, as_of: date) -> None:
    """Without markers, a pregnancy past the placental week is mentioned as a contributor."""
    weeks = kb.param("placental_alp_from_weeks") + 10
    source = _source(
        as_of,
        row("ALP", uln(kb, "alp", age=30, sex="female", weeks=weeks) * 1.5),
        age_years=30,
        sex="female",
        pregnancy_weeks=weeks,
    )
    assert source.likely == "indeterminate"
    assert any("placental ALP" in line for line in source.evidence)


def test_unjudged_liver_marker_does_not_count(kb: Knowledge, as_of: date) -> None:
    """A 5'-nucleotidase without any interval (a child) is not used to localise."""
    who = {"age": 8, "sex": "male"}
    source = _source(
        as_of,
        row("ALP", uln(kb, "alp", **who) * 2),
        row("5'-nucleotidase", 40),
        age_years=8,
        sex="male",
    )
    assert source.likely == "indeterminate"
    assert source.test_to_tell == "ggt"


def test_one_raised_isoenzyme_fraction_names_the_tissue(as_of: date) -> None:
    """On isoenzymes, a single raised fraction names the tissue."""
    source = _source(
        as_of,
        row("ALP", 300),
        row("ALP liver fraction", 80, reference_low=20, reference_high=60),
        row("ALP bone fraction", 20, reference_low=20, reference_high=70),
    )
    assert source.likely == "liver"
    assert "liver ALP fraction is high" in source.evidence[0]


def test_no_raised_fraction_names_the_largest(as_of: date) -> None:
    """With no fraction raised, the largest fraction names the tissue."""
    source = _source(
        as_of,
        row("ALP", 300),
        row("ALP liver fraction", 30, reference_low=20, reference_high=60),
        row("ALP bone fraction", 65, reference_low=20, reference_high=70),
    )
    assert source.likely == "bone"
    assert "largest" in source.evidence[0]


def test_several_raised_fractions_are_indeterminate(as_of: date) -> None:
    """Two raised fractions cannot name one tissue."""
    source = _source(
        as_of,
        row("ALP", 300),
        row("ALP liver fraction", 80, reference_low=20, reference_high=60),
        row("ALP bone fraction", 90, reference_low=20, reference_high=70),
    )
    assert source.likely == "indeterminate"
    assert "Several" in source.evidence[0]
