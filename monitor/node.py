"""This process as one node of several on a PostgreSQL database; the one-daemon lock on SQLite.

A node beats (``beat``), registers the configured sources (``register``: rows for new ones,
their first polls staggered), claims due sources (``claim``) and polls each under its lease
(``poll``: fenced; a poll whose lease was lost records nothing), and leases channel rounds for
the delivery layer (``claim_channels``, ``claim_dead_letters``: the ``ChannelLeases`` it needs).
Its notifier checks the current lease before every send (``FencedNotifier``): a node paused past
its lease sends nothing more. Its fetcher spaces requests per host and honours ``Retry-After``
with the other nodes (``DatabaseHosts``). ``single_node`` keeps a second daemon off a SQLite file.
Database failures of its heartbeats, releases and host politeness go to the daemon's database
watch (``monitor.database_watch``), not to the log line by line. A lease whose release failed is
kept and given back at the next heartbeat that reaches the database (``beat``): the heartbeat
renews every lease the node holds, so a lease nobody gives back would never lapse while the node
lives, and its source or channel would never be served again.
Does not own: the decisions (``monitor.cluster``), the SQL (``monitor.store``), when any of it
runs (``monitor.scheduler``), what a poll or a round does (``monitor.pipeline``).
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import logging
import os
import socket
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from monitor import cluster, health
from monitor.cluster import Lease
from monitor.config import ChannelSettings, ClusterSettings, SourceSettings
from monitor.database_watch import DatabaseWatch
from monitor.errors import LeaseLost, StoreError
from monitor.fetch import SharedHosts
from monitor.notify import Message, Notifier
from monitor.pipeline import Pipeline, PollResult
from monitor.store import SourceState, Store, fenced, sqlite_file

log = logging.getLogger("monitor.node")
#: what shared host politeness reports to the database watch as
HOSTS = "host politeness"


class Node:
    """One ``monitor run`` among several sharing ``store`` (PostgreSQL)."""

    def __init__(
        self,
        store: Store,
        settings: ClusterSettings,
        now: Callable[[], datetime],
        name: str | None = None,
        database: DatabaseWatch | None = None,
    ) -> None:
        """``database``: the daemon's one record of its database (None: the node keeps one)."""
        self.name = name or cluster.node_id()
        self.settings = settings
        self._store = store
        self._now = now
        self.database = database or DatabaseWatch(now)
        #: nodes alive at the last heartbeat (this one included): the share of due sources
        self._alive = 1
        #: leases whose work ended but whose release failed: given back at the next beat
        self.unreleased: set[Lease] = set()

    # --- membership -------------------------------------------------------------------------

    async def beat(self) -> None:
        """Heartbeat; renews the leases still held, after giving back those whose release
        failed. A failure goes to the database watch: the leases lapse unless a later beat
        comes within the lease time."""
        try:
            await self._release_again()
            self._alive = await asyncio.to_thread(
                self._store.heartbeat, self.name, socket.gethostname(), os.getpid(),
                self.settings.lease,
            )  # fmt: skip
        except StoreError as error:
            self.database.failed("heartbeat", error)
            return
        self.database.reached("heartbeat")

    async def _release_again(self) -> None:
        """Give back the leases whose release failed. Safe however late: a release names the
        lease's epoch, and does nothing once the lease lapsed and was claimed again."""
        for lease in sorted(self.unreleased, key=lambda held: (held.kind, held.name)):
            given_back = await asyncio.to_thread(self._store.release, lease)
            self.unreleased.discard(lease)
            # False: it lapsed and was claimed again (by any node): nothing of ours to give back
            if given_back:
                log.info("lease given back after the database failed %s=%s", lease.kind, lease.name)
        self.database.reached("release")

    async def leave(self) -> None:
        """A clean stop: the other nodes take over at once instead of after the lease time."""
        try:
            await asyncio.to_thread(self._store.leave, self.name)
        except StoreError as error:
            log.warning("leaving failed node=%s (its leases lapse): %s", self.name, error)
            return
        self.unreleased.clear()  # given back with the rest

    async def register(self, sources: Sequence[SourceSettings]) -> None:
        """Rows for the configured sources that have none yet, first polls spread out; a gone
        source whose URL was edited is polled again."""
        stored = {s.source_id: s for s in await asyncio.to_thread(self._store.source_states)}
        new = [s for s in sources if s.id not in stored]
        first = cluster.first_polls([s.id for s in new], self._now())
        states = [replace(SourceState.fresh(s.id, s.url), next_check=first[s.id]) for s in new]
        if states:
            await asyncio.to_thread(self._store.register_sources, states)
        for source in sources:
            state = stored.get(source.id)
            gone = state is not None and state.status == "gone"
            if gone and state is not None and health.for_config(state, source.url).status != "gone":
                await asyncio.to_thread(self._store.revive_source, source.id)

    # --- sources ----------------------------------------------------------------------------

    async def claim(self, source_ids: Sequence[str], free: int) -> list[Lease]:
        """Leases on due sources: at most ``free``, and this node's share of those waiting
        (a busy node leaves the rest to the others; an idle one takes more at its next claim)."""
        return await asyncio.to_thread(
            self._store.claim_sources, source_ids, self.name, self._now(), self.settings.lease,
            free, self._alive,
        )  # fmt: skip

    async def next_claim(self, source_ids: Sequence[str], claimed: bool, full: bool) -> datetime:
        """When to claim again (``monitor.cluster.next_claim``). A full node waits a tick
        whenever the next source falls due: it does not ask (a busy node claims after every
        poll it ends, issue 14)."""
        if full:
            return cluster.next_claim(self._now(), None, self.settings.claim_every, full=True)
        next_due = await asyncio.to_thread(self._store.next_due, source_ids)
        tick = self.settings.claim_every
        return cluster.next_claim(self._now(), next_due, tick, claimed=claimed, full=full)

    async def poll(
        self, pipeline: Pipeline, source: SourceSettings, lease: Lease
    ) -> PollResult | None:
        """Poll under the source's lease; None when it was lost (nothing recorded, nothing
        sent): another node polls the source now."""
        task = asyncio.create_task(pipeline.poll(source), context=fenced(lease))
        try:
            return await task
        except LeaseLost as error:
            log.warning("poll discarded source=%s: %s", source.id, error)
            return None
        finally:
            await self.release(lease)  # nothing left to release after the poll's write

    async def release(self, lease: Lease) -> None:
        """Give a lease back; if the database fails, it is given back at the next beat."""
        try:
            await asyncio.to_thread(self._store.release, lease)
        except StoreError as error:
            self.unreleased.add(lease)
            self.database.failed("release", error)

    # --- channel rounds (``monitor.cluster.ChannelLeases``) ---------------------------------

    async def claim_channels(self, names: Sequence[str], busy: int) -> dict[str, Lease]:
        """Leases on this node's fair share of the channels waiting, by channel name."""
        if not names:
            return {}
        alive = await asyncio.to_thread(self._store.alive_nodes)
        limit = cluster.fair_share(len(names) + busy, alive, busy)
        by_lease = {cluster.channel_lease(name): name for name in names}
        leases = await asyncio.to_thread(
            self._store.claim_leases, list(by_lease), self.name, self.settings.lease, limit
        )
        return {by_lease[lease.name]: lease for lease in leases}

    async def claim_dead_letters(self) -> Lease | None:
        leases = await asyncio.to_thread(
            self._store.claim_leases, [cluster.DEAD_LETTERS], self.name, self.settings.lease, 1
        )
        return leases[0] if leases else None

    def notifier(self, channels: Sequence[ChannelSettings]) -> Notifier:
        return FencedNotifier(channels, self._store)

    def hosts(self) -> SharedHosts:
        """Per-host spacing and ``Retry-After`` holds agreed with the other nodes."""
        return DatabaseHosts(self._store, self.database)


class DatabaseHosts:
    """``monitor.fetch.SharedHosts`` in the database. When the database fails, a node stays
    polite on its own: it waits a whole interval, and keeps a hold to itself. Failures go to
    the database watch (called from the store's threads: the watch is thread-safe)."""

    def __init__(self, store: Store, database: DatabaseWatch) -> None:
        self._store = store
        self._database = database

    def reserve(self, host: str, interval: float) -> float:
        try:
            wait = self._store.reserve_host(host, interval)
        except StoreError as error:
            log.debug("host spacing not shared host=%s: %s", host, error)
            self._database.failed(HOSTS, error)
            return interval
        self._database.reached(HOSTS)
        return wait

    def hold(self, host: str, seconds: float, status: int) -> None:
        try:
            self._store.hold_host(host, seconds, status)
        except StoreError as error:
            log.debug("Retry-After not shared host=%s: %s", host, error)
            self._database.failed(HOSTS, error)
            return
        self._database.reached(HOSTS)

    def held(self, host: str) -> tuple[float, int]:
        try:
            held = self._store.host_held(host)
        except StoreError as error:
            log.debug("Retry-After holds not read host=%s: %s", host, error)
            self._database.failed(HOSTS, error)
            return 0.0, 0
        self._database.reached(HOSTS)
        return held


class FencedNotifier(Notifier):
    """A notifier that sends only while the current task still holds its lease."""

    def __init__(self, channels: Sequence[ChannelSettings], store: Store) -> None:
        super().__init__(channels)
        self._store = store

    async def send(self, channel: str, message: Message) -> None:
        """Raises ``LeaseLost`` instead of sending when the lease was lost (a paused node)."""
        await asyncio.to_thread(self._store.check_fence)
        await super().send(channel, message)


@contextmanager
def single_node(database_url: str) -> Iterator[None]:
    """Hold an exclusive lock next to a SQLite database while the daemon runs: a second
    ``monitor run`` on the same file refuses to start (``StoreError``). Nothing on PostgreSQL."""
    path = sqlite_file(database_url)
    if path is None:
        yield
        return
    lock_path = f"{path}.lock"
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise StoreError(f"cannot create the lock file {lock_path}: {e.strerror}") from e
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise StoreError(f"cannot lock {lock_path}: {e.strerror}") from e
            raise StoreError(
                f"another `monitor run` is using {path} (it holds {lock_path}): a SQLite database"
                " serves one daemon; to run several nodes, use PostgreSQL"
            ) from e
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing the file drops the lock
