"""What a report file holds: the text of a PDF, or plain text; anything else is refused with
one clear message (too large, binary, not UTF-8)."""

from __future__ import annotations

from contextlib import suppress

from alkphos.errors import InputError

__all__ = ["MAX_BYTES", "ReportTooLarge", "is_pdf", "report_text"]

MAX_BYTES = 10 * 1024 * 1024
# Control characters that never occur in text (tab, line feed, carriage return and form
# feed do).
_BINARY = frozenset(range(32)) - {9, 10, 12, 13}


class ReportTooLarge(InputError):
    """A report file over ``MAX_BYTES`` (the service answers 413)."""


def is_pdf(data: bytes) -> bool:
    """A PDF starts with ``%PDF-`` (some writers put a few bytes before it)."""
    return b"%PDF-" in data[:1024]


def report_text(data: bytes, name: str = "report") -> str:
    """The text of a report file: a text-layer PDF's words laid out, or UTF-8 text.

    Raises:
        InputError: empty, over ``MAX_BYTES``, binary and not a PDF, not UTF-8, or a PDF
            that cannot be read (encrypted, no text layer).
    """
    if len(data) > MAX_BYTES:
        raise ReportTooLarge(
            name,
            f"the file is {len(data) / 1024 / 1024:.1f} MB",
            f"a report of at most {MAX_BYTES // 1024 // 1024} MB",
        )
    if not data.strip():
        raise InputError(name, "empty: there is no text to read", "the lines of a lab report")
    if is_pdf(data):
        from alkphos.adapters.report.pdf import pdf_text

        return pdf_text(data, name)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        with suppress(UnicodeDecodeError):  # not UTF-16 after all: read as below
            return data.decode("utf-16")
    sample = data[:8192]
    if any(byte in _BINARY for byte in sample):
        raise InputError(
            name, "a binary file that is not a PDF", "the report's text, or a text-layer PDF"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            name,
            f"not UTF-8 text (byte {exc.start + 1} cannot be read)",
            "the report saved as UTF-8 text, or its PDF",
        ) from None
    return text.removeprefix("\ufeff")
