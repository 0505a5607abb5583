"""The HTTP that apprise's plugins send through: no redirect, no proxy, a bounded answer.

apprise 2.3's plugins (``form://``, ``xml://``, ntfy, Mattermost, Telegram, Discord, Slack, ...)
call requests' module-level functions (``requests.post(...)``). Each call builds a fresh
``requests.Session`` that follows redirects unless the plugin says otherwise, routes through
any ``HTTP(S)_PROXY``/``ALL_PROXY`` of the environment, and reads the whole answer into memory:
a receiver answering 200 with an endless body grows the daemon until the service timeout.

``guard_plugins`` gives every loaded apprise plugin module, in place of the ``requests``
module, a view of it whose request functions go through ``request`` here, which:

- never follows a redirect (a 307 would re-post the alert where nobody configured it), whatever
  the plugin or the URL's ``redirect=`` option asks;
- never takes a proxy (nor CA bundle or ``.netrc``) from the environment;
- reads at most ``ANSWER_MAX`` bytes of the answer, decoded, then closes the connection; the
  plugin sees that prefix as the body (enough for any API's answer, and its status is whole).

Everything else (``requests.codes``, the exceptions, ``requests.auth``) is requests' own.
Owns: that policy for apprise's plugins. Does not own: ``json://`` (``monitor.notify.webhook``
sends those with httpx, under the same policy), which plugins run (``monitor.notify.send``).
"""

from __future__ import annotations

import sys
import types
from typing import Any

import requests

#: bytes of an answer a plugin may read (decoded) before the connection is closed
ANSWER_MAX = 1024 * 1024
_CHUNK = 64 * 1024
# positional parameters after ``url`` of requests' module-level functions, by method
_POSITIONAL = {"get": ("params",), "post": ("data", "json"), "put": ("data",), "patch": ("data",)}


def request(method: str, url: str, **kwargs: Any) -> requests.Response:
    """``requests.request`` under the policy above; the answer's body is read (capped)."""
    kwargs.pop("stream", None)
    kwargs["allow_redirects"] = False
    with requests.Session() as session:
        session.trust_env = False  # no proxy, CA bundle or netrc from the environment
        response = session.request(method, url, stream=True, **kwargs)
        try:
            # requests keeps a read body in ``_content``: filled here, ``.content``,
            # ``.text`` and ``.json()`` work as after an ordinary (non-streamed) request
            response._content = _read_capped(response)
        finally:
            response.close()
    return response


def _read_capped(response: requests.Response) -> bytes:
    """At most ``ANSWER_MAX`` bytes of the decoded body (urllib3 bounds each decoded chunk,
    so a compressed bomb costs no more than a plain body)."""
    body = bytearray()
    for chunk in response.iter_content(chunk_size=_CHUNK):
        body += chunk
        if len(body) >= ANSWER_MAX:
            break
    return bytes(body[:ANSWER_MAX])


def _method(name: str) -> Any:
    positional = _POSITIONAL.get(name, ())

    def send(url: str, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.update(zip(positional, args, strict=False))
        return request(name, url, **kwargs)

    send.__name__ = name
    return send


class _GuardedRequests(types.ModuleType):
    """requests as the plugins see it: its request functions are ours, the rest is its own."""

    def __getattr__(self, name: str) -> Any:
        return getattr(requests, name)


GUARDED = _GuardedRequests("requests", __doc__)
GUARDED.request = request  # type: ignore[attr-defined]
for _name in ("get", "post", "put", "patch", "delete", "head", "options"):
    setattr(GUARDED, _name, _method(_name))


def guard_plugins() -> None:
    """Make every loaded apprise plugin module send through ``request`` (idempotent)."""
    for name, module in list(sys.modules.items()):
        if name.startswith("apprise.plugins") and getattr(module, "requests", None) is requests:
            module.requests = GUARDED  # type: ignore[attr-defined]
