"""HTTP fetching: the only module that talks to news servers.

Owns: the shared ``httpx.AsyncClient``, bounded concurrency (overall and per host), conditional
GET from stored validators, a total deadline per fetch, a cap on the decoded body, redirects
followed one hop at a time up to a limit, and the classification of every failure into a
``FetchError`` kind. A 304 comes back as a value (``Fetched.not_modified``), never as an error.
Does not own: what the body means (``monitor.sources``), when to fetch again (``monitor.pipeline``),
or where state is kept (``monitor.store``).
"""

from __future__ import annotations

import asyncio
import email.utils
import socket
import ssl
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx

from monitor.config import HttpSettings
from monitor.errors import FetchError
from monitor.types import Fetched, Validators

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
ALLOWED_SCHEMES = frozenset({"http", "https"})


class Fetcher:
    """Fetches URLs politely and within limits; one instance per daemon (it holds the pools)."""

    def __init__(
        self,
        settings: HttpSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._settings = settings
        self._now = now
        self._overall = asyncio.Semaphore(settings.concurrency)
        self._per_host: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(settings.per_host)
        )
        self._client = httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,  # we follow hop by hop, to count and to check each one
            timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
            headers={"User-Agent": settings.user_agent},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(self, url: str, validators: Validators = Validators()) -> Fetched:
        """GET ``url`` (conditionally, if validators are given); raise FetchError on failure."""
        try:
            async with asyncio.timeout(self._settings.timeout):
                return await self._follow(url, validators)
        except TimeoutError as e:
            raise FetchError("timeout", f"no complete answer in {self._settings.timeout:g}s") from e

    async def _follow(self, url: str, validators: Validators) -> Fetched:
        permanent = True
        moved = False
        for _hop in range(self._settings.max_redirects + 1):
            _check_scheme(url)
            response, body = await self._get_once(url, validators)
            if response.status_code not in REDIRECT_STATUSES:
                return self._result(url, response, body, moved and permanent)
            location = response.headers.get("location")
            if not location:
                raise FetchError("http", "redirect without a Location", status=response.status_code)
            moved = True
            permanent = permanent and response.status_code in PERMANENT_REDIRECTS
            url = urljoin(url, location)
        raise FetchError("redirects", f"more than {self._settings.max_redirects} redirects")

    async def _get_once(self, url: str, validators: Validators) -> tuple[httpx.Response, bytes]:
        host = urlsplit(url).hostname or ""
        async with self._overall, self._per_host[host]:
            try:
                request = self._client.build_request("GET", url, headers=_conditional(validators))
                response = await self._client.send(request, stream=True)
                try:
                    body = await self._read_capped(response)
                finally:
                    await response.aclose()
            except httpx.HTTPError as e:
                raise _classify(e) from e
        return response, body

    async def _read_capped(self, response: httpx.Response) -> bytes:
        if response.status_code in REDIRECT_STATUSES or response.status_code == 304:
            return b""
        cap = self._settings.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchError("too_large", f"Content-Length {declared} is over the {cap}-byte cap")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():  # decoded: the cap also stops gzip bombs
            size += len(chunk)
            if size > cap:
                raise FetchError("too_large", f"body is over the {cap}-byte cap")
            chunks.append(chunk)
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
            validators=Validators(
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
            ),
            not_modified=status == 304,
            max_age=freshness_seconds(response.headers, self._now()),
            moved_permanently=moved,
        )


def _conditional(validators: Validators) -> dict[str, str]:
    headers = {}
    if validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers


def _check_scheme(url: str) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise FetchError("blocked", f"scheme {scheme!r} is not fetched (http and https only)")


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
    return FetchError("connect", type(error).__name__)


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = _http_date(value)
    return None if when is None else max(0.0, (when - now).total_seconds())


def freshness_seconds(headers: httpx.Headers, now: datetime) -> float | None:
    """How long the server says the response stays fresh: ``max-age``, else ``Expires``."""
    for directive in headers.get("cache-control", "").split(","):
        name, _, value = directive.strip().partition("=")
        if name.lower() == "max-age" and value.strip().isdigit():
            return float(value.strip())
    expires = _http_date(headers.get("expires", ""))
    return None if expires is None else max(0.0, (expires - now).total_seconds())


def _http_date(value: str) -> datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
