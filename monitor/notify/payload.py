"""The structured part of a ``json://`` webhook's document: each alert as fields. Pure: no I/O.

An integrator reads ``alert`` (one alert) or ``alerts`` (a digest: the same objects, in the
order shown) instead of parsing the message text. The fields, and the document around them
(apprise's ``version``, ``title``, ``message``, ``type``, ``attachments`` and our
``delivery_id``/``delivery_ids``), are described by ``contrib/webhook.schema.json``.
Everything in them came from a feed except the ids, score and times: receivers must treat the
strings as untrusted text (no markup is added or removed here).

Owns: those fields. Does not own: the rest of the document or the request
(``monitor.notify.webhook``), nor the text of the message (``render``/``digest``).
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from monitor.notify.render import Message
from monitor.types import Alert, Hit

#: the version of the structured fields (``payload_version``); bumped on an incompatible change
PAYLOAD_VERSION = 1


def structured_fields(message: Message) -> dict[str, Any]:
    """``{"payload_version", "alert"}`` for one alert, ``{"payload_version", "alerts"}`` for a
    digest; nothing for a message about no alert (a test message, a source notice)."""
    if not message.alerts:
        return {}
    if message.delivery_ids:  # a digest, even of one alert
        return {
            "payload_version": PAYLOAD_VERSION,
            "alerts": [alert_fields(a) for a in message.alerts],
        }
    return {"payload_version": PAYLOAD_VERSION, "alert": alert_fields(message.alerts[0])}


def alert_fields(alert: Alert) -> dict[str, Any]:
    """One alert as JSON-ready fields."""
    published = alert.published
    if published is not None:
        utc = published.replace(tzinfo=UTC) if published.tzinfo is None else published
        published = utc.astimezone(UTC)
    return {
        "delivery_id": alert.delivery_id,
        "match_id": alert.match_id,
        "topic": {"id": alert.topic_id, "name": alert.topic_name},
        "title": alert.title,
        "url": alert.url,
        "source": {"id": alert.source_id or None, "name": alert.source},
        "also_in": list(alert.also_in),
        "published": published.isoformat().replace("+00:00", "Z") if published else None,
        "score": round(alert.score, 4),
        "terms": list(dict.fromkeys(h.term for h in alert.hits)),
        "hits": [_hit(h) for h in alert.hits],
        "snippet": alert.snippet,
    }


def _hit(hit: Hit) -> dict[str, Any]:
    """The hit as every JSON output shows it (``Hit.as_json``), without ``count``, which the
    schema's hit does not have, and with its weight rounded as the score is."""
    fields: dict[str, Any] = hit.as_json()
    fields.pop("count", None)
    return {**fields, "weight": round(hit.weight, 4)}
