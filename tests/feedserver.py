"""A real HTTP server on loopback that serves recorded feeds and pages to the tests.

Routes are set (and changed while it runs) with ``serve``; every request is logged with its
headers so tests can assert conditional GET. Hostile behaviours are routes too: ``redirect``,
``slow`` (drips bytes), ``status`` (any code, optional headers).
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections.abc import Iterator
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


@dataclass(frozen=True)
class Logged:
    path: str
    headers: dict[str, str]
    status: int
    at: float


@dataclass
class FeedServer:
    host: str = "127.0.0.1"
    port: int = 0
    routes: dict[str, Route] = field(default_factory=dict)
    log: list[Logged] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

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
            status = route.status
            headers = dict(route.headers)
            if (
                status == 200
                and headers.get("ETag")
                and self.headers.get("If-None-Match") == headers["ETag"]
            ):
                status = 304
            with server.lock:
                server.log.append(Logged(self.path, dict(self.headers), status, time.monotonic()))
            body = b"" if status == 304 else route.body
            if route.gzip:
                body = gzip.compress(body)
                headers["Content-Encoding"] = "gzip"
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self._write(body, route.drip)

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


@contextmanager
def running_feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    httpd = ThreadingHTTPServer((server.host, 0), _handler(server))
    httpd.daemon_threads = True
    server.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
