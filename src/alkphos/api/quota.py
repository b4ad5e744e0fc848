"""What a caller without a token may store: the web form's cases, bounded in size and rate.

Each stored case (what its link shows) is at most ``max_case_bytes``. When the form is
open to a network (``--auth jwt --web-form``), each client address may store
``per_minute`` cases a minute, and all of them together ``bytes_per_hour`` bytes an hour:
the database grows by at most that much, however many addresses an attacker has. Behind a
proxy every caller has the proxy's address, so the per-address limit is then a total.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Quota", "QuotaExceeded"]

_ADDRESSES = 10_000  # addresses remembered (the least recent are forgotten)


class QuotaExceeded(Exception):
    """A store refused: the HTTP status, why, and when to try again (seconds)."""

    def __init__(self, status: int, problem: str, retry_after: int | None = None) -> None:
        super().__init__(problem)
        self.status = status
        self.problem = problem
        self.retry_after = retry_after


@dataclass
class Quota:
    """Limits on anonymous stores; ``per_minute`` 0 turns the rate limits off."""

    max_case_bytes: int
    per_minute: int = 0
    bytes_per_hour: int = 0
    clock: Callable[[], float] = time.monotonic
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _recent: OrderedDict[str, list[float]] = field(default_factory=OrderedDict)
    _hour: list[tuple[float, int]] = field(default_factory=list)

    def admit(self, address: str, size: int) -> None:
        """Count one store of ``size`` bytes by ``address``.

        Raises:
            QuotaExceeded: 413 when the case is too large, 429 when the address or all
                anonymous callers together have stored their share.
        """
        if size > self.max_case_bytes:
            raise QuotaExceeded(
                413,
                f"the case is {size:,} bytes; a stored case is at most "
                f"{self.max_case_bytes:,} bytes",
            )
        if self.per_minute <= 0:
            return
        now = self.clock()
        with self._lock:
            times = [t for t in self._recent.pop(address, []) if now - t < 60]
            self._recent[address] = times
            while len(self._recent) > _ADDRESSES:
                self._recent.popitem(last=False)
            if len(times) >= self.per_minute:
                wait = math.ceil(60 - (now - times[0]))
                raise QuotaExceeded(
                    429, f"more than {self.per_minute} cases a minute from one address", wait
                )
            self._hour = [(t, n) for t, n in self._hour if now - t < 3600]
            if self.bytes_per_hour and sum(n for _, n in self._hour) + size > self.bytes_per_hour:
                wait = math.ceil(3600 - (now - self._hour[0][0])) if self._hour else 3600
                raise QuotaExceeded(
                    429, "the service has stored as much as it takes this hour", wait
                )
            times.append(now)
            self._hour.append((now, size))
