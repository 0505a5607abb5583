"""The web side's pure parts: presentation helpers, the gate's decisions, Atom, the pages."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import cast
from zoneinfo import ZoneInfo

import feedparser
import httpx
import pytest
from starlette.applications import Starlette

from monitor.cluster import NodeView
from monitor.config import Settings, SourceSettings, load_settings
from monitor.errors import ConfigError
from monitor.learn.precision import Tally
from monitor.learn.suggest import Suggestion, Suggestions, TermUse
from monitor.rematch import NearMiss
from monitor.store import (
    NO_LANGUAGE,
    DayCount,
    DeliveryRecord,
    MatchCursor,
    MatchDetail,
    MatchFilter,
    SourceState,
    Store,
    StoredMatch,
)
from monitor.types import Document, Hit, Topic
from monitor.web import atom, guard, present
from monitor.web.app import _run_over, build_app
from monitor.web.budget import Budget
from monitor.web.context import WebContext
from monitor.web.metrics import PrometheusMetrics
from monitor.web.pages import Frame, NearMisses, Pages, TopicCard, TryResult
from tests.test_store import article as store_article
from tests.test_store import state as store_state
from tests.webdaemon import T0 as SEED_T0
from tests.webdaemon import add_article, seed, write_config

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
HIT = Hit(term="rice", field="title", position=0, matched="Rice")


def detail(title: str, url: str | None = "https://a.example/1", text: str = "") -> MatchDetail:
    match = StoredMatch(
        match_id=7, topic_id="rice", topic_name="Rice <prices>", score=0.5, hits=(HIT,),
        created=T0, article_key="k", title=title, url=url, source_id="s", published=None,
        also_in=("Other & Co",),
    )  # fmt: skip
    return MatchDetail(match, text, "en", "Wire", (("hook", "sent"),), None)


@pytest.mark.parametrize(
    ("text", "words", "expected"),
    [
        ("Rice prices", ["rice"], [("Rice", True), (" prices", False)]),
        ("no hit here", ["rice"], [("no hit here", False)]),
        ("ราคาข้าวขึ้น", ["ข้าว"], [("ราคา", False), ("ข้าว", True), ("ขึ้น", False)]),
        ("", ["rice"], []),
    ],
)
def test_highlighted_marks_whole_words(text: str, words: list[str], expected: list) -> None:
    """Whole words only in spaced scripts; anywhere in Thai and CJK."""
    assert [(p.text, p.marked) for p in present.highlighted(text, words)] == expected


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://a.example/x?y=1", True),
        ("HTTP://A.EXAMPLE/", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<b>", False),
        ("//evil.example/", False),
        ("https://a.example/\nx", False),
        (" javascript:alert(1)", False),
        (None, False),
    ],
)
def test_only_http_links_are_clickable(url: str | None, safe: bool) -> None:
    assert (present.safe_href(url) is not None) is safe


def test_masked_cursor_next_and_chart() -> None:
    """Channel URLs keep only their scheme; cursors round-trip; ``next`` stays on the site;
    a chart has one bar per day scaled to the busiest."""
    assert present.masked("tgram://123:secret/chat") == "tgram://•••"
    assert present.masked("not a url") == "•••"
    cursor = MatchCursor(datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC), 42)
    assert present.parse_cursor(present.cursor_text(cursor)) == cursor
    assert present.parse_cursor("x-1") is None and present.parse_cursor(None) is None
    assert present.safe_next("/topics?x=1") == "/topics?x=1"
    for bad in ("//evil.example", "https://evil.example", "/\\evil", None):
        assert present.safe_next(bad) == "/"
    chart = present.chart([DayCount("2025-03-01", 4), DayCount("2025-02-28", 2)],
                          date(2025, 3, 1), days=3, width=30, height=10)  # fmt: skip
    assert [b.count for b in chart.bars] == [0, 2, 4] and chart.peak == 4
    assert chart.bars[2].height == 9 and chart.bars[1].height == 4.5


def test_match_filter_from_query() -> None:
    """Known parameters become a filter; unreadable ones are ignored."""
    params = {"topic": "rice", "period": "24h", "min_score": "0.5", "language": " ID "}
    where = present.match_filter(params, T0)
    assert where == MatchFilter(topic="rice", language="id", since=datetime(2025, 2, 28, 12,
                                tzinfo=UTC), min_score=0.5)  # fmt: skip
    assert present.match_filter({"period": "1y", "min_score": "9"}, T0) == MatchFilter()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"language": "pt-BR"}, MatchFilter(language="pt-br")),
        ({"language": "none"}, MatchFilter(language=NO_LANGUAGE)),
        ({"language": "x" * 300}, MatchFilter()),
        ({"language": "<b>x"}, MatchFilter()),
        ({"topic": "a" * 65, "source": "Wire!"}, MatchFilter()),  # cannot be ids
        ({"topic": "gone-topic"}, MatchFilter(topic="gone-topic")),  # a removed one may be
    ],
)
def test_a_filter_that_cannot_name_anything_is_ignored(
    params: dict[str, str], expected: MatchFilter
) -> None:
    """A language that cannot be a code (2-3 letters, a region allowed), or a topic or source
    that cannot be an id, filters nothing; ``none`` is the matches with no known language."""
    assert present.match_filter(params, T0) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"min_score": "abc"}, ["min_score=abc is not a number: ignored"]),
        ({"min_score": "nan"}, ["min_score=nan is not a number: ignored"]),
        ({"min_score": "1e999"}, ["min_score=1e999 is not between 0 and 1: ignored"]),
        ({"after": "garbage"}, ["after=garbage is not a page position: showing the newest"]),
        ({"period": "1y"}, ["period=1y is not one of 1h, 24h, 7d, 30d: ignored"]),
        ({"topic": "nope"}, ["topic=nope: no such topic is configured"]),
        ({"source": "x" * 60}, [f"source={'x' * 39}…: no such source is configured"]),
        ({"source": "x" * 65}, [f"source={'x' * 39}… is not a source id: ignored"]),
        ({"topic": "<b>"}, ["topic=<b> is not a topic id: ignored"]),
        ({"language": "x" * 300}, [f"language={'x' * 39}… is not a language code: ignored"]),
        ({"language": "none"}, []),
        ({"topic": "rice", "source": "", "min_score": "0.5", "period": "", "after": ""}, []),
    ],
)
def test_unreadable_filters_are_named(params: dict[str, str], expected: list[str]) -> None:
    """Each filter the matches page cannot read is named, with what happens to it."""
    assert list(present.filter_notices(params, ["rice"], ["wire"])) == expected


def test_a_repeated_filter_is_named_with_the_value_used() -> None:
    """``sort=published&sort=matched`` reads the last: the notice says which one."""
    params = {"sort": "matched", "from": "2025-03-01", "token": "t"}
    repeated = {"sort": 2, "from": 3, "token": 2}  # the token is no filter
    assert present.filter_notices(params, [], [], repeated) == (
        "sort is given 2 times: sort=matched is used",
        "from is given 3 times: from=2025-03-01 is used",
    )


def test_gate_decisions() -> None:
    """No token: all open. A token: bearer or session cookie anywhere, ?token= on feeds only,
    /healthz and /login always; CSRF needs cookie == field and our Origin."""
    assert guard.authorised(None, "/", {}, {}, {})
    token = "s3cret-token"
    assert not guard.authorised(token, "/", {}, {}, {})
    assert guard.authorised(token, "/healthz", {}, {}, {})
    assert guard.authorised(token, "/", {"authorization": f"Bearer {token}"}, {}, {})
    assert not guard.authorised(token, "/", {"authorization": "Bearer nope"}, {}, {})
    cookie = {guard.SESSION_COOKIE: guard.new_session(token, T0)}
    assert guard.authorised(token, "/deliveries", {}, cookie, {}, now=T0)
    assert not guard.authorised(token, "/deliveries", {}, cookie, {})  # no clock, no cookie
    assert guard.authorised(token, "/feeds/all.atom", {}, {}, {"token": token})
    assert not guard.authorised(token, "/", {}, {}, {"token": token})
    csrf = guard.new_csrf()
    ours = {"http://127.0.0.1:8080"}
    assert guard.csrf_ok(csrf, csrf, None, ours)
    assert guard.csrf_ok(csrf, csrf, "http://127.0.0.1:8080", ours)
    assert not guard.csrf_ok(csrf, csrf, "https://evil.example", ours)
    assert not guard.csrf_ok(csrf, csrf, "null", ours)
    assert not guard.csrf_ok(csrf, "other", None, ours)
    assert not guard.csrf_ok(None, None, None, ours)
    assert "script-src" not in guard.CSP and "default-src 'none'" in guard.CSP


def test_atom_is_well_formed_with_hostile_text() -> None:
    """Markup, control characters and a javascript: link survive as inert, valid Atom."""
    hostile = detail("<b>Rice</b> \x00\x1b & ]]> up", url="javascript:alert(1)", text="Rice up")
    info = atom.FeedInfo("news-monitor: rice", "http://h/feeds/rice.atom", "http://h/", T0)
    parsed = feedparser.parse(atom.render_feed(info, [hostile, detail("Rice falls")]))
    assert not parsed.bozo, parsed.bozo_exception
    first, second = parsed.entries
    assert first.title == "<b>Rice</b>  & ]]> up" and first.link.startswith("http://h/?after=")
    assert second.link == "https://a.example/1" and second.tags[0].term == "rice"
    assert "Score 0.50" in second.summary and 'rice → "Rice" (title)' in second.summary


def test_pages_escape_everything() -> None:
    """A hostile title, topic name and outlet render as text, never markup."""
    html = Pages().render_matches(
        Frame("", "c" * 43, "Asia/Jakarta"), [detail("<script>x()</script>")], MatchFilter(),
        {}, (), (), None, "/",
    )  # fmt: skip
    assert "<script>x()" not in html and "&lt;script&gt;x()" in html
    assert "Rice &lt;prices&gt;" in html and "Other &amp; Co" in html
    assert "19:00" in html  # 12:00 UTC in Jakarta


def test_near_misses_render_escaped_with_both_verdict_buttons() -> None:
    """A topic's near misses show in its section, hostile titles and keys as text, each with
    the two verdict buttons posting the article's key and the CSRF token to the topic."""
    topic = Topic(id="rice", name="Rice", query="rice", threshold=0.4)
    hostile = NearMiss("rice", 3, 'javascript:alert(1)"><x', "<img src=x onerror=y()>", 0.21, T0)
    linked = NearMiss("rice", 4, "https://a.example/4", "Rice & beans", 0.12, T0)
    near = NearMisses("rice", (hostile, linked), 0.4, 30)
    card = TopicCard(topic, "rice", (), Tally())
    html = Pages().render_topics(Frame("/m", "c" * 43, "UTC"), [card], T0.date(), None, near)
    assert "<img src=x" not in html and "&lt;img src=x onerror=y()&gt;" in html
    assert 'href="javascript:' not in html and 'value="javascript:alert(1)&#34;&gt;&lt;x"' in html
    assert '<a href="https://a.example/4"' in html and "Rice &amp; beans" in html
    assert html.count('action="/m/topics/rice/feedback"') == 2
    assert html.count('value="relevant"') == html.count('value="not-relevant"') == 2
    assert html.count(f'name="csrf" value="{"c" * 43}"') == 3  # with the "try it" form
    assert "Near misses" in html and "below 0.40" in html and "0.21" in html
    without = Pages().render_topics(Frame("", "c" * 43, "UTC"), [card], T0.date(), None)
    assert "Near misses" not in without and "/topics?near=rice#near-misses" in without


def test_each_topic_says_whether_its_learned_filter_is_on_and_why() -> None:
    """The topic's section names its filter's state (on, by which parts, or off) and, folded
    away, the whole reason; a topic never judged says so."""
    topic = Topic(id="rice", name="Rice", query="rice", threshold=0.4)
    reason = ("on (term rule); logistic part off: 11 judged matches, it learns from 12; "
              "near-alert rule off: leave-one-out F1 0.50 <= 0.50 plain; term rule on: "
              "leave-one-out F1 0.67 > 0.50 plain")  # fmt: skip
    judged = TopicCard(topic, "rice", (), Tally(0, 5), reason)
    html = Pages().render_topics(Frame("", "c" * 43, "UTC"), [judged], T0.date(), None)
    assert "<summary>Learned filter: on (term rule)</summary>" in html
    assert "term rule on: leave-one-out F1 0.67 &gt; 0.50 plain" in html
    never = Pages().render_topics(
        Frame("", "c" * 43, "UTC"), [TopicCard(topic, "rice", (), Tally())], T0.date(), None
    )
    assert "<summary>Learned filter: off: not judged yet</summary>" in never


def test_each_topic_shows_the_precision_of_what_its_query_accepts() -> None:
    """The feedback line gives the precision of the judged articles the query accepts, with
    how many, and the judged articles it does not accept apart (``monitor topics``'s figure)."""
    topic = Topic(id="rice", name="Rice", query="rice", threshold=0.4)
    pages, frame = Pages(), Frame("", "c" * 43, "UTC")
    cards = [TopicCard(topic, "rice", (), tally) for tally in (Tally(2, 4, 12), Tally(0, 0, 1))]
    html = [pages.render_topics(frame, [card], T0.date(), None) for card in cards]
    assert tuple("Feedback: " + h.split("Feedback: ", 1)[1].split("\n", 1)[0] for h in html) == (
        "Feedback: 2 relevant, 4 not relevant: precision 0.33 of 6 judged articles the query "
        "accepts (12 judged articles the query does not accept, left out).",
        "Feedback: 0 relevant, 0 not relevant (1 judged article the query does not accept, "
        "left out).",
    )


def test_suggested_edits_render_escaped_in_their_topic_section() -> None:
    """A topic's suggested edits show in its section only; the words matched in articles (from
    feeds: hostile) and the query's terms render as text."""
    topic = Topic(id="rice", name="Rice", query="rice OR beras", threshold=0.4)
    said = Suggestions(
        "rice", 2, 3,
        (Suggestion("NOT", "<b>stock</b>", 0, 3), Suggestion("OR", "harvest", 2, 0)),
        (TermUse("beras", 0, 3, ("<img src=x onerror=y()>",), narrow=True),
         TermUse("rice", 2, 1, ("rice",))),
    )  # fmt: skip
    card = TopicCard(topic, "rice", (), Tally())
    html = Pages().render_topics(Frame("", "c" * 43, "UTC"), [card], T0.date(), None, None, said)
    assert "<img src=x" not in html and "&lt;img src=x onerror=y()&gt;" in html
    assert "<b>stock</b>" not in html and "&lt;b&gt;stock&lt;/b&gt;" in html
    assert "2 articles judged relevant and 3 judged not relevant" in html
    assert html.count("drop or narrow it") == 1 and "<code><bdi>harvest</bdi></code> (2/0)" in html
    other = Pages().render_topics(Frame("", "c" * 43, "UTC"), [card], T0.date(), None, None, None)
    assert "Suggested edits" not in other and "/topics?suggest=rice#suggested" in other
    # a term only in the one article judged not relevant: too little to advise, and it says so
    few = Suggestions("rice", 0, 1, (), (TermUse("rice", 0, 1, ("rice",)),), 0, 1, merged=1)
    little = Pages().render_topics(Frame("", "c" * 43, "UTC"), [card], T0.date(), None, None, few)
    assert "drop or narrow it" not in little
    assert "Too little to go on to drop or narrow a term" in little
    assert "the query accepts 0 judged relevant and 1 not relevant" in little
    assert "(1 judged again under another key counted once)" in little


def test_nodes_page_shows_heartbeat_age_and_holdings_escaped() -> None:
    """Each node with its heartbeat's age, alive or not, the sources and channel rounds it
    holds; names from the configuration and the host render as text, never markup."""
    alive = NodeView(
        "web-1:41:ab12cd", "web-1", 41, T0, T0 + timedelta(seconds=3), T0 + timedelta(seconds=18),
        alive=True, sources=("wire", "<img src=x onerror=alert(1)>"),
        channels=("channel:hook", "dead-letters"),
    )  # fmt: skip
    silent = NodeView(
        "<b>web-2</b>:7:ee", "<b>web-2</b>", 7, T0, T0 - timedelta(minutes=5), T0,
        alive=False, sources=(), channels=(),
    )  # fmt: skip
    html = Pages().render_nodes(
        Frame("", "c" * 43, "UTC", clustered=True), [alive, silent], T0 + timedelta(seconds=10)
    )
    first, second = html.split('id="node-2"')
    assert "7 s ago" in first and ">yes<" in first and "2: <code>wire</code>" in first
    assert "<code>hook</code>, <code>dead-letters</code>" in first
    assert "5 min ago" in second and ">no<" in second
    assert "<img" not in html and "&lt;img src=x" in html
    assert "<b>web-2" not in html and "&lt;b&gt;web-2" in html
    assert 'href="/nodes" aria-current="page"' in html


def test_nodes_page_and_link_on_sqlite() -> None:
    """On SQLite the page says one daemon runs at a time, and no page links to it."""
    frame = Frame("", "c" * 43, "UTC")
    html = Pages().render_nodes(frame, [], T0)
    assert "one daemon at a time" in html and "<table" not in html
    assert 'href="/nodes"' not in Pages().render_deliveries(frame, [], [], {})
    clustered = Frame("", "c" * 43, "UTC", clustered=True)
    assert 'href="/nodes"' in Pages().render_deliveries(clustered, [], [], {})
    assert present.age(timedelta(seconds=-2)) == "0 s ago"  # clocks a little apart


def test_budget_rests_in_proportion_to_the_page() -> None:
    """With a quarter share, a page that took 1 s makes the next one wait 3 s; an idle budget
    lets a page start at once."""
    now = [100.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    async def two_pages() -> None:
        budget = Budget(0.25, clock=lambda: now[0], sleep=sleep)
        async with budget.slot():
            now[0] += 1.0  # the page's work
        async with budget.slot():
            now[0] += 0.5
        now[0] += 10  # idle long enough
        async with budget.slot():
            pass

    asyncio.run(two_pages())
    assert slept == [3.0]


def test_prometheus_hooks_count_what_the_daemon_reports() -> None:
    """Each hook lands in its family; the queue gauges come from the store's counts."""
    from prometheus_client.parser import text_string_to_metric_families

    from monitor.slots import Backlog
    from monitor.web.metrics import PrometheusMetrics

    metrics = PrometheusMetrics()
    metrics.polled("a", "new", items=5, new_articles=2)
    metrics.polled("a", "failed", items=0, new_articles=0)
    metrics.fetch_error("timeout")
    metrics.matched("rice")
    metrics.delivered("hook", "sent", 3)
    with metrics.timed("fetch"):
        pass
    metrics.scheduler_lag(0.2)
    metrics.backlog(lambda: Backlog(waiting=3, overdue=2, oldest=420.0))
    text = metrics.exposition({"deliveries_pending": 4, "deliveries_dead": 1}).decode()
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("monitor_polls_total", (("outcome", "new"),))] == 1
    assert samples[("monitor_items_seen_total", ())] == 5
    assert samples[("monitor_new_articles_total", ())] == 2
    assert samples[("monitor_fetch_errors_total", (("kind", "timeout"),))] == 1
    assert samples[("monitor_matches_total", (("topic", "rice"),))] == 1
    assert samples[("monitor_deliveries_total", (("channel", "hook"), ("status", "sent")))] == 3
    assert samples[("monitor_stage_duration_seconds_count", (("stage", "fetch"),))] == 1
    assert samples[("monitor_scheduler_lag_seconds_count", ())] == 1
    assert samples[("monitor_deliveries_pending", ())] == 4
    assert samples[("monitor_deliveries_dead", ())] == 1
    assert samples[("monitor_sources_waiting", ())] == 3
    assert samples[("monitor_sources_overdue", ())] == 2
    assert samples[("monitor_oldest_overdue_seconds", ())] == 420


class _HangingStore:
    """A database that stopped answering: each ping and count waits until ``answer`` is set."""

    def __init__(self) -> None:
        self.answer = threading.Event()
        self.calls = 0

    def ping(self) -> None:
        self.calls += 1
        self.answer.wait()

    def queue_sizes(self) -> dict[str, int]:
        self.ping()
        return {"deliveries_pending": 0, "deliveries_dead": 0}


def test_a_hanging_database_holds_one_thread_per_probe_however_often_asked() -> None:
    """/healthz and /metrics asked ten times each while the database hangs: each starts one
    call, every answer says the database is failing; once it answers, both recover."""
    store = _HangingStore()
    ctx = WebContext(
        cast(Store, store), lambda: cast(Settings, None), PrometheusMetrics(),
        lambda: T0, lambda: T0, probe_timeout=0.01,
    )  # fmt: skip
    try:
        asyncio.run(_probe_while_hanging(ctx, store))
    finally:
        store.answer.set()


async def _probe_while_hanging(ctx: WebContext, store: _HangingStore) -> None:
    transport = httpx.ASGITransport(app=build_app(ctx))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        try:
            await _ask_while_hanging(client, store)
        finally:
            store.answer.set()
        ctx.probe_timeout = 60.0  # the answer is on its way: wait for it, however busy the box
        assert (await client.get("/healthz")).json()["database"]["ok"]


async def _ask_while_hanging(client: httpx.AsyncClient, store: _HangingStore) -> None:
    for _ in range(10):
        health = await client.get("/healthz")
        assert health.status_code == 503 and not health.json()["database"]["ok"]
        await client.get("/metrics")
    assert store.calls == 2  # one ping, one count, each still waiting


RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: what follows it on the line is drawn backwards
REVERSED = f"Zebra sighting reported {RLO}TIXE"


def test_a_feeds_bidi_controls_never_reorder_what_is_beside_it() -> None:
    """A headline opening a right-to-left override is isolated in ``<bdi>`` and loses the
    control, on every page that shows it beside other text; an Arabic headline is kept."""
    topic = Topic(id="rice", name="Rice", query="rice", threshold=0.95)
    near = NearMisses("rice", (NearMiss("rice", 3, "https://a.example/3", REVERSED, 0.9, T0),),
                      0.95, 30)  # fmt: skip
    card = TopicCard(topic, "rice", (), Tally())
    frame = Frame("", "c" * 43, "UTC")
    topics = Pages().render_topics(frame, [card], T0.date(), None, near)
    assert '<bdi>Zebra sighting reported TIXE</bdi></a> <span class="score">0.90</span>' in topics
    arabic = "ارتفاع أسعار الأرز"
    matches = Pages().render_matches(
        frame, [detail(REVERSED, text=f"Rice {RLO}up"), detail(arabic)], MatchFilter(), {},
        (), (), None, "/",
    )  # fmt: skip
    assert "<bdi><mark>Rice</mark> up</bdi>" in matches and f"<bdi>{arabic}</bdi>" in matches
    for html in (topics, matches):
        assert RLO not in html and "<bdi>Zebra sighting reported TIXE</bdi>" in html


def test_a_sources_warning_is_shown_beside_its_status_as_feed_text() -> None:
    """A warning quoting what a server sent renders escaped, isolated and without its bidi
    controls, like a last error; a source without one shows none."""
    hostile = f'text/html; x="<script>x()</script>" {RLO}is not an XML media type'
    warned = replace(SourceState.fresh("wire", "https://w.example/"), warning=hostile)
    sources = [
        SourceSettings(n, n.title(), "feed", f"https://{n}.example/", 3600.0, 0.0)
        for n in ("wire", "calm")
    ]
    states = {"wire": warned, "calm": replace(warned, source_id="calm", warning=None)}
    html = Pages().render_sources(Frame("", "c" * 43, "UTC"), sources, states, {}, T0.date())
    assert (
        '<span class="status status-ok">ok</span> <span class="warning">— warning: <bdi>'
        "text/html; x=&#34;&lt;script&gt;x()&lt;/script&gt;&#34; is not an XML media type"
        "</bdi></span></td>"
    ) in html
    assert "<script>" not in html and RLO not in html and html.count("— warning:") == 1


def test_atom_drops_bidi_controls_and_keeps_marks() -> None:
    """The feed's text carries no embedding, override or isolate control (U+202A-202E,
    U+2066-2069); the marks a right-to-left headline may need (U+200F) stay."""
    info = atom.FeedInfo("news-monitor: rice", "http://h/feeds/rice.atom", "http://h/", T0)
    hostile = detail(f"\u2067{REVERSED}\u2069 \u200f", text=f"Rice {RLO}up \u202a")
    body = atom.render_feed(info, [hostile]).decode()
    assert not any(chr(c) in body for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
    (entry,) = feedparser.parse(body).entries
    assert entry.title == "Zebra sighting reported TIXE \u200f" and "Rice up" in entry.summary


@pytest.mark.parametrize(
    ("language", "expected"),
    [("id", "id"), ("zh-Hant", "zh-Hant"), ("en", None), (None, None), ('x"><y', None)],
)
def test_an_entry_is_in_its_articles_language(language: str | None, expected: str | None) -> None:
    """A non-English article's entry carries ``xml:lang`` (its headline and snippet are in
    it), as its headline on the dashboard carries ``lang``; English and junk carry none."""
    info = atom.FeedInfo("t", "http://h/feeds/rice.atom", "http://h/", T0)
    article = replace(detail("Harga beras naik", text="Rice naik"), language=language)
    body = atom.render_feed(info, [article]).decode()
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.bozo_exception
    (entry,) = parsed.entries
    assert entry.title_detail.language == expected
    assert ("xml:lang" in body) == (expected is not None)


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,<b>x</b>", "https://a.example/\nx", None]
)
def test_an_entry_without_a_safe_link_links_to_its_match_on_the_dashboard(
    url: str | None,
) -> None:
    """RFC 4287: an entry without content needs an alternate link; an unsafe one is replaced
    by the dashboard page that starts with the match, scrolled to it."""
    info = atom.FeedInfo("t", "http://h/m/feeds/rice.atom", "http://h/m/?topic=rice", T0)
    (entry,) = feedparser.parse(atom.render_feed(info, [detail("Rice", url=url)])).entries
    assert [(link.rel, link.type) for link in entry.links] == [("alternate", "text/html")]
    page, _, anchor = entry.link.partition("#")
    start, _, after = page.partition("&after=")
    assert (start, anchor) == ("http://h/m/?topic=rice", "match-7")
    assert present.parse_cursor(after) == MatchCursor(T0, 8)  # the page starting at match 7


@pytest.mark.parametrize(
    ("base_url", "authority"),
    [
        (None, "news-monitor"),
        ("https://Monitor.Example.org/news", "monitor.example.org"),
        ("http://192.0.2.7:8080/", "192.0.2.7"),
        ("http://[2001:db8::1]:8080/", "news-monitor"),
    ],
)
def test_entry_ids_carry_the_public_host(base_url: str | None, authority: str) -> None:
    """Entry ids are tag URIs of ``web.base_url``'s host, else of ``news-monitor``."""
    info = atom.FeedInfo("t", "http://h/", "http://h/", T0, atom.tag_authority(base_url))
    (entry,) = feedparser.parse(atom.render_feed(info, [detail("Rice")])).entries
    assert entry.id == f"tag:{authority},2025:match:7"


def test_matches_page_names_its_unreadable_filters_and_is_accessible() -> None:
    """Ignored filters are named above the list; each verdict button is described by its
    headline; a non-English headline carries its language; a skip link leads to the list."""
    indonesian = detail("Harga beras naik")
    indonesian = MatchDetail(indonesian.match, "", "id", "Wire", (), None)
    html = Pages().render_matches(
        Frame("", "c" * 43, "UTC"), [indonesian], MatchFilter(), {"min_score": "abc"},
        (), (), None, "/",
    )  # fmt: skip
    assert '<p class="notice" role="status">min_score=abc is not a number: ignored</p>' in html
    assert '<h2 class="headline" id="headline-7" lang="id">' in html
    assert '<p class="snippet" lang="id">' not in html  # no text, no snippet
    assert html.count('aria-describedby="headline-7"') == 2
    assert '<a class="skip" href="#matches">Skip to matches</a>' in html
    assert '<ol class="matches" id="matches">' in html
    english = Pages().render_matches(
        Frame("", "c" * 43, "UTC"), [detail("Rice")], MatchFilter(), {}, (), (), None, "/"
    )
    assert " lang=" not in english.split("<body>")[1] and 'class="notice"' not in english


def test_topics_sources_and_deliveries_label_what_they_show() -> None:
    """ "Try it" returns to its result; near-miss buttons name their article; one judged article
    is singular; every column has a header; a dead delivery's Retry names its article."""
    topic = Topic(id="rice", name="Rice", query="rice", threshold=0.4)
    near = NearMisses("rice", (NearMiss("rice", 3, "k", "Rice", 0.2, T0),), 0.4, 30)
    said = Suggestions("rice", 1, 0, (), (TermUse("rice", 1, 0, ("rice",)),))
    frame = Frame("", "c" * 43, "UTC")
    topics = Pages().render_topics(
        frame, [TopicCard(topic, "rice", (), Tally())], T0.date(), None, near, said
    )
    assert 'action="/topics/rice/try#try-result"' in topics
    assert topics.count('aria-describedby="near-title-3"') == 2 and 'id="near-title-3"' in topics
    assert "From 1 article judged relevant and 0 judged" in topics
    assert "<th>suggestion</th>" in topics and "<th></th>" not in topics
    dead = DeliveryRecord(
        "d1", "hook", "dead", 3, T0, T0, "refused", T0, None, "rice", "Rice up", None
    )
    deliveries = Pages().render_deliveries(frame, [], [dead], {})
    assert '<td id="dead-1"><bdi>Rice up</bdi></td>' in deliveries
    assert 'aria-describedby="dead-1">Retry</button>' in deliveries
    assert "<th>Action</th>" in deliveries and "<th></th>" not in deliveries
    source = SourceSettings("wire", "Wire", "feed", "https://w.example/", 3600.0, 0.0)
    sources = Pages().render_sources(frame, [source], {}, {"wire": [DayCount("2025-03-01", 7)]},
                                     date(2025, 3, 1))  # fmt: skip
    assert "average 0.5/day" in sources


def test_feed_route_ids_and_fallback_links_use_the_public_url(
    tmp_path: Path, sqlite_url: str
) -> None:
    """Driven in process over the seeded store: behind ``web.base_url`` a topic's feed writes
    entry ids of its host, and the match whose link is not http links to the dashboard there;
    the matches page names a filter it ignored."""
    seed(sqlite_url)
    settings = load_settings(write_config(tmp_path, sqlite_url), {})
    with Store.open(sqlite_url) as store:
        ctx = WebContext(
            store, lambda: settings, PrometheusMetrics(), lambda: T0, lambda: T0,
            base_url="https://News.Example.org/monitor",
        )  # fmt: skip
        feed, page = asyncio.run(_get(ctx, "/feeds/rice.atom", "/?min_score=1e999"))
    entries = feedparser.parse(feed).entries
    assert len(entries) == 3
    assert all(e.id.startswith("tag:news.example.org,2025:match:") for e in entries)
    unsafe = next(e for e in entries if e.title == "A link that is not http")
    assert unsafe.link.startswith("https://News.Example.org/monitor/?topic=rice&after=")
    assert unsafe.link.endswith("#match-" + unsafe.id.rpartition(":")[2])
    assert "min_score=1e999 is not between 0 and 1: ignored" in page


async def _get(ctx: WebContext, *paths: str) -> list[str]:
    transport = httpx.ASGITransport(app=build_app(ctx))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        return [(await client.get(path)).text for path in paths]


# --- security: secrets in feed URLs, the Host we answer to, out-of-range numbers, 500s ----------

SECRET_FEED = "http://alice:s3cretPW@127.0.0.1:18201/x.rss?api_key=ZZSECRET999&x=1"


@pytest.mark.parametrize(
    ("url", "href", "shown"),
    [
        (SECRET_FEED, None, "http://***@127.0.0.1:18201/x.rss?api_key=***&amp;x=1"),
        ("https://a.example/feeds/Tok3nTok3nTok3n/rss", None, "https://a.example/feeds/***/rss"),
        ("https://a.example/feed?k=1", "https://a.example/feed?k=1", None),
    ],
)
def test_sources_page_links_a_feed_only_without_secrets(
    url: str, href: str | None, shown: str | None
) -> None:
    """A feed URL with a password or token is no link, and shows masked (as ``--opml``)."""
    source = SourceSettings("s", "Wire", "feed", url, 600.0, 0.0)
    html = Pages().render_sources(Frame("", "c" * 43, "UTC"), [source], {}, {}, T0.date())
    assert "s3cretPW" not in html and "ZZSECRET999" not in html and "Tok3nTok3n" not in html
    links = [h for h in re.findall(r'<a href="([^"]*)"', html) if not h.startswith("/")]
    assert links == ([href] if href else [])
    assert (shown in html) if shown else '<code class="url">' not in html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("253402300799999999-1", MatchCursor(datetime.max.replace(tzinfo=UTC), 1)),
        ("253402300800000000-1", None),  # past year 9999
        ("1796557692867318-9223372036854775807", MatchCursor(
            datetime(2026, 12, 6, 11, 48, 12, 867318, tzinfo=UTC), 2**63 - 1)),
        ("1796557692867318-9223372036854775808", None),  # past BIGINT
        ("1796557692867318-99999999999999999999999", None),
        ("1796557692867318-" + "9" * 5000, None),  # past int()'s digit limit
        ("1-١٢", None),  # digits, but not ASCII ones
        # before 1970 (an article page's own date may be): a negative count, the id after it
        ("-128341620000000-588", MatchCursor(datetime(1965, 12, 7, 13, 33, tzinfo=UTC), 588)),
        ("-62135596800000000-1", MatchCursor(datetime.min.replace(tzinfo=UTC), 1)),
        ("-62135596800000001-1", None),  # before year 1
        ("--1-1", None), ("-1", None), ("-x-1", None),
    ],
)  # fmt: skip
def test_cursor_out_of_range_is_no_cursor(text: str, expected: MatchCursor | None) -> None:
    """A cursor the store cannot compare with is ignored, like a malformed one."""
    assert present.parse_cursor(text) == expected


@pytest.mark.parametrize(
    ("listen", "base_url", "host", "ok"),
    [
        ("127.0.0.1", None, "127.0.0.1:8080", True),
        ("127.0.0.1", None, "localhost:8080", True),
        ("127.0.0.1", None, "[::1]:8080", True),
        ("127.0.0.1", None, "LOCALHOST", True),
        ("127.0.0.1", None, "rebind.evil.example:8080", False),
        ("127.0.0.1", None, "testserver", False),
        ("127.0.0.1", None, "127.0.0.1:8080@evil", False),
        ("127.0.0.1", None, None, False),
        ("::1", None, "[::1]:9000", True),
        ("192.168.1.5", None, "192.168.1.5:8080", True),
        ("192.168.1.5", None, "nas.lan:8080", False),
        ("192.168.1.5", "https://Monitor.Example.org/m", "monitor.example.org", True),
        ("0.0.0.0", None, "anything.example", True),  # reached by names we cannot know
        ("::", None, "anything.example", True),
    ],
)
def test_host_we_answer_to(listen: str, base_url: str | None, host: str | None, ok: bool) -> None:
    """Loopback names, the listen host and the base_url host; any host on a wildcard bind."""
    assert guard.host_ok(host, guard.served_hosts(listen, base_url)) is ok


@pytest.fixture
def seeded_app(tmp_path: Path, sqlite_url: str) -> Iterator[Starlette]:
    """The app over a seeded SQLite store (loopback: it answers to 127.0.0.1 and localhost)."""
    seed(sqlite_url, count=3)
    settings = load_settings(write_config(tmp_path, sqlite_url), {})
    with Store.open(sqlite_url) as store:
        yield build_app(
            WebContext(store, lambda: settings, PrometheusMetrics(), lambda: T0, lambda: T0)
        )


def _client(
    app: Starlette, host: str = "127.0.0.1", raise_errors: bool = True
) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_errors)
    return httpx.AsyncClient(transport=transport, base_url=f"http://{host}")


def test_unreadable_filters_are_never_echoed_at_length(seeded_app: Starlette) -> None:
    """A 60,000-character language, topic, source or score (httpx sends 64 KB of query at
    most) is named in a notice, cut short, and in no form field, option or link: the page
    stays the size of the page without it."""

    async def ask() -> tuple[str, list[str]]:
        async with _client(seeded_app) as client:
            plain = (await client.get("/")).text
            long = [
                (await client.get("/", params={name: "x" * 60_000})).text
                for name in ("language", "topic", "source", "min_score")
            ]
            return plain, long

    plain, long = asyncio.run(ask())
    for name, page in zip(("language", "topic", "source", "min_score"), long, strict=True):
        assert "x" * 40 not in page, name
        assert f"{name}={'x' * 39}…" in page
        assert len(page) < len(plain) + 1_000, name


def test_matches_with_no_language_can_be_chosen(seeded_app: Starlette, sqlite_url: str) -> None:
    """The language filter offers "unknown" (``language=none``): the matches whose article
    has no known language."""
    new = store_article("https://x.example/nolang")
    with Store.open(sqlite_url) as store:
        store.save_poll(store_state(), [replace(new, item=replace(new.item, language=None))], T0)
        nolang = [m for m in store.match_page(MatchFilter()) if m.language is None]
    assert len(nolang) == 1

    async def ask() -> str:
        async with _client(seeded_app) as client:
            return (await client.get("/", params={"language": "none"})).text

    page = asyncio.run(ask())
    assert re.findall(r'id="match-(\d+)"', page) == [str(nolang[0].match.match_id)]
    assert '<option value="none" selected>unknown</option>' in page


def test_the_400_of_a_bad_day_leads_back_to_the_same_list(seeded_app: Starlette) -> None:
    """ "Back to the matches" keeps the other filters, without the day(s) at fault."""

    async def ask() -> list[str]:
        async with _client(seeded_app) as client:
            return [
                (await client.get(path)).text
                for path in (
                    "/?topic=rice&from=2025-02-30&sort=published",
                    "/?from=2025-03-02&to=2025-03-01&language=id",
                    "/?to=nope",
                )
            ]

    bad_from, reversed_range, alone = asyncio.run(ask())
    assert '<a href="/?topic=rice&amp;sort=published">Back to the matches</a>' in bad_from
    assert '<a href="/?language=id">Back to the matches</a>' in reversed_range
    assert '<a href="/">Back to the matches</a>' in alone


def test_a_repeated_parameter_gets_a_notice(seeded_app: Starlette) -> None:
    """``sort=published&sort=matched``: the page says which one it used."""

    async def ask() -> str:
        async with _client(seeded_app) as client:
            return (await client.get("/?sort=published&sort=matched")).text

    assert "sort is given 2 times: sort=matched is used" in asyncio.run(ask())


def test_another_host_name_gets_400_with_the_headers(seeded_app: Starlette) -> None:
    """DNS rebinding: a page on another name that resolves to us reads nothing, posts nothing."""
    app = seeded_app

    async def ask() -> None:
        async with _client(app, "rebind.evil.example:8080") as evil:
            posted = await evil.post("/matches/1/feedback", data={"verdict": "relevant"})
            for response in (await evil.get("/feedback.jsonl"), await evil.get("/healthz"), posted):
                assert response.status_code == 400, response.text
                assert response.headers["content-security-policy"] == guard.CSP
                assert "monitor_csrf" not in response.headers.get("set-cookie", "")
        async with _client(app, "localhost:8080") as ours:
            assert (await ours.get("/feedback.jsonl")).status_code == 200
            assert (await ours.get("/healthz")).status_code in (200, 503)

    asyncio.run(ask())


def test_out_of_range_numbers_are_not_500s(seeded_app: Starlette) -> None:
    """Cursors past year 9999 or BIGINT are no cursor; a match id past BIGINT is 404."""
    app = seeded_app

    async def ask() -> None:
        async with _client(app) as client:
            first = await client.get("/")
            assert first.status_code == 200
            for after in ("253402300800000000-1", "1796557692867318-99999999999999999999999"):
                page = await client.get("/", params={"after": after})
                assert page.status_code == 200
                assert page.text.count('id="match-') == first.text.count('id="match-') == 6
            csrf = client.cookies["monitor_csrf"]
            for match_id in ("99999999999999999999999", "9" * 5000, "9223372036854775808"):
                for verdict in ("relevant", "undo"):
                    posted = await client.post(
                        f"/matches/{match_id}/feedback", data={"verdict": verdict, "csrf": csrf}
                    )
                    assert posted.status_code == 404, (match_id, verdict, posted.text)
                    assert posted.headers["content-security-policy"] == guard.CSP

    asyncio.run(ask())


class _BrokenStore:
    """A store with a bug: every page read raises something no handler expects."""

    clustered = False

    def match_page(self, *args: object) -> list[MatchDetail]:
        raise RuntimeError("a bug, with a secret in its message: ZZSECRET999")


def test_an_unexpected_error_is_a_plain_500_with_the_headers() -> None:
    """A bug's 500 still carries the CSP and friends, and shows nothing of the exception."""
    settings = cast(Settings, SimpleNamespace(topics=(), sources=(), timezone="UTC"))
    ctx = WebContext(
        cast(Store, _BrokenStore()), lambda: settings, PrometheusMetrics(), lambda: T0, lambda: T0
    )

    async def ask() -> httpx.Response:
        async with _client(build_app(ctx), raise_errors=False) as client:
            return await client.get("/")

    response = asyncio.run(ask())
    assert response.status_code == 500 and "Server error" in response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "ZZSECRET999" not in response.text and "Traceback" not in response.text
    for name, value in guard.HEADERS.items():
        assert response.headers[name] == value


# --- Atom feeds: validators, 304, no cookie; nothing from the Host header ----------------------


@pytest.mark.parametrize(
    ("if_none_match", "if_modified_since", "expected"),
    [
        ('"abc"', None, True),
        ('"x", W/"abc"', None, True),
        ("*", None, True),
        ('"other"', "Sat, 01 Mar 2025 12:00:00 GMT", False),  # If-None-Match decides alone
        (None, "Sat, 01 Mar 2025 12:00:00 GMT", True),
        (None, "Sat, 01 Mar 2025 13:00:00 GMT", True),
        (None, "Sat, 01 Mar 2025 11:59:59 GMT", False),
        (None, "yesterday", False),
        (None, None, False),
    ],
)
def test_when_a_feed_is_not_modified(
    if_none_match: str | None, if_modified_since: str | None, expected: bool
) -> None:
    """The ETag (weak or strong, in a list, or ``*``); else the time of the newest entry."""
    newest = T0.replace(microsecond=500_000)
    assert atom.not_modified(if_none_match, if_modified_since, '"abc"', newest) is expected


def test_an_empty_feed_is_never_modified_since_and_keeps_its_etag() -> None:
    """No entry, no Last-Modified; the body (and so the ETag) does not change with the clock."""
    info = atom.FeedInfo("t", "/feeds/all.atom", "/", atom.EMPTY_UPDATED)
    assert not atom.not_modified(None, "Sat, 01 Mar 2025 12:00:00 GMT", '"a"', None)
    headers = atom.validators(atom.render_feed(info, []), None)
    assert "Last-Modified" not in headers and headers["Cache-Control"] == atom.CACHE_CONTROL


def test_a_feed_answers_304_to_its_validators_and_sets_no_cookie(
    tmp_path: Path, sqlite_url: str
) -> None:
    """ETag, Last-Modified and Cache-Control on the feed; asked again with either validator it
    answers 304 without a body; a new match changes the ETag; no response of a feed sets the
    CSRF cookie (a page does)."""
    seed(sqlite_url, count=3)
    settings = load_settings(write_config(tmp_path, sqlite_url), {})

    async def ask(client: httpx.AsyncClient, **headers: str) -> httpx.Response:
        return await client.get("/feeds/all.atom", headers=headers)

    async def run() -> None:
        async with _client(build_app(ctx)) as client:
            first = await ask(client)
            etag, modified = first.headers["etag"], first.headers["last-modified"]
            assert first.status_code == 200 and first.headers["cache-control"] == atom.CACHE_CONTROL
            assert "set-cookie" not in first.headers
            again = await ask(client, **{"If-None-Match": etag})
            assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
            assert "set-cookie" not in again.headers
            since = await ask(client, **{"If-Modified-Since": modified})
            assert since.status_code == 304
            assert (await ask(client, **{"If-None-Match": '"stale"'})).status_code == 200
            assert "monitor_csrf" in (await client.get("/")).headers["set-cookie"]
            add_article(sqlite_url, "https://rice.example/new", "Rice news", "rice")
            changed = await ask(client, **{"If-None-Match": etag})
            assert changed.status_code == 200 and changed.headers["etag"] != etag

    with Store.open(sqlite_url) as store:
        ctx = WebContext(store, lambda: settings, PrometheusMetrics(), lambda: T0, lambda: T0)
        asyncio.run(run())


def test_a_hostile_host_header_is_nowhere_in_a_feed(tmp_path: Path, sqlite_url: str) -> None:
    """Listening on every address without ``web.base_url`` (any Host is answered): the feed's
    id is a tag URI of its name and its links are root-relative, whatever Host was sent; the
    body is the same for every Host."""
    seed(sqlite_url, count=3)
    settings = load_settings(write_config(tmp_path, sqlite_url), {})

    async def fetch(host: str) -> bytes:
        async with _client(build_app(ctx), host) as client:
            return (await client.get("/feeds/rice.atom")).content

    with Store.open(sqlite_url) as store:
        ctx = WebContext(
            store, lambda: settings, PrometheusMetrics(), lambda: T0, lambda: T0, hosts=None
        )
        evil, other = asyncio.run(fetch("evil.example:666")), asyncio.run(fetch("nas.lan:8080"))
    assert evil == other and b"evil" not in evil
    parsed = feedparser.parse(evil)
    assert parsed.feed.id == "tag:news-monitor,2025:feed:rice"
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links == {"self": "/feeds/rice.atom", "alternate": "/?topic=rice"}
    unsafe = next(e for e in parsed.entries if e.title == "A link that is not http")
    assert unsafe.link.startswith("/?topic=rice&after=")


# --- the read-only feed token and the pages' feed links -----------------------------------------

TOKEN, FEED_TOKEN = "master-token-0123456789", "feed-token-0123456789ab"


def test_the_feed_token_opens_the_feeds_only() -> None:
    """``?token=<feed token>`` reads a feed; it never opens a page or a POST, as a bearer
    header or as a query parameter; the token itself still reads the feeds."""
    bearer = {"authorization": f"Bearer {FEED_TOKEN}"}
    query = {"token": FEED_TOKEN}
    expected = (True, True, False, False, False, False)
    assert expected == (
        guard.authorised(TOKEN, "/feeds/rice.atom", {}, {}, query, FEED_TOKEN),
        guard.authorised(TOKEN, "/feeds/all.atom", {}, {}, {"token": TOKEN}, FEED_TOKEN),
        guard.authorised(TOKEN, "/", {}, {}, query, FEED_TOKEN),
        guard.authorised(TOKEN, "/matches/1/feedback", {}, {}, query, FEED_TOKEN),
        guard.authorised(TOKEN, "/feeds/all.atom", bearer, {}, {}, FEED_TOKEN),
        guard.authorised(TOKEN, "/", bearer, {}, {}, FEED_TOKEN),
    )
    assert present.feed_path("/m", "a b", None) == "/m/feeds/a%20b.atom"
    assert present.feed_path("", None, "t&k") == "/feeds/all.atom?token=t%26k"


@pytest.mark.parametrize(
    ("web", "env", "message"),
    [
        ("web: {feed_token: 'feed-token-0123456789ab'}", {}, "web.token is not"),
        ("web: {token: 'master-token-0123456789', feed_token: short}", {}, "is 5 characters"),
        ("web: {token: 'master-token-0123456789', feed_token: 'master-token-0123456789'}", {},
         "is the token itself"),
        ("", {"MONITOR_WEB_FEED_TOKEN": "feed-token-0123456789ab"}, "(MONITOR_WEB_FEED_TOKEN)"),
    ],
)  # fmt: skip
def test_a_feed_token_without_a_token_or_too_short_is_a_config_error(
    tmp_path: Path, sqlite_url: str, web: str, env: dict[str, str], message: str
) -> None:
    """Refused naming ``web.feed_token``: alone (everything is open then), short, or the
    token itself."""
    with pytest.raises(ConfigError, match=re.escape(message)) as error:
        load_settings(write_config(tmp_path, sqlite_url, web=web), env)
    assert error.value.key == "web.feed_token"


def test_feed_token_from_the_environment(tmp_path: Path, sqlite_url: str) -> None:
    """``MONITOR_WEB_FEED_TOKEN`` when the key is absent, as ``MONITOR_WEB_TOKEN``."""
    env = {"MONITOR_WEB_TOKEN": TOKEN, "MONITOR_WEB_FEED_TOKEN": FEED_TOKEN}
    web = load_settings(write_config(tmp_path, sqlite_url, web=""), env).web
    assert (web.token, web.feed_token) == (TOKEN, FEED_TOKEN)


def test_pages_link_their_feeds_with_the_feed_token_for_a_signed_in_user(
    tmp_path: Path, sqlite_url: str
) -> None:
    """Every page names the all-matches feed (``rel=alternate``); a topic-filtered dashboard
    names that topic's feed too and links it visibly. Signed in, the links carry the feed
    token (never the token); the login form shows neither; the feed token reads a feed
    and opens no page."""
    seed(sqlite_url, count=3)
    settings = load_settings(write_config(tmp_path, sqlite_url), {})
    signed = {"Authorization": f"Bearer {TOKEN}"}

    async def run() -> list[httpx.Response]:
        async with _client(build_app(ctx)) as client:
            return [
                await client.get("/?topic=rice", headers=signed),
                await client.get("/topics", headers=signed),
                await client.get("/?topic=rice"),
                await client.get("/feeds/rice.atom", params={"token": FEED_TOKEN}),
                await client.get("/", params={"token": FEED_TOKEN}),
            ]

    with Store.open(sqlite_url) as store:
        ctx = WebContext(
            store, lambda: settings, PrometheusMetrics(), lambda: T0, lambda: T0,
            token=TOKEN, feed_token=FEED_TOKEN,
        )  # fmt: skip
        rice, topics, login, feed, page = asyncio.run(run())
    alternates = re.findall(r'<link rel="alternate" [^>]*href="([^"]+)"', rice.text)
    with_token = f"?token={FEED_TOKEN}"
    assert alternates == [f"/feeds/rice.atom{with_token}", f"/feeds/all.atom{with_token}"]
    assert (
        f'<a href="/feeds/rice.atom{with_token}" type="application/atom+xml">Atom feed' in rice.text
    )
    assert f'href="/feeds/rice.atom{with_token}"' in topics.text and TOKEN not in topics.text
    assert login.status_code == 401 and FEED_TOKEN not in login.text and TOKEN not in login.text
    assert (feed.status_code, page.status_code) == (200, 401)


# --- control characters in what a request sends -------------------------------------------------


@pytest.mark.postgres
def test_a_nul_in_an_address_or_form_is_400_on_postgresql(
    tmp_path: Path, postgres_url: str
) -> None:
    """PostgreSQL refuses NUL in a string: a NUL (or another control character) in a query
    parameter, a path or a form field is refused with 400 before the store is asked, never
    "the database did not answer"; a pasted text keeps its line breaks."""
    seed(postgres_url, count=3)
    settings = load_settings(write_config(tmp_path, postgres_url), {})

    async def run() -> tuple[list[int], int]:
        async with _client(build_app(ctx)) as client:
            csrf = (await client.get("/"), client.cookies["monitor_csrf"])[1]
            gets = ["/?topic=%00", "/?source=%00", "/?language=a%00", "/?topic=a%1b",
                    "/topics?near=%00", "/feeds/%00.atom", "/?after=1%00-2"]  # fmt: skip
            answers = [(await client.get(path)).status_code for path in gets]
            posts = [
                ("/topics/rice/feedback", {"article": "a\x00b", "verdict": "relevant"}),
                ("/deliveries/%00/retry", {}),
                ("/matches/1/feedback", {"verdict": "relevant\x00"}),
                ("/topics/rice/try", {"title": "Rice\x00", "mode": "text"}),
            ]
            for path, data in posts:
                answers.append((await client.post(path, data={**data, "csrf": csrf})).status_code)
            pasted = await client.post(
                "/topics/rice/try",
                data={"csrf": csrf, "mode": "text", "title": "Rice\tup", "text": "a\r\nb"},
            )
            return answers, pasted.status_code

    with Store.open(postgres_url) as store:
        ctx = WebContext(store, lambda: settings, PrometheusMetrics(), lambda: T0, lambda: T0)
        answers, pasted = asyncio.run(run())
    assert answers == [400] * 11 and pasted == 200
    assert guard.control_free("a\tb", "\t") and not guard.control_free("a\tb")
    assert not guard.control_free("a\x7f")


def test_deliveries_page_counts_what_its_lists_leave_out() -> None:
    """The lists hold the newest 200; their headings give the real counts."""
    dead = DeliveryRecord(
        "d1", "hook", "dead", 3, T0, T0, "refused", T0, None, "rice", "Rice up", None
    )
    page = Pages().render_deliveries(Frame("", "c" * 43, "UTC"), [dead], [dead], {}, (249, 1))
    assert "<h2>Pending (249, newest 1 shown)</h2>" in page and "<h2>Dead (1)</h2>" in page


def test_a_topic_a_reload_removed_is_named_with_a_way_back(seeded_app: Starlette) -> None:
    """A near-miss verdict or a "try it" for a topic no longer in the watchlists: 404 saying
    so and what was lost, with a link back to the topics; a dashboard filtered by it keeps
    the filter chosen in its select; a wrong method is 405 with ``Allow``."""
    app = seeded_app

    async def ask() -> list[httpx.Response]:
        async with _client(app) as client:
            page = await client.get("/", params={"topic": "gone", "source": "old-wire"})
            csrf = client.cookies["monitor_csrf"]
            verdict = {"csrf": csrf, "article": "k", "verdict": "relevant"}
            return [
                page,
                await client.post("/topics/gone/feedback", data=verdict),
                await client.post("/topics/gone/try", data={"csrf": csrf, "mode": "text"}),
                await client.get("/logout"),
            ]

    page, judged, tried, wrong = asyncio.run(ask())
    assert '<option value="gone" selected>removed: gone</option>' in page.text
    assert '<option value="old-wire" selected>removed: old-wire</option>' in page.text
    for answer, lost in ((judged, "your verdict was not stored"), (tried, "nothing was tried")):
        assert answer.status_code == 404
        assert "is no longer in the watchlists" in answer.text and lost in answer.text
        assert '<a href="/topics">Back to the topics</a>' in answer.text
    assert (wrong.status_code, wrong.headers.get("allow")) == (405, "POST")


# --- sessions: signed, expiring, revocable ------------------------------------------------------


def test_a_session_cookie_is_signed_and_expires() -> None:
    """A cookie's id is read back while it is fresh; a changed id or time, another token, or
    an age past ``SESSION_MAX_AGE`` is no session."""
    value = guard.new_session(TOKEN, T0)
    issued, sid, signature = value.split(".")
    changed = sid[:-1] + ("B" if sid.endswith("A") else "A")  # the id is random: differ surely
    later = T0 + guard.SESSION_MAX_AGE
    expected = (sid, sid, None, None, None, None)
    assert expected == (
        guard.session_id(TOKEN, value, T0),
        guard.session_id(TOKEN, value, later),
        guard.session_id(TOKEN, value, later + timedelta(seconds=1)),
        guard.session_id("another-token-0123456789", value, T0),
        guard.session_id(TOKEN, f"{int(issued) + 1}.{sid}.{signature}", T0),
        guard.session_id(TOKEN, f"{issued}.{changed}.{signature}", T0),
    )
    assert guard.new_session(TOKEN, T0).split(".")[1] != sid  # a new id at each login


def test_logout_ends_the_session_even_for_a_copy_of_its_cookie(
    tmp_path: Path, sqlite_url: str
) -> None:
    """After POST /logout the old cookie, sent again, is refused; a new login works; a
    session the clock has carried past 30 days is refused too."""
    seed(sqlite_url, count=3)
    settings = load_settings(write_config(tmp_path, sqlite_url), {})
    clock = [T0]

    async def login(client: httpx.AsyncClient) -> str:
        csrf = (await client.get("/login"), client.cookies["monitor_csrf"])[1]
        done = await client.post("/login", data={"csrf": csrf, "token": TOKEN, "next": "/"})
        assert done.status_code == 303
        return client.cookies[guard.SESSION_COOKIE]

    async def run() -> list[int]:
        async with _client(build_app(ctx)) as client:
            old = await login(client)
            csrf = client.cookies["monitor_csrf"]
            replay = {"Cookie": f"{guard.SESSION_COOKIE}={old}; monitor_csrf={csrf}"}
            answers = [(await client.get("/topics", headers=replay)).status_code]
            await client.post("/logout", data={"csrf": csrf})
            answers.append((await client.get("/topics", headers=replay)).status_code)
            await login(client)
            answers.append((await client.get("/topics")).status_code)
            clock[0] = T0 + guard.SESSION_MAX_AGE + timedelta(minutes=1)
            answers.append((await client.get("/topics")).status_code)
            return answers

    with Store.open(sqlite_url) as store:
        ctx = WebContext(
            store, lambda: settings, PrometheusMetrics(), lambda: T0, lambda: clock[0],
            token=TOKEN,
        )  # fmt: skip
        assert asyncio.run(run()) == [200, 401, 200, 401]


def test_retry_of_no_dead_delivery_try_by_get_and_untitled_articles(
    tmp_path: Path, sqlite_url: str
) -> None:
    """Retrying a delivery that is not dead is 404 saying so; a GET of the dry run's address
    (a reload) goes back to the topic; an untitled stored article a dry run finds is
    "(no title)"; article links open in a new tab as the matches' do."""
    seed(sqlite_url, count=3)
    settings = load_settings(write_config(tmp_path, sqlite_url), {})

    async def run() -> list[httpx.Response]:
        async with _client(build_app(ctx)) as client:
            csrf = (await client.get("/"), client.cookies["monitor_csrf"])[1]
            return [
                await client.post("/deliveries/no-such-id/retry", data={"csrf": csrf}),
                await client.get("/topics/rice/try"),
            ]

    with Store.open(sqlite_url) as store:
        ctx = WebContext(store, lambda: settings, PrometheusMetrics(), lambda: T0, lambda: T0)
        retried, reloaded = asyncio.run(run())
        untitled = Document("k", "", "Rice. Rice prices rise, rice is scarce.", "en")
        stored = _run_over(ctx.matcher(settings), "rice", [(untitled, "https://a.example/u")])
    assert retried.status_code == 404 and "No dead delivery has that id" in retried.text
    assert (reloaded.status_code, reloaded.headers["location"]) == (303, "/topics#topic-rice")
    assert [title for title, _, _ in stored] == ["(no title)"]
    near = NearMisses("rice", (NearMiss("rice", 3, "https://a.example/n", "", 0.2, T0),), 0.4, 30)
    topic = Topic(id="rice", name="Rice", query="rice", threshold=0.4)
    tried = TryResult("rice", stored=stored, tried=1)
    page = Pages().render_topics(
        Frame("", "c" * 43, "UTC"), [TopicCard(topic, "rice", (), Tally())], T0.date(), tried, near
    )
    assert page.count('target="_blank"><bdi>(no title)</bdi></a>') == 2


# --- sort by published time, date range, language choices --------------------------------------

JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("2025-03-01", "2025-03-01", (datetime(2025, 2, 28, 17, tzinfo=UTC),
                                      datetime(2025, 3, 1, 17, tzinfo=UTC))),
        ("", "2025-03-02", (None, datetime(2025, 3, 2, 17, tzinfo=UTC))),
        ("0001-01-01", "9999-12-31", (None, None)),  # out of a datetime's range: open
        ("2025-13-01", None, "from=2025-13-01 is not a date: write it as YYYY-MM-DD"),
        ("20250301", None, "from=20250301 is not a date"),  # fromisoformat would take it
        (None, "2025-W09-6", "to=2025-W09-6 is not a date"),
        (None, "２０２５-03-01", "is not a date"),  # digits, but not ASCII ones
        ("2025-03-02", "2025-03-01", "from=2025-03-02 is after to=2025-03-01"),
    ],
)  # fmt: skip
def test_date_range_is_whole_days_in_the_dashboards_zone(
    first: str | None, last: str | None, expected: tuple | str
) -> None:
    """Both days included, in the configured zone; anything but YYYY-MM-DD is a BadFilter."""
    if isinstance(expected, str):
        with pytest.raises(present.BadFilter, match=re.escape(expected)):
            present.date_range(first, last, JAKARTA)
    else:
        assert present.date_range(first, last, JAKARTA) == expected


def test_the_date_range_applies_to_the_time_sorted_by() -> None:
    """By matched time it narrows the matched time (the later start of it and ``period``
    counts); by published time the published time."""
    day = {"from": "2025-03-01", "to": "2025-03-01"}
    start, end = datetime(2025, 2, 28, 17, tzinfo=UTC), datetime(2025, 3, 1, 17, tzinfo=UTC)
    matched = present.match_filter({**day, "period": "30d"}, T0, JAKARTA)
    assert (matched.since, matched.until, matched.published_since) == (start, end, None)
    published = present.match_filter({**day, "sort": "published"}, T0, JAKARTA)
    assert (published.since, published.published_since, published.published_until) == (
        None, start, end
    )  # fmt: skip
    assert present.filter_notices({"sort": "<b>"}, [], []) == (
        "sort=<b> is not one of matched, published: sorted by matched",
    )


def test_a_cursor_before_1970_leads_to_the_next_page() -> None:
    """The "older" link after an article dated 1965 names a page, not the newest again."""
    cursor = MatchCursor(datetime(1965, 12, 7, 13, 33, 0, 250, tzinfo=UTC), 588)
    assert present.parse_cursor(present.cursor_text(cursor), "published") == cursor


def test_a_cursor_among_the_undated_is_one_of_the_list_by_published_time() -> None:
    """``none-<id>`` is a position after every dated article; in the list by matched time it
    is none."""
    cursor = MatchCursor(None, 12)
    assert present.cursor_text(cursor) == "none-12"
    assert present.parse_cursor("none-12", "published") == cursor
    assert present.parse_cursor("none-12") is None
    assert present.filter_notices({"after": "none-12"}, [], []) != ()
    assert present.filter_notices({"after": "none-12", "sort": "published"}, [], []) == ()


def _local(when: datetime) -> date:
    """The day of ``when`` in the dashboard's zone of the tests' config."""
    return when.astimezone(JAKARTA).date()


async def _walk(client: httpx.AsyncClient, path: str) -> list[str]:
    """The match ids of every page from ``path`` on, following the "older" links."""
    ids: list[str] = []
    next_path: str | None = path
    while next_path:
        page = (await client.get(next_path)).text
        ids += re.findall(r'id="match-(\d+)"', page)
        older = re.search(r'href="([^"]+)" rel="next"', page)
        next_path = older.group(1).replace("&amp;", "&") if older else None
    return ids


def test_matches_sorted_by_published_time_filtered_by_days_and_language(
    tmp_path: Path, database_url: str
) -> None:
    """Over HTTP in process, on both databases: ``sort=published`` pages through every match,
    the undated last, without repeats; ``from``/``to`` narrow by the time sorted by, and a
    day that is not one is a 400 that names it (with the security headers); the language
    filter offers the stored matches' languages, and a code in the URL that none has, chosen;
    a value that cannot be a code is ignored, named in a notice."""
    seed(database_url, count=55)
    later = SEED_T0 + timedelta(days=30)  # the seed's articles say they were published at SEED_T0
    dated = [(f"https://p.example/{n}", later + timedelta(days=n)) for n in range(3)]
    matched = SEED_T0 + timedelta(hours=1)  # the seed's matches were made at SEED_T0 + n s
    with Store.open(database_url) as store:
        for n, (url, published) in enumerate([*dated, ("https://p.example/none", None)]):
            new = store_article(url, published=published)
            store.save_poll(store_state(), [new], matched + timedelta(seconds=n))
    day = _local(matched)
    settings = load_settings(write_config(tmp_path, database_url), {})

    async def ask() -> tuple[list[str], list[str], list[httpx.Response]]:
        async with _client(build_app(ctx)) as client:
            by_matched = await _walk(client, "/")
            by_published = await _walk(client, "/?sort=published")
            answers = [
                await client.get(path)
                for path in (
                    f"/?sort=published&from={_local(dated[1][1])}&to={_local(dated[2][1])}",
                    f"/?from={day}&to={day}",
                    f"/?to={day - timedelta(days=1)}",
                    "/?from=2025-02-30",
                    "/?sort=published&to=%3Cscript%3E",
                    "/?from=2025-03-02&to=2025-03-01",
                    "/?language=%3Cb%3Ex",
                    "/?language=TH",
                )
            ]
            return by_matched, by_published, answers

    with Store.open(database_url) as store:
        ctx = WebContext(store, lambda: settings, PrometheusMetrics(), lambda: T0, lambda: T0)
        by_matched, by_published, answers = asyncio.run(ask())
        keys = {str(m.match_id): m.article_key for m in store.matches(limit=100)}
    assert len(by_published) == len(set(by_published)) == len(by_matched) == 62
    assert [keys[i] for i in by_published[:3]] == [u for u, _ in reversed(dated)]
    assert keys[by_published[-1]] == "https://p.example/none"
    ranged, matched_day, day_before, *bad, hostile, thai = answers
    assert [keys[i] for i in re.findall(r'id="match-(\d+)"', ranged.text)] == [
        "https://p.example/2", "https://p.example/1"
    ]  # fmt: skip
    shown = re.findall(r"matched <time>(\d{4}-\d\d-\d\d) ", matched_day.text)
    assert shown and set(shown) == {str(day)}
    assert "No matches for these filters" in day_before.text
    assert [r.status_code for r in bad] == [400, 400, 400]
    assert "from=2025-02-30 is not a date: write it as YYYY-MM-DD" in bad[0].text
    assert "to=&lt;script&gt; is not a date" in bad[1].text and "<script>" not in bad[1].text
    assert "from=2025-03-02 is after to=2025-03-01" in bad[2].text
    assert all(r.headers["content-security-policy"] == guard.CSP for r in bad)
    choices = re.findall(
        r'<option value="([^"]*)"( selected)?>',
        hostile.text.split('"language"')[1].split("</select>")[0],
    )
    assert choices == [("", ""), ("en", ""), ("id", ""), ("none", "")]
    assert "<b>x" not in hostile.text and "No matches for these filters" not in hostile.text
    assert "language=&lt;b&gt;x is not a language code: ignored" in hostile.text
    assert '<option value="th" selected>th</option>' in thai.text


def test_the_topics_tallies_are_counted_anew_only_when_judgments_or_configuration_change() -> None:
    """The topics page matches every judged article to count a topic's precision: a second
    view counts nothing, a verdict (new judgment states) or a reload (new settings) does."""
    ctx = WebContext(
        cast(Store, None), lambda: cast(Settings, None), PrometheusMetrics(),
        lambda: T0, lambda: T0,
    )  # fmt: skip
    counted: list[int] = []

    def count() -> int:
        counted.append(len(counted) + 1)
        return counted[-1]

    first, reloaded = cast(Settings, object()), cast(Settings, object())
    assert ctx.tallied(first, {"bank": "2.7/0.0"}, count) == 1
    assert ctx.tallied(first, {"bank": "2.7/0.0"}, count) == 1  # viewed again
    assert ctx.tallied(first, {"bank": "3.9/0.0"}, count) == 2  # a verdict given
    assert ctx.tallied(reloaded, {"bank": "3.9/0.0"}, count) == 3  # a hot reload
