"""The ``Fetcher``: one GET, within limits, politely, and only where it may go.

Owns: the ``httpx.AsyncClient`` per address policy (each with the guarded transport), the
overall limit, conditional GET, a total deadline per fetch (robots.txt and redirects included;
time spent waiting for a host's or the overall slot excluded), host names checked as httpx
will encode them (invalid IDNA is ``blocked``), validators kept only when they can be sent back,
a cap on the decoded body, redirects followed one hop at a time (each hop checked again: scheme,
address, robots.txt; an address refused on the way to robots.txt is the hop's ``blocked``
reason, and a ``Location`` that does not parse is ``blocked`` too), ``Retry-After`` remembered
per host, and the classification of every failure into one ``FetchError`` kind. A 304 comes
back as a value, never as an error.
Does not own: where a connection may go (``_guard``), per-host spacing (``_hosts``), robots.txt
rules (``_robots``), what the body means (``monitor.sources``), when to fetch again
(``monitor.policy``).
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpcore
import httpx

from monitor import bounds
from monitor.config import HttpSettings
from monitor.errors import FetchError
from monitor.fetch._guard import (
    AddressPolicy,
    GuardedBackend,
    IPNetwork,
    Resolver,
    legacy_ipv4,
    system_resolver,
)
from monitor.fetch._headers import freshness_seconds, retry_after_seconds
from monitor.fetch._hosts import HostGates, MonotonicClock, SharedHosts
from monitor.fetch._robots import ROBOTS_MAX_BYTES, RobotsCache, RobotsRules, rules_from_response
from monitor.policy import HINT_CAP
from monitor.types import Fetched, Validators

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
ALLOWED_SCHEMES = frozenset({"http", "https"})
#: statuses whose Retry-After keeps every fetch away from the host until it has passed
DEFERRING_STATUSES = frozenset({429, 503})
#: how httpx says a redirect's Location does not parse: it builds the next request even when it
#: does not follow redirects, and raises this instead of returning the redirect
BAD_LOCATION = "Invalid URL in location header"
#: the most of httpx's own words kept in a failure's message (a Location may be 100 KB)
DETAIL_MAX = 200


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """What one source's fetches may do beyond the defaults."""

    #: private networks this source may reach (its ``allow_networks``: an intranet feed)
    allow_networks: tuple[IPNetwork, ...] = ()
    #: ask robots.txt first: listing pages and articles do; feeds are exempt by convention
    respect_robots: bool = False


class Fetcher:
    """Fetches URLs politely and within limits; one instance per daemon (it holds the pools)."""

    def __init__(
        self,
        settings: HttpSettings,
        *,
        resolver: Resolver = system_resolver,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        hosts: SharedHosts | None = None,
        clock: MonotonicClock | None = None,
    ) -> None:
        """``resolver`` turns a host name into addresses (tests inject a stub); ``hosts``
        shares per-host spacing and ``Retry-After`` holds with other nodes; ``clock`` counts
        them (the event loop's; tests inject one that needs no waiting)."""
        self._settings = settings
        self._resolver = resolver
        self._now = now
        self._overall = asyncio.Semaphore(settings.concurrency)
        self._hosts = HostGates(settings.per_host, settings.per_host_interval, hosts, clock)
        self._robots = RobotsCache()
        self._clients: dict[AddressPolicy, httpx.AsyncClient] = {}

    async def aclose(self) -> None:
        await self._hosts.settle()
        for client in self._clients.values():
            await client.aclose()

    async def fetch(
        self, url: str, validators: Validators = Validators(), options: FetchOptions | None = None
    ) -> Fetched:
        """GET ``url`` (conditionally, if validators are given); raise FetchError on failure."""
        options = options or FetchOptions()
        policy = AddressPolicy(self._settings.allow_private_networks, options.allow_networks)
        budget = _Budget(self._settings.timeout)
        return await self._follow(url, validators, policy, options.respect_robots, budget)

    async def _follow(
        self,
        url: str,
        validators: Validators,
        policy: AddressPolicy,
        respect_robots: bool,
        budget: _Budget,
        truncate_at: int | None = None,
    ) -> Fetched:
        permanent = True
        moved = False
        for _hop in range(self._settings.max_redirects + 1):
            url = fetchable_url(url)
            if respect_robots:
                await self._check_robots(url, policy, budget)
            response, body = await self._get_once(url, validators, policy, budget, truncate_at)
            if response.status_code not in REDIRECT_STATUSES:
                return self._result(url, response, body, moved and permanent)
            location = response.headers.get("location")
            if not location:
                raise FetchError("http", "redirect without a Location", status=response.status_code)
            moved = True
            permanent = permanent and response.status_code in PERMANENT_REDIRECTS
            url = _join(url, location)
        raise FetchError("redirects", f"more than {self._settings.max_redirects} redirects")

    async def _get_once(
        self,
        url: str,
        validators: Validators,
        policy: AddressPolicy,
        budget: _Budget,
        truncate_at: int | None,
    ) -> tuple[httpx.Response, bytes]:
        host = urlsplit(url).hostname or ""
        await self._hosts.learn(host)
        self._check_deferred(host)
        client = self._client(policy)
        # the host's slot first: a request waiting out the spacing holds no overall slot
        # the deadline counts time spent on the network only: a fetch queued behind others for
        # the same host (politeness) has not started, and must not time out for it
        async with self._hosts.slot(host), self._overall, budget.spending():
            try:
                request = client.build_request("GET", url, headers=_conditional(validators))
                response = await client.send(request, stream=True)
                try:
                    body = await self._read_capped(response, truncate_at)
                finally:
                    await response.aclose()
            except httpx.HTTPError as e:
                raise _classify(e) from e
            except (httpx.InvalidURL, UnicodeError) as e:
                raise FetchError("blocked", "not a valid URL") from e
        self._note_retry_after(host, response)
        return response, body

    def _client(self, policy: AddressPolicy) -> httpx.AsyncClient:
        """One client (and connection pool) per policy: a connection opened for a source that
        may reach an intranet address is never reused by one that may not."""
        if policy not in self._clients:
            self._clients[policy] = httpx.AsyncClient(
                transport=_GuardedTransport(GuardedBackend(policy, self._resolver)),
                follow_redirects=False,  # we follow hop by hop, to count and to check each one
                timeout=httpx.Timeout(
                    self._settings.timeout, connect=self._settings.connect_timeout
                ),
                headers={"User-Agent": self._settings.user_agent},
                # no proxy from the environment (it would connect for us, unchecked), no .netrc
                trust_env=False,
            )
        return self._clients[policy]

    async def _read_capped(self, response: httpx.Response, truncate_at: int | None) -> bytes:
        if response.status_code in REDIRECT_STATUSES or response.status_code == 304:
            return b""
        cap = truncate_at or self._settings.max_bytes
        declared = response.headers.get("content-length", "")
        if truncate_at is None and declared.isdigit() and int(declared) > cap:
            raise FetchError("too_large", f"Content-Length {declared} is over the {cap}-byte cap")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():  # decoded: the cap also stops gzip/br bombs
            size += len(chunk)
            chunks.append(chunk)
            if size > cap and truncate_at is not None:
                return b"".join(chunks)[:cap]
            if size > cap:
                raise FetchError("too_large", f"body is over the {cap}-byte cap")
        return b"".join(chunks)

    def _result(self, url: str, response: httpx.Response, body: bytes, moved: bool) -> Fetched:
        status = response.status_code
        if status >= 400 or status < 200 or (status >= 300 and status != 304):
            raise FetchError(
                "http",
                f"HTTP {status}",
                status=status,
                retry_after=retry_after_seconds(response.headers.get("retry-after"), self._now()),
            )
        return Fetched(
            url=url,
            status=status,
            content=body,
            content_type=response.headers.get("content-type"),
            validators=_validators(response.headers),
            not_modified=status == 304,
            max_age=freshness_seconds(response.headers, self._now()),
            moved_permanently=moved,
        )

    # --- politeness -------------------------------------------------------------------------

    def _note_retry_after(self, host: str, response: httpx.Response) -> None:
        if response.status_code not in DEFERRING_STATUSES:
            return
        wait = retry_after_seconds(response.headers.get("retry-after"), self._now())
        if wait:
            self._hosts.defer(host, min(wait, HINT_CAP), response.status_code)

    def _check_deferred(self, host: str) -> None:
        left, status = self._hosts.deferred(host)
        if left > 0:
            raise FetchError(
                "http",
                f"HTTP {status} earlier: the host asked us to wait {left:.0f}s more (Retry-After)",
                status=status,
                retry_after=left,
            )

    async def _check_robots(self, url: str, policy: AddressPolicy, budget: _Budget) -> None:
        origin = _origin(url)
        rules = await self._robots.rules(origin, lambda: self._load_robots(origin, policy, budget))
        if rules.unreadable is not None:
            # RFC 9309: allow nothing while the file cannot be read; that is not a refusal
            raise FetchError(
                "robots", f"robots.txt could not be read ({rules.unreadable}): not fetched for now"
            )
        if not rules.allows(url, self._settings.user_agent):
            raise FetchError("robots", "robots.txt does not allow this path")

    async def _load_robots(
        self, origin: str, policy: AddressPolicy, budget: _Budget
    ) -> RobotsRules:
        try:
            fetched = await self._follow(
                origin + "/robots.txt", Validators(), policy, False, budget, ROBOTS_MAX_BYTES
            )
        except FetchError as error:
            if error.kind == "blocked":
                # the origin's address (or where its robots.txt sends us) is refused: that is
                # the reason to give, not "robots.txt does not allow this path"
                raise
            if error.kind == "http":
                return rules_from_response(error.status, b"")
            return rules_from_response(None, b"", str(error))
        return rules_from_response(fetched.status, fetched.content)


class _Budget:
    """The seconds one fetch may spend on the network (``http.timeout``), redirects and
    robots.txt included; time spent waiting for a host's or the overall slot is not counted."""

    def __init__(self, seconds: float) -> None:
        self._total = seconds
        self._left = seconds

    @asynccontextmanager
    async def spending(self) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            async with asyncio.timeout(max(self._left, 0.0)):
                yield
        except TimeoutError as e:
            raise FetchError("timeout", f"no complete answer in {self._total:g}s") from e
        finally:
            self._left -= loop.time() - started


def _origin(url: str) -> str:
    """``scheme://host[:port]`` of ``url``; an IPv6 literal keeps its brackets."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


class _GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport with ``GuardedBackend`` as its network backend.

    httpx 0.28 has no public way to pass httpcore a network backend, so the pool it built is
    replaced by an equal one that has ours (``tests/test_guard.py`` fails if this stops working).
    """

    def __init__(self, backend: GuardedBackend) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            http1=True,
            http2=False,
            network_backend=backend,
        )


def fetchable_url(url: str) -> str:
    """``url`` if it may be fetched, with a legacy IPv4 host spelled as a dotted quad.

    Raises ``FetchError("blocked")`` for another scheme, no host, or a URL that does not parse.
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        port = parts.port
    except ValueError as e:  # an unclosed IPv6 bracket, a port that is no number
        raise FetchError("blocked", "not a valid URL") from e
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise FetchError("blocked", f"scheme {scheme!r} is not fetched (http and https only)")
    if not host:
        raise FetchError("blocked", "no host in the URL")
    numeric = legacy_ipv4(host)
    if numeric is None or str(numeric) == host:
        return _checked(url.strip())
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = (f"{userinfo}@" if userinfo else "") + str(numeric) + (f":{port}" if port else "")
    return _checked(urlunsplit(parts._replace(netloc=netloc)))


def _checked(url: str) -> str:
    """The URL as httpx will build it: an invalid IDNA host name (``xn--ls8h.la``, an emoji
    label) or a URL it cannot encode is a classified failure here, not a ``UnicodeError``
    later."""
    try:
        httpx.URL(url)
    except (httpx.InvalidURL, UnicodeError, ValueError) as e:
        raise FetchError("blocked", "not a valid URL (host name or encoding)") from e
    return url


def _join(base: str, location: str) -> str:
    try:
        return urljoin(base, location.strip())
    except ValueError as e:
        raise FetchError("blocked", "redirect to a URL that does not parse") from e


def _validators(headers: httpx.Headers) -> Validators:
    """ETag and Last-Modified as they can be stored and sent back (non-ASCII ones dropped)."""
    return Validators(
        etag=bounds.header(headers.get("etag")),
        last_modified=bounds.header(headers.get("last-modified")),
    )


def _conditional(validators: Validators) -> dict[str, str]:
    # checked again on the way out: a database may hold values stored before the check
    headers = {}
    etag = bounds.header(validators.etag)
    if etag:
        headers["If-None-Match"] = etag
    modified = bounds.header(validators.last_modified)
    if modified:
        headers["If-Modified-Since"] = modified
    return headers


def _classify(error: httpx.HTTPError) -> FetchError:
    """Turn an httpx error into one FetchError kind; the cause chain tells DNS from TLS."""
    if isinstance(error, httpx.TimeoutException):
        return FetchError("timeout", type(error).__name__)
    if _caused_by(error, socket.gaierror):
        return FetchError("dns", "host name did not resolve")
    if _caused_by(error, ssl.SSLError):
        return FetchError("tls", "TLS handshake or certificate failed")
    if isinstance(error, httpx.TooManyRedirects):
        return FetchError("redirects", "too many redirects")
    if isinstance(error, httpx.UnsupportedProtocol):
        return FetchError("blocked", "unsupported URL scheme")
    if isinstance(error, httpx.RemoteProtocolError) and str(error).startswith(BAD_LOCATION):
        # nothing was sent there: the server named a place no fetch can go, it did not break HTTP
        detail = bounds.text(str(error).removeprefix(BAD_LOCATION).strip(" :."), DETAIL_MAX)
        return FetchError("blocked", f"redirect to a URL that does not parse ({detail})")
    if isinstance(error, httpx.ProtocolError | httpx.DecodingError):
        return FetchError("protocol", f"the server broke HTTP ({type(error).__name__})")
    return FetchError("connect", type(error).__name__)


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    """Whether ``kind`` is anywhere in the chain (causes and contexts both: httpcore's pool
    re-raises inside ``except`` blocks, which puts the real cause one link aside)."""
    todo: list[BaseException] = [error]
    seen: set[int] = set()
    while todo:
        current = todo.pop()
        if isinstance(current, kind):
            return True
        seen.add(id(current))
        todo.extend(e for e in (current.__cause__, current.__context__) if e and id(e) not in seen)
    return False
