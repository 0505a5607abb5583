"""The web side against a real ``monitor run`` over HTTP on loopback: every endpoint, the
token-protected bind, the config and bind errors. Atom is read with feedparser; ``/metrics``
with the Prometheus client's own text parser.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import feedparser
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from monitor.cli import main
from monitor.config import WebSettings, load_settings
from monitor.errors import ConfigError
from monitor.learn.feedback_file import read_feedback
from monitor.node import single_node
from monitor.store import Store
from monitor.web.server import bind
from tests.feedserver import FeedServer, running_feed_server
from tests.test_end_to_end import OTHER_ITEMS, rss
from tests.webdaemon import HOSTILE, ROOT, Daemon, running_daemon, seed, write_config

SECRET_HOOK = "json://127.0.0.1:9/hook-secret-path-123?token=topsecret-value-42"
pytestmark = pytest.mark.slow


def sources_and_channels(feeds: FeedServer) -> str:
    return (
        "sources:\n"
        "  - {id: asean-wire, feed: 'https://asean-wire.example/feed'}\n"
        "  - {id: rice-wire, feed: 'https://rice-wire.example/feed'}\n"
        f"  - {{id: loop, feed: '{feeds.url('/loop.xml')}', every: 1h}}\n"
        "channels:\n"
        f"  hook: {{urls: ['{SECRET_HOOK}']}}\n"
        "  mail: {urls: ['json://127.0.0.1:9/mail']}\n"
    )


@pytest.fixture
def daemon(tmp_path: Path, database_url: str) -> Iterator[Daemon]:
    seed(database_url)
    with running_feed_server() as feeds:
        # items that match no topic: the pages' content stays the seed's whether or not the
        # poll has happened yet
        feeds.serve("/loop.xml", rss(OTHER_ITEMS))
        config = write_config(tmp_path, database_url, extra=sources_and_channels(feeds))
        with running_daemon(config) as running:
            running.database_url = database_url  # type: ignore[attr-defined]
            yield running


def csrf_of(client: httpx.Client) -> str:
    client.get("/")
    return client.cookies["monitor_csrf"]


def test_matches_page_filters_paging_and_headers(daemon: Daemon) -> None:
    """Newest first, 50 a page with an "older" link that continues without overlap; filters
    narrow; hostile text is escaped; the strict CSP and friends are on every page."""
    with daemon.client() as client:
        first = client.get("/")
        assert first.status_code == 200
        csp = first.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script" not in csp
        assert first.headers["x-content-type-options"] == "nosniff"
        page = first.text
        assert "<script>window.__pwned" not in page and "&lt;script&gt;window.__pwned" in page
        assert 'href="javascript:' not in page
        ids = re.findall(r'id="match-(\d+)"', page)
        assert len(ids) == 50
        older = re.search(r'href="([^"]+)" rel="next"', page)
        assert older is not None
        second = client.get(older.group(1).replace("&amp;", "&")).text
        more = re.findall(r'id="match-(\d+)"', second)
        assert more and not set(more) & set(ids)
        assert len(ids) + len(more) == 63  # 60 + 2 rice + 1 not-http link
        rice = client.get("/", params={"topic": "rice"}).text
        assert len(re.findall(r'id="match-', rice)) == 3 and "prices climb 1" in rice
        indonesian = client.get("/", params={"language": "id"}).text
        assert len(re.findall(r'id="match-', indonesian)) == 1 and "bahas keamanan" in indonesian
        assert "#57<" not in indonesian
        assert "#57<" in client.get("/", params={"source": "asean-wire"}).text
        high = client.get("/", params={"min_score": "0.9"}).text
        assert all(float(x) >= 0.9 for x in re.findall(r'title="score">([\d.]+)<', high))
        assert "#57<" not in high  # the seeded matches score 0.80
        assert "No matches" not in client.get("/", params={"period": "24h"}).text


def test_feedback_csrf_retry_and_try_it(daemon: Daemon) -> None:
    """A POST without the CSRF token is refused; with it the verdict is stored (once, however
    often it is clicked; an unknown match is a 404) and undone; a dead delivery is queued
    again; "try it" explains a pasted text without storing anything."""
    with daemon.client() as client:
        token = csrf_of(client)
        match_id = int(re.findall(r'id="match-(\d+)"', client.get("/").text)[0])
        refused = client.post(f"/matches/{match_id}/feedback", data={"verdict": "relevant"})
        assert refused.status_code == 403
        foreign = client.post(
            f"/matches/{match_id}/feedback",
            data={"verdict": "relevant", "csrf": token},
            headers={"Origin": "https://evil.example"},
        )
        assert foreign.status_code == 403
        done = client.post(
            f"/matches/{match_id}/feedback",
            data={"verdict": "not-relevant", "csrf": token, "next": "//evil.example/"},
        )
        assert done.status_code == 303 and done.headers["location"] == "/"
        # a double click: the CLI's store call, so the second adds nothing (one undo below)
        again = client.post(
            f"/matches/{match_id}/feedback", data={"verdict": "not-relevant", "csrf": token}
        )
        assert again.status_code == 303
        missing = client.post(
            "/matches/999999/feedback", data={"verdict": "relevant", "csrf": token}
        )
        assert missing.status_code == 404
        assert "marked not-relevant" in client.get("/").text
        said = client.get("/topics", params={"suggest": "rice"}).text
        assert "Suggested edits" in said and "0 articles judged relevant and 1 judged" in said
        assert re.search(r"<tr><td><code>[^<]+</code></td><td>0</td><td>1</td>", said), said
        assert client.get("/topics", params={"suggest": "nope"}).status_code == 404
        with Store.open(daemon.database_url) as store:  # type: ignore[attr-defined]
            assert [(f.match_id, f.verdict, f.who) for f in store.feedback()] == [
                (match_id, "not-relevant", "web")
            ]
            exported = client.get("/feedback.jsonl")
            assert exported.headers["content-type"] == "application/x-ndjson"
            assert exported.headers["content-disposition"].startswith("attachment")
            assert exported.headers["x-content-type-options"] == "nosniff"
            lines = read_feedback(exported.text.splitlines())
            assert [j.verdicts for j in lines] == [{"rice": False}] and exported.text.isascii()
            client.post(f"/matches/{match_id}/feedback", data={"verdict": "undo", "csrf": token})
            assert store.feedback() == []
            dead = store.deliveries(status="dead")[0].delivery_id
            deliveries = client.get("/deliveries").text
            assert "topsecret-value-42" not in deliveries and "hook-secret-path" not in deliveries
            assert "json://•••" in deliveries and "refused by the test" in deliveries
            retried = client.post(f"/deliveries/{dead}/retry", data={"csrf": token})
            assert retried.status_code == 303
            assert dead not in {d.delivery_id for d in store.deliveries(status="dead")}
            # the daemon's first (silent, baseline) poll may store articles meanwhile: what
            # "try it" must never store is a match or a delivery
            before = _matches_and_deliveries(store)
            tried = client.post(
                "/topics/rice/try",
                data={"csrf": token, "mode": "text", "title": "Harga beras naik", "text": ""},
            )
            assert tried.status_code == 200 and "Would match" in tried.text
            assert "MATCH: score" in tried.text and "language:" in tried.text
            assert _matches_and_deliveries(store) == before
        stored = client.post("/topics/rice/try", data={"csrf": token, "mode": "stored"})
        assert re.search(r"\d+ of the \d+ newest stored articles would match", stored.text)


def test_topics_sources_healthz_metrics_and_feeds(daemon: Daemon) -> None:
    """The other pages render; /healthz is JSON; /metrics parses and counts the poll of the
    loopback feed; the Atom feeds parse, newest first, one topic each when asked."""
    with daemon.client() as client:
        topics = client.get("/topics").text
        assert "query:" in topics and "expanded terms" in topics and "<svg" in topics
        assert 'href="/feedback.jsonl"' in topics
        assert "<summary>Learned filter: off: not judged yet</summary>" in topics
        sources = client.get("/sources").text
        assert "asean-wire" in sources and "loop" in sources
        health = client.get("/healthz")
        assert health.status_code == 200
        assert health.json()["status"] == "ok" and health.json()["database"]["ok"] is True
        # a loopback dashboard answers to its own names only (DNS rebinding reads nothing)
        rebound = {"Host": "rebind.evil.example:8080"}
        assert client.get("/feedback.jsonl", headers=rebound).status_code == 400
        assert client.get("/healthz", headers={"Host": "localhost"}).status_code == 200
        families = _metrics_after_a_poll(client)
        for name in ("monitor_fetch_errors", "monitor_deliveries", "monitor_matches",
                     "monitor_new_articles", "monitor_stage_duration_seconds",
                     "monitor_scheduler_lag_seconds", "monitor_deliveries_pending"):  # fmt: skip
            assert name in families
        pending = families["monitor_deliveries_pending"].samples[0].value
        assert pending >= 1

        everything = feedparser.parse(client.get("/feeds/all.atom").content)
        assert not everything.bozo, everything.bozo_exception
        assert everything.feed.title == "news-monitor: all topics"
        entries = everything.entries
        assert len(entries) == 50
        assert entries[0].updated_parsed >= entries[-1].updated_parsed
        assert entries[0].title == "A link that is not http"  # the newest match
        # javascript: is never a link: the entry links to the page that starts with its match
        on_dashboard, _, anchor = entries[0].link.partition("#")
        assert on_dashboard.startswith("/?after=")  # root-relative: no Host in a feed
        shown = client.get(on_dashboard).text
        assert f'id="{anchor}"' in shown.split('<li class="match"')[1]
        hostile = next(e for e in entries if "pwned" in e.title)
        assert hostile.title == HOSTILE and hostile.link == "https://news.example/hostile"
        assert hostile.tags[0].term == "russia-asean"
        assert "Score 0.80" in hostile.summary and "Matched:" in hostile.summary
        rice = feedparser.parse(client.get("/feeds/rice.atom").content)
        assert not rice.bozo and {e.tags[0].term for e in rice.entries} == {"rice"}
        assert len(rice.entries) == 3
        assert client.get("/feeds/nope.atom").status_code == 404


def test_nodes_page(daemon: Daemon) -> None:
    """On PostgreSQL the running daemon lists itself among the nodes, alive, and every page
    links to it; on SQLite the page says one daemon runs at a time and nothing links to it."""
    url: str = daemon.database_url  # type: ignore[attr-defined]
    with daemon.client() as client:
        if url.startswith("sqlite"):
            answer = client.get("/nodes")
            assert answer.status_code == 200 and "one daemon at a time" in answer.text
            assert 'href="/nodes"' not in client.get("/sources").text
            return
        assert 'href="/nodes"' in client.get("/sources").text
        deadline = time.monotonic() + 60
        while f":{daemon.process.pid}:" not in (page := client.get("/nodes").text):
            assert time.monotonic() < deadline, page  # the first heartbeat is written at start
            time.sleep(0.1)
        assert re.search(r'status-ok">yes<', page) and " s ago" in page


def _metrics_after_a_poll(client: httpx.Client, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        response = client.get("/metrics")
        assert response.status_code == 200
        families = {f.name: f for f in text_string_to_metric_families(response.text)}
        polls = {s.labels.get("outcome"): s.value for s in families["monitor_polls"].samples
                 if s.name == "monitor_polls_total"}  # fmt: skip
        if polls.get("new"):
            assert families["monitor_items_seen"].samples[0].value == 2
            return families
        assert time.monotonic() < deadline, response.text
        time.sleep(0.1)


def test_token_protects_every_page(tmp_path: Path, sqlite_url: str) -> None:
    """On a non-loopback bind with a token: pages answer 401 with the login form, feeds and
    metrics a plain 401; the bearer header, the login cookie and ?token= on feeds let in;
    /healthz is open for probes."""
    config = write_config(
        tmp_path, sqlite_url, web='web: {listen: "0.0.0.0:0", token: "${TEST_WEB_TOKEN}"}'
    )
    secret = "a-long-test-token-0123456789"
    with running_daemon(config, env={"TEST_WEB_TOKEN": secret}) as daemon:
        url = daemon.url.replace("0.0.0.0", "127.0.0.1")
        with httpx.Client(base_url=url, timeout=30) as client:
            page = client.get("/topics")
            assert page.status_code == 401 and 'name="token"' in page.text
            assert 'name="next" value="/topics"' in page.text and "Topics</h1>" not in page.text
            assert client.get("/feeds/all.atom").status_code == 401
            assert client.get("/metrics").status_code == 401
            assert client.get("/healthz").status_code == 200
            # 0.0.0.0 is reached by names we cannot know: any Host, the token guards
            assert client.get("/healthz", headers={"Host": "nas.lan:8080"}).status_code == 200
            assert client.get("/feeds/all.atom", params={"token": secret}).status_code == 200
            assert client.get("/", params={"token": secret}).status_code == 401  # feeds only
            bearer = {"Authorization": f"Bearer {secret}"}
            assert client.get("/metrics", headers=bearer).status_code == 200
            assert client.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
            form = client.get("/login")
            csrf = client.cookies["monitor_csrf"]
            assert 'name="token"' in form.text and secret not in form.text
            wrong = client.post("/login", data={"csrf": csrf, "token": "nope", "next": "/topics"})
            assert wrong.status_code == 401
            ok = client.post("/login", data={"csrf": csrf, "token": secret, "next": "/topics"})
            assert ok.status_code == 303 and ok.headers["location"] == "/topics"
            assert secret not in ok.headers["set-cookie"]
            assert client.get("/topics").status_code == 200
            client.post("/logout", data={"csrf": csrf})
            assert client.get("/topics").status_code == 401
    log = daemon.log.read_text()
    assert secret not in log and "Traceback" not in log
    assert daemon.process.returncode == 0 and "stopped" in log  # SIGTERM stops web and all


def test_non_loopback_without_token_is_a_config_error(tmp_path: Path, sqlite_url: str) -> None:
    """``listen: 0.0.0.0:...`` with no token is refused, naming the key; ``off`` and loopback
    are fine; a malformed listen is refused."""
    config = write_config(tmp_path, sqlite_url, web='web: {listen: "0.0.0.0:8080"}')
    with pytest.raises(ConfigError, match="needs a token") as error:
        load_settings(config, {})
    assert error.value.key == "web.listen"
    assert load_settings(config, {"MONITOR_WEB_TOKEN": "t0ken-from-env-0123"}).web.token
    config = write_config(tmp_path, sqlite_url, web="web: {listen: off}")
    assert load_settings(config, {}).web.listen is None
    config = write_config(tmp_path, sqlite_url, web="")
    assert load_settings(config, {}).web == WebSettings()
    config = write_config(tmp_path, sqlite_url, web='web: {listen: "nowhere"}')
    with pytest.raises(ConfigError, match="host:port"):
        load_settings(config, {})
    config = write_config(tmp_path, sqlite_url, web="web: {base_url: 'ftp://x'}")
    with pytest.raises(ConfigError, match="base_url"):
        load_settings(config, {})


def test_explicit_listen_that_cannot_be_bound_stops_the_start(
    tmp_path: Path, sqlite_url: str
) -> None:
    """A ``web.listen`` written in the config and already taken: ``monitor run`` exits 1."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = write_config(tmp_path, sqlite_url, web=f'web: {{listen: "127.0.0.1:{port}"}}')
        done = subprocess.run(
            [sys.executable, "-m", "monitor", "--config", str(config), "run"],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "web.listen" in done.stderr


def test_a_second_run_on_a_sqlite_file_says_so_before_the_taken_port(
    tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second ``monitor run`` on a SQLite file whose daemon holds ``web.listen`` too exits 3
    with "another `monitor run`", not 1 with the port it cannot bind."""
    with socket.socket() as taken, single_node(sqlite_url):
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = write_config(tmp_path, sqlite_url, web=f'web: {{listen: "127.0.0.1:{port}"}}')
        code = main(["--config", str(config), "run"])
    err = capsys.readouterr().err
    expected = (3, True, False)
    assert expected == (code, "another `monitor run` is using" in err, "listen" in err)


def test_taken_default_port_warns_and_runs_on(caplog: pytest.LogCaptureFixture) -> None:
    """The default address taken (another daemon on this machine): a warning, no web side."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = taken.getsockname()
        with caplog.at_level(logging.WARNING, logger="monitor.web"):
            assert bind(WebSettings(listen=address, explicit=False)) is None
        assert "web side not started" in caplog.text
        with pytest.raises(ConfigError) as error:
            bind(WebSettings(listen=address, explicit=True))
        assert str(errno.EADDRINUSE) in str(error.value.__cause__.errno)  # type: ignore[union-attr]
    assert bind(WebSettings(listen=None)) is None


def test_daemon_runs_on_when_the_default_port_is_taken(tmp_path: Path, sqlite_url: str) -> None:
    """No ``web`` section and 127.0.0.1:8080 taken: ``monitor run`` warns, runs, stops with 0."""
    holder = socket.socket()
    try:
        holder.bind(("127.0.0.1", 8080))
        holder.listen()
    except OSError:
        holder.close()
        pytest.skip("127.0.0.1:8080 is held by another process (the bind() test covers this)")
    config = write_config(tmp_path, sqlite_url, web="")
    log = tmp_path / "daemon.log"
    with holder, open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--config", str(config), "run"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "MONITOR_LOG_LEVEL": "INFO"},
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 300
            while "daemon started" not in log.read_text():
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.05)
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=300) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert "web side not started: 127.0.0.1:8080 is taken" in log.read_text()


def _matches_and_deliveries(store: Store) -> tuple[list[int], list[str]]:
    """The ids of the stored matches and deliveries (not the articles: a poll may store some)."""
    matches = [m.match_id for m in store.matches(limit=100_000)]
    return matches, [d.delivery_id for d in store.deliveries(limit=100_000)]


def test_a_stop_gives_a_request_under_way_one_second() -> None:
    """The web side closes after the daemon's polls and sends had their 5 s: a request still
    answering (a slow dashboard page, a scrape) gets 1 s, then is cancelled (it got 3, and a
    stop took 11.5 s under load). Waited in virtual time, not wall time."""
    import asyncio

    from starlette.types import Receive, Scope, Send

    from monitor.web.server import WebServer
    from tests.virtualtime import VirtualTimeLoop

    async def scenario() -> float:
        entered = asyncio.Event()

        async def hanging(scope: Scope, receive: Receive, send: Send) -> None:
            entered.set()
            await asyncio.Event().wait()

        listening = socket.create_server(("127.0.0.1", 0))
        listening.setblocking(False)
        server = WebServer(hanging, listening)
        server.start()
        _reader, writer = await asyncio.open_connection(*server.address)
        writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        await asyncio.wait_for(entered.wait(), 60)  # bounds a failing test only
        loop = asyncio.get_running_loop()
        assert isinstance(loop, VirtualTimeLoop)
        loop.jump()
        stopping = loop.time()
        await server.stop()
        took = loop.time() - stopping
        writer.close()
        return took

    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        took = runner.run(scenario())
    assert 1.0 <= took < 1.5
