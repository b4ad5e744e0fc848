"""The text of a PDF lab report, laid out by the words' positions so that a table's columns
stay in order and line up under their headers (pdfplumber; imported only here).

A PDF without a text layer (a scan) or one that needs a password is refused with a clear
message; OCR is not done.
"""

from __future__ import annotations

import io
import statistics
from typing import Any

from alkphos.errors import InputError

__all__ = ["MAX_PAGES", "pdf_text"]

MAX_PAGES = 50
# Words whose tops are this close (in points) are on one line.
_SAME_LINE = 3.0
# A gap wider than this many character widths is a column gap (printed as 2+ spaces).
_COLUMN_GAP = 1.5


def pdf_text(data: bytes, name: str = "report") -> str:
    """The report's text, page after page, one printed line per text line.

    Raises:
        InputError: not a readable PDF, encrypted, more than ``MAX_PAGES`` pages, or no text.
    """
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    pages: list[str] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise InputError(
                    name,
                    f"the PDF has {len(pdf.pages)} pages",
                    f"a lab report of at most {MAX_PAGES} pages",
                )
            for page in pdf.pages:
                words = page.extract_words(x_tolerance=1.0, y_tolerance=2.0)
                pages.append("\n".join(_lay_out(words)))
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect):
            raise _encrypted(name) from None
        raise InputError(name, f"not a readable PDF ({_describe(cause)})") from None
    except PDFPasswordIncorrect:
        raise _encrypted(name) from None
    except PDFSyntaxError as exc:
        raise InputError(name, f"not a readable PDF ({_describe(exc)})") from None
    if not any(page.strip() for page in pages):
        raise InputError(
            name,
            "the PDF has no text layer (it looks like a scanned image); alkphos does not read "
            "images",
            "a PDF with selectable text, or paste the report's lines",
        )
    return "\n\n".join(pages)


def _encrypted(name: str) -> InputError:
    return InputError(
        name,
        "the PDF is encrypted (it needs a password to open)",
        "an unprotected copy of the PDF, or paste the report's lines",
    )


def _describe(cause: object) -> str:
    text = str(cause).strip()
    return text or type(cause).__name__


def _char_width(words: list[dict[str, Any]]) -> float:
    """The typical width of one character of these words, in points."""
    widths = [(float(w["x1"]) - float(w["x0"])) / len(w["text"]) for w in words if w["text"]]
    return max(statistics.median(widths), 1.0) if widths else 1.0


def _lay_out(words: list[dict[str, Any]]) -> list[str]:
    """Lines of text with each word at the column its position gives."""
    if not words:
        return []
    char = _char_width(words)
    left = min(float(w["x0"]) for w in words)
    rows: list[list[dict[str, Any]]] = []
    for word in sorted(words, key=lambda w: (float(w["top"]), float(w["x0"]))):
        if rows and abs(float(rows[-1][0]["top"]) - float(word["top"])) <= _SAME_LINE:
            rows[-1].append(word)
        else:
            rows.append([word])
    lines: list[str] = []
    for row in rows:
        line = ""
        previous_end: float | None = None
        own = _char_width(row)  # a heading's letters are wider than the page's
        for word in sorted(row, key=lambda w: float(w["x0"])):
            x0 = float(word["x0"])
            column = round((x0 - left) / char)
            if previous_end is None:
                gap = column
            elif x0 - previous_end <= _COLUMN_GAP * own:
                gap = 1
            else:
                gap = max(column - len(line), 2)
            line += " " * gap + str(word["text"])
            previous_end = float(word["x1"])
        lines.append(line.rstrip())
    return lines
