"""Read a laboratory report's text: each result with its source line, and the lines that
looked like results but were not understood (pure functions over the knowledge base)."""

from __future__ import annotations

from alkphos.adapters.report.reader import read_report

__all__ = ["read_report"]
