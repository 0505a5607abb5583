"""The ``web`` section of ``monitor.yaml``: where the daemon's web side listens, and its tokens.

Owns: reading ``listen`` (``host:port``, or ``off``), ``token`` (``${ENV}`` interpolated; also
``MONITOR_WEB_TOKEN`` when the key is absent), ``feed_token`` (the same, ``MONITOR_WEB_FEED_TOKEN``:
a read-only token for the Atom feeds), ``base_url``, and the rules that a bind to anything but
loopback needs a token of at least ``TOKEN_MIN`` characters, and that a feed token comes beside
a token, is as long and differs from it.
Does not own: binding (``monitor.web.server``) or checking the token on requests (``monitor.web``).
"""

from __future__ import annotations

from collections.abc import Mapping
from ipaddress import ip_address
from urllib.parse import urlsplit

from monitor.config import readers as read
from monitor.config.settings import WebSettings
from monitor.errors import ConfigError
from monitor.yamlsafe import At

_KEYS = ("listen", "token", "feed_token", "base_url")
#: the shortest token a non-loopback bind accepts: anyone who can reach it may guess
TOKEN_MIN = 16
_LOOPBACK_NAMES = {"localhost", "ip6-localhost"}


def read_web(at: At | None, env: Mapping[str, str]) -> WebSettings:
    """The ``web`` section; a non-loopback ``listen`` needs a token."""
    fields = {} if at is None else at.mapping(_KEYS)
    default = WebSettings()
    listen = _listen(fields["listen"]) if "listen" in fields else default.listen
    token = read.expand(fields["token"], env) if "token" in fields else env.get("MONITOR_WEB_TOKEN")
    base_url = _base_url(fields["base_url"]) if "base_url" in fields else None
    if listen is not None and not is_loopback(listen[0]):
        # the default is loopback: a non-loopback host was written under ``listen``
        if not token:
            fields["listen"].fail(
                f"listening on {listen[0]} (not loopback) needs a token: set web.token to "
                "${MONITOR_WEB_TOKEN} and put the token in the environment"
            )
        if len(token) < TOKEN_MIN:
            # from the environment when the key is absent: the error names the key anyway
            where = fields.get("token") or At(fields["listen"].doc, "web.token", None)
            source = "" if "token" in fields else " (MONITOR_WEB_TOKEN)"
            where.fail(
                f"the token{source} is {len(token)} characters; listening on {listen[0]} (not "
                f"loopback) needs at least {TOKEN_MIN} (e.g. openssl rand -hex 32)"
            )
    feed_token = _feed_token(fields, env, token or None)
    return WebSettings(
        listen=listen, explicit="listen" in fields, token=token or None, base_url=base_url,
        feed_token=feed_token,
    )  # fmt: skip


def _feed_token(fields: Mapping[str, At], env: Mapping[str, str], token: str | None) -> str | None:
    """``web.feed_token`` (else ``MONITOR_WEB_FEED_TOKEN``): None when unset or empty."""
    at = fields.get("feed_token")
    value = read.expand(at, env) if at is not None else env.get("MONITOR_WEB_FEED_TOKEN")
    if not value:
        return None
    source = "" if at is not None else " (MONITOR_WEB_FEED_TOKEN)"
    problem = None
    if token is None:
        problem = "is set but web.token is not: without a token every feed is open already"
    elif len(value) < TOKEN_MIN:
        problem = f"is {len(value)} characters; it needs at least {TOKEN_MIN}"
    elif value == token:
        problem = "is the token itself: give the feeds a token of their own"
    if problem is None:
        return value
    message = f"the feed token{source} {problem}"
    if at is not None:
        at.fail(message)
    raise ConfigError(message, key="web.feed_token")


def _listen(at: At) -> tuple[str, int] | None:
    if at.value is False or (isinstance(at.value, str) and at.value.strip().lower() == "off"):
        return None
    text = read.one_line(at)
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        at.fail(f"not host:port or off: {text!r} (e.g. 127.0.0.1:8080, 0.0.0.0:8080)")
    return host, int(port)


def _base_url(at: At) -> str:
    url = read.one_line(at).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        at.fail(f"not an http(s) URL without query: {url!r}")
    if "@" in parts.netloc:
        # it is written into every Atom link and page: a password there would be published
        at.fail("the public URL has a user name or password; give it without (value not shown)")
    return url


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost: only this machine can connect."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False
