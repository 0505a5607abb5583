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
- ``${NAME}`` in ``database``, source URLs (``feed``, ``listing``, ``sitemap``), channel URLs,
  ``web.token`` and ``web.feed_token`` is read from the environment (the keys that may hold a
  secret; nowhere else: a query or a selector never changes with the environment, and the
  shipped config's header and the README list exactly these); unset or empty is
  an error naming the variable. ``${NAME:-fallback}`` uses the fallback when NAME is unset or
  empty. A channel whose URLs are all empty after that is *disabled*: it is left out of
  ``Settings.channels`` and dropped from topics' channel lists, but topics may still name it.
  That is how the shipped config runs on a machine with no environment set.
- Error messages never show a channel or database URL: they hold secrets.

    settings.py    the frozen settings values and the schema's constants
    load.py        load_settings: the top level, database, timezone, http, limits, retention;
                   cross-checks
    sources.py     the sources and defaults sections; check_selector
    channels.py    the channels and delivery sections
    watchlists.py  load_watchlist: watchlist files and topics; the lexicon key
    web.py         the web section (listen, token, base_url)
    readers.py     readers of one YAML node (durations, ids, text, ${ENV}, cron) shared by all
"""

from monitor.config.load import default_config_path, load_settings
from monitor.config.settings import (
    DEFAULT_DATABASE_URL,
    DEFAULT_USER_AGENT,
    DEFAULT_WATCHLISTS,
    MIN_EVERY,
    SOURCE_KINDS,
    ChannelSettings,
    Checks,
    ClusterSettings,
    DeliverySettings,
    HttpSettings,
    LimitSettings,
    ListingSelectors,
    RetentionSettings,
    Settings,
    SourceKind,
    SourceSettings,
    WatchlistPattern,
    WatchlistWarning,
    WebSettings,
    refused_reload,
    start_only_changes,
)
from monitor.config.sources import check_selector
from monitor.config.watchlists import load_watchlist, load_watchlists

# re-exported: callers read durations and sizes the way the config does
from monitor.yamlsafe import parse_duration, parse_size

__all__ = [
    "DEFAULT_DATABASE_URL",
    "DEFAULT_USER_AGENT",
    "DEFAULT_WATCHLISTS",
    "MIN_EVERY",
    "SOURCE_KINDS",
    "ChannelSettings",
    "Checks",
    "ClusterSettings",
    "DeliverySettings",
    "HttpSettings",
    "LimitSettings",
    "ListingSelectors",
    "RetentionSettings",
    "Settings",
    "SourceKind",
    "SourceSettings",
    "WatchlistPattern",
    "WatchlistWarning",
    "WebSettings",
    "check_selector",
    "default_config_path",
    "load_settings",
    "load_watchlist",
    "load_watchlists",
    "parse_duration",
    "parse_size",
    "refused_reload",
    "start_only_changes",
]
