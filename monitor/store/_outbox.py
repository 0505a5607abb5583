"""The delivery layer's reads and writes: channel queues, digests, back-off, dead letters.

Owns: the outbox transitions beyond "pending -> sent" (``_store`` keeps the basic ones): a
channel's queue, digests composed before they are sent and marked sent with all their members in
one transaction (or dissolved back into the queue), rolled-up deliveries, each channel's back-off
state, dead deliveries and whether they were reported.
Does not own: deciding any of it (``monitor.deliver``); engine, sessions and conversions
(``_engine``, ``_store``, ``_convert``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from monitor.store import _convert
from monitor.store._tables import ArticleRow, ChannelStateRow, DeliveryRow, DigestRow, MatchRow
from monitor.store._values import (
    ChannelState,
    DeliveryRecord,
    NewDigest,
    OpenDigest,
    PendingDelivery,
    RecentSend,
)

_IDS_PER_QUERY = 500  # well under SQLite's bound-parameter limit


class Outbox:
    """Mixed into ``Store``: the delivery layer's queries (see the module docstring)."""

    if TYPE_CHECKING:

        def _transaction(self, action: str) -> AbstractContextManager[Connection]: ...
        def _session(self, action: str) -> AbstractContextManager[Session]: ...
        def _outlets(
            self, session: Session, match_ids: list[int | None]
        ) -> dict[int, tuple[str, ...]]: ...

    # --- reading a channel's queue ----------------------------------------------------------

    def pending_channels(self) -> set[str]:
        """Channels that have pending deliveries."""
        query = select(DeliveryRow.channel).where(col(DeliveryRow.status) == "pending").distinct()
        with self._session("reading pending channels") as session:
            return set(session.exec(query))

    def channel_queue(
        self, channel: str, now: datetime, limit: int = 5000
    ) -> list[PendingDelivery]:
        """Pending deliveries of ``channel`` that are due and in no digest, oldest first."""
        query = (
            _delivery_query()
            .where(
                col(DeliveryRow.channel) == channel,
                col(DeliveryRow.status) == "pending",
                col(DeliveryRow.digest_id).is_(None),
                col(DeliveryRow.next_attempt) <= now,
            )
            .order_by(col(DeliveryRow.created), col(DeliveryRow.id))
            .limit(limit)
        )
        with self._session("reading a channel queue") as session:
            return self._pending(session, list(session.exec(query)))

    def open_digests(self, channel: str) -> list[OpenDigest]:
        """Digests of ``channel`` recorded but not sent (a crash or stop came in between)."""
        with self._session("reading open digests") as session:
            digests = session.exec(
                select(DigestRow)
                .where(col(DigestRow.channel) == channel, col(DigestRow.status) == "pending")
                .order_by(col(DigestRow.created), col(DigestRow.id))
            ).all()
            found = []
            for digest in digests:
                rows = session.exec(
                    _delivery_query().where(col(DeliveryRow.digest_id) == digest.id)
                ).all()
                members = self._pending(session, list(rows))
                ordered = sorted(members, key=lambda p: (-p.alert.score, p.delivery_id))
                found.append(OpenDigest(digest.id, digest.channel, digest.kind, tuple(ordered)))
            return found

    def _pending(self, session: Session, rows: list[Any]) -> list[PendingDelivery]:
        """(delivery, match, article) rows as deliveries whose alerts name the other outlets
        that carried the story, as the dashboard does (read when the alert goes out: a copy
        found after the match was stored is named too)."""
        outlets = self._outlets(session, [match.id for _, match, _ in rows])
        return [_convert.pending_delivery(d, m, a, outlets.get(m.id or 0, ())) for d, m, a in rows]

    def recent_sends(self, channel: str, since: datetime) -> list[RecentSend]:
        """Deliveries of ``channel`` sent at or after ``since`` (for rate limits)."""
        query = (
            select(DeliveryRow.id, DeliveryRow.digest_id, MatchRow.topic_id, DeliveryRow.sent_at)
            .join(MatchRow, col(DeliveryRow.match_id) == col(MatchRow.id))
            .where(
                col(DeliveryRow.channel) == channel,
                col(DeliveryRow.status) == "sent",
                col(DeliveryRow.sent_at) >= since,
            )
        )
        with self._session("reading recent sends") as session:
            return [
                RecentSend(digest_id or delivery_id, topic_id, sent_at)
                for delivery_id, digest_id, topic_id, sent_at in session.exec(query)
                if sent_at is not None
            ]

    # --- digests ----------------------------------------------------------------------------

    def compose_digests(self, channel: str, digests: Sequence[NewDigest], now: datetime) -> None:
        """Record digests and tie their members to them, in one transaction, before sending."""
        with self._transaction("composing digests") as connection:
            for digest in digests:
                connection.execute(
                    insert(DigestRow).values(
                        id=digest.digest_id,
                        channel=channel,
                        kind=digest.kind,
                        status="pending",
                        size=len(digest.delivery_ids),
                        created=now,
                    )
                )
                _update_many(
                    connection, digest.delivery_ids, digest_id=digest.digest_id, rolled=False
                )

    def mark_digest_sent(self, digest_id: str, now: datetime) -> None:
        """The digest and every member are sent: one transaction."""
        with self._transaction("marking a digest sent") as connection:
            connection.execute(
                update(DigestRow)
                .where(col(DigestRow.id) == digest_id)
                .values(status="sent", sent_at=now)
            )
            connection.execute(
                update(DeliveryRow)
                .where(col(DeliveryRow.digest_id) == digest_id)
                .values(status="sent", sent_at=now, last_attempt=now)
            )

    def dissolve_digest(self, digest_id: str) -> None:
        """A digest that failed: its members go back to the queue, the digest row goes."""
        with self._transaction("dissolving a digest") as connection:
            connection.execute(
                update(DeliveryRow)
                .where(col(DeliveryRow.digest_id) == digest_id, col(DeliveryRow.status) != "sent")
                .values(digest_id=None)
            )
            connection.execute(delete(DigestRow).where(col(DigestRow.id) == digest_id))

    # --- outcomes of attempts ---------------------------------------------------------------

    def mark_rolled(self, delivery_ids: Sequence[str]) -> None:
        with self._transaction("rolling up deliveries") as connection:
            _update_many(connection, delivery_ids, rolled=True)

    def mark_attempt_failed(
        self, delivery_ids: Sequence[str], error: str, next_attempt: datetime, now: datetime
    ) -> None:
        """One failed attempt for each of ``delivery_ids``; they stay pending."""
        with self._transaction("recording a failed attempt") as connection:
            _update_many(
                connection,
                delivery_ids,
                attempts=col(DeliveryRow.attempts) + 1,
                last_error=_convert.short_error(error),
                next_attempt=next_attempt,
                last_attempt=now,
            )

    def mark_dead_many(self, delivery_ids: Sequence[str], reason: str, now: datetime) -> None:
        """Give up on deliveries: never tried again, listed as dead, reported if configured."""
        with self._transaction("marking deliveries dead") as connection:
            _update_many(
                connection,
                delivery_ids,
                status="dead",
                digest_id=None,
                last_error=_convert.short_error(reason),
                last_attempt=now,
            )

    def expire_orphans(self, channels: Iterable[str], before: datetime, now: datetime) -> int:
        """Pending deliveries for channels no longer configured, created before ``before``, die."""
        known = list(channels)
        statement = (
            update(DeliveryRow)
            .where(
                col(DeliveryRow.status) == "pending",
                col(DeliveryRow.channel).not_in(known),
                col(DeliveryRow.created) < before,
            )
            .values(
                status="dead",
                digest_id=None,
                last_error="the channel is no longer configured",
                last_attempt=now,
            )
        )
        with self._transaction("expiring deliveries of removed channels") as connection:
            return int(connection.execute(statement).rowcount)

    def deliveries(self, status: str | None = None, limit: int = 100) -> list[DeliveryRecord]:
        """Deliveries in ``status`` (any when None), newest first."""
        query = _delivery_query().order_by(
            col(DeliveryRow.created).desc(), col(DeliveryRow.id).desc()
        )
        if status is not None:
            query = query.where(col(DeliveryRow.status) == status)
        with self._session("reading deliveries") as session:
            return [_convert.delivery_record(*row) for row in session.exec(query.limit(limit))]

    def unreported_dead(self, limit: int = 50) -> list[DeliveryRecord]:
        """Dead deliveries not yet reported through the dead-letter channel, oldest first."""
        query = (
            _delivery_query()
            .where(col(DeliveryRow.status) == "dead", col(DeliveryRow.reported).is_(False))
            .order_by(col(DeliveryRow.created), col(DeliveryRow.id))
            .limit(limit)
        )
        with self._session("reading dead deliveries") as session:
            return [_convert.delivery_record(*row) for row in session.exec(query)]

    def mark_reported(self, delivery_ids: Sequence[str]) -> None:
        with self._transaction("marking dead deliveries reported") as connection:
            _update_many(connection, delivery_ids, reported=True)

    # --- channel back-off -------------------------------------------------------------------

    def channel_state(self, channel: str) -> ChannelState | None:
        with self._session("reading a channel state") as session:
            row = session.get(ChannelStateRow, channel)
            if row is None:
                return None
            return ChannelState(
                row.channel, row.failures, row.blocked_until, row.last_failure, row.last_error
            )

    def save_channel_state(self, state: ChannelState) -> None:
        values = {
            "failures": state.failures,
            "blocked_until": state.blocked_until,
            "last_failure": state.last_failure,
            "last_error": _convert.short_error(state.last_error),
        }
        with self._transaction("saving a channel state") as connection:
            dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
            upsert = dialect.insert(ChannelStateRow).values(channel=state.channel, **values)
            upsert = upsert.on_conflict_do_update(index_elements=["channel"], set_=values)
            connection.execute(upsert)


def _update_many(connection: Connection, delivery_ids: Sequence[str], **values: Any) -> None:
    ids = list(delivery_ids)
    for start in range(0, len(ids), _IDS_PER_QUERY):
        chunk = ids[start : start + _IDS_PER_QUERY]
        connection.execute(update(DeliveryRow).where(col(DeliveryRow.id).in_(chunk)).values(values))


def _delivery_query() -> Any:
    # Any: sqlmodel's select() over three entities has no precise type for the chained calls.
    return (
        select(DeliveryRow, MatchRow, ArticleRow)
        .join(MatchRow, col(DeliveryRow.match_id) == col(MatchRow.id))
        .join(ArticleRow, col(MatchRow.article_id) == col(ArticleRow.id))
    )
