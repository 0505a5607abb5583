"""Several nodes on one PostgreSQL: the values and the pure decisions of the coordination.

A node is one ``monitor run`` process. Nodes share nothing but the database: each writes a
heartbeat, claims due sources and channel rounds as *leases* (owner, epoch, expiry), renews what
it holds with every heartbeat, and gives a source back with the poll's final write. A write that
ends a poll or a send is *fenced*: it checks, in its own transaction, that this node still holds
the lease with the epoch it claimed, so a node that was paused or cut off past its lease records
and sends nothing (``monitor.errors.LeaseLost``).

Owns: the lease and node values, how often to beat and claim, how many channels a node takes
(its fair share), when the claim loop wakes next, where a cold cluster's first polls go.
Does not own: the SQL (``monitor.store``), running polls and rounds under leases
(``monitor.node``), the clock (``monitor.scheduler``).
"""

from __future__ import annotations

import math
import os
import secrets
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

LeaseKind = Literal["source", "channel"]

#: the lease name of the dead-letter report (one node reports a dead delivery, once)
DEAD_LETTERS = "dead-letters"
#: a node silent for this long is forgotten (``monitor nodes`` stops listing it)
FORGET_AFTER = timedelta(hours=1)
#: seconds between the first polls of a cold cluster's sources (they would all be due at once)
FIRST_POLL_STAGGER = 0.2


@dataclass(frozen=True, slots=True)
class Lease:
    """The right to work on one thing until ``expires``, unless renewed by a heartbeat."""

    #: a source (polled) or a channel round (``channel:<name>``, or ``dead-letters``)
    kind: LeaseKind
    #: the source id, or the lease's name
    name: str
    #: the node holding it
    owner: str
    #: raised by every claim; a write fenced with an older epoch is refused
    epoch: int


@dataclass(frozen=True, slots=True)
class NodeView:
    """One node as ``monitor nodes`` shows it."""

    node: str
    host: str
    pid: int
    started: datetime
    heartbeat: datetime
    #: its leases lapse at this moment unless it beats again
    expires: datetime
    #: True while its heartbeat is within the lease time
    alive: bool
    #: the sources it is polling now, and the channel rounds it is running
    sources: tuple[str, ...]
    channels: tuple[str, ...]


def node_id(host: str | None = None, pid: int | None = None) -> str:
    """A name for this process, unique across restarts: ``host:pid:random``."""
    host = host or socket.gethostname()
    pid = pid or os.getpid()
    return f"{host}:{pid}:{secrets.token_hex(3)}"


def heartbeat_every(lease: float) -> float:
    """Beat three times per lease: one late or lost heartbeat does not lose the leases."""
    return lease / 3


def channel_lease(channel: str) -> str:
    return f"channel:{channel}"


def fair_share(wanted: int, alive_nodes: int, held: int) -> int:
    """How many more channel rounds this node may claim: its share of those waiting, so the
    channels spread over the nodes instead of going to whoever ticks first."""
    share = math.ceil(wanted / max(1, alive_nodes))
    return max(0, share - held)


def next_claim(
    now: datetime, next_due: datetime | None, tick: float, *, claimed: bool = True,
    full: bool = False,
) -> datetime:  # fmt: skip
    """When the claim loop runs next: when the earliest free source falls due, at the latest
    one tick from now (a source may be added, or another node may die). A node with no free
    poll slot waits a tick (a finished poll wakes it sooner); one that claimed nothing although
    sources are overdue (other nodes were claiming them) waits a tenth of a tick, not spinning."""
    latest = now + timedelta(seconds=tick)
    if full or next_due is None:
        return latest
    earliest = now if claimed else now + timedelta(seconds=tick / 10)
    return max(earliest, min(next_due, latest))


def first_polls(source_ids: list[str], now: datetime) -> dict[str, datetime]:
    """When each never-polled source is first due: spread out, so a cold cluster does not
    fetch everything at once (the first node to register a source decides, for all)."""
    step = timedelta(seconds=FIRST_POLL_STAGGER)
    return {source_id: now + n * step for n, source_id in enumerate(source_ids)}


class ChannelLeases(Protocol):
    """What the delivery rounds need from the cluster (``monitor.node.Node`` provides it)."""

    async def claim_channels(self, names: Sequence[str], busy: int) -> dict[str, Lease]:
        """Leases on some of the channels ``names``, by channel name (this node runs ``busy``
        rounds already)."""
        ...

    async def claim_dead_letters(self) -> Lease | None:
        """The lease on reporting dead deliveries, if free."""
        ...

    async def release(self, lease: Lease) -> None:
        """Give the lease back (nothing if this node lost it meanwhile)."""
        ...
