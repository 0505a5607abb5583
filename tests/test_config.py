"""Tests for ``monitor.config`` (and its YAML reader ``monitor.yamlsafe``).

The bad-config suite is a data table: a small monitor.yaml (and watchlists), and the exact message,
which names the file, the line and the dotted key.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from monitor.cli.common import full_checks
from monitor.config import (
    DEFAULT_DATABASE_URL,
    ChannelSettings,
    DeliverySettings,
    HttpSettings,
    Settings,
    SourceSettings,
    default_config_path,
    load_settings,
    load_watchlist,
    parse_duration,
    parse_size,
)
from monitor.errors import ConfigError
from monitor.vocab import parse_quiet
from monitor.yamlsafe import interpolate, read_yaml

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "config"

FEED = "https://example.org/rss.xml"
WATCHLIST = """\
topics:
  - id: ru-asean
    query: Russia AND ASEAN
"""


@dataclass(frozen=True)
class Bad:
    """A config that must be refused with ``expected`` (paths relative to the config's folder)."""

    name: str
    config: str
    expected: str
    watchlists: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)


BAD = [
    Bad(
        "unknown top-level key",
        "timezone: UTC\ndatbase: sqlite://\n",
        "monitor.yaml:2: datbase: unknown key (expected one of: channels, cluster, database,"
        " defaults, delivery, http, lexicon, limits, retention, sources, timezone, watchlists,"
        " web)",
    ),
    Bad(
        "retention of no days",
        "timezone: UTC\nretention:\n  days: 0\n",
        "monitor.yaml:3: retention.days: must be between 1 and 3660, got 0",
    ),
    Bad(
        "retention as a duration",
        "retention:\n  days: 90d\n",
        "monitor.yaml:2: retention.days: expected a number of days or off, got '90d'",
    ),
    Bad(
        "unknown retention key",
        "retention: {days: 30, vacuum: true}\n",
        "monitor.yaml:1: retention.vacuum: unknown key (expected one of: days)",
    ),
    Bad(
        "unknown key in a source",
        f"sources:\n  - id: a\n    feed: {FEED}\n    evry: 10m\n",
        "monitor.yaml:4: sources[0].evry: unknown key (expected one of: allow_networks, backfill,"
        " enabled, every, feed, follow, id, jitter, language, listing, max_follow, name,"
        " respect_robots, selectors, sitemap, topics)",
    ),
    Bad(
        "missing lexicon file",
        "lexicon: [words.yaml]\n",
        "monitor.yaml:1: lexicon[0]: lexicon file not found: words.yaml",
    ),
    Bad(
        "expand is not a boolean",
        "timezone: UTC\n",
        "watchlists/w.yaml:4: topics[0].expand: expected true or false, got a string",
        watchlists={"w.yaml": WATCHLIST + "    expand: maybe\n"},
    ),
    Bad(
        "unknown key in a channel",
        "channels:\n  team:\n    urls: json://localhost\n    fmt: text\n",
        "monitor.yaml:4: channels.team.fmt: unknown key (expected one of: digest, format,"
        " max_length, max_per_hour, max_title, quiet, urgent_score, urls)",
    ),
    Bad(
        "duplicate key",
        "http:\n  timeout: 10s\n  per_host: 2\n  timeout: 20s\n",
        "monitor.yaml:4: http.timeout: duplicate key (first at line 2)",
    ),
    Bad(
        "duplicate source id",
        f"sources:\n  - id: a\n    feed: {FEED}\n  - id: a\n    feed: {FEED}\n",
        "monitor.yaml:4: sources[1].id: duplicate source id 'a' (first at line 2)",
    ),
    Bad(
        "duplicate topic id across two watchlists",
        "timezone: UTC\n",
        "watchlists/b.yaml:3: topics[1].id: duplicate topic id 'ru-asean'"
        " (also defined at watchlists/a.yaml:2)",
        watchlists={
            "a.yaml": WATCHLIST,
            "b.yaml": "topics:\n  - {id: x, query: x}\n" + WATCHLIST[8:],
        },
    ),
    Bad(
        "bad duration",
        "defaults:\n  every: ten minutes\n",
        "monitor.yaml:2: defaults.every: not a duration: 'ten minutes' (use e.g. 90s, 10m, 1h)",
    ),
    Bad(
        "every shorter than a minute",
        f"sources:\n  - id: a\n    feed: {FEED}\n    every: 30s\n",
        "monitor.yaml:4: sources[0].every: too short: 30s (minimum 1m)",
    ),
    Bad(
        "bad size",
        "http:\n  max_bytes: 10 megs\n",
        "monitor.yaml:2: http.max_bytes: not a size: '10 megs' (use e.g. 512KB, 10MB)",
    ),
    Bad(
        "bad time zone",
        "timezone: Asia/Jakata\n",
        "monitor.yaml:1: timezone: unknown time zone 'Asia/Jakata'"
        " (use an IANA name such as Asia/Jakarta or UTC)",
    ),
    Bad(
        "feed without scheme",
        "sources:\n  - id: a\n    feed: example.org/rss\n",
        "monitor.yaml:3: sources[0].feed: only http:// and https:// URLs can be polled"
        " (no scheme given)",
    ),
    Bad(
        "source without feed",
        "sources:\n  - id: a\n    name: A\n",
        "monitor.yaml:2: sources[0]: missing required key 'feed' or 'listing' or 'sitemap'"
        " (the URL to poll)",
    ),
    Bad(
        "non-http scheme",
        "sources:\n  - id: a\n    feed: file:///etc/passwd\n",
        "monitor.yaml:3: sources[0].feed:"
        " only http:// and https:// URLs can be polled (not 'file')",
    ),
    Bad(
        "unset environment variable",
        'channels:\n  team:\n    urls: ["${MONITOR_WEBHOOK_URL}"]\n',
        "monitor.yaml:3: channels.team.urls[0]:"
        " environment variable MONITOR_WEBHOOK_URL is not set",
    ),
    Bad(
        "empty environment variable",
        "channels:\n  team:\n    urls: ${MONITOR_WEBHOOK_URL}\n",
        "monitor.yaml:3: channels.team.urls: environment variable MONITOR_WEBHOOK_URL is empty",
        env={"MONITOR_WEBHOOK_URL": ""},
    ),
    Bad(
        "bad format",
        "channels:\n  team:\n    urls: json://localhost\n    format: md\n",
        "monitor.yaml:4: channels.team.format: unknown format 'md'"
        " (use one of: text, markdown, html)",
    ),
    Bad(
        "topic naming an unknown channel",
        "channels:\n  team:\n    urls: json://localhost\n",
        "watchlists/w.yaml:6: topics[0].channels[1]: unknown channel 'ops' (known channels: team)",
        watchlists={"w.yaml": WATCHLIST + "    channels:\n      - team\n      - ops\n"},
    ),
    Bad(
        "source naming an unknown topic",
        f"sources:\n  - id: a\n    feed: {FEED}\n    topics: [ru-asean, ru-asia]\n",
        "monitor.yaml:4: sources[0].topics[1]: unknown topic 'ru-asia' (known topics: ru-asean)",
        watchlists={"w.yaml": WATCHLIST},
    ),
    Bad(
        "threshold out of range",
        "timezone: UTC\n",
        "watchlists/w.yaml:4: topics[0].threshold: must be between 0 and 1, got 1.5",
        watchlists={"w.yaml": WATCHLIST + "    threshold: 1.5\n"},
    ),
    Bad(
        "python object tag",
        "database: !!python/object/apply:os.system [echo hi]\n",
        "monitor.yaml:1: tags are not allowed: !!python/object/apply:os.system",
    ),
    Bad(
        "local tag",
        "timezone: !zone UTC\n",
        "monitor.yaml:1: tags are not allowed: !zone (a plain value that starts with '!' is a"
        " YAML tag: to start a value, such as a query excluding a word, with '!', wrap the whole"
        " value in single quotes or write it as a block: key: > and the value on the next line)",
    ),
    Bad(
        "a query that starts with an exclusion",
        "timezone: UTC\n",
        "watchlists/w.yaml:4: tags are not allowed: !recipe (a plain value that starts with '!'"
        " is a YAML tag: to start a value, such as a query excluding a word, with '!', wrap the"
        " whole value in single quotes or write it as a block: key: > and the value on the next"
        " line)",
        watchlists={
            "w.yaml": "topics:\n  - id: rice\n    name: Rice\n    query: !recipe AND rice\n"
        },
    ),
    Bad(
        "alias bomb",
        "".join(
            f"{name}: &{name} [{', '.join([f'*{prev}'] * 10 if prev else ['x'] * 10)}]\n"
            for prev, name in [("", "a"), ("a", "b"), ("b", "c"), ("c", "d"), ("d", "e")]
        ),
        "monitor.yaml:4: aliases expand to too many values (over 10000)",
    ),
    Bad(
        "recursive alias",
        "watchlists: &w [x, *w]\n",
        "monitor.yaml:1: recursive alias (it refers to itself)",
    ),
    Bad(
        "merge key",
        "http: &h {timeout: 10s}\ndelivery:\n  <<: *h\n",
        "monitor.yaml:3: delivery: merge keys (<<) are not supported",
    ),
    Bad(
        "YAML syntax error",
        "http:\n  timeout: 10s\n concurrency: 3\n",
        "monitor.yaml:3: YAML syntax error:"
        " expected <block end>, but found '<block mapping start>'",
    ),
    Bad(
        "list where a mapping is expected",
        "http: [timeout, 10s]\n",
        "monitor.yaml:1: http: expected a mapping, got a list",
    ),
    Bad(
        "two documents in one file",
        "timezone: UTC\n---\ntimezone: UTC\n",
        "monitor.yaml:2: YAML syntax error:"
        " expected a single document in the stream but found another document",
    ),
    Bad(
        "nesting too deep",
        "watchlists: " + "[" * 70 + "]" * 70 + "\n",
        "monitor.yaml:1: nested too deeply (over 64 levels)",
    ),
    Bad("empty file", "# nothing but a comment\n", "monitor.yaml: the file is empty"),
    Bad(
        "YAML 1.1 boolean words are strings",
        f"sources:\n  - id: a\n    feed: {FEED}\n    enabled: yes\n",
        "monitor.yaml:4: sources[0].enabled: expected true or false, got a string",
    ),
    Bad(
        "bad source id",
        f"sources:\n  - id: ANTARA EN\n    feed: {FEED}\n",
        "monitor.yaml:2: sources[0].id: not a valid id: 'ANTARA EN'"
        " (use a-z, 0-9, - and _; start with a letter or digit)",
    ),
    Bad(
        "a language's name in English",
        f"sources:\n  - id: a\n    feed: {FEED}\n    language: Indonesian\n",
        "monitor.yaml:4: sources[0].language: not a language code the monitor knows:"
        " 'Indonesian' (write 'id')",
    ),
    Bad(
        "a name that is no language the monitor knows",
        f"sources:\n  - id: a\n    feed: {FEED}\n    language: Klingon\n",
        "monitor.yaml:4: sources[0].language: not a language code the monitor knows:"
        " 'Klingon' (use ISO 639-1 such as 'id', 'ru')",
    ),
    Bad(
        "three-letter code of a two-letter language",
        f"sources:\n  - id: a\n    feed: {FEED}\n    language: eng\n",
        "monitor.yaml:4: sources[0].language: not a language code the monitor knows: 'eng'"
        " (write 'en')",
    ),
    Bad(
        "bibliographic three-letter code",
        f"sources:\n  - id: a\n    feed: {FEED}\n    language: ger\n",
        "monitor.yaml:4: sources[0].language: not a language code the monitor knows: 'ger'"
        " (write 'de')",
    ),
    Bad(
        "withdrawn two-letter code",
        f"sources:\n  - id: a\n    feed: {FEED}\n    language: in\n",
        "monitor.yaml:4: sources[0].language: not a language code the monitor knows: 'in'"
        " (write 'id')",
    ),
    Bad(
        "three letters that are no language",
        f"sources:\n  - id: a\n    feed: {FEED}\n    language: xyz\n",
        "monitor.yaml:4: sources[0].language: not a language code the monitor knows: 'xyz'"
        " (use ISO 639-1 such as 'id', 'ru')",
    ),
    Bad(
        "retry_max below retry_base",
        "delivery:\n  retry_base: 2h\n  retry_max: 1h\n",
        "monitor.yaml:3: delivery.retry_max: retry_max must not be shorter than retry_base",
    ),
    Bad(
        "bad quiet hours",
        "channels:\n  team:\n    urls: json://localhost\n    quiet: 22-7\n",
        "monitor.yaml:4: channels.team.quiet: not a time window: '22-7'"
        " (write HH:MM-HH:MM, e.g. 22:00-07:00)",
    ),
    Bad(
        "bad digest schedule",
        "channels:\n  team:\n    urls: json://localhost\n    digest: '0 25 * * *'\n",
        "monitor.yaml:4: channels.team.digest: not a cron expression: '0 25 * * *' (Error"
        " validating expression '25': the last value (25) is higher than the maximum value (23))",
    ),
    Bad(
        "digest schedule on a topic",
        "timezone: UTC\n",
        "watchlists/w.yaml:4: topics[0].digest: not a cron expression: 'daily'"
        " (5 fields: minute hour day month weekday)",
        watchlists={"w.yaml": WATCHLIST + "    digest: daily\n"},
    ),
    Bad(
        "unknown dead-letter channel",
        "delivery:\n  dead_letter: ops\nchannels:\n  team:\n    urls: json://localhost\n",
        "monitor.yaml:2: delivery.dead_letter: unknown channel 'ops' (known channels: team)",
    ),
    Bad(
        "unknown key in a topic",
        "timezone: UTC\n",
        "watchlists/w.yaml:4: topics[0].treshold: unknown key (expected one of: channels,"
        " digest, examples, expand, id, max_per_hour, name, query, threshold)",
        watchlists={"w.yaml": WATCHLIST + "    treshold: 0.5\n"},
    ),
    Bad(
        "watchlist with a mapping for topics",
        "timezone: UTC\n",
        "watchlists/w.yaml:1: topics: expected a list, got a mapping",
        watchlists={"w.yaml": "topics:\n  ru-asean: {query: Russia}\n"},
    ),
    Bad(
        "unsupported database, URL not shown",
        "database: mysql://monitor:hunter2@db/monitor\n",
        "monitor.yaml:1: database: unsupported database URL ('mysql'):"
        " use sqlite:///path or postgresql://",
    ),
    Bad(
        "an '@' in the database password must be written %40 (SQLAlchemy took 'hun' as it)",
        "database: postgresql://monitor:hun@ter2@db/monitor\n",
        "monitor.yaml:1: database: the user name or password holds '@', '/', '?' or '#': write"
        " each percent-encoded (%40, %2F, %3F, %23; 'p@ss' as 'p%40ss'), as libpq and"
        " SQLAlchemy expect, or leave the password out of the URL and set PGPASSWORD",
    ),
    Bad(
        "an '@' in a database password from the environment, value not shown",
        "database: postgresql://monitor:${DBPASS}@db/monitor\n",
        "monitor.yaml:1: database: the user name or password holds '@', '/', '?' or '#': write"
        " each percent-encoded (%40, %2F, %3F, %23; 'p@ss' as 'p%40ss'), as libpq and"
        " SQLAlchemy expect, or leave the password out of the URL and set PGPASSWORD",
        env={"DBPASS": "hunter2/@x"},
    ),
    Bad(
        "channel URL that is not a URL, value not shown",
        "channels:\n  team:\n    urls: ${TOKEN}\n",
        "monitor.yaml:3: channels.team.urls: not a notification URL"
        " (expected scheme://...; value not shown)",
        env={"TOKEN": "hunter2"},
    ),
    Bad(
        "apprise URL of an unknown service, value not shown",
        "channels:\n  team:\n    urls: ['${TOKEN}']\n",
        "monitor.yaml:3: channels.team.urls[0]: not a usable apprise URL: unknown service or"
        " missing parts (value not shown)",
        env={"TOKEN": "nosuchservice://hunter2@example.org"},
    ),
    Bad(
        "apprise URL missing its token, value not shown",
        "channels:\n  team:\n    urls:\n      - json://localhost\n      - tgram://hunter2\n",
        "monitor.yaml:5: channels.team.urls[1]: not a usable apprise URL: unknown service or"
        " missing parts (value not shown)",
    ),
    Bad(
        "allow_private_networks is not a boolean",
        "http:\n  allow_private_networks: yes\n",
        "monitor.yaml:2: http.allow_private_networks: expected true or false, got a string",
    ),
    Bad(
        "per-host interval is no duration",
        "http:\n  per_host_interval: soon\n",
        "monitor.yaml:2: http.per_host_interval: not a duration: 'soon' (use e.g. 90s, 10m, 1h)",
    ),
    Bad(
        "allow_networks entry is not a network",
        f"sources:\n  - id: a\n    feed: {FEED}\n    allow_networks: [10.0.0.0/8, intranet]\n",
        "monitor.yaml:4: sources[0].allow_networks[1]: not an IP address or network: 'intranet'"
        " (use e.g. 10.1.0.0/16)",
    ),
    Bad(
        "allow_networks is not a list",
        f"sources:\n  - id: a\n    feed: {FEED}\n    allow_networks: 10.0.0.0/8\n",
        "monitor.yaml:4: sources[0].allow_networks: expected a list, got a string",
    ),
    Bad(
        "respect_robots is not a boolean",
        f"sources:\n  - id: a\n    feed: {FEED}\n    respect_robots: no\n",
        "monitor.yaml:4: sources[0].respect_robots: expected true or false, got a string",
    ),
    Bad(
        "unknown key in limits",
        "limits:\n  items: 5\n",
        "monitor.yaml:2: limits.items: unknown key (expected one of: article_fetches_per_poll,"
        " items_per_poll, worker_memory, worker_timeout)",
    ),
    Bad(
        "items per poll out of range",
        "limits:\n  items_per_poll: 0\n",
        "monitor.yaml:2: limits.items_per_poll: must be between 1 and 100000, got 0",
    ),
    Bad(
        "worker memory too small",
        "limits:\n  worker_memory: 10MB\n",
        "monitor.yaml:2: limits.worker_memory: too small: 10485760 bytes (minimum 512MB:"
        " extracting an article page needs it)",
    ),
    Bad(
        "worker timeout zero",
        "limits:\n  worker_timeout: 0s\n",
        "monitor.yaml:2: limits.worker_timeout: must be more than 0s",
    ),
    Bad(
        "duplicate key in limits",
        "limits:\n  worker_timeout: 10s\n  worker_timeout: 20s\n",
        "monitor.yaml:3: limits.worker_timeout: duplicate key (first at line 2)",
    ),
    # --- issue 11: values the daemon cannot use are refused by `check` ----------------------
    Bad(
        "worker memory at the old minimum, which failed every extraction",
        "limits:\n  worker_memory: 256MB\n",
        "monitor.yaml:2: limits.worker_memory: too small: 268435456 bytes (minimum 512MB:"
        " extracting an article page needs it)",
    ),
    Bad(
        "worker memory huge",
        "limits:\n  worker_memory: 2048GB\n",
        "monitor.yaml:2: limits.worker_memory: too large: 2199023255552 bytes (maximum 1TB)",
    ),
    Bad(
        "worker memory past any integer",
        "limits:\n  worker_memory: " + "9" * 400 + "GB\n",
        "monitor.yaml:2: limits.worker_memory: not a size: '" + "9" * 400 + "GB' (too large)",
    ),
    Bad(
        "worker timeout huge",
        "limits:\n  worker_timeout: 99999999999999w\n",
        "monitor.yaml:2: limits.worker_timeout: too long (maximum 1h)",
    ),
    Bad(
        "source every overflowing a date",
        "sources:\n  - id: a\n    feed: https://example.org/rss\n    every: 99999999999999w\n",
        "monitor.yaml:4: sources[0].every: too long (maximum 3660d)",
    ),
    Bad(
        "default jitter overflowing a date",
        "defaults:\n  jitter: 99999999999999w\n",
        "monitor.yaml:2: defaults.jitter: too long (maximum 3660d)",
    ),
    Bad(
        "source backfill overflowing a date",
        "sources:\n  - id: a\n    feed: https://example.org/rss\n    backfill: 99999999999999w\n",
        "monitor.yaml:4: sources[0].backfill: too long (maximum 3660d)",
    ),
    Bad(
        "delivery max_age overflowing a date",
        "delivery:\n  max_age: 99999999999999w\n",
        "monitor.yaml:2: delivery.max_age: too long (maximum 3660d)",
    ),
    Bad(
        "duration past any number",
        "http:\n  timeout: " + "9" * 400 + "s\n",
        "monitor.yaml:2: http.timeout: not a duration: '" + "9" * 400 + "s' (too long)",
    ),
    Bad(
        "digest cron that never fires",
        "channels:\n  c:\n    urls: json://localhost/hook\n    digest: 0 8 30 2 *\n",
        "monitor.yaml:4: channels.c.digest: cron expression never fires: '0 8 30 2 *'"
        " (no such date)",
    ),
    Bad(
        "topic digest cron that never fires",
        "timezone: UTC\n",
        "watchlists/w.yaml:4: topics[0].digest: cron expression never fires: '0 0 31 4 *'"
        " (no such date)",
        watchlists={"w.yaml": WATCHLIST + "    digest: 0 0 31 4 *\n"},
    ),
    Bad(
        "query nested too deeply",
        "timezone: UTC\n",
        "watchlists/w.yaml:3: topics[0].query: invalid query: nested too deeply (at most 50"
        " levels) (at position 50)",
        watchlists={
            "w.yaml": WATCHLIST.replace("Russia AND ASEAN", "'" + "(" * 200 + "a" + ")" * 200 + "'")
        },
    ),
    Bad(
        "query with a NOT chain",
        "timezone: UTC\n",
        "watchlists/w.yaml:3: topics[0].query: invalid query: nested too deeply (at most 50"
        " levels) (at position 211)",
        watchlists={"w.yaml": WATCHLIST.replace("ASEAN", "NOT " * 300 + "b")},
    ),
    Bad(
        "query with a title: chain",
        "timezone: UTC\n",
        "watchlists/w.yaml:3: topics[0].query: invalid query: nested too deeply (at most 50"
        " levels) (at position 300)",
        watchlists={"w.yaml": WATCHLIST.replace("Russia AND ASEAN", "title:" * 300 + "a")},
    ),
    Bad(
        "NEAR with thousands of digits",
        "timezone: UTC\n",
        "watchlists/w.yaml:3: topics[0].query: invalid query: NEAR needs a distance from 1 to"
        " 1000, e.g. NEAR/5 (at position 7)",
        watchlists={"w.yaml": WATCHLIST.replace("AND", "NEAR/" + "9" * 5000)},
    ),
    Bad(
        "query of one huge word",
        "timezone: UTC\n",
        "watchlists/w.yaml:3: topics[0].query: invalid query: query too long: 1000000 characters"
        " (at most 20000) (at position 20000)",
        watchlists={"w.yaml": WATCHLIST.replace("Russia AND ASEAN", "r" * 1_000_000)},
    ),
    Bad(
        "unterminated environment reference",
        "channels:\n  c:\n    urls: json://localhost/${UNSET\n",
        "monitor.yaml:3: channels.c.urls: unclosed ${ (write ${NAME})",
    ),
    Bad(
        "short web token on a non-loopback address",
        'web:\n  listen: "0.0.0.0:8080"\n  token: hunter2-hunter2\n',
        "monitor.yaml:3: web.token: the token is 15 characters; listening on 0.0.0.0 (not"
        " loopback) needs at least 16 (e.g. openssl rand -hex 32)",
    ),
    Bad(
        "short web token from the environment",
        'web:\n  listen: "192.168.1.5:8080"\n',
        "monitor.yaml:1: web.token: the token (MONITOR_WEB_TOKEN) is 7 characters; listening on"
        " 192.168.1.5 (not loopback) needs at least 16 (e.g. openssl rand -hex 32)",
        env={"MONITOR_WEB_TOKEN": "hunter2"},
    ),
    Bad(
        "web base_url with credentials",
        'web:\n  base_url: "https://alice:pw@example.org/monitor"\n',
        "monitor.yaml:2: web.base_url: the public URL has a user name or password; give it"
        " without (value not shown)",
    ),
    Bad(
        "feed URL with another scheme",
        "sources:\n  - id: a\n    feed: file:///etc/passwd\n",
        "monitor.yaml:3: sources[0].feed: only http:// and https:// URLs can be polled"
        " (not 'file')",
    ),
    Bad(
        "lone surrogate in a topic's query",
        "timezone: UTC\n",
        "watchlists/w.yaml:3: topics[0].query: the value is not text: a lone surrogate"
        " '\\ud800' at character 7 (write the character itself, not half of a UTF-16 pair)",
        watchlists={"w.yaml": 'topics:\n  - id: t1\n    query: "Russia\\uD800"\n'},
    ),
    Bad(
        "lone surrogate in a source's name",
        f'sources:\n  - id: a\n    name: "Src\\uDC00"\n    feed: {FEED}\n',
        "monitor.yaml:3: sources[0].name: the value is not text: a lone surrogate '\\udc00'"
        " at character 4 (write the character itself, not half of a UTF-16 pair)",
    ),
    Bad(
        "lone surrogate in a key",
        'http:\n  "time\\U0000DFFFout": 10s\n',
        "monitor.yaml:2: http: the key 'time\\udfffout' is not text: a lone surrogate"
        " '\\udfff' at character 5 (write the character itself, not half of a UTF-16 pair)",
    ),
    Bad(
        "feed URL port out of range",
        "sources:\n  - id: a\n    feed: https://example.org:99999/rss\n",
        "monitor.yaml:3: sources[0].feed: not a valid URL (the port must be a number from 1 to"
        " 65535)",
    ),
    Bad(
        "json:// channel port out of range, value not shown",
        "channels:\n  team:\n    urls: ['json://hunter2@example.org:99999/hook']\n",
        "monitor.yaml:3: channels.team.urls[0]: not a usable apprise URL: the port must be a"
        " number from 1 to 65535 (value not shown)",
    ),
]


def write_config(folder: Path, case: Bad) -> Path:
    (folder / "watchlists").mkdir()
    for name, text in case.watchlists.items():
        (folder / "watchlists" / name).write_text(text, encoding="utf-8")
    path = folder / "monitor.yaml"
    path.write_text(case.config, encoding="utf-8")
    return path


@pytest.mark.parametrize("case", BAD, ids=[case.name for case in BAD])
def test_bad_config_is_refused_with_file_line_and_key(tmp_path: Path, case: Bad) -> None:
    """Each bad config fails with exactly the expected message."""
    path = write_config(tmp_path, case)
    with pytest.raises(ConfigError) as caught:
        load_settings(path, case.env, full_checks())
    assert str(caught.value).replace(f"{tmp_path}/", "") == case.expected
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("section", "days"),
    [("", None), ("retention: {days: 30}\n", 30), ("retention:\n  days: off\n", None)],
)
def test_retention_is_off_unless_days_are_given(
    tmp_path: Path, section: str, days: int | None
) -> None:
    """No ``retention`` (or ``days: off``) keeps everything; ``days: N`` prunes at N days."""
    path = write_config(tmp_path, Bad("", "timezone: UTC\n" + section, ""))
    assert load_settings(path, {}, full_checks()).retention.days == days


def test_invalid_query_names_its_line_and_position(tmp_path: Path) -> None:
    """A query the matcher rejects becomes a ConfigError at the query's line, with the position."""
    from monitor.errors import QueryError
    from monitor.match import parse_query

    with pytest.raises(QueryError) as parsed:
        parse_query("(Russia AND")
    text = WATCHLIST.replace("Russia AND ASEAN", "'(Russia AND'") + "    name: Russia\n"
    path = tmp_path / "w.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_watchlist(path)
    assert (caught.value.file, caught.value.line, caught.value.key) == (
        str(path),
        3,
        "topics[0].query",
    )
    assert caught.value.reason == f"invalid query: {parsed.value.reason}"
    assert f"(at position {parsed.value.position})" in str(caught.value)


def test_unknown_concept_names_file_line_and_key(tmp_path: Path) -> None:
    """A {concept} that neither the shipped nor the user's lexicon knows is a ConfigError at the
    query's line; one that the user's lexicon defines is accepted."""
    (tmp_path / "watchlists").mkdir()
    (tmp_path / "watchlists" / "w.yaml").write_text(
        WATCHLIST.replace("Russia AND ASEAN", "Russia AND ({palm oil} OR {terorism})"),
        encoding="utf-8",
    )
    (tmp_path / "words.yaml").write_text(
        "concepts:\n  palm-oil:\n    en: [palm oil]\n", encoding="utf-8"
    )
    (tmp_path / "monitor.yaml").write_text("lexicon: words.yaml\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path / "monitor.yaml", {})
    expected = (str(tmp_path / "watchlists" / "w.yaml"), 3, "topics[0].query", True, True)
    assert expected == (
        caught.value.file,
        caught.value.line,
        caught.value.key,
        "unknown concept {terorism}" in caught.value.reason,
        "(at position 26)" in caught.value.reason,
    )


# --- the shipped config ------------------------------------------------------------------------


def test_shipped_config_loads_with_no_environment() -> None:
    """config/monitor.yaml loads on a fresh machine; its channel waits for MONITOR_ALERT_URL."""
    settings = load_settings(REPO / "config" / "monitor.yaml", {})
    assert settings.channels == ()
    assert settings.topics, "the shipped watchlists define topics"
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert all(topic.channels in (None, ()) for topic in settings.topics)


def test_shipped_sources_have_unique_ids_and_https_feeds() -> None:
    """Every shipped source has its own id and an https feed URL."""
    settings = load_settings(REPO / "config" / "monitor.yaml", {})
    ids = [source.id for source in settings.sources]
    assert len(ids) == len(set(ids)) >= 20
    assert [s.id for s in settings.sources if not s.url.startswith("https://")] == []


def test_shipped_channel_sends_once_the_variable_is_set() -> None:
    """With MONITOR_ALERT_URL set, `analysts` is enabled with that URL."""
    env = {"MONITOR_ALERT_URL": "json://localhost:8080/hook"}
    settings = load_settings(REPO / "config" / "monitor.yaml", env)
    assert [(c.name, c.urls, c.format) for c in settings.channels] == [
        ("analysts", ("json://localhost:8080/hook",), "markdown")
    ]


# --- a valid config: defaults, overrides, globs, channels --------------------------------------


def load_good(tmp_path: Path, env: dict[str, str]) -> tuple[Path, Settings]:
    folder = tmp_path / "good"
    shutil.copytree(DATA / "good", folder)
    return folder, load_settings(folder / "monitor.yaml", env)


def test_good_config_reads_every_section(tmp_path: Path) -> None:
    """Values given are read, values not given take the documented defaults."""
    _, settings = load_good(
        tmp_path,
        {"DESK_URL": "json://desk", "PAGER_URL": "tgram://123456789:abcdefghij_klmnop/12345"},
    )
    assert settings.database_url == "postgresql+psycopg://monitor@db.internal/monitor"
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.http == HttpSettings(
        user_agent="test-monitor/1.0 (+https://example.org)", timeout=60.0, max_bytes=512 * 1024
    )
    assert settings.delivery == DeliverySettings(retry_base=30.0)
    assert settings.sources == (
        SourceSettings(
            id="vnexpress-world",
            name="vnexpress-world",
            kind="feed",
            url="https://vnexpress.net/rss/the-gioi.rss",
            every=1200.0,
            jitter=60.0,
            language="vi",
            topics=("ru-vn",),
        ),
        SourceSettings(
            id="tass-en",
            name="TASS",
            kind="feed",
            url="http://tass.com/rss/v2.xml",
            every=5400.0,
            jitter=0.0,
            enabled=False,
            backfill=172800.0,
        ),
    )
    assert settings.channels == (
        ChannelSettings("desk", ("json://desk",)),
        ChannelSettings("pager", ("tgram://123456789:abcdefghij_klmnop/12345",), "html"),
    )


def test_watchlist_globs_are_relative_to_the_config_and_sorted(tmp_path: Path) -> None:
    """Files come in pattern order, sorted within a pattern; topics keep where they were defined."""
    folder, settings = load_good(tmp_path, {"DESK_URL": "json://desk"})
    assert settings.watchlist_files == (
        str(folder / "watchlists" / "a-vietnam.yaml"),
        str(folder / "watchlists" / "b-asean.yaml"),
        str(folder / "extra.yaml"),
    )
    assert [(t.id, Path(t.file).name, t.line) for t in settings.topics] == [
        ("ru-vn", "a-vietnam.yaml", 2),
        ("ru-asean", "b-asean.yaml", 2),
        ("myanmar", "extra.yaml", 2),
    ]


def test_disabled_channel_is_dropped_from_settings_and_topics(tmp_path: Path) -> None:
    """A channel whose ${VAR:-} URLs are all empty is left out, and topics stop naming it."""
    _, settings = load_good(tmp_path, {"DESK_URL": "json://desk"})
    assert [c.name for c in settings.channels] == ["desk"]
    assert {t.id: t.channels for t in settings.topics} == {
        "ru-vn": None,
        "ru-asean": ("desk",),
        "myanmar": (),
    }


def test_load_watchlist_reads_topics_with_defaults() -> None:
    """load_watchlist gives Topics with the matcher's default threshold and the examples."""
    from monitor.match import DEFAULT_THRESHOLD

    path = DATA / "good" / "watchlists" / "a-vietnam.yaml"
    (topic,) = load_watchlist(path)
    assert (topic.id, topic.name, topic.query, topic.threshold) == (
        "ru-vn",
        "ru-vn",
        "Russia AND Vietnam",
        0.5,
    )
    assert topic.examples_match == ("Russia and Vietnam sign a defence deal",)
    assert topic.examples_no_match == ("Vietnam beats Thailand",)
    (other,) = load_watchlist(DATA / "good" / "watchlists" / "b-asean.yaml")
    assert other.threshold == DEFAULT_THRESHOLD
    assert other.channels == ("desk", "pager")


def test_load_watchlist_does_not_check_channel_names() -> None:
    """Channel names need monitor.yaml; `monitor match --watchlist` has none, so they pass."""
    (topic,) = load_watchlist(DATA / "good" / "extra.yaml")
    assert topic.channels == ("pager",)


# --- database, environment, paths --------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "env", "expected"),
    [
        ("", {}, "sqlite:///data/monitor.db"),
        ("database: sqlite:////var/lib/monitor.db\n", {}, "sqlite:////var/lib/monitor.db"),
        ("database: postgresql://u@h/db\n", {}, "postgresql+psycopg://u@h/db"),
        ("database: postgres://u@h:5433/db\n", {}, "postgresql+psycopg://u@h:5433/db"),
        ("database: postgresql+psycopg://u@h/db\n", {}, "postgresql+psycopg://u@h/db"),
        (
            "database: postgresql://u:${PGPASSWORD}@h/db\n",
            {"PGPASSWORD": "s3cret"},
            "postgresql+psycopg://u:s3cret@h/db",
        ),
        # an '@' or '/' in a password percent-encoded, as libpq and SQLAlchemy expect
        ("database: postgresql://u:p%40s%2Fs@h/db\n", {}, "postgresql+psycopg://u:p%40s%2Fs@h/db"),
        ("database: sqlite:////srv/a@b/m.db\n", {}, "sqlite:////srv/a@b/m.db"),
        (
            "database: sqlite:///ignored.db\n",
            {"MONITOR_DATABASE_URL": "postgresql://env@h/db"},
            "postgresql+psycopg://env@h/db",
        ),
        ("", {"MONITOR_DATABASE_URL": ""}, "sqlite:///data/monitor.db"),
    ],
)
def test_database_url(tmp_path: Path, config: str, env: dict[str, str], expected: str) -> None:
    """The file's URL, the MONITOR_DATABASE_URL override, and postgresql -> psycopg 3."""
    path = tmp_path / "monitor.yaml"
    path.write_text(config + "timezone: UTC\n", encoding="utf-8")
    assert load_settings(path, env).database_url == expected


def test_a_feed_url_takes_its_key_from_the_environment(tmp_path: Path) -> None:
    """Found by an operator: ``?key=${FEEDKEY}`` was polled as written, and ``check`` passed
    with FEEDKEY unset; an unset one is now an error naming the source's key, not the value."""
    path = tmp_path / "monitor.yaml"
    feed = "sources:\n  - id: a\n    feed: https://example.org/rss?key=${FEEDKEY}\n"
    path.write_text(feed + "timezone: UTC\n", encoding="utf-8")
    [source] = load_settings(path, {"FEEDKEY": "k3y-from-env"}).sources
    assert source.url == "https://example.org/rss?key=k3y-from-env"
    with pytest.raises(ConfigError, match=r"monitor.yaml:3: sources\[0\].feed: environment "):
        load_settings(path, {})


def test_bad_database_url_in_environment_names_the_variable(tmp_path: Path) -> None:
    """A bad MONITOR_DATABASE_URL is reported under that name, without its value."""
    path = tmp_path / "monitor.yaml"
    path.write_text("timezone: UTC\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, {"MONITOR_DATABASE_URL": "mysql://u:hunter2@h/db"})
    assert str(caught.value) == (
        "MONITOR_DATABASE_URL: unsupported database URL ('mysql'): use sqlite:///path or postgresql://"
    )


def test_an_at_sign_in_the_database_password_from_the_environment_is_refused(
    tmp_path: Path,
) -> None:
    """MONITOR_DATABASE_URL with a raw '@' in its password is named, not shown (SQLAlchemy
    would have connected to 'ter2@db' as a host, and its error showed that part)."""
    path = tmp_path / "monitor.yaml"
    path.write_text("timezone: UTC\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, {"MONITOR_DATABASE_URL": "postgresql://u:hun@ter2@db/x"})
    assert str(caught.value).startswith("MONITOR_DATABASE_URL: the user name or password holds")
    assert "%40" in str(caught.value) and "ter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ("${A}", {"A": "x"}, "x"),
        ("json://${HOST}:${PORT}/hook", {"HOST": "h", "PORT": "80"}, "json://h:80/hook"),
        ("${A:-fallback}", {}, "fallback"),
        ("${A:-fallback}", {"A": ""}, "fallback"),
        ("${A:-fallback}", {"A": "set"}, "set"),
        ("${A:-}", {}, ""),
        ("no references, $HOME stays", {"HOME": "/root"}, "no references, $HOME stays"),
    ],
)
def test_interpolate(text: str, env: dict[str, str], expected: str) -> None:
    """${NAME} and ${NAME:-fallback} come from the environment given."""
    assert interpolate(text, env) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${A}", "environment variable A is not set"),
        ("${A", "unclosed ${ (write ${NAME})"),
        ("${A B}", "not an environment variable name: ${A B}"),
    ],
)
def test_interpolate_refuses(text: str, message: str) -> None:
    """Unset names, unclosed and malformed references are errors that name no value."""
    with pytest.raises(ValueError) as caught:
        interpolate(text, {"B": "secret"})
    assert str(caught.value) == message


def test_default_config_path() -> None:
    """MONITOR_CONFIG wins; otherwise config/monitor.yaml under the working directory."""
    assert default_config_path({}) == Path("config/monitor.yaml")
    assert default_config_path({"MONITOR_CONFIG": "/etc/monitor.yaml"}) == Path("/etc/monitor.yaml")


# --- durations and sizes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90.0),
        ("10m", 600.0),
        ("1h30m", 5400.0),
        ("1h 30m", 5400.0),
        ("2d", 172800.0),
        ("1w", 604800.0),
        ("1.5h", 5400.0),
        ("0s", 0.0),
        ("90", 90.0),
        (" 15m ", 900.0),
        (90, 90.0),
        (2.5, 2.5),
    ],
)
def test_parse_duration(text: str | int | float, seconds: float) -> None:
    """Units d/h/m/s/w, combined in that order, or a plain number of seconds."""
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text", ["", "ten minutes", "10 minutes", "500ms", "30m1h", "1m1m", "-5s", "10M", -1, True]
)
def test_parse_duration_refuses(text: str | int) -> None:
    """Anything else is a ValueError."""
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("10MB", 10 * 1024 * 1024),
        ("512KB", 512 * 1024),
        ("512kb", 512 * 1024),
        ("1GiB", 1024**3),
        ("1.5MB", 1572864),
        ("2048", 2048),
        (4096, 4096),
    ],
)
def test_parse_size(text: str | int, size: int) -> None:
    """KB/MB/GB are powers of 1024; a plain number is bytes."""
    assert parse_size(text) == size


# --- the YAML reader ---------------------------------------------------------------------------


def test_yaml_scalars_follow_the_core_schema(tmp_path: Path) -> None:
    """`no` and `1:30` stay strings, dates are not parsed; aliases expand; lines are recorded."""
    path = tmp_path / "x.yaml"
    path.write_text(
        "a: no\nb: 1:30\nc: 2024-01-01\nd: 0x1F\ne: ~\nf: &f {g: 1.5}\nh: *f\n", encoding="utf-8"
    )
    doc = read_yaml(path)
    assert doc.data == {
        "a": "no",
        "b": "1:30",
        "c": "2024-01-01",
        "d": 31,
        "e": None,
        "f": {"g": 1.5},
        "h": {"g": 1.5},
    }
    assert (doc.line("b"), doc.line("f.g"), doc.line("h.g"), doc.line("h.nope")) == (2, 6, 6, 7)


def test_yaml_file_over_the_size_cap_is_refused(tmp_path: Path) -> None:
    """Files over the cap are refused before parsing."""
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 2000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"big.yaml: file too large \(over 1000 bytes\)"):
        read_yaml(path, max_bytes=1000)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"timezone: UTC\n# caf\xe9\n", "w.yaml:2: not UTF-8 text at column 6 (byte 19)"),
        (b"# \xc3\xa9t\xc3\xa9\nx: \xff\n", "w.yaml:2: not UTF-8 text at column 4 (byte 11)"),
        (b"\xef\xbb\xbfa: \xe9\n", "w.yaml:1: not UTF-8 text at column 4 (byte 6)"),
    ],
)
def test_a_file_that_is_not_utf8_names_line_and_column(
    tmp_path: Path, raw: bytes, expected: str
) -> None:
    """The first byte that is not UTF-8 is shown at its line and column (characters, as an
    editor counts them), with its byte offset in the file."""
    path = tmp_path / "w.yaml"
    path.write_bytes(raw)
    with pytest.raises(ConfigError) as caught:
        read_yaml(path)
    assert f"{expected}: save the file as UTF-8" == str(caught.value).replace(f"{tmp_path}/", "")


@pytest.mark.parametrize(
    "text",
    ["", "# topics:\n#   - id: x\n#     query: x\n", "topics:\n#  - id: x\n#    query: x\n"],
)
def test_a_watchlist_with_every_topic_commented_out_holds_none(tmp_path: Path, text: str) -> None:
    """An empty or all-comments watchlist, or ``topics:`` with none left, is zero topics, not
    an error that would refuse the whole reload."""
    case = Bad("", "timezone: UTC\n", "", watchlists={"a.yaml": WATCHLIST, "b.yaml": text})
    settings = load_settings(write_config(tmp_path, case), {})
    expected = (["ru-asean"], 2)
    assert expected == ([t.id for t in settings.topics], len(settings.watchlist_files))


def test_a_failing_example_names_its_key_path_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``monitor check`` names a failing example by file, line and key path, once."""
    from monitor.cli import main

    watchlist = WATCHLIST + (
        "    examples:\n"
        "      match:\n"
        "        - Russia and ASEAN meet\n"
        "        - Kremlin hosts ASEAN\n"
        '      no_match: ["Russia, ASEAN"]\n'
    )
    path = write_config(tmp_path, Bad("", "timezone: UTC\n", "", watchlists={"a.yaml": watchlist}))
    assert main(["check", "--config", str(path)]) != 0
    expected = [
        "watchlists/a.yaml:7: topics[0].examples.match[1]: should match but the query is not"
        " satisfied: 'Kremlin hosts ASEAN'",
        "watchlists/a.yaml:8: topics[0].examples.no_match[0]: should not match but does:"
        " 'Russia, ASEAN'",
    ]
    assert expected == capsys.readouterr().err.replace(f"{tmp_path}/", "").splitlines()


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    """A config path that does not exist is reported as such."""
    with pytest.raises(ConfigError, match=r"nope\.yaml: cannot read: No such file or directory"):
        load_settings(tmp_path / "nope.yaml", {})


@pytest.mark.parametrize(
    ("selector", "problem"),
    [
        ("article h2 > a", None),
        ("a[href$='.html']", None),
        ("div.list li:nth-child(2n+1) a", None),
        ("div[", "not a valid CSS selector: 'div['"),
        ("a:nth-child(", "not a valid CSS selector: 'a:nth-child('"),
        ("<script>", "not a valid CSS selector: '<script>'"),
        ("  ", "empty CSS selector"),
    ],
)
def test_check_selector(selector: str, problem: str | None) -> None:
    """The validator listing-page sources use for their CSS selectors."""
    from monitor.config import check_selector

    assert check_selector(selector) == problem


def test_bad_selector_is_reported_at_file_line_and_key(tmp_path: Path) -> None:
    """A listing source's invalid selector fails at its file, line and key."""
    path = tmp_path / "monitor.yaml"
    path.write_text(
        "sources:\n  - id: a\n    listing: https://example.org/\n"
        "    selectors:\n      links: 'ul.news > li >'\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path, {})
    assert str(caught.value) == (
        f"{path}:5: sources[0].selectors.links: not a valid CSS selector: 'ul.news > li >'"
    )


def test_lexicon_files_and_expand_are_read(tmp_path: Path) -> None:
    """lexicon: files (relative to monitor.yaml) become Settings.lexicon; expand defaults on."""
    (tmp_path / "watchlists").mkdir()
    (tmp_path / "watchlists" / "w.yaml").write_text(
        WATCHLIST + "  - id: literal\n    query: Russia\n    expand: false\n", encoding="utf-8"
    )
    (tmp_path / "words.yaml").write_text(
        "concepts:\n  palm-oil:\n    en: [palm oil]\n    id: [sawit]\n", encoding="utf-8"
    )
    (tmp_path / "monitor.yaml").write_text("lexicon: words.yaml\n", encoding="utf-8")
    settings = load_settings(tmp_path / "monitor.yaml", {})
    assert settings.lexicon is not None
    expected = (["palm-oil"], [True, False])
    assert expected == (
        [c.id for c in settings.lexicon.concepts],
        [t.expand for t in settings.topics],
    )


def test_delivery_rules_are_read(tmp_path: Path) -> None:
    """Channel calm keys, topic digest and rate limit, and the delivery section's new keys."""
    (tmp_path / "watchlists").mkdir()
    (tmp_path / "watchlists" / "w.yaml").write_text(
        WATCHLIST + "    digest: '0 8 * * *'\n    max_per_hour: 3\n", encoding="utf-8"
    )
    config = tmp_path / "monitor.yaml"
    config.write_text(
        "delivery:\n  max_attempts: 7\n  max_age: 2h\n  dead_letter: ops\n  burst: 3\n"
        "channels:\n  ops:\n    urls: json://localhost\n"
        "  desk:\n    urls: tgram://123456789:abcdefghijklmnopqrstuvwxyz0123456789/12345\n"
        "    digest: '0 8 * * 1-5'\n    max_per_hour: 20\n"
        "    quiet: '22:00-07:00'\n    urgent_score: 0.8\n    max_length: 3000\n"
        "    max_title: 90\n",
        encoding="utf-8",
    )
    settings = load_settings(config, {})
    desk = settings.channels[1]
    assert (desk.digest, desk.max_per_hour, desk.urgent_score) == ("0 8 * * 1-5", 20, 0.8)
    assert desk.quiet == parse_quiet("22:00-07:00")
    assert (desk.max_length, desk.max_title) == (3000, 90)
    assert settings.delivery == DeliverySettings(
        max_attempts=7, max_age=7200.0, dead_letter="ops", burst=3
    )
    [topic] = settings.topics
    assert (topic.digest, topic.max_per_hour) == ("0 8 * * *", 3)


# --- issue 11: hostile files and values ------------------------------------------------------


def test_recursive_glob_through_a_symlink_loop_ends(tmp_path: Path) -> None:
    """A ``**`` glob through folders that link back to their parents reads each file once
    (``glob`` followed the loop until the path was too long, and ``check`` hung)."""
    nested = tmp_path / "watchlists" / "desk"
    nested.mkdir(parents=True)
    (nested / "loop").symlink_to(tmp_path / "watchlists")
    (tmp_path / "watchlists" / "again").symlink_to(tmp_path / "watchlists")
    (nested / "w.yaml").write_text(WATCHLIST, encoding="utf-8")
    (tmp_path / "watchlists" / ".hidden.yaml").write_text("not: [yaml", encoding="utf-8")
    config = tmp_path / "monitor.yaml"
    config.write_text('watchlists: ["watchlists/**/*.yaml"]\n', encoding="utf-8")
    settings = load_settings(config, {})
    assert [t.id for t in settings.topics] == ["ru-asean"]
    assert len(settings.watchlist_files) == 1


def test_a_digest_schedule_that_never_fires_sends_rather_than_holds() -> None:
    """A stored config from before the check may hold "30 February": its digests go out at
    once instead of never (the daemon used to fail an assertion and deliver nothing)."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from monitor.deliver.schedule import digest_due, next_fire

    now = datetime(2026, 3, 1, tzinfo=UTC)
    assert next_fire("0 8 30 2 *", now, ZoneInfo("UTC")) is None
    assert digest_due("0 8 30 2 *", now, now, ZoneInfo("UTC"))
    assert not digest_due("0 8 29 2 *", now, now, ZoneInfo("UTC"))  # 2028-02-29 comes


def test_lexicon_lookup_of_a_huge_word_is_linear() -> None:
    """A 1 MB one-word term is looked up (no match) without slicing every prefix of it."""
    from monitor.match import lexicon_for
    from monitor.match.query import parse_form

    lexicon = lexicon_for(None)
    assert lexicon.lookup(parse_form("r" * 1_000_000)) == ()


# --- what YAML does to a query its writer meant otherwise ---------------------------------------

_BLOCK = "write it as a block (query: > on its own line, the value on the next line, indented)"
_QUOTE_ENDS = "a quote, and a value that starts with a quote ends at its closing quote"
_PHRASE_LOST = (
    "invalid query: missing operator between terms: write AND or OR, or quote a phrase"
    " (at position 5); YAML took the quotes around this value as its own: to search the"
    " phrase, write query: '\"palm oil\"'"
)
YAML_SLIPS = [
    (
        "a value that goes on after its closing quote",
        '    query: "rice exports" OR "beras impor"\n',
        "w.yaml:3: query: YAML syntax error: expected <block end>, but found '<scalar>'; the"
        f" value of query starts with {_QUOTE_ENDS}: {_BLOCK} or wrap the whole value in single"
        """ quotes (query: '"rice exports" OR "beras impor"')""",
    ),
    (
        "the same, going on on the next line",
        '    query: "rice exports"\n      OR "beras impor"\n',
        "w.yaml:4: query: YAML syntax error: expected <block end>, but found '<scalar>'; the"
        f" value of query (line 3) starts with {_QUOTE_ENDS}: {_BLOCK} or wrap the whole value"
        """ in single quotes (query: '"a b" OR c')""",
    ),
    (
        "the same in a flow mapping",
        '    name: x\n  - {id: b, query: "rice exports" OR beras}\n',
        "w.yaml:4: query: YAML syntax error: expected ',' or '}', but got '<scalar>'; the value"
        f" of query starts with {_QUOTE_ENDS}: {_BLOCK} or wrap the whole value in single"
        """ quotes (query: '"a b" OR c')""",
    ),
    (
        "a quote never closed",
        '    query: "rice exports OR beras\n',
        "w.yaml:4: query: YAML syntax error: found unexpected end of stream; the value of query"
        f" (line 3) starts with a quote that is never closed: {_BLOCK} or wrap the whole value"
        """ in single quotes (query: '"a b" OR c')""",
    ),
    (
        "': ' in a plain value",
        "    query: title: Putin AND Vietnam\n",
        "w.yaml:3: query: YAML syntax error: mapping values are not allowed here; a value with"
        " ': ' in it must be quoted (query: 'title: Putin AND Vietnam') or written as a block"
        " (query: > on its own line, the value on the next line, indented), or write"
        " title:Putin without the space",
    ),
    (
        "'#' starts a comment",
        "    query: #MeToo OR harassment\n",
        "w.yaml:3: topics[0].query: expected a string, got nothing; '#' starts a YAML comment,"
        " so query is empty: write the value in quotes (query: '#MeToo OR harassment') or as a"
        " block (query: > on its own line, the value on the next line, indented)",
    ),
    (
        "a phrase in double quotes",
        '    query: "palm oil"\n',
        f"w.yaml:3: topics[0].query: {_PHRASE_LOST}",
    ),
    (
        "a phrase in single quotes",
        "    query: 'palm oil'\n",
        f"w.yaml:3: topics[0].query: {_PHRASE_LOST}",
    ),
    (
        "no quotes, no word on quotes",
        "    query: palm oil\n",
        "w.yaml:3: topics[0].query: invalid query: missing operator between terms: write AND or"
        " OR, or quote a phrase (at position 5)",
    ),
    (
        "a query with quotes of its own: the value's quotes were YAML's",
        """    query: '"palm oil" crude'\n""",
        "w.yaml:3: topics[0].query: invalid query: missing operator between terms: write AND or"
        " OR, or quote a phrase (at position 11)",
    ),
    (
        "an empty value without '#': no word on comments",
        "    query:\n",
        "w.yaml:3: topics[0].query: expected a string, got nothing",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in YAML_SLIPS], ids=[c[0] for c in YAML_SLIPS]
)
def test_what_yaml_does_to_a_query_is_explained(tmp_path: Path, text: str, expected: str) -> None:
    """A query YAML read otherwise than its writer meant fails with the key and what to write."""
    path = tmp_path / "w.yaml"
    path.write_text("topics:\n  - id: a\n" + text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_watchlist(path)
    assert expected == str(caught.value).replace(f"{tmp_path}/", "")


def test_a_query_in_another_syntax_says_what_to_write(tmp_path: Path) -> None:
    """The watchlist's error for ``rice && exports`` is the hint, at the query's line and key."""
    path = tmp_path / "w.yaml"
    path.write_text("topics:\n  - id: a\n    query: rice && exports\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_watchlist(path)
    expected = "w.yaml:3: topics[0].query: invalid query: '&&' is not an operator here: write AND"
    assert expected + " (at position 5)" == str(caught.value).replace(f"{tmp_path}/", "")


@pytest.mark.parametrize(
    ("config", "names", "expected"),
    [
        (
            'watchlists: ["watchlists/*.yaml"]\n',
            ["nickel.yml"],
            ["monitor.yaml:1: watchlists[0]: watchlists/*.yaml matches no watchlist file:"
             " watchlists/nickel.yml is not matched by watchlists/*.yaml"],
        ),
        (
            "timezone: UTC\n",  # the default pattern: no line, the key it stands for
            [],
            ["monitor.yaml: watchlists: watchlists/*.yaml matches no watchlist file"],
        ),
        (
            "watchlists: watchlists/*.yml\n",
            ["a.yaml", "b.yml"],
            ["monitor.yaml:1: watchlists: watchlists/a.yaml is not matched by watchlists/*.yml:"
             " its topics are not read (rename it, or add a pattern for it)"],
        ),
        ("watchlists: [watchlists/*.yaml, watchlists/*.yml]\n", ["a.yaml", "b.yml"], []),
        ("watchlists: []\n", ["a.yaml"], []),
    ],
)  # fmt: skip
def test_a_watchlist_pattern_that_misses_a_file_is_a_warning(
    tmp_path: Path, config: str, names: list[str], expected: list[str]
) -> None:
    """Found by a tester: ``nickel.yaml`` renamed ``nickel.yml`` under ``watchlists/*.yaml``
    dropped every topic without a word. A pattern that matches no file, or leaves out a file
    with the other YAML extension, is a warning naming where it is written and the file."""
    watchlists = {name: WATCHLIST.replace("ru-asean", Path(name).stem) for name in names}
    path = write_config(tmp_path, Bad("", config, "", watchlists=watchlists))
    settings = load_settings(path, {})
    assert expected == [str(w).replace(f"{tmp_path}/", "") for w in settings.watchlist_warnings]


def test_a_reload_to_no_topics_is_refused_only_when_a_pattern_found_no_file(
    tmp_path: Path,
) -> None:
    """A reload from some topics to none because a pattern now matches no file is refused (a
    watchlist renamed by mistake); none left by ``watchlists: []`` (stopped on purpose), or
    none before, is applied."""
    from monitor.config import refused_reload

    case = Bad("", "timezone: UTC\n", "", {"a.yaml": WATCHLIST})
    running = load_settings(write_config(tmp_path, case), {})
    (tmp_path / "watchlists" / "a.yaml").rename(tmp_path / "watchlists" / "a.yml")
    renamed = load_settings(tmp_path / "monitor.yaml", {})
    (tmp_path / "monitor.yaml").write_text("watchlists: []\n")
    stopped = load_settings(tmp_path / "monitor.yaml", {})
    refusal = refused_reload(running, renamed)
    expected = (
        "the reload would stop 1 of 1 topics: watchlists/*.yaml matches no watchlist file:"
        " watchlists/a.yml is not matched by watchlists/*.yaml (to stop topics on purpose,"
        " comment them out or take the pattern out of `watchlists`)",
        None,
        None,
    )
    assert expected == (refusal, refused_reload(running, stopped), refused_reload(renamed, renamed))


def _topics(*ids: str) -> str:
    return "topics:\n" + "".join(f"  - id: {i}\n    query: {i}\n" for i in ids)


def _rename(old: str, new: str) -> Callable[[Path], object]:
    return lambda folder: (folder / old).rename(folder / new)


def _write(name: str, text: str) -> Callable[[Path], object]:
    return lambda folder: (folder / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_rename("wl/main.yaml", "wl/main.yml"),
         "the reload would stop 4 of 5 topics: wl/*.yaml matches no watchlist file: wl/main.yml"
         " is not matched by wl/*.yaml (to stop topics on purpose, comment them out or take the"
         " pattern out of `watchlists`)"),
        (_write("monitor.yaml", "watchlists: [wl2/*.yaml]\n"), None),  # the pattern taken out
        (_write("monitor.yaml", "watchlists: []\n"), None),
        (_write("wl/main.yaml", _topics("a")), None),  # fewer topics, the file still matched
        (_write("wl/main.yaml", "# topics:\n"), None),  # all commented out
        (_rename("wl/main.yaml", "wl/other.yaml"), None),  # renamed, still matched
        (_rename("wl2/x.yaml", "wl/x.yaml"), None),  # moved where another pattern reads it
    ],
    ids=["renamed-yml", "pattern-removed", "no-patterns", "fewer-topics", "all-commented",
         "renamed-still-matched", "moved-to-other-pattern"],
)  # fmt: skip
def test_a_reload_is_refused_when_a_pattern_that_read_topics_matches_no_file(
    tmp_path: Path, edit: Callable[[Path], object], expected: str | None
) -> None:
    """Found by a tester: with ``watchlists: [wl/*.yaml, wl2/*.yaml]``, renaming
    ``wl/main.yaml`` to ``main.yml`` reloaded with 1 topic of 5 and a warning. A pattern that
    read topics and now matches no file refuses the reload even with topics left; stopping
    topics on purpose (fewer topics, the pattern taken out, ``watchlists: []``) applies."""
    from monitor.config import refused_reload

    (tmp_path / "wl").mkdir()
    (tmp_path / "wl2").mkdir()
    (tmp_path / "wl" / "main.yaml").write_text(_topics("a", "b", "c", "d"), encoding="utf-8")
    (tmp_path / "wl2" / "x.yaml").write_text(_topics("e"), encoding="utf-8")
    (tmp_path / "monitor.yaml").write_text("watchlists: [wl/*.yaml, wl2/*.yaml]\n")
    running = load_settings(tmp_path / "monitor.yaml", {})
    edit(tmp_path)
    assert expected == refused_reload(running, load_settings(tmp_path / "monitor.yaml", {}))


@pytest.mark.parametrize(
    ("name", "code"),
    [("indonesian", "id"), ("Bahasa Indonesia", "id"), ("malay", "ms"), ("Bahasa Melayu", "ms"),
     ("Vietnamese", "vi"), ("Tiếng Việt", "vi"), ("russian", "ru"), ("Русский", "ru"),
     ("English", "en"), ("thai", "th"), ("Chinese", "zh"), ("français", "fr"),
     ("Spanish", "es"), ("Deutsch", "de"), ("Portuguese", "pt"), ("italiano", "it")],
)  # fmt: skip
def test_a_language_written_by_its_name_says_its_code(tmp_path: Path, name: str, code: str) -> None:
    """Found by a tester: ``language: indonesian`` was refused with "use ISO 639-1 such as
    'id', 'ru'". A name in English or in the language itself says which code to write."""
    config = f"sources:\n  - id: a\n    feed: {FEED}\n    language: {name}\n"
    path = write_config(tmp_path, Bad("", config, ""))
    with pytest.raises(ConfigError) as caught:
        load_settings(path, {})
    assert caught.value.reason.endswith(f"(write {code!r})")


#: the keys where ``${NAME}`` is read from the environment (the ones that may hold a secret)
SUBSTITUTED = ("database", "feed/listing/sitemap", "urls", "web.token", "web.feed_token")


def test_environment_substitution_is_where_the_docs_say(tmp_path: Path) -> None:
    """``${NAME}`` is replaced in the keys the shipped header and the README name, and only
    there: ``web.listen: "127.0.0.1:${PORT}"`` is an error, as the header now says."""
    (tmp_path / "watchlists").mkdir()
    env = {"DB": "sqlite:///x.db", "HOST": "wire.example", "HOOK": "json://desk", "PORT": "80",
           "TOKEN": "a-web-token-of-16-chars", "FEED": "a-feed-token-16-chars"}  # fmt: skip
    config = tmp_path / "monitor.yaml"
    config.write_text(
        "database: ${DB}\n"
        "sources:\n  - {id: wire, feed: 'https://${HOST}/feed'}\n"
        "channels:\n  desk: {urls: ['${HOOK}']}\n"
        "web: {listen: '127.0.0.1:8080', token: '${TOKEN}', feed_token: '${FEED}'}\n",
        encoding="utf-8",
    )
    settings = load_settings(config, env)
    assert settings.database_url == "sqlite:///x.db"
    assert settings.sources[0].url == "https://wire.example/feed"
    assert settings.channels[0].urls == ("json://desk",)
    assert (settings.web.token, settings.web.feed_token) == (env["TOKEN"], env["FEED"])
    config.write_text("web: {listen: '127.0.0.1:${PORT}'}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"web\.listen"):
        load_settings(config, env)
    header = (REPO / "config" / "monitor.yaml").read_text(encoding="utf-8").split("\n\n")[0]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "ONLY in the keys that may hold a secret" in header
    for key in SUBSTITUTED:
        assert key in " ".join(header.split()), key
    said = "only in `database`, a source's `feed`, `listing` or `sitemap` URL, a channel's `urls`,"
    assert said in readme and "`web.token` and `web.feed_token`" in readme
