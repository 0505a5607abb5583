"""Configuration: ``monitor.yaml`` and watchlists -> validated, frozen settings.

Owns: reading YAML safely, the schema (unknown keys are errors), ``${ENV}`` interpolation,
durations and sizes, and error messages that name file, line and key.
Does not own: what the settings mean at run time (the pipeline, fetcher and notifier read them).
The YAML reader itself (tags, duplicate keys, aliases, lines) is ``monitor.yamlsafe``.

Rules a reader of ``monitor.yaml`` may not guess:

- Paths: watchlist globs are relative to the directory of ``monitor.yaml``; a relative SQLite
  path in ``database`` (``sqlite:///data/monitor.db``) is relative to the *current working
  directory* of the process, as SQLAlchemy reads it. ``postgresql://`` becomes
  ``postgresql+psycopg://`` (psycopg 3 is the driver we ship).
- ``${NAME}`` in ``database`` and channel URLs is read from the environment; unset or empty is
  an error naming the variable. ``${NAME:-fallback}`` uses the fallback when NAME is unset or
  empty. A channel whose URLs are all empty after that is *disabled*: it is left out of
  ``Settings.channels`` and dropped from topics' channel lists, but topics may still name it.
  That is how the shipped config runs on a machine with no environment set.
- Error messages never show a channel or database URL: they hold secrets.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.deliver.schedule import Quiet, check_cron, parse_quiet
from monitor.errors import ConfigError, QueryError
from monitor.types import Topic

if TYPE_CHECKING:
    from monitor.match.guard import Guard
    from monitor.match.lexicon import Concept, LexiconData
from monitor.yamlsafe import (
    At,
    YamlDoc,
    interpolate,
    parse_duration,
    parse_size,
    read_yaml,
    show_duration,
)

_T = TypeVar("_T")
_D = TypeVar("_D")

SourceKind = Literal["feed", "listing", "sitemap"]
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
    limits: LimitSettings = LimitSettings()
    #: concepts and guards from the ``lexicon:`` files, added to the shipped lexicon; None: none
    lexicon: LexiconData | None = None


# --- loading -----------------------------------------------------------------------------------

DEFAULT_DATABASE_URL = "sqlite:///data/monitor.db"
DEFAULT_WATCHLISTS = ("watchlists/*.yaml",)
DEFAULT_USER_AGENT = "news-monitor/0.1"
#: the shortest poll interval we allow a source: anything faster is impolite to the publisher
MIN_EVERY = 60.0

SOURCE_KINDS: tuple[SourceKind, ...] = ("feed", "listing", "sitemap")
MESSAGE_FORMATS: tuple[MessageFormat, ...] = ("text", "markdown", "html")

_TOP_KEYS = ["database", "timezone", "watchlists", "http", "defaults", "delivery", "sources",
             "channels", "limits", "lexicon"]  # fmt: skip
_SOURCE_KEYS = ["id", "name", *SOURCE_KINDS, "every", "jitter", "language", "topics", "enabled",
                "backfill", "follow", "max_follow", "selectors", "respect_robots",
                "allow_networks"]  # fmt: skip
_SELECTOR_KEYS = ["links", "title", "date"]
_TOPIC_KEYS = ["id", "name", "query", "threshold", "channels", "examples", "expand", "digest",
               "max_per_hour"]  # fmt: skip
_CHANNEL_KEYS = ("urls", "format", "digest", "max_per_hour", "quiet", "urgent_score",
                 "max_length", "max_title")  # fmt: skip
_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_DATABASE_SCHEMES = {
    "sqlite": "sqlite",
    "sqlite+pysqlite": "sqlite+pysqlite",
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
}


def default_config_path(env: Mapping[str, str]) -> Path:
    """``MONITOR_CONFIG`` if set, else ``config/monitor.yaml`` under the working directory."""
    return Path(env.get("MONITOR_CONFIG") or "config/monitor.yaml")


def load_settings(path: str | Path, env: Mapping[str, str]) -> Settings:
    """Read ``monitor.yaml`` and the watchlists it names; raise ``ConfigError`` on any problem."""
    doc = read_yaml(path)
    top = _top_mapping(doc, _TOP_KEYS)

    def get(key: str) -> At | None:
        """A section, or None when absent or left empty (``channels:`` with all commented out)."""
        section = top.get(key)
        return None if section is None or section.value is None else section

    channels, disabled = _channels(get("channels"), env)
    defined, files = _watchlists(Path(path).parent, get("watchlists"))
    _check_channel_names(defined, {c.name for c in channels} | disabled)
    topics = tuple(_without(t.topic, disabled) for t in defined)
    delivery = _delivery(get("delivery"))
    _check_dead_letter(get("delivery"), delivery, {c.name for c in channels} | disabled)
    return Settings(
        path=str(path),
        database_url=_database(get("database"), env),
        timezone=_timezone(get("timezone")),
        http=_http(get("http")),
        sources=_sources(get("sources"), _defaults(get("defaults")), {t.id for t in topics}),
        channels=channels,
        topics=topics,
        delivery=delivery,
        watchlist_files=files,
        limits=_limits(get("limits")),
        lexicon=_lexicon(Path(path).parent, get("lexicon")),
    )


def load_watchlist(path: str | Path) -> tuple[Topic, ...]:
    """Read one watchlist file (channel names are not checked: that needs ``monitor.yaml``)."""
    return tuple(defined.topic for defined in _read_watchlist(Path(path)))


def _top_mapping(doc: YamlDoc, keys: list[str]) -> dict[str, At]:
    if doc.data is None:
        raise ConfigError("the file is empty", file=doc.file)
    return doc.root().mapping(keys)


def _or(at: At | None, read: Callable[[At], _T], default: _D) -> _T | _D:
    """An optional key: ``read`` it if given, else ``default``."""
    return default if at is None else read(at)


def _required(at: At, fields: dict[str, At], key: str) -> At:
    if key not in fields:
        at.fail(f"missing required key {key!r}")
    return fields[key]


# --- scalars -----------------------------------------------------------------------------------


def _duration(at: At, *, minimum: float = 0.0) -> float:
    seconds = at.parsed(parse_duration)
    if seconds < minimum:
        at.fail(f"too short: {show_duration(seconds)} (minimum {show_duration(minimum)})")
    return seconds


def _positive_duration(at: At) -> float:
    seconds = at.parsed(parse_duration)
    if seconds <= 0:
        at.fail("must be more than 0s")
    return seconds


def _identifier(at: At) -> str:
    value = at.string()
    if not _ID.fullmatch(value):
        at.fail(f"not a valid id: {value!r} (use a-z, 0-9, - and _; start with a letter or digit)")
    return value


def _text(at: At) -> str:
    value = at.string().strip()
    if not value:
        at.fail("must not be empty")
    return value


def _one_line(at: At) -> str:
    value = _text(at)
    if "\n" in value or "\r" in value:
        at.fail("must be a single line")
    return value


def _string_or_list(at: At) -> tuple[At, ...]:
    if isinstance(at.value, str):
        return (at,)
    return tuple(at.items())


def _expand(at: At, env: Mapping[str, str]) -> str:
    try:
        return interpolate(at.string(), env)
    except ValueError as e:
        at.fail(str(e))


# --- top-level sections ------------------------------------------------------------------------


def _database(at: At | None, env: Mapping[str, str]) -> str:
    if env.get("MONITOR_DATABASE_URL"):
        try:
            return _database_url(env["MONITOR_DATABASE_URL"])
        except ValueError as e:
            raise ConfigError(str(e), key="MONITOR_DATABASE_URL") from e
    if at is None:
        return DEFAULT_DATABASE_URL
    try:
        return _database_url(_expand(at, env))
    except ValueError as e:
        at.fail(str(e))


def _database_url(url: str) -> str:
    scheme, sep, rest = url.strip().partition("://")
    if not sep or scheme.lower() not in _DATABASE_SCHEMES:
        shown = repr(scheme) if sep else "no scheme"  # the rest may hold a password
        raise ValueError(f"unsupported database URL ({shown}): use sqlite:///path or postgresql://")
    return f"{_DATABASE_SCHEMES[scheme.lower()]}://{rest}"


def _timezone(at: At | None) -> str:
    if at is None:
        return "UTC"
    name = at.string()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        at.fail(f"unknown time zone {name!r} (use an IANA name such as Asia/Jakarta or UTC)")
    return name


def _http(at: At | None) -> HttpSettings:
    readers: dict[str, Callable[[At], Any]] = {
        "user_agent": _one_line,
        "timeout": _positive_duration,
        "connect_timeout": _positive_duration,
        "max_bytes": _max_bytes,
        "max_redirects": lambda a: a.integer(0, 20),
        "concurrency": lambda a: a.integer(1, 1000),
        "per_host": lambda a: a.integer(1, 100),
        "per_host_interval": _duration,
        "allow_private_networks": At.boolean,
    }
    return replace(HttpSettings(DEFAULT_USER_AGENT), **_section(at, readers))


def _max_bytes(at: At) -> int:
    size = at.parsed(parse_size)
    if size < 1024:
        at.fail(f"too small: {size} bytes (minimum 1KB)")
    return size


def _delivery(at: At | None) -> DeliverySettings:
    readers: dict[str, Callable[[At], Any]] = dict.fromkeys(
        ("every", "retry_base", "retry_max", "max_age"), _positive_duration
    )
    readers |= {
        "max_attempts": lambda a: a.integer(1, 10_000),
        "dead_letter": _channel_ref,
        "burst": lambda a: a.integer(0, 1000),
    }
    given = _section(at, readers)
    settings = replace(DeliverySettings(), **given)
    if "retry_max" not in given and settings.retry_max < settings.retry_base:
        settings = replace(settings, retry_max=settings.retry_base)  # the default gives way
    if settings.retry_max < settings.retry_base and at is not None:
        at.child("retry_max" if "retry_max" in at.mapping() else "retry_base").fail(
            "retry_max must not be shorter than retry_base"
        )
    return settings


@dataclass(frozen=True, slots=True)
class _Defaults:
    """What a source that does not say gets."""

    every: float = 900.0
    jitter: float = 60.0
    follow: bool = True
    max_follow: int = 20


def _defaults(at: At | None) -> _Defaults:
    readers: dict[str, Callable[[At], Any]] = {
        "every": _every,
        "jitter": _duration,
        "follow": At.boolean,
        "max_follow": _max_follow,
    }
    return replace(_Defaults(), **_section(at, readers))


def _section(at: At | None, readers: dict[str, Callable[[At], Any]]) -> dict[str, Any]:
    """A mapping of optional keys, each read by its reader; unknown keys are errors."""
    if at is None:
        return {}
    return {key: readers[key](value) for key, value in at.mapping(readers).items()}


# --- sources -----------------------------------------------------------------------------------


def _sources(at: At | None, defaults: _Defaults, topics: set[str]) -> tuple[SourceSettings, ...]:
    if at is None:
        return ()
    sources: list[SourceSettings] = []
    first_line: dict[str, int | None] = {}
    for item in at.items():
        source = _source(item, defaults, topics)
        if source.id in first_line:
            item.child("id").fail(
                f"duplicate source id {source.id!r} (first at line {first_line[source.id]})"
            )
        first_line[source.id] = item.doc.line(item.path)
        sources.append(source)
    return tuple(sources)


def _source(at: At, defaults: _Defaults, topics: set[str]) -> SourceSettings:
    fields = at.mapping(_SOURCE_KEYS)
    source_id = _identifier(_required(at, fields, "id"))
    kind = _source_kind(at, fields)
    get = fields.get
    return SourceSettings(
        id=source_id,
        name=_or(get("name"), _text, source_id),
        kind=kind,
        url=_http_url(fields[kind]),
        every=_or(get("every"), _every, defaults.every),
        jitter=_or(get("jitter"), _duration, defaults.jitter),
        language=_or(get("language"), _language, None),
        topics=_or(get("topics"), lambda a: _topic_refs(a, topics), None),
        enabled=_or(get("enabled"), At.boolean, True),
        backfill=_or(get("backfill"), _duration, None),
        follow=_or(get("follow"), At.boolean, defaults.follow),
        max_follow=_or(get("max_follow"), _max_follow, defaults.max_follow),
        selectors=_or(get("selectors"), lambda a: _selectors(a, kind), None),
        respect_robots=_or(get("respect_robots"), At.boolean, True),
        allow_networks=_or(get("allow_networks"), _networks, ()),
    )


def _max_follow(at: At) -> int:
    return at.integer(1, 1000)


def _selectors(at: At, kind: SourceKind) -> ListingSelectors:
    if kind != "listing":
        at.fail("selectors apply to listing sources only")
    fields = at.mapping(_SELECTOR_KEYS)
    get = fields.get
    return ListingSelectors(
        links=_css(_required(at, fields, "links")),
        title=_or(get("title"), _css, None),
        date=_or(get("date"), _css, None),
    )


def _css(at: At) -> str:
    """A CSS selector that selectolax (Lexbor) accepts: checked now, not at the first poll."""
    selector = _one_line(at)
    problem = check_selector(selector)
    if problem:
        at.fail(problem)
    return selector.strip()


def _every(at: At) -> float:
    return _duration(at, minimum=MIN_EVERY)


def _source_kind(at: At, fields: dict[str, At]) -> SourceKind:
    kinds = [kind for kind in SOURCE_KINDS if kind in fields]
    if not kinds:
        at.fail(f"missing required key {' or '.join(map(repr, SOURCE_KINDS))} (the URL to poll)")
    if len(kinds) > 1:
        at.fail(f"give only one of: {', '.join(kinds)}")
    return kinds[0]


def _http_url(at: At) -> str:
    url = at.string().strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        at.fail("not a valid URL")
    if parts.scheme.lower() not in ("http", "https"):
        given = f"not {parts.scheme!r}" if parts.scheme else "no scheme given"
        at.fail(f"only http:// and https:// URLs can be polled ({given})")
    if not host or any(c.isspace() for c in url):
        at.fail("not a valid URL (no host, or spaces)")
    return url


def _language(at: At) -> str:
    code = at.string()
    if not _LANGUAGE.fullmatch(code):
        at.fail(f"not a language code: {code!r} (use ISO 639-1 such as 'id', 'ru', 'vi')")
    return code


def _topic_refs(at: At, topics: set[str]) -> tuple[str, ...]:
    for item in at.items():
        if item.string() not in topics:
            item.fail(f"unknown topic {item.value!r} ({_known('topics', topics)})")
    return at.strings()


def _known(what: str, names: set[str]) -> str:
    if not names:
        return f"no {what} are defined"
    shown = sorted(names)
    more = f", ... ({len(shown)} in all)" if len(shown) > 8 else ""
    return f"known {what}: {', '.join(shown[:8])}{more}"


# --- channels ----------------------------------------------------------------------------------


def _channels(
    at: At | None, env: Mapping[str, str]
) -> tuple[tuple[ChannelSettings, ...], set[str]]:
    """The enabled channels, and the names of those disabled for want of a URL."""
    if at is None:
        return (), set()
    enabled, disabled = [], set()
    for name, entry in at.mapping().items():
        if not _ID.fullmatch(name):
            entry.fail("channel names use a-z, 0-9, - and _, starting with a letter or digit")
        channel = _channel(name, entry, env)
        if channel.urls:
            enabled.append(channel)
        else:
            disabled.add(name)
    return tuple(enabled), disabled


def _channel(name: str, at: At, env: Mapping[str, str]) -> ChannelSettings:
    fields = at.mapping(_CHANNEL_KEYS)
    items = _string_or_list(_required(at, fields, "urls"))
    if not items:
        fields["urls"].fail("give at least one URL")
    urls = tuple(url for url in (_apprise_url(item, env) for item in items) if url)
    get = fields.get
    return ChannelSettings(
        name=name,
        urls=urls,
        format=_or(get("format"), _message_format, "text"),
        digest=_or(get("digest"), _cron, None),
        max_per_hour=_or(get("max_per_hour"), lambda a: a.integer(1, 100_000), None),
        quiet=_or(get("quiet"), _quiet, None),
        urgent_score=_or(get("urgent_score"), lambda a: a.number(0.0, 1.0), None),
        max_length=_or(get("max_length"), lambda a: a.integer(200, 1_000_000), None),
        max_title=_or(get("max_title"), lambda a: a.integer(10, 1000), None),
    )


# --- delivery rules (digests, quiet hours, dead letters) ---------------------------------------


def _cron(at: At) -> str:
    try:
        return check_cron(at.string().strip())
    except ValueError as e:
        at.fail(str(e))


def _quiet(at: At) -> Quiet:
    try:
        return parse_quiet(at.string())
    except ValueError as e:
        at.fail(str(e))


def _channel_ref(at: At) -> str:
    value = at.string()
    if not _ID.fullmatch(value):
        at.fail(f"not a channel name: {value!r}")
    return value


def _check_dead_letter(at: At | None, delivery: DeliverySettings, channels: set[str]) -> None:
    if at is not None and delivery.dead_letter is not None and delivery.dead_letter not in channels:
        at.child("dead_letter").fail(
            f"unknown channel {delivery.dead_letter!r} ({_known('channels', channels)})"
        )


def _apprise_url(at: At, env: Mapping[str, str]) -> str:
    url = _expand(at, env).strip()
    if url and not _URL_SCHEME.match(url):
        at.fail("not a notification URL (expected scheme://...; value not shown)")
    if url and not _usable_apprise_url(url):
        at.fail("not a usable apprise URL: unknown service or missing parts (value not shown)")
    return url


def _usable_apprise_url(url: str) -> bool:
    from monitor.notify.send import usable_url  # lazily: apprise is heavy, and above config

    return usable_url(url)


def _message_format(at: At) -> MessageFormat:
    value = at.string()
    for known in MESSAGE_FORMATS:
        if value == known:
            return known
    at.fail(f"unknown format {value!r} (use one of: {', '.join(MESSAGE_FORMATS)})")


def _check_channel_names(defined: list[_Defined], channels: set[str]) -> None:
    for entry in defined:
        for item in entry.channels.items() if entry.channels else ():
            if item.value not in channels:
                item.fail(f"unknown channel {item.value!r} ({_known('channels', channels)})")


def _without(topic: Topic, disabled: set[str]) -> Topic:
    if topic.channels is None or not disabled & set(topic.channels):
        return topic
    return replace(topic, channels=tuple(c for c in topic.channels if c not in disabled))


# --- watchlists --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Defined:
    """A topic and where it was written (its channels are checked once channels are known)."""

    topic: Topic
    at: At

    @property
    def channels(self) -> At | None:
        return self.at.mapping().get("channels")


def _watchlists(base: Path, at: At | None) -> tuple[list[_Defined], tuple[str, ...]]:
    files = _watchlist_files(base, at)
    defined: list[_Defined] = []
    first: dict[str, Topic] = {}
    for file in files:
        for entry in _read_watchlist(Path(file)):
            _check_unique(entry, first)
            defined.append(entry)
    return defined, files


def _watchlist_files(base: Path, at: At | None) -> tuple[str, ...]:
    patterns = list(DEFAULT_WATCHLISTS)
    if at is not None:
        patterns = [_text(item) for item in _string_or_list(at)]
    files: dict[str, None] = {}  # insertion-ordered set: pattern order, sorted within a pattern
    for pattern in patterns:
        for match in sorted(glob.glob(pattern, root_dir=base, recursive=True)):
            if (base / match).is_file():
                files[str(base / match)] = None
    return tuple(files)


def _check_unique(entry: _Defined, first: dict[str, Topic]) -> None:
    topic = entry.topic
    if topic.id in first:
        earlier = first[topic.id]
        entry.at.child("id").fail(
            f"duplicate topic id {topic.id!r} (also defined at {earlier.file}:{earlier.line})"
        )
    first[topic.id] = topic


def _read_watchlist(path: Path) -> list[_Defined]:
    from monitor import match  # lazily: the matcher is heavier than the settings, and above them

    doc = read_yaml(path)
    fields = _top_mapping(doc, ["topics"])
    defined: list[_Defined] = []
    first: dict[str, Topic] = {}
    for item in _required(doc.root(), fields, "topics").items():
        entry = _topic(item, match.parse_query, match.DEFAULT_THRESHOLD)
        _check_unique(entry, first)
        defined.append(entry)
    return defined


def _topic(at: At, parse_query: Callable[[str], object], threshold: float) -> _Defined:
    fields = at.mapping(_TOPIC_KEYS)
    topic_id = _identifier(_required(at, fields, "id"))
    get = fields.get
    examples = _or(get("examples"), lambda a: a.mapping(("match", "no_match")), {})
    topic = Topic(
        id=topic_id,
        name=_or(get("name"), _text, topic_id),
        query=_query(_required(at, fields, "query"), parse_query),
        threshold=_or(get("threshold"), lambda a: a.number(0.0, 1.0), threshold),
        channels=_or(get("channels"), At.strings, None),
        examples_match=_or(examples.get("match"), At.strings, ()),
        examples_no_match=_or(examples.get("no_match"), At.strings, ()),
        expand=_or(get("expand"), At.boolean, True),
        file=at.doc.file,
        line=at.doc.line(at.path) or 0,
        digest=_or(get("digest"), _cron, None),
        max_per_hour=_or(get("max_per_hour"), lambda a: a.integer(1, 100_000), None),
    )
    return _Defined(topic, at)


def _query(at: At, parse_query: Callable[[str], object]) -> str:
    query = _text(at)
    try:
        parse_query(query)
    except QueryError as e:
        at.fail(f"invalid query: {e.reason}")
    return query


# --- fetch safety and limits (issue 6) ---------------------------------------------------------


def _limits(at: At | None) -> LimitSettings:
    readers: dict[str, Callable[[At], Any]] = {
        "items_per_poll": lambda a: a.integer(1, 100_000),
        "article_fetches_per_poll": lambda a: a.integer(0, 10_000),
        "worker_memory": _worker_memory,
        "worker_timeout": _positive_duration,
    }
    return replace(LimitSettings(), **_section(at, readers))


def _worker_memory(at: At) -> int:
    size = at.parsed(parse_size)
    if size < 256 * 1024**2:
        at.fail(f"too small: {size} bytes (minimum 256MB: the interpreter needs ~100MB)")
    return size


def _networks(at: At) -> tuple[IPv4Network | IPv6Network, ...]:
    """``allow_networks``: addresses or CIDR networks (``10.1.0.0/16``, ``fd00::/8``)."""
    networks = []
    for item in at.items():
        text = item.string().strip()
        try:
            networks.append(ip_network(text, strict=False))
        except ValueError:
            item.fail(f"not an IP address or network: {text!r} (use e.g. 10.1.0.0/16)")
    return tuple(networks)


def check_selector(selector: str) -> str | None:
    """Why ``selector`` is not a CSS selector the page reader (selectolax/Lexbor) accepts, or None.

    Listing sources' ``selectors`` are checked with it when the config is loaded.
    """
    from selectolax.lexbor import LexborHTMLParser, SelectolaxError  # lazily: only listings use it

    if not selector.strip():
        return "empty CSS selector"
    try:
        LexborHTMLParser("<p></p>").css(selector)
    except SelectolaxError:
        return f"not a valid CSS selector: {selector!r}"
    return None


# --- lexicon -----------------------------------------------------------------------------------


def _lexicon(base: Path, at: At | None) -> LexiconData | None:
    """The ``lexicon:`` files (relative to monitor.yaml), read and validated, as one value."""
    if at is None:
        return None
    from monitor.match.lexicon import LexiconData
    from monitor.match.lexicon_files import read_lexicon_file

    concepts: list[Concept] = []
    guards: list[Guard] = []
    files: list[str] = []
    for item in _string_or_list(at):
        path = base / _text(item)
        if not path.is_file():
            item.fail(f"lexicon file not found: {path}")
        data = read_lexicon_file(path, (g.name for g in guards))
        concepts += data.concepts
        guards += data.guards
        files += data.files
    return LexiconData(tuple(concepts), tuple(guards), tuple(files))
