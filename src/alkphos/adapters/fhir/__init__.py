"""FHIR R4 in and out (fhir.resources R4B models; imported only by the shells).

- ``read_bundle`` / ``read_prefetch``: a Bundle or a CDS Hooks prefetch -> ``FhirCase``
  (the case, notes on what was set aside, where each result came from);
- ``interpret_fhir``: interpret it, notes first in ``not_understood``;
- ``interpretation_bundle``: an interpretation -> a FHIR Bundle.
"""

from __future__ import annotations

from alkphos.adapters.fhir.interpret import interpret_fhir as interpret_fhir
from alkphos.adapters.fhir.interpret import with_notes as with_notes
from alkphos.adapters.fhir.read import FhirCase as FhirCase
from alkphos.adapters.fhir.read import read_bundle as read_bundle
from alkphos.adapters.fhir.read import read_entries as read_entries
from alkphos.adapters.fhir.read import read_prefetch as read_prefetch
from alkphos.adapters.fhir.write import interpretation_bundle as interpretation_bundle

__all__ = [
    "FhirCase",
    "interpret_fhir",
    "interpretation_bundle",
    "read_bundle",
    "read_entries",
    "read_prefetch",
    "with_notes",
]
