"""Issue 11, findings 6 and 17: what every HTTP sender does with a hostile receiver.

``json://`` (our httpx sender), ``form://`` and ``xml://`` (apprise's), and chat services whose
host is configurable (ntfy, Mattermost: apprise's requests plugins, like Telegram's or Slack's)
are sent to real loopback receivers that redirect, sit behind a "proxy" named by the
environment, or answer 200 with a body that never ends. An alert never follows a redirect,
never goes through a proxy from the environment, and an endless answer is read up to a cap.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from monitor.config import ChannelSettings
from monitor.errors import DeliveryError
from monitor.notify import Notifier, render_test
from monitor.notify.outbound import ANSWER_MAX, GUARDED
from monitor.notify.webhook import RESPONSE_MAX
from tests.receivers import WebhookReceiver

NOW = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
SCHEMES = ("json", "form", "xml", "ntfy", "mmost")
#: what a receiver may have written before the sender stopped reading: the cap, plus the
#: kernel's socket buffers on both sides (a sender reading to the end takes gigabytes)
STREAMED_MAX = 64 * 1024 * 1024


def url(scheme: str, receiver: WebhookReceiver, options: str = "") -> str:
    """An apprise URL of ``scheme`` that posts to ``receiver`` (short timeouts: loopback)."""
    return f"{scheme}://127.0.0.1:{receiver.port}/hook?cto=5&rto=20{options}"


def send(channel_url: str) -> DeliveryError | None:
    """Send a test message; the delivery error, if any."""
    notifier = Notifier([ChannelSettings("c", (channel_url,))])
    try:
        asyncio.run(notifier.send("c", render_test("c", "text", NOW)))
    except DeliveryError as error:
        return error
    return None


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_redirect_is_never_followed(scheme: str) -> None:
    """A 307 to another receiver is a failed delivery; the other receiver gets nothing, even
    when the URL asks apprise to follow redirects."""
    with WebhookReceiver() as hook, WebhookReceiver() as elsewhere:
        hook.reply(307, location=f"http://127.0.0.1:{elsewhere.port}/stolen")
        error = send(url(scheme, hook, "&redirect=yes"))
        assert len(hook.received) == 1
        assert elsewhere.received == []
    assert error is not None and "failed" in str(error)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_proxy_variables_are_ignored(scheme: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """With every proxy variable naming a "proxy" receiver, the alert still goes straight to
    the configured receiver, and the proxy sees nothing."""
    with WebhookReceiver() as hook, WebhookReceiver() as proxy:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
            for variable in (name, name.lower()):
                monkeypatch.setenv(variable, f"http://127.0.0.1:{proxy.port}")
        for variable in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(variable, raising=False)
        error = send(url(scheme, hook))
        assert proxy.received == []
        assert len(hook.received) == 1
    assert error is None


@pytest.mark.parametrize("scheme", SCHEMES)
def test_an_endless_answer_is_read_up_to_a_cap(scheme: str) -> None:
    """A receiver answering 200 with a body that never ends: the send ends (the status is
    what counts), and the sender stopped reading near the cap (memory does not grow)."""
    with WebhookReceiver() as hook:
        hook.reply(200, endless=True)
        error = send(url(scheme, hook))
        streamed = hook.streamed
    assert max(ANSWER_MAX, RESPONSE_MAX) < STREAMED_MAX
    assert streamed < STREAMED_MAX, streamed
    if scheme in ("json", "form", "xml"):  # the chat services may read their answer as JSON
        assert error is None, error


def test_every_apprise_plugin_sends_through_the_guard() -> None:
    """Once a notifier exists, no loaded apprise plugin module holds requests itself."""
    Notifier([ChannelSettings("c", ("form://127.0.0.1/hook",))])
    plugins = [m for n, m in sys.modules.items() if n.startswith("apprise.plugins")]
    holding = [m for m in plugins if getattr(m, "requests", None) is not None]
    assert len(holding) > 50
    assert [m.__name__ for m in holding if m.requests is requests] == []
    assert all(m.requests is GUARDED for m in holding)
    assert GUARDED.codes.ok == 200 and GUARDED.RequestException is requests.RequestException


def test_monitor_once_delivers_to_endless_receivers_and_ends(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Finding 6 end to end: `monitor once` with a new matching item and two channels whose
    receivers (``json://`` and ``form://``) answer 200 with an endless body: both deliveries
    are sent, `once` ends, and neither receiver got far past the caps."""
    from monitor.cli import main
    from monitor.store import Store
    from tests.feedserver import running_feed_server
    from tests.hostile import polled_state, rss

    body = rss("<item><title>Zanzibar port reopens</title><link>http://n.test/1</link></item>")
    (tmp_path / "w.yaml").write_text(
        "topics:\n  - id: zanzibar\n    name: Zanzibar\n    query: zanzibar\n    threshold: 0\n",
        encoding="utf-8",
    )
    database = f"sqlite:///{tmp_path / 'monitor.db'}"
    with running_feed_server() as feeds, WebhookReceiver() as hook, WebhookReceiver() as form:
        feeds.serve("/feed.xml", body)
        for receiver in (hook, form):
            receiver.reply(200, endless=True)
        config = tmp_path / "monitor.yaml"
        config.write_text(
            f"database: {database}\nwatchlists: [w.yaml]\n"
            "web: {listen: off}\n"
            "http: {allow_private_networks: true, per_host_interval: 0s}\n"
            "defaults: {jitter: 0s, follow: false}\n"
            f"sources:\n  - id: feed\n    feed: {feeds.url('/feed.xml')}\n"
            f"channels:\n  hook:\n    urls: ['{url('json', hook)}']\n"
            f"  form:\n    urls: ['{url('form', form)}']\n",
            encoding="utf-8",
        )
        with Store.open(database) as store:  # past the silent first poll: new items alert
            store.save_source_state(polled_state("feed", feeds.url("/feed.xml")))
        assert main(["--config", str(config), "once"]) == 0
        streamed = (hook.streamed, form.streamed)
        arrived = (len(hook.received), len(form.received))
    with Store.open(database) as store:
        assert store.deliveries("pending") == []
        sent = store.deliveries("sent")
    assert sorted(d.channel for d in sent) == ["form", "hook"], capsys.readouterr()
    assert arrived == (1, 1)
    assert max(streamed) < STREAMED_MAX, streamed
