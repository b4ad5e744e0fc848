"""alkphos: interpret alkaline phosphatase (ALP) results like a careful clinician and a lab
specialist together.

>>> from alkphos import interpret
>>> result = interpret({"patient": {"age_years": 45, "sex": "male"},
...                     "results": [{"test": "ALP", "value": 70, "date": "2024-01-02"}]})
>>> result.alp.status
'normal'
"""

from __future__ import annotations

from alkphos._version import __version__ as __version__
from alkphos.adapters.case_json import parse_case as parse_case
from alkphos.adapters.case_json import read_case_text as read_case_text
from alkphos.engine import interpret as interpret
from alkphos.engine import knowledge as load_knowledge
from alkphos.engine import load_intervals as load_intervals
from alkphos.errors import AlkphosError as AlkphosError
from alkphos.errors import InputError as InputError
from alkphos.errors import KnowledgeError as KnowledgeError
from alkphos.errors import UnitError as UnitError
from alkphos.knowledge.loader import Knowledge as Knowledge
from alkphos.model.case import Case as Case
from alkphos.model.case import LabResult as LabResult
from alkphos.model.case import Patient as Patient
from alkphos.model.interpretation import Interpretation as Interpretation

__all__ = [
    "AlkphosError",
    "Case",
    "InputError",
    "Interpretation",
    "Knowledge",
    "KnowledgeError",
    "LabResult",
    "Patient",
    "UnitError",
    "__version__",
    "interpret",
    "load_intervals",
    "load_knowledge",
    "parse_case",
    "read_case_text",
]
