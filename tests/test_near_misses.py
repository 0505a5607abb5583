"""Near misses: stored articles a topic's query accepts but its score puts below the threshold,
listed, judged without a match row, and learned from (store on SQLite and PostgreSQL, CLI)."""

from __future__ import annotations

import asyncio
import functools
import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from starlette.types import ASGIApp

from monitor.cli import main
from monitor.config import load_settings
from monitor.learn import Filters
from monitor.match import Matcher
from monitor.pipeline import near_misses, relearn
from monitor.rematch import NearMiss, nearest
from monitor.store import NewArticle, Store
from monitor.types import Document, Item, Match
from monitor.web.app import build_app
from monitor.web.context import WebContext
from monitor.web.metrics import PrometheusMetrics
from tests.test_learn import deep_doc, write_config
from tests.test_store import T0, article, state

LATER = T0 + timedelta(days=1)


def stored(doc: Document) -> NewArticle:
    """``doc`` as a stored article with no match (its text is the feed's summary)."""
    url = f"https://news.example/{doc.id}"
    item = Item(key=url, url=url, guid=None, title=doc.title, summary=doc.text,
                published=T0, author=None, language="en")  # fmt: skip
    return NewArticle(
        item=item, source_id="src-a", source_name="Source A", matches=(), notify=False
    )


def deep_articles(count: int, seed: int = 7) -> list[tuple[NewArticle, bool]]:
    """River banks (relevant, scored under 0.3) and money banks (not relevant, above)."""
    rng = random.Random(seed)
    return [(stored(deep_doc(n, n % 2 == 0, rng)), n % 2 == 0) for n in range(count)]


def configured(tmp_path: Path, database_url: str) -> Path:
    config = write_config(tmp_path, database_url)
    watchlist = tmp_path / "watchlists" / "bank.yaml"
    watchlist.write_text(watchlist.read_text(encoding="utf-8") + "    threshold: 0.3\n", "utf-8")
    return config


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    with Store.open(database_url) as opened:
        yield opened


def test_nearest_ranks_by_score_skips_and_bounds() -> None:
    """Highest score first (newest first among equals), skipped keys left out, at most limit."""
    found = [NearMiss("t", n, f"k{n}", "T", score, T0) for n, score in
             enumerate([0.1, 0.25, 0.2, 0.25, 0.05])]  # fmt: skip
    assert [f.article_id for f in nearest(found, {"k2"}, 3)] == [3, 1, 0]


def test_article_feedback_round_trip(store: Store) -> None:
    """A verdict on a stored article has no match row (or joins the topic's match) and is a
    judgment of the topic like any other; an unknown article is None, an unknown verdict refused."""
    store.save_poll(state(), [article("https://a.example/1"), stored(Document("x", "T", "t"))], T0)
    loose = store.record_article_feedback("asean", "https://news.example/x", "relevant", "cli", T0)
    assert loose is not None
    assert (loose.match_id, loose.topic_id, loose.verdict) == (None, "asean", "relevant")
    joined = store.record_article_feedback(
        "asean", "https://a.example/1", "not-relevant", "web", LATER
    )
    assert joined is not None and joined.match_id == next(store.matches(limit=1)).match_id
    assert [(d.id, r) for d, r in store.judgments("asean")] == [
        ("https://news.example/x", True),
        ("https://a.example/1", False),
    ]
    assert [f.match_id for f in store.feedback("asean")] == [None, joined.match_id]
    unknown = "https://nowhere.example/"
    assert store.record_article_feedback("asean", unknown, "relevant", "cli", T0) is None
    with pytest.raises(ValueError):
        store.record_article_feedback("asean", "https://news.example/x", "maybe", "cli", T0)


def test_judging_near_misses_relevant_makes_the_learned_filter_re_admit(
    tmp_path: Path, database_url: str, store: Store
) -> None:
    """The near misses are the river banks the plain score drops; once judged (with the money
    banks it alerts on), the real learner turns re-admitting on and unseen river banks match."""
    settings = load_settings(configured(tmp_path, database_url), {})
    matcher, bank = Matcher(settings.topics), settings.topics[0]
    judged = deep_articles(40)
    # a river bank the topic matched already (an older threshold, say) is an alert, not a miss
    alerted = replace(judged[0][0], matches=((Match("bank", 0.35, ()), "River banks", ()),))
    # the last four in a poll of their own: a poll's articles are stored in story and key order
    store.save_poll(state(), [alerted] + [a for a, _ in judged[1:36]], T0)
    store.save_poll(state(), [a for a, _ in judged[36:]], T0 + timedelta(minutes=1))
    found = near_misses(store, settings, bank, LATER)
    river = {a.item.key for a, relevant in judged[1:] if relevant}
    assert {f.article_key for f in found} == river and len(found) == 19
    assert [f.score for f in found] == sorted((f.score for f in found), reverse=True)
    assert all(f.score < 0.3 for f in found)
    assert near_misses(store, settings, bank, LATER + timedelta(days=31)) == []
    newest = near_misses(store, settings, bank, LATER, scan=4)  # deep-36 .. deep-39
    assert [f.article_key for f in newest] == [judged[n][0].item.key for n in (38, 36)]
    for miss in found:
        store.record_article_feedback("bank", miss.article_key, "relevant", "ana", LATER)
    for a, relevant in judged:  # the money banks: the alerts the plain score sends
        if not relevant:
            store.record_article_feedback("bank", a.item.key, "not-relevant", "ana", LATER)
    assert near_misses(store, settings, bank, LATER) == []  # judged: not listed again
    model = relearn(store, settings.topics, matcher, LATER)["bank"]
    assert (model.active, model.readmits) == (True, True), model.reason
    filters = Filters({"bank": model})
    rng = random.Random(99)
    unseen = [deep_doc(100 + n, n % 2 == 0, rng) for n in range(10)]
    kept = [d.id for d in unseen if filters.refine(d, matcher.match(d, below=filters.readmitting))]
    assert kept == [d.id for n, d in enumerate(unseen) if n % 2 == 0]
    assert not any(matcher.match(d) for d in unseen if d.id in kept)  # the plain score drops them


def test_cli_lists_near_misses_and_judges_an_article(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``feedback --near-misses`` lists them; ``feedback --article --topic`` judges one, by key
    or number, and it leaves the list; usage errors exit 2."""
    run = ["--config", str(configured(tmp_path, database_url))]
    judged = deep_articles(6)
    with Store.open(database_url) as store:  # first seen now: the command's clock is the real one
        store.save_poll(state(), [a for a, _ in judged], datetime.now(UTC))
    assert main([*run, "feedback", "--near-misses", "bank"]) == 0
    out = capsys.readouterr().out
    river = [a.item for a, relevant in judged if relevant]
    assert all(i.key in out and i.title in out for i in river), out
    assert "3 near misses" in out
    assert main([*run, "feedback", "--article", river[0].key, "--topic", "bank", "relevant"]) == 0
    assert f"article {river[0].key}: relevant (topic bank)" in capsys.readouterr().out
    with Store.open(database_url) as store:
        number = next(
            a.article_id for a in store.stored_articles() if a.document.id == river[1].key
        )
        assert [(f.article_key, f.match_id) for f in store.feedback("bank")] == [
            (river[0].key, None)
        ]
        assert "bank" in store.learned()  # retrained at once (still off: one judgment)
    assert (
        main([*run, "feedback", "--article", str(number), "--topic", "bank", "not-relevant"]) == 0
    )
    assert main([*run, "feedback", "--near-misses", "bank"]) == 0
    out = capsys.readouterr().out
    assert "1 near misses" in out and river[2].key in out and river[0].key not in out
    for bad in (
        ["--near-misses", "nope"],
        ["--near-misses", "bank", "relevant"],
        ["--article", river[2].key, "relevant"],
        ["--article", river[2].key, "--topic", "bank"],
        ["--article", "https://nowhere.example/", "--topic", "bank", "relevant"],
        ["--article", river[2].key, "--topic", "bank", "undo"],
        ["--import", "f.jsonl", "--near-misses", "bank"],
    ):
        assert main([*run, "feedback", *bad]) == 2, bad


def test_cli_judging_an_article_the_query_rejects_says_it_teaches_nothing_yet(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A verdict on an article the topic's query rejects is stored (a judgment like any other)
    with a note that the learned filter leaves it out; on one the query accepts, no note; the
    same verdict again says so and adds nothing."""
    run = ["--config", str(configured(tmp_path, database_url))]
    weather = stored(Document("w", "Sunny weekend ahead", "Clear skies and light winds.", "en"))
    (river, _), *_ = deep_articles(1)
    with Store.open(database_url) as store:
        store.save_poll(state(), [weather, river], T0)
    judge = [*run, "feedback", "--topic", "bank", "--article"]
    codes = [main([*judge, weather.item.key, "relevant"])]
    rejected = capsys.readouterr()
    codes.append(main([*judge, river.item.key, "relevant"]))
    accepted = capsys.readouterr()
    codes.append(main([*judge, river.item.key, "relevant"]))
    repeated = capsys.readouterr().out
    with Store.open(database_url) as store:
        judged = [(d.id, r) for d, r in store.judgments("bank")]
    assert (
        [0, 0, 0],
        f"article {weather.item.key}: relevant (topic bank)\n",
        "note: the query of topic bank does not accept this article, so its learned filter "
        "leaves this judgment out (it learns only from articles the query accepts); it is "
        "kept, and counts once an edited query accepts the article\n",
        "",
        f"article {river.item.key}: already marked relevant (topic bank); nothing changed\n",
        [(weather.item.key, True), (river.item.key, True)],
    ) == (codes, rejected.out, rejected.err, accepted.err, repeated, judged)


def test_cli_undoes_a_verdict_on_a_near_miss(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``feedback --article KEY --topic TOPIC undo`` takes back a near miss's latest verdict
    (it has no match id) and says what is current after it, as undo on a match does; with none
    left to undo it is a usage error."""
    run = ["--config", str(configured(tmp_path, database_url))]
    (river, _), *_ = deep_articles(1)
    with Store.open(database_url) as store:
        store.save_poll(state(), [river], T0)
    judge = [*run, "feedback", "--article", river.item.key, "--topic", "bank"]
    codes = [main([*judge, v]) for v in ("relevant", "not-relevant", "undo", "undo", "undo")]
    said = capsys.readouterr()
    with Store.open(database_url) as store:
        left = store.judgments("bank")
    key = river.item.key
    assert (
        [0, 0, 0, 0, 2],
        [f"article {key}: verdict undone (not-relevant, topic bank): now relevant",
         f"article {key}: verdict undone (relevant, topic bank): now not judged"],
        f"article {key} has no verdict of topic bank to undo\n",
        [],
    ) == (codes, said.out.splitlines()[2:], said.err, left)  # fmt: skip


def test_dashboard_lists_near_misses_and_judges_one(
    tmp_path: Path, database_url: str, store: Store
) -> None:
    """The real app: ``/topics?near=`` lists the topic's near misses; the verdict buttons need
    the CSRF token (as the match buttons do) and store a verdict without a match row."""
    settings = load_settings(configured(tmp_path, database_url), {})
    judged = deep_articles(4)
    store.save_poll(state(), [a for a, _ in judged], T0)
    river = [a.item for a, relevant in judged if relevant]
    ctx = WebContext(store, lambda: settings, PrometheusMetrics(), lambda: None, lambda: LATER)
    asyncio.run(_judge_through_the_app(build_app(ctx), store, [i.key for i in river]))


async def _judge_through_the_app(app: ASGIApp, store: Store, river: list[str]) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        page = await client.get("/topics", params={"near": "bank"})
        assert page.status_code == 200 and "Near misses" in page.text
        assert all(key in page.text for key in river)
        assert (await client.get("/topics", params={"near": "nope"})).status_code == 404
        token = client.cookies["monitor_csrf"]
        form = {"article": river[0], "verdict": "relevant"}
        post = functools.partial(client.post, "/topics/bank/feedback")
        assert (await post(data=form)).status_code == 403
        foreign = {"Origin": "https://evil.example"}
        assert (await post(data={**form, "csrf": token}, headers=foreign)).status_code == 403
        for bad, status in (({"verdict": "undo"}, 400), ({"article": "https://x.example/"}, 404)):
            assert (await post(data={**form, **bad, "csrf": token})).status_code == status
        other = await client.post("/topics/nope/feedback", data={**form, "csrf": token})
        assert other.status_code == 404
        done = await post(data={**form, "csrf": token, "next": "//evil.example/"})
        assert (done.status_code, done.headers["location"]) == (303, "/topics?near=bank")
        assert [(f.article_key, f.match_id, f.who) for f in store.feedback("bank")] == [
            (river[0], None, "web")
        ]
        after = (await client.get("/topics", params={"near": "bank"})).text
        assert river[0] not in after and river[1] in after
