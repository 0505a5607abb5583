"""A lean loopback HTTP server in a process of its own, for benchmarks that measure the nodes.

Owns: answering GETs with answers rendered once, when a path is served (status line, headers
and body as one ``bytes`` each: a 200, and a 304 for a request that sends the path's ETag in
``If-None-Match``), on keep-alive HTTP/1.1 connections, from an asyncio protocol in a process
of its own: whatever CPU it takes is its own in ``/proc``, apart from the benchmark waiting
for its figures and from the nodes it serves. And the two figures a benchmark reads: requests
to the paths under a prefix, and the time of the first request since a given time.
Does not own: what is served (the caller's ``serve``, as ``tests.feedserver``'s), anything
hostile or slow (``tests.feedserver`` serves that to the tests).

    with running_feed_process() as feeds:
        url = feeds.serve("/s0.xml", body)
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection

_LAST_MODIFIED = "Tue, 07 Dec 2021 13:33:00 GMT"
_NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found"


@dataclass(frozen=True, slots=True)
class _Answer:
    """What one path answers, rendered once."""

    #: the ETag as the client sends it back (``If-None-Match``), lower case
    etag: bytes
    #: the whole 200 response and the whole 304 response
    full: bytes
    not_modified: bytes


def _answer(body: bytes, content_type: str) -> _Answer:
    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
    headers = f"Content-Type: {content_type}\r\nETag: {etag}\r\nLast-Modified: {_LAST_MODIFIED}\r\n"
    full = f"HTTP/1.1 200 OK\r\n{headers}Content-Length: {len(body)}\r\n\r\n".encode() + body
    not_modified = f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\n\r\n".encode()
    return _Answer(etag.encode(), full, not_modified)


class _State:
    """The child's routes and figures (mutable: it is the server)."""

    def __init__(self) -> None:
        self.routes: dict[bytes, _Answer] = {}
        #: monotonic time of every request, in arrival order; and their paths' first bytes
        self.times: list[float] = []
        self.paths: list[bytes] = []


class _Http(asyncio.Protocol):
    """One connection: requests (GET, no body) answered in order, the connection kept."""

    def __init__(self, state: _State) -> None:
        self._state = state
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while (end := self._buffer.find(b"\r\n\r\n")) >= 0:
            head, self._buffer = self._buffer[:end], self._buffer[end + 4 :]
            self._respond(head)

    def _respond(self, head: bytes) -> None:
        assert self._transport is not None
        path = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b""
        self._state.times.append(time.monotonic())
        self._state.paths.append(path[:8])
        answer = self._state.routes.get(path)
        if answer is None:
            self._transport.write(_NOT_FOUND)
        elif b"if-none-match: " + answer.etag in head.lower():
            self._transport.write(answer.not_modified)
        else:
            self._transport.write(answer.full)


async def _main(control: Connection, host: str) -> None:
    loop = asyncio.get_running_loop()
    state = _State()
    server = await loop.create_server(lambda: _Http(state), host, 0, backlog=1024)
    control.send(server.sockets[0].getsockname()[1])
    closed = loop.create_future()
    loop.add_reader(control.fileno(), _command, control, state, closed)
    await closed
    server.close()


def _command(control: Connection, state: _State, closed: asyncio.Future[None]) -> None:
    try:
        message = control.recv()
    except EOFError:
        if not closed.done():
            closed.set_result(None)
        return
    match message:
        case ("serve", path, body, content_type):
            state.routes[path.encode()] = _answer(body, content_type)
        case ("count", prefix):
            control.send(sum(p.startswith(prefix.encode()) for p in state.paths))
        case ("first", since):
            control.send(next((t for t in state.times if t >= since), None))


class FeedProcess:
    """The parent's handle on the server process (its pid, its URL, its figures)."""

    def __init__(self, process: subprocess.Popen[bytes], control: Connection, host: str,
                 port: int) -> None:  # fmt: skip
        self.process = process
        self.host = host
        self.port = port
        self._control = control

    @property
    def pid(self) -> int:
        return self.process.pid

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def serve(self, path: str, body: bytes, content_type: str = "application/rss+xml") -> str:
        """Serve ``body`` at ``path`` with an ETag and Last-Modified; returns the URL."""
        self._control.send(("serve", path, body, content_type))
        return self.url(path)

    def requests_under(self, prefix: str) -> int:
        """Requests so far to the paths that start with ``prefix`` (its first 8 bytes)."""
        self._control.send(("count", prefix))
        return int(self._control.recv())

    def first_request(self, since: float) -> float | None:
        """The monotonic time of the first request at or after ``since`` (None: none yet)."""
        self._control.send(("first", since))
        found: float | None = self._control.recv()
        return found


@contextmanager
def running_feed_process(host: str = "127.0.0.1") -> Iterator[FeedProcess]:
    """Serve on ``host`` (a free port) from a process of its own (this file run as a script,
    its control pipe passed down), ended on the way out."""
    control, child = multiprocessing.Pipe()
    process = subprocess.Popen(
        [sys.executable, __file__, str(child.fileno()), host], pass_fds=[child.fileno()]
    )
    child.close()
    try:
        port = control.recv()
        yield FeedProcess(process, control, host, int(port))
    finally:
        control.close()  # the child sees the end of its pipe and stops
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


if __name__ == "__main__":
    asyncio.run(_main(Connection(int(sys.argv[1])), sys.argv[2]))
