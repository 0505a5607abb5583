"""Loading ``monitor.yaml``: the top level, and the sections that are plain values.

Owns: ``load_settings`` (which reads each section and cross-checks the references between them),
the config path, the top-level keys, ``database`` (with ``MONITOR_DATABASE_URL``), ``timezone``,
``http`` and ``limits``.
Does not own: the sources, channels and delivery, watchlists and lexicon sections (``sources``,
``channels``, ``watchlists``), or the settings' shape (``settings``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.config.channels import _channels, _check_dead_letter, _delivery
from monitor.config.readers import (
    _duration,
    _expand,
    _one_line,
    _positive_duration,
    _section,
    _top_mapping,
)
from monitor.config.settings import (
    DEFAULT_DATABASE_URL,
    DEFAULT_USER_AGENT,
    SHAPE_CHECKS,
    Checks,
    HttpSettings,
    LimitSettings,
    Settings,
)
from monitor.config.sources import _defaults, _sources
from monitor.config.watchlists import (
    _check_channel_names,
    _check_concepts,
    _lexicon,
    _watchlists,
    _without,
)
from monitor.errors import ConfigError
from monitor.yamlsafe import At, parse_size, read_yaml

_TOP_KEYS = ["database", "timezone", "watchlists", "http", "defaults", "delivery", "sources",
             "channels", "limits", "lexicon"]  # fmt: skip

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
    top = _top_mapping(doc, _TOP_KEYS)

    def get(key: str) -> At | None:
        """A section, or None when absent or left empty (``channels:`` with all commented out)."""
        section = top.get(key)
        return None if section is None or section.value is None else section

    channels, disabled = _channels(get("channels"), env, checks)
    defined, files = _watchlists(Path(path).parent, get("watchlists"), checks)
    _check_channel_names(defined, {c.name for c in channels} | disabled)
    topics = tuple(_without(t.topic, disabled) for t in defined)
    delivery = _delivery(get("delivery"))
    _check_dead_letter(get("delivery"), delivery, {c.name for c in channels} | disabled)
    lexicon = _lexicon(Path(path).parent, get("lexicon"))
    _check_concepts(defined, lexicon)
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
        lexicon=lexicon,
        disabled_channels=frozenset(disabled),
    )


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
