"""Quiet means quiet: when alkphos starts Spark, Spark logs errors only."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from alkphos.screening.spark_quiet import _forward, log4j2_option
from tests.screening.conftest import SYNTHEA


@pytest.mark.slow
def test_screen_with_spark_and_quiet_prints_nothing(tmp_path: Path) -> None:
    """``alkphos screen --engine spark --quiet`` in its own process (Spark's JVM started by
    alkphos, as a user runs it): nothing on stdout, nothing on stderr, the files written.
    Without the fix Spark printed the log4j profile, its default level, the host name
    warning and the native-Hadoop warning."""
    out = tmp_path / "out"
    command = [sys.executable, "-m", "alkphos", "screen", "--omop", str(SYNTHEA / "parquet")]
    command += ["--out", str(out), "--engine", "spark", "--quiet"]
    env = {k: v for k, v in os.environ.items() if k != "SPARK_LOCAL_IP"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout == ""
    assert (out / "funnel.json").is_file()


def test_the_jvm_notice_is_left_out_and_everything_else_passes() -> None:
    """The filter on the JVM's standard error drops only the Java launcher's notice."""
    source = io.BytesIO(
        b"WARNING: Using incubator modules: jdk.incubator.vector\n"
        b"26/12/05 14:22:24 ERROR Executor: Exception in task 0.0\n"
        b"java.lang.OutOfMemoryError: Java heap space\n"
        b"\tat org.apache.spark.Something(Something.scala:1)\n"
    )
    target = io.StringIO()
    _forward(source, target)
    assert target.getvalue().splitlines() == [
        "26/12/05 14:22:24 ERROR Executor: Exception in task 0.0",
        "java.lang.OutOfMemoryError: Java heap space",
        "\tat org.apache.spark.Something(Something.scala:1)",
    ]


def test_the_profile_lets_fatal_messages_through_only() -> None:
    """The log4j2 profile the JVM starts with exists, filters below fatal, prints no trace."""
    option = log4j2_option()
    assert option.startswith("-Dlog4j2.configurationFile=file:")
    profile = Path(option.split("file:", 1)[1])
    settings = dict(
        line.split(" = ", 1)
        for line in profile.read_text(encoding="utf-8").splitlines()
        if " = " in line and not line.startswith("#")
    )
    assert settings["appender.stderr.filter.threshold.type"] == "ThresholdFilter"
    assert settings["appender.stderr.filter.threshold.level"] == "fatal"
    assert "%throwable{none}" in settings["appender.stderr.layout.pattern"]
    assert settings["appender.stderr.target"] == "SYSTEM_ERR"
