"""Where fetches may go: the address policy, legacy IPv4 spellings, and the guarded backend on
real loopback servers (blocked by default, reached when private networks are allowed, and never
fooled by a name that re-binds to loopback)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterator, Sequence

import pytest

from monitor.config import HttpSettings
from monitor.errors import FetchError
from monitor.fetch import (
    AddressPolicy,
    Fetcher,
    FetchOptions,
    blocked_reason,
    fetchable_url,
    legacy_ipv4,
)
from tests.addresses import REACHABLE, UNREACHABLE, stub_resolver
from tests.feedserver import FeedServer, running_feed_server

# deadlines no loopback answer comes near, however busy the machine: no test here is about them
OPEN = HttpSettings(
    user_agent="monitor-tests (+https://example.org/contact)",
    timeout=60.0,
    connect_timeout=30.0,
    per_host_interval=0.0,
    allow_private_networks=True,
)
GUARDED = HttpSettings(OPEN.user_agent, timeout=60.0, connect_timeout=30.0, per_host_interval=0.0)


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
        ("::ffff:8.8.8.8", None),
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("10.1.2.3", "private"),
        ("172.31.0.1", "private"),
        ("192.168.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("100.127.255.254", "carrier-grade NAT"),
        ("224.0.0.251", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "private"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fd12:3456::1", "private"),
        ("ff05::2", "multicast"),
        ("::ffff:10.0.0.1", "private (IPv4 10.0.0.1 inside IPv6)"),
        ("::ffff:127.0.0.1", "loopback (IPv4 127.0.0.1 inside IPv6)"),
        ("2002:c0a8:101::1", "private (IPv4 192.168.1.1 inside IPv6)"),
        ("64:ff9b::a9fe:a9fe", "link-local (IPv4 169.254.169.254 inside IPv6)"),
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback (IPv4 127.0.0.1 inside IPv6)"),
        ("2001:db8::1", "private"),
    ],
)
def test_blocked_reason(address: str, reason: str | None) -> None:
    """Each address class is refused with its name; public unicast passes."""
    assert blocked_reason(ipaddress.ip_address(address)) == reason


def test_policy_allow_list_and_allow_all() -> None:
    """A source's allow-list opens its networks only; allow_all opens everything."""
    listed = AddressPolicy(allowed=(ipaddress.ip_network("10.1.0.0/16"),))
    assert listed.refuses(ipaddress.ip_address("10.1.2.3")) is None
    assert listed.refuses(ipaddress.ip_address("10.2.0.1")) == "private"
    everything = AddressPolicy(allow_all=True)
    assert everything.refuses(ipaddress.ip_address("127.0.0.1")) is None


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0X7F.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("127.0.0.1.", "127.0.0.1"),
        ("256.0.0.1", None),
        ("1.2.3.4.5", None),
        ("08.0.0.1", None),
        ("example.org", None),
        ("0x", "0.0.0.0"),
        ("4294967296", None),
    ],
)
def test_legacy_ipv4(host: str, address: str | None) -> None:
    """Hosts read the way ``inet_aton`` reads them (what a resolver would connect to)."""
    parsed = legacy_ipv4(host)
    assert (str(parsed) if parsed else None) == address


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/rss", "https://example.org/rss"),
        ("HTTP://example.org/rss", "HTTP://example.org/rss"),
        ("http://2130706433:8080/a?b=1", "http://127.0.0.1:8080/a?b=1"),
        ("http://u:p@0x7f.1/a", "http://u:p@127.0.0.1/a"),
        ("file:///etc/passwd", "blocked: scheme 'file' is not fetched (http and https only)"),
        (
            "gopher://127.0.0.1:6379/_INFO",
            "blocked: scheme 'gopher' is not fetched (http and https only)",
        ),
        ("data:text/xml,<rss/>", "blocked: scheme 'data' is not fetched (http and https only)"),
        (
            "javascript:alert(1)",
            "blocked: scheme 'javascript' is not fetched (http and https only)",
        ),
        ("//example.org/rss", "blocked: scheme '' is not fetched (http and https only)"),
        ("http:///rss", "blocked: no host in the URL"),
        ("http://[::1/rss", "blocked: not a valid URL"),
        ("http://example.org:99999/rss", "blocked: not a valid URL"),
    ],
)
def test_fetchable_url(url: str, expected: str) -> None:
    """Only http(s) with a host; legacy IPv4 spellings become dotted quads."""
    try:
        assert fetchable_url(url) == expected
    except FetchError as error:
        assert str(error) == expected


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[FeedServer, FeedServer]]:
    with running_feed_server() as v4, running_feed_server("::1") as v6:
        yield v4, v6


def _fetch(settings: HttpSettings, url: str, options: FetchOptions | None = None):
    async def go():
        fetcher = Fetcher(settings, resolver=stub_resolver)
        try:
            return await fetcher.fetch(url, options=options)
        finally:
            await fetcher.aclose()

    return asyncio.run(go())


def _case_url(servers: tuple[FeedServer, FeedServer], template: str, path: str) -> str:
    v4, v6 = servers
    base = template.format(p=v4.port, p6=v6.port)
    if "#" in base:
        head, _, fragment = base.partition("/#")
        return f"{head}{path}#{fragment}"
    for server in servers:
        server.serve(path, b"<rss/>")
    return base + path


def _requests(servers: tuple[FeedServer, FeedServer], path: str) -> int:
    return sum(len(server.requests_to(path)) for server in servers)


@pytest.mark.parametrize(("name", "template"), REACHABLE, ids=[n for n, _ in REACHABLE])
def test_address_form_is_blocked_by_default(
    servers: tuple[FeedServer, FeedServer], name: str, template: str
) -> None:
    """By default the fetch fails as ``blocked`` and the server never sees a request."""
    path = f"/guard/blocked/{name}"
    for server in servers:
        server.serve(path, b"<rss/>")
    with pytest.raises(FetchError) as caught:
        _fetch(GUARDED, _case_url(servers, template, path))
    assert caught.value.kind == "blocked"
    assert _requests(servers, path) == 0


@pytest.mark.parametrize(("name", "template"), REACHABLE, ids=[n for n, _ in REACHABLE])
def test_address_form_reaches_the_server_when_allowed(
    servers: tuple[FeedServer, FeedServer], name: str, template: str
) -> None:
    """With ``allow_private_networks`` the same form reaches the server: the guard stopped it."""
    path = f"/guard/open/{name}"
    for server in servers:
        server.serve(path, b"<rss/>")
    got = _fetch(OPEN, _case_url(servers, template, path))
    assert (got.status, got.content) == (200, b"<rss/>")
    assert _requests(servers, path) == 1


@pytest.mark.parametrize(("name", "url"), UNREACHABLE, ids=[n for n, _ in UNREACHABLE])
def test_unreachable_forms_are_blocked_before_connecting(name: str, url: str) -> None:
    """Private, link-local, CGNAT, multicast, reserved and IPv4-in-IPv6 forms: ``blocked``."""
    with pytest.raises(FetchError) as caught:
        _fetch(GUARDED, url)
    assert caught.value.kind == "blocked", caught.value


def test_source_allow_list_opens_only_its_network(servers: tuple[FeedServer, FeedServer]) -> None:
    """``allow_networks: [127.0.0.1/32]`` reaches 127.0.0.1 but still not ::1."""
    v4, v6 = servers
    v4.serve("/guard/listed", b"<rss/>")
    v6.serve("/guard/listed", b"<rss/>")
    options = FetchOptions(allow_networks=(ipaddress.ip_network("127.0.0.1/32"),))
    assert _fetch(GUARDED, v4.url("/guard/listed"), options).status == 200
    with pytest.raises(FetchError) as caught:
        _fetch(GUARDED, v6.url("/guard/listed"), options)
    assert caught.value.kind == "blocked"


def _bind_pair() -> tuple[socket.socket, socket.socket]:
    """Two listening sockets on one port: 127.0.0.2 (the "public" site) and 127.0.0.1."""
    for _ in range(20):
        good = socket.create_server(("127.0.0.2", 0))
        port = good.getsockname()[1]
        try:
            return good, socket.create_server(("127.0.0.1", port))
        except OSError:
            good.close()
    raise RuntimeError("no free port pair")


def test_dns_rebinding_reaches_only_the_checked_address() -> None:
    """A name that answers a permitted address, then loopback (DNS rebinding): the fetch
    connects to the address it checked, keeps the name in the Host header, and the next
    connection, to loopback, is refused. The service on loopback never sees a request."""
    good_socket, evil_socket = _bind_pair()
    port = good_socket.getsockname()[1]
    answers = iter([["127.0.0.2"], ["127.0.0.1"], ["127.0.0.1"]])
    calls: list[str] = []

    async def rebinding(host: str, _port: int) -> Sequence[str]:
        calls.append(host)
        return next(answers)

    with (
        running_feed_server(sock=good_socket) as good,
        running_feed_server(sock=evil_socket) as evil,
    ):
        good.serve("/feed", b"<rss/>")
        evil.serve("/feed", b"<secret/>")
        options = FetchOptions(allow_networks=(ipaddress.ip_network("127.0.0.2/32"),))

        async def twice() -> list[object]:
            results: list[object] = []
            for _ in range(2):  # two fetchers: two connections, two lookups
                fetcher = Fetcher(GUARDED, resolver=rebinding)
                try:
                    results.append(
                        await fetcher.fetch(f"http://rebind.test:{port}/feed", options=options)
                    )
                except FetchError as error:
                    results.append(error)
                finally:
                    await fetcher.aclose()
            return results

        first, second = asyncio.run(twice())
        assert getattr(first, "content", None) == b"<rss/>"
        assert isinstance(second, FetchError) and second.kind == "blocked"
        assert good.requests_to("/feed")[0].headers["Host"] == f"rebind.test:{port}"
        assert evil.log == [] and calls == ["rebind.test", "rebind.test"]
