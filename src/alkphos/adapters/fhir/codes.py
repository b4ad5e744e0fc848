"""Look up FHIR codings in the knowledge base: RxNorm and drug names, SNOMED CT and ICD-10."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from alkphos.adapters.fhir.light import CodeableConcept
from alkphos.adapters.fhir.systems import RXNORM
from alkphos.knowledge.codes import match_code
from alkphos.knowledge.loader import Knowledge
from alkphos.knowledge.schema import ClinicalCode

__all__ = ["CodeIndex"]

_WORD = re.compile(r"[a-z0-9][a-z0-9'\-/]*")


@dataclass(frozen=True)
class CodeIndex:
    """Code lookups over one knowledge base, built once per knowledge version."""

    kb: Knowledge
    rxnorm: dict[str, str]

    _built: ClassVar[dict[str, CodeIndex]] = {}

    @classmethod
    def of(cls, kb: Knowledge) -> CodeIndex:
        """The index of ``kb`` (cached by knowledge version)."""
        index = cls._built.get(kb.version)
        if index is None or index.kb is not kb:
            rxnorm = {rxcui: drug.id for drug in kb.drugs.values() for rxcui in drug.rxnorm}
            index = cls._built[kb.version] = cls(kb=kb, rxnorm=rxnorm)
        return index

    def diagnosis(self, system: str, code: str) -> ClinicalCode | None:
        """The knowledge-base entry for a SNOMED CT or ICD-10 code, if any."""
        return match_code(self.kb, system, code)

    def drug_of(self, concept: CodeableConcept) -> str | None:
        """The drug id a medication concept means: RxNorm codes first, then its words."""
        codings = [(c.system, c.code, c.display) for c in concept.coding or []]
        return self.drug_named(codings, concept.text)

    def drug_named(
        self, codings: Iterable[tuple[object, object, object]], text: object = None
    ) -> str | None:
        """The drug id named by codings ``(system, code, display)`` and a text: RxNorm
        codes first, then the text, then the displays (values that are not strings are
        ignored)."""
        codings = list(codings)
        for system, code, _ in codings:
            if system == RXNORM and isinstance(code, str) and code in self.rxnorm:
                return self.rxnorm[code]
        for words in [text, *(display for _, _, display in codings)]:
            if isinstance(words, str) and words.strip():
                drug = self.drug(words)
                if drug is not None:
                    return drug
        return None

    def drug(self, text: str) -> str | None:
        """The drug id named in free text ('Alendronate Sodium 70 MG Oral Tablet'), if any."""
        found = self.kb.find_drug(text)
        if found is not None:
            return found
        words = _WORD.findall(text.lower())
        for size in (4, 3, 2, 1):
            for start in range(len(words) - size + 1):
                found = self.kb.find_drug(" ".join(words[start : start + size]))
                if found is not None:
                    return found
        return None
