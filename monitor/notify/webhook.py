"""Our own sender for apprise ``json://`` and ``jsons://`` webhooks, over httpx.

Why not apprise: apprise 2.3 drops the response of a failed request (headers and body), so a
receiver's ``429``/``503`` ``Retry-After`` could never be honoured. This sender reads the URL the
way apprise does (apprise parses it: user, password, port, path, ``+header``, ``:payload``,
``-param``, ``method``, ``cto``/``rto``, ``verify``) and posts the same JSON document apprise
would (``version``, ``title``, ``message``, ``attachments``, ``type``, payload extras), plus
``delivery_id`` and, for a digest, ``delivery_ids``, and the alert(s) as structured fields
(``monitor.notify.payload``). A receiver written for apprise's JSON keeps working.
Never follows a redirect (a 307 would re-post the alert where nobody configured it), never uses
a proxy from the environment, and reads at most ``RESPONSE_MAX`` bytes of the answer.
Owns: that request and the classification of its outcome (``DeliveryError`` with
``retry_after``). Does not own: which URLs are webhooks (``send``), retries (``monitor.deliver``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from monitor.errors import DeliveryError
from monitor.fetch import retry_after_seconds
from monitor.notify.payload import structured_fields
from monitor.notify.render import Message

SCHEMES = ("json", "jsons")
#: bytes of a receiver's answer read before the connection is closed
RESPONSE_MAX = 64 * 1024
#: apprise's notification type, as it puts it in the payload
_INFO = "info"


@dataclass(frozen=True, slots=True)
class Webhook:
    """A ``json://`` endpoint, as apprise parsed it (holds secrets: never log it)."""

    url: str
    method: str
    headers: tuple[tuple[str, str], ...]
    params: tuple[tuple[str, str], ...]
    #: apprise's ``:key=value`` options: add a field, or rename/drop a standard one
    payload: tuple[tuple[str, str], ...]
    auth: tuple[str, str] | None
    verify: bool
    connect_timeout: float
    read_timeout: float
    user_agent: str
    version: str

    @classmethod
    def from_plugin(cls, plugin: Any) -> Webhook:
        """Read what apprise's ``NotifyJSON`` parsed out of the URL."""
        port = f":{plugin.port}" if isinstance(plugin.port, int) else ""
        scheme = "https" if plugin.secure else "http"
        return cls(
            url=f"{scheme}://{plugin.host}{port}{plugin.fullpath}",
            method=plugin.method,
            headers=tuple(plugin.headers.items()),
            params=tuple(plugin.params.items()),
            payload=tuple(plugin.payload_extras.items()),
            auth=(plugin.user, plugin.password or "") if plugin.user else None,
            verify=bool(plugin.verify_certificate),
            connect_timeout=float(plugin.socket_connect_timeout),
            read_timeout=float(plugin.socket_read_timeout),
            user_agent=str(plugin.app_id),
            version=str(plugin.json_version),
        )

    def document(self, message: Message) -> dict[str, Any]:
        """The JSON apprise would post, with the delivery id(s) added."""
        doc: dict[str, Any] = {
            "version": self.version,
            "title": message.title,
            "message": message.body,
            "attachments": [],
            "type": _INFO,
        }
        for key, value in self.payload:
            if key in doc:  # apprise: ":title=subject" renames a field, ":title=" drops it
                field = doc.pop(key)
                if value:
                    doc[value] = field
            else:
                doc[key] = value
        doc |= structured_fields(message)  # after the options: apprise's renames are its own
        doc["delivery_id"] = message.delivery_id
        if message.delivery_ids:
            doc["delivery_ids"] = list(message.delivery_ids)
        return doc


async def post(hook: Webhook, message: Message, where: str) -> None:
    """Send ``message``; ``DeliveryError`` (with ``retry_after`` when the receiver said) if not.

    ``where`` names the endpoint in errors ("endpoint 2 (JSON)"): never the URL.
    """
    headers = {
        "User-Agent": hook.user_agent,
        "Content-Type": "application/json",
        **dict(hook.headers),
        "X-Delivery-Id": message.delivery_id,
    }
    timeout = httpx.Timeout(hook.read_timeout, connect=hook.connect_timeout)
    try:
        # never a redirect (a 307 would re-post the alert to an address nobody configured) and
        # never a proxy from the environment; the answer's body is read up to a cap, no more
        async with (
            httpx.AsyncClient(
                verify=hook.verify, timeout=timeout, follow_redirects=False, trust_env=False
            ) as client,
            client.stream(
                hook.method,
                hook.url,
                params=dict(hook.params),
                headers=headers,
                content=json.dumps(hook.document(message)).encode(),
                auth=hook.auth,
            ) as response,
        ):
            await _drain(response)
    except httpx.TimeoutException as e:
        raise DeliveryError(f"{where} timed out") from e
    except httpx.HTTPError as e:
        raise DeliveryError(f"{where} connection failed") from e
    if not 200 <= response.status_code < 300:
        raise DeliveryError(
            f"{where} answered HTTP {response.status_code}",
            retry_after=retry_after_seconds(response.headers.get("Retry-After"), datetime.now(UTC)),
        )


async def _drain(response: httpx.Response) -> None:
    """Read at most ``RESPONSE_MAX`` bytes of the answer (we need its status, not its body): a
    receiver answering with an endless body costs nothing."""
    size = 0
    async for chunk in response.aiter_raw():
        size += len(chunk)
        if size >= RESPONSE_MAX:
            break
