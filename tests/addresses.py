"""Address forms that must never be fetched by default, shared by the guard and hostile suites.

``REACHABLE`` forms all lead to a loopback test server (``{p}``: the port of the server on
127.0.0.1, ``{p6}``: the port of the server on ::1; ``*.test`` names resolve through
``stub_resolver``); with ``allow_private_networks`` they reach it, which proves the guard is
what stops them. ``UNREACHABLE`` forms are refused by the policy alone: they are never
connected to in tests, as some of them (6to4, Teredo, NAT64) route to the internet.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence

from monitor.fetch._guard import system_resolver

#: name -> addresses, for names no real resolver knows
STUB_NAMES = {
    "internal.test": ["127.0.0.1"],
    "mixed.test": ["10.0.0.1", "127.0.0.1"],
    "v6only.test": ["::1"],
    "feeds.test": ["127.0.0.1"],
    "control.test": ["127.0.0.1"],
}


async def stub_resolver(host: str, port: int) -> Sequence[str]:
    """``STUB_NAMES``, else the system resolver for ``localhost``; anything else fails."""
    if host.rstrip(".") in STUB_NAMES:
        return STUB_NAMES[host.rstrip(".")]
    if host.rstrip(".") == "localhost":
        return await system_resolver(host, port)
    raise socket.gaierror(socket.EAI_NONAME, "no such name in the test resolver")


# (name, URL template): each reaches a loopback test server when private networks are allowed
REACHABLE = [
    ("dotted-quad", "http://127.0.0.1:{p}"),
    ("short-form", "http://127.1:{p}"),
    ("decimal", "http://2130706433:{p}"),
    ("hex", "http://0x7f000001:{p}"),
    ("octal", "http://0177.0.0.1:{p}"),
    ("hex-octets", "http://0x7f.0x0.0x0.0x1:{p}"),
    ("octal-whole", "http://017700000001:{p}"),
    ("zero-padded", "http://127.000.000.001:{p}"),
    ("trailing-dot-ip", "http://127.0.0.1.:{p}"),
    ("localhost", "http://localhost:{p}"),
    ("ipv4-mapped-upper", "http://[::FFFF:127.0.0.1]:{p}"),
    ("upper-case-name", "http://LOCALHOST:{p}"),
    ("ipv6-loopback", "http://[::1]:{p6}"),
    ("ipv6-loopback-long", "http://[0:0:0:0:0:0:0:1]:{p6}"),
    ("ipv4-mapped", "http://[::ffff:127.0.0.1]:{p}"),
    ("ipv4-mapped-hex", "http://[::ffff:7f00:1]:{p}"),
    ("unspecified", "http://0.0.0.0:{p}"),
    ("unspecified-zero", "http://0:{p}"),
    ("ipv6-unspecified", "http://[::]:{p6}"),
    ("name-to-loopback", "http://internal.test:{p}"),
    ("name-to-private-and-loopback", "http://mixed.test:{p}"),
    ("name-to-ipv6-loopback", "http://v6only.test:{p6}"),
    ("userinfo-trick", "http://feeds.example.org@127.0.0.1:{p}"),
    ("fragment-trick", "http://127.0.0.1:{p}/#@feeds.example.org"),
]

# (name, URL): refused by the address policy before any connection
UNREACHABLE = [
    ("private-10", "http://10.0.0.1/feed"),
    ("private-172", "http://172.16.0.1/feed"),
    ("private-192", "http://192.168.1.1/feed"),
    ("metadata-link-local", "http://169.254.169.254/latest/meta-data/"),
    ("cgnat", "http://100.64.0.1/feed"),
    ("multicast", "http://224.0.0.1/feed"),
    ("reserved", "http://240.0.0.1/feed"),
    ("broadcast", "http://255.255.255.255/feed"),
    ("benchmarking", "http://198.18.0.1/feed"),
    ("documentation", "http://192.0.2.1/feed"),
    ("ipv6-unique-local", "http://[fc00::1]/feed"),
    ("ipv6-link-local", "http://[fe80::1]/feed"),
    ("ipv6-multicast", "http://[ff02::1]/feed"),
    ("6to4-of-loopback", "http://[2002:7f00:1::1]/feed"),
    ("6to4-of-private", "http://[2002:a00:1::1]/feed"),
    ("nat64-of-loopback", "http://[64:ff9b::7f00:1]/feed"),
    ("teredo", "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/feed"),
    ("ipv4-compatible", "http://[::127.0.0.1]/feed"),
    ("ipv6-documentation", "http://[2001:db8::1]/feed"),
    ("decimal-private", "http://167772161/feed"),
    ("hex-metadata", "http://0xa9fea9fe/feed"),
]
