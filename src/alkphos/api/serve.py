"""Run the service with uvicorn: the server options the CLI and the tests share, and the
worker processes (each with its own SO_REUSEPORT socket, so the kernel spreads connections
evenly; a shared socket lets one worker grab most keep-alive connections).

HTTP is parsed by httptools and the event loop is uvloop (both C), which leaves more of
each request's CPU time to the clinical work; ``protocol`` adds read deadlines and
connection caps to uvicorn's httptools protocol.
"""

from __future__ import annotations

import logging
import logging.config
import multiprocessing
import signal
import socket
from typing import Any

import uvicorn  # noqa: TID253 - api only

from alkphos.api.protocol import Limits, guarded_protocol
from alkphos.api.settings import Settings

__all__ = ["LOG_CONFIG", "run", "server_config"]

LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"handlers": ["stderr"], "level": "INFO"},
}


def server_config(
    app: Any,
    host: str,
    port: int,
    log_level: str = "info",
    log_config: dict[str, Any] | None = None,
    limits: Limits | None = None,
) -> uvicorn.Config:
    """uvicorn settings for alkphos.

    uvicorn's own access log is off (it would write request paths, and with them card link
    ids and query values); ``AccessLogMiddleware`` logs route templates instead. Without a
    ``log_config`` logging is left to the root logger, as configured by the caller.
    ``limits``: read deadlines and connection caps (``protocol.Limits()`` by default); past
    ``max_connections`` requests on open connections get 503.
    """
    limits = limits or Limits()
    logging.getLogger("uvicorn").setLevel(log_level.upper())
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=log_config,
        log_level=log_level,
        access_log=False,
        server_header=False,
        lifespan="on",
        http=guarded_protocol(limits),  # httptools, with deadlines and connection caps
        loop="uvloop",  # sets TCP_NODELAY on every connection
        limit_concurrency=limits.max_connections + 1,  # uvicorn refuses at >= the limit
        timeout_keep_alive=5,
    )
    logging.getLogger("uvicorn.access").disabled = True
    return config


def run(settings: Settings, workers: int = 1, log_level: str = "info") -> None:
    """Serve until interrupted, in this process or in ``workers`` worker processes."""
    if workers <= 1:
        _serve(settings, log_level, None)
        return
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_serve, args=(settings, log_level, True), name=f"alkphos-{n}")
        for n in range(workers)
    ]
    for process in processes:
        process.start()

    def stop(signum: int, frame: object) -> None:
        for process in processes:
            if process.is_alive():
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for process in processes:
        process.join()


def _serve(settings: Settings, log_level: str, reuse_port: bool | None) -> None:
    from alkphos.api.app import create_app

    logging.config.dictConfig(LOG_CONFIG)
    app = create_app(settings)
    config = server_config(
        app, settings.host, settings.port, log_level, LOG_CONFIG, settings.connection_limits()
    )
    server = uvicorn.Server(config)
    if not reuse_port:
        server.run()
        return
    family, kind, proto, _, address = socket.getaddrinfo(
        settings.host, settings.port, type=socket.SOCK_STREAM
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    sock.listen(2048)
    server.run(sockets=[sock])
