"""Installed as users install it: the built wheel in clean virtual environments, without
extras and with all of them, each command run from there."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "low-alp-adult.json"
OMOP = ROOT / "tests" / "data" / "synthea27nj-omop" / "parquet"


def _uv() -> str:
    """uv as ``make setup`` provides it (on PATH, or in .tools)."""
    return shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")


def _env(home: Path) -> dict[str, str]:
    """A user's environment: no project venv, no source tree on the path."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(XDG_DATA_HOME=str(home / "data"), UV_PYTHON_DOWNLOADS="never")
    return env


def _run(
    command: list[str], cwd: Path, env: dict[str, str], timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def _install(tmp: Path, name: str, requirement: str, env: dict[str, str]) -> Path:
    """A clean venv with ``requirement`` installed (versions pinned by the lock file)."""
    venv = tmp / name
    made = _run([_uv(), "venv", "--python", sys.executable, str(venv)], tmp, env)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    command = [_uv(), "pip", "install", "--python", str(python), "-c", str(tmp / "pins.txt")]
    done = _run([*command, requirement], tmp, env)
    assert done.returncode == 0, done.stderr
    return venv / "bin"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve_until_healthy(bin_dir: Path, tmp: Path, env: dict[str, str]) -> None:
    port = _free_port()
    command = [str(bin_dir / "alkphos"), "serve", "--port", str(port)]
    log = tmp / "serve.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(command, cwd=tmp, env=env, stdout=sink, stderr=sink)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and server.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                assert health.status_code == 200
                assert health.json()["status"] == "ok"
                return
            except httpx.HTTPError:
                time.sleep(0.3)
        output = log.read_text(errors="replace")
        raise AssertionError(f"alkphos serve did not answer /healthz:\n{output}")
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.slow
def test_the_wheel_without_and_with_extras(tmp_path: Path) -> None:
    """Without extras: interpret works; serve, screen and --format pdf each say which extra
    to install (one line, exit 2). With the extras: all four work."""
    env = _env(tmp_path)
    built = _run([_uv(), "build", "--wheel", "--out-dir", str(tmp_path / "dist")], ROOT, env)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("alkphos-*.whl")
    export = [_uv(), "export", "--frozen", "--no-dev", "--all-extras", "--no-hashes"]
    pins = _run([*export, "--no-emit-project", "-o", str(tmp_path / "pins.txt")], ROOT, env)
    assert pins.returncode == 0, pins.stderr

    core = _install(tmp_path, "core", str(wheel), env)
    where = _run(
        [str(core / "python"), "-c", "import alkphos; print(alkphos.__file__)"], tmp_path, env
    )
    assert where.stdout.startswith(str(tmp_path / "core")), where.stdout
    alkphos = str(core / "alkphos")
    done = _run([alkphos, "interpret", str(EXAMPLE), "--format", "json"], tmp_path, env)
    assert done.returncode == 0, done.stderr
    assert '"alp"' in done.stdout
    for args, extra in (
        (["serve"], "api"),
        (["screen", "--omop", str(OMOP), "--out", "out"], "screening"),
        (["interpret", str(EXAMPLE), "--format", "pdf", "--out", "r.pdf"], "report"),
    ):
        refused = _run([alkphos, *args], tmp_path, env)
        assert refused.returncode == 2, (args, refused.stderr)
        (line,) = refused.stderr.splitlines()
        assert line.startswith("error: ")
        assert line.endswith(f"pip install 'alkphos[{extra}]'")

    full = _install(tmp_path, "full", f"{wheel}[api,screening,report]", env)
    alkphos = str(full / "alkphos")
    done = _run([alkphos, "interpret", str(EXAMPLE), "--format", "text"], tmp_path, env)
    assert done.returncode == 0, done.stderr
    _serve_until_healthy(full, tmp_path, env)
    screened = _run(
        [alkphos, "screen", "--omop", str(OMOP), "--out", "out", "--quiet"], tmp_path, env
    )
    assert screened.returncode == 0, screened.stderr
    assert (tmp_path / "out" / "funnel.json").is_file()
    pdf = _run(
        [alkphos, "interpret", str(EXAMPLE), "--format", "pdf", "--out", "r.pdf"], tmp_path, env
    )
    assert pdf.returncode == 0, pdf.stderr
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF-")
