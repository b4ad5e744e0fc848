"""PDF reports rendered in worker processes, never on the event loop.

WeasyPrint takes seconds of CPU per report (pure Python layout, holding the GIL), so the
service renders in a pool of ``workers`` processes (started at the first PDF; each loads
the knowledge base once) and keeps at most ``waiting`` more requests queued: any further
request gets 503 with ``Retry-After`` at once instead of piling up. Meanwhile the event
loop answers every other request.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date

from alkphos.knowledge.loader import Knowledge
from alkphos.model.interpretation import Interpretation

__all__ = ["PdfBusy", "PdfRenderer"]

_RETRY_SECONDS = 5
_WORKER_KB: Knowledge | None = None


class PdfBusy(Exception):
    """Every PDF worker is busy and the queue is full (503)."""

    retry_after = _RETRY_SECONDS


def _start_worker(kb: Knowledge) -> None:
    global _WORKER_KB
    _WORKER_KB = kb
    with contextlib.suppress(ImportError):  # a missing extra is told by _render
        import weasyprint  # noqa: F401 - imported once, before the first report


def _render(result: Interpretation, made_on: date) -> bytes:
    from alkphos.report.pdf import render_pdf

    assert _WORKER_KB is not None
    return render_pdf(result, _WORKER_KB, made_on)


class PdfRenderer:
    """At most ``workers`` PDFs at once, ``waiting`` more queued; the rest are refused."""

    def __init__(self, kb: Knowledge, workers: int = 1, waiting: int = 8) -> None:
        self.kb = kb
        self.workers = workers
        self.waiting = waiting
        self._pool: ProcessPoolExecutor | None = None
        self._pending = 0  # renders running or queued (touched only by the event loop)

    async def render(self, result: Interpretation, made_on: date) -> bytes:
        """The PDF of ``result``, rendered in a worker process.

        Raises:
            PdfBusy: ``workers + waiting`` renders are already running or queued.
        """
        if self._pending >= self.workers + self.waiting:
            raise PdfBusy
        self._pending += 1
        try:
            # Submitted from a thread: the first submit starts the worker process, which
            # takes seconds (a new interpreter, the knowledge base sent to it).
            pool = self._executor()
            future = await asyncio.to_thread(pool.submit, _render, result, made_on)
            return await asyncio.wrap_future(future)
        except BrokenProcessPool:
            self.close()  # a worker died (e.g. out of memory): a new pool next time
            raise
        finally:
            self._pending -= 1

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(self.kb,),
            )
        return self._pool

    def close(self, wait: bool = False) -> None:
        """Stop the worker processes (queued renders are cancelled); with ``wait``, until
        they have exited (when the service stops: a worker left waiting would outlive it)."""
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)
            self._pool = None
