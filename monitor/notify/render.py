"""Rendering an alert as a channel message: plain text, Markdown or HTML. Pure: no I/O, no apprise.

Owns: what a message shows (topic, linked title, source, the other outlets that carried the
story, published time in UTC and local time, score, matched terms and where, a short snippet, the
delivery id), fitting it into a channel's length limits (the snippet is shortened first, then
dropped, then the headline; a message is never refused for length), and escaping. Everything
that came from a feed is untrusted: it is HTML-escaped in html, backslash-escaped in markdown,
and only an ``http``/``https`` URL ever becomes a link (a ``javascript:`` or ``data:`` URL is
shown as text).
Does not own: sending (``monitor.notify.send``), or deciding who is told what (the pipeline).

``Message.title`` is always plain text (an email subject, a chat heading): never markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from monitor.display import one_line
from monitor.snippet import SNIPPET_CHARS, trim
from monitor.types import Alert, Hit
from monitor.vocab import MessageFormat

#: longest subject line, in characters
SUBJECT_MAX = 200
#: longest snippet, in characters (ellipses included): the one every output shows
SNIPPET_MAX = SNIPPET_CHARS
#: longest unlinkable URL shown as text
SHOWN_URL_MAX = 300
#: words shown per matched term ("Russia → России, Rusia") before "+N"
MAX_FORMS_SHOWN = 3
#: longest matched words shown (a Chinese or Thai hit is the whole run of text it is in)
MATCHED_MAX = 40

# CommonMark lets any ASCII punctuation be backslash-escaped. Escaped everywhere: what can open
# emphasis, code, a link (parentheses are harmless once "[" and "]" are escaped), raw HTML, an
# autolink, an entity or strikethrough. Escaped only at the start of a field, where a line can
# begin (every field is one line): headings, lists, quotes, setext underlines. The rest stays
# bare so that text reads well where a channel shows Markdown raw.
_MARKDOWN_SPECIAL = frozenset("\\`*_[]<>~&")
#: what a URL shown as Markdown text escapes: only what Markdown unescapes again, so that the
#: HTML made of it (and an email's plain-text part) shows the URL as it is (``\&`` would stay)
_MARKDOWN_URL_SPECIAL = frozenset("\\`*_[]")
_MARKDOWN_LINE_START = re.compile(r"^(?:[#>+=-]|\d+(?=[.)]))")
# Characters a URL may keep as they are inside a Markdown link or an HTML attribute; anything
# else (space, quotes, parentheses, angle brackets, backslash, non-ASCII) is percent-encoded.
_URL_SAFE = "!#$%&*+,-./:;=?@[]_~"
#: a line break in HTML, with nothing after it: apprise makes a plain-text version of an HTML
#: message (an email's text part, a text-only service) by turning each run of white space into
#: one space, so a newline after ``<br>`` would start the next line with a space
BREAK = "<br>"


@dataclass(frozen=True, slots=True)
class Message:
    """One rendered message, ready for a channel."""

    #: subject line / heading: plain text, one line, at most ``SUBJECT_MAX`` characters
    title: str
    #: the body in ``format``
    body: str
    format: MessageFormat
    #: stable id; receivers use it to drop repeats (a digest's own id for a digest)
    delivery_id: str
    #: for a digest: the ids of the deliveries it carries, in the order shown
    delivery_ids: tuple[str, ...] = ()
    #: the alerts it is about, for channels that take structured data (``notify.payload``)
    alerts: tuple[Alert, ...] = ()


@dataclass(frozen=True, slots=True)
class Limits:
    """The longest message a channel takes, in characters."""

    #: body, markup included
    body: int = 32_000
    #: subject line / heading
    title: int = SUBJECT_MAX


@dataclass(frozen=True, slots=True)
class _Facts:
    """What an alert message shows, as plain one-line strings (not yet escaped)."""

    topic: str
    title: str
    #: the article URL if it may be linked (http/https), normalised
    link: str | None
    #: the article URL if it is present but must not be linked
    shown_url: str | None
    source: str
    #: other outlets that carried the same story
    also_in: tuple[str, ...]
    published: str
    score: str
    #: "term (title, text)" for each distinct term, in first-hit order
    terms: tuple[str, ...]
    snippet: str
    delivery_id: str


def render(alert: Alert, fmt: MessageFormat, tz: ZoneInfo, limits: Limits | None = None) -> Message:
    """The message about ``alert`` in format ``fmt``, with times shown in UTC and in ``tz``,
    fitted into ``limits``."""
    limits = limits or Limits()
    facts = _facts(alert, tz)
    subject = trim(f"{facts.topic}: {facts.title}", min(SUBJECT_MAX, limits.title))
    return Message(subject, _fit(facts, fmt, limits.body), fmt, alert.delivery_id, alerts=(alert,))


def _fit(facts: _Facts, fmt: MessageFormat, limit: int) -> str:
    """The body, made to fit ``limit``: shorter snippet, no snippet, shorter headline, less."""
    body = _BODIES[fmt]
    if len(body(facts)) <= limit:
        return body(facts)
    longest, shortest = len(facts.snippet), 0
    while shortest < longest:  # the longest snippet that fits
        middle = (shortest + longest + 1) // 2
        if len(body(replace(facts, snippet=_shorter(facts.snippet, middle)))) <= limit:
            shortest = middle
        else:
            longest = middle - 1
    facts = replace(facts, snippet=_shorter(facts.snippet, shortest))
    for smaller in _last_resorts(facts):
        if len(body(facts)) <= limit:
            break
        facts = smaller
    # still too long (a limit far below any real channel's): cut, on a character boundary
    return body(facts)[:limit]


def _shorter(snippet: str, limit: int) -> str:
    # a snippet of a few words says nothing: drop it instead
    return trim(snippet, limit) if limit >= 40 else ""


def _last_resorts(facts: _Facts) -> list[_Facts]:
    """Ever smaller versions of the facts, for a limit the snippet alone could not meet."""
    outlets = (f"{len(facts.also_in)} other outlets",) if facts.also_in else ()
    fewer = replace(facts, also_in=outlets, terms=facts.terms[:3])
    short_title = replace(fewer, title=trim(facts.title, 80), shown_url=None)
    bare = replace(short_title, title=trim(facts.title, 40), also_in=(), terms=())
    return [fewer, short_title, bare, replace(bare, link=None)]


def render_test(channel: str, fmt: MessageFormat, now: datetime) -> Message:
    """A message that proves a channel works (``monitor notify-test``)."""
    when = now.astimezone(UTC)
    name = one_line(channel)
    delivery_id = f"test-{name}-{when:%Y%m%dT%H%M%SZ}"
    sentence = "This is a test message from the news monitor to channel {name}, sent {when}."
    sent = f"{when:%Y-%m-%d %H:%M} UTC"
    if fmt == "html":
        text = sentence.format(name=f"<b>{html.escape(name)}</b>", when=sent)
        body = f"<p>{text}</p>\n<p><small>id: {html.escape(delivery_id)}</small></p>"
    elif fmt == "markdown":
        text = sentence.format(name=f"**{escape_markdown(name)}**", when=sent)
        body = f"{text}\n\nid: {escape_markdown(delivery_id)}"
    else:
        body = f"{sentence.format(name=name, when=sent)}\n\nid: {delivery_id}"
    return Message(trim(f"monitor test: {name}", SUBJECT_MAX), body, fmt, delivery_id)


# --- facts ---------------------------------------------------------------------------------------


def _facts(alert: Alert, tz: ZoneInfo) -> _Facts:
    link = safe_link(alert.url)
    shown = None if link or not alert.url else trim(one_line(alert.url), SHOWN_URL_MAX)
    return _Facts(
        topic=one_line(alert.topic_name) or alert.topic_id,
        title=one_line(alert.title) or "(untitled)",
        link=link,
        shown_url=shown or None,
        source=one_line(alert.source),
        also_in=tuple(name for name in (one_line(o) for o in alert.also_in) if name),
        published=published_text(alert.published, tz),
        score=f"{alert.score:.2f}",
        terms=matched_terms(alert.hits),
        snippet=trim(one_line(alert.snippet), SNIPPET_MAX),
        # the match id lets the reader judge the alert: ``monitor feedback 42 relevant``
        delivery_id=one_line(alert.delivery_id)
        + ("" if alert.match_id is None else f" · match {alert.match_id}"),
    )


def published_text(published: datetime | None, tz: ZoneInfo) -> str:
    """``2021-12-07 13:33 UTC (20:33 WIB)``; the local date is repeated only when it differs."""
    if published is None:
        return "unknown"
    utc = published.replace(tzinfo=UTC) if published.tzinfo is None else published.astimezone(UTC)
    text = f"{utc:%Y-%m-%d %H:%M} UTC"
    local = utc.astimezone(tz)
    if zone_name(local) == "UTC":
        return text
    shown = f"{local:%H:%M}" if local.date() == utc.date() else f"{local:%Y-%m-%d %H:%M}"
    return f"{text} ({shown} {zone_name(local)})"


def zone_name(local: datetime) -> str:
    """The zone's abbreviation (``WIB``), or ``UTC+07:00`` where zoneinfo has only a number."""
    name = local.tzname() or ""
    if name.isalpha():
        return name
    minutes = int((local.utcoffset() or timedelta(0)).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def matched_terms(hits: tuple[Hit, ...]) -> tuple[str, ...]:
    """``("Russia → России, Rusia (title, text)", "terror* (text)")``: each term once, with the
    document's words that fired it where they differ from the term, and where it matched."""
    fields: dict[str, list[str]] = {}
    forms: dict[str, list[str]] = {}
    for hit in hits:
        term = one_line(hit.term)
        where = fields.setdefault(term, [])
        if hit.field not in where:
            where.append(hit.field)
        shown = forms.setdefault(term, [])
        word = trim(one_line(hit.matched), MATCHED_MAX)
        if word and hit.expanded and word not in shown:
            shown.append(word)
    order = ("title", "text")
    return tuple(
        f"{term}{_fired(forms[term])} ({', '.join(sorted(where, key=order.index))})"
        for term, where in fields.items()
    )


def _fired(words: list[str]) -> str:
    if not words:
        return ""
    more = f" +{len(words) - MAX_FORMS_SHOWN}" if len(words) > MAX_FORMS_SHOWN else ""
    return f" → {', '.join(words[:MAX_FORMS_SHOWN])}{more}"


def safe_link(url: str | None) -> str | None:
    """``url`` normalised and percent-encoded if it is an absolute http(s) URL, else None."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return quote(parts.geturl(), safe=_URL_SAFE)


# --- formats -------------------------------------------------------------------------------------


def escape_markdown(text: str) -> str:
    """``text`` (one line) with every Markdown control character backslash-escaped."""
    escaped = "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in text)
    # "# x", "- x", "> x", "1. x": escape the mark itself (for "1." the dot after the digits)
    start = _MARKDOWN_LINE_START.match(escaped)
    if start is None:
        return escaped
    end = start.end()
    return escaped[:end] + "\\" + escaped[end:] if escaped[:1].isdigit() else "\\" + escaped


def markdown_url(url: str) -> str:
    """A linkable URL (``safe_link``) as Markdown text: shown beside its link, because an
    email's plain-text part keeps no link target."""
    return "".join("\\" + c if c in _MARKDOWN_URL_SPECIAL else c for c in url)


def _text(f: _Facts) -> str:
    lines = [f"Topic: {f.topic}", f.title]
    lines += [url for url in (f.link, f.shown_url) if url]
    lines.append(f"Source: {f.source}")
    if f.also_in:
        lines.append(f"Also in: {', '.join(f.also_in)}")
    lines += [
        f"Published: {f.published}",
        f"Score: {f.score} · Matched: {'; '.join(f.terms) or 'none'}",
    ]
    if f.snippet:
        lines += ["", f.snippet]
    return "\n".join([*lines, "", f"id: {f.delivery_id}"])


def _markdown(f: _Facts) -> str:
    md = escape_markdown
    title = f"**[{md(f.title)}]({f.link})**" if f.link else f"**{md(f.title)}**"
    # one paragraph per line: a single newline is only a soft break in Markdown
    paragraphs = [f"**Topic:** {md(f.topic)}", title]
    if f.link:  # as text too: an email's plain-text part keeps no link target
        paragraphs.append(markdown_url(f.link))
    if f.shown_url:
        paragraphs.append(md(f.shown_url))
    paragraphs.append(f"**Source:** {md(f.source)}")
    if f.also_in:
        paragraphs.append(f"**Also in:** {md(', '.join(f.also_in))}")
    paragraphs += [
        f"**Published:** {f.published}",  # ours: digits, letters and ":()+-", no escaping
        f"**Score:** {f.score} · **Matched:** {md('; '.join(f.terms) or 'none')}",
    ]
    if f.snippet:
        paragraphs.append(f"> {md(f.snippet)}")
    return "\n\n".join([*paragraphs, f"id: {md(f.delivery_id)}"])


def _html(f: _Facts) -> str:
    h = html.escape
    title = f'<a href="{h(f.link)}">{h(f.title)}</a>' if f.link else h(f.title)
    lines = [f"<b>Topic:</b> {h(f.topic)}", f"<b>{title}</b>"]
    if f.link:  # as text too: an email's plain-text part keeps no link target
        lines.append(f"<small>{h(f.link)}</small>")
    if f.shown_url:
        lines.append(h(f.shown_url))
    lines.append(f"<b>Source:</b> {h(f.source)}")
    if f.also_in:
        lines.append(f"<b>Also in:</b> {h(', '.join(f.also_in))}")
    lines += [
        f"<b>Published:</b> {h(f.published)}",
        f"<b>Score:</b> {f.score} · <b>Matched:</b> {h('; '.join(f.terms) or 'none')}",
    ]
    parts = ["<p>" + BREAK.join(lines) + "</p>"]
    if f.snippet:
        parts.append(f"<blockquote>{h(f.snippet)}</blockquote>")
    parts.append(f"<p><small>id: {h(f.delivery_id)}</small></p>")
    return "\n".join(parts)


_BODIES: dict[str, Callable[[_Facts], str]] = {
    "text": _text,
    "markdown": _markdown,
    "html": _html,
}


def render_source_notice(
    notice_id: str, source_name: str, problem: str, fmt: MessageFormat
) -> Message:
    """A message about a source (failing for a day, or gone): its name and the problem.

    ``notice_id`` is stable for one run of failures, so a receiver can drop a repeat.
    """
    name = one_line(source_name)
    text = one_line(problem)
    if fmt == "html":
        body = f"<p><b>{html.escape(name)}</b>: {html.escape(text)}</p>"
        body += f"\n<p><small>id: {html.escape(notice_id)}</small></p>"
    elif fmt == "markdown":
        shown_id = escape_markdown(notice_id)
        body = f"**{escape_markdown(name)}**: {escape_markdown(text)}\n\nid: {shown_id}"
    else:
        body = f"{name}: {text}\n\nid: {notice_id}"
    return Message(
        trim(f"monitor: source {name} needs attention", SUBJECT_MAX), body, fmt, notice_id
    )
