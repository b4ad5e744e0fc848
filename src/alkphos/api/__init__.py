"""The alkphos service: REST, FHIR R4 in and out, and CDS Hooks 2.0 (FastAPI; shell only).

>>> from alkphos.api import Settings, create_app
>>> app = create_app(Settings(db=tmp / "service.sqlite3"))  # doctest: +SKIP
"""

from __future__ import annotations

from alkphos.api.app import create_app as create_app
from alkphos.api.settings import Settings as Settings

__all__ = ["Settings", "create_app"]
