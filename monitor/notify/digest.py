"""Rendering many alerts as one message: digests, and the dead-letter report. Pure: no I/O.

Owns: what a digest shows (the matches grouped by topic, topics with the best match first,
matches by score; each line with its linked headline, source, other outlets, time, score, its
own delivery id, so a receiver can tell every alert apart, and its match id, so the reader can
judge it: ``monitor feedback 42 relevant``), splitting a digest that would not fit
a channel into several messages (``pack``), and the report of deliveries that failed for good.
Escaping follows ``monitor.notify.render``: feed text is escaped, only http(s) URLs are linked.
Does not own: which alerts go into a digest (``monitor.deliver.plan``), nor sending.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from monitor.display import one_line
from monitor.notify.render import (
    BREAK,
    SUBJECT_MAX,
    Limits,
    Message,
    escape_markdown,
    markdown_url,
    matched_terms,
    published_text,
    safe_link,
)
from monitor.snippet import trim
from monitor.types import Alert
from monitor.vocab import MessageFormat

#: headline length inside a digest line
DIGEST_TITLE_MAX = 160
#: snippet length inside a digest line
DIGEST_SNIPPET_MAX = 160
#: why a digest was sent, as its heading says
_KIND_TEXT = {
    "scheduled": "scheduled digest",
    "backlog": "digest of alerts that piled up",
    "rollup": "digest of alerts over the hourly limit",
}


@dataclass(frozen=True, slots=True)
class DeadNotice:
    """A delivery that failed for good, as the dead-letter report shows it."""

    delivery_id: str
    channel: str
    topic_id: str
    title: str
    url: str | None
    attempts: int
    #: the last error (secret-free, as recorded)
    error: str | None


@dataclass(frozen=True, slots=True)
class _Line:
    """One alert of a digest, as plain one-line strings (not yet escaped)."""

    title: str
    link: str | None
    source: str
    also_in: str
    published: str
    score: str
    delivery_id: str
    #: " · match 42" ("" when the alert has no stored match)
    match: str = ""
    #: "term → form (title, text); ..." ("" when left out for length)
    terms: str = ""
    #: a short excerpt ("" when left out for length)
    snippet: str = ""


def ordered(alerts: Sequence[Alert]) -> list[Alert]:
    """Grouped by topic (the topic with the best match first), highest score first within."""
    best: dict[str, float] = {}
    for alert in alerts:
        best[alert.topic_id] = max(best.get(alert.topic_id, 0.0), alert.score)
    return sorted(alerts, key=lambda a: (-best[a.topic_id], a.topic_id, -a.score, a.delivery_id))


def render_digest(
    digest_id: str,
    alerts: Sequence[Alert],
    fmt: MessageFormat,
    tz: ZoneInfo,
    kind: str = "scheduled",
    part: tuple[int, int] = (1, 1),
    limits: Limits | None = None,
) -> Message:
    """One message carrying ``alerts`` (already ``ordered``), with its own id ``digest_id``.

    Each line shows its matched terms and a snippet where ``limits`` allow: the snippets go
    first, then the terms (``pack`` sizes the parts without them, so a part always fits).
    """
    for detail in (2, 1, 0):
        message = _digest(digest_id, alerts, fmt, tz, kind, part, detail)
        if limits is None or len(message.body) <= limits.body:
            break
    return message


def _digest(
    digest_id: str,
    alerts: Sequence[Alert],
    fmt: MessageFormat,
    tz: ZoneInfo,
    kind: str,
    part: tuple[int, int],
    detail: int,
) -> Message:
    """The digest with ``detail`` 2 (terms and snippets), 1 (terms) or 0 (neither)."""
    groups: dict[str, list[Alert]] = {}
    for alert in alerts:
        groups.setdefault(alert.topic_id, []).append(alert)
    topics = len(groups)
    count = f"{len(alerts)} alert{'s' if len(alerts) != 1 else ''}"
    of = f" (part {part[0]} of {part[1]})" if part[1] > 1 else ""
    subject = f"News monitor: {count} on {topics} topic{'s' if topics != 1 else ''}{of}"
    heading = f"{_KIND_TEXT.get(kind, 'digest')}: {count}{of}"
    sections = [
        (
            one_line(group[0].topic_name) or group[0].topic_id,
            [_line(a, tz, detail) for a in group],
        )
        for group in groups.values()
    ]
    body = _DIGEST_BODIES[fmt](heading, sections, one_line(digest_id))
    ids = tuple(a.delivery_id for a in alerts)
    return Message(trim(subject, SUBJECT_MAX), body, fmt, digest_id, ids, tuple(alerts))


def pack(
    alerts: Sequence[Alert], fmt: MessageFormat, tz: ZoneInfo, limits: Limits
) -> list[list[Alert]]:
    """``alerts`` (already ``ordered``) split into as few messages as fit ``limits.body``.

    Linear: each alert is measured once, alone in a digest with a worst-case id and part counter,
    so its cost includes a topic heading it may share; a part may come out a little short of
    the limit, never over it.
    """

    def size(some: Sequence[Alert]) -> int:
        return len(_digest("x" * 40, some, fmt, tz, "backlog", (99, 99), detail=0).body)

    base = size([])
    parts: list[list[Alert]] = []
    current: list[Alert] = []
    total = base
    for alert in alerts:
        cost = size([alert]) - base
        if current and total + cost > limits.body:
            parts.append(current)
            current, total = [], base
        current.append(alert)
        total += cost
    if current:
        parts.append(current)
    return parts


def render_dead_letters(
    notices: Sequence[DeadNotice], fmt: MessageFormat, now: datetime
) -> Message:
    """The report of deliveries that failed for good, for the dead-letter channel."""
    when = now.astimezone(UTC)
    count = len(notices)
    subject = f"News monitor: {count} alert{'s' if count != 1 else ''} could not be delivered"
    heading = "These alerts failed for good and will not be retried:"
    lines = [
        (
            f"{one_line(n.channel)} · {one_line(n.topic_id)} · "
            f"{trim(one_line(n.title) or '(untitled)', DIGEST_TITLE_MAX)}",
            safe_link(n.url),
            f"{n.attempts} attempt{'s' if n.attempts != 1 else ''}; "
            f"last error: {one_line(n.error or 'none')} · id: {one_line(n.delivery_id)}",
        )
        for n in notices
    ]
    report_id = f"dead-{when:%Y%m%dT%H%M%SZ}"
    body = _REPORT_BODIES[fmt](heading, lines, report_id)
    return Message(subject, body, fmt, report_id, tuple(n.delivery_id for n in notices))


# --- lines -------------------------------------------------------------------------------------


def _line(alert: Alert, tz: ZoneInfo, detail: int = 0) -> _Line:
    outlets = [name for name in (one_line(o) for o in alert.also_in) if name]
    terms = "; ".join(matched_terms(alert.hits)) if detail >= 1 else ""
    return _Line(
        title=trim(one_line(alert.title) or "(untitled)", DIGEST_TITLE_MAX),
        link=safe_link(alert.url),
        source=one_line(alert.source),
        also_in=f"also in {', '.join(outlets)}" if outlets else "",
        published=published_text(alert.published, tz),
        score=f"{alert.score:.2f}",
        delivery_id=one_line(alert.delivery_id),
        match="" if alert.match_id is None else f" · match {alert.match_id}",
        terms=f"matched: {terms}" if terms else "",
        snippet=trim(one_line(alert.snippet), DIGEST_SNIPPET_MAX) if detail >= 2 else "",
    )


def _about(line: _Line) -> str:
    """``Republika, also in Antara · 2021-12-07 13:33 UTC · score 0.82 · id: ... · match 42``
    (plain), the footer of a single alert's message in one line."""
    source = ", ".join(filter(None, (line.source, line.also_in)))
    ids = f"id: {line.delivery_id}{line.match}"
    return f"{source} · {line.published} · score {line.score} · {ids}"


def _extras(line: _Line) -> list[str]:
    """The line's matched terms and snippet, those it has."""
    return [extra for extra in (line.terms, line.snippet) if extra]


Section = tuple[str, list[_Line]]


def _digest_text(heading: str, sections: list[Section], digest_id: str) -> str:
    out = [heading[:1].upper() + heading[1:]]
    for topic, lines in sections:
        out += ["", f"== {topic} ({len(lines)}) =="]
        for line in lines:
            out.append(f"- {line.title}")
            if line.link:
                out.append(f"  {line.link}")
            out.append(f"  {_about(line)}")
            out += [f"  {extra}" for extra in _extras(line)]
    return "\n".join([*out, "", f"digest id: {digest_id}"])


def _digest_markdown(heading: str, sections: list[Section], digest_id: str) -> str:
    md = escape_markdown
    out = [f"**{md(heading[:1].upper() + heading[1:])}**"]
    for topic, lines in sections:
        out.append(f"**{md(topic)}** ({len(lines)})")
        items = []
        for line in lines:
            title = f"[{md(line.title)}]({line.link})" if line.link else md(line.title)
            # the URL as text too: an email's plain-text part keeps no link target
            shown = f"  \n  {markdown_url(line.link)}" if line.link else ""
            extras = "".join(f"  \n  {md(x)}" for x in _extras(line))
            items.append(f"- {title}{shown}  \n  {md(_about(line))}{extras}")
        out.append("\n".join(items))
    return "\n\n".join([*out, f"digest id: {md(digest_id)}"])


def _digest_html(heading: str, sections: list[Section], digest_id: str) -> str:
    h = html.escape
    out = [f"<p><b>{h(heading[:1].upper() + heading[1:])}</b></p>"]
    for topic, lines in sections:
        out.append(f"<p><b>{h(topic)}</b> ({len(lines)})</p>")
        items = []
        for line in lines:
            title = f'<a href="{h(line.link)}">{h(line.title)}</a>' if line.link else h(line.title)
            # the URL as text too: an email's plain-text part keeps no link target
            shown = f"{BREAK}<small>{h(line.link)}</small>" if line.link else ""
            extras = "".join(f"{BREAK}<small>{h(x)}</small>" for x in _extras(line))
            items.append(f"<li>{title}{shown}{BREAK}<small>{h(_about(line))}</small>{extras}</li>")
        out.append("<ul>\n" + "\n".join(items) + "\n</ul>")
    out.append(f"<p><small>digest id: {h(digest_id)}</small></p>")
    return "\n".join(out)


_DIGEST_BODIES: dict[str, Callable[[str, list[Section], str], str]] = {
    "text": _digest_text,
    "markdown": _digest_markdown,
    "html": _digest_html,
}

Report = tuple[str, str | None, str]


def _report_text(heading: str, lines: list[Report], report_id: str) -> str:
    out = [heading]
    for what, link, detail in lines:
        out += ["", f"- {what}", *([f"  {link}"] if link else []), f"  {detail}"]
    return "\n".join([*out, "", f"id: {report_id}"])


def _report_markdown(heading: str, lines: list[Report], report_id: str) -> str:
    md = escape_markdown
    items = [
        # the URL as the link's text: an email's plain-text part keeps no link target
        f"- {md(what)}"
        + (f" ([{markdown_url(link)}]({link}))" if link else "")
        + f"  \n  {md(detail)}"
        for what, link, detail in lines
    ]
    return "\n\n".join([f"**{md(heading)}**", "\n".join(items), f"id: {md(report_id)}"])


def _report_html(heading: str, lines: list[Report], report_id: str) -> str:
    h = html.escape
    items = [
        f"<li>{h(what)}"
        + (f' (<a href="{h(link)}">{h(link)}</a>)' if link else "")
        + f"{BREAK}<small>{h(detail)}</small></li>"
        for what, link, detail in lines
    ]
    return "\n".join(
        [f"<p><b>{h(heading)}</b></p>", "<ul>", *items, "</ul>",
         f"<p><small>id: {h(report_id)}</small></p>"]
    )  # fmt: skip


_REPORT_BODIES: dict[str, Callable[[str, list[Report], str], str]] = {
    "text": _report_text,
    "markdown": _report_markdown,
    "html": _report_html,
}
