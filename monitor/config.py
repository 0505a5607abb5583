"""Configuration: ``monitor.yaml`` and watchlists -> validated, frozen settings.

Owns: reading YAML safely, the schema (unknown keys are errors), ``${ENV}`` interpolation,
durations and sizes, and error messages that name file, line and key.
Does not own: what the settings mean at run time (the pipeline, fetcher and notifier read them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from monitor.types import Topic

SourceKind = Literal["feed"]
MessageFormat = Literal["text", "markdown", "html"]


@dataclass(frozen=True, slots=True)
class HttpSettings:
    #: sent with every request; should name the deployment and a contact URL
    user_agent: str
    #: total seconds for one request (connect + read)
    timeout: float = 20.0
    #: seconds to establish a connection
    connect_timeout: float = 10.0
    #: cap on a decoded response body in bytes
    max_bytes: int = 10 * 1024 * 1024
    #: redirects followed before giving up
    max_redirects: int = 5
    #: requests in flight at once, overall and per host
    concurrency: int = 10
    per_host: int = 2


@dataclass(frozen=True, slots=True)
class SourceSettings:
    #: unique id, used in the database and on the command line
    id: str
    #: display name (defaults to the id)
    name: str
    #: what ``url`` points at; listing pages and sitemaps come later
    kind: SourceKind
    url: str
    #: seconds between polls, and the random extra delay added to each
    every: float
    jitter: float
    #: language hint (ISO 639-1), if given
    language: str | None = None
    #: topic ids to match; None means all topics
    topics: tuple[str, ...] | None = None
    enabled: bool = True
    #: on the first poll, notify items published within this many seconds (None: notify none)
    backfill: float | None = None


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    name: str
    #: apprise URLs, ``${ENV}`` already interpolated: secrets, never log them
    urls: tuple[str, ...]
    format: MessageFormat = "text"


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    #: seconds between runs of the delivery job
    every: float = 30.0
    #: first retry delay after a failed send; doubles each attempt up to ``retry_max``
    retry_base: float = 60.0
    retry_max: float = 3600.0


@dataclass(frozen=True, slots=True)
class Settings:
    #: the monitor.yaml this was read from
    path: str
    #: SQLAlchemy URL; ``MONITOR_DATABASE_URL`` overrides the file
    database_url: str
    #: IANA zone for showing times to people (storage is UTC)
    timezone: str
    http: HttpSettings
    sources: tuple[SourceSettings, ...]
    channels: tuple[ChannelSettings, ...]
    topics: tuple[Topic, ...]
    delivery: DeliverySettings
    #: the watchlist files that were read (watched for changes by the daemon)
    watchlist_files: tuple[str, ...] = ()
