"""Reports of an interpretation: a server-rendered SVG chart, a self-contained HTML page and a
PDF (WeasyPrint). Jinja2 and WeasyPrint are imported only when a report is made."""
