"""End to end on loopback: ``monitor once`` stores and alerts a feed's items, they grow old,
``monitor prune`` deletes them, and the feed, which still lists them, does not alert them again;
a new item is alerted as before. Also what ``monitor prune`` prints, its dry run and its usage
errors. On a SQLite file and on PostgreSQL (``database_url``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import select, text, update
from sqlmodel import col

from monitor.cli import main
from monitor.store import Store
from monitor.store._tables import ArticleRow, DeliveryRow, MatchRow
from tests.feedserver import FeedServer, running_feed_server
from tests.receivers import WebhookReceiver

WATCHLIST = """\
topics:
  - id: asean
    name: ASEAN security
    query: ASEAN AND (security OR keamanan)
    threshold: 0.1
"""
ITEMS = {
    "first": ("ASEAN security talks open", "/news/1"),
    "second": ("ASEAN security pact signed", "/news/2"),
    "third": ("ASEAN keamanan summit ends", "/news/3"),
}


def rss(feeds: FeedServer, names: list[str]) -> bytes:
    body = "".join(
        f"<item><title>{escape(ITEMS[name][0])}</title>"
        f"<link>{escape(feeds.url(ITEMS[name][1]))}</link>"
        f"<description>{escape(ITEMS[name][0])}.</description></item>"
        for name in names
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>Wire</title>"
        f"<link>https://wire.example/</link>{body}</channel></rss>"
    ).encode()


@dataclass
class World:
    feeds: FeedServer
    webhook: WebhookReceiver
    config: Path
    database_url: str

    def run(self, *args: str) -> int:
        return main(["--config", str(self.config), *args])

    def serve(self, *names: str) -> None:
        self.feeds.serve("/rss", rss(self.feeds, list(names)))

    def age(self, days: int) -> None:
        """Everything stored is ``days`` older (as if the daemon had run that long ago)."""
        shift = timedelta(days=days)
        with Store.open(self.database_url) as store, store._engine.begin() as connection:
            for table, column in (
                (ArticleRow, ArticleRow.first_seen), (MatchRow, MatchRow.created),
                (DeliveryRow, DeliveryRow.created),
            ):  # fmt: skip
                key = col(table.id)  # type: ignore[attr-defined]  # each of them has an id
                for row_id, when in connection.execute(select(key, col(column))).all():
                    change = update(table).where(key == row_id).values({column: when - shift})
                    connection.execute(change)

    def count(self, table: str) -> int:
        with Store.open(self.database_url) as store, store._engine.connect() as connection:
            return int(connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())


@pytest.fixture
def world(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with running_feed_server() as feeds, WebhookReceiver() as webhook:
        monkeypatch.setenv("TEST_WEBHOOK_URL", webhook.url)
        monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)
        (tmp_path / "watchlists").mkdir()
        (tmp_path / "watchlists" / "asean.yaml").write_text(WATCHLIST, encoding="utf-8")
        config = tmp_path / "monitor.yaml"
        config.write_text(
            f"""\
database: {database_url}
web: {{listen: off}}
watchlists: ["watchlists/*.yaml"]
http:
  user_agent: "news-monitor-tests/0.1 (+https://example.org/contact)"
  allow_private_networks: true  # the test feed is served on loopback
  per_host_interval: 0s
defaults: {{every: 10m, jitter: 0s}}
sources:
  - id: wire
    feed: {feeds.url("/rss")}
    follow: false
channels:
  webhook:
    urls: ["${{TEST_WEBHOOK_URL}}"]
""",
            encoding="utf-8",
        )
        yield World(feeds, webhook, config, database_url)


def alerted(world: World) -> list[str]:
    return [hook.json()["alert"]["title"] for hook in world.webhook.received]


def test_an_old_item_still_in_the_feed_is_not_alerted_again_after_a_prune(world: World) -> None:
    """Both items are pruned at 100 days; the feed lists them still and the next poll stores
    and alerts neither; a new item is alerted."""
    world.serve("first")
    assert world.run("once") == 0  # the baseline: stored, not alerted
    world.serve("first", "second")
    assert world.run("once") == 0
    assert alerted(world) == [ITEMS["second"][0]]

    world.age(days=100)
    assert world.run("prune", "--older-than", "30") == 0
    assert world.count("article") == 0

    world.serve("second", "first")  # the feed changed (not a 304), and lists both still
    assert world.run("once") == 0
    assert world.count("article") == 0 and alerted(world) == [ITEMS["second"][0]]
    world.serve("first", "second", "third")
    assert world.run("once") == 0
    assert alerted(world) == [ITEMS["second"][0], ITEMS["third"][0]]


def test_prune_prints_counts_a_dry_run_deletes_nothing_bad_days_are_usage_errors(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """The dry run prints what would go and leaves it; the prune prints the same and deletes;
    ``--older-than`` must be a whole number of days from 1 (exit 2, as every usage error)."""
    world.serve("first")
    assert world.run("once") == 0
    world.serve("first", "second")
    assert world.run("once") == 0
    world.age(days=100)
    capsys.readouterr()

    assert world.run("prune", "--older-than", "30", "--dry-run") == 0
    dry = capsys.readouterr().out
    assert world.count("article") == 2
    assert world.run("prune", "--older-than", "30") == 0
    done = capsys.readouterr().out
    assert world.count("article") == 0

    for out in (dry, done):
        lines = [line.split() for line in out.splitlines()]
        assert ["article", "2", "(0", "with", "page", "text)"] in lines
        assert ["match", "2"] in lines and ["delivery", "1"] in lines
    assert "would delete" in dry and "dry run: nothing deleted" in dry
    assert "deleted" in done and "dry run" not in done
    for bad in ("0", "2.5", "30d"):
        with pytest.raises(SystemExit) as exited:
            world.run("prune", "--older-than", bad)
        assert exited.value.code == 2
