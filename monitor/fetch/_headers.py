"""What response headers say about time: ``Retry-After``, ``Cache-Control: max-age``, ``Expires``.

Owns: reading those headers into seconds. Pure: ``now`` is passed in.
Does not own: what the seconds are used for (``monitor.policy`` decides the next check).
"""

from __future__ import annotations

import email.utils
from collections.abc import Mapping
from datetime import UTC, datetime


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = _http_date(value)
    return None if when is None else max(0.0, (when - now).total_seconds())


def freshness_seconds(headers: Mapping[str, str], now: datetime) -> float | None:
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
