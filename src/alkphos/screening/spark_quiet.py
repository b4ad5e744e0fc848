"""Start Spark's JVM with its own logging at fatal messages only (no stack traces).

Spark's default log4j profile writes warnings and start-up notes to standard error (the
host name resolving to loopback, native Hadoop missing, the default log level), and
``setLogLevel`` comes too late for those. So the JVM starts with alkphos's log4j2 profile
(fatal only), and its standard error goes through a filter that passes every line except
the Java launcher's notice about the incubator module Spark enables, which no setting
turns off. Errors, and anything else the JVM writes, still reach standard error.
"""

from __future__ import annotations

import re
import sys
import threading
from importlib import resources
from subprocess import PIPE
from typing import IO, Any

__all__ = ["LOG4J2_PROFILE", "NOT_ERRORS", "quiet_gateway"]

LOG4J2_PROFILE = "spark-log4j2.properties"
# Lines of the JVM's standard error that are notices, not errors.
NOT_ERRORS = re.compile(rb"^WARNING: Using incubator modules: ")


def log4j2_option() -> str:
    """The JVM option that makes Spark log fatal messages only."""
    profile = resources.files("alkphos.screening") / LOG4J2_PROFILE
    return f"-Dlog4j2.configurationFile=file:{profile}"


def quiet_gateway(conf: Any) -> Any:
    """Launch Spark's JVM gateway for ``conf`` with the filter on its standard error."""
    from pyspark.java_gateway import launch_gateway

    gateway = launch_gateway(conf, popen_kwargs={"stderr": PIPE})  # type: ignore[no-untyped-call]
    stream = gateway.proc.stderr
    threading.Thread(
        target=_forward, args=(stream, sys.stderr), name="spark-stderr", daemon=True
    ).start()
    return gateway


def _forward(source: IO[bytes], target: IO[str]) -> None:
    """Copy ``source`` to ``target`` line by line, leaving out the known notices."""
    for line in iter(source.readline, b""):
        if NOT_ERRORS.match(line):
            continue
        target.write(line.decode("utf-8", "replace"))
        target.flush()
