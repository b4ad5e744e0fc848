"""``python -m alkphos`` runs the command line."""

from __future__ import annotations

from alkphos.cli import main

main()
