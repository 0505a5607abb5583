"""``monitor rematch`` and ``monitor explain --article``: stored articles matched again, on
their full stored text, on a SQLite file and on PostgreSQL (the ``database_url`` fixture)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.store import ArticlePage, NewArticle, SourceState, Store
from monitor.types import Item, Match, Validators

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
#: the feed's summary says nothing of drugs; the page's full text does
SUMMARY = "Local news from the port city."
FULL_TEXT = "Police seized 20 kg of drugs hidden in a shipping container, officers said."


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Iterator[tuple[str, str]]:
    """A config with one source and two topics over a store holding two articles."""
    (tmp_path / "watchlists").mkdir()
    (tmp_path / "watchlists" / "w.yaml").write_text(
        "topics:\n"
        "  - {id: drugs, name: Drugs, query: 'drugs AND police'}\n"
        "  - {id: storms, name: Storms, query: storm}\n",
        encoding="utf-8",
    )
    (tmp_path / "monitor.yaml").write_text(
        f"database: {database_url}\n"
        "web: {listen: off}\n"
        "sources:\n  - {id: port, feed: 'https://port.example/feed', language: en}\n"
        "channels:\n  desk: {urls: 'json://localhost/x'}\n",
        encoding="utf-8",
    )
    with Store.open(database_url) as store:
        articles = [stored("https://port.example/1", "Port report", FULL_TEXT),
                    stored("https://port.example/2", "Storm warning", None)]  # fmt: skip
        store.save_poll(source_state(), articles, T0)
    yield str(tmp_path / "monitor.yaml"), database_url


def stored(key: str, title: str, text: str | None) -> NewArticle:
    item = Item(key=key, url=key, guid=None, title=title, summary=SUMMARY)
    return NewArticle(item, "port", "Port", (), True, ArticlePage(text=text))


def source_state() -> SourceState:
    url = "https://port.example/feed"
    return SourceState("port", url, Validators(), T0, T0, T0, 0, None, 2, "ok", True)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def test_dry_run_prints_new_matches_and_stores_nothing(
    config: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """--dry-run lists what would match (the full text's drugs, the headline's storm)."""
    path, url = config
    code, out = run(capsys, "--config", path, "rematch", "--dry-run")
    with Store.open(url) as store:
        matches = len(list(store.matches()))
    expected = (0, True, True, "dry run: 2 new matches in 2 articles; nothing stored", 0)
    assert expected == (
        code,
        "drugs" in out,
        "storms" in out,
        out.strip().splitlines()[-1],
        matches,
    )


def test_rematch_stores_new_matches_once_without_notifying(
    config: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Matches are stored, no delivery queued; a second run adds nothing."""
    path, url = config
    first = run(capsys, "--config", path, "rematch", "--topic", "drugs")
    second = run(capsys, "--config", path, "rematch", "--topic", "drugs")
    with Store.open(url) as store:
        found = [(m.topic_id, m.article_key) for m in store.matches()]
        pending = store.queue_sizes()["deliveries_pending"]
    expected = (
        (0, "rematched 2 articles: 1 new matches stored, 0 deliveries queued\n"),
        (0, "rematched 2 articles: 0 new matches stored, 0 deliveries queued\n"),
        [("drugs", "https://port.example/1")],
        0,
    )
    assert expected == (first, second, found, pending)


def test_rematch_notify_queues_deliveries(
    config: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """--notify queues one pending delivery per channel for each new match."""
    path, url = config
    code, out = run(capsys, "--config", path, "rematch", "--notify")
    with Store.open(url) as store:
        pending = store.queue_sizes()["deliveries_pending"]
    expected = (0, "rematched 2 articles: 2 new matches stored, 2 deliveries queued\n", 2)
    assert expected == (code, out, pending)


def test_rematch_since_leaves_older_articles_alone(
    config: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """--since counts back from now: articles first seen in 2025 are older than 1 day."""
    path, _ = config
    expected = (0, "rematched 0 articles: 0 new matches stored, 0 deliveries queued\n")
    assert expected == run(capsys, "--config", path, "rematch", "--since", "1d")


def test_rematch_an_unknown_topic_is_a_usage_error(
    config: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown --topic exits 2 and names the defined topics."""
    path, _ = config
    code = main(["--config", path, "rematch", "--topic", "nope"])
    expected = (2, "unknown topic 'nope'; defined: drugs, storms\n")
    assert expected == (code, capsys.readouterr().err)


def test_explain_a_stored_article_scores_its_full_text(
    config: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """explain --article matches the page's stored full text, not the feed's summary."""
    path, _ = config
    code, out = run(capsys, "--config", path, "explain", "drugs", "--article", "1")
    expected = (0, True, False)
    assert expected == (
        code,
        "result:    MATCH" in out,
        "not satisfied" in out,
    )


def test_stored_articles_reads_in_batches(database_url: str) -> None:
    """stored_articles pages through every article, oldest first, with the full text."""
    with Store.open(database_url) as store:
        articles = [stored(f"https://port.example/{n}", f"T{n}", f"text {n}") for n in range(5)]
        store.save_poll(source_state(), articles, T0)
        found = [(a.document.title, a.document.text) for a in store.stored_articles(batch=2)]
        recent = list(store.stored_articles(since=T0 + timedelta(seconds=1)))
    expected: tuple[list[tuple[str, str]], list[object]] = (
        [(f"T{n}", f"text {n}") for n in range(5)],
        [],
    )
    assert expected == (found, recent)


def test_rematch_honours_a_sources_topics(
    config: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A source that lists its topics is matched against those only, as the pipeline does."""
    path, url = config
    text = Path(path).read_text(encoding="utf-8")
    Path(path).write_text(text.replace("language: en}", "language: en, topics: [storms]}"))
    code, out = run(capsys, "--config", path, "rematch")
    with Store.open(url) as store:
        found = sorted(m.topic_id for m in store.matches())
    expected = (0, "rematched 2 articles: 1 new matches stored, 0 deliveries queued\n", ["storms"])
    assert expected == (code, out, found)


def test_dry_run_skips_a_copy_of_a_story_already_matched(
    config: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Another outlet's copy of a story that already matched a topic is no new match, in a dry
    run as in a real run (the copy joins the story's match)."""
    path, url = config
    drugs = ((Match("drugs", 0.9), "Drugs", ("desk",)),)
    with Store.open(url) as store:
        first, copy = (
            replace(stored(f"https://wire.example/{n}", "Seizure", FULL_TEXT),
                    page=ArticlePage(text=FULL_TEXT, story_id="story-1"))
            for n in (1, 2)
        )  # fmt: skip
        store.save_poll(source_state(), [replace(first, matches=drugs), copy], T0)
    dry = run(capsys, "--config", path, "rematch", "--topic", "drugs", "--dry-run")
    real = run(capsys, "--config", path, "rematch", "--topic", "drugs")
    expected = (
        "dry run: 1 new matches in 4 articles; nothing stored",
        "rematched 4 articles: 1 new matches stored, 0 deliveries queued",
    )
    assert expected == (dry[1].strip().splitlines()[-1], real[1].strip())
