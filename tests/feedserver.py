"""A real HTTP server on loopback that serves recorded feeds and pages to the tests.

Routes are set (and changed while it runs) with ``serve``; every request is logged with its
headers, status, monotonic start time and how many requests were in progress, so tests can
assert conditional GET and politeness. Hostile behaviours are routes too: any status and
headers, ``drip`` (bytes one by one), ``delay`` (before the status line), ``hold`` (no answer
until the test sets the event), ``encoding`` (gzip, deflate, br, or several), ``endless`` (a body
that never ends), ``short`` (a body shorter than its Content-Length), ``raw`` (bytes that are not
HTTP at all). ``host`` may be ``::1``.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Route:
    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    #: seconds between each byte of the body (a slow-drip server)
    drip: float = 0.0
    #: send the body gzip-encoded
    gzip: bool = False
    #: Content-Encoding to apply, in order ("gzip", "deflate", "br", "gzip, gzip")
    encoding: str = ""
    #: seconds to wait before the status line (slow headers)
    delay: float = 0.0
    #: no answer until this is set (the request stays in progress): the test says when
    hold: threading.Event | None = None
    #: after the headers, send ``body`` again and again, chunked, until the client goes away
    endless: bool = False
    #: declare this many bytes more than the body in Content-Length, then close
    short: int = 0
    #: send these bytes instead of an HTTP response
    raw: bytes | None = None


@dataclass(frozen=True)
class Logged:
    path: str
    headers: dict[str, str]
    status: int
    at: float
    #: requests in progress on this server when this one started (itself included); one is in
    #: progress from its arrival until its answer starts (after ``Route.delay``)
    active: int = 1


@dataclass
class FeedServer:
    host: str = "127.0.0.1"
    port: int = 0
    routes: dict[str, Route] = field(default_factory=dict)
    log: list[Logged] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    active: int = 0

    def url(self, path: str) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{path}"

    def serve(self, path: str, body: bytes, content_type: str = "application/rss+xml", **kw) -> str:
        """Serve ``body`` at ``path`` with an ETag and Last-Modified; returns the URL."""
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        headers = (
            ("Content-Type", content_type),
            ("ETag", etag),
            ("Last-Modified", "Tue, 07 Dec 2021 13:33:00 GMT"),
            *kw.pop("headers", ()),
        )
        with self.lock:
            self.routes[path] = Route(body=body, headers=headers, **kw)
        return self.url(path)

    def route(self, path: str, route: Route) -> str:
        with self.lock:
            self.routes[path] = route
        return self.url(path)

    def requests_to(self, path: str) -> list[Logged]:
        with self.lock:
            return [entry for entry in self.log if entry.path == path]


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with server.lock:
                route = server.routes.get(self.path, Route(status=404, body=b"not found"))
                server.active += 1
                active = server.active
            answered = threading.Event()
            try:
                self._answer(route, active, answered)
            finally:
                self._done(answered)

        def _done(self, answered: threading.Event) -> None:
            """The request leaves the in-progress count once, when its answer starts going out:
            a client that read the whole answer may send its next request before this thread
            runs again (on a busy machine it did: two "in progress" for one at a time)."""
            with server.lock:
                if not answered.is_set():
                    answered.set()
                    server.active -= 1

        def _answer(self, route: Route, active: int, answered: threading.Event) -> None:
            status = route.status
            headers = dict(route.headers)
            if (
                status == 200
                and headers.get("ETag")
                and self.headers.get("If-None-Match") == headers["ETag"]
            ):
                status = 304
            with server.lock:
                entry = Logged(self.path, dict(self.headers), status, time.monotonic(), active)
                server.log.append(entry)
            if route.raw is not None:
                self._send_raw(route.raw)
                return
            time.sleep(route.delay)
            if route.hold is not None:
                route.hold.wait(60)  # bounds a failing test only
            self._done(answered)
            body = b"" if status == 304 else route.body
            encodings = [e.strip() for e in route.encoding.split(",") if e.strip()]
            encodings += ["gzip"] if route.gzip else []
            body = _encoded(body, tuple(encodings))
            if encodings:
                headers["Content-Encoding"] = ", ".join(encodings)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if route.endless:
                self._send_endless(body)
                return
            self.send_header("Content-Length", str(len(body) + route.short))
            self.end_headers()
            self._write(body, route.drip)
            if route.short:
                self.close_connection = True

        def _send_raw(self, raw: bytes) -> None:
            try:
                self.wfile.write(raw)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True

        def _send_endless(self, chunk: bytes) -> None:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
            try:
                while True:
                    self.wfile.write(frame)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading, as it should
            self.close_connection = True

        def _write(self, body: bytes, drip: float) -> None:
            try:
                if not drip:
                    self.wfile.write(body)
                    return
                for i in range(len(body)):
                    self.wfile.write(body[i : i + 1])
                    self.wfile.flush()
                    time.sleep(drip)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up, as it should on a slow drip

        def log_message(self, format: str, *args: object) -> None:
            pass  # the structured log above is what tests read

    return Handler


def _brotli(body: bytes) -> bytes:
    import brotli

    return bytes(brotli.compress(body, quality=4))  # fast enough for 64 MB bombs


_ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": _brotli,
}


@functools.lru_cache(maxsize=16)
def _encoded(body: bytes, encodings: tuple[str, ...]) -> bytes:
    """``body`` with each Content-Encoding applied, once per body: compressing a 64 MB bomb
    again on every request would only make the server slow, not the test sharper."""
    for encoding in encodings:
        body = _ENCODERS[encoding](body)
    return body


class _Server6(ThreadingHTTPServer):
    address_family = socket.AF_INET6


@contextmanager
def running_feed_server(
    host: str = "127.0.0.1", sock: socket.socket | None = None
) -> Iterator[FeedServer]:
    """Serve on ``host`` (a free port), or on ``sock`` if given: an already bound socket, for
    tests that need two servers on one port number at different addresses."""
    if sock is not None:
        host = sock.getsockname()[0]
    server = FeedServer(host=host)
    kind = _Server6 if ":" in host else ThreadingHTTPServer
    httpd = kind((server.host, 0), _handler(server), bind_and_activate=sock is None)
    if sock is not None:
        httpd.socket.close()
        httpd.socket = sock
    httpd.daemon_threads = True
    server.port = httpd.socket.getsockname()[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
