"""Language tags: ``en-US``, ``pt_BR``, ``id`` -> the primary subtag the matcher works with.

Owns: ``primary_subtag``. Pure, no imports: readers of feeds, sitemaps and pages all use it.
Does not own: detecting a text's language (``monitor.extract``).
"""

from __future__ import annotations


def primary_subtag(tag: str | None) -> str | None:
    """``en-US`` -> ``en``: the primary subtag, lower case, if it looks like an ISO 639 code
    (2 or 3 letters); None otherwise."""
    primary = (tag or "").strip().replace("_", "-").split("-")[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None
