"""The ``sources`` and ``defaults`` sections: what to poll, how often, and how.

Owns: one source entry (id, kind and URL, intervals, language, topics, follow, listing selectors,
robots, private networks it may reach), the defaults a source that does not say gets, and
``check_selector`` (is a CSS selector one the page reader accepts).
Does not own: which topics exist (read from the watchlists by ``load``), polling itself
(``monitor.pipeline``), parsing a listing with the selectors (``monitor.sources.listing``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Any
from urllib.parse import SplitResult, urlsplit

from monitor.config import readers as read
from monitor.config.settings import (
    MIN_EVERY,
    SOURCE_KINDS,
    ListingSelectors,
    SourceKind,
    SourceSettings,
)
from monitor.langtag import language_error
from monitor.yamlsafe import At

_SOURCE_KEYS = ["id", "name", *SOURCE_KINDS, "every", "jitter", "language", "topics", "enabled",
                "backfill", "follow", "max_follow", "selectors", "respect_robots",
                "allow_networks"]  # fmt: skip
_SELECTOR_KEYS = ["links", "title", "date"]


@dataclass(frozen=True, slots=True)
class SourceDefaults:
    """What a source that does not say gets."""

    every: float = 900.0
    jitter: float = 60.0
    #: the shortest ``every`` allowed (``MIN_EVERY`` unless a test lowers it)
    min_every: float = MIN_EVERY
    follow: bool = True
    max_follow: int = 20


def read_defaults(at: At | None, min_every: float = MIN_EVERY) -> SourceDefaults:
    readers: dict[str, Callable[[At], Any]] = {
        "every": lambda a: read.duration(a, minimum=min_every),
        "jitter": read.duration,
        "follow": At.boolean,
        "max_follow": _max_follow,
    }
    return replace(SourceDefaults(min_every=min_every), **read.section(at, readers))


# --- sources -----------------------------------------------------------------------------------


def read_sources(
    at: At | None, defaults: SourceDefaults, topics: set[str], env: Mapping[str, str]
) -> tuple[SourceSettings, ...]:
    """The ``sources`` list with ``defaults`` applied; ids unique, topics known; ``${NAME}`` in
    a URL from ``env`` (a feed's ``?api_key=`` belongs in the environment)."""
    if at is None:
        return ()
    sources: list[SourceSettings] = []
    first_line: dict[str, int | None] = {}
    for item in at.items():
        source = _source(item, defaults, topics, env)
        if source.id in first_line:
            item.child("id").fail(
                f"duplicate source id {source.id!r} (first at line {first_line[source.id]})"
            )
        first_line[source.id] = item.doc.line(item.path)
        sources.append(source)
    return tuple(sources)


def _source(
    at: At, defaults: SourceDefaults, topics: set[str], env: Mapping[str, str]
) -> SourceSettings:
    fields = at.mapping(_SOURCE_KEYS)
    source_id = read.identifier(read.required(at, fields, "id"))
    kind = _source_kind(at, fields)
    get = fields.get
    return SourceSettings(
        id=source_id,
        name=read.optional(get("name"), read.text, source_id),
        kind=kind,
        url=_http_url(fields[kind], env),
        every=read.optional(
            get("every"), lambda a: read.duration(a, minimum=defaults.min_every), defaults.every
        ),
        jitter=read.optional(get("jitter"), read.duration, defaults.jitter),
        language=read.optional(get("language"), _language, None),
        topics=read.optional(get("topics"), lambda a: _topic_refs(a, topics), None),
        enabled=read.optional(get("enabled"), At.boolean, True),
        backfill=read.optional(get("backfill"), read.duration, None),
        follow=read.optional(get("follow"), At.boolean, defaults.follow),
        max_follow=read.optional(get("max_follow"), _max_follow, defaults.max_follow),
        selectors=read.optional(get("selectors"), lambda a: _selectors(a, kind), None),
        respect_robots=read.optional(get("respect_robots"), At.boolean, True),
        allow_networks=read.optional(get("allow_networks"), _networks, ()),
    )


def _max_follow(at: At) -> int:
    return at.integer(1, 1000)


def _selectors(at: At, kind: SourceKind) -> ListingSelectors:
    if kind != "listing":
        at.fail("selectors apply to listing sources only")
    fields = at.mapping(_SELECTOR_KEYS)
    get = fields.get
    return ListingSelectors(
        links=_css(read.required(at, fields, "links")),
        title=read.optional(get("title"), _css, None),
        date=read.optional(get("date"), _css, None),
    )


def _css(at: At) -> str:
    """A CSS selector that selectolax (Lexbor) accepts: checked now, not at the first poll."""
    selector = read.one_line(at)
    problem = check_selector(selector)
    if problem:
        at.fail(problem)
    return selector.strip()


def _source_kind(at: At, fields: dict[str, At]) -> SourceKind:
    kinds = [kind for kind in SOURCE_KINDS if kind in fields]
    if not kinds:
        at.fail(f"missing required key {' or '.join(map(repr, SOURCE_KINDS))} (the URL to poll)")
    if len(kinds) > 1:
        at.fail(f"give only one of: {', '.join(kinds)}")
    return kinds[0]


def _http_url(at: At, env: Mapping[str, str]) -> str:
    url = read.expand(at, env).strip()
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
    if not _port_ok(parts):
        at.fail("not a valid URL (the port must be a number from 1 to 65535)")
    return url


def _port_ok(parts: SplitResult) -> bool:
    """No port, or one a connection can use (``:99999`` passed and failed every poll)."""
    try:
        return parts.port != 0
    except ValueError:  # out of range, or not a number
        return False


def _language(at: At) -> str:
    """A code ``primary_subtag`` keeps as it is: another would be no language for a feed's
    items (``eng``) while a listing's carried it as written."""
    code = at.string()
    problem = language_error(code)
    if problem is not None:
        at.fail(problem)
    return code


def _topic_refs(at: At, topics: set[str]) -> tuple[str, ...]:
    for item in at.items():
        if item.string() not in topics:
            item.fail(f"unknown topic {item.value!r} ({read.known('topics', topics)})")
    return at.strings()


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
