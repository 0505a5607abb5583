"""Serving the web side on the daemon's own event loop.

Owns: binding the listening socket *before* the daemon starts (so a bad ``web.listen`` is a
start-up error, and a taken default port is a warning: several daemons, or test daemons, may
share one machine), and running uvicorn on that socket as one more task of the daemon's loop,
without letting it take over the daemon's signal handlers.
Does not own: what is served (``app``), when the daemon stops (``monitor.scheduler``).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket
from collections.abc import Iterator

import uvicorn
from starlette.types import ASGIApp

from monitor.config import WebSettings
from monitor.errors import ConfigError

log = logging.getLogger("monitor.web")


#: seconds a stop gives requests under way: the web side closes after the daemon's polls and
#: sends had theirs (``monitor.scheduler.STOP_GRACE``), within the 10 s a stop may take
STOP_GRACE = 1


def bind(web: WebSettings) -> socket.socket | None:
    """The listening socket for ``web.listen``, or None when the web side is off or when the
    *default* address is taken (logged as a warning). An address written in the config that
    cannot be bound is a ``ConfigError``."""
    if web.listen is None:
        return None
    host, port = web.listen
    try:
        return _listen(host, port)
    except OSError as error:
        reason = error.strerror or str(error)
        if not web.explicit and error.errno == errno.EADDRINUSE:
            log.warning(
                "web side not started: %s:%d is taken (%s); set web.listen to another "
                "address, or to off", host, port, reason,
            )  # fmt: skip
            return None
        raise ConfigError(f"cannot listen on {host}:{port}: {reason}", key="web.listen") from error


def _listen(host: str, port: int) -> socket.socket:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


class _Server(uvicorn.Server):
    """uvicorn's server, minus its signal handling: the daemon owns SIGTERM, SIGINT and SIGHUP."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class WebServer:
    """The web side of a running daemon: ``start`` it on the loop, ``stop`` it on the way out."""

    def __init__(self, app: ASGIApp, sock: socket.socket) -> None:
        self._sock = sock
        config = uvicorn.Config(
            # log_config None: uvicorn's records go through the daemon's logging (and masking)
            app, lifespan="off", access_log=False, log_config=None, log_level="warning",
            proxy_headers=False,
            server_header=False, timeout_graceful_shutdown=STOP_GRACE,
        )  # fmt: skip
        self._server = _Server(config)
        self._task: asyncio.Task[None] | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._sock.getsockname()[:2]
        return host, port

    def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve(sockets=[self._sock]), name="web")
        log.info("web side listening on http://%s:%d/", *self.address)

    async def stop(self) -> None:
        """Stop serving: requests under way get ``STOP_GRACE`` seconds, then are cancelled."""
        self._server.should_exit = True
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(self._task, timeout=STOP_GRACE + 1)
        self._sock.close()
