"""A real alkphos server and a real browser (Debian's chromium driven by Playwright)."""

from __future__ import annotations

import gc
import os
import shutil
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ARTIFACTS = Path(os.environ.get("ALKPHOS_ARTIFACTS", "artifacts")) / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--disable-features=Translate,OptimizationHints,MediaRouter",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`alkphos serve` on a free loopback port; yields its base URL."""
    port = _free_port()
    folder = tmp_path_factory.mktemp("service")
    command = [sys.executable, "-m", "alkphos", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--db", str(folder / "service.sqlite3")]
    with (folder / "server.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        process.wait(timeout=10)
        output = (folder / "server.log").read_text(errors="replace")
        pytest.fail(f"the server did not start:\n{output}")
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian chromium (Playwright's own browser download cannot work offline)."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()
    # Playwright's driver leaves a pipe for the garbage collector; collect it here, where
    # its ResourceWarning is known and harmless, rather than in a later test.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


@pytest.fixture
def shots() -> Path:
    """Where screenshots of the main screens go (the test run's artefacts)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
