"""The one exception tree of the monitor.

Owns: every exception the monitor raises on purpose. Foreign errors (httpx, SQLAlchemy, YAML,
apprise) are wrapped once, at the module that talks to them, with ``raise ... from e``.
Does not own: outcomes that are not failures ("not modified", "nothing new"): those are values.

    MonitorError
     ├── ConfigError        a config file or watchlist is invalid (file, line, key)
     │    └── QueryError    a watch-topic query does not parse (position in the query)
     ├── FetchError         an HTTP fetch failed; ``kind`` classifies it
     ├── ParseError         a fetched body is not a feed (or not what the source said)
     │    └── WorkerError   the worker process running the parse timed out, ran out of
     │                      memory or crashed; ``kind`` says which
     ├── StoreError         the database is unreachable or refused a write
     │    └── LeaseLost     this node no longer holds the lease a write or send needs
     ├── DeliveryError      a channel did not accept a message
     └── InputError         a file named on the command line cannot be read or written
"""

from __future__ import annotations

from typing import Literal

FetchErrorKind = Literal[
    "timeout",  # connect/read/total deadline passed
    "dns",  # the host name did not resolve
    "tls",  # certificate or handshake failure
    "connect",  # refused, reset, unreachable
    "http",  # a non-success status (see ``status``)
    "too_large",  # body over the configured cap
    "redirects",  # too many redirects, or a redirect to a scheme we do not fetch
    "blocked",  # the address or scheme is not allowed, or the URL does not parse
    "protocol",  # the server broke HTTP (malformed response, undecodable body)
    "robots",  # robots.txt does not allow the path, or cannot be read for now (listing
    # pages and articles only)
]


class MonitorError(Exception):
    """Root of every error the monitor raises on purpose."""


class ConfigError(MonitorError):
    """A configuration file or watchlist is invalid.

    The message names the file, the line (1-based) and the dotted key, e.g.
    ``config/monitor.yaml:12: sources[2].every: not a duration: '10 minutes'``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.key = key
        self.reason = message
        super().__init__(self._render())

    def _render(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        key = f"{self.key}: " if self.key else ""
        return f"{where}{key}{self.reason}"


class QueryError(ConfigError):
    """A watch-topic query does not parse; ``position`` is the 0-based offset in the query."""

    def __init__(self, message: str, *, position: int, query: str = "") -> None:
        self.position = position
        self.query = query
        super().__init__(f"{message} (at position {position})")


class FetchError(MonitorError):
    """An HTTP fetch failed; ``kind`` says how, ``status`` carries the HTTP status if any."""

    def __init__(
        self,
        kind: FetchErrorKind,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.kind: FetchErrorKind = kind
        self.status = status
        #: seconds the server asked us to wait (429/503 ``Retry-After``), if it said
        self.retry_after = retry_after
        super().__init__(f"{kind}: {message}")


class ParseError(MonitorError):
    """A fetched body could not be read as a feed (or listing, or sitemap)."""


WorkerErrorKind = Literal[
    "timeout",  # the job ran past its wall-clock limit: its worker was killed
    "memory",  # the job ran out of its memory limit
    "crashed",  # the worker process died (a crash, or the CPU limit's SIGXCPU)
    "failed",  # the job raised an unexpected exception
]


class WorkerError(ParseError):
    """A job in a worker process (parsing, extraction) did not finish; ``kind`` says how."""

    def __init__(self, kind: WorkerErrorKind, message: str) -> None:
        self.kind: WorkerErrorKind = kind
        super().__init__(f"{kind}: {message}")


class StoreError(MonitorError):
    """The database is unreachable, or refused a write."""


class LeaseLost(StoreError):
    """This node no longer holds the lease (source or channel) that a write or a send needs:
    it expired (the node was paused or cut off) or another node took it. Nothing was written."""


class DeliveryError(MonitorError):
    """A channel did not accept a message."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        #: seconds the channel asked us to wait before the next try, if it said
        self.retry_after = retry_after
        super().__init__(message)


class InputError(MonitorError):
    """A file named on the command line (``--labels``, ``--input``, ``--output``, a
    ``--watchlist``...) cannot be opened, or is not UTF-8 text; the message names the path and
    the reason (``cannot read labels.jsonl: No such file or directory``). The command line makes
    it one line on stderr and exit 2."""
