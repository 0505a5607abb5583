"""End to end on loopback: real feeds served over HTTP -> `monitor once` / `monitor run` ->
a real webhook receiver (apprise json://) and a real SMTP server (aiosmtpd).

Runs on a SQLite file and on PostgreSQL (``database_url``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from monitor.cli import main
from monitor.store import Store
from tests.feedserver import FeedServer, Route, running_feed_server
from tests.receivers import SmtpReceiver, WebhookReceiver

DATA = Path(__file__).parent / "data"
SEED = (DATA / "seed" / "republika-2021-12-07-rusia-asean.txt").read_text(encoding="utf-8")
SEED_TITLE = "Rusia-ASEAN Perbarui Kerja Sama Pemberantasan Terorisme"
SEED_URL = (
    "https://www.republika.co.id/berita/r3rzq4382/"
    "rusiaasean-perbarui-kerja-sama-pemberantasan-terorisme"
)
GUARDIAN = (DATA / "feeds" / "rss-parser__theguardian.com_us_rss.xml").read_bytes()

WATCHLIST = """\
topics:
  - id: russia-asean-security
    name: Russia–ASEAN security ties
    query: >
      (Russia OR Rusia OR Moscow OR Moskow OR Kremlin OR Putin)
      AND (ASEAN OR "Southeast Asia" OR "Asia Tenggara" OR Indonesia OR Vietnam)
      AND (security OR keamanan OR terror* OR teroris* OR defence OR pertahanan)
    threshold: 0.4
    examples:
      match: ["Rusia-ASEAN Perbarui Kerja Sama Pemberantasan Terorisme"]
      no_match: ["Russia beat Vietnam 3-0 in a friendly"]
"""


def rss(items: list[tuple[str, str, str, datetime]], language: str | None = "id") -> bytes:
    """An RSS 2.0 feed in the shape Republika publishes (``language``: its ``<language>``)."""
    body = "".join(
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
        f"<guid isPermaLink='false'>{escape(link)}</guid>"
        f"<description>{escape(text)}</description>"
        f"<pubDate>{format_datetime(when)}</pubDate></item>"
        for title, link, text, when in items
    )
    return (
        f"<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
        f"<title>Republika Online RSS Feed</title><link>https://www.republika.co.id/</link>"
        f"{f'<language>{language}</language>' if language else ''}{body}</channel></rss>"
    ).encode()


SEED_PUBLISHED = datetime(2021, 12, 7, 13, 33, tzinfo=UTC)
OTHER_ITEMS = [
    (
        "Harga cabai rawit naik menjelang Natal",
        "https://www.republika.co.id/berita/a1/harga-cabai",
        "Harga cabai rawit di pasar tradisional Jakarta naik tajam.",
        SEED_PUBLISHED,
    ),
    (
        "Timnas Indonesia tahan imbang Vietnam",
        "https://www.republika.co.id/berita/a2/timnas",
        "Pertandingan Piala AFF berakhir imbang tanpa gol.",
        SEED_PUBLISHED,
    ),
]
SEED_ITEM = (SEED_TITLE, SEED_URL + "?utm_source=rss&utm_medium=feed", SEED, SEED_PUBLISHED)


@dataclass
class World:
    feeds: FeedServer
    webhook: WebhookReceiver
    smtp: SmtpReceiver
    config: Path
    database_url: str

    def once(self, *args: str) -> int:
        return main(["--config", str(self.config), "once", *args])

    def store(self) -> Store:
        return Store.open(self.database_url)


def write_config(
    tmp: Path,
    feeds: FeedServer,
    webhook: WebhookReceiver,
    smtp: SmtpReceiver,
    database_url: str,
    every: str = "10m",
) -> Path:
    (tmp / "watchlists").mkdir()
    (tmp / "watchlists" / "asean.yaml").write_text(WATCHLIST, encoding="utf-8")
    config = tmp / "monitor.yaml"
    config.write_text(
        f"""\
database: {database_url}
timezone: Asia/Jakarta
watchlists: ["watchlists/*.yaml"]
http:
  user_agent: "news-monitor-tests/0.1 (+https://example.org/contact)"
  timeout: 10s
  allow_private_networks: true  # the test feeds are served on loopback
  per_host_interval: 0s
defaults:
  every: {every}
  jitter: 0s
  follow: false  # these feeds link to real sites: never fetched from a test
delivery:
  every: 30s
sources:
  - id: guardian
    name: The Guardian (US)
    feed: {feeds.url("/guardian.xml")}
  - id: republika
    name: Republika
    feed: {feeds.url("/republika.xml")}
    language: id
channels:
  webhook:
    urls: ["${{TEST_WEBHOOK_URL}}"]
    format: markdown
  email:
    urls: ["${{TEST_SMTP_URL}}"]
    format: html
web:
  listen: "off"  # test daemons never take (or wait on) the default port
""",
        encoding="utf-8",
    )
    return config


@pytest.fixture
def world(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with running_feed_server() as feeds, WebhookReceiver() as webhook, SmtpReceiver() as smtp:
        feeds.serve("/guardian.xml", GUARDIAN)
        feeds.serve("/republika.xml", rss(OTHER_ITEMS))
        monkeypatch.setenv("TEST_WEBHOOK_URL", webhook.url)
        monkeypatch.setenv("TEST_SMTP_URL", smtp.apprise_url)
        monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)
        config = write_config(tmp_path, feeds, webhook, smtp, database_url)
        yield World(feeds, webhook, smtp, config, database_url)


def test_first_poll_is_a_silent_baseline(world: World) -> None:
    """The first cycle stores what the feeds hold and notifies nothing."""
    assert world.once() == 0
    store = world.store()
    try:
        states = {s.source_id: s for s in store.source_states()}
        assert states["republika"].items_seen == 2
        assert states["guardian"].items_seen > 10
    finally:
        store.close()
    assert world.webhook.received == [] and world.smtp.messages == []


def test_new_indonesian_item_is_matched_and_delivered_once(world: World) -> None:
    """A new item carrying the seed article reaches the webhook and the mailbox exactly once."""
    assert world.once() == 0
    world.feeds.serve("/republika.xml", rss([SEED_ITEM, *OTHER_ITEMS]))
    assert world.once() == 0

    [hook] = world.webhook.wait_for(1)
    [mail] = world.smtp.wait_for(1)
    payload = hook.json()
    assert SEED_TITLE in payload["title"] + payload["message"]
    assert "russia-asean-security" in payload["message"] or "Russia–ASEAN" in payload["message"]
    alert = payload["alert"]  # the structured fields, from the stored match
    assert alert["source"] == {"id": "republika", "name": "Republika"}
    assert alert["topic"]["id"] == "russia-asean-security" and isinstance(alert["match_id"], int)
    assert alert["url"].startswith(SEED_URL) and alert["published"] == "2021-12-07T13:33:00Z"
    assert SEED_TITLE in mail.message["Subject"] + mail.text()
    assert "2021-12-07 13:33 UTC" in mail.text() and "20:33" in mail.text()

    store = world.store()
    try:
        [match] = store.matches(topic="russia-asean-security")
        assert match.article_key == SEED_URL  # tracking parameters stripped: the canonical identity
        assert {"Rusia", "ASEAN"} <= {h.matched for h in match.hits} | {h.term for h in match.hits}
    finally:
        store.close()

    assert world.once() == 0  # nothing new: nothing more is sent
    assert len(world.webhook.received) == 1 and len(world.smtp.messages) == 1


def test_an_item_known_only_from_its_listing_is_read_in_its_language(world: World) -> None:
    """Neither the feed nor the source names a language and the item is not followed: its
    headline and summary tell it when they say enough, else it stays unknown (every form
    counts), as it was for every such item before."""
    malay = (
        "Polis tahan tiga lelaki disyaki terlibat sindiket dadah di Johor Bahru",
        "https://www.example.my/berita/polis-tahan-tiga-lelaki",
        "Ketua Polis Daerah berkata ketiga-tiga suspek ditahan dalam serbuan di sebuah rumah "
        "kediaman malam tadi selepas polis menerima maklumat orang awam.",
        SEED_PUBLISHED,
    )
    terse = ("Breaking", "https://www.example.my/berita/breaking", "", SEED_PUBLISHED)
    world.feeds.serve("/guardian.xml", rss([malay, terse], language=None))
    assert world.once() == 0
    store = world.store()
    try:
        assert (known := store.article(malay[1])) is not None and known.lang == "ms"
        assert (unknown := store.article(terse[1])) is not None and unknown.lang is None
    finally:
        store.close()


def test_webhook_and_matches_json_show_the_same_hits(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """The webhook's hits and ``monitor matches --json``'s are the same objects: ``form`` is
    null where the term as written fired (the README's form), in both."""
    assert world.once() == 0
    world.feeds.serve("/republika.xml", rss([SEED_ITEM, *OTHER_ITEMS]))
    assert world.once() == 0
    [hook] = world.webhook.wait_for(1)
    capsys.readouterr()
    assert main(["--config", str(world.config), "matches", "--json"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    listed = [{k: v for k, v in h.items() if k != "count"} for h in json.loads(line)["hits"]]
    assert listed == hook.json()["alert"]["hits"]
    assert None in [h["form"] for h in listed] and "" not in [h["form"] for h in listed]


def test_same_story_on_two_sources_is_delivered_once(world: World) -> None:
    """The seed article in two feeds, with other tracking parameters: one article, one alert."""
    world.config.write_text(
        world.config.read_text().replace(
            "channels:",
            f"""\
  - id: antara
    name: ANTARA
    feed: {world.feeds.url("/antara.xml")}
channels:""",
            1,
        )
    )
    world.feeds.serve("/antara.xml", rss(OTHER_ITEMS[:1]))
    assert world.once() == 0
    copy = (SEED_TITLE, SEED_URL + "?utm_campaign=x&fbclid=abc#top", SEED, SEED_PUBLISHED)
    world.feeds.serve("/republika.xml", rss([SEED_ITEM, *OTHER_ITEMS]))
    world.feeds.serve("/antara.xml", rss([copy, *OTHER_ITEMS[:1]]))
    assert world.once() == 0
    assert len(world.webhook.received) == 1 and len(world.smtp.messages) == 1


def test_backfill_notifies_recent_items_on_first_poll(world: World) -> None:
    """With ``backfill: 24h`` the first poll notifies items of the last day, not older ones."""
    recent = datetime.now(UTC) - timedelta(hours=2)
    world.feeds.serve(
        "/republika.xml",
        rss(
            [
                (SEED_TITLE, SEED_URL, SEED, recent),
                (SEED_TITLE + " (arsip)", SEED_URL + "-arsip", SEED, recent - timedelta(days=3)),
            ]
        ),
    )
    text = world.config.read_text().replace(
        "    language: id\n", "    language: id\n    backfill: 24h\n"
    )
    world.config.write_text(text)
    assert world.once("--source", "republika") == 0
    assert len(world.webhook.wait_for(1)) == 1
    assert len(world.webhook.received) == 1


def test_failing_channel_keeps_the_delivery_pending(world: World) -> None:
    """A webhook answering 500 leaves its delivery pending; the email still goes out."""
    assert world.once() == 0
    world.webhook.reply(500)
    world.feeds.serve("/republika.xml", rss([SEED_ITEM, *OTHER_ITEMS]))
    assert world.once() == 0
    assert len(world.smtp.wait_for(1)) == 1
    store = world.store()
    try:
        pending = store.deliveries("pending")
        assert [p.channel for p in pending] == ["webhook"]
    finally:
        store.close()


def test_failing_source_is_reported_not_fatal(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """A source answering 500 shows in the summary; the run still exits 0."""
    world.feeds.route("/guardian.xml", Route(status=500))
    assert world.once() == 0
    out = capsys.readouterr().out
    assert "guardian" in out and "HTTP 500" in out


@pytest.mark.slow
def test_daemon_delivers_reloads_and_stops_cleanly(world: World) -> None:
    """`monitor run`: a new item arrives by the next poll (``MONITOR_POLL_EVERY=1s``: no test
    waits a real minute); SIGHUP reloads a good edit and keeps the last good config on a broken
    one; an edited file is reloaded without a signal (checked at that 1 s pace, not every
    15 s); SIGTERM stops it cleanly (exit 0).

    The deadlines below only bound a failing run; a passing one never waits on them."""
    log_path = world.config.parent / "daemon.log"
    daemon = _start_daemon(world, log_path, MONITOR_POLL_EVERY="1s")
    try:
        _wait_for_requests(world.feeds, "/republika.xml", 1, timeout=120)
        _wait_for_requests(world.feeds, "/guardian.xml", 1, timeout=120)
        world.feeds.serve("/republika.xml", rss([SEED_ITEM, *OTHER_ITEMS]))
        world.webhook.wait_for(1, timeout=120)

        watchlist = world.config.parent / "watchlists" / "asean.yaml"
        watchlist.write_text(WATCHLIST.replace("threshold: 0.4", "threshold: 7"))
        daemon.send_signal(signal.SIGHUP)
        _wait_for_log(log_path, "keeping the last good config")
        assert "asean.yaml" in log_path.read_text() and "threshold" in log_path.read_text()
        watchlist.write_text(WATCHLIST.replace("threshold: 0.4", "threshold: 0.5"))
        daemon.send_signal(signal.SIGHUP)
        _wait_for_log(log_path, "config reloaded (SIGHUP)")
        watchlist.write_text(WATCHLIST.replace("threshold: 0.4", "threshold: 0.45"))
        _wait_for_log(log_path, "config reloaded (file change)")

        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=120)
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
    output = log_path.read_text()
    assert daemon.returncode == 0, output
    assert "stopped" in output and "Traceback" not in output
    assert len(world.smtp.wait_for(1)) == 1
    store = world.store()
    try:
        assert store.deliveries("pending") == []
    finally:
        store.close()


def _start_daemon(world: World, log_path: Path, **env: str) -> subprocess.Popen[str]:
    """``monitor run`` on the world's config, logging at INFO to ``log_path``."""
    with open(log_path, "w") as log_file:
        return subprocess.Popen(
            [sys.executable, "-m", "monitor", "--config", str(world.config), "run"],
            env={**os.environ, "MONITOR_LOG_LEVEL": "INFO", **env},
            stdout=log_file,
            stderr=subprocess.STDOUT,
            text=True,
        )


def _wait_for_log(path: Path, text: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while text not in path.read_text():
        assert time.monotonic() < deadline, f"{text!r} not logged in {timeout}s"
        time.sleep(0.1)


def _wait_for_requests(feeds: FeedServer, path: str, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(feeds.requests_to(path)) < count:
        assert time.monotonic() < deadline, f"no request to {path} in {timeout}s"
        time.sleep(0.1)


@pytest.mark.slow
def test_stop_with_a_fetch_in_flight_is_clean(world: World) -> None:
    """SIGTERM while a feed is still being fetched (the server holds its answer for minutes):
    the daemon cancels the poll instead of waiting for it, exits 0, and logs no ERROR and no
    traceback. (How long the exit takes is the machine's speed; that it does not wait for the
    fetch is the behaviour: it ends long before the answer would come.)"""
    world.feeds.serve("/guardian.xml", GUARDIAN, delay=600)
    log_path = world.config.parent / "daemon.log"
    daemon = _start_daemon(world, log_path)
    try:
        _wait_for_requests(
            world.feeds, "/guardian.xml", 1, timeout=300
        )  # a hang guard: a loaded machine starts slowly
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=300)
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
    output = log_path.read_text()
    assert daemon.returncode == 0, output
    assert "stopped" in output and "poll cancelled by the stop" in output, output
    assert " ERROR " not in output and "Traceback" not in output and "CancelledError" not in output
