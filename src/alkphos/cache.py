"""The on-disk cache of built objects (the knowledge base, the screening tables).

A cache file is a pickle named by a digest of what it was built from, so a stale one is
never read. A missing, unreadable or foreign file means "build it"; a cache that cannot be
written only costs time.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

__all__ = ["cache_dir", "digest", "read_cached", "write_cached"]

T = TypeVar("T")
_UNREADABLE = (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError)


def cache_dir() -> Path:
    """``$ALKPHOS_CACHE_DIR``, else ``$XDG_CACHE_HOME/alkphos``, else ``~/.cache/alkphos``."""
    explicit = os.environ.get("ALKPHOS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "alkphos"


def digest(salt: str, files: Iterable[Path]) -> str:
    """A digest of ``salt`` and the names and bytes of ``files`` (what a cache was built from)."""
    hasher = hashlib.sha256(salt.encode())
    for path in files:
        hasher.update(path.name.encode())
        hasher.update(path.read_bytes())
    return hasher.hexdigest()


def read_cached(path: Path, kind: type[T]) -> T | None:
    """The object cached at ``path`` if it is a ``kind``, else None (build it)."""
    try:
        with path.open("rb") as handle:
            loaded = pickle.load(handle)
    except _UNREADABLE:
        return None
    return loaded if isinstance(loaded, kind) else None


def write_cached(path: Path, value: object) -> None:
    """Write ``value`` to ``path`` atomically (a temporary file, then a rename)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)
    except OSError:
        return  # an unwritable cache only costs time
