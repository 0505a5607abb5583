"""The command line as a user meets it: options anywhere, usage errors instead of tracebacks,
JSON on every listing, exit codes a cron job can read, logs, completion and OPML.

Commands run in-process through ``main`` where output is enough, and as real processes where
the process itself is the point (a closed pipe, the start-up imports).
"""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.opml import read_opml, to_sources_yaml
from monitor.store import Store
from tests.feedserver import FeedServer, Route, running_feed_server
from tests.test_store import PLACING, T0, _copy_of, article, state
from tests.test_story import COPY, SEED_TEXT

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>Hello</title><link>https://example.org/a</link><guid>a</guid></item>
</channel></rss>"""


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with running_feed_server() as server:
        yield server


def write_config(tmp: Path, feeds: FeedServer, channel_url: str = "${UNSET_ALERT_URL:-}") -> Path:
    config = tmp / "monitor.yaml"
    config.write_text(
        f"""\
database: sqlite:///{tmp}/monitor.db
web: {{listen: off}}
watchlists: []
http:
  allow_private_networks: true
  per_host_interval: 0s
defaults:
  jitter: 0s
  follow: false
sources:
  - id: first
    name: First "feed" & co
    feed: {feeds.url("/first.xml")}
  - id: second
    feed: {feeds.url("/second.xml")}?token=s3cr3t-value
channels:
  analysts:
    urls: ["{channel_url}"]
""",
        encoding="utf-8",
    )
    return config


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("monitor ")


def test_global_options_work_after_the_command(
    tmp_path: Path, feeds: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, feeds)
    assert main(["check", "--config", str(config), "--log-level", "warning"]) == 0
    assert "ok: 2 sources" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["matches", "--since", "2 hours"], "not a duration: '2 hours'"),
        (["check", "--log-level", "verbose"], "invalid choice: 'VERBOSE'"),
        (["check", "--log-format", "xml"], "invalid choice: 'xml'"),
        (["nonsense"], "invalid choice: 'nonsense'"),
        (["explain", "t", "--lang", "indonesian"], "knows: 'indonesian' (write 'id')"),
        (["explain", "t", "--lang", "zz"], "knows: 'zz' (use ISO 639-1 such as 'id', 'ru')"),
        (["extract", "x.html", "--language", "eng"], "knows: 'eng' (write 'en')"),
    ],
)
def test_bad_values_are_usage_errors(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_closed_pipe_ends_quietly() -> None:
    """`monitor completion bash | head -1`: the reader leaves early; no traceback."""
    shell = subprocess.run(
        f"{sys.executable} -m monitor completion bash | head -1",
        shell=True, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert shell.stdout.strip(), shell.stderr
    assert "Traceback" not in shell.stderr and "BrokenPipe" not in shell.stderr


def test_help_is_for_users(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "News monitor" in out and "composition root" not in out


def test_once_json_and_exit_code_when_every_source_fails(
    tmp_path: Path, feeds: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, feeds)
    feeds.route("/first.xml", Route(status=500))
    feeds.route("/second.xml", Route(status=404))
    assert main(["once", "--config", str(config), "--json"]) == 4
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["source"], r["outcome"]) for r in lines] == [
        ("first", "failed"),
        ("second", "failed"),
    ]
    feeds.serve("/first.xml", RSS)
    assert main(["once", "--config", str(config)]) == 0  # one source answered


def test_listings_as_json(
    tmp_path: Path, feeds: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, feeds)
    feeds.serve("/first.xml", RSS)
    feeds.route("/second.xml", Route(status=500))
    main(["once", "--config", str(config)])
    capsys.readouterr()
    assert main(["sources", "--config", str(config), "--json"]) == 0
    sources = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(s["source"], s["status"], s["items"]) for s in sources] == [
        ("first", "ok", 1),
        ("second", "failing", 0),
    ]
    assert "HTTP 404" in sources[1]["last_error"]  # the route has no query string
    assert main(["deliveries", "--config", str(config), "--json"]) == 0
    assert capsys.readouterr().out == ""


def test_deliveries_count_the_attempt_that_went_through(
    tmp_path: Path, feeds: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A delivery sent at its second try shows 2 tries (the stored count holds the failed ones
    only: it showed 0 for every delivery sent at once); a pending one shows its failures."""
    config = write_config(tmp_path, feeds)
    with Store.open(f"sqlite:///{tmp_path}/monitor.db") as store:
        topics = (("asean", ("analysts",)),)
        store.save_poll(state(), [article("https://a.example/1", topics=topics)], T0)
        store.save_poll(state(), [article("https://a.example/2", topics=topics)], T0)
        first, second = store.channel_queue("analysts", T0)
        later = T0 + timedelta(minutes=5)
        store.mark_attempt_failed([first.delivery_id, second.delivery_id], "503", later, T0)
        store.mark_sent(first.delivery_id, later)
    assert main(["deliveries", "--config", str(config), "--json"]) == 0
    found = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted((d["status"], d["attempts"]) for d in found) == [("pending", 1), ("sent", 2)]
    assert main(["deliveries", "--config", str(config), "--status", "sent"]) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert row[header.index("tries") :].split()[0] == "2"


def test_matches_json_names_the_other_outlets(
    tmp_path: Path, feeds: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """`also_in`: the other sources of the match's story, as the dashboard and Atom list them."""
    config = write_config(tmp_path, feeds)
    with Store.open(f"sqlite:///{tmp_path}/monitor.db") as store:
        original = _copy_of("https://a.example/orig", "src-a", SEED_TEXT)
        store.save_poll(state("src-a"), [original], T0, PLACING)
        copy = _copy_of("https://b.example/copy", "src-b", COPY)
        store.save_poll(state("src-b"), [copy], T0, PLACING)
        store.save_poll(state(), [article("https://a.example/alone")], T0)
    assert main(["matches", "--config", str(config), "--json"]) == 0
    found = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {m["url"]: m["also_in"] for m in found} == {
        "https://a.example/orig": ["Source src-b"],
        "https://a.example/alone": [],
    }


def test_no_enabled_channel_is_said_at_start(
    tmp_path: Path,
    feeds: FeedServer,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = write_config(tmp_path, feeds)
    feeds.serve("/first.xml", RSS)
    feeds.serve("/second.xml", RSS)
    main(["once", "--config", str(config)])
    assert "no channel is enabled (analysts)" in caplog.text
    assert main(["notify-test", "analysts", "--config", str(config)]) == 2
    assert "is disabled: no URL is set" in capsys.readouterr().err


def test_json_logs(tmp_path: Path, feeds: FeedServer) -> None:
    config = write_config(tmp_path, feeds)
    feeds.route("/first.xml", Route(status=500))
    feeds.route("/second.xml", Route(status=500))
    result = run("once", "--config", str(config), "--log-format", "json")
    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert records and all({"time", "level", "logger", "message"} <= set(r) for r in records)
    assert all(r["time"].endswith("Z") for r in records)
    assert "s3cr3t-value" not in result.stderr


def test_completion_scripts_come_from_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", "bash"]) == 0
    script = capsys.readouterr().out
    assert "import-opml" in script and "--log-format" in script


def test_opml_export_then_import(
    tmp_path: Path, feeds: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sources go out as OPML (credentials masked) and come back as a sources section."""
    config = write_config(tmp_path, feeds)
    assert main(["sources", "--config", str(config), "--opml"]) == 0
    exported = capsys.readouterr().out
    assert "s3cr3t-value" not in exported
    subscriptions = read_opml(exported.encode())
    assert [s.name for s in subscriptions] == ['First "feed" & co', "second"]
    opml_file = tmp_path / "subs.opml"
    opml_file.write_text(exported, encoding="utf-8")
    assert main(["import-opml", str(opml_file)]) == 0
    pasted = capsys.readouterr().out
    assert "id: first-feed-co" in pasted and f"feed: {feeds.url('/first.xml')}" in pasted


def test_opml_from_a_feed_reader_with_folders() -> None:
    opml = b"""<?xml version="1.0"?><opml version="1.0"><body>
      <outline text="News"><outline text="Antara" type="rss" xmlUrl="https://antara.example/rss"/>
      <outline title="Antara" xmlUrl="https://antara.example/rss2"/></outline>
      <outline text="no feed" htmlUrl="https://example.org/"/>
      <outline text="bad" xmlUrl="javascript:alert(1)"/></body></opml>"""
    yaml_text = to_sources_yaml(read_opml(opml))
    assert "id: antara\n" in yaml_text and "id: antara-2\n" in yaml_text
    assert "javascript" not in yaml_text


@pytest.mark.parametrize(
    "data",
    [b"not xml", b"<html/>", b'<!DOCTYPE x [<!ENTITY a "b">]><opml>&a;</opml>'],
)
def test_opml_that_is_not_opml_is_a_clear_error(data: bytes) -> None:
    from monitor.errors import ConfigError

    with pytest.raises(ConfigError, match="not an OPML file"):
        read_opml(data)


def test_matches_as_json_lines_newest_first(
    tmp_path: Path, feeds: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """``monitor matches --json`` prints one line per match, newest first, read page by page
    (the lines and their fields are those it printed when it read every match at once)."""
    from monitor.store import Store
    from tests.test_store import T0, article, state

    config = write_config(tmp_path, feeds)
    with Store.open(f"sqlite:///{tmp_path}/monitor.db") as store:
        store.save_poll(state(), [article("https://a.example/1")], T0)
        store.save_poll(state(), [article("https://a.example/2")], T0 + timedelta(hours=1))
    assert main(["matches", "--config", str(config), "--json", "--limit", "1000000"]) == 0
    hit = {"term": "ASEAN", "field": "title", "position": 2, "matched": "ASEAN", "weight": 0.0}
    hit["form"] = None
    expected = [
        {
            "id": number,
            "topic": "asean",
            "score": 0.75,
            "title": f"Title of {url}",
            "url": url,
            "source": "src-a",
            "also_in": [],
            "published": "2025-03-01T12:00:00Z",
            "matched_at": when,
            "terms": ["ASEAN"],
            "hits": [hit],
        }
        for number, url, when in (
            (2, "https://a.example/2", "2025-03-01T13:00:00Z"),
            (1, "https://a.example/1", "2025-03-01T12:00:00Z"),
        )
    ]
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines()] == expected


MISLEADING = """\
topics:
  - id: rice-vn
    name: Rice in Vietnam
    query: (rice OR gao) AND (export OR price)
  - id: paint
    query: >
      colo?r AND (nickel^2 OR ore~3)
      AND NOT nick?l
  - id: fine
    query: rice AND (ban OR song OR bank)
"""


def test_check_warns_about_queries_that_load_but_mislead(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by a tester writing watchlists as analysts do: ``gao`` never finds ``gạo`` in a
    Vietnamese article, and other tools' ``?``, ``^2`` and ``~3`` are read as words. Each is
    a warning naming file, line, topic and term with the fix; the config stays valid."""
    (tmp_path / "watchlists").mkdir()
    (tmp_path / "watchlists" / "a.yaml").write_text(MISLEADING, encoding="utf-8")
    config = tmp_path / "monitor.yaml"
    config.write_text(f"database: sqlite:///{tmp_path}/monitor.db\nweb: {{listen: off}}\n")
    assert main(["check", "--config", str(config)]) == 0
    out, err = capsys.readouterr()
    assert out == "ok: 0 sources, 3 topics, 0 channels, 1 watchlist files, 5 query warnings\n"
    where = "warning: watchlists/a.yaml"
    expected = [
        f"{where}:4: topics[0].query: topic rice-vn: gao: in a Vietnamese article it matches"
        " only `gao` as written, never `gạo`: to find it, write it with its diacritics (`gạo`),"
        ' or in a phrase of two or more words, which is compared without them (`"gia gao"`'
        " finds `giá gạo`)",
        f"{where}:6: topics[1].query: topic paint: colo?r: `?` is no wildcard: it is read as"
        ' the phrase `"colo r"`, which matches almost nothing; write each spelling, joined with'
        " OR, or a prefix (`colo*`)",
        f"{where}:6: topics[1].query: topic paint: nickel^2: boosts are not supported: it is"
        ' read as the phrase `"nickel 2"`, which matches almost nothing; write `nickel`',
        f"{where}:6: topics[1].query: topic paint: ore~3: `~` is no operator: it is read as the"
        ' phrase `"ore 3"`, which matches almost nothing; write `ore`, and for words near each'
        " other `a NEAR/5 b`",
        f"{where}:6: topics[1].query: topic paint: nick?l: `?` is no wildcard: it is read as"
        ' the phrase `"nick l"`, which matches almost nothing; write each spelling, joined'
        " with OR, or a prefix (`nick*`)",
    ]
    assert expected == err.replace(f"{tmp_path}/", "").splitlines()


def test_check_warns_about_a_watchlist_pattern_that_matches_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by a tester: with ``nickel.yaml`` renamed ``nickel.yml``, ``check`` said ``ok: ...
    0 topics`` and nothing else. The pattern is warned about, with the file it leaves out."""
    (tmp_path / "watchlists").mkdir()
    (tmp_path / "watchlists" / "nickel.yml").write_text("topics: []\n")
    config = tmp_path / "monitor.yaml"
    config.write_text(
        f"database: sqlite:///{tmp_path}/monitor.db\nweb: {{listen: off}}\n"
        'watchlists: ["watchlists/*.yaml"]\n'
    )
    assert main(["check", "--config", str(config)]) == 0
    out, err = capsys.readouterr()
    expected = (
        "ok: 0 sources, 0 topics, 0 channels, 0 watchlist files, 1 watchlist pattern warnings\n",
        "warning: monitor.yaml:3: watchlists[0]: watchlists/*.yaml matches no watchlist file:"
        " watchlists/nickel.yml is not matched by watchlists/*.yaml\n",
    )
    assert expected == (out, err.replace(f"{tmp_path}/", ""))


def test_the_daemon_logs_each_query_warning_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """At start every warning; at a reload only those it brings (a topic moved down the file
    is not news), so an unchanged watchlist does not repeat them at each edit."""
    from monitor.cli.daemon import log_query_warnings
    from monitor.config import load_settings

    (tmp_path / "watchlists").mkdir()
    watchlist = tmp_path / "watchlists" / "a.yaml"
    watchlist.write_text(MISLEADING, encoding="utf-8")
    config = tmp_path / "monitor.yaml"
    config.write_text(f"database: sqlite:///{tmp_path}/monitor.db\nweb: {{listen: off}}\n")
    logged: set[tuple[str, str, str]] = set()
    caplog.set_level(logging.WARNING, logger="monitor")

    def warned_terms() -> list[str]:
        log_query_warnings(load_settings(config, {}), logged)
        found = [r.getMessage() for r in caplog.records if "query warning" in r.getMessage()]
        caplog.clear()
        return [line.split(": ")[4] for line in found]

    assert warned_terms() == ["gao", "colo?r", "nickel^2", "ore~3", "nick?l"]
    watchlist.write_text("topics:\n  - id: new\n    query: sot\n" + MISLEADING[len("topics:\n") :])
    assert warned_terms() == ["sot"]
    assert warned_terms() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["eval", "--watchlist", "{W}", "--labels", "{missing}"],
         "cannot read {missing}: No such file or directory"),
        (["eval", "--watchlist", "{W}", "--labels", "{tmp}"], "cannot read {tmp}: Is a directory"),
        (["eval", "--watchlist", "{W}", "--labels", "{binary}"],
         "cannot read {binary}: not UTF-8 text (invalid start byte)"),
        (["match", "--watchlist", "{W}", "--input", "{missing}"],
         "cannot read {missing}: No such file or directory"),
        (["match", "--watchlist", "{W}", "--input", "{L}", "--output", "{missing}/o.jsonl"],
         "cannot write {missing}/o.jsonl: No such file or directory"),
        (["match", "--watchlist", "{W}", "--input", "{L}", "--feedback", "{missing}"],
         "cannot read {missing}: No such file or directory"),
        (["eval", "--watchlist", "{missing}", "--labels", "{L}"],
         "cannot read {missing}: No such file or directory"),
        (["match", "--watchlist", "{W}", "--lexicon", "{tmp}", "--input", "{L}"],
         "cannot read {tmp}: Is a directory"),
        (["explain", "drugs", "--watchlist", "{missing}"],
         "cannot read {missing}: No such file or directory"),
        (["explain", "drugs", "--watchlist", "{W}", "--file", "{tmp}"],
         "cannot read {tmp}: Is a directory"),
        (["import-opml", "{missing}"], "cannot read {missing}: No such file or directory"),
        (["match", "--watchlist", "{W}", "--input", "{binary}"],
         "cannot read {binary}: not UTF-8 text (invalid start byte)"),
        (["match", "--watchlist", "{W}", "--input", "{L}", "--feedback", "{binary}"],
         "cannot read {binary}: not UTF-8 text (invalid start byte)"),
        (["eval", "--watchlist", "{W}", "--labels", "{L}", "--feedback", "{binary}"],
         "cannot read {binary}: not UTF-8 text (invalid start byte)"),
    ],
    ids=["labels missing", "labels a directory", "labels not UTF-8", "input missing",
         "output in a missing directory", "feedback missing", "watchlist missing",
         "lexicon a directory", "explain watchlist missing", "explain file a directory",
         "opml missing", "input not UTF-8", "match feedback not UTF-8",
         "eval feedback not UTF-8"],
)  # fmt: skip
def test_a_file_that_cannot_be_read_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    """Found by QA: a missing or unreadable file named on the command line was a traceback and
    exit 1; README says unreadable input is exit 2 with a message naming the file and why."""
    data = Path(__file__).parent / "data" / "eval"
    (tmp_path / "binary.jsonl").write_bytes(b"\xff\xfe{}\n")
    names = {"W": str(data / "watchlist.yaml"), "L": str(data / "labels.jsonl"),
             "missing": str(tmp_path / "missing"), "tmp": str(tmp_path),
             "binary": str(tmp_path / "binary.jsonl")}  # fmt: skip
    code = main([arg.format(**names) for arg in args])
    expected = (2, f"input error: {message.format(**names)}\n")
    assert expected == (code, capsys.readouterr().err)


def test_inputs_saved_with_a_byte_order_mark_are_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by QA: a JSON Lines input saved with a UTF-8 byte order mark (Windows editors) was
    "not JSON: Unexpected UTF-8 BOM"; ``match --input`` (a file or standard input),
    ``--feedback`` and ``eval --labels`` read it as the same file without one."""
    data = Path(__file__).parent / "data" / "eval"
    labels = (data / "labels.jsonl").read_bytes()
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + labels)
    feedback = b'{"id": "f", "title": "t", "text": "x", "topics": {"drugs": 0}}\n'
    (tmp_path / "feedback.jsonl").write_bytes(b"\xef\xbb\xbf" + feedback)
    watch = ["--watchlist", str(data / "watchlist.yaml")]
    learn = ["--feedback", str(tmp_path / "feedback.jsonl")]

    def run(args: list[str], stdin: bytes = b"") -> tuple[int, str]:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        return main(args), capsys.readouterr().out

    plain = run(["match", *watch, "--input", str(data / "labels.jsonl")])
    assert plain[0] == 0 and plain[1]
    assert plain == run(["match", *watch, "--input", str(bom)])
    assert plain == run(["match", *watch], b"\xef\xbb\xbf" + labels)
    assert plain == run(["match", *watch, "--input", "-", *learn], b"\xef\xbb\xbf" + labels)
    evaluated = run(["eval", *watch, "--labels", str(data / "labels.jsonl")])
    assert evaluated[0] == 0
    assert evaluated == run(["eval", *watch, "--labels", str(bom), *learn])


#: what a hostile feed or server may put in a title or an error: a right-to-left override that
#: shows "exe.png" as "gnp.exe"-looking text, ANSI colour and a terminal-title escape, C1 CSI
HOSTILE = "\u202egnp.exe\u202c \x1b[31mred\x1b[0m \x1b]0;owned\x07 \x9b2J\nnext\tline"


def test_tables_drop_what_a_terminal_would_act_on(
    tmp_path: Path, feeds: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by QA: ``matches`` printed a feed title's bidi override and ESC sequences raw, so
    the terminal reordered or recoloured the table; ``deliveries`` and ``sources`` print a
    server's error text the same way. Tables clean each cell as alerts do (``one_line``); JSON
    keeps the text exact (json escapes it)."""
    config = write_config(tmp_path, feeds)
    with Store.open(f"sqlite:///{tmp_path}/monitor.db") as store:
        key = f"https://a.example/{HOSTILE}"
        store.save_poll(state("first", last_error=HOSTILE), [article(key, source_id="first")], T0)
        queued = store.channel_queue("chat", T0)
        store.mark_attempt_failed([d.delivery_id for d in queued], HOSTILE, T0, T0)
    outputs = []
    for command in ("matches", "deliveries", "sources"):
        assert main([command, "--config", str(config)]) == 0
        outputs.append(capsys.readouterr().out)
    shown = ["gnp.exe [31mred" in out for out in outputs]
    unsafe = {c for out in outputs for c in out if not (c.isprintable() or c == "\n")}
    expected: tuple[list[bool], set[str]] = ([True, True, True], set())
    assert expected == (shown, unsafe)
    assert main(["matches", "--config", str(config), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == f"Title of {key}"


def test_check_shows_our_error_for_an_unknown_scheme_and_not_apprises(
    tmp_path: Path, feeds: FeedServer, capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    """Found by QA: ``jsn://`` (a typo) printed apprise's own "ERROR apprise Unparseable URL
    jsn://***" before our config error, which names the file, line and key."""
    config = write_config(tmp_path, feeds, channel_url="jsn://hooks.example/x")
    code = main(["check", "--config", str(config)])
    apprise = [r.getMessage() for r in caplog.records if r.name.startswith("apprise")]
    err = capsys.readouterr().err
    expected: tuple[int, list[str], bool] = (1, [], True)
    assert expected == (code, apprise, "channels.analysts.urls[0]: not a usable apprise URL" in err)
