"""The ``channels`` and ``delivery`` sections: where matches go, and how delivery is paced.

Owns: one channel (apprise URLs after ``${ENV}``, a channel with none left is disabled, format,
digest, rate limit, quiet hours, message lengths), the delivery job's retry and dead-letter rules.
Error messages here never show a URL: URLs hold secrets.
Does not own: which channels topics name (``watchlists``), what the rules do at run time
(``monitor.deliver``), sending (``monitor.notify``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from monitor.config import readers as read
from monitor.config.settings import ChannelSettings, Checks, DeliverySettings
from monitor.vocab import MESSAGE_FORMATS, MessageFormat, Quiet, parse_quiet
from monitor.yamlsafe import At

_CHANNEL_KEYS = ("urls", "format", "digest", "max_per_hour", "quiet", "urgent_score",
                 "max_length", "max_title")  # fmt: skip

_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


# --- channels ----------------------------------------------------------------------------------


def read_channels(
    at: At | None, env: Mapping[str, str], checks: Checks
) -> tuple[tuple[ChannelSettings, ...], set[str]]:
    """The enabled channels, and the names of those disabled for want of a URL."""
    if at is None:
        return (), set()
    enabled, disabled = [], set()
    for name, entry in at.mapping().items():
        if not read.ID.fullmatch(name):
            entry.fail("channel names use a-z, 0-9, - and _, starting with a letter or digit")
        channel = _channel(name, entry, env, checks)
        if channel.urls:
            enabled.append(channel)
        else:
            disabled.add(name)
    return tuple(enabled), disabled


def _channel(name: str, at: At, env: Mapping[str, str], checks: Checks) -> ChannelSettings:
    fields = at.mapping(_CHANNEL_KEYS)
    items = read.string_or_list(read.required(at, fields, "urls"))
    if not items:
        fields["urls"].fail("give at least one URL")
    urls = tuple(url for url in (_apprise_url(item, env, checks.url) for item in items) if url)
    get = fields.get
    return ChannelSettings(
        name=name,
        urls=urls,
        format=read.optional(get("format"), _message_format, "text"),
        digest=read.optional(get("digest"), lambda a: read.cron(a, checks.cron), None),
        max_per_hour=read.optional(get("max_per_hour"), lambda a: a.integer(1, 100_000), None),
        quiet=read.optional(get("quiet"), _quiet, None),
        urgent_score=read.optional(get("urgent_score"), lambda a: a.number(0.0, 1.0), None),
        max_length=read.optional(get("max_length"), lambda a: a.integer(200, 1_000_000), None),
        max_title=read.optional(get("max_title"), lambda a: a.integer(10, 1000), None),
    )


# --- delivery rules (quiet hours, dead letters) ------------------------------------------------


def read_delivery(at: At | None) -> DeliverySettings:
    readers: dict[str, Callable[[At], Any]] = dict.fromkeys(
        ("every", "retry_base", "retry_max", "max_age"), read.positive_duration
    )
    readers |= {
        "max_attempts": lambda a: a.integer(1, 10_000),
        "dead_letter": _channel_ref,
        "burst": lambda a: a.integer(0, 1000),
    }
    given = read.section(at, readers)
    settings = replace(DeliverySettings(), **given)
    if "retry_max" not in given and settings.retry_max < settings.retry_base:
        settings = replace(settings, retry_max=settings.retry_base)  # the default gives way
    if settings.retry_max < settings.retry_base and at is not None:
        at.child("retry_max" if "retry_max" in at.mapping() else "retry_base").fail(
            "retry_max must not be shorter than retry_base"
        )
    return settings


def _quiet(at: At) -> Quiet:
    try:
        return parse_quiet(at.string())
    except ValueError as e:
        at.fail(str(e))


def _channel_ref(at: At) -> str:
    value = at.string()
    if not read.ID.fullmatch(value):
        at.fail(f"not a channel name: {value!r}")
    return value


def check_dead_letter(at: At | None, delivery: DeliverySettings, channels: set[str]) -> None:
    """``delivery.dead_letter`` names a channel that exists (enabled or disabled)."""
    if at is not None and delivery.dead_letter is not None and delivery.dead_letter not in channels:
        at.child("dead_letter").fail(
            f"unknown channel {delivery.dead_letter!r} ({read.known('channels', channels)})"
        )


def _apprise_url(at: At, env: Mapping[str, str], problem: Callable[[str], str | None]) -> str:
    url = read.expand(at, env).strip()
    if url and not _URL_SCHEME.match(url):
        at.fail("not a notification URL (expected scheme://...; value not shown)")
    found = problem(url) if url else None
    if found:
        at.fail(f"{found} (value not shown)")
    return url


def _message_format(at: At) -> MessageFormat:
    value = at.string()
    for known in MESSAGE_FORMATS:
        if value == known:
            return known
    at.fail(f"unknown format {value!r} (use one of: {', '.join(MESSAGE_FORMATS)})")
