"""Secrets never appear in logs (any logger, any level), errors or command output.

Planted secrets: a channel password and a token in a webhook path, an SMTP password, a token and
a password in feed URLs, a database password, a token in a redirect target, a token in an
apprise URL that fails validation. Every command runs in process at DEBUG, with the libraries'
own loggers at DEBUG too (``--log-level`` then keeps httpx's and httpcore's at INFO: httpcore's
DEBUG trace prints response headers); then the captured logs and output are scanned.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import httpx
import pytest

from monitor.cli import main
from monitor.config import Settings, load_settings
from monitor.redact import Redactor, url_secrets
from monitor.store import Store
from monitor.web.app import build_app
from monitor.web.context import WebContext
from monitor.web.metrics import PrometheusMetrics
from tests.feedserver import FeedServer, Route, running_feed_server
from tests.receivers import SmtpReceiver, WebhookReceiver, closed_port
from tests.test_end_to_end import (
    OTHER_ITEMS,
    SEED,
    SEED_ITEM,
    SEED_PUBLISHED,
    SEED_TITLE,
    WATCHLIST,
    rss,
)

SECRETS = {
    "hook_password": "Planted-hook-pass-4417",
    "hook_path_token": "PlantedHookToken9921",
    "smtp_password": "Planted-smtp-pass-1203",
    "feed_token": "PlantedFeedToken5531",
    "feed_password": "Planted-feed-pass-8765",
    "redirect_sig": "PlantedRedirectSig0042",
    "db_password": "Planted-db-pass-3141",
    "dead_hook_token": "PlantedDeadHookToken777",
    "bad_url_token": "PlantedBadUrlToken4242",
    "feed_path_token": "PlantedPathToken8080",
    "feed_k_value": "PlantedKeyParam6060",
}
LIBRARY_LOGGERS = ("httpx", "httpcore", "apprise", "apscheduler", "alembic", "sqlalchemy")


def config_text(feeds: FeedServer, database: str) -> str:
    return f"""\
database: {database}
web: {{listen: off}}
watchlists: ["watchlists/*.yaml"]
http:
  user_agent: "news-monitor-tests/0.1 (+https://example.org/contact)"
  timeout: 5s
  allow_private_networks: true
  per_host_interval: 0s
defaults:
  every: 10m
  jitter: 0s
sources:
  - id: republika
    feed: {feeds.url("/republika.xml")}?token={SECRETS["feed_token"]}
  - id: private
    feed: http://reader:{SECRETS["feed_password"]}@127.0.0.1:{feeds.port}/private.xml
  - id: broken
    feed: {feeds.url("/broken.xml")}?api_key={SECRETS["feed_token"]}
  - id: moved
    feed: {feeds.url("/moved.xml")}
  - id: path-token
    feed: {feeds.url("/feeds/" + SECRETS["feed_path_token"] + "/rss.xml")}
  - id: k-param
    feed: {feeds.url("/k.xml")}?k={SECRETS["feed_k_value"]}
channels:
  webhook:
    urls: ["${{HOOK_URL}}"]
    format: markdown
  email:
    urls: ["${{SMTP_URL}}"]
  dead:
    urls: ["${{DEAD_URL}}"]
"""


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    for name in LIBRARY_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog


def test_no_secret_in_logs_errors_or_output(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    debug_logs: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """once, check, sources, matches, notify-test (good and failing channels), failing fetches,
    a bad config and an unreachable database: no planted secret in anything they leave."""
    smtp = SmtpReceiver(user="monitor", password=SECRETS["smtp_password"])
    with running_feed_server() as feeds, WebhookReceiver() as hook, smtp:
        feeds.serve("/republika.xml?token=" + SECRETS["feed_token"], rss(OTHER_ITEMS))
        feeds.serve("/private.xml", rss(OTHER_ITEMS[:1]))
        feeds.route("/broken.xml?api_key=" + SECRETS["feed_token"], Route(status=500))
        target = f"/gone.xml?sig={SECRETS['redirect_sig']}"
        feeds.route("/moved.xml", Route(status=301, headers=(("Location", target),)))
        feeds.route(target, Route(status=410))
        hook_url = hook.url.replace("json://", f"json://user:{SECRETS['hook_password']}@")
        monkeypatch.setenv("HOOK_URL", f"{hook_url}/{SECRETS['hook_path_token']}")
        monkeypatch.setenv("SMTP_URL", smtp.apprise_url)
        monkeypatch.setenv(
            "DEAD_URL", f"json://127.0.0.1:{closed_port()}/{SECRETS['dead_hook_token']}"
        )
        monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)
        (tmp_path / "watchlists").mkdir()
        (tmp_path / "watchlists" / "a.yaml").write_text(WATCHLIST, encoding="utf-8")
        config = tmp_path / "monitor.yaml"
        config.write_text(config_text(feeds, f"sqlite:///{tmp_path / 'm.db'}"), encoding="utf-8")
        run = ["--log-level", "DEBUG", "--config", str(config)]

        assert main([*run, "check"]) == 0
        assert main([*run, "once"]) == 0
        feeds.serve("/republika.xml?token=" + SECRETS["feed_token"], rss([SEED_ITEM, *OTHER_ITEMS]))
        assert main([*run, "once"]) == 0
        assert len(hook.wait_for(1)) >= 1 and len(smtp.wait_for(1)) >= 1
        assert main([*run, "sources"]) == 0
        assert main([*run, "matches", "--json"]) == 0
        assert main([*run, "notify-test", "webhook"]) == 0
        assert main([*run, "notify-test", "dead"]) == 1
        hook.reply(500)
        assert main([*run, "notify-test", "webhook"]) == 1

        unreachable = f"postgresql://monitor:{SECRETS['db_password']}@127.0.0.1:{closed_port()}/x"
        monkeypatch.setenv("MONITOR_DATABASE_URL", unreachable)
        assert main([*run, "sources"]) == 3
        monkeypatch.delenv("MONITOR_DATABASE_URL")

        monkeypatch.setenv("DEAD_URL", f"tgram://{SECRETS['bad_url_token']}")
        assert main([*run, "check"]) == 1

    captured = capsys.readouterr()
    everything = "\n".join([debug_logs.text, captured.out, captured.err])
    leaked = {name for name, secret in SECRETS.items() if secret in everything}
    assert leaked == set(), f"secrets in the output: {sorted(leaked)}"
    # the scan saw the libraries' own lines: it could have caught a leak there (httpcore's
    # header trace is off even at DEBUG: ``--log-level`` keeps httpx and httpcore at INFO)
    loggers = {record.name.split(".")[0] for record in debug_logs.records}
    assert {"httpx", "apprise", "monitor"} <= loggers and "httpcore" not in loggers
    assert "HTTP Request: GET" in debug_logs.text and "not a usable apprise URL" in captured.err


def test_an_echoed_authorization_header_is_not_logged_at_debug(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    """A webhook receiver that sends our ``Authorization`` back: at ``--log-level DEBUG`` the
    base64 of user:password is in no log line (httpcore's header trace stays off)."""
    password = SECRETS["hook_password"]
    basic = base64.b64encode(f"monitor:{password}".encode()).decode()
    caplog.set_level(logging.DEBUG)  # the root level ``--log-level DEBUG`` sets outside pytest
    with WebhookReceiver() as hook:
        hook.reply(200, echo=("Authorization",))
        url = hook.url.replace("json://", f"json://monitor:{password}@")
        config = tmp_path / "monitor.yaml"
        config.write_text(
            f"database: sqlite:///{tmp_path / 'm.db'}\nweb: {{listen: off}}\n"
            f"channels:\n  webhook:\n    urls: ['{url}']\n",
            encoding="utf-8",
        )
        assert (
            main(["--log-level", "DEBUG", "--config", str(config), "notify-test", "webhook"]) == 0
        )
        [request] = hook.received
    assert request.headers["authorization"] == f"Basic {basic}"  # it was sent, and echoed
    everything = "\n".join([caplog.text, *capsys.readouterr()])
    assert "HTTP Request: POST" in everything  # httpx's line per request still shows
    assert basic not in everything and password not in everything


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET http://u:pw1234@h.example/x", "GET http://***@h.example/x"),
        ("https://h.example/rss?id=3&token=abc123&x=1", "https://h.example/rss?id=3&token=***&x=1"),
        ("https://h.example/rss?API_KEY=abc123", "https://h.example/rss?API_KEY=***"),
        ("https://h.example/?sig=zz9&page=2", "https://h.example/?sig=***&page=2"),
        ("sending to tgram://123:abc/456 now", "sending to tgram://*** now"),
        ("mailtos://user:pw@smtp.example.org?to=a@b.c", "mailtos://***"),
        ("https://h.example/news?page=2", "https://h.example/news?page=2"),
        (
            "database postgresql+psycopg://postgres:pw@127.0.0.1:5432/x failed",
            "database postgresql+psycopg://***@127.0.0.1:5432/x failed",
        ),
        ("nothing secret here", "nothing secret here"),
        # the password is 'p@ss': masked up to the authority's last '@', not its first
        ("connecting postgresql://u:p@ss@db/x", "connecting postgresql://***@db/x"),
        ("GET http://u:a@b@c@h.example/x?y=z@w", "GET http://***@h.example/x?y=z@w"),
        (
            "Could not load E-Mail URL: {'user': 'u', 'password': 'pw9', 'port': 25}",
            "Could not load E-Mail URL: {'user': 'u', 'password': '***', 'port': 25}",
        ),
    ],
)
def test_redactor_masks_secret_shapes(text: str, expected: str) -> None:
    """Without being told anything, URL credentials, token parameters and apprise URLs go."""
    assert Redactor().redact(text) == expected


def test_database_user_is_not_a_secret_but_its_password_is() -> None:
    """The database's user name stays readable in messages; its password never does."""
    from types import SimpleNamespace

    from monitor.redact import settings_secrets

    settings = SimpleNamespace(
        database_url="postgresql://postgres:Sekret-77@db/x", channels=(), sources=()
    )
    redactor = Redactor()
    redactor.remember(settings_secrets(settings))
    message = "reading (postgresql+psycopg://postgres:***@db/x): postgres refused Sekret-77"
    assert redactor.redact(message) == (
        "reading (postgresql+psycopg://***@db/x): postgres refused ***"
    )


def test_redactor_masks_what_it_was_told_in_every_spelling() -> None:
    """A remembered secret is masked as written, percent-encoded and decoded."""
    redactor = Redactor()
    redactor.remember(url_secrets("json://u:p%40ss-word@h.example/TokenSegment42", token_host=True))
    assert redactor.redact("TokenSegment42 p@ss-word p%40ss-word") == "*** *** ***"


def test_no_secret_on_the_web_side(tmp_path: Path) -> None:
    """A feed with a password and a token whose items link relative to it: after two polls (the
    first sets the baseline) no page, feed or export of the web side shows either, and the
    article on the feed's host was still fetched with the feed's password."""
    password, token = SECRETS["feed_password"], SECRETS["feed_token"]
    with running_feed_server() as feeds:
        head = "<html><head><link rel='canonical' href='/berita/seed'></head>"
        paragraphs = "".join(f"<p>{escape(line)}</p>" for line in SEED.splitlines() if line.strip())
        article = f"{head}<body><article><h1>{SEED_TITLE}</h1>{paragraphs}</article></body></html>"
        feeds.serve("/berita/seed", article.encode(), content_type="text/html; charset=utf-8")
        feeds.serve(f"/private.xml?api_key={token}", rss(OTHER_ITEMS))
        feed = f"http://reader:{password}@127.0.0.1:{feeds.port}/private.xml?api_key={token}"
        (tmp_path / "watchlists").mkdir()
        (tmp_path / "watchlists" / "a.yaml").write_text(WATCHLIST, encoding="utf-8")
        config = tmp_path / "monitor.yaml"
        config.write_text(
            f"database: sqlite:///{tmp_path / 'm.db'}\n"
            "web: {listen: off}\n"
            'watchlists: ["watchlists/*.yaml"]\n'
            "http: {user_agent: t, allow_private_networks: true, per_host_interval: 0s}\n"
            "defaults: {jitter: 0s}\n"
            f"sources:\n  - {{id: private, feed: '{feed}', respect_robots: false}}\n",
            encoding="utf-8",
        )
        assert main(["--config", str(config), "once"]) == 0
        relative = (SEED_TITLE, "/berita/seed", SEED, SEED_PUBLISHED)
        feeds.serve(f"/private.xml?api_key={token}", rss([relative, *OTHER_ITEMS]))
        assert main(["--config", str(config), "once"]) == 0
        fetched = feeds.requests_to("/berita/seed")
    assert fetched and fetched[0].headers.get("Authorization", "").startswith("Basic ")
    pages = asyncio.run(_every_web_page(load_settings(config, {})))
    assert f"127.0.0.1:{feeds.port}/berita/seed" in pages["/"] and "Pemberantasan" in pages["/"]
    for path, text in pages.items():
        assert password not in text and token not in text, path
    assert "http://***@127.0.0.1" in pages["/sources"]


async def _every_web_page(settings: Settings) -> dict[str, str]:
    store = Store.open(settings.database_url)
    ctx = WebContext(
        store, lambda: settings, PrometheusMetrics(), lambda: None, lambda: datetime.now(UTC)
    )
    transport = httpx.ASGITransport(app=build_app(ctx))
    topic = "russia-asean-security"
    paths = ("/", "/sources", "/deliveries", "/topics", f"/topics?near={topic}", "/nodes",
             "/feeds/all.atom", f"/feeds/{topic}.atom", "/feedback.jsonl")  # fmt: skip
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return {path: (await client.get(path)).raise_for_status().text for path in paths}
    finally:
        store.close()


def test_a_channel_url_apprise_cannot_load_leaks_nothing_at_check(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    debug_logs: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """apprise logs the parts of a URL it cannot load (a bad ``from=``, a Twilio SID), password
    and user included; the config check masks them before apprise sees the URL."""
    secret = "Zq9LeakMe55"
    monkeypatch.setenv("MAIL_URL", f"mailto://mailuser:{secret}@127.0.0.1:25?from=a@b.c&to=x@y.z")
    monkeypatch.setenv("SMS_URL", f"twilio://{secret}:{secret}@+1234/+bad")
    monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)
    for name in ("MAIL_URL", "SMS_URL"):
        config = tmp_path / f"{name}.yaml"
        config.write_text(
            f"database: sqlite:///{tmp_path / 'm.db'}\nsources: []\nwatchlists: []\n"
            f'channels:\n  c:\n    urls: ["${{{name}}}"]\n',
            encoding="utf-8",
        )
        assert main(["--config", str(config), "check"]) == 1
    captured = capsys.readouterr()
    everything = "\n".join([debug_logs.text, captured.out, captured.err])
    assert "Could not load" in debug_logs.text and secret not in everything


def test_a_short_secret_is_masked_as_a_word_and_a_long_one_anywhere() -> None:
    """A 2-character password no longer turns ``OperationalError`` into ``O***erationalError``
    (it was replaced wherever its letters stood), yet is masked where it stands alone; a long
    secret is masked inside other text too (``\\n`` before it in a printed string)."""
    redactor = Redactor()
    redactor.remember(["pe", "Long-Secret-42"])
    assert redactor.redact("OperationalError: password pe refused") == (
        "OperationalError: password *** refused"
    )
    assert redactor.redact("u:pe@h pe_x x%2Fpe 'pe'") == "u:***@h pe_x x%2F*** '***'"
    assert redactor.redact("'a\\nLong-Secret-42'") == "'a\\n***'"


def test_a_short_database_password_leaves_the_driver_error_readable() -> None:
    """The store's error for an unreachable server with a password ``pe``: the driver's words
    stay whole (``OperationalError``, ``port``) and the password is not shown."""
    from monitor.errors import StoreError

    with pytest.raises(StoreError) as caught:
        Store.open(f"postgresql://monitor:pe@127.0.0.1:{closed_port()}/x", migrate=True)
    message = str(caught.value)
    assert "OperationalError: connection failed" in message and ", port " in message
    assert ":pe@" not in message


@pytest.mark.parametrize(
    ("url", "shown", "hidden"),
    [
        # generic webhooks: host and path say where to post; userinfo, tokens, headers do not
        ("json://hooks.example/monitorfeed", ["monitorfeed", "hooks.example"], []),
        ("jsons://localhost:8080/hooks/monitorfeed", ["monitorfeed", "localhost"], []),
        ("xml://hooks.example/monitorfeed?-page=2", ["monitorfeed"], []),
        ("form://u:Pw-3141@hooks.example/in?token=T0k", ["hooks.example"], ["Pw-3141", "T0k"]),
        ("jsons://hooks.example/in?+Authorization=Bearer%20Zq9xy", ["hooks.example"], ["Zq9xy"]),
        ("json://hooks.example/catch/a1b2c3d4e5f6g7h8", ["catch"], ["a1b2c3d4e5f6g7h8"]),
        # services whose host and path ARE the token
        ("tgram://123456:AAbbCCdd/998877", [], ["123456:AAbbCCdd", "998877"]),
        ("discord://112233445566/WebhookTokenXyz", [], ["112233445566", "WebhookTokenXyz"]),
        ("slack://T1abcdef/B2abcdef/C3abcdefgh", [], ["T1abcdef", "B2abcdef", "C3abcdefgh"]),
    ],
)
def test_a_webhook_path_is_no_secret_but_a_service_token_is(
    url: str, shown: list[str], hidden: list[str]
) -> None:
    """``json://hooks.example/monitorfeed`` made ``monitorfeed`` (also a source id) a secret, masked
    in every log line; a json/xml/form path is not one (apprise marks only the password
    private), while a Telegram, Discord or Slack URL's parts stay masked."""
    redactor = Redactor()
    redactor.remember(url_secrets(url, token_host=True))
    words = [*shown, *hidden]
    masked = redactor.redact(" ".join(f"source {word} polled" for word in words))
    assert masked == " ".join(f"source {'***' if w in hidden else w} polled" for w in words)
    assert redactor.redact(f"sending to {url}") == "sending to ***"  # a whole URL: told, too


def test_compose_passes_the_database_password_apart_from_the_url() -> None:
    """contrib/compose.yaml put POSTGRES_PASSWORD inside MONITOR_DATABASE_URL: an '@' in it broke
    the URL, and the URL carried the password wherever it was shown. Now the URL has no
    password and libpq reads PGPASSWORD."""
    import yaml

    compose = Path(__file__).resolve().parent.parent / "contrib" / "compose.yaml"
    environment = yaml.safe_load(compose.read_text(encoding="utf-8"))["services"]["monitor"][
        "environment"
    ]
    url = environment["MONITOR_DATABASE_URL"]
    assert url == "postgresql://monitor@db/monitor" and "PASSWORD" not in url
    assert environment["PGPASSWORD"] == "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
