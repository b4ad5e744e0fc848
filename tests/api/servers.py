"""Real HTTP servers for the tests: uvicorn on a free loopback port, in a thread, or
`alkphos serve` in its own process."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import httpx
import uvicorn

from alkphos.api.protocol import Limits
from alkphos.api.serve import server_config


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_service(
    port: int, db: Path, log: IO[bytes] | int = subprocess.DEVNULL
) -> subprocess.Popen[bytes] | None:
    """`alkphos serve` on a loopback port, returned once /healthz answers; None (the
    process killed) if it does not within 30 s."""
    command = [sys.executable, "-m", "alkphos", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--db", str(db)]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    process.wait(timeout=10)
    return None


@contextmanager
def serving(app: Any, limits: Limits | None = None) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 until the block ends; yield its base URL.

    The server is configured as ``alkphos serve`` configures it (``limits``: other read
    deadlines and connection caps).
    """
    server = uvicorn.Server(server_config(app, "127.0.0.1", free_port(), limits=limits))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
