"""A real alkphos server and a real browser (Debian's chromium driven by Playwright)."""

from __future__ import annotations

import gc
import os
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.servers import free_port, start_service

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


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`alkphos serve` on a free loopback port; yields its base URL."""
    port = free_port()
    folder = tmp_path_factory.mktemp("service")
    with (folder / "server.log").open("wb") as log:
        process = start_service(port, folder / "service.sqlite3", log)
    if process is None:
        output = (folder / "server.log").read_text(errors="replace")
        pytest.fail(f"the server did not start:\n{output}")
    base = f"http://127.0.0.1:{port}"
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
