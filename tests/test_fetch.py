"""The fetcher against a real HTTP server on loopback: conditional GET, limits, failure kinds."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from monitor.config import HttpSettings
from monitor.errors import FetchError
from monitor.fetch import Fetcher, freshness_seconds, retry_after_seconds
from monitor.types import Validators
from tests.feedserver import FeedServer, Route, running_feed_server

# deadlines no loopback answer comes near, however busy the machine (the deadline test has its own)
SETTINGS = HttpSettings(
    user_agent="monitor-tests (+https://example.org/contact)",
    timeout=60.0,
    connect_timeout=30.0,
    max_bytes=64 * 1024,
    max_redirects=3,
    per_host_interval=0.0,
    allow_private_networks=True,  # the test server is on loopback
)
NOW = datetime(2021, 12, 7, 13, 33, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with running_feed_server() as running:
        yield running


def fetch(url: str, validators: Validators = Validators(), settings: HttpSettings = SETTINGS):
    async def go():
        fetcher = Fetcher(settings)
        try:
            return await fetcher.fetch(url, validators)
        finally:
            await fetcher.aclose()

    return asyncio.run(go())


def fetch_error(url: str, settings: HttpSettings = SETTINGS) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch(url, settings=settings)
    return caught.value


def test_ok_returns_body_validators_and_user_agent(server: FeedServer) -> None:
    """A 200 carries the body, its ETag/Last-Modified, and we sent our User-Agent."""
    url = server.serve("/feed.xml", b"<rss/>")
    got = fetch(url)
    assert (got.status, got.content, got.not_modified) == (200, b"<rss/>", False)
    assert got.validators.etag and got.validators.last_modified
    assert server.requests_to("/feed.xml")[0].headers["User-Agent"] == SETTINGS.user_agent


def test_conditional_get_gives_not_modified(server: FeedServer) -> None:
    """Stored validators are sent back, and a 304 is a value with no body."""
    url = server.serve("/feed.xml", b"<rss/>")
    first = fetch(url)
    second = fetch(url, first.validators)
    assert (second.status, second.not_modified, second.content) == (304, True, b"")
    sent = server.requests_to("/feed.xml")[1].headers
    assert sent["If-None-Match"] == first.validators.etag
    assert sent["If-Modified-Since"] == first.validators.last_modified


def test_gzip_body_is_decoded(server: FeedServer) -> None:
    """A gzip-encoded body arrives decoded."""
    url = server.serve("/gz.xml", b"<rss>" + b"x" * 1000 + b"</rss>", gzip=True)
    assert fetch(url).content.startswith(b"<rss>xxx")


def test_gzip_bomb_is_too_large(server: FeedServer) -> None:
    """The size cap applies to the decoded body: a small gzip of a huge body is refused."""
    url = server.serve("/bomb.xml", b"\0" * (10 * 1024 * 1024), gzip=True)
    assert fetch_error(url).kind == "too_large"


def test_declared_huge_body_is_too_large(server: FeedServer) -> None:
    """A Content-Length over the cap is refused before reading."""
    url = server.serve("/huge.xml", b"y" * (SETTINGS.max_bytes + 1))
    assert fetch_error(url).kind == "too_large"


def test_slow_drip_hits_the_total_deadline(server: FeedServer) -> None:
    """A server that drips bytes cannot hold a fetch past the total deadline."""
    url = server.route("/drip.xml", Route(body=b"<rss>" + b" " * 100 + b"</rss>", drip=0.05))
    settings = HttpSettings(
        user_agent="t", timeout=0.5, connect_timeout=0.5, allow_private_networks=True
    )
    assert fetch_error(url, settings).kind == "timeout"


@pytest.mark.parametrize("status", [403, 404, 410, 500, 503])
def test_http_errors_are_classified(server: FeedServer, status: int) -> None:
    """A 4xx/5xx is an ``http`` error carrying its status."""
    url = server.route("/err", Route(status=status))
    error = fetch_error(url)
    assert (error.kind, error.status) == ("http", status)


def test_429_carries_retry_after(server: FeedServer) -> None:
    """Retry-After on a 429 reaches the error."""
    url = server.route("/busy", Route(status=429, headers=(("Retry-After", "120"),)))
    assert fetch_error(url).retry_after == 120.0


def test_redirects_are_followed_and_permanence_is_reported(server: FeedServer) -> None:
    """301 then 200: the final URL and ``moved_permanently`` are reported."""
    final = server.serve("/new.xml", b"<rss/>")
    start = server.route("/old.xml", Route(status=301, headers=(("Location", "/new.xml"),)))
    got = fetch(start)
    assert (got.url, got.moved_permanently) == (final, True)


def test_temporary_redirect_is_not_permanent(server: FeedServer) -> None:
    """A 302 anywhere in the chain means the move is not permanent."""
    server.serve("/c.xml", b"<rss/>")
    server.route("/b.xml", Route(status=302, headers=(("Location", "/c.xml"),)))
    start = server.route("/a.xml", Route(status=301, headers=(("Location", "/b.xml"),)))
    assert fetch(start).moved_permanently is False


def test_redirect_loop_is_bounded(server: FeedServer) -> None:
    """A redirect loop ends as a ``redirects`` error."""
    url = server.route("/loop", Route(status=302, headers=(("Location", "/loop"),)))
    assert fetch_error(url).kind == "redirects"


def test_redirect_to_file_scheme_is_blocked(server: FeedServer) -> None:
    """A redirect to file:// is never followed."""
    url = server.route("/evil", Route(status=302, headers=(("Location", "file:///etc/passwd"),)))
    assert fetch_error(url).kind == "blocked"


@pytest.mark.parametrize(
    ("location", "detail"),
    [
        ("http://0177.0.0.2:8080/", "Invalid IPv4 address"),
        ("http://[::1", "Invalid port"),
        ("http://[::1/x", "Invalid port"),
        ("http://feeds.test/" + "x" * 100_000, "URL too long"),
    ],
)
def test_unparseable_redirect_is_blocked(server: FeedServer, location: str, detail: str) -> None:
    """A Location httpx cannot parse is a ``blocked`` redirect (nothing was sent there), not
    broken HTTP; httpx's reason is kept, bounded."""
    url = server.route("/odd", Route(status=302, headers=(("Location", location),)))
    error = fetch_error(url)
    prefix = "blocked: redirect to a URL that does not parse (" + detail
    assert (error.kind, str(error).startswith(prefix)) == ("blocked", True), str(error)[:300]
    assert len(str(error)) < 300


def test_refused_connection_is_connect() -> None:
    """Nothing listening: a ``connect`` error."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert fetch_error(f"http://127.0.0.1:{port}/feed").kind == "connect"


def test_unresolvable_host_is_dns() -> None:
    """A name that cannot resolve (the .invalid TLD is reserved) is a ``dns`` error."""
    assert fetch_error("http://no-such-host.invalid/feed").kind == "dns"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("30", 30.0),
        ("Tue, 07 Dec 2021 13:35:00 GMT", 120.0),
        ("soon", None),
        ("Tue, 07 Dec 2021 13:00:00 GMT", 0.0),
    ],
)
def test_retry_after_forms(value: str | None, expected: float | None) -> None:
    """Retry-After as seconds or as an HTTP date; garbage is ignored."""
    assert retry_after_seconds(value, NOW) == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"cache-control": "public, max-age=600"}, 600.0),
        ({"expires": "Tue, 07 Dec 2021 14:33:00 GMT"}, 3600.0),
        ({"cache-control": "no-cache"}, None),
        ({}, None),
    ],
)
def test_freshness(headers: dict[str, str], expected: float | None) -> None:
    """max-age wins, then Expires."""
    assert freshness_seconds(httpx.Headers(headers), NOW) == expected
