"""The dashboard's pages: values in, HTML out. Pure: no I/O, no clock, no request.

Owns: the Jinja2 environment (autoescape on for every template: everything from a feed is
hostile, and nothing is marked safe; the templates put a feed's text in ``<bdi>``, through the
``feed`` filter, so its direction never spills onto the score or words beside it), the data
each template gets, and times shown in the configured zone. ``app`` reads the store and calls
one ``render_*`` per page.
Does not own: the queries (``monitor.store``), what a snippet is (``monitor.snippet``) or a chart
(``present``), routing, auth or CSRF (``app``).

Values: the store's values (``MatchDetail``, ``DeliveryRecord``, ``SourceState``, ``DayCount``)
come in as they are and reach the templates unchanged, beside what a page adds (times in the
configured zone, highlighted titles and snippets, safe links, charts). The four view values
here mirror no store value: ``Frame`` is what every page needs from the request and settings,
``TopicCard`` joins a topic (settings) with its explanation (``monitor.match``) and its counts and
verdicts (store), ``TryResult`` is a dry run that is never stored, and ``NearMisses`` holds one
topic's near misses (``monitor.rematch``) for its section. They look like the store's values
(frozen, documented fields) because that is how every value here is written.

    render_matches   newest first, filters, snippet with matched words, why, deliveries, verdicts
    render_topics    each topic: query and expansion, matches per day, feedback, "try it",
                     near misses and suggested query edits (one topic's, asked for)
    render_sources   status (with the last poll's warning beside it), last and next check,
                     last error, items per day (a feed's URL is a link only when it holds no
                     credential or token: else shown masked)
    render_deliveries  pending and dead, with a retry button for the dead
    render_nodes     the daemons sharing a PostgreSQL database: heartbeat age, what each holds
    render_login     the token form (only when ``web.token`` is set)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined

from monitor.cluster import NodeView
from monitor.config import SourceSettings
from monitor.learn.precision import Tally
from monitor.learn.suggest import MIN_SUPPORT, Suggestions
from monitor.redact import masked_url
from monitor.rematch import NearMiss
from monitor.snippet import article_snippet, matched_words
from monitor.store import (
    NO_LANGUAGE,
    DayCount,
    DeliveryRecord,
    MatchDetail,
    MatchFilter,
    SourceState,
)
from monitor.types import Topic
from monitor.web import present


@dataclass(frozen=True, slots=True)
class Frame:
    """What every page needs besides its content."""

    #: the path prefix of every link (``/monitor`` behind a proxy), "" at the root
    base: str
    #: the CSRF token every form carries
    csrf: str
    #: the configured zone times are shown in
    timezone: str
    #: a token protects the pages: show "log out"
    protected: bool = False
    #: the store is PostgreSQL, where several daemons may share it: show "Nodes"
    clustered: bool = False
    #: the read-only feed token the feed links carry (``?token=``), for a signed-in user
    feed_token: str | None = None


@dataclass(frozen=True, slots=True)
class TopicCard:
    """One topic on the topics page."""

    topic: Topic
    #: the query and its expansion as ``monitor explain`` prints them
    explained: str
    days: Sequence[DayCount]
    #: its judged articles as its precision reads them (``monitor.learn.precision``)
    feedback: Tally
    #: its learned filter in words (``monitor.learn.status``): "on (term rule); ..."
    learned: str = "off: not judged yet"

    @property
    def learned_state(self) -> str:
        """On or off, and by which parts: what the reason says before its details."""
        return self.learned.split(";", 1)[0]


@dataclass(frozen=True, slots=True)
class NearMisses:
    """A topic's near misses (``monitor.rematch``), shown in its section with verdict buttons."""

    topic_id: str
    found: Sequence[NearMiss]
    #: the topic's threshold they score below, and how many days back they were looked for
    threshold: float
    days: int


@dataclass(frozen=True, slots=True)
class TryResult:
    """A "try it" dry run: one text explained, or the topic run over stored articles."""

    topic_id: str
    #: the explanation of the pasted text (``monitor explain``'s output), if a text was given
    explained: str | None = None
    matched: bool = False
    #: (title, url, score) of the stored articles that would match, when run over them
    stored: tuple[tuple[str, str | None, float], ...] = ()
    #: how many stored articles were tried
    tried: int = 0
    #: what was pasted, shown again in the form
    title: str = ""
    text: str = ""


class Pages:
    """The templates, loaded once; one method per page."""

    def __init__(self) -> None:
        self._env = Environment(
            loader=PackageLoader("monitor.web", "templates"),
            autoescape=True,  # every template, whatever its name
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.filters["feed"] = present.without_bidi_controls
        self._env.globals["feed_href"] = _feed_href

    def render_matches(
        self,
        frame: Frame,
        details: Sequence[MatchDetail],
        where: MatchFilter,
        params: Mapping[str, str],
        topics: Sequence[Topic],
        sources: Sequence[SourceSettings],
        older: str | None,
        here: str,
        languages: Sequence[str] = (),
        repeated: Mapping[str, int] | None = None,
    ) -> str:
        """The matches page; ``older`` is the link to the next page, ``here`` this page's path,
        ``languages`` those of the stored matches (the language filter's choices; one in the
        URL that no match has is offered too, chosen; so is ``none``, "unknown": the matches
        with no known language); ``repeated``: the parameters given more than once, how many
        times."""
        tz = ZoneInfo(frame.timezone)
        chosen = present.NO_LANGUAGE if where.language == NO_LANGUAGE else where.language
        return self._render(
            "matches.html",
            frame,
            nav="matches",
            rows=[_match_row(d, tz) for d in details],
            params=params,
            periods=list(present.PERIODS),
            sorts=SORTS,
            order=present.order_of(params),
            languages=[
                *languages,
                *([chosen] if chosen and chosen not in (*languages, present.NO_LANGUAGE) else []),
            ],
            no_language=present.NO_LANGUAGE,
            chosen_language=chosen,
            topics=topics,
            sources=sources,
            # a filter on a topic or source no longer configured stays chosen in its select
            gone={
                name: value
                for name, value, known in (
                    ("topic", where.topic, topics),
                    ("source", where.source, sources),
                )
                if value and value not in {k.id for k in known}
            },
            filtered=where != MatchFilter(),
            feed_topic=next((t for t in topics if t.id == where.topic), None),
            notices=present.filter_notices(
                params, [t.id for t in topics], [s.id for s in sources], repeated
            ),
            # an unreadable score is not shown back (it may be any length)
            min_score=params.get("min_score", "") if where.min_score is not None else "",
            older=older,
            here=here,
        )

    def render_topics(
        self,
        frame: Frame,
        cards: Sequence[TopicCard],
        today: date,
        tried: TryResult | None,
        near: NearMisses | None = None,
        said: Suggestions | None = None,
    ) -> str:
        """The topics page; ``near``: one topic's near misses, ``said``: what one topic's
        judgments suggest, each shown in its topic's section."""
        return self._render(
            "topics.html",
            frame,
            nav="topics",
            cards=[(c, present.chart(c.days, today)) for c in cards],
            tried=tried,
            near=near,
            near_rows=[(m, present.safe_href(m.article_key)) for m in near.found] if near else [],
            said=said,
            min_support=MIN_SUPPORT,
        )

    def render_sources(
        self,
        frame: Frame,
        sources: Sequence[SourceSettings],
        states: Mapping[str, SourceState],
        days: Mapping[str, Sequence[DayCount]],
        today: date,
    ) -> str:
        tz = ZoneInfo(frame.timezone)
        rows = [
            {
                "source": source,
                "state": states.get(source.id),
                "status": _status(source, states.get(source.id)),
                "last_check": _local(_get(states, source.id, "last_check"), tz),
                "next_check": _local(_get(states, source.id, "next_check"), tz),
                **_source_link(source.url),
                "chart": present.chart(days.get(source.id, ()), today, days=14, width=140),
                "per_day": sum(c.count for c in days.get(source.id, ())) / 14,
            }
            for source in sources
        ]
        return self._render("sources.html", frame, nav="sources", rows=rows)

    def render_deliveries(
        self,
        frame: Frame,
        pending: Sequence[DeliveryRecord],
        dead: Sequence[DeliveryRecord],
        channels: Mapping[str, Sequence[str]],
        totals: tuple[int, int] | None = None,
    ) -> str:
        """``channels``: each channel's URLs (shown masked: they hold tokens); ``totals``: how
        many are pending and dead in all (the lists hold the newest only)."""
        tz = ZoneInfo(frame.timezone)
        pending_total, dead_total = totals or (len(pending), len(dead))
        return self._render(
            "deliveries.html",
            frame,
            nav="deliveries",
            pending=[_delivery_row(d, tz) for d in pending],
            dead=[_delivery_row(d, tz) for d in dead],
            totals={
                "Pending": max(pending_total, len(pending)),
                "Dead": max(dead_total, len(dead)),
            },
            channels={name: [present.masked(u) for u in urls] for name, urls in channels.items()},
        )

    def render_nodes(self, frame: Frame, nodes: Sequence[NodeView], now: datetime) -> str:
        """``now``: the moment the heartbeats' ages are counted from."""
        tz = ZoneInfo(frame.timezone)
        rows = [_node_row(node, now, tz) for node in nodes]
        return self._render("nodes.html", frame, nav="nodes", rows=rows)

    def render_login(self, frame: Frame, next_path: str, failed: bool) -> str:
        return self._render("login.html", frame, nav="", next_path=next_path, failed=failed)

    def render_error(
        self,
        frame: Frame,
        status: int,
        message: str,
        back: tuple[str, str] | None = None,
        matches: str | None = None,
    ) -> str:
        """``back``: a way back (href, label) besides the matches page; ``matches``: the link
        back to the matches (the list with the filters that can be read), else the list."""
        home = matches or f"{frame.base}/"
        return self._render(
            "error.html", frame, nav="", status=status, message=message, back=back, home=home
        )

    def _render(self, name: str, frame: Frame, **values: object) -> str:
        return self._env.get_template(name).render(frame=frame, **values)


#: the list's orders, as the sort filter offers them
SORTS = {"matched": "time matched", "published": "date published"}


def _feed_href(frame: Frame, topic_id: str | None = None) -> str:
    """The link of the Atom feed of ``topic_id`` (all matches when None)."""
    return present.feed_path(frame.base, topic_id, frame.feed_token)


def _match_row(detail: MatchDetail, tz: ZoneInfo) -> dict[str, object]:
    match = detail.match
    words = matched_words(match.hits)
    return {
        "id": match.match_id,
        "title": present.highlighted(match.title, words),
        "href": present.safe_href(match.url),
        "url": match.url,
        "topic_id": match.topic_id,
        "topic_name": match.topic_name,
        "source": detail.source_name,
        "also_in": match.also_in,
        "matched_at": _local(match.created, tz),
        "published": _local(match.published, tz),
        "score": f"{match.score:.2f}",
        "language": detail.language,
        "lang": present.lang_tag(detail.language),
        "snippet": present.highlighted(article_snippet(detail.text, detail.summary, words), words),
        "why": present.why(match.hits),
        "deliveries": detail.deliveries,
        "verdict": detail.verdict,
    }


def _delivery_row(record: DeliveryRecord, tz: ZoneInfo) -> dict[str, object]:
    return {
        "record": record,
        "created": _local(record.created, tz),
        "next_attempt": _local(record.next_attempt, tz),
        "last_attempt": _local(record.last_attempt, tz),
        "href": present.safe_href(record.url),
    }


def _node_row(node: NodeView, now: datetime, tz: ZoneInfo) -> dict[str, object]:
    return {
        "node": node,
        "age": present.age(now - node.heartbeat),
        "started": _local(node.started, tz),
        "expires": _local(node.expires, tz),
        "channels": [name.removeprefix("channel:") for name in node.channels],
    }


def _source_link(url: str) -> dict[str, str | None]:
    """A feed's URL as its row shows it: a link when it holds no secret; else no link, and the
    URL masked as ``monitor sources --opml`` prints it (``http://***@host/feed?api_key=***``)."""
    shown = masked_url(url)
    if shown != url:
        return {"href": None, "masked": shown}
    return {"href": present.safe_href(url), "masked": None}


def _status(source: SourceSettings, state: SourceState | None) -> str:
    if not source.enabled:
        return "disabled"
    return "new" if state is None else state.status


def _get(states: Mapping[str, SourceState], source_id: str, name: str) -> datetime | None:
    state = states.get(source_id)
    return None if state is None else getattr(state, name)


def _local(when: datetime | None, tz: ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M") if when else "–"
