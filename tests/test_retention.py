"""Retention: ``Store.prune_*`` and ``monitor.retention`` on a SQLite file and on PostgreSQL.

What goes (an old article with its matches, sent deliveries and band keys), what stays (judged
articles, matches with a delivery not sent, matches made lately, young articles), that a dry run
changes nothing and counts what the prune deletes, that deleted keys stay seen, and the daily
job: once a day by an injected clock, by one node of several.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from monitor import retention
from monitor.store import PollSaved, Pruned, Store
from monitor.types import Match
from tests.test_store import article, state

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=100)
YOUNG = NOW - timedelta(days=2)
DAYS = 30


def no_pause(_seconds: float) -> None:
    """Batches follow each other at once: a test never sleeps."""


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    with Store.open(database_url) as opened:
        yield opened


def save(store: Store, key: str, when: datetime, channels: tuple[str, ...] = ("chat",)) -> None:
    """One article first seen ``when``: matched by topic ``asean`` (when ``channels``), with a
    pending delivery to each channel."""
    topics = (("asean", channels),) if channels else ()
    new = article(key, topics=topics) if channels else article(key, topics=())
    saved = store.save_poll(state(), [new], when)
    assert saved.new_articles == 1


def send_all(store: Store, channel: str = "chat") -> None:
    for pending in store.channel_queue(channel, NOW):
        store.mark_sent(pending.delivery_id, NOW)


def match_of(store: Store, key: str) -> int:
    return next(m.match_id for m in store.matches(limit=1000) if m.article_key == key)


def rows(store: Store, table: str) -> int:
    with store._engine.connect() as connection:  # a test counts rows no command shows
        return int(connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())


def everything(store: Store) -> dict[str, int]:
    tables = ("article", "match", "delivery", "match_outlet", "story_band", "feedback", "seen_key")
    return {table: rows(store, table) for table in tables}


@pytest.fixture
def history(store: Store) -> Store:
    """Old articles of every kind, and a young one:
    old-sent (matched, alert sent), old-plain (matched nothing), old-judged (alert sent, then
    judged), old-queued (its alert still pending), old-dead (its alert given up on),
    near-miss (matched nothing, judged as a near miss), young (matched, sent)."""
    for key in ("old-sent", "old-judged", "old-queued", "old-dead"):
        save(store, key, OLD)
    save(store, "old-plain", OLD, channels=())
    save(store, "near-miss", OLD, channels=())
    save(store, "young", YOUNG)
    by_key = {m.article_key: m.match_id for m in store.matches(limit=100)}
    for record in store.deliveries():
        if record.url == "old-dead":
            store.mark_dead_many([record.delivery_id], "receiver gone", NOW)
        elif record.url != "old-queued":
            store.mark_sent(record.delivery_id, NOW)
    assert store.record_feedback(by_key["old-judged"], "relevant", "cli", NOW) is not None
    assert store.record_article_feedback("asean", "near-miss", "relevant", "cli", NOW)
    return store


def test_prune_deletes_old_articles_and_keeps_what_is_still_needed(history: Store) -> None:
    """The old sent and the old plain article go, with their match and sent delivery; the
    judged ones (on a match, or as a near miss), the queued, the dead and the young stay, their
    verdicts still readable by the learner, the queued one still in its channel's queue."""
    pruned = retention.prune(history, retention.cutoff(NOW, DAYS), sleep=no_pause)

    assert pruned == Pruned(
        articles=2, texts=0, matches=1, deliveries=1, outlets=0, bands=0, digests=0,
        seen_keys=2, kept=4,
    )  # fmt: skip
    left = {key for key in (m.article_key for m in history.matches(limit=100))}
    assert left == {"old-judged", "old-queued", "old-dead", "young"}
    assert history.article("old-sent") is None and history.article("old-plain") is None
    assert history.article("near-miss") is not None
    assert [doc.id for doc, _ in history.judgments("asean")] == ["old-judged", "near-miss"]
    queued = history.channel_queue("chat", NOW)
    assert [p.alert.url for p in queued] == ["old-queued"]
    assert {d.status for d in history.deliveries()} == {"pending", "dead", "sent"}


def test_deleted_keys_stay_seen(history: Store) -> None:
    """A pruned article's key is not new again (a feed still listing it does not bring it back);
    a key never seen is."""
    retention.prune(history, retention.cutoff(NOW, DAYS), sleep=no_pause)
    keys = ["old-sent", "old-plain", "old-judged", "young", "brand-new"]
    assert history.unseen_keys(keys, "src-a") == {"brand-new"}


def test_a_dry_run_changes_nothing_and_counts_what_the_prune_deletes(history: Store) -> None:
    """``prune_counts`` leaves every table as it was, and says what ``prune`` then deletes."""
    before = everything(history)
    counted = history.prune_counts(retention.cutoff(NOW, DAYS))
    assert everything(history) == before

    pruned = retention.prune(history, retention.cutoff(NOW, DAYS), sleep=no_pause)
    assert counted == pruned
    after = everything(history)
    assert after["article"] == before["article"] - 2 and after["seen_key"] == 2


def test_a_match_made_lately_keeps_its_old_article(store: Store) -> None:
    """``monitor rematch`` matched an old article yesterday: that match (and its article)
    stays until it is as old as the cutoff."""
    save(store, "old", OLD, channels=())
    (old,) = list(store.stored_articles())
    found = [(Match("asean", 0.8, ()), "ASEAN", ("chat",))]
    assert store.save_rematch(old, found, notify=False, now=YOUNG) == PollSaved(0, 1, 0)

    assert retention.prune(store, retention.cutoff(NOW, DAYS), sleep=no_pause).articles == 0
    assert retention.prune(store, retention.cutoff(NOW, 1), sleep=no_pause).articles == 1


def test_a_stop_ends_the_prune_between_batches(store: Store) -> None:
    """Asked between batches, a stop leaves the rest for the next run."""
    for n in range(3):
        save(store, f"old-{n}", OLD)
    send_all(store)
    asked: list[bool] = []

    def stop() -> bool:
        asked.append(True)
        return len(asked) > 1  # after the first batch

    pruned = retention.prune(store, retention.cutoff(NOW, DAYS), batch=1, stop=stop, sleep=no_pause)
    assert pruned.articles == 1
    assert store.prune_counts(retention.cutoff(NOW, DAYS)).articles == 2


def test_the_daily_job_runs_once_a_day_by_the_clock_it_is_given(store: Store) -> None:
    """Off: nothing. On: the first check prunes; one 23 hours later does not; one a day after the
    last run does (what turned old meanwhile)."""
    save(store, "a", OLD)
    send_all(store)
    assert retention.daily(store, None, NOW, sleep=no_pause) is None
    assert rows(store, "article") == 1

    first = retention.daily(store, DAYS, NOW, sleep=no_pause)
    assert first is not None and first.articles == 1
    save(store, "b", NOW - timedelta(days=DAYS - 0.5))
    send_all(store)
    assert retention.daily(store, DAYS, NOW + timedelta(hours=23), sleep=no_pause) is None
    assert rows(store, "article") == 1
    second = retention.daily(store, DAYS, NOW + timedelta(days=1), sleep=no_pause)
    assert second is not None and second.articles == 1


@pytest.mark.postgres
def test_one_node_of_several_takes_the_days_run(postgres_url: str) -> None:
    """Two nodes checking at the same moment: exactly one takes the run (one conditional
    update wins); the other prunes nothing."""
    with Store.open(postgres_url) as one, Store.open(postgres_url) as two:
        start = threading.Barrier(2)
        taken: list[bool] = []

        def check(node: Store) -> None:
            start.wait()
            taken.append(node.claim_run(retention.JOB, NOW, retention.DAY))

        threads = [threading.Thread(target=check, args=(node,)) for node in (one, two)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(taken) == [False, True]
        assert retention.daily(two, DAYS, NOW + timedelta(hours=1), sleep=no_pause) is None
        assert retention.daily(one, DAYS, NOW + timedelta(days=1), sleep=no_pause) is not None
