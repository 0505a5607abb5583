"""The store: the monitor's database, and the only package that imports sqlmodel or SQLAlchemy.

Owns: the tables (sources' polling state, articles with their text and story, matches and the
other outlets of a matched story, the delivery outbox), the schema
migrations (run from ``monitor/migrations`` on ``Store.open``), idempotent writes, and the values
callers get back. SQLite (embedded default, WAL) and PostgreSQL (psycopg 3) are both supported.
Does not own: deciding what is new, what matches or when to retry (the pipeline and notifier
decide; the store records). Callers never see table rows, only the frozen values below.

    Store.open(url) -> Store                      migrate to head; StoreError if unreachable
    save_poll(state, articles, now) -> PollSaved  one transaction per poll
    due_deliveries(now) -> [PendingDelivery]      then mark_sent / mark_failed / mark_dead
    channel_queue(channel, now), open_digests,    the delivery layer (``_outbox``): queues,
      compose_digests, mark_digest_sent, ...      digests, back-off, dead letters
    heartbeat, claim_sources, claim_leases,       several nodes (``_cluster``, PostgreSQL):
      release, check_fence, fenced(lease), ...    leases, and the fence on every transaction

Every database error surfaces as ``monitor.errors.StoreError``, without the URL's password.
"""

from monitor.store._cluster import fenced
from monitor.store._engine import sqlite_file
from monitor.store._store import Store
from monitor.store._values import (
    ArticlePage,
    ChannelState,
    DeliveryRecord,
    NewArticle,
    NewDigest,
    OpenDigest,
    PendingDelivery,
    PollSaved,
    RecentSend,
    SourceState,
    StoredMatch,
)

__all__ = [
    "ArticlePage",
    "ChannelState",
    "DeliveryRecord",
    "NewArticle",
    "NewDigest",
    "OpenDigest",
    "PendingDelivery",
    "PollSaved",
    "RecentSend",
    "SourceState",
    "Store",
    "StoredMatch",
    "fenced",
    "sqlite_file",
]
