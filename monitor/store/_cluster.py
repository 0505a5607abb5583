"""The coordination of several nodes in the database (PostgreSQL only): heartbeats, leases, fences.

Owns: the ``node`` and ``lease`` tables and the lease columns of ``source``; claiming due sources
and channel rounds with ``SELECT ... FOR UPDATE SKIP LOCKED`` (two nodes never get the same row,
and neither waits for the other); renewing a node's leases with its heartbeat; the *fence*: a
lease set for the current task (``fenced``) that every transaction of the store checks first,
in the same transaction, raising ``LeaseLost`` (and writing nothing) when this node no longer
holds it; a source's lease ends with the poll's write. Lease times are the database's clock, so
the nodes' clocks need not agree on them.
Does not own: when to claim, beat or release, or how many (``monitor.cluster``,
``monitor.node``); the locks of the story look-up (``_stories``: one per band key).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, delete, func, or_, update
from sqlalchemy.dialects import postgresql
from sqlmodel import col, select

from monitor.cluster import Lease, NodeView
from monitor.errors import LeaseLost
from monitor.store import _convert, _engine
from monitor.store._tables import HostRow, LeaseRow, NodeRow, SourceRow
from monitor.store._values import SourceState

#: the lease the current task works under (a poll, a channel round); None outside the cluster
_FENCE: contextvars.ContextVar[Lease | None] = contextvars.ContextVar("fence", default=None)


def fenced(lease: Lease) -> contextvars.Context:
    """A copy of the current context in which every store transaction is fenced by ``lease``.
    Run the task that works under the lease in it (``asyncio.create_task(..., context=...)``);
    ``asyncio.to_thread`` carries it into the store's threads."""
    context = contextvars.copy_context()
    context.run(_FENCE.set, lease)
    return context


class Coordination:
    """Mixed into ``Store``: the cluster's queries (see the module docstring)."""

    if TYPE_CHECKING:
        _engine: Engine

    @property
    def clustered(self) -> bool:
        """True on PostgreSQL, where several nodes may share the database."""
        return self._engine.dialect.name == "postgresql"

    # --- nodes ------------------------------------------------------------------------------

    def heartbeat(self, node: str, host: str, pid: int, lease: float) -> int:
        """Say this node is alive; renew every lease it still holds (an expired one stays lost).
        Returns how many nodes are alive, this one included."""
        until = func.now() + timedelta(seconds=lease)
        with self._coordinating("writing a heartbeat") as connection:
            upsert = postgresql.insert(NodeRow).values(
                id=node, host=host, pid=pid, started=func.now(), heartbeat=func.now(), expires=until
            )
            connection.execute(
                upsert.on_conflict_do_update(
                    index_elements=["id"], set_={"heartbeat": func.now(), "expires": until}
                )
            )
            connection.execute(
                update(SourceRow)
                .where(col(SourceRow.lease_owner) == node)
                .where(col(SourceRow.lease_expires) > func.now())
                .values(lease_expires=until)
            )
            connection.execute(
                update(LeaseRow)
                .where(col(LeaseRow.owner) == node, col(LeaseRow.expires) > func.now())
                .values(expires=until)
            )
            forget = func.now() - timedelta(hours=1)
            connection.execute(delete(NodeRow).where(col(NodeRow.heartbeat) < forget))
            alive = select(func.count()).select_from(NodeRow).where(NodeRow.expires > func.now())
            return int(connection.execute(alive).scalar_one())

    def leave(self, node: str) -> None:
        """A clean stop: give back everything this node holds and drop its heartbeat."""
        with self._coordinating("leaving the cluster") as connection:
            connection.execute(
                update(SourceRow)
                .where(col(SourceRow.lease_owner) == node)
                .values(lease_owner=None, lease_expires=None)
            )
            connection.execute(
                update(LeaseRow).where(col(LeaseRow.owner) == node).values(owner=None, expires=None)
            )
            connection.execute(delete(NodeRow).where(col(NodeRow.id) == node))

    def alive_nodes(self) -> int:
        with self._coordinating("counting nodes") as connection:
            query = select(func.count()).select_from(NodeRow).where(NodeRow.expires > func.now())
            return int(connection.execute(query).scalar_one())

    def nodes(self) -> list[NodeView]:
        """Every node heard from in the last hour, with what it holds now."""
        with self._coordinating("reading nodes") as connection:
            rows = connection.execute(select(NodeRow).order_by(col(NodeRow.started))).all()
            now = connection.execute(select(func.now())).scalar_one()
            sources = connection.execute(
                select(SourceRow.lease_owner, SourceRow.id)
                .where(col(SourceRow.lease_expires) > func.now())
                .order_by(col(SourceRow.id))
            ).all()
            leases = connection.execute(
                select(LeaseRow.owner, LeaseRow.name)
                .where(col(LeaseRow.expires) > func.now())
                .order_by(col(LeaseRow.name))
            ).all()
        return [
            NodeView(
                row.id, row.host, row.pid, row.started, row.heartbeat, row.expires,
                alive=row.expires > now,
                sources=tuple(s for owner, s in sources if owner == row.id),
                channels=tuple(name for owner, name in leases if owner == row.id),
            )
            for row in rows
        ]  # fmt: skip

    # --- sources ----------------------------------------------------------------------------

    def register_sources(self, states: Sequence[SourceState]) -> int:
        """Store the sources not stored yet (another node may have been first): how many."""
        added = 0
        with self._coordinating("registering sources") as connection:
            for state in states:
                insert = postgresql.insert(SourceRow).values(_convert.source_columns(state))
                insert = insert.on_conflict_do_nothing(index_elements=["id"])
                added += connection.execute(insert).rowcount
        return added

    def revive_source(self, source_id: str) -> None:
        """A gone source whose URL was edited is claimable again (its poll starts it over)."""
        with self._coordinating("reviving a source") as connection:
            connection.execute(
                update(SourceRow)
                .where(col(SourceRow.id) == source_id, col(SourceRow.status) == "gone")
                .values(status="ok", next_check=None)
            )

    def claim_sources(
        self,
        source_ids: Sequence[str],
        node: str,
        now: datetime,
        lease: float,
        limit: int,
        nodes: int = 1,
    ) -> list[Lease]:
        """Lease up to ``limit`` of ``source_ids`` that are due at ``now`` and free, the most
        overdue first, and no more than a ``nodes``-th of them (the rest is for the others).
        Rows another node is claiming at this moment are skipped, not waited for."""
        if limit <= 0 or not source_ids:
            return []
        conditions = (
            col(SourceRow.id).in_(list(source_ids)),
            col(SourceRow.status) != "gone",
            or_(col(SourceRow.next_check).is_(None), col(SourceRow.next_check) <= now),
            _free(col(SourceRow.lease_owner), col(SourceRow.lease_expires)),
        )
        with self._coordinating("claiming sources") as connection:
            if nodes > 1:
                waiting = select(func.count()).select_from(SourceRow).where(*conditions)
                share = -(-int(connection.execute(waiting).scalar_one()) // nodes)
                limit = min(limit, max(1, share))
            due = (
                select(SourceRow.id)
                .where(*conditions)
                .order_by(col(SourceRow.next_check).asc().nulls_first())
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            ids = list(connection.execute(due).scalars())
            if not ids:
                return []
            claimed = connection.execute(
                update(SourceRow)
                .where(col(SourceRow.id).in_(ids))
                .values(
                    lease_owner=node,
                    lease_epoch=col(SourceRow.lease_epoch) + 1,
                    lease_expires=func.now() + timedelta(seconds=lease),
                )
                .returning(col(SourceRow.id), col(SourceRow.lease_epoch))
            ).all()
        return [Lease("source", source_id, node, epoch) for source_id, epoch in claimed]

    def next_due(self, source_ids: Sequence[str]) -> datetime | None:
        """The earliest next check among ``source_ids`` that no node is polling."""
        query = select(func.min(SourceRow.next_check)).where(
            col(SourceRow.id).in_(list(source_ids)),
            col(SourceRow.status) != "gone",
            _free(col(SourceRow.lease_owner), col(SourceRow.lease_expires)),
        )
        with self._coordinating("reading the next due source") as connection:
            value: datetime | None = connection.execute(query).scalar()
        return value

    # --- leases on channel rounds -----------------------------------------------------------

    def claim_leases(
        self, names: Sequence[str], node: str, lease: float, limit: int
    ) -> list[Lease]:
        """Lease up to ``limit`` of the free ``names`` (``channel:<name>``, ``dead-letters``)."""
        if limit <= 0 or not names:
            return []
        with self._coordinating("claiming channel rounds") as connection:
            for name in names:
                insert = postgresql.insert(LeaseRow).values(name=name, owner=None, epoch=0)
                connection.execute(insert.on_conflict_do_nothing(index_elements=["name"]))
            free = (
                select(LeaseRow.name)
                .where(
                    col(LeaseRow.name).in_(list(names)),
                    _free(col(LeaseRow.owner), col(LeaseRow.expires)),
                )
                .order_by(col(LeaseRow.name))
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            wanted = list(connection.execute(free).scalars())
            if not wanted:
                return []
            claimed = connection.execute(
                update(LeaseRow)
                .where(col(LeaseRow.name).in_(wanted))
                .values(
                    owner=node,
                    epoch=col(LeaseRow.epoch) + 1,
                    expires=func.now() + timedelta(seconds=lease),
                )
                .returning(col(LeaseRow.name), col(LeaseRow.epoch))
            ).all()
        return [Lease("channel", name, node, epoch) for name, epoch in claimed]

    def release(self, lease: Lease) -> bool:
        """Give a lease back, if this node still holds it with that epoch (else: nothing).
        True when it was given back; False when it had lapsed or been claimed again since."""
        with self._coordinating("releasing a lease") as connection:
            return _release(connection, lease)

    # --- politeness the nodes agree on ---------------------------------------------------

    def reserve_host(self, host: str, interval: float) -> float:
        """Take the next start for ``host``, ``interval`` after the last one any node took:
        seconds from now until it (0: go now)."""
        step = timedelta(seconds=interval)
        insert = postgresql.insert(HostRow).values(name=host, next_start=func.now() + step)
        upsert = insert.on_conflict_do_update(
            index_elements=["name"],
            set_={"next_start": func.greatest(HostRow.next_start, func.now()) + step},
        ).returning(func.extract("epoch", col(HostRow.next_start) - func.now()))
        with self._coordinating("reserving a request to a host") as connection:
            until_next = float(connection.execute(upsert).scalar_one())
        return max(0.0, until_next - interval)

    def hold_host(self, host: str, seconds: float, status: int) -> None:
        """``host`` asked (``Retry-After``) to be left alone for ``seconds``: by every node."""
        until = func.now() + timedelta(seconds=seconds)
        insert = postgresql.insert(HostRow).values(name=host, held_until=until, held_status=status)
        upsert = insert.on_conflict_do_update(
            index_elements=["name"],
            set_={"held_until": func.greatest(HostRow.held_until, until), "held_status": status},
        )
        with self._coordinating("recording a host's Retry-After") as connection:
            connection.execute(upsert)

    def host_held(self, host: str) -> tuple[float, int]:
        """Seconds ``host`` still asked every node to wait (0 when none), and its status."""
        query = select(
            func.extract("epoch", col(HostRow.held_until) - func.now()), HostRow.held_status
        ).where(col(HostRow.name) == host, col(HostRow.held_until) > func.now())
        with self._reading("reading a host's Retry-After") as connection:
            row = connection.execute(query).first()
        return (0.0, 0) if row is None else (float(row[0]), int(row[1]))

    # --- the fence --------------------------------------------------------------------------

    def check_fence(self) -> None:
        """Raise ``LeaseLost`` if the current task works under a lease this node lost (before a
        send: a node that lost its channel or source sends nothing more)."""
        lease = _FENCE.get()
        if lease is not None:
            with self._coordinating("checking a lease") as connection:
                _check(connection, lease)

    @contextmanager
    def _fence(self, connection: Connection) -> Iterator[None]:
        """Inside a store transaction: check the current task's lease first; a source's lease
        ends with the transaction (a poll writes once, at its end)."""
        lease = _FENCE.get()
        if lease is None:
            yield
            return
        _check(connection, lease)
        yield
        if lease.kind == "source":
            _release(connection, lease)

    @contextmanager
    def _reading(self, action: str) -> Iterator[Connection]:
        """One read on its own, outside a transaction: no ``BEGIN`` and ``ROLLBACK`` around it
        (a read made before every request: two round trips fewer each, issue 14)."""
        with (
            _engine.guard(action, self._engine.url),
            self._engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection,
        ):
            yield connection

    @contextmanager
    def _coordinating(self, action: str) -> Iterator[Connection]:
        """A transaction that is never fenced (claims, heartbeats, releases)."""
        with _engine.guard(action, self._engine.url), self._engine.begin() as connection:
            yield connection


def _free(owner, expires):  # type: ignore[no-untyped-def]  # SQLAlchemy column expressions
    """A lease nobody holds, or whose holder let it lapse."""
    return or_(owner.is_(None), expires.is_(None), expires <= func.now())


def _check(connection: Connection, lease: Lease) -> None:
    table: type[SourceRow] | type[LeaseRow]
    if lease.kind == "source":
        table, key, owner, epoch, expires = (
            SourceRow, SourceRow.id, SourceRow.lease_owner, SourceRow.lease_epoch,
            SourceRow.lease_expires,
        )  # fmt: skip
    else:
        table, key, owner, epoch, expires = (
            LeaseRow, LeaseRow.name, LeaseRow.owner, LeaseRow.epoch, LeaseRow.expires,
        )  # fmt: skip
    held = connection.execute(
        select(col(key))
        .select_from(table)
        .where(
            col(key) == lease.name,
            col(owner) == lease.owner,
            col(epoch) == lease.epoch,
            col(expires) > func.now(),
        )
        .with_for_update()
    ).first()
    if held is None:
        raise LeaseLost(f"lease lost: {lease.kind} {lease.name!r} (epoch {lease.epoch})")


def _release(connection: Connection, lease: Lease) -> bool:
    """Give ``lease`` back if it is still held with its epoch: whether a row changed."""
    if lease.kind == "source":
        released = connection.execute(
            update(SourceRow)
            .where(
                col(SourceRow.id) == lease.name,
                col(SourceRow.lease_owner) == lease.owner,
                col(SourceRow.lease_epoch) == lease.epoch,
            )
            .values(lease_owner=None, lease_expires=None)
        )
    else:
        released = connection.execute(
            update(LeaseRow)
            .where(
                col(LeaseRow.name) == lease.name,
                col(LeaseRow.owner) == lease.owner,
                col(LeaseRow.epoch) == lease.epoch,
            )
            .values(owner=None, expires=None)
        )
    return released.rowcount > 0
