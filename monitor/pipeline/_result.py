"""What one poll of one source did: the value ``Pipeline.poll`` returns.

Owns: ``PollResult``.
Does not own: how a poll comes to it (the rest of ``monitor.pipeline``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class PollResult:
    """What one poll of one source did."""

    source_id: str
    #: "new" (parsed), "not_modified" (304), "failed", or "gone" (410: disabled)
    outcome: str
    #: items in the feed, of which new to the store, and new matches stored
    items: int = 0
    new_articles: int = 0
    new_matches: int = 0
    #: the classified error, secret-free, when outcome is failed or gone; with "new", the
    #: items that could not be matched or stored (``item: ...``; the others were saved)
    error: str | None = None
    next_check: datetime | None = None
