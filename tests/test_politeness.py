"""Politeness, read from the fixture server's access log: per-host concurrency and spacing,
conditional GET, Retry-After, robots.txt, and an honest User-Agent."""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Iterator

import pytest

from monitor.config import HttpSettings
from monitor.errors import FetchError
from monitor.fetch import Fetcher, FetchOptions
from monitor.fetch._hosts import HostGates
from monitor.types import Fetched, Validators
from tests.addresses import stub_resolver
from tests.feedserver import FeedServer, Route, running_feed_server

UA = "news-monitor-tests/0.1 (+https://example.org/contact)"
BASE = HttpSettings(user_agent=UA, timeout=5.0, allow_private_networks=True)
ROBOTS = FetchOptions(respect_robots=True)


class FakeClock:
    """A monotonic clock that moves only when told: a wait passes at once (and is noted)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with running_feed_server() as running:
        yield running


def fetch_all(
    settings: HttpSettings,
    urls: list[str],
    options: FetchOptions | None = None,
    clock: FakeClock | None = None,
) -> list[Fetched | FetchError]:
    """Fetch ``urls`` at once with one fetcher; failures come back as values."""

    async def one(fetcher: Fetcher, url: str) -> Fetched | FetchError:
        try:
            return await fetcher.fetch(url, options=options)
        except FetchError as error:
            return error

    async def go() -> list[Fetched | FetchError]:
        fetcher = Fetcher(settings, resolver=stub_resolver, clock=clock)
        try:
            return list(await asyncio.gather(*(one(fetcher, url) for url in urls)))
        finally:
            await fetcher.aclose()

    return asyncio.run(go())


def test_at_most_per_host_requests_at_once(server: FeedServer) -> None:
    """Eight fetches at once to one host: the server never sees more than ``per_host`` (2)."""
    for i in range(8):
        server.route(f"/slow/{i}", Route(body=b"<rss/>", delay=0.3))
    settings = HttpSettings(UA, per_host=2, per_host_interval=0.0, allow_private_networks=True)
    results = fetch_all(settings, [server.url(f"/slow/{i}") for i in range(8)])
    assert all(isinstance(r, Fetched) for r in results)
    assert max(entry.active for entry in server.log) == 2


def test_other_hosts_are_not_held_up(server: FeedServer) -> None:
    """The per-host limit is per host: two names for the server each get their own slots."""
    for i in range(4):
        server.route(f"/slow/{i}", Route(body=b"<rss/>", delay=0.3))
    settings = HttpSettings(UA, per_host=1, per_host_interval=0.0, allow_private_networks=True)
    urls = [f"http://{host}:{server.port}/slow/{i}" for i, host in
            enumerate(["feeds.test", "control.test"] * 2)]  # fmt: skip
    fetch_all(settings, urls)
    assert max(entry.active for entry in server.log) == 2


def test_requests_to_one_host_are_spaced() -> None:
    """With an interval of 0.4 s and four slots, four requests at once start 0.4 s apart."""
    clock = FakeClock()

    async def go() -> list[float]:
        gates, starts = HostGates(per_host=4, interval=0.4, clock=clock), []

        async def one() -> None:
            async with gates.slot("feeds.test"):
                starts.append(clock.time())

        await asyncio.gather(*(one() for _ in range(4)))
        return starts

    starts = asyncio.run(go())
    assert starts == pytest.approx([0.0, 0.4, 0.8, 1.2])


def test_the_fetcher_spaces_by_per_host_interval(server: FeedServer) -> None:
    """``per_host_interval: 0.4s``: each of four fetches to one host waits 0.4 s after the
    one before it (on the fetcher's clock), and every one is made."""
    server.serve("/feed.xml", b"<rss/>")
    settings = HttpSettings(UA, per_host=4, per_host_interval=0.4, allow_private_networks=True)
    clock = FakeClock()
    results = fetch_all(settings, [server.url("/feed.xml")] * 4, clock=clock)
    assert all(isinstance(r, Fetched) for r in results) and len(server.log) == 4
    assert clock.waits == pytest.approx([0.4, 0.4, 0.4])


def test_default_politeness_is_two_at_once_one_second_apart() -> None:
    """The defaults the README promises."""
    assert (BASE.per_host, BASE.per_host_interval) == (2, 1.0)


def test_conditional_headers_are_sent_back(server: FeedServer) -> None:
    """The second fetch sends the stored validators; the server answers 304."""
    url = server.serve("/feed.xml", b"<rss/>")

    async def go() -> tuple[Fetched, Fetched]:
        fetcher = Fetcher(HttpSettings(UA, per_host_interval=0.0, allow_private_networks=True))
        try:
            first = await fetcher.fetch(url)
            return first, await fetcher.fetch(url, first.validators)
        finally:
            await fetcher.aclose()

    first, second = asyncio.run(go())
    assert second.not_modified
    sent = server.log[1].headers
    assert (sent["If-None-Match"], sent["If-Modified-Since"]) == (
        first.validators.etag,
        first.validators.last_modified,
    )
    assert [entry.status for entry in server.log] == [200, 304]
    assert "If-None-Match" not in server.log[0].headers
    assert Validators() != first.validators


def test_retry_after_keeps_every_request_away_until_it_passes(server: FeedServer) -> None:
    """After a 429 with ``Retry-After: 2``, fetches to that host fail at once without a
    request (carrying the time left) until 2 s have passed on the fetcher's clock; then they
    go out again."""
    server.route("/busy", Route(status=429, headers=(("Retry-After", "2"),)))
    server.serve("/other.xml", b"<rss/>")
    clock = FakeClock()

    async def go() -> tuple[FetchError, FetchError, FetchError, Fetched]:
        settings = HttpSettings(UA, per_host_interval=0.0, allow_private_networks=True)
        fetcher = Fetcher(settings, clock=clock)
        try:
            with pytest.raises(FetchError) as first:
                await fetcher.fetch(server.url("/busy"))
            with pytest.raises(FetchError) as held:
                await fetcher.fetch(server.url("/other.xml"))
            clock.advance(1.5)
            with pytest.raises(FetchError) as still:
                await fetcher.fetch(server.url("/other.xml"))
            clock.advance(0.5)
            return (
                first.value,
                held.value,
                still.value,
                await fetcher.fetch(server.url("/other.xml")),
            )
        finally:
            await fetcher.aclose()

    first, held, still, later = asyncio.run(go())
    assert (first.status, first.retry_after) == (429, 2.0)
    assert (held.status, held.retry_after) == (429, 2.0)
    assert (still.status, still.retry_after) == (429, 0.5)
    assert later.status == 200
    paths = [entry.path for entry in server.log]
    assert paths == ["/busy", "/other.xml"]


def test_retry_after_is_capped() -> None:
    """A Retry-After of a year is held to a day (``policy.HINT_CAP``)."""
    from monitor.policy import HINT_CAP

    with running_feed_server() as server:
        server.route("/busy", Route(status=503, headers=(("Retry-After", str(365 * 86400)),)))

        async def go() -> FetchError:
            fetcher = Fetcher(HttpSettings(UA, per_host_interval=0.0, allow_private_networks=True))
            try:
                with pytest.raises(FetchError):
                    await fetcher.fetch(server.url("/busy"))
                with pytest.raises(FetchError) as held:
                    await fetcher.fetch(server.url("/busy"))
                return held.value
            finally:
                await fetcher.aclose()

        held = asyncio.run(go())
    assert held.retry_after is not None and HINT_CAP - 5 <= held.retry_after <= HINT_CAP


ROBOTS_TXT = b"""\
User-agent: *
Disallow: /private/

User-agent: news-monitor-tests
Disallow: /no-monitors/
"""


def test_robots_txt_is_honoured_and_read_once(server: FeedServer) -> None:
    """Pages under a Disallow for our product token are never requested (a group naming us
    replaces the ``*`` group, as RFC 9309 says); robots.txt is fetched once for all of them."""
    server.serve("/robots.txt", ROBOTS_TXT, content_type="text/plain")
    for path in ("/news/1", "/private/2", "/no-monitors/3", "/news/4"):
        server.serve(path, b"<html/>", content_type="text/html")
    settings = HttpSettings(UA, per_host_interval=0.0, allow_private_networks=True)
    urls = [server.url(p) for p in ("/news/1", "/private/2", "/no-monitors/3", "/news/4")]
    results = fetch_all(settings, urls, ROBOTS)
    kinds = [r.kind if isinstance(r, FetchError) else r.status for r in results]
    assert kinds == [200, 200, "robots", 200]
    assert [e.path for e in server.log].count("/robots.txt") == 1
    assert "/no-monitors/3" not in {e.path for e in server.log}


def test_robots_txt_group_for_every_agent(server: FeedServer) -> None:
    """With only a ``*`` group, its Disallow applies to us."""
    server.serve("/robots.txt", b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    server.serve("/private/1", b"<html/>", content_type="text/html")
    [result] = fetch_all(HttpSettings(UA, allow_private_networks=True),
                         [server.url("/private/1")], ROBOTS)  # fmt: skip
    assert isinstance(result, FetchError) and result.kind == "robots"
    assert [e.path for e in server.log] == ["/robots.txt"]


@pytest.mark.parametrize(
    ("robots", "allowed"),
    [
        (Route(status=404), True),  # RFC 9309: unavailable -> no rules
        (Route(status=403), True),
        (Route(status=500), False),  # unreachable -> disallow everything, for now
        (Route(status=503), False),
    ],
)
def test_robots_txt_status(server: FeedServer, robots: Route, allowed: bool) -> None:
    """A missing robots.txt allows everything; a server error allows nothing."""
    server.route("/robots.txt", robots)
    server.serve("/page", b"<html/>", content_type="text/html")
    [result] = fetch_all(HttpSettings(UA, per_host_interval=0.0, allow_private_networks=True),
                         [server.url("/page")], ROBOTS)  # fmt: skip
    assert isinstance(result, Fetched) == allowed
    assert ("/page" in {e.path for e in server.log}) == allowed


@pytest.mark.parametrize(
    ("robots", "reason"),
    [
        (Route(status=503), "(HTTP 503)"),
        (Route(raw=b"not HTTP at all\r\n\r\n"), "(protocol: "),
    ],
)
def test_an_unreadable_robots_txt_is_not_a_refusal(
    server: FeedServer, robots: Route, reason: str
) -> None:
    """robots.txt that cannot be read (a server error, a broken answer) allows nothing for now,
    and the error says so: it is not "robots.txt does not allow this path"."""
    server.route("/robots.txt", robots)
    server.serve("/page", b"<html/>", content_type="text/html")
    [result] = fetch_all(HttpSettings(UA, per_host_interval=0.0, allow_private_networks=True),
                         [server.url("/page")], ROBOTS)  # fmt: skip
    assert isinstance(result, FetchError) and result.kind == "robots"
    assert str(result).startswith("robots: robots.txt could not be read " + reason), result
    assert str(result).endswith("): not fetched for now")


def test_an_unreachable_robots_txt_is_not_a_refusal() -> None:
    """A host that refuses connections (robots.txt unreachable) fails as such, not as a path
    robots.txt does not allow."""
    with running_feed_server() as gone:
        url = gone.url("/page")  # the port is closed once the server has stopped
    [result] = fetch_all(HttpSettings(UA, allow_private_networks=True), [url], ROBOTS)
    assert isinstance(result, FetchError) and result.kind == "robots"
    assert str(result).startswith("robots: robots.txt could not be read (connect: "), result
    assert "does not allow" not in str(result)


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://10.0.0.1/x", "private"),
        ("http://0x7f000002:{p}/x", "loopback"),
    ],
)
def test_article_redirect_to_a_refused_address_is_blocked(
    server: FeedServer, location: str, reason: str
) -> None:
    """An article redirected to a refused address fails as ``blocked`` with the address's
    reason (robots.txt there cannot be read either: that is not "robots.txt does not allow")."""
    server.route("/robots.txt", Route(status=404))
    target = location.replace("{p}", str(server.port))
    url = server.route("/article", Route(status=302, headers=(("Location", target),)))
    options = FetchOptions(
        respect_robots=True, allow_networks=(ipaddress.ip_network("127.0.0.1/32"),)
    )
    [result] = fetch_all(HttpSettings(UA, per_host_interval=0.0), [url], options)
    assert isinstance(result, FetchError) and result.kind == "blocked", result
    assert reason in str(result)


def test_feeds_do_not_ask_robots_txt(server: FeedServer) -> None:
    """Feeds are exempt by convention: a feed fetch never requests robots.txt."""
    server.serve("/robots.txt", b"User-agent: *\nDisallow: /\n", content_type="text/plain")
    url = server.serve("/feed.xml", b"<rss/>")
    [result] = fetch_all(HttpSettings(UA, allow_private_networks=True), [url])
    assert isinstance(result, Fetched)
    assert [e.path for e in server.log] == ["/feed.xml"]


def test_user_agent_names_a_contact(server: FeedServer) -> None:
    """Every request (robots.txt included) carries the configured User-Agent."""
    server.serve("/robots.txt", b"", content_type="text/plain")
    server.serve("/page", b"<html/>", content_type="text/html")
    fetch_all(HttpSettings(UA, per_host_interval=0.0, allow_private_networks=True),
              [server.url("/page")], ROBOTS)  # fmt: skip
    assert {e.headers["User-Agent"] for e in server.log} == {UA}
    assert len(server.log) == 2 and time.monotonic() > 0


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/news/2024/print", False),  # Disallow: /*/print (urllib.robotparser allowed it)
        ("/news/2024/story", True),
        ("/search/about", True),  # Allow: /search/about outranks Disallow: /search
        ("/search/results", False),
        ("/file.pdf", False),  # Disallow: /*.pdf$
        ("/file.pdf.html", True),
    ],
)
def test_robots_wildcards_and_longest_match(path: str, allowed: bool) -> None:
    """RFC 9309: `*` and `$` patterns, and the longest matching rule wins."""
    from monitor.fetch._robots import rules_from_response

    robots = (
        b"User-agent: *\nDisallow: /*/print\nDisallow: /search\nAllow: /search/about\n"
        b"Disallow: /*.pdf$\n"
    )
    rules = rules_from_response(200, robots)
    assert rules.allows(f"https://example.org{path}", "news-monitor/0.1") is allowed


def test_waiting_for_a_host_slot_does_not_count_against_the_timeout(server: FeedServer) -> None:
    """Seven fetches to one host, one at a time, each answered in 0.4 s, with a 2 s timeout:
    the last waits ~2.4 s for its slot and still succeeds, because the timeout counts only the
    time spent on the network (issue 11: 20 of 40 follows timed out without a request). The
    waits are real: the timeout is the network's."""
    for i in range(7):
        server.route(f"/queued/{i}", Route(body=b"<rss/>", delay=0.4))
    settings = HttpSettings(
        UA, timeout=2.0, per_host=1, per_host_interval=0.0, allow_private_networks=True
    )
    results = fetch_all(settings, [server.url(f"/queued/{i}") for i in range(7)])
    assert [type(r).__name__ for r in results] == ["Fetched"] * 7
    assert len(server.log) == 7 and max(entry.active for entry in server.log) == 1


def test_robots_txt_of_an_ipv6_literal_host() -> None:
    """A listing on ``http://[::1]:port/`` asks ``http://[::1]:port/robots.txt`` (the origin
    keeps its brackets) and is fetched; before, every such fetch failed on robots.txt."""
    with running_feed_server("::1") as v6:
        v6.route("/robots.txt", Route(body=b"User-agent: *\nDisallow: /private/\n"))
        v6.serve("/list.html", b"<html></html>", "text/html")
        v6.serve("/private/x.html", b"<html></html>", "text/html")
        ok, refused = fetch_all(
            BASE, [v6.url("/list.html"), v6.url("/private/x.html")], options=ROBOTS
        )
        assert isinstance(ok, Fetched), ok
        assert isinstance(refused, FetchError) and refused.kind == "robots", refused
        assert len(v6.requests_to("/robots.txt")) == 1


class _BrokenShare:
    """Shared hosts whose hold write fails with a bug (not a ``StoreError``, which it logs)."""

    def reserve(self, host: str, interval: float) -> float:
        return 0.0

    def hold(self, host: str, seconds: float, status: int) -> None:
        raise RuntimeError("hold bug")

    def held(self, host: str) -> tuple[float, int]:
        return 0.0, 0


def test_a_failed_hold_write_is_logged_when_the_fetcher_closes(
    server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Closing waits for the Retry-After holds being shared, and does not hide one that raised."""
    server.route("/busy", Route(status=429, headers=(("Retry-After", "2"),)))

    async def go() -> None:
        settings = HttpSettings(UA, per_host_interval=0.0, allow_private_networks=True)
        fetcher = Fetcher(settings, hosts=_BrokenShare())
        try:
            with pytest.raises(FetchError):
                await fetcher.fetch(server.url("/busy"))
        finally:
            await fetcher.aclose()

    asyncio.run(go())
    assert [r.getMessage() for r in caplog.records if r.name == "monitor.fetch"] == [
        "Retry-After hold not shared: RuntimeError('hold bug')"
    ]
