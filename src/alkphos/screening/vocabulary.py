"""The OMOP vocabulary screening needs, read once from CONCEPT: a few dozen concept ids.

Which ``measurement_concept_id`` is which screening analyte (LOINC codes of the knowledge
base), and which ``unit_concept_id`` is which unit (UCUM codes, with the factor to each
analyte's canonical unit). These are vocabulary, not patient rows: they are small, so the
rules can use them as literals the engine pushes down into its scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from alkphos.screening.engines import Engine
from alkphos.screening.tables import KnowledgeTables
from alkphos.units import normalise_spelling

__all__ = ["Vocabulary", "load_vocabulary"]


@dataclass(frozen=True)
class Vocabulary:
    """Concept ids of the screening analytes and of their accepted units."""

    analytes: dict[int, str] = field(default_factory=dict)  # concept_id -> analyte
    unit_codes: dict[int, str] = field(default_factory=dict)  # unit concept -> UCUM code
    unit_factors: dict[str, dict[int, float]] = field(default_factory=dict)


def load_vocabulary(engine: Engine, concepts: Any, kt: KnowledgeTables) -> Vocabulary:
    """Read the concept ids screening needs from CONCEPT (two small queries).

    Only units some screening analyte accepts are kept: a unit concept outside them (or
    0) means the ``unit_source_value`` text is read instead.
    """
    loinc = {code: analyte for analyte, codes in kt.loinc_codes.items() for code in codes}
    measurement = concepts.filter(
        (concepts.vocabulary == "LOINC") & concepts.code.isin(list(loinc))
    ).select("concept_id", "code")
    analytes = {
        row["concept_id"]: loinc[row["code"]]
        for row in engine.to_arrow(measurement).to_pylist()
        if row["concept_id"] is not None
    }
    spellings = {conversion for table in kt.unit_map.values() for conversion in table}
    units = concepts.filter(concepts.vocabulary == "UCUM").select("concept_id", "code")
    unit_codes = {
        row["concept_id"]: row["code"]
        for row in engine.to_arrow(units).to_pylist()
        if row["concept_id"] is not None
        and row["code"] is not None
        and normalise_spelling(row["code"]) in spellings
    }
    factors: dict[str, dict[int, float]] = {}
    for analyte, accepted in kt.unit_map.items():
        factors[analyte] = {
            concept: accepted[normalise_spelling(code)]
            for concept, code in unit_codes.items()
            if normalise_spelling(code) in accepted
        }
    return Vocabulary(analytes=analytes, unit_codes=unit_codes, unit_factors=factors)
