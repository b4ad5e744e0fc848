"""PDFs made in the tests: lab reports rendered by WeasyPrint from text or HTML, a scan-like
PDF with no text layer, and a PDF that needs a password."""

from __future__ import annotations

import html


def html_pdf(markup: str) -> bytes:
    """A PDF of an HTML document (WeasyPrint, as the reports are made)."""
    import weasyprint

    document: bytes = weasyprint.HTML(string=markup).write_pdf()
    return document


def text_pdf(text: str) -> bytes:
    """A PDF of a plain-text report, printed in a fixed-width font as a lab system does."""
    style = "body { font-family: monospace; font-size: 9pt; } pre { margin: 0; }"
    return html_pdf(
        f"<html><head><style>{style}</style></head><body><pre>{html.escape(text)}</pre></body></html>"
    )


def table_pdf(title: str, header: list[str], rows: list[list[str]], footer: str = "") -> bytes:
    """A PDF of a report laid out as an HTML table in a proportional font (a portal's PDF)."""
    style = (
        "body { font-family: sans-serif; font-size: 10pt; } "
        "td, th { padding: 2pt 12pt 2pt 0; text-align: left; }"
    )
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return html_pdf(
        f"<html><head><style>{style}</style></head><body><h1>{html.escape(title)}</h1>"
        f"<table><tr>{head}</tr>{body}</table><p>{html.escape(footer)}</p></body></html>"
    )


def image_only_pdf() -> bytes:
    """A PDF whose page holds only a picture, as a scanned report does: no text layer."""
    picture = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200">'
        '<rect x="10" y="10" width="380" height="20" fill="#333"/>'
        '<rect x="10" y="50" width="300" height="20" fill="#333"/></svg>'
    )
    return html_pdf(f"<html><body>{picture}</body></html>")


def encrypted_pdf() -> bytes:
    """A PDF protected by a user password (Standard security handler, revision 2): a reader
    without the password cannot open it."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        b"<< /Filter /Standard /V 1 /R 2 /P -4 /O <"
        + b"5a" * 32
        + b"> /U <"
        + b"c3" * 32
        + b"> >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    start = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    identifier = "0123456789abcdef" * 2
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Encrypt 4 0 R "
        f"/ID [<{identifier}> <{identifier}>] >>\nstartxref\n{start}\n%%EOF\n"
    ).encode()
    return bytes(out)
