"""The store: the monitor's database, and the only package that imports sqlmodel or SQLAlchemy.

Owns: the tables (sources' polling state, articles with their text and story, matches and the
other outlets of a matched story, the delivery outbox, relevance feedback, the keys of pruned
articles), the schema migrations (run from ``monitor/migrations`` on ``Store.open``), idempotent
writes, and the values callers get back. SQLite (embedded default, WAL) and PostgreSQL
(psycopg 3) are both supported.
Does not own: deciding what is new, what matches or when to retry (the pipeline and notifier
decide; the store records). Callers never see table rows, only the frozen values below.

    Store.open(url) -> Store                      migrate to head; StoreError if unreachable
    save_poll(state, articles, now, placing)      one transaction per poll; placing: each
      -> PollSaved                                  article in its story (``_stories``)
    stored_articles(since), new_rematches,        ``monitor rematch``: match stored articles again
      save_rematch(...)
    channel_queue(channel, now), open_digests,    the delivery layer (``_outbox``): queues,
      compose_digests, mark_digest_sent, ...      digests, back-off, dead letters, listing
    record_feedback(match_id, verdict, who, now)  relevance feedback (``_feedback``): a repeat
      -> Recorded | None                            adds nothing, None is "no such match"; also
      undo_feedback(match_id) -> Undone | None      latest_verdicts, feedback_counts,
      feedback(topic)                               match_of_delivery(delivery_id), match_topic,
                                                    undo_article_feedback(topic, key)
    import_judgments, judgments(topic),           what topics learn from, and the learned filters
      judgment_state, save_learned, learned()       (``_learning``)
    match_page(filter, after, limit, order),      the dashboard's reads (``_views``), keyset-paged
      match_languages(), ...
    heartbeat, claim_sources, claim_leases,       several nodes (``_cluster``, PostgreSQL):
      release, check_fence, fenced(lease), ...    leases, and the fence on every transaction
    prune_batch(cutoff, after, limit),            retention (``_retention``): old articles
      prune_counts, prune_digests, claim_run,       deleted in batches, what is kept, the keys
      vacuum, database_size                         they leave seen, one node's daily run

Every database error surfaces as ``monitor.errors.StoreError``, without the URL's password.
"""

from monitor.store._cluster import fenced
from monitor.store._engine import sqlite_file
from monitor.store._learning import Learned
from monitor.store._store import Store
from monitor.store._values import (
    ID_MAX,
    MATCH_ORDERS,
    NO_LANGUAGE,
    VERDICTS,
    ArticlePage,
    Candidate,
    ChannelState,
    DayCount,
    DeliveryRecord,
    Feedback,
    MatchCursor,
    MatchDetail,
    MatchFilter,
    MatchOrder,
    NewArticle,
    NewDigest,
    OpenDigest,
    PendingDelivery,
    Placing,
    PollSaved,
    Pruned,
    RecentSend,
    Recorded,
    SourceState,
    StoredArticle,
    StoredMatch,
    Undone,
    row_id,
)

__all__ = [
    "ID_MAX",
    "MATCH_ORDERS",
    "NO_LANGUAGE",
    "VERDICTS",
    "ArticlePage",
    "Candidate",
    "ChannelState",
    "DayCount",
    "DeliveryRecord",
    "Feedback",
    "Learned",
    "MatchCursor",
    "MatchDetail",
    "MatchFilter",
    "MatchOrder",
    "NewArticle",
    "NewDigest",
    "OpenDigest",
    "PendingDelivery",
    "Placing",
    "PollSaved",
    "Pruned",
    "RecentSend",
    "Recorded",
    "SourceState",
    "Store",
    "StoredArticle",
    "StoredMatch",
    "Undone",
    "fenced",
    "row_id",
    "sqlite_file",
]
