"""Where a fetch may connect: the address policy, and the network backend that enforces it.

Owns: which IP addresses are off limits (loopback, private, link-local, CGNAT, multicast,
reserved, unspecified; IPv4 inside IPv6 as mapped, 6to4, Teredo or NAT64 addresses), the reading
of legacy IPv4 spellings in URLs (``2130706433``, ``0x7f.1``, ``0177.0.0.1``), and
``GuardedBackend``: an httpcore network backend that resolves a host name itself, drops every
refused address, connects to an address it has just checked, and checks the connected socket's
peer address again. No second DNS lookup happens between the check and the connect, so a name
that re-binds to ``127.0.0.1`` after the check (DNS rebinding) reaches nothing. TLS still
verifies the certificate and sends SNI for the host *name* (httpcore passes it to ``start_tls``).
Does not own: schemes, redirects and limits (``monitor.fetch._client``).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import httpcore

from monitor.errors import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
#: host name and port -> the IP addresses (as text) to try, in order; raises ``socket.gaierror``
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def blocked_reason(address: IPAddress) -> str | None:
    """Why a fetch must not connect to ``address``, or None if it is a public unicast address."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        inner = blocked_reason(embedded)
        if inner is not None:
            return f"{inner} (IPv4 {embedded} inside IPv6)"
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            return None  # ::ffff:a.b.c.d is a.b.c.d, which passed
    checks = (
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (address.version == 4 and address in _CGNAT, "carrier-grade NAT"),
        (address.is_private, "private"),
        (address.is_reserved, "reserved"),
        (not address.is_global, "not globally routable"),
    )
    return next((reason for hit, reason in checks if hit), None)


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo client, NAT64), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which addresses one fetch may reach; hashable, so each policy gets its own pool."""

    #: ``http.allow_private_networks``: every address is allowed (intranet feeds, tests)
    allow_all: bool = False
    #: networks allowed although private (a source's ``allow_networks``)
    allowed: tuple[IPNetwork, ...] = ()

    def refuses(self, address: IPAddress) -> str | None:
        """Why ``address`` is refused under this policy, or None."""
        if self.allow_all or any(address in network for network in self.allowed):
            return None
        return blocked_reason(address)


def legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """``host`` read as the C library's ``inet_aton`` reads it, or None if it is a name.

    ``127.1``, ``2130706433``, ``0x7f000001`` and ``0177.0.0.1`` all mean 127.0.0.1 to the
    resolver; URL parsers disagree about them, so the fetcher rewrites them to the dotted quad.
    """
    parts = host.rstrip(".").split(".")
    if not 1 <= len(parts) <= 4:
        return None
    try:
        numbers = [_c_integer(part) for part in parts]
    except ValueError:
        return None
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        return None
    value = 0
    for n in head:
        value = value * 256 + n
    return ipaddress.IPv4Address(value * 256 ** (5 - len(numbers)) + last)


def _c_integer(text: str) -> int:
    lowered = text.lower()
    if lowered.startswith("0x"):
        return int(lowered[2:] or "0", 16)
    if len(text) > 1 and text.startswith("0"):
        return int(text, 8)
    if not text.isdigit():
        raise ValueError(text)
    return int(text)


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


async def system_resolver(host: str, port: int) -> list[str]:
    """The operating system's resolver (``getaddrinfo``), TCP addresses in its order."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to addresses the policy allows."""

    def __init__(
        self,
        policy: AddressPolicy,
        resolver: Resolver = system_resolver,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._policy = policy
        self._resolver = resolver
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        error: Exception | None = None
        for address in await self._allowed_addresses(host, port):
            try:
                stream = await self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as e:  # try the next address, as a browser would
                error = e
                continue
            await self._check_peer(stream)
            return stream
        assert error is not None
        raise error

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        raise FetchError("blocked", "unix sockets are never fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)

    async def _allowed_addresses(self, host: str, port: int) -> list[IPAddress]:
        literal = _ip_literal(host)
        if literal is not None:
            candidates = [literal]
        else:
            resolved = await self._resolve(host, port)
            candidates = [ipaddress.ip_address(a.split("%")[0]) for a in resolved]
        allowed = [a for a in candidates if self._policy.refuses(a) is None]
        if not allowed:
            first = candidates[0] if candidates else None
            reason = self._policy.refuses(first) if first else "no address"
            raise FetchError("blocked", f"address {first} is {reason} (not fetched)")
        return allowed

    async def _resolve(self, host: str, port: int) -> Sequence[str]:
        try:
            return await self._resolver(host, port)
        except (socket.gaierror, UnicodeError) as e:
            raise httpcore.ConnectError("host name did not resolve") from e

    async def _check_peer(self, stream: httpcore.AsyncNetworkStream) -> None:
        """The address the socket really reached: must pass too (belt and braces)."""
        sock = stream.get_extra_info("socket")
        peer = ipaddress.ip_address(sock.getpeername()[0].split("%")[0])
        reason = self._policy.refuses(peer)
        if reason is not None:
            await stream.aclose()
            raise FetchError("blocked", f"connected address {peer} is {reason} (closed)")
