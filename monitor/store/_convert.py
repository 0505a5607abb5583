"""Conversions between the store's values and its table rows. Pure: no database here.

Owns: mapping each value field to a column and back, the stable delivery id, which article
text an alert's snippet is made of (``monitor.snippet`` makes it).
Does not own: queries (``_store``), the shapes on either side (``_values``, ``_tables``).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, cast

from monitor.identity import without_credentials
from monitor.snippet import article_snippet, matched_words
from monitor.store._tables import ArticleRow, DeliveryRow, MatchRow, SourceRow
from monitor.store._values import (
    DeliveryRecord,
    NewArticle,
    PendingDelivery,
    SourceState,
    StoredArticle,
    StoredMatch,
)
from monitor.types import Alert, Document, Field, Hit, Match, Validators

ERROR_MAX = 500

#: what a match copies from its article: its story, source, language and published time
ArticleFacts = tuple[str | None, str, str | None, datetime | None]


def delivery_id(article_key: str, topic_id: str, channel: str) -> str:
    """The same article, topic and channel always give the same id (receivers drop repeats)."""
    digest = hashlib.sha256(f"{article_key}\n{topic_id}\n{channel}".encode()).hexdigest()
    return digest[:24]


def short_error(error: str | None) -> str | None:
    """An error message as stored: one line, bounded."""
    if error is None:
        return None
    return " ".join(error.split())[:ERROR_MAX]


def source_columns(state: SourceState) -> dict[str, Any]:
    return {
        "id": state.source_id,
        # a feed's password stays in the config: the pipeline adds it back for the same host
        "url": without_credentials(state.url),
        "etag": state.validators.etag,
        "last_modified": state.validators.last_modified,
        "last_check": state.last_check,
        "next_check": state.next_check,
        "last_success": state.last_success,
        "failures": state.failures,
        "last_error": short_error(state.last_error),
        "items_seen": state.items_seen,
        "status": state.status,
        "baselined": state.baselined,
        "configured_url": state.configured_url and without_credentials(state.configured_url),
        "moved_to": state.moved_to and without_credentials(state.moved_to),
        "moved_seen": state.moved_seen,
        "moved_since": state.moved_since,
        "failing_since": state.failing_since,
        "reported_at": state.reported_at,
        "warning": short_error(state.warning),
    }


def source_state(row: SourceRow) -> SourceState:
    return SourceState(
        source_id=row.id,
        url=row.url,
        validators=Validators(etag=row.etag, last_modified=row.last_modified),
        last_check=row.last_check,
        next_check=row.next_check,
        last_success=row.last_success,
        failures=row.failures,
        last_error=row.last_error,
        items_seen=row.items_seen,
        status=row.status,
        baselined=row.baselined,
        configured_url=row.configured_url,
        moved_to=row.moved_to,
        moved_seen=row.moved_seen,
        moved_since=row.moved_since,
        failing_since=row.failing_since,
        reported_at=row.reported_at,
        warning=row.warning,
    )


def article_columns(new: NewArticle, now: datetime) -> dict[str, Any]:
    item = new.item
    return {
        "key": item.key,
        "url": item.url,
        "guid": item.guid,
        "title": item.title,
        "summary": item.summary,
        "published": item.published,
        "author": item.author,
        "language": item.language,
        "source_id": new.source_id,
        "source_name": new.source_name,
        "first_seen": now,
        "text": new.page.text,
        "date_source": new.page.date_source,
        "canonical_url": new.page.canonical_url,
        "follow_error": short_error(new.page.follow_error),
        "story_id": new.page.story_id,
        "fingerprint": new.page.fingerprint,
    }


def facts(new: NewArticle) -> ArticleFacts:
    """What a match of ``new`` copies from it (as ``article_columns`` stores it)."""
    return new.page.story_id, new.source_id, new.item.language, new.item.published


def stored_facts(article: StoredArticle) -> ArticleFacts:
    """What a match of a stored article copies from it."""
    return article.story_id, article.source_id, article.document.lang, article.published


def match_columns(
    article_id: int, match: Match, topic_name: str, now: datetime, article: ArticleFacts
) -> dict[str, Any]:
    """A match's row; ``article``: the story, source, language and published time copied
    from its article."""
    story_id, source_id, language, published = article
    return {
        "story_id": story_id,
        "source_id": source_id,
        "language": language,
        "published": published,
        "article_id": article_id,
        "topic_id": match.topic,
        "topic_name": topic_name,
        "score": match.score,
        "hits": [hit.as_json() for hit in match.hits],
        "created": now,
    }


def delivery_columns(
    match_id: int, article_key: str, topic_id: str, channel: str, now: datetime
) -> dict[str, Any]:
    return {
        "id": delivery_id(article_key, topic_id, channel),
        "match_id": match_id,
        "channel": channel,
        "status": "pending",
        "attempts": 0,
        "next_attempt": now,
        "created": now,
    }


def hits(stored: list[dict[str, Any]]) -> tuple[Hit, ...]:
    return tuple(
        Hit(
            term=h["term"],
            field=cast(Field, h["field"]),  # only ever written by Hit.as_json
            position=int(h["position"]),
            matched=h["matched"],
            weight=float(h.get("weight", 0.0)),  # rows stored before weights were recorded
            form=str(h.get("form") or ""),  # null: the term as written; absent: stored before forms
            count=int(h.get("count", 1)),
        )
        for h in stored
    )


def outlet_columns(
    match_id: int, article_id: int, new: NewArticle, now: datetime
) -> dict[str, Any]:
    return {
        "match_id": match_id,
        "article_id": article_id,
        "source_name": new.source_name,
        "url": new.item.url,
        "created": now,
    }


def stored_match(row: Any, also_in: tuple[str, ...] = ()) -> StoredMatch:
    """A row of ``Store.matches``'s query (match id, topic id and name, score, hits, created,
    article key, title, URL, source id, published) as a value."""
    match_id, topic_id, topic_name, score, stored_hits, created, key, title, url, source, when = row
    return StoredMatch(
        match_id=match_id,
        topic_id=topic_id,
        topic_name=topic_name,
        score=score,
        hits=hits(stored_hits),
        created=created,
        article_key=key,
        title=title,
        url=url,
        source_id=source,
        published=when,
        also_in=also_in,
    )


def pending_delivery(
    delivery: DeliveryRow, match: MatchRow, article: ArticleRow, also_in: tuple[str, ...] = ()
) -> PendingDelivery:
    found = hits(match.hits)
    alert = Alert(
        delivery_id=delivery.id,
        topic_id=match.topic_id,
        topic_name=match.topic_name,
        title=article.title,
        url=article.url,
        source=article.source_name,
        published=article.published,
        score=match.score,
        hits=found,
        # the dashboard's and the Atom feed's snippet: the page's text, else the feed's teaser
        snippet=article_snippet(article.text, article.summary, matched_words(found)),
        also_in=also_in,
        source_id=article.source_id,
        match_id=match.id,
    )
    return PendingDelivery(
        delivery_id=delivery.id,
        channel=delivery.channel,
        attempts=delivery.attempts,
        alert=alert,
        created=delivery.created,
        rolled=delivery.rolled,
    )


def delivery_record(delivery: DeliveryRow, match: MatchRow, article: ArticleRow) -> DeliveryRecord:
    return DeliveryRecord(
        delivery_id=delivery.id,
        channel=delivery.channel,
        status=delivery.status,
        attempts=delivery.attempts,
        next_attempt=delivery.next_attempt,
        last_attempt=delivery.last_attempt,
        last_error=delivery.last_error,
        created=delivery.created,
        sent_at=delivery.sent_at,
        topic_id=match.topic_id,
        title=article.title,
        url=article.url,
        digest_id=delivery.digest_id,
    )


def _id(value: int | None) -> int:
    # Rows read back from the database always have their primary key.
    assert value is not None
    return value


def stored_article(row: ArticleRow) -> StoredArticle:
    """An article row as ``monitor rematch`` matches it: its full text, else the summary."""
    document = Document(row.key, row.title, row.text or row.summary, row.language)
    return StoredArticle(
        _id(row.id), document, row.source_id, row.story_id, row.first_seen, row.published
    )
