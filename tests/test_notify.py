"""monitor.notify: rendering (pure, golden strings) and sending through apprise to real loopback
receivers (a webhook and an SMTP server from ``tests.receivers``; apprise is not mocked)."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from apprise import NotifyFormat
from apprise.conversion import convert_between

from monitor.config import ChannelSettings
from monitor.errors import ConfigError, DeliveryError
from monitor.notify import Message, Notifier, render, render_test
from monitor.notify.digest import DeadNotice, ordered, render_dead_letters, render_digest
from monitor.notify.render import SNIPPET_MAX, SUBJECT_MAX, Limits
from monitor.types import Alert, Hit
from monitor.vocab import MessageFormat
from tests.receivers import SmtpReceiver, WebhookReceiver, closed_port

JAKARTA = ZoneInfo("Asia/Jakarta")
AT_1333 = datetime(2021, 12, 7, 13, 33, tzinfo=UTC)
FORMATS: tuple[MessageFormat, ...] = ("text", "markdown", "html")
HOSTILE_TITLE = "Rusia <script>alert(1)</script> *bold* [x](javascript:alert(1)) & co"
PASSWORD = "hunter2-s3cret"

ALERT = Alert(
    delivery_id="dlv-7f3a",
    topic_id="russia-asean-security",
    topic_name="Russia–ASEAN security ties",
    title="Rusia-ASEAN Perbarui Kerja Sama Pemberantasan Terorisme",
    url="https://www.republika.co.id/berita/r3rzq4382/rusiaasean-perbarui-kerja-sama",
    source="Republika",
    published=AT_1333,
    score=0.8234,
    hits=(
        Hit("Rusia", "title", 0, "Rusia"),
        Hit("ASEAN", "title", 0, "ASEAN"),
        Hit("teror*", "title", 5, "Terorisme"),
        Hit("Rusia", "text", 3, "Rusia"),
    ),
    snippet="Rusia dan ASEAN sepakat memperbarui\nkerja sama  pemberantasan terorisme.",
)
SUBJECT = "Russia–ASEAN security ties: Rusia-ASEAN Perbarui Kerja Sama Pemberantasan Terorisme"

GOLDEN_TEXT = """\
Topic: Russia–ASEAN security ties
Rusia-ASEAN Perbarui Kerja Sama Pemberantasan Terorisme
https://www.republika.co.id/berita/r3rzq4382/rusiaasean-perbarui-kerja-sama
Source: Republika
Published: 2021-12-07 13:33 UTC (20:33 WIB)
Score: 0.82 · Matched: Rusia (title, text); ASEAN (title); teror* (title)

Rusia dan ASEAN sepakat memperbarui kerja sama pemberantasan terorisme.

id: dlv-7f3a"""

GOLDEN_MARKDOWN = """\
**Topic:** Russia–ASEAN security ties

**[Rusia-ASEAN Perbarui Kerja Sama Pemberantasan Terorisme](https://www.republika.co.id/berita/r3rzq4382/rusiaasean-perbarui-kerja-sama)**

https://www.republika.co.id/berita/r3rzq4382/rusiaasean-perbarui-kerja-sama

**Source:** Republika

**Published:** 2021-12-07 13:33 UTC (20:33 WIB)

**Score:** 0.82 · **Matched:** Rusia (title, text); ASEAN (title); teror\\* (title)

> Rusia dan ASEAN sepakat memperbarui kerja sama pemberantasan terorisme.

id: dlv-7f3a"""

# one line up to </p>: nothing may follow a <br> (apprise's plain text would start with a space)
GOLDEN_HTML = """\
<p><b>Topic:</b> Russia–ASEAN security ties<br>\
<b><a href="https://www.republika.co.id/berita/r3rzq4382/rusiaasean-perbarui-kerja-sama">\
Rusia-ASEAN Perbarui Kerja Sama Pemberantasan Terorisme</a></b><br>\
<small>https://www.republika.co.id/berita/r3rzq4382/rusiaasean-perbarui-kerja-sama</small><br>\
<b>Source:</b> Republika<br>\
<b>Published:</b> 2021-12-07 13:33 UTC (20:33 WIB)<br>\
<b>Score:</b> 0.82 · <b>Matched:</b> Rusia (title, text); ASEAN (title); teror* (title)</p>
<blockquote>Rusia dan ASEAN sepakat memperbarui kerja sama pemberantasan terorisme.</blockquote>
<p><small>id: dlv-7f3a</small></p>"""


class _Tags(HTMLParser):
    """Every start tag of an HTML document, with its attributes."""

    def __init__(self, document: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(document)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def links(self) -> list[str | None]:
        return [attrs.get("href") for tag, attrs in self.tags if tag == "a"]


def as_html(message: Message) -> str:
    """The HTML a reader's client gets: markdown through apprise's own converter."""
    if message.format == "markdown":
        return str(convert_between(NotifyFormat.MARKDOWN, NotifyFormat.HTML, message.body))
    assert message.format == "html"
    return message.body


# --- render ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("text", GOLDEN_TEXT), ("markdown", GOLDEN_MARKDOWN), ("html", GOLDEN_HTML)],
)
def test_render_golden(fmt: MessageFormat, expected: str) -> None:
    """Each format shows topic, linked title, source, UTC+local time, score, terms, snippet, id."""
    assert render(ALERT, fmt, JAKARTA) == Message(
        SUBJECT, expected, fmt, "dlv-7f3a", alerts=(ALERT,)
    )


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_hostile_title_is_escaped(fmt: MessageFormat) -> None:
    """Markup in a feed's title, source and snippet stays text: no tag, no emphasis, no link."""
    alert = replace(ALERT, title=HOSTILE_TITLE, source="<i>src</i>", snippet="**x** <img src=x>")
    page = as_html(render(alert, fmt, JAKARTA))
    allowed = {"p", "br", "b", "strong", "a", "blockquote", "small"}
    assert {tag for tag, _ in _Tags(page).tags} <= allowed
    assert _Tags(page).links() == [ALERT.url]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; *bold* [x](javascript:alert(1)) &amp; co" in page
    assert "&lt;i&gt;src&lt;/i&gt;" in page and "**x** &lt;img src=x&gt;" in page


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<b>x</b>",
        "//evil.example/x",
        "https:no-host",
    ],
)
@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_only_http_urls_become_links(fmt: MessageFormat, url: str) -> None:
    """A URL that is not absolute http(s) is shown as text and never linked."""
    page = as_html(render(replace(ALERT, url=url), fmt, JAKARTA))
    assert _Tags(page).links() == []
    assert "Rusia-ASEAN Perbarui" in page


def test_unlinkable_url_is_shown_as_text() -> None:
    """In text the unsafe URL is printed as a line; in html it is escaped text."""
    alert = replace(ALERT, url='javascript:alert("<x>")')
    assert 'javascript:alert("<x>")' in render(alert, "text", JAKARTA).body.splitlines()
    assert "javascript:alert(&quot;&lt;x&gt;&quot;)" in render(alert, "html", JAKARTA).body


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_link_url_cannot_break_out_of_the_link(fmt: MessageFormat) -> None:
    """Quotes, spaces, parentheses and angle brackets in an http URL are percent-encoded."""
    alert = replace(ALERT, url='https://e.example/a b)"><script>x(1)')
    [href] = _Tags(as_html(render(alert, fmt, JAKARTA))).links()
    assert href == "https://e.example/a%20b%29%22%3E%3Cscript%3Ex%281%29"


def test_markdown_line_starts_are_escaped() -> None:
    """A field that begins like a heading, list or quote is not rendered as one."""
    alert = replace(ALERT, topic_name="# Big", source="- item", snippet="1. first")
    page = as_html(render(alert, "markdown", JAKARTA))
    assert {tag for tag, _ in _Tags(page).tags}.isdisjoint({"h1", "ul", "ol", "li"})
    assert "# Big" in page and "- item" in page and "1. first" in page


def test_subject_is_one_short_line() -> None:
    """The subject joins topic and title on one line, at most 200 chars, cut at a word."""
    title = "Breaking:\r\nRussia\tand ASEAN " + "sign a long agreement " * 20
    subject = render(replace(ALERT, title=title), "text", JAKARTA).title
    assert len(subject) <= SUBJECT_MAX and subject.endswith("…")
    assert "\n" not in subject and "\t" not in subject
    assert subject.startswith("Russia–ASEAN security ties: Breaking: Russia and ASEAN sign")
    assert subject[:-1].split()[-1] in {"sign", "a", "long", "agreement"}


def test_snippet_is_cut_at_a_word_with_an_ellipsis() -> None:
    """A long snippet keeps at most ``SNIPPET_MAX`` characters (the dashboard's length), ending
    at a whole word plus an ellipsis."""
    words = [f"kata{i}" for i in range(200)]
    body = render(replace(ALERT, snippet=" ".join(words)), "text", JAKARTA).body
    snippet = body.split("\n\n")[1]
    assert len(snippet) <= SNIPPET_MAX and snippet.endswith("…")
    assert snippet[:-1].split() == words[: len(snippet[:-1].split())]
    assert len(snippet) > SNIPPET_MAX - 10


def test_snippet_of_one_huge_word_is_cut_inside_it() -> None:
    snippet = render(replace(ALERT, snippet="x" * 1000), "text", JAKARTA).body.split("\n\n")[1]
    assert snippet == "x" * (SNIPPET_MAX - 1) + "…"


@pytest.mark.parametrize(
    ("published", "zone", "shown"),
    [
        (AT_1333, "Asia/Jakarta", "2021-12-07 13:33 UTC (20:33 WIB)"),
        (
            AT_1333 + timedelta(hours=7),
            "Asia/Jakarta",
            "2021-12-07 20:33 UTC (2021-12-08 03:33 WIB)",
        ),
        (AT_1333, "Asia/Ho_Chi_Minh", "2021-12-07 13:33 UTC (20:33 UTC+07:00)"),
        (AT_1333, "Asia/Kathmandu", "2021-12-07 13:33 UTC (19:18 UTC+05:45)"),
        (
            AT_1333 - timedelta(hours=12),
            "America/Sao_Paulo",
            "2021-12-07 01:33 UTC (2021-12-06 22:33 UTC-03:00)",
        ),
        (AT_1333, "UTC", "2021-12-07 13:33 UTC"),
        (None, "Asia/Jakarta", "unknown"),
    ],
)
def test_published_time_in_utc_and_local(published: datetime | None, zone: str, shown: str) -> None:
    body = render(replace(ALERT, published=published), "text", ZoneInfo(zone)).body
    assert f"Published: {shown}\n" in body


def test_no_hits_and_no_snippet() -> None:
    body = render(replace(ALERT, hits=(), snippet="  "), "text", JAKARTA).body
    assert "Matched: none\n\nid: dlv-7f3a" in body


def test_alert_shows_the_form_that_fired() -> None:
    """An expanded term shows the document's words that fired it (Russia → России), once each."""
    hits = (
        Hit("Russia", "title", 0, "России", 0.6, "Росси*"),
        Hit("Russia", "text", 4, "Nga", 0.3, "Nga"),
        Hit("Russia", "text", 9, "России", 0.2, "Росси*"),
        Hit("ASEAN", "text", 1, "ASEAN", 0.3, ""),
        Hit("teror*", "text", 7, "terorisme", 0.3, ""),
    )
    body = render(replace(ALERT, hits=hits), "text", JAKARTA).body
    expected = "Matched: Russia → России, Nga (title, text); ASEAN (text); teror* (text)"
    assert expected in body


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_test_message(fmt: MessageFormat) -> None:
    """The notify-test message names the channel (escaped) and carries a timestamped id."""
    message = render_test("ops <b>", fmt, datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert message.delivery_id == "test-ops <b>-20240102T030405Z"
    assert message.title == "monitor test: ops <b>" and message.format == fmt
    assert "2024-01-02 03:04 UTC" in message.body and "id: test" in message.body
    if fmt != "text":
        assert "<b>" not in {tag for tag, _ in _Tags(as_html(message)).tags if tag != "b"}
        assert "ops &lt;b&gt;" in as_html(message)


# --- send: success -----------------------------------------------------------------------------


def send(notifier: Notifier, channel: str, message: Message) -> None:
    asyncio.run(notifier.send(channel, message))


def test_webhook_gets_title_body_and_delivery_id() -> None:
    """json:// posts the title, the body and the delivery id (payload field and header)."""
    message = render(ALERT, "markdown", JAKARTA)
    with WebhookReceiver() as hook:
        send(Notifier([ChannelSettings("hook", (hook.url,), "markdown")]), "hook", message)
        [request] = hook.received
    payload = request.json()
    assert (payload["title"], payload["message"]) == (SUBJECT, GOLDEN_MARKDOWN)
    assert payload["delivery_id"] == "dlv-7f3a"
    assert request.headers["x-delivery-id"] == "dlv-7f3a"


@pytest.mark.parametrize("fmt", FORMATS)
def test_email_gets_subject_body_and_delivery_id(fmt: MessageFormat) -> None:
    """mailto:// with AUTH delivers subject, body (HTML for markdown/html) and X-Delivery-Id."""
    with SmtpReceiver(user="monitor", password=PASSWORD) as smtp:
        channel = ChannelSettings("mail", (smtp.apprise_url,), fmt)
        send(Notifier([channel]), "mail", render(ALERT, fmt, JAKARTA))
        [mail] = smtp.messages
    assert mail.login == "monitor" and mail.rcpt_tos == ("analyst@example.org",)
    assert mail.message["Subject"] == SUBJECT
    assert mail.message["X-Delivery-Id"] == "dlv-7f3a"
    body = mail.text()
    assert "2021-12-07 13:33 UTC (20:33 WIB)" in body and "id: dlv-7f3a" in body
    if fmt == "text":
        assert body.strip() == GOLDEN_TEXT
    else:
        assert f'<a href="{ALERT.url}">Rusia-ASEAN Perbarui' in body


WEBHOOK_SCHEMA = json.loads(
    (Path(__file__).parent.parent / "contrib" / "webhook.schema.json").read_text(encoding="utf-8")
)


def webhook_document(message: Message) -> dict[str, Any]:
    """What the real loopback receiver got for ``message``, checked against the schema."""
    with WebhookReceiver() as hook:
        send(Notifier([ChannelSettings("hook", (hook.url,), message.format)]), "hook", message)
        [request] = hook.received
    document: dict[str, Any] = request.json()
    jsonschema.Draft202012Validator(
        WEBHOOK_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(document)
    return document


def test_webhook_carries_the_alert_as_fields() -> None:
    """A json:// alert carries topic, url, source, outlets, time, score, terms, hits (with the
    form that fired), snippet and ids as fields, beside apprise's title and message."""
    alert = replace(
        ALERT,
        hits=(*ALERT.hits, Hit("Russia", "text", 9, "России", 0.25, "Росси*")),
        also_in=("Antara",),
        source_id="republika",
        match_id=42,
    )
    document = webhook_document(render(alert, "text", JAKARTA))
    assert (document["title"], document["type"], document["delivery_id"]) == (
        SUBJECT, "info", "dlv-7f3a"
    )  # fmt: skip
    assert document["payload_version"] == 1 and "alerts" not in document
    fields = document["alert"]
    assert fields["topic"] == {"id": "russia-asean-security", "name": "Russia–ASEAN security ties"}
    assert (fields["url"], fields["source"]) == (
        ALERT.url,
        {"id": "republika", "name": "Republika"},
    )
    assert (fields["also_in"], fields["match_id"]) == (["Antara"], 42)
    assert (fields["published"], fields["score"]) == ("2021-12-07T13:33:00Z", 0.8234)
    assert fields["terms"] == ["Rusia", "ASEAN", "teror*", "Russia"]
    assert fields["hits"][-1] == {
        "term": "Russia", "field": "text", "position": 9, "matched": "России",
        "form": "Росси*", "weight": 0.25,
    }  # fmt: skip
    assert fields["hits"][0]["form"] is None
    assert fields["snippet"] == ALERT.snippet


def test_webhook_digest_carries_every_alert() -> None:
    """A digest's document has ``alerts``, the same objects in the order shown."""
    other = replace(ALERT, delivery_id="d2", topic_id="sea", topic_name="Sea", score=0.9)
    alerts = ordered([ALERT, other])
    document = webhook_document(render_digest("dg-1", alerts, "markdown", JAKARTA))
    assert document["delivery_id"] == "dg-1" and "alert" not in document
    assert [a["delivery_id"] for a in document["alerts"]] == document["delivery_ids"]
    assert [a["delivery_id"] for a in document["alerts"]] == ["d2", "dlv-7f3a"]


def test_webhook_test_message_has_no_alert_fields() -> None:
    """notify-test: apprise's fields and the id only (still valid against the schema)."""
    document = webhook_document(render_test("hook", "text", AT_1333))
    assert "alert" not in document and "alerts" not in document


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_an_emails_plain_part_keeps_every_articles_url(fmt: MessageFormat) -> None:
    """An email's plain-text alternative keeps no link target: an alert, a digest and a
    dead-letter report show each article's URL as text too, exactly (a Markdown one had none;
    a URL's ``&``, ``_`` and ``*`` arrive as they are)."""
    odd = "https://a.example/x_y*z?a=1&b=~2"
    alerts = ordered([ALERT, replace(ALERT, delivery_id="d2", url=odd)])
    dead = [DeadNotice("d2", "mail", "asean", "Rusia", odd, 3, "refused")]
    messages = [
        render(replace(ALERT, url=odd), fmt, JAKARTA),
        render_digest("dg-1", alerts, fmt, JAKARTA),
        render_dead_letters(dead, fmt, AT_1333),
    ]
    plain = []
    with SmtpReceiver(user="monitor", password=PASSWORD) as smtp:
        channel = ChannelSettings("mail", (smtp.apprise_url,), fmt)
        for message in messages:
            send(Notifier([channel]), "mail", message)
        plain = [mail.plain() for mail in smtp.messages]
    assert [odd in text for text in plain] == [True, True, True], plain
    assert ALERT.url is not None and ALERT.url in plain[1]


def test_our_html_made_plain_text_by_apprise_starts_no_line_with_a_space() -> None:
    """A text-only service given an html channel's message gets apprise's plain-text version
    of it: an alert, a digest and a dead-letter report put nothing after a line break that
    would become a space at the start of the next line."""
    alerts = ordered([ALERT, replace(ALERT, delivery_id="d2")])
    dead = [DeadNotice("d2", "mail", "asean", "Rusia", ALERT.url, 3, "refused")]
    for message in (
        render(ALERT, "html", JAKARTA),
        render_digest("dg-1", alerts, "html", JAKARTA),
        render_dead_letters(dead, "html", AT_1333),
    ):
        plain = str(convert_between(NotifyFormat.HTML, NotifyFormat.TEXT, message.body))
        assert [line for line in plain.splitlines() if line[:1].isspace()] == []


@pytest.mark.parametrize("fmt", ["markdown", "html"])
@pytest.mark.parametrize("digest", [False, True])
def test_an_emails_plain_part_starts_no_line_with_a_space(fmt: MessageFormat, digest: bool) -> None:
    """apprise writes an email's plain-text part from its HTML (ours, or the one it makes of
    Markdown) and made the newline after each line break a space: every line but the first
    began with one (" Source: Republika"). As received now, none does; the HTML part keeps
    its links, with nothing after a line break (no stray space there either)."""
    alerts = ordered([ALERT, replace(ALERT, delivery_id="d2")])
    message = (
        render_digest("dg-1", alerts, fmt, JAKARTA, "backlog")
        if digest
        else render(replace(ALERT, also_in=("Antara",)), fmt, JAKARTA)
    )
    with SmtpReceiver() as smtp:
        send(Notifier([ChannelSettings("mail", (smtp.apprise_url,), fmt)]), "mail", message)
        [mail] = smtp.messages
    lines = mail.plain().splitlines()
    assert [line for line in lines if line[:1].isspace()] == []
    shown = "Republika · 2021-12-07 13:33 UTC (20:33 WIB) · score 0.82 · id: d2"
    assert (shown if digest else "Source: Republika") in lines
    html = mail.text()
    assert f'href="{ALERT.url}"' in html and re.search(r"<br\s*/?>\s", html) is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_digest_keeps_terms_and_snippets_where_the_length_allows(fmt: MessageFormat) -> None:
    """Room to spare: every line has its terms and snippet; a tight limit drops the snippets,
    then the terms, and the digest still fits."""
    alerts = ordered([ALERT, replace(ALERT, delivery_id="d2")])
    roomy = render_digest("dg-1", alerts, fmt, JAKARTA, limits=Limits(body=32_000)).body
    assert "sepakat memperbarui" in roomy and "matched: Rusia (title, text)" in roomy
    bare = render_digest("dg-1", alerts, fmt, JAKARTA, limits=Limits(body=10)).body
    assert "sepakat" not in bare and "matched:" not in bare
    terms_only = render_digest("dg-1", alerts, fmt, JAKARTA, limits=Limits(body=len(bare) + 200))
    assert "matched:" in terms_only.body and "sepakat" not in terms_only.body


def test_channel_with_two_endpoints_reaches_both() -> None:
    with WebhookReceiver() as hook, SmtpReceiver() as smtp:
        channel = ChannelSettings("both", (hook.url, smtp.apprise_url), "text")
        send(Notifier([channel]), "both", render(ALERT, "text", JAKARTA))
        assert len(hook.received) == 1 and len(smtp.messages) == 1


# --- send: failures ----------------------------------------------------------------------------


def failure(channel: ChannelSettings, *, timeout: float = 60.0) -> DeliveryError:
    with pytest.raises(DeliveryError) as caught:
        send(Notifier([channel], timeout=timeout), channel.name, render(ALERT, "text", JAKARTA))
    error = caught.value
    assert PASSWORD not in str(error) and "127.0.0.1" not in str(error)
    return error


def test_refused_connection() -> None:
    url = f"json://user:{PASSWORD}@127.0.0.1:{closed_port()}/hook?cto=1&rto=1"
    error = failure(ChannelSettings("hook", (url,)))
    assert str(error) == (
        "channel 'hook': 1 of 1 endpoint(s) failed: endpoint 1 (JSON) connection failed"
    )
    assert error.retry_after is None


def test_server_error() -> None:
    with WebhookReceiver() as hook:
        hook.reply(500)
        error = failure(ChannelSettings("hook", (hook.url.replace("//", f"//u:{PASSWORD}@"),)))
        assert len(hook.received) == 1
    assert str(error).endswith("endpoint 1 (JSON) answered HTTP 500")


def test_rate_limited() -> None:
    """429 is reported as such, with the receiver's ``Retry-After`` in seconds."""
    with WebhookReceiver() as hook:
        hook.reply(429, retry_after="30")
        error = failure(ChannelSettings("hook", (hook.url,)))
    assert str(error).endswith("endpoint 1 (JSON) answered HTTP 429")
    assert error.retry_after == 30.0


def test_retry_after_as_a_date() -> None:
    """A ``Retry-After`` HTTP date becomes the seconds until then."""
    when = datetime.now(UTC) + timedelta(minutes=10)
    with WebhookReceiver() as hook:
        hook.reply(503, retry_after=when.strftime("%a, %d %b %Y %H:%M:%S GMT"))
        error = failure(ChannelSettings("hook", (hook.url,)))
    assert error.retry_after is not None and 590 < error.retry_after <= 600


def test_webhook_payload_options_auth_and_digest_ids() -> None:
    """apprise's URL options still work (``+header``, ``:field``, ``-param``, user:password);
    a digest carries the ids of the deliveries inside."""
    message = replace(render(ALERT, "text", JAKARTA), delivery_ids=("a1", "b2"))
    with WebhookReceiver() as hook:
        url = hook.url.replace("//", "//bot:pw@") + "?+X-Team=desk&:source=monitor&-k=v&:type="
        send(Notifier([ChannelSettings("hook", (url,))]), "hook", message)
        [request] = hook.received
    payload = request.json()
    assert payload["delivery_ids"] == ["a1", "b2"] and payload["source"] == "monitor"
    assert "type" not in payload and payload["version"] == "1.0"
    assert request.headers["x-team"] == "desk" and request.path == "/hook?k=v"
    assert request.headers["authorization"] == "Basic Ym90OnB3"


@pytest.mark.parametrize(
    ("url", "body", "title"),
    [
        ("tgram://123456789:abcdefg_hijklmnop/12345", int(4096 * 0.9) - SUBJECT_MAX - 4, 200),
        ("discord://1234/abcd", int(2000 * 0.9) - SUBJECT_MAX - 4, 200),
        ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ", 2700, 250),
        ("mailtos://u:p@example.org", 100_000, 150),
        ("json://127.0.0.1/hook", 32768, 250),
    ],
)
def test_limits_are_inferred_from_the_service(url: str, body: int, title: int) -> None:
    """Each service's limits come from its URL scheme; the channel's own keys override them."""
    channel = ChannelSettings("c", (url,))
    assert Notifier([channel]).limits(channel) == Limits(body, title)
    custom = replace(channel, max_length=1000, max_title=60)
    assert Notifier([custom]).limits(custom) == Limits(1000, 60)


def test_hanging_receiver_is_bounded_by_the_url_read_timeout() -> None:
    """A receiver that never answers (until the test ends) is a timeout, not a hang."""
    with WebhookReceiver() as hook:
        hook.reply(200, held=True)
        error = failure(ChannelSettings("hook", (hook.url + "?cto=1&rto=1",)))
    assert str(error).endswith("endpoint 1 (JSON) timed out")


def test_hanging_receiver_is_bounded_by_the_notifier_timeout() -> None:
    with WebhookReceiver() as hook:
        hook.reply(200, held=True)
        error = failure(ChannelSettings("hook", (hook.url + "?rto=300",)), timeout=1)
    assert str(error).endswith("endpoint 1 (JSON) timed out")


def test_sending_does_not_block_the_event_loop() -> None:
    """apprise's blocking I/O runs in its worker threads: other tasks keep running meanwhile.
    Here another task on the loop is what lets the receiver answer: were the loop blocked by
    the send, the send would time out."""

    async def main(notifier: Notifier, hook: WebhookReceiver) -> None:
        async def answer() -> None:
            await asyncio.to_thread(hook.wait_for_arrivals, 1)
            hook.release()  # runs on the loop, while the send is in flight

        task = asyncio.create_task(answer())
        await notifier.send("hook", render(ALERT, "text", JAKARTA))
        await task

    with WebhookReceiver() as hook:
        hook.reply(200, held=True)
        asyncio.run(main(Notifier([ChannelSettings("hook", (hook.url,))], timeout=120), hook))
        assert len(hook.received) == 1


def test_wrong_smtp_password() -> None:
    with SmtpReceiver(user="monitor", password="right-one") as smtp:
        url = smtp.apprise_url.replace("right-one", PASSWORD)
        error = failure(ChannelSettings("mail", (url,)))
        assert smtp.messages == []
    assert str(error).endswith("endpoint 1 (E-Mail) connection failed or timed out")


def test_one_failing_endpoint_fails_the_channel() -> None:
    """The channel succeeds only if every endpoint did; the other still got its copy."""
    with WebhookReceiver() as good, WebhookReceiver() as bad:
        bad.reply(503)
        error = failure(ChannelSettings("two", (good.url, bad.url)))
        assert len(good.received) == 1
    assert str(error) == (
        "channel 'two': 1 of 2 endpoint(s) failed: endpoint 2 (JSON) answered HTTP 503"
    )


def test_unknown_channel() -> None:
    with pytest.raises(DeliveryError, match="unknown channel 'nope'"):
        send(Notifier([]), "nope", render(ALERT, "text", JAKARTA))


def test_channel_without_urls() -> None:
    with pytest.raises(DeliveryError, match="channel 'off' has no URLs"):
        send(Notifier([ChannelSettings("off", ())]), "off", render(ALERT, "text", JAKARTA))


def test_bad_url_fails_at_start_without_the_secret() -> None:
    with pytest.raises(ConfigError) as caught:
        Notifier([ChannelSettings("ops", (f"nosuchscheme://user:{PASSWORD}@host/x",))])
    assert str(caught.value) == "channels.ops.urls[0]: not a usable apprise URL"


# --- digests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ("markdown", "html"))
def test_digest_escapes_feed_text_and_links_only_http(fmt: MessageFormat) -> None:
    """A hostile headline and a javascript: URL in a digest are text, never markup or links."""
    hostile = replace(ALERT, delivery_id="d2", title=HOSTILE_TITLE, url="javascript:alert(1)")
    message = render_digest("dg-1", ordered([ALERT, hostile]), fmt, JAKARTA)
    tags = _Tags(as_html(message))
    assert "script" not in {tag for tag, _ in tags.tags}
    assert tags.links() == [ALERT.url]
    assert set(message.delivery_ids) == {"dlv-7f3a", "d2"} and message.delivery_id == "dg-1"


def test_digest_orders_topics_by_best_match_and_shows_outlets() -> None:
    low = replace(ALERT, delivery_id="low", topic_id="sea", topic_name="Sea", score=0.5)
    best = replace(ALERT, delivery_id="best", topic_id="sea", topic_name="Sea", score=0.95)
    other = replace(ALERT, also_in=("Antara", "Tempo"))
    body = render_digest("dg-1", ordered([low, other, best]), "text", JAKARTA).body
    assert body.index("== Sea (2) ==") < body.index("id: best") < body.index("id: low")
    assert body.index("id: low") < body.index("== Russia–ASEAN security ties (1) ==")
    assert "Republika, also in Antara, Tempo" in body


@pytest.mark.parametrize(
    ("fmt", "footer"),
    [
        ("text", "id: dlv-7f3a · match 42\n"),
        ("markdown", "id: dlv-7f3a · match 42  \n"),
        ("html", "id: dlv-7f3a · match 42</small>"),
    ],
)
def test_digest_lines_carry_their_match_id(fmt: MessageFormat, footer: str) -> None:
    """Each digest line ends with its match id, as a single alert's footer does, so the reader
    can judge it (``monitor feedback 42 relevant``); a line without a match shows none."""
    bare = replace(ALERT, delivery_id="d2", topic_id="sea", topic_name="Sea", score=0.5)
    body = render_digest("dg-1", ordered([replace(ALERT, match_id=42), bare]), fmt, JAKARTA).body
    expected = (True, 1)
    assert expected == (footer in body, body.count(" · match "))


def test_alert_lists_the_other_outlets() -> None:
    """One story carried by several outlets is one alert naming them, in every format."""
    alert = replace(ALERT, also_in=("Antara", "Tempo <b>"))
    assert "Also in: Antara, Tempo <b>" in render(alert, "text", JAKARTA).body
    assert "**Also in:** Antara, Tempo \\<b\\>" in render(alert, "markdown", JAKARTA).body
    assert "<b>Also in:</b> Antara, Tempo &lt;b&gt;" in render(alert, "html", JAKARTA).body


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("limit", [300, 700, 4096])
def test_alert_fits_any_limit(fmt: MessageFormat, limit: int) -> None:
    """However long the snippet and headline, the body fits; the id is always there."""
    huge = replace(ALERT, title="Rusia " * 300, snippet="ASEAN " * 5000, also_in=("X",) * 50)
    body = render(huge, fmt, JAKARTA, Limits(body=limit)).body
    assert len(body) <= limit and "dlv-7f3a" in body
