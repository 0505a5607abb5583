"""The settings: frozen values that ``load_settings`` builds, and the constants behind them.

Owns: the shape of the settings (one dataclass per section, a ``#:`` comment on each field), their
defaults, the constants the schema shares (source kinds, message formats, default paths),
which sections a running daemon reads only at start (``start_only_changes``), and which reload it
refuses (``refused_reload``).
Does not own: reading or checking YAML (the other modules of ``monitor.config``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network
from typing import TYPE_CHECKING, Literal

from monitor.types import Topic
from monitor.vocab import MessageFormat, Quiet, check_cron_fields

if TYPE_CHECKING:
    from monitor.match.lexicon import LexiconData


SourceKind = Literal["feed", "listing", "sitemap"]


def _any_url(url: str) -> str | None:
    return None


@dataclass(frozen=True, slots=True)
class Checks:
    """What the settings cannot check alone, passed in by the composition root (``monitor.cli``).

    They need APScheduler and apprise, which sit above the config; the defaults check the shape
    only (a cron line's 5 fields, a URL's ``scheme://``), for library callers and tests.
    """

    #: a cron line -> itself, or ``ValueError`` saying why it is not a usable one
    cron: Callable[[str], str] = check_cron_fields
    #: why a notification URL is not one a channel can send to, or None (the reason never
    #: shows the URL: it holds secrets)
    url: Callable[[str], str | None] = _any_url


#: the shape-only checks (``Checks()``)
SHAPE_CHECKS = Checks()


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
    #: seconds between the starts of two requests to one host
    per_host_interval: float = 1.0
    #: True lets fetches reach loopback, private and other non-public addresses (intranets)
    allow_private_networks: bool = False


@dataclass(frozen=True, slots=True)
class ListingSelectors:
    """CSS selectors of a listing source (checked with selectolax when the config is loaded)."""

    #: elements that are the items: a link, or an element holding the item's first link
    links: str
    #: within an item: the element holding the title (default: the link's text)
    title: str | None = None
    #: within an item: the element holding the date (its ``datetime`` attribute, else its text)
    date: str | None = None


@dataclass(frozen=True, slots=True)
class SourceSettings:
    #: unique id, used in the database and on the command line
    id: str
    #: display name (defaults to the id)
    name: str
    #: what ``url`` points at: a feed, a listing page (HTML) or an XML sitemap
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
    #: fetch each new item's article page and match its full text
    follow: bool = True
    #: article pages fetched per poll at most; new items beyond wait for the next poll
    max_follow: int = 20
    #: CSS selectors of a listing page (None: the link heuristic)
    selectors: ListingSelectors | None = None
    #: ask robots.txt before fetching listing pages and articles (feeds are exempt)
    respect_robots: bool = True
    #: private networks this source may reach although ``http.allow_private_networks`` is off
    allow_networks: tuple[IPv4Network | IPv6Network, ...] = ()


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    name: str
    #: apprise URLs, ``${ENV}`` already interpolated: secrets, never log them
    urls: tuple[str, ...]
    format: MessageFormat = "text"
    #: cron expression (configured time zone): send everything as one digest on this schedule
    digest: str | None = None
    #: most messages per hour; the excess rolls into the next digest message
    max_per_hour: int | None = None
    #: daily quiet window in the configured time zone (only urgent matches are sent inside)
    quiet: Quiet | None = None
    #: matches scoring at least this are sent even in quiet hours
    urgent_score: float | None = None
    #: longest message body / title in characters; None: inferred from the URLs' services
    max_length: int | None = None
    max_title: int | None = None


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    #: seconds between runs of the delivery job
    every: float = 30.0
    #: first retry delay after a failed send; doubles each attempt up to ``retry_max``
    retry_base: float = 60.0
    retry_max: float = 900.0
    #: a delivery that failed this many times, or failed and is older than ``max_age``, is dead
    max_attempts: int = 50
    max_age: float = 86400.0
    #: channel told about dead deliveries, or None (they are logged and listed only)
    dead_letter: str | None = None
    #: more than this many alerts waiting for a channel at once are sent as one digest
    burst: int = 5


@dataclass(frozen=True, slots=True)
class LimitSettings:
    """Bounds on the work one poll may cause (hostile or just huge sources)."""

    #: items of one listing looked at per poll (the first ones in document order)
    items_per_poll: int = 200
    #: article pages fetched per poll of one source
    article_fetches_per_poll: int = 20
    #: address space of a parser/extractor worker process, in bytes
    worker_memory: int = 1024**3
    #: wall-clock (and CPU) seconds for one parse or extraction job
    worker_timeout: float = 60.0


@dataclass(frozen=True, slots=True)
class WebSettings:
    """The daemon's web side (``monitor.web``): dashboard, Atom feeds, metrics, health check."""

    #: (host, port) to listen on, or None (``listen: off``): no web side
    listen: tuple[str, int] | None = ("127.0.0.1", 8080)
    #: True when ``listen`` was written in the config: failing to bind it is a start-up error
    #: (the default port being taken only warns: several daemons may share a machine)
    explicit: bool = False
    #: required for every page when set (a secret: from the environment, never shown or logged)
    token: str | None = None
    #: the public URL behind a reverse proxy (``https://example.org/monitor``), no trailing slash
    base_url: str | None = None
    #: a read-only token for the Atom feeds only (``?token=``), put in the feed links of the
    #: pages a signed-in user sees; never accepted for pages or POSTs (only beside ``token``)
    feed_token: str | None = None


@dataclass(frozen=True, slots=True)
class ClusterSettings:
    """Several ``monitor run`` nodes on one PostgreSQL database (unused on SQLite)."""

    #: seconds a node's leases last without a heartbeat: a silent node loses its work after this
    lease: float = 15.0
    #: the longest the claim loop sleeps (it also wakes when the next source falls due)
    claim_every: float = 2.0
    #: polls one node runs at once; more due sources wait for it or go to another node
    polls: int = 10


@dataclass(frozen=True, slots=True)
class RetentionSettings:
    """How long stored articles are kept (``monitor.retention``)."""

    #: the daemon prunes articles first seen more than this many days ago, once a day; None
    #: (the default, or ``days: off``): it keeps everything, and only ``monitor prune`` deletes
    days: int | None = None


#: the fewest days ``retention.days`` and ``monitor prune --older-than`` take, and the most
MIN_RETENTION_DAYS, MAX_RETENTION_DAYS = 1, 3660


@dataclass(frozen=True, slots=True)
class WatchlistPattern:
    """A ``watchlists`` pattern and the files it matched: a reload may not lose the topics a
    pattern read to a rename (``refused_reload``)."""

    #: the pattern as written (``watchlists/*.yaml``)
    pattern: str
    #: the files it matched, as ``Settings.watchlist_files`` and ``Topic.file`` write them (a
    #: file two patterns match is in both)
    files: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WatchlistWarning:
    """A ``watchlists`` pattern that matches no file, or leaves out a watchlist beside the ones
    it matches (``nickel.yml`` beside a ``*.yaml`` pattern): a file renamed by mistake drops its
    topics, which is no error, so ``monitor check`` and the daemon say so."""

    #: the pattern as written (``watchlists/*.yaml``)
    pattern: str
    #: whether the pattern matches no file at all
    unmatched: bool
    #: the files with the other YAML extension where the pattern looks (``watchlists/nickel.yml``),
    #: relative to monitor.yaml's folder
    others: tuple[str, ...]
    #: the folder the pattern looks in (its part before the first wildcard): the daemon watches
    #: it, so that a watchlist made there is read
    folder: str
    #: where the pattern is written (the default has no line; its key is ``watchlists``)
    file: str = ""
    line: int = 0
    key: str = "watchlists"

    @property
    def message(self) -> str:
        missed = "; ".join(f"{other} is not matched by {self.pattern}" for other in self.others)
        if not self.unmatched:
            return f"{missed}: its topics are not read (rename it, or add a pattern for it)"
        what = f"{self.pattern} matches no watchlist file"
        return f"{what}: {missed}" if missed else what

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "") + ": " if self.file else ""
        return f"{where}{self.key}: {self.message}"


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
    #: each ``watchlists`` pattern and the files it matched (``refused_reload`` reads them)
    watchlist_patterns: tuple[WatchlistPattern, ...] = ()
    #: the ``watchlists`` patterns that match no file or leave a watchlist out (warnings)
    watchlist_warnings: tuple[WatchlistWarning, ...] = ()
    limits: LimitSettings = LimitSettings()
    #: concepts and guards from the ``lexicon:`` files, added to the shipped lexicon; None: none
    lexicon: LexiconData | None = None
    #: channels configured but disabled because no URL is left (an unset ``${VAR:-}``)
    disabled_channels: frozenset[str] = frozenset()
    #: the web side (issue 16)
    web: WebSettings = WebSettings()
    cluster: ClusterSettings = ClusterSettings()
    retention: RetentionSettings = RetentionSettings()


DEFAULT_DATABASE_URL = "sqlite:///data/monitor.db"


def start_only_changes(running: Settings, loaded: Settings) -> tuple[str, ...]:
    """The config keys read once, at start, whose value ``loaded`` changes: a hot reload cannot
    apply them (the store, the fetcher, worker limits, the web side and the node are made at
    start), so the daemon says so rather than seem to take them."""
    pairs = {
        "database": (running.database_url, loaded.database_url),
        "http": (running.http, loaded.http),
        "limits.worker_memory": (running.limits.worker_memory, loaded.limits.worker_memory),
        "limits.worker_timeout": (running.limits.worker_timeout, loaded.limits.worker_timeout),
        "web": (running.web, loaded.web),
        "cluster": (running.cluster, loaded.cluster),
    }
    return tuple(key for key, (old, new) in pairs.items() if old != new)


def refused_reload(running: Settings, loaded: Settings) -> str | None:
    """Why a reload to ``loaded`` is refused (the daemon keeps ``running``), or None.

    A reload is refused, as a broken edit is, when a ``watchlists`` pattern now matches no file
    and either ``running`` read topics through it that ``loaded`` lacks, or no topic is left
    where some were running: the likelier cause is a watchlist renamed or moved by mistake
    (``nickel.yaml`` to ``nickel.yml``), and applied it would make those topics silent, which
    reads as "no news". Stopping topics on purpose stays possible and is applied: comment them
    out, take the pattern out of ``watchlists``, or write ``watchlists: []``.
    """
    unmatched = [w for w in loaded.watchlist_warnings if w.unmatched]
    kept = {topic.id for topic in loaded.topics}
    blamed = [w for w in unmatched if _read_through(running, w.pattern) - kept]
    if not blamed and running.topics and not loaded.topics:
        blamed = unmatched  # every topic gone and a pattern found nothing: a rename, likeliest
    if not blamed:
        return None
    stopped = sum(topic.id not in kept for topic in running.topics)
    return (
        f"the reload would stop {stopped} of {len(running.topics)} topics: "
        + "; ".join(w.message for w in blamed)
        + " (to stop topics on purpose, comment them out or take the pattern out of"
        " `watchlists`)"
    )


def _read_through(settings: Settings, pattern: str) -> set[str]:
    """The ids of the topics ``settings`` read from the files ``pattern`` matched."""
    files = {f for p in settings.watchlist_patterns if p.pattern == pattern for f in p.files}
    return {topic.id for topic in settings.topics if topic.file in files}


DEFAULT_WATCHLISTS = ("watchlists/*.yaml",)
DEFAULT_USER_AGENT = "news-monitor/0.1"
#: the shortest poll interval we allow a source: anything faster is impolite to the publisher
MIN_EVERY = 60.0
#: lowers ``MIN_EVERY`` (seconds) for tests and labs polling their own loopback servers
MIN_EVERY_ENV = "MONITOR_MIN_EVERY"

SOURCE_KINDS: tuple[SourceKind, ...] = ("feed", "listing", "sitemap")
