"""Tests of the store's feedback table and the dashboard's queries (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

import pytest

from monitor.store import MatchCursor, MatchFilter, Store, Undone
from monitor.types import Document
from tests.test_store import T0, article, state


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    with Store.open(database_url) as opened:
        yield opened


def _match_ids(store: Store) -> list[int]:
    return [m.match_id for m in store.matches(limit=1000)]


def test_record_undo_and_read_feedback(store: Store) -> None:
    """A verdict copies topic and article key; undo removes only the latest of that match."""
    store.save_poll(state(), [article("https://a.example/1"), article("https://a.example/2")], T0)
    first, second = sorted(_match_ids(store))
    store.record_feedback(first, "relevant", "web", T0)
    latest = store.record_feedback(first, "not-relevant", "web", T0 + timedelta(minutes=1))
    store.record_feedback(second, "relevant", "ana", T0 + timedelta(minutes=2))
    assert latest is not None
    assert (latest.match_id, latest.topic_id, latest.article_key, latest.verdict) == (
        first,
        "asean",
        "https://a.example/1",
        "not-relevant",
    )
    assert [f.verdict for f in store.feedback("asean")] == ["relevant", "not-relevant", "relevant"]
    assert store.feedback("other") == []
    assert store.latest_verdicts([first, second]) == {first: "not-relevant", second: "relevant"}
    assert store.undo_feedback(first) == Undone("not-relevant", "relevant")
    assert store.latest_verdicts([first]) == {first: "relevant"}
    assert store.feedback_counts() == {"asean": {"relevant": 2, "not-relevant": 0}}
    assert store.undo_feedback(first) == Undone("relevant", None)
    assert store.undo_feedback(first) is None


def test_a_repeated_verdict_adds_nothing_and_one_undo_takes_it_back(store: Store) -> None:
    """The same verdict twice (a double click, on the match or as an article's, or after an
    import that said it) is stored once; one undo leaves the article unjudged."""
    store.save_poll(state(), [article("https://a.example/1"), article("https://a.example/2")], T0)
    first, second = sorted(_match_ids(store))
    given = [
        store.record_feedback(first, "relevant", "web", T0),
        store.record_feedback(first, "relevant", "web", T0 + timedelta(seconds=1)),
        store.record_article_feedback("asean", "https://a.example/1", "relevant", "cli", T0),
    ]
    stored_once = [(g.match_id, g.verdict, g.stored) for g in given if g is not None]
    rows = [f.verdict for f in store.feedback()]
    undone = store.undo_feedback(first)
    counts = store.feedback_counts()
    doc = Document("https://a.example/2", "Asean", "text", "en")
    store.import_judgments([(doc, {"asean": False})], "file", T0)
    after_import = store.record_feedback(second, "not-relevant", "web", T0 + timedelta(minutes=1))
    assert (
        [(first, "relevant", True), (first, "relevant", False), (first, "relevant", False)],
        ["relevant"],
        Undone("relevant", None),
        {},
        False,
        Undone("not-relevant", None),
    ) == (
        stored_once, rows, undone, counts,
        after_import is not None and after_import.stored, store.undo_feedback(second),
    )  # fmt: skip


def test_verdicts_given_at_once_are_decided_one_after_the_other(store: Store) -> None:
    """Two clicks of one button arriving together (two threads, two connections) store one
    verdict: the second sees the first."""
    store.save_poll(state(), [article("https://a.example/1")], T0)
    (match_id,) = _match_ids(store)
    start = threading.Barrier(2)

    def click() -> bool:
        start.wait(timeout=30)
        given = store.record_feedback(match_id, "relevant", "web", T0)
        return given is not None and given.stored

    with ThreadPoolExecutor(2) as pool:
        stored = sorted(pool.map(lambda _: click(), range(2)))
    assert (stored, [f.verdict for f in store.feedback()]) == ([False, True], ["relevant"])


def test_an_import_and_a_verdict_on_the_match_have_one_current_verdict(store: Store) -> None:
    """An article and topic judged on its match and by an import has one verdict, the latest,
    wherever it is read (the match, the counts, the learner); undo takes back that one."""
    store.save_poll(state(), [article("https://a.example/1")], T0)
    (match_id,) = _match_ids(store)
    doc = Document("https://a.example/1", "Asean", "text", "en")
    store.record_feedback(match_id, "not-relevant", "cli", T0)

    def current() -> tuple[object, ...]:
        learned = [relevant for _, relevant in store.judgments("asean")]
        return store.latest_verdicts([match_id]), store.feedback_counts(), learned

    store.import_judgments([(doc, {"asean": True})], "file", T0 + timedelta(minutes=1))
    imported = current()
    store.record_feedback(match_id, "not-relevant", "cli", T0 + timedelta(minutes=2))
    given = current()
    store.undo_feedback(match_id)
    undone = current()
    store.undo_feedback(match_id)
    assert (
        ({match_id: "relevant"}, {"asean": {"relevant": 1, "not-relevant": 0}}, [True]),
        ({match_id: "not-relevant"}, {"asean": {"relevant": 0, "not-relevant": 1}}, [False]),
        ({match_id: "relevant"}, {"asean": {"relevant": 1, "not-relevant": 0}}, [True]),
        ({match_id: "not-relevant"}, {"asean": {"relevant": 0, "not-relevant": 1}}, [False]),
    ) == (imported, given, undone, current())


def test_a_delivery_id_names_its_match(store: Store) -> None:
    """A delivery id (an alert's or digest line's ``id:``) resolves to its match; others None."""
    store.save_poll(state(), [article("https://a.example/1", topics=(("asean", ("chat",)),))], T0)
    (match_id,) = _match_ids(store)
    (delivery,) = store.channel_queue("chat", T0 + timedelta(hours=1))
    assert (match_id, None) == (
        store.match_of_delivery(delivery.delivery_id),
        store.match_of_delivery("nope"),
    )


def test_feedback_on_unknown_match_or_bad_verdict_is_refused(store: Store) -> None:
    """No such match (or article) is an answer, None, not a database error; a verdict outside
    the two is a ValueError."""
    store.save_poll(state(), [article("https://a.example/1")], T0)
    assert (
        store.record_feedback(999_999, "relevant", "web", T0),
        store.undo_feedback(999_999),
        store.match_topic(999_999),
        store.record_article_feedback("asean", "https://nowhere.example/", "relevant", "web", T0),
    ) == (None, None, None, None)
    with pytest.raises(ValueError):
        store.record_feedback(_match_ids(store)[0], "maybe", "web", T0)


def test_match_page_keyset_paging_and_filters(store: Store) -> None:
    """Pages follow one another without gaps or repeats; filters narrow the list."""
    articles = [
        article(f"https://a.example/{n}", source_id="src-a" if n % 2 else "src-b") for n in range(7)
    ]
    for n, new in enumerate(articles):
        store.save_poll(state(new.source_id), [new], T0 + timedelta(minutes=n // 2))
    seen: list[int] = []
    cursor = None
    while True:
        page = store.match_page(MatchFilter(), cursor, limit=3)
        if not page:
            break
        seen += [d.match.match_id for d in page]
        last = page[-1].match
        cursor = MatchCursor(last.created, last.match_id)
    assert seen == _match_ids(store)  # newest first, ties by id
    assert len(seen) == 7
    only_b = store.match_page(MatchFilter(source="src-b"))
    assert {d.match.source_id for d in only_b} == {"src-b"} and len(only_b) == 4
    assert store.match_page(MatchFilter(topic="nope")) == []
    assert len(store.match_page(MatchFilter(min_score=0.7, language="en"))) == 7
    assert store.match_page(MatchFilter(min_score=0.8)) == []
    late = store.match_page(MatchFilter(since=T0 + timedelta(minutes=3)))
    assert [d.match.article_key for d in late] == ["https://a.example/6"]
    detail = late[0]
    assert detail.deliveries == (("chat", "pending"), ("mail", "pending"))
    assert (detail.text, detail.summary) == ("", "Summary of the article.")  # not followed
    assert detail.source_name == "Source src-b"


def test_day_counts_retry_and_ping(store: Store) -> None:
    """Matches and articles per UTC day; a dead delivery is queued again once."""
    store.save_poll(state(), [article("https://a.example/1")], T0)
    store.save_poll(state(), [article("https://a.example/2")], T0 + timedelta(days=1))
    assert [(d.day, d.count) for d in store.match_days(T0)["asean"]] == [
        ("2025-03-01", 1),
        ("2025-03-02", 1),
    ]
    assert [(d.day, d.count) for d in store.article_days(T0)["src-a"]] == [
        ("2025-03-01", 1),
        ("2025-03-02", 1),
    ]
    dead = store.deliveries(status="pending")[0].delivery_id
    store.mark_dead_many([dead], "refused", T0)
    assert store.retry_dead(dead, T0) is True
    assert store.retry_dead(dead, T0) is False
    assert {d.status for d in store.deliveries()} == {"pending"}
    store.ping()
    docs = store.recent_documents(limit=1)
    assert docs[0][0].id == "https://a.example/2" and docs[0][1] == "https://a.example/2"


def test_match_page_by_published_time_pages_the_undated_last(store: Store) -> None:
    """Sorted by the article's published time: newest first, ties by match id, the articles
    without a time last (by match id); pages of any size follow one another without gaps or
    repeats across the step from dated to undated; a published range leaves the undated out."""
    times = [T0, None, T0 - timedelta(days=2), T0, None, T0 + timedelta(days=1), T0]
    for n, published in enumerate(times):
        new = article(f"https://a.example/{n}", published=published)
        store.save_poll(state(), [new], T0 + timedelta(minutes=n))
    by_key = {m.article_key: m.match_id for m in store.matches(limit=100)}
    ids = [by_key[f"https://a.example/{n}"] for n in range(len(times))]
    expected = [ids[5], ids[6], ids[3], ids[0], ids[2], ids[4], ids[1]]
    for size in (1, 2, 3, 7, 8):
        seen: list[int] = []
        cursor = None
        while page := store.match_page(MatchFilter(), cursor, limit=size, order="published"):
            seen += [d.match.match_id for d in page]
            last = page[-1].match
            cursor = MatchCursor(last.published, last.match_id)
        assert seen == expected, size
    ranged = MatchFilter(published_since=T0 - timedelta(days=2), published_until=T0)
    found = store.match_page(ranged, order="published")
    assert [d.match.match_id for d in found] == [ids[2]]
    assert [d.match.match_id for d in store.match_page(MatchFilter())] == ids[::-1]


def test_match_languages_are_the_languages_of_the_matches(store: Store) -> None:
    """Each language once, in code order; an unknown language is none; none stored: []."""
    assert store.match_languages() == []
    for n, language in enumerate(["th", "en", None, "th", "id"]):
        new = article(f"https://a.example/{n}")
        new = replace(new, item=replace(new.item, language=language))
        store.save_poll(state(), [new], T0)
    assert store.match_languages() == ["en", "id", "th"]
