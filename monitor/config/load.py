"""Loading ``monitor.yaml``: the top level, and the sections that are plain values.

Owns: ``load_settings`` (which reads each section and cross-checks the references between them),
the config path, the top-level keys, ``database`` (with ``MONITOR_DATABASE_URL``), ``timezone``,
``http``, ``limits`` and ``retention``, and ``MONITOR_POLL_EVERY`` (tests and trials: every
source's interval).
Does not own: the sources, channels and delivery, watchlists and lexicon sections (``sources``,
``channels``, ``watchlists``), or the settings' shape (``settings``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.config import readers as read
from monitor.config.channels import check_dead_letter, read_channels, read_delivery
from monitor.config.settings import (
    DEFAULT_DATABASE_URL,
    DEFAULT_USER_AGENT,
    MAX_RETENTION_DAYS,
    MIN_EVERY,
    MIN_EVERY_ENV,
    MIN_RETENTION_DAYS,
    SHAPE_CHECKS,
    Checks,
    ClusterSettings,
    HttpSettings,
    LimitSettings,
    RetentionSettings,
    Settings,
    SourceSettings,
)
from monitor.config.sources import read_defaults, read_sources
from monitor.config.watchlists import (
    check_channel_names,
    check_concepts,
    read_lexicon,
    read_watchlists,
    without_channels,
)
from monitor.config.web import read_web
from monitor.errors import ConfigError
from monitor.yamlsafe import At, parse_duration, parse_size, read_yaml

_TOP_KEYS = ["database", "timezone", "watchlists", "http", "defaults", "delivery", "sources",
             "channels", "limits", "lexicon", "web", "cluster", "retention"]  # fmt: skip

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


def load_settings(
    path: str | Path, env: Mapping[str, str], checks: Checks = SHAPE_CHECKS
) -> Settings:
    """Read ``monitor.yaml`` and the watchlists it names; raise ``ConfigError`` on any problem.

    ``checks`` test cron lines and channel URLs (the CLI passes the full ones).
    """
    doc = read_yaml(path)
    top = read.top_mapping(doc, _TOP_KEYS)

    def get(key: str) -> At | None:
        """A section, or None when absent or left empty (``channels:`` with all commented out)."""
        section = top.get(key)
        return None if section is None or section.value is None else section

    channels, disabled = read_channels(get("channels"), env, checks)
    watchlists = read_watchlists(Path(path), get("watchlists"), checks)
    defined = watchlists.defined
    check_channel_names(defined, {c.name for c in channels} | disabled)
    topics = tuple(without_channels(t.topic, disabled) for t in defined)
    delivery = read_delivery(get("delivery"))
    check_dead_letter(get("delivery"), delivery, {c.name for c in channels} | disabled)
    lexicon = read_lexicon(Path(path).parent, get("lexicon"))
    check_concepts(defined, lexicon)
    return Settings(
        path=str(path),
        database_url=_database(get("database"), env),
        timezone=_timezone(get("timezone")),
        http=_http(get("http")),
        sources=_poll_every(
            read_sources(
                get("sources"),
                read_defaults(get("defaults"), _min_every(env)),
                {t.id for t in topics},
                env,
            ),
            env,
        ),
        channels=channels,
        topics=topics,
        delivery=delivery,
        watchlist_files=watchlists.files,
        watchlist_patterns=watchlists.patterns,
        watchlist_warnings=watchlists.warnings,
        limits=_limits(get("limits")),
        lexicon=lexicon,
        disabled_channels=frozenset(disabled),
        web=read_web(get("web"), env),
        cluster=_cluster(get("cluster")),
        retention=_retention(get("retention")),
    )


def _poll_every(
    sources: tuple[SourceSettings, ...], env: Mapping[str, str]
) -> tuple[SourceSettings, ...]:
    """``MONITOR_POLL_EVERY`` (a duration, e.g. ``2s``) polls every source at that interval,
    without jitter and below the one-minute minimum: for tests and trials against one's own
    servers (a test of the daemon need not wait a real minute), never against publishers."""
    text = env.get("MONITOR_POLL_EVERY")
    if not text:
        return sources
    try:
        every = parse_duration(text)
    except ValueError as e:
        raise ConfigError(str(e), key="MONITOR_POLL_EVERY") from e
    if every <= 0:
        raise ConfigError("must be more than 0 seconds", key="MONITOR_POLL_EVERY")
    return tuple(replace(source, every=every, jitter=0.0) for source in sources)


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
        return _database_url(read.expand(at, env))
    except ValueError as e:
        at.fail(str(e))


def _database_url(url: str) -> str:
    scheme, sep, rest = url.strip().partition("://")
    if not sep or scheme.lower() not in _DATABASE_SCHEMES:
        shown = repr(scheme) if sep else "no scheme"  # the rest may hold a password
        raise ValueError(f"unsupported database URL ({shown}): use sqlite:///path or postgresql://")
    driver = _DATABASE_SCHEMES[scheme.lower()]
    if driver.startswith("postgresql") and _ambiguous_userinfo(rest):
        raise ValueError(
            "the user name or password holds '@', '/', '?' or '#': write each percent-encoded"
            " (%40, %2F, %3F, %23; 'p@ss' as 'p%40ss'), as libpq and SQLAlchemy expect,"
            " or leave the password out of the URL and set PGPASSWORD"
        )
    return f"{driver}://{rest}"


def _ambiguous_userinfo(rest: str) -> bool:
    """Whether a PostgreSQL URL (after ``scheme://``) has more than one ``@``, or a ``/``, ``?``
    or ``#`` before its ``@``: SQLAlchemy would end the password at the first ``@`` and connect
    to the rest as a host, and error messages and logs would show the password's tail."""
    userinfo, at, _host = rest.partition("@")
    return bool(at) and ("@" in _host or any(c in userinfo for c in "/?#"))


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
        "user_agent": read.one_line,
        "timeout": read.positive_duration,
        "connect_timeout": read.positive_duration,
        "max_bytes": _max_bytes,
        "max_redirects": lambda a: a.integer(0, 20),
        "concurrency": lambda a: a.integer(1, 1000),
        "per_host": lambda a: a.integer(1, 100),
        "per_host_interval": read.duration,
        "allow_private_networks": At.boolean,
    }
    return replace(HttpSettings(DEFAULT_USER_AGENT), **read.section(at, readers))


def _max_bytes(at: At) -> int:
    size = at.parsed(parse_size)
    if size < 1024:
        at.fail(f"too small: {size} bytes (minimum 1KB)")
    return size


# --- fetch safety and limits (issue 6) ---------------------------------------------------------


def _limits(at: At | None) -> LimitSettings:
    readers: dict[str, Callable[[At], Any]] = {
        "items_per_poll": lambda a: a.integer(1, 100_000),
        "article_fetches_per_poll": lambda a: a.integer(0, 10_000),
        "worker_memory": _worker_memory,
        "worker_timeout": lambda a: read.positive_duration(a, maximum=MAX_WORKER_TIMEOUT),
    }
    return replace(LimitSettings(), **read.section(at, readers))


#: the smallest worker address space that extracts a real article page (a CNN page needs
#: ~320MB with trafilatura and lxml loaded; 256MB, the old minimum, failed every extraction)
MIN_WORKER_MEMORY = 512 * 1024**2
#: the largest: ``RLIMIT_AS`` takes no more, and a parse never needs it
MAX_WORKER_MEMORY = 1024**4
#: one parse or extraction longer than this is a hang, not work (the CPU limit is the same)
MAX_WORKER_TIMEOUT = 3600.0


def _worker_memory(at: At) -> int:
    size = at.parsed(parse_size)
    if size < MIN_WORKER_MEMORY:
        at.fail(f"too small: {size} bytes (minimum 512MB: extracting an article page needs it)")
    if size > MAX_WORKER_MEMORY:
        at.fail(f"too large: {size} bytes (maximum 1TB)")
    return size


# --- several nodes (issue 14) ------------------------------------------------------------------


def _cluster(at: At | None) -> ClusterSettings:
    readers: dict[str, Callable[[At], Any]] = {
        "lease": read.positive_duration,
        "claim_every": read.positive_duration,
        "polls": lambda a: a.integer(1, 1000),
    }
    return replace(ClusterSettings(), **read.section(at, readers))


# --- retention ---------------------------------------------------------------------------------


def _retention(at: At | None) -> RetentionSettings:
    return replace(RetentionSettings(), **read.section(at, {"days": _retention_days}))


def _retention_days(at: At) -> int | None:
    """A number of days, or ``off`` (keep everything)."""
    if at.value is False or (isinstance(at.value, str) and at.value.strip().lower() == "off"):
        return None
    if isinstance(at.value, bool) or not isinstance(at.value, int):
        at.fail(f"expected a number of days or off, got {at.value!r}")
    return at.integer(MIN_RETENTION_DAYS, MAX_RETENTION_DAYS)


def _min_every(env: Mapping[str, str]) -> float:
    """``MONITOR_MIN_EVERY`` (seconds) lowers the shortest poll interval: for tests only."""
    raw = env.get(MIN_EVERY_ENV)
    if not raw:
        return MIN_EVERY
    try:
        return max(0.1, float(raw))
    except ValueError as e:
        raise ConfigError(f"not a number of seconds: {raw!r}", key=MIN_EVERY_ENV) from e
