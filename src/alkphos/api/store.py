"""The service's SQLite file: card links, issued cards, feedback and used JWT ids.

One connection per process (WAL mode, so several worker processes can share the file),
guarded by a lock. Links and issued cards are written by a background thread, so a busy
file never stalls the event loop; the thread commits whatever is queued in one transaction
(a group commit). A link is in the file before the answer that shows it is sent: a caller
awaits its write (``saved``), which survives the process being killed (a committed WAL
transaction is in the operating system's hands). Reads wait for pending writes first. Stored
case data is the minimum a card link needs; feedback keeps the outcome and the coded
override reason, never the clinician's free-text comment.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import queue
import secrets
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["FeedbackItem", "Link", "Store"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cases (
    id TEXT PRIMARY KEY, case_json TEXT NOT NULL, as_of TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS cards (
    uuid TEXT PRIMARY KEY, service TEXT NOT NULL, card_type TEXT NOT NULL, issued REAL NOT NULL);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY, service TEXT NOT NULL, card_uuid TEXT NOT NULL,
    card_type TEXT NOT NULL, outcome TEXT NOT NULL, reason_system TEXT, reason_code TEXT,
    reason_display TEXT, accepted TEXT NOT NULL, outcome_timestamp TEXT, received REAL NOT NULL);
CREATE TABLE IF NOT EXISTS jti (
    issuer TEXT NOT NULL, jti TEXT NOT NULL, exp REAL NOT NULL, PRIMARY KEY (issuer, jti));
"""
_RECENT = 4096  # links kept in memory as written recently (no write for a repeat)
_REFRESH_SECONDS = 3600  # a link shown again is re-dated at most this often
_DAY = 86400
_BATCH = 512  # queued writes committed in one transaction at most
_Write = tuple[str, list[tuple[Any, ...]], "Future[None] | None"]


@dataclass(frozen=True, slots=True)
class Link:
    """A card link: its id and the content it shows."""

    id: str
    text: str
    as_of: str


@dataclass(frozen=True, slots=True)
class FeedbackItem:
    """One feedback entry as the CDS client sent it."""

    card: str
    outcome: str
    reason_system: str | None
    reason_code: str | None
    reason_display: str | None
    accepted: tuple[str, ...]
    outcome_timestamp: str | None


class Store:
    """Typed access to the SQLite file."""

    def __init__(self, path: Path, link_days: int = 30) -> None:
        """Open (or create) the file; links and issued cards last ``link_days`` after they
        were last shown."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._link_seconds = link_days * _DAY
        # link id -> when queued, and its write (done once it is in the file)
        self._recent: OrderedDict[str, tuple[float, Future[None]]] = OrderedDict()
        self._recent_lock = threading.Lock()
        self._purged = 0.0
        with self._lock:
            self._db.execute("PRAGMA busy_timeout = 5000")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.executescript(_SCHEMA)
            self._db.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('link_key', ?)",
                (secrets.token_hex(32),),
            )
            row = self._db.execute("SELECT value FROM meta WHERE key = 'link_key'").fetchone()
        self._key = bytes.fromhex(row[0])
        self._pending: queue.Queue[_Write | None] = queue.Queue()
        self._writer = threading.Thread(
            target=self._write_behind, name="alkphos-store", daemon=True
        )
        self._writer.start()

    def close(self) -> None:
        """Finish pending writes and close the connection."""
        self._pending.put(None)
        self._writer.join(timeout=10)
        with self._lock:
            self._db.close()

    def flush(self) -> None:
        """Wait until every pending write is in the file."""
        self._pending.join()

    def _write_behind(self) -> None:
        while True:
            first = self._pending.get()
            batch = [first]
            while first is not None and len(batch) < _BATCH:
                try:
                    batch.append(self._pending.get_nowait())
                except queue.Empty:
                    break
                if batch[-1] is None:
                    break
            writes = [item for item in batch if item is not None]
            try:
                self._commit(writes)
            finally:
                for _ in batch:
                    self._pending.task_done()
            if batch[-1] is None:
                return

    def _commit(self, writes: list[_Write]) -> None:
        """Write a batch in one transaction; each write's future says whether it is in."""
        if not writes:
            return
        failure: sqlite3.Error | None = None
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                for statement, rows, _ in writes:
                    self._db.executemany(statement, rows)
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                failure = exc
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
        for _, _, done in writes:
            if done is None:
                continue  # a lost card count or purge is not worth stopping the service for
            if failure is None:
                done.set_result(None)
            else:
                done.set_exception(failure)

    def _queue(self, statement: str, rows: list[tuple[Any, ...]]) -> Future[None]:
        done: Future[None] = Future()
        self._pending.put((statement, rows, done))
        return done

    def purge(self, now: float | None = None) -> None:
        """Forget links and issued cards older than the link lifetime, and expired JWT ids
        (in the background; done when the store opens and then at most hourly)."""
        now = time.time() if now is None else now
        self._purged = now
        horizon = now - self._link_seconds
        for statement, value in (
            ("DELETE FROM cases WHERE created < ?", horizon),
            ("DELETE FROM cards WHERE issued < ?", horizon),
            ("DELETE FROM jti WHERE exp < ?", now),
        ):
            self._pending.put((statement, [(value,)], None))

    # -- links to interpretations ---------------------------------------------------------

    def link(self, payload: dict[str, Any], as_of: str) -> Link:
        """The link to what ``payload`` shows (a keyed hash: not guessable); not yet kept."""
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        digest = hmac.new(self._key, f"{text}|{as_of}".encode(), hashlib.sha256)
        return Link(id=digest.hexdigest()[:32], text=text, as_of=as_of)

    def keep(self, link: Link) -> Future[None]:
        """Keep a link's content, so the link works for the link lifetime from now: written
        in the background; the future is done once the link is in the file."""
        now = time.time()
        with self._recent_lock:
            recent = self._recent.get(link.id)
            if recent is not None and now - recent[0] < _REFRESH_SECONDS:
                written = recent[1]
                if not (written.done() and written.exception() is not None):
                    self._recent.move_to_end(link.id)
                    return written
            written = self._queue(
                "INSERT INTO cases (id, case_json, as_of, created) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET created = excluded.created",
                [(link.id, link.text, link.as_of, now)],
            )
            self._recent[link.id] = (now, written)
            self._recent.move_to_end(link.id)
            if len(self._recent) > _RECENT:
                self._recent.popitem(last=False)
        if now - self._purged > _REFRESH_SECONDS:
            self.purge(now)
        return written

    async def kept(self, link: Link) -> None:
        """Keep a link and wait (without blocking the event loop) until it is in the file.

        Raises:
            sqlite3.Error: the link could not be written.
        """
        await asyncio.wrap_future(self.keep(link))

    async def saved(self, payload: dict[str, Any], as_of: str) -> str:
        """Keep what a link shows, in the file when this returns; the link id."""
        link = self.link(payload, as_of)
        await self.kept(link)
        return link.id

    def save_link(self, payload: dict[str, Any], as_of: str) -> str:
        """Keep what a link shows, in the file when this returns (blocking); the link id."""
        link = self.link(payload, as_of)
        self.keep(link).result()
        return link.id

    def load_link(self, link: str) -> tuple[dict[str, Any], str] | None:
        """What a link shows and its as-of date, if the link is known and not expired."""
        self.flush()
        horizon = time.time() - self._link_seconds
        with self._lock:
            row = self._db.execute(
                "SELECT case_json, as_of FROM cases WHERE id = ? AND created >= ?",
                (link, horizon),
            ).fetchone()
        return (json.loads(row[0]), str(row[1])) if row else None

    # -- cards and feedback ---------------------------------------------------------------

    def record_cards(self, service: str, cards: Iterable[tuple[str, str]]) -> None:
        """Remember issued cards (uuid, card type) so feedback can be counted per type."""
        rows: list[tuple[Any, ...]] = [(uuid, service, kind, time.time()) for uuid, kind in cards]
        if rows:
            self._pending.put(
                (
                    "INSERT OR IGNORE INTO cards (uuid, service, card_type, issued) "
                    "VALUES (?, ?, ?, ?)",
                    rows,
                    None,
                )
            )

    def record_feedback(self, service: str, items: Sequence[FeedbackItem]) -> int:
        """Store feedback entries; a card this service did not issue counts as 'unknown'."""
        self.flush()
        with self._lock:
            # IMMEDIATE: take the write lock now, waiting (busy_timeout) for another worker
            # process; a deferred BEGIN that reads first cannot wait to upgrade and fails at
            # once with "database is locked".
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for item in items:
                    row = self._db.execute(
                        "SELECT card_type FROM cards WHERE uuid = ? AND service = ?",
                        (item.card, service),
                    ).fetchone()
                    self._db.execute(
                        "INSERT INTO feedback (service, card_uuid, card_type, outcome, "
                        "reason_system, reason_code, reason_display, accepted, "
                        "outcome_timestamp, received) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            service,
                            item.card,
                            row[0] if row else "unknown",
                            item.outcome,
                            item.reason_system,
                            item.reason_code,
                            item.reason_display,
                            json.dumps(list(item.accepted)),
                            item.outcome_timestamp,
                            time.time(),
                        ),
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return len(items)

    def feedback_counts(self) -> list[tuple[str, str, str, int]]:
        """(service, card type, outcome, count) for every recorded combination."""
        with self._lock:
            rows = self._db.execute(
                "SELECT service, card_type, outcome, COUNT(*) FROM feedback "
                "GROUP BY service, card_type, outcome ORDER BY service, card_type, outcome"
            ).fetchall()
        return [(str(a), str(b), str(c), int(d)) for a, b, c, d in rows]

    def override_reasons(self) -> list[tuple[str, str, str, str | None, int]]:
        """(service, card type, reason code, reason display, count) of override reasons."""
        with self._lock:
            rows = self._db.execute(
                "SELECT service, card_type, reason_code, MAX(reason_display), COUNT(*) "
                "FROM feedback WHERE outcome = 'overridden' AND reason_code IS NOT NULL "
                "GROUP BY service, card_type, reason_system, reason_code "
                "ORDER BY service, card_type, COUNT(*) DESC"
            ).fetchall()
        return [(str(a), str(b), str(c), d, int(e)) for a, b, c, d, e in rows]

    def issued_counts(self) -> list[tuple[str, str, int]]:
        """(service, card type, count) of cards issued and still remembered."""
        self.flush()
        with self._lock:
            rows = self._db.execute(
                "SELECT service, card_type, COUNT(*) FROM cards GROUP BY service, card_type"
            ).fetchall()
        return [(str(a), str(b), int(c)) for a, b, c in rows]

    # -- JWT replay protection ------------------------------------------------------------

    def first_use(self, issuer: str, jti: str, exp: float) -> bool:
        """Record a JWT id; False when it was seen before (a replay)."""
        with self._lock:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO jti (issuer, jti, exp) VALUES (?, ?, ?)", (issuer, jti, exp)
            )
        return cursor.rowcount == 1
