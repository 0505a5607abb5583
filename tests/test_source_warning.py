"""A source's warning: what a poll that succeeded worked around (a listing page without article
links, items over ``limits.items_per_poll``, a feed served as HTML) is kept in its state, shown
by ``monitor sources`` (text and JSON) and on the dashboard's /sources page, and logged when it
appears, changes or clears.

Polls run through ``monitor once`` against a real loopback server, on SQLite and PostgreSQL; the
/sources page is read in process (ASGI), as ``tests/test_secrets.py`` reads every page.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from monitor.cli import main
from monitor.config import load_settings
from monitor.store import Store
from monitor.web.app import build_app
from monitor.web.context import WebContext
from monitor.web.metrics import PrometheusMetrics
from tests.feedserver import FeedServer, running_feed_server
from tests.test_end_to_end import rss

NO_LINKS = b"<html><head><title>World</title></head><body><p>Nothing yet</p></body></html>"
STORY = "<h2><a href='/world/2024/03/04/{slug}'>{title}</a></h2>"
NO_LINKS_WARNING = "no article links found"
#: the feed's own token, echoed in what the server sends: masked by value, not by its shape
TOKEN = "PlantedWarnToken77"
PASSWORD = "Planted-warn-pass-5150"
#: a Content-Type naming no XML type: feedparser reads the feed and quotes it in its warning
HOSTILE_TYPE = (
    'text/html; charset=utf-8; note="<b>bold</b> see http://reader:'
    f'{PASSWORD}@h.test/x?api_key=abc123"; echo={TOKEN}'
)
T = datetime(2024, 3, 4, 12, tzinfo=UTC)
FIVE = [(f"Story {n}", f"https://w.example/{n}", "text", T + timedelta(hours=n)) for n in range(5)]


def listing(*titles: str) -> bytes:
    stories = "".join(
        STORY.format(slug=title.lower().replace(" ", "-"), title=title) for title in titles
    )
    page = f"<html><head><title>World</title></head><body><main>{stories}</main></body></html>"
    return page.encode()


@dataclass
class World:
    feeds: FeedServer
    config: Path
    capsys: pytest.CaptureFixture[str]
    caplog: pytest.LogCaptureFixture

    def once(self) -> dict[str, str]:
        """Poll every source once; each source's outcome."""
        assert main(["--config", str(self.config), "once", "--json"]) == 0
        lines = self.capsys.readouterr().out.splitlines()
        return {r["source"]: r["outcome"] for r in map(json.loads, lines)}

    def sources_json(self) -> dict[str, dict]:
        assert main(["--config", str(self.config), "sources", "--json"]) == 0
        lines = self.capsys.readouterr().out.splitlines()
        return {r["source"]: r for r in map(json.loads, lines)}

    def sources_text(self) -> dict[str, str]:
        """``monitor sources`` as printed: its header and each source's line, by source id."""
        assert main(["--config", str(self.config), "sources"]) == 0
        lines = self.capsys.readouterr().out.splitlines()
        return {line.split(" ", 1)[0]: line for line in lines}

    def sources_page(self) -> str:
        return asyncio.run(_sources_page(self.config))

    def logged(self, level: int, text: str) -> list[str]:
        """The pipeline's log lines at ``level`` that contain ``text``."""
        return [
            r.getMessage()
            for r in self.caplog.records
            if r.name == "monitor.pipeline" and r.levelno == level and text in r.getMessage()
        ]


@pytest.fixture
def world(
    tmp_path: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> Iterator[World]:
    monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)
    caplog.set_level(logging.INFO, logger="monitor.pipeline")
    with running_feed_server() as feeds:
        config = tmp_path / "monitor.yaml"
        config.write_text(
            f"""\
database: {database_url}
web: {{listen: off}}
watchlists: []
http: {{user_agent: t, allow_private_networks: true, per_host_interval: 0s}}
defaults: {{jitter: 0s, follow: false}}
limits: {{items_per_poll: 2}}
sources:
  - {{id: section, listing: '{feeds.url("/world")}', respect_robots: false}}
  - {{id: wire, feed: '{feeds.url("/wire.xml")}'}}
  - {{id: as-html, feed: '{feeds.url("/as-html.xml")}?token={TOKEN}'}}
""",
            encoding="utf-8",
        )
        feeds.serve("/wire.xml", rss(FIVE[:1]))
        feeds.serve(f"/as-html.xml?token={TOKEN}", rss(FIVE[:1]))
        yield World(feeds, config, capsys, caplog)


async def _sources_page(config: Path) -> str:
    settings = load_settings(config, {})
    store = Store.open(settings.database_url)
    now = datetime.now(UTC)
    ctx = WebContext(store, lambda: settings, PrometheusMetrics(), lambda: None, lambda: now)
    transport = httpx.ASGITransport(app=build_app(ctx))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return (await client.get("/sources")).raise_for_status().text
    finally:
        store.close()


def _shown(warning: str) -> str:
    """The warning as the /sources page shows it beside the status (text escaped)."""
    return f'<span class="warning">— warning: <bdi>{warning}</bdi></span>'


def test_a_listing_without_article_links_says_so_until_it_has_some(world: World) -> None:
    """ "no article links found" is kept, printed, shown and logged once; a 304 and a poll with
    the same warning keep it without another line; once links appear it is cleared (INFO)."""
    world.feeds.serve("/world", NO_LINKS, content_type="text/html; charset=utf-8")
    assert world.once()["section"] == "new"
    shown = world.sources_json()["section"]
    assert (shown["status"], shown["warning"]) == ("ok", NO_LINKS_WARNING)
    assert world.sources_json()["wire"]["warning"] is None
    text = world.sources_text()
    assert "warning" in text["source"] and text["section"].endswith(NO_LINKS_WARNING)
    assert NO_LINKS_WARNING not in text["wire"]
    assert _shown(NO_LINKS_WARNING) in world.sources_page()
    assert world.logged(logging.WARNING, "source=section warning:") == [
        f"source=section warning: {NO_LINKS_WARNING}"
    ]

    assert world.once()["section"] == "not_modified"  # nothing read: the warning stays
    assert world.sources_json()["section"]["warning"] == NO_LINKS_WARNING
    world.feeds.serve("/world", NO_LINKS + b"<!-- edited -->", content_type="text/html")
    assert world.once()["section"] == "new"  # read again, the same warning: no second line
    assert world.sources_json()["section"]["warning"] == NO_LINKS_WARNING
    assert len(world.logged(logging.WARNING, "source=section warning:")) == 1

    world.feeds.serve("/world", listing("Rice prices climb again in Jakarta markets"),
                      content_type="text/html")  # fmt: skip
    assert world.once()["section"] == "new"
    assert world.sources_json()["section"]["warning"] is None
    assert NO_LINKS_WARNING not in world.sources_text()["section"]
    assert NO_LINKS_WARNING not in world.sources_page()
    assert world.logged(logging.INFO, "source=section warning cleared") == [
        f"source=section warning cleared (was: {NO_LINKS_WARNING})"
    ]


def test_items_over_the_cap_and_a_feed_served_as_html_are_warned_about(world: World) -> None:
    """A feed over ``items_per_poll`` says what it dropped; a warning quoting what the server
    sent is shown escaped, and a URL or token in it masked, in the command and on the page."""
    world.feeds.serve("/world", listing("Ferry service resumes after the storm"),
                      content_type="text/html")  # fmt: skip
    world.feeds.serve("/wire.xml", rss(FIVE))
    world.feeds.serve(f"/as-html.xml?token={TOKEN}", rss(FIVE[:1]), content_type=HOSTILE_TYPE)
    world.once()
    dropped = "dropped 3 older items over limits.items_per_poll"
    sources = world.sources_json()
    assert sources["wire"]["warning"] == dropped
    assert sources["section"]["warning"] is None
    warning = sources["as-html"]["warning"]
    assert warning == (
        'text/html; charset=utf-8; note="<b>bold</b> see http://***@h.test/x?api_key=***";'
        " echo=*** is not an XML media type"
    )
    page = world.sources_page()
    assert _shown(dropped) in page
    assert _shown(warning.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")) in page
    assert "<b>bold</b>" not in page
    everything = "\n".join([page, *world.sources_text().values(), world.caplog.text])
    assert PASSWORD not in everything and TOKEN not in everything
    assert world.logged(logging.WARNING, "source=wire warning:") == [
        f"source=wire warning: {dropped}"
    ]
