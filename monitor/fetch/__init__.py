"""HTTP fetching: the only package that talks to news servers.

Owns: one GET of a URL, safely and politely. Safely: only http(s), never to a loopback, private,
link-local, CGNAT, multicast or reserved address (checked on the address actually connected to,
on every redirect hop), a total deadline, a cap on the decoded body, a redirect limit.
Politely: at most ``per_host`` requests at once to one host, ``per_host_interval`` apart,
``Retry-After`` honoured, conditional GET, robots.txt for listing pages and articles.
Does not own: what a body means (``monitor.sources``), when to fetch again (``monitor.policy``).

    _client.py   Fetcher, FetchOptions: the GET, redirects, limits, failure kinds
    _guard.py    the address policy and the network backend that enforces it
    _hosts.py    per-host concurrency, spacing and Retry-After
    _robots.py   robots.txt rules and their cache
    _headers.py  Retry-After, Cache-Control and Expires read as seconds
"""

from monitor.fetch._client import Fetcher, FetchOptions, fetchable_url
from monitor.fetch._guard import AddressPolicy, Resolver, blocked_reason, legacy_ipv4
from monitor.fetch._headers import freshness_seconds, retry_after_seconds
from monitor.fetch._hosts import MonotonicClock, SharedHosts

__all__ = [
    "AddressPolicy",
    "FetchOptions",
    "Fetcher",
    "MonotonicClock",
    "Resolver",
    "SharedHosts",
    "blocked_reason",
    "fetchable_url",
    "freshness_seconds",
    "legacy_ipv4",
    "retry_after_seconds",
]
