"""Screening output written to a staging folder beside ``--out``, moved into place at the end.

A run that fails leaves ``--out`` as it was (a previous run's files are never mixed with a
part of this one's); a run that ends moves each file it wrote into ``--out`` (one rename
each, on the same file system) and removes the outputs of an earlier run that this one did
not write, so what is in the folder always comes from one run. Files in ``--out`` that are
not screening outputs are left alone.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alkphos.errors import InputError

__all__ = ["OUTPUTS", "check_out", "staged"]

OUTPUTS = (
    "persistent.parquet",
    "worklist.parquet",
    "worklist.csv",
    "exclusions.parquet",
    "rejects.parquet",
    "funnel.json",
    "report.html",
    "explain",
)


def check_out(out: Path) -> None:
    """Refuse an ``--out`` that cannot become a folder of results, before any work."""
    if out.exists() and not out.is_dir():
        raise InputError("--out", f"{out} is a file, not a folder", "a folder (made if missing)")
    parent = out.absolute().parent
    if not parent.is_dir():
        raise InputError("--out", f"{parent} does not exist", "a folder whose parent exists")
    if not os.access(parent, os.W_OK):
        raise InputError("--out", f"cannot write in {parent}", "a folder you may write to")


@contextmanager
def staged(
    out: Path, keep_on: tuple[type[Exception], ...] = (), outputs: tuple[str, ...] = OUTPUTS
) -> Iterator[Path]:
    """A fresh folder beside ``out`` to write into; moved into ``out`` when the block ends.

    When the block raises, nothing is moved and the folder is removed, unless the error is
    one of ``keep_on`` (a run that ends early with an answer of its own, such as its
    rejects): then what was written is moved into place and the error raised again.
    ``outputs`` names the files a run of this command writes (an earlier run's that this
    one did not write are removed; anything else in ``out`` is left alone).
    """
    check_out(out)
    staging = out.parent / f".{out.name}.{secrets.token_hex(6)}.partial"
    staging.mkdir()
    try:
        try:
            yield staging
        except keep_on:
            _publish(staging, out, outputs)
            raise
        _publish(staging, out, outputs)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _publish(staging: Path, out: Path, outputs: tuple[str, ...]) -> None:
    if not out.exists():
        staging.rename(out)
        return
    written = {entry.name for entry in staging.iterdir()}
    for name in outputs:
        old = out / name
        if name not in written and (old.exists() or old.is_symlink()):
            _remove(old)
    for name in sorted(written):
        target = out / name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        os.replace(staging / name, target)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()
