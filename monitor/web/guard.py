"""Who may see and change what: the Host we answer to, the token, the CSRF check and the
security headers.

Owns: the decisions of the web side's gate, each a pure function of the request's parts: is the
request addressed to a name we serve (``served_hosts``, ``host_ok``: a page on another name that
resolves to us, by DNS rebinding, gets 400, so it can neither read a page nor pass the Origin
check, which trusts the Host), is the request authorised (a bearer header, the session cookie
the login form set: signed, expiring and revocable, or ``?token=`` on the Atom feeds: the token
or the read-only feed token), is a POST's CSRF token right (double submit: a cookie and a form
field that must agree, and an ``Origin`` that must be ours), and the headers every response
carries (a strict Content-Security-Policy: no script at all, styles only
from our own static file).
Does not own: routing or pages (``app``); the token itself comes from the config's environment.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Container, Mapping
from datetime import datetime, timedelta
from ipaddress import ip_address
from urllib.parse import urlsplit

SESSION_COOKIE = "monitor_session"
CSRF_COOKIE = "monitor_csrf"
CSRF_FIELD = "csrf"

#: no script runs on any page (none is needed); styles and images only from us; no framing
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # no-referrer would make browsers send "Origin: null"
    "Cross-Origin-Opener-Policy": "same-origin",
}
#: paths anyone may reach when a token is set: the probe, the login form and its stylesheet
OPEN_PATHS = ("/healthz", "/login", "/static/")
#: paths where ``?token=`` is accepted (feed readers cannot send headers or log in)
QUERY_TOKEN_PATHS = ("/feeds/",)
#: how long a login lasts (the cookie's Max-Age, and checked on the signed issue time)
SESSION_MAX_AGE = timedelta(days=30)
#: seconds a session's issue time may lie ahead of our clock (several nodes' clocks differ)
SESSION_SKEW = 300
_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{16,43}")
_CSRF_SHAPE = re.compile(r"[A-Za-z0-9_-]{40,64}")
#: the names of this machine every loopback dashboard answers to (a Host header's spelling)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})


def served_hosts(listen_host: str | None, base_url: str | None) -> frozenset[str] | None:
    """The Host names (any port) we answer to: loopback, the ``web.listen`` host and the
    ``web.base_url`` host. None, any name, when listening on every address (``0.0.0.0``,
    ``::``): the dashboard is then reached by names we cannot know, and the token (required
    there) guards it."""
    if listen_host is not None and _wildcard(listen_host):
        return None
    hosts = set(LOOPBACK_HOSTS)
    if listen_host:
        hosts.add(_spelled(listen_host))
    if base_url and urlsplit(base_url).hostname:
        hosts.add(_spelled(urlsplit(base_url).hostname or ""))
    return frozenset(hosts)


def host_ok(header: str | None, served: frozenset[str] | None) -> bool:
    """The request's ``Host`` header names a host we serve (``served``: None for any)."""
    return served is None or _host_of(header or "") in served


def _host_of(header: str) -> str:
    """The host of a ``Host`` header, lower case, without its port ("" when malformed)."""
    text = header.strip().lower()
    if text.startswith("["):
        host, _, rest = text.partition("]")
        host += "]"
    else:
        host, _, port = text.partition(":")
        rest = f":{port}" if port else ""
    if rest and not (rest.startswith(":") and rest[1:].isdigit()):
        return ""
    return host


def _spelled(host: str) -> str:
    """``host`` as a Host header writes it: lower case, an IPv6 address in brackets."""
    return f"[{host.lower()}]" if ":" in host else host.lower()


def _wildcard(host: str) -> bool:
    try:
        return host == "" or ip_address(host).is_unspecified
    except ValueError:
        return False


def new_session(token: str, now: datetime) -> str:
    """A session cookie's value: ``<issued>.<session id>.<signature>``, signed with a key
    derived from the token (changing the token ends every session). The random id is what a
    logout revokes; the issue time is what makes it expire after ``SESSION_MAX_AGE``."""
    body = f"{int(now.timestamp())}.{secrets.token_urlsafe(16)}"
    return f"{body}.{_signature(token, body)}"


def session_id(token: str, value: str, now: datetime) -> str | None:
    """The id of a session cookie we signed and that has not expired at ``now``; else None."""
    issued, _, rest = value.partition(".")
    sid, _, signature = rest.partition(".")
    if not issued.isdigit() or len(issued) > 12 or not _SESSION_ID.fullmatch(sid):
        return None
    if not _same(signature, _signature(token, f"{issued}.{sid}")):
        return None
    age = now.timestamp() - int(issued)
    return sid if -SESSION_SKEW <= age <= SESSION_MAX_AGE.total_seconds() else None


def _signature(token: str, body: str) -> str:
    key = hmac.new(token.encode(), b"news-monitor web session", hashlib.sha256).digest()
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def is_open(path: str) -> bool:
    return any(path == p or (p.endswith("/") and path.startswith(p)) for p in OPEN_PATHS)


def authorised(
    token: str | None,
    path: str,
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
    query: Mapping[str, str],
    feed_token: str | None = None,
    *,
    now: datetime | None = None,
    revoked: Container[str] = frozenset(),
) -> bool:
    """True when no token is set, the path is open, or the request carries the token (see
    ``signed_in``); on the feeds, ``?token=`` may be the token or the read-only
    ``feed_token`` (never on a page)."""
    if token is None or is_open(path) or signed_in(token, headers, cookies, now, revoked):
        return True
    if not path.startswith(QUERY_TOKEN_PATHS):
        return False
    given = query.get("token", "")
    return _same(given, token) or (feed_token is not None and _same(given, feed_token))


def signed_in(
    token: str | None,
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
    now: datetime | None = None,
    revoked: Container[str] = frozenset(),
) -> bool:
    """The request carries the token itself (a bearer header), or the login's session cookie,
    unexpired at ``now`` and not logged out (``revoked``): it may see everything, the feed
    token in the pages' feed links too. Without ``now`` no cookie is taken."""
    if token is None:
        return False
    scheme, _, given = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and _same(given.strip(), token):
        return True
    sid = session_id(token, cookies.get(SESSION_COOKIE, ""), now) if now else None
    return sid is not None and sid not in revoked


def control_free(text: str, allowed: str = "") -> bool:
    """``text`` holds no control character (C0 or DEL) but those in ``allowed``. An address or
    a form field with one is refused before the store is asked: PostgreSQL refuses NUL in a
    string (the page would be "the database did not answer"), and no id, filter or key of
    ours holds one."""
    return not any((ord(c) < 32 or c == "\x7f") and c not in allowed for c in text)


def new_csrf() -> str:
    return secrets.token_urlsafe(32)


def usable_csrf(value: str | None) -> bool:
    """A CSRF cookie we could have set (anything else is replaced)."""
    return value is not None and _CSRF_SHAPE.fullmatch(value) is not None


def csrf_ok(cookie: str | None, field: str | None, origin: str | None, ours: set[str]) -> bool:
    """A POST is ours: the form's token equals the cookie's, and the Origin (when sent) is ours."""
    if not usable_csrf(cookie) or not field or not _same(field, cookie or ""):
        return False
    return origin is None or origin in ours  # "null" (sandboxed, file:) is never ours


def _same(given: str, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())
