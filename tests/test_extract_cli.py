"""``monitor extract``: JSON Lines in input order, errors per input, the pool for many files,
URLs fetched with the named config's network allowances."""

from __future__ import annotations

import json
from ipaddress import ip_network
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.cli.extract import allowed_networks
from monitor.config import SourceSettings
from tests.feedserver import running_feed_server
from tests.pages import SEED_TITLE, seed_page

ARTICLES = Path(__file__).parent / "data" / "articles"
FIELDS = {"input", "title", "text", "published", "language", "canonical_url", "author",
          "date_source"}  # fmt: skip


def test_json_lines_in_input_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One object per input, in order; a missing file is an error object and exit code 1."""
    seed = tmp_path / "seed.html"
    seed.write_bytes(seed_page())
    vn = ARTICLES / "fundus__VnExpress_2025_10_22.html.gz"
    code = main(["extract", "--json", str(seed), str(tmp_path / "missing.html"), str(vn)])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1
    assert [line["input"] for line in lines] == [str(seed), str(tmp_path / "missing.html"), str(vn)]
    assert set(lines[0]) == FIELDS
    assert lines[0]["title"] == SEED_TITLE
    assert (lines[0]["published"], lines[0]["date_source"]) == ("2021-12-07T13:33:00Z", "text")
    assert lines[1]["error"].startswith("cannot read")
    assert lines[2]["language"] == "vi"


def test_many_files_through_the_pool(capsys: pytest.CaptureFixture[str]) -> None:
    """Many files go through worker processes and still come out in input order."""
    files = sorted(str(path) for path in ARTICLES.glob("*.html.gz"))[:8]
    assert main(["extract", "--json", "--workers", "2", *files]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["input"] for line in lines] == files
    assert all(line["title"] and line["text"] for line in lines)


@pytest.mark.parametrize(
    "http",
    [
        "http: {allow_private_networks: true}",
        "sources:\n  - {id: intranet, feed: 'http://127.0.0.1/feed.xml', "
        "allow_networks: [127.0.0.1/32]}",
    ],
    ids=["allow_private_networks", "allow_networks"],
)
def test_urls_are_fetched_with_the_named_configs_network_allowances(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    http: str,
) -> None:
    """Without a config a loopback page is refused (public addresses only); the config that
    ``--config`` names lets it be reached as the daemon would (it was accepted and ignored)."""
    monkeypatch.delenv("MONITOR_CONFIG", raising=False)
    config = tmp_path / "monitor.yaml"
    config.write_text(
        f"database: sqlite:///{tmp_path}/monitor.db\nwatchlists: []\n{http}\n", encoding="utf-8"
    )
    with running_feed_server() as server:
        url = server.serve("/intranet/page.html", seed_page(), content_type="text/html")
        assert main(["extract", "--json", url]) == 1
        [refused] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert refused["error"].startswith("blocked: "), refused
        assert main(["extract", "--json", "--config", str(config), url]) == 0
        [line] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert line["title"] == SEED_TITLE


def test_a_sources_allow_networks_admit_only_urls_on_its_host(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source's ``allow_networks`` is its own exemption: a loopback page on another host than
    the source's is refused, as the daemon would never fetch it for that source (every
    source's networks were admitted for every URL)."""
    monkeypatch.delenv("MONITOR_CONFIG", raising=False)
    config = tmp_path / "monitor.yaml"
    config.write_text(
        f"database: sqlite:///{tmp_path}/monitor.db\nwatchlists: []\n"
        "sources:\n  - {id: intranet, feed: 'http://intranet.example/feed.xml', "
        "allow_networks: [127.0.0.1/32]}\n",
        encoding="utf-8",
    )
    with running_feed_server() as server:
        url = server.serve("/intranet/page.html", seed_page(), content_type="text/html")
        assert main(["extract", "--json", "--config", str(config), url]) == 1
        [refused] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert refused["error"].startswith("blocked: "), refused


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://intra.example:8080/a/page.html", ["10.0.0.0/8", "10.1.0.0/16"]),
        ("https://INTRA.example/other", ["10.0.0.0/8", "10.1.0.0/16"]),
        ("http://wiki.intra.example/page", ["192.168.0.0/16"]),
        ("http://elsewhere.example/page", []),
        ("http://[::1/page", []),
    ],
)
def test_allowed_networks_are_those_of_the_urls_sources(url: str, expected: list[str]) -> None:
    """The networks of every source on the URL's host (any port, any scheme), once each."""
    sources = [
        SourceSettings("a", "a", "feed", "http://intra.example/rss", 60.0, 0.0,
                       allow_networks=(ip_network("10.0.0.0/8"), ip_network("10.1.0.0/16"))),
        SourceSettings("b", "b", "listing", "https://intra.example/news", 60.0, 0.0,
                       allow_networks=(ip_network("10.0.0.0/8"),)),
        SourceSettings("c", "c", "feed", "http://wiki.intra.example/rss", 60.0, 0.0,
                       allow_networks=(ip_network("192.168.0.0/16"),)),
        SourceSettings("d", "d", "feed", "http://public.example/rss", 60.0, 0.0),
    ]  # fmt: skip
    assert expected == [str(n) for n in allowed_networks(url, sources)]


def test_a_named_config_that_does_not_load_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--config`` naming a missing file is said, not ignored (exit 1)."""
    missing = tmp_path / "missing.yaml"
    assert main(["extract", "--config", str(missing), "http://127.0.0.1:9/page"]) == 1
    assert "config error" in capsys.readouterr().err
