"""The web side's application: routes, the gate in front of them, and the reads behind them.

Owns: the Starlette app (``build_app``): which path does what, reading the store (in a thread:
the event loop is the daemon's, polls run on it too), the gate (``guard``: Host, token, CSRF,
security headers) as middleware, a bug's 500 (a fixed page, with the security headers too),
and turning the store's values into responses through ``pages`` and ``atom``. Every write is
a POST with a CSRF token, answered by a redirect.

    GET  /                               matches (filters, ?sort=matched | published, ?from=,
                                         ?to= days; keyset paging with ?after=)
    POST /matches/<id>/feedback          verdict=relevant | not-relevant | undo
    GET  /topics                         topics; POST /topics/<id>/try: a dry run (its GET:
                                         back to the topic)
    GET  /topics?near=<id>               with that topic's near misses; POST
         /topics/<id>/feedback           article=<key>, verdict=relevant | not-relevant
    GET  /feedback.jsonl                 every judgment, as a feedback file (a download)
    GET  /sources, /deliveries           POST /deliveries/<id>/retry: a dead one again
    GET  /nodes                          the daemons sharing a PostgreSQL database
    GET  /feeds/all.atom, /feeds/<topic>.atom
    GET  /metrics, /healthz
    GET, POST /login; POST /logout       only meaningful when ``web.token`` is set

Does not own: binding and serving (``server``), HTML (``pages``), metric names (``metrics``).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from monitor.config import Settings
from monitor.errors import StoreError
from monitor.extract import text_language
from monitor.learn import status
from monitor.learn.feedback_file import write_feedback
from monitor.learn.precision import Tally, tallies
from monitor.learn.suggest import Suggestions, suggestions
from monitor.match import Explanation, Matcher
from monitor.match.explain import render_explanation
from monitor.pipeline import NEAR_MISS_DAYS, near_misses
from monitor.store import DayCount, Learned, MatchDetail, MatchFilter, row_id
from monitor.types import Document, Topic
from monitor.web import atom, guard, present
from monitor.web.context import WebContext
from monitor.web.metrics import CONTENT_TYPE as METRICS_TYPE
from monitor.web.pages import Frame, NearMisses, TopicCard, TryResult

log = logging.getLogger("monitor.web")

#: matches per dashboard page, and per Atom feed
PAGE_SIZE = 50
FEED_SIZE = 50
#: the newest pending and dead deliveries the deliveries page lists (each counted in full)
DELIVERIES_SHOWN = 200
#: stored articles a "try it" run over stored articles matches
TRY_ARTICLES = 500
#: the longest headline and text "try it" takes
TRY_TITLE, TRY_TEXT = 1_000, 100_000
#: the form fields that take a pasted text ("try it"), and the control characters they keep
PASTED, PASTED_CONTROLS = frozenset({"title", "text"}), "\t\n\r"
#: a feedback file's media type (JSON Lines; never rendered as a page)
JSONL_TYPE = "application/x-ndjson"


def build_app(ctx: WebContext) -> Starlette:
    """The ASGI app of the web side."""

    def handler(view: Callable[[WebContext, Request], Awaitable[Response]], paid: bool = True):
        """``paid``: the request waits for the page budget (probes and scrapes do not)."""

        async def endpoint(request: Request) -> Response:
            if not paid:
                return await view(ctx, request)
            async with ctx.budget.slot():
                return await view(ctx, request)

        return endpoint

    routes = [
        Route("/", handler(matches_page)),
        Route("/matches/{match_id}/feedback", handler(feedback), methods=["POST"]),
        Route("/topics", handler(topics_page)),
        Route("/topics/{topic_id}/try", handler(try_topic), methods=["GET", "POST"]),
        Route("/topics/{topic_id}/feedback", handler(article_feedback), methods=["POST"]),
        Route("/feedback.jsonl", handler(export_judgments)),
        Route("/sources", handler(sources_page)),
        Route("/deliveries", handler(deliveries_page)),
        Route("/deliveries/{delivery_id}/retry", handler(retry), methods=["POST"]),
        Route("/nodes", handler(nodes_page)),
        Route("/feeds/{name}", handler(feed)),
        Route("/metrics", handler(metrics, paid=False)),
        Route("/healthz", handler(healthz, paid=False)),
        Route("/login", handler(login), methods=["GET", "POST"]),
        Route("/logout", handler(logout), methods=["POST"]),
        Mount("/static", StaticFiles(packages=[("monitor.web", "static")]), name="static"),
    ]

    async def error(request: Request, exc: Exception) -> Response:
        return _error_page(ctx, request, exc)

    return Starlette(
        routes=routes,
        middleware=[Middleware(BaseHTTPMiddleware, dispatch=_gate(ctx))],
        exception_handlers={HTTPException: error, StoreError: error, Exception: _server_error},
    )


# --- the gate ------------------------------------------------------------------------------------


def _gate(ctx: WebContext):
    async def dispatch(request: Request, call_next) -> Response:
        if not guard.host_ok(request.headers.get("host"), ctx.hosts):
            return _plain(400, "this dashboard does not answer to that host name\n")
        if not _address_ok(request):
            return _plain(400, "the address holds a control character (%00 and the like)\n")
        cookie = request.cookies.get(guard.CSRF_COOKIE)
        request.state.csrf = cookie if guard.usable_csrf(cookie) else guard.new_csrf()
        now, revoked = ctx.now(), ctx.logged_out
        request.state.signed_in = guard.signed_in(
            ctx.token, request.headers, request.cookies, now, revoked
        )
        if guard.authorised(
            ctx.token, request.url.path, request.headers, request.cookies, request.query_params,
            ctx.feed_token, now=now, revoked=revoked,
        ):  # fmt: skip
            response = await call_next(request)
        else:
            response = _refused(ctx, request)
        response.headers.update(guard.HEADERS)
        if request.state.csrf != cookie and getattr(request.state, "csrf_shown", False):
            # only a page that carries a form needs the cookie (feeds, metrics and probes
            # never do: a reader polling a feed would get a new cookie at every request)
            response.set_cookie(
                guard.CSRF_COOKIE, request.state.csrf, httponly=True, samesite="strict",
                secure=_secure(ctx, request), path=ctx.base or "/",
            )  # fmt: skip
        return response

    return dispatch


def _address_ok(request: Request) -> bool:
    """The path and query parameters (decoded) hold no control character."""
    texts = [request.scope["path"], *(t for kv in request.query_params.multi_items() for t in kv)]
    return all(guard.control_free(text) for text in texts)


def _refused(ctx: WebContext, request: Request) -> Response:
    """401. A page shows the login form in its place (back to the page once logged in);
    anything else (feeds, metrics, POSTs) gets a plain-text 401."""
    path = request.url.path
    challenge = {"WWW-Authenticate": 'Bearer realm="news-monitor"'}
    if request.method == "GET" and not path.startswith(("/feeds/", "/metrics")):
        frame = _frame(ctx, request, ctx.settings())
        form = ctx.pages.render_login(frame, ctx.base + path + _query(request), False)
        response = _html(form, status=401)
        response.headers.update(challenge)
        return response
    return Response(
        "a token is required (Authorization: Bearer, or log in)\n",
        status_code=401,
        media_type="text/plain",
        headers=challenge,
    )


async def _form(ctx: WebContext, request: Request) -> dict[str, str]:
    """The POST's form fields, after the CSRF check (403 when it fails)."""
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    for name, value in fields.items():
        # a pasted text keeps its line breaks and tabs; no other field has a control character
        if not guard.control_free(value, PASTED_CONTROLS if name in PASTED else ""):
            raise HTTPException(400, f"The form field {name!r} holds a control character.")
    ours = {_origin(ctx, request)} | ({_origin_of(ctx.base_url)} if ctx.base_url else set())
    if not guard.csrf_ok(
        request.cookies.get(guard.CSRF_COOKIE),
        fields.get(guard.CSRF_FIELD),
        request.headers.get("origin"),
        ours,
    ):
        raise HTTPException(403, "The form expired or came from another site: reload the page.")
    return fields


# --- pages --------------------------------------------------------------------------------------


async def matches_page(ctx: WebContext, request: Request) -> Response:
    settings, now = ctx.settings(), ctx.now()
    params = {k: v for k, v in request.query_params.items() if k != "token"}
    given = Counter(k for k, _ in request.query_params.multi_items())
    repeated = {name: count for name, count in given.items() if count > 1}
    order = present.order_of(params)
    try:
        where = present.match_filter(params, now, ZoneInfo(settings.timezone))
    except present.BadFilter as e:
        kept = {k: v for k, v in present.readable_params(params).items() if k not in e.names}
        back = f"{ctx.base}/" + (f"?{urlencode(kept)}" if kept else "")
        raise PageError(400, str(e), matches=back) from None
    after = present.parse_cursor(params.get("after"), order)
    found = await asyncio.to_thread(ctx.store.match_page, where, after, PAGE_SIZE + 1, order)
    languages = await asyncio.to_thread(ctx.store.match_languages)
    # the page's links (older, back after a verdict) leave out what was ignored as unreadable
    readable = present.readable_params(params)
    older = None
    if len(found) > PAGE_SIZE:
        found = found[:PAGE_SIZE]
        cursor = present.cursor_text(present.cursor_of(found[-1], order))
        older = f"{ctx.base}/?" + urlencode({**readable, "after": cursor})
    here = f"{ctx.base}/" + (f"?{urlencode(readable)}" if readable else "")
    html = await asyncio.to_thread(
        ctx.pages.render_matches, _frame(ctx, request, settings), found, where, params,
        settings.topics, settings.sources, older, here, languages, repeated,
    )  # fmt: skip
    return _html(html)


async def feedback(ctx: WebContext, request: Request) -> Response:
    fields = await _form(ctx, request)
    match_id = row_id(request.path_params["match_id"])
    if match_id is None:  # beyond what the store holds: the driver would refuse to compare it
        raise HTTPException(404, "No such match.")
    verdict = fields.get("verdict", "")
    if verdict == "undo":
        await asyncio.to_thread(ctx.store.undo_feedback, match_id)
    elif verdict in ("relevant", "not-relevant"):
        # the CLI's store call: a second click of the same button adds nothing (one undo
        # takes it back); a database failure is the 503 page, not "no such match"
        given = await asyncio.to_thread(
            ctx.store.record_feedback, match_id, verdict, "web", ctx.now()
        )
        if given is None:
            raise HTTPException(404, "No such match.")
    else:
        raise HTTPException(400, "Unknown verdict.")
    return RedirectResponse(present.safe_next(fields.get("next"), ctx.base + "/"), 303)


async def topics_page(ctx: WebContext, request: Request) -> Response:
    near, suggest = request.query_params.get("near"), request.query_params.get("suggest")
    return _html(await _topics_html(ctx, request, None, near, suggest))


async def article_feedback(ctx: WebContext, request: Request) -> Response:
    """A verdict of a topic on a stored article it did not match (a near miss)."""
    fields = await _form(ctx, request)
    topic_id = request.path_params["topic_id"]
    if topic_id not in {t.id for t in ctx.settings().topics}:
        raise _no_topic(ctx, topic_id, "your verdict was not stored")
    verdict, key = fields.get("verdict", ""), fields.get("article", "")
    if verdict not in ("relevant", "not-relevant"):
        raise HTTPException(400, "Unknown verdict.")
    given = await asyncio.to_thread(
        ctx.store.record_article_feedback, topic_id, key, verdict, "web", ctx.now()
    )
    if given is None:
        raise HTTPException(404, "No such article.")
    back = f"{ctx.base}/topics?" + urlencode({"near": topic_id})
    return RedirectResponse(present.safe_next(fields.get("next"), back), 303)


async def export_judgments(ctx: WebContext, request: Request) -> Response:
    """Every judgment as a feedback file, ``monitor feedback --export``'s: a download."""
    body = await asyncio.to_thread(lambda: "".join(write_feedback(ctx.store.all_judgments())))
    disposition = 'attachment; filename="judgments.jsonl"'
    return Response(body, media_type=JSONL_TYPE, headers={"Content-Disposition": disposition})


async def try_topic(ctx: WebContext, request: Request) -> Response:
    """A dry run (POST); a GET of its address (a reload, a bookmark) goes to the topic."""
    if request.method == "GET":
        topic = quote(request.path_params["topic_id"], safe="")
        return RedirectResponse(f"{ctx.base}/topics#topic-{topic}", 303)
    fields = await _form(ctx, request)
    settings = ctx.settings()
    topic_id = request.path_params["topic_id"]
    if topic_id not in {t.id for t in settings.topics}:
        raise _no_topic(ctx, topic_id, "nothing was tried")
    title, text = fields.get("title", "")[:TRY_TITLE], fields.get("text", "")[:TRY_TEXT]
    matcher = ctx.matcher(settings)
    if fields.get("mode") == "stored":
        documents = await asyncio.to_thread(ctx.store.recent_documents, TRY_ARTICLES)
        stored = await asyncio.to_thread(_run_over, matcher, topic_id, documents)
        tried = TryResult(topic_id, stored=stored, tried=len(documents), title=title, text=text)
    else:
        explanation = await asyncio.to_thread(_try, matcher, topic_id, title, text)
        tried = TryResult(
            topic_id, render_explanation(explanation), explanation.matched, title=title, text=text
        )
    return _html(await _topics_html(ctx, request, tried))


async def sources_page(ctx: WebContext, request: Request) -> Response:
    settings, now = ctx.settings(), ctx.now()
    states = await asyncio.to_thread(ctx.store.source_states)
    days = await ctx.chart_data(
        "article_days", lambda: ctx.store.article_days(now - timedelta(days=14))
    )
    html = await asyncio.to_thread(
        ctx.pages.render_sources, _frame(ctx, request, settings), settings.sources,
        {s.source_id: s for s in states}, days, now.date(),
    )  # fmt: skip
    return _html(html)


async def deliveries_page(ctx: WebContext, request: Request) -> Response:
    settings = ctx.settings()
    pending = await asyncio.to_thread(ctx.store.deliveries, "pending", DELIVERIES_SHOWN)
    dead = await asyncio.to_thread(ctx.store.deliveries, "dead", DELIVERIES_SHOWN)
    sizes = await asyncio.to_thread(ctx.store.queue_sizes)  # the lists are cut: the real counts
    totals = (sizes.get("deliveries_pending", 0), sizes.get("deliveries_dead", 0))
    channels = {c.name: c.urls for c in settings.channels}
    html = await asyncio.to_thread(
        ctx.pages.render_deliveries, _frame(ctx, request, settings), pending, dead, channels,
        totals,
    )  # fmt: skip
    return _html(html)


async def nodes_page(ctx: WebContext, request: Request) -> Response:
    settings = ctx.settings()
    nodes = await asyncio.to_thread(ctx.store.nodes) if ctx.store.clustered else []
    html = await asyncio.to_thread(
        ctx.pages.render_nodes, _frame(ctx, request, settings), nodes, ctx.now()
    )
    return _html(html)


async def retry(ctx: WebContext, request: Request) -> Response:
    await _form(ctx, request)
    delivery_id = request.path_params["delivery_id"]
    if not await asyncio.to_thread(ctx.store.retry_dead, delivery_id, ctx.now()):
        raise PageError(
            404,
            "No dead delivery has that id: it was retried already, sent, or never existed.",
            (f"{ctx.base}/deliveries", "Back to the deliveries"),
        )
    return RedirectResponse(f"{ctx.base}/deliveries", 303)


async def login(ctx: WebContext, request: Request) -> Response:
    settings = ctx.settings()
    if ctx.token is None:
        return RedirectResponse(f"{ctx.base}/", 303)
    if request.method == "GET":
        next_path = present.safe_next(request.query_params.get("next"), ctx.base + "/")
        return _html(ctx.pages.render_login(_frame(ctx, request, settings), next_path, False))
    fields = await _form(ctx, request)
    next_path = present.safe_next(fields.get("next"), ctx.base + "/")
    if not guard.authorised(ctx.token, "/", {"authorization": f"Bearer {fields.get('token')}"},
                            {}, {}):  # fmt: skip
        page = ctx.pages.render_login(_frame(ctx, request, settings), next_path, True)
        return _html(page, status=401)
    response = RedirectResponse(next_path, 303)
    response.set_cookie(
        guard.SESSION_COOKIE, guard.new_session(ctx.token, ctx.now()), httponly=True,
        samesite="lax", secure=_secure(ctx, request), path=ctx.base or "/",
        max_age=int(guard.SESSION_MAX_AGE.total_seconds()),
    )  # fmt: skip
    return response


async def logout(ctx: WebContext, request: Request) -> Response:
    """End the session: its cookie is deleted here and refused if sent again (a copy)."""
    await _form(ctx, request)
    if ctx.token is not None:
        cookie = request.cookies.get(guard.SESSION_COOKIE, "")
        sid = guard.session_id(ctx.token, cookie, ctx.now())
        if sid is not None:
            ctx.log_out(sid, ctx.now())
    response = RedirectResponse(f"{ctx.base}/login", 303)
    response.delete_cookie(guard.SESSION_COOKIE, path=ctx.base or "/")
    return response


# --- machine endpoints -------------------------------------------------------------------------


async def feed(ctx: WebContext, request: Request) -> Response:
    """An Atom feed, with validators: a reader asking again with them gets 304 and no body."""
    name: str = request.path_params["name"]
    settings = ctx.settings()
    topic_id = name.removesuffix(".atom")
    topics = {t.id: t for t in settings.topics}
    if not name.endswith(".atom") or (topic_id != "all" and topic_id not in topics):
        raise HTTPException(404, "No such feed.")
    where = MatchFilter(topic=None if topic_id == "all" else topic_id)
    found: list[MatchDetail] = await asyncio.to_thread(ctx.store.match_page, where, None, FEED_SIZE)
    # never the request's Host: without base_url, links are root-relative (``atom``)
    root = ctx.base_url or ""
    title = "all topics" if topic_id == "all" else topics[topic_id].name
    page = f"{root}/" + ("" if topic_id == "all" else "?" + urlencode({"topic": topic_id}))
    newest = found[0].match.created if found else None
    info = atom.FeedInfo(
        title=f"news-monitor: {title}",
        self_url=f"{root}/feeds/{name}",
        page_url=page,
        updated=newest or atom.EMPTY_UPDATED,
        authority=atom.tag_authority(ctx.base_url),
        name=topic_id,
    )
    body = await asyncio.to_thread(atom.render_feed, info, found)
    headers = atom.validators(body, newest)
    if atom.not_modified(
        request.headers.get("if-none-match"),
        request.headers.get("if-modified-since"),
        headers["ETag"],
        newest,
    ):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=atom.CONTENT_TYPE, headers=headers)


async def metrics(ctx: WebContext, request: Request) -> Response:
    try:
        counts = await ctx.probe("queue sizes", ctx.store.queue_sizes)
    except (StoreError, TimeoutError):
        counts = None  # a database outage is what the metrics must show, not hide behind a 500
    return Response(ctx.metrics.exposition(counts), media_type=METRICS_TYPE)


async def healthz(ctx: WebContext, request: Request) -> Response:
    now, tick = ctx.now(), ctx.last_tick()
    age = None if tick is None else max(0.0, (now - tick).total_seconds())
    scheduler_ok = age is not None and age <= ctx.stale_after
    try:
        await ctx.probe("ping", ctx.store.ping)
        database_ok = True
    except (StoreError, TimeoutError):
        database_ok = False
    jobs = ctx.database()  # what the jobs found: a locked file answers a ping, not a write
    database_ok = database_ok and jobs.ok
    healthy = scheduler_ok and database_ok
    body: dict[str, Any] = {
        "status": "ok" if healthy else "unhealthy",
        "scheduler": {
            "ok": scheduler_ok,
            "last_run": tick.isoformat(timespec="seconds") if tick else None,
            "seconds_ago": None if age is None else round(age, 1),
        },
        "database": {
            "ok": database_ok,
            "failing_since": jobs.failing_since.isoformat(timespec="seconds")
            if jobs.failing_since
            else None,
            "failing_jobs": list(jobs.failing_jobs),
            "failures": jobs.failures,
            "failures_total": jobs.total_failures,
            "polls_not_saved": jobs.failed_polls,
            "polls_not_saved_total": jobs.total_failed,
            "last_error": jobs.last_error,
        },
    }
    return Response(
        json.dumps(body), status_code=200 if healthy else 503, media_type="application/json"
    )


# --- helpers ------------------------------------------------------------------------------------


async def _topics_html(
    ctx: WebContext,
    request: Request,
    tried: TryResult | None,
    near_id: str | None = None,
    suggest_id: str | None = None,
) -> str:
    settings, now = ctx.settings(), ctx.now()
    counts = await asyncio.to_thread(_tallies, ctx, settings)
    learned = await asyncio.to_thread(ctx.store.learned)
    days = await ctx.chart_data(
        "match_days", lambda: ctx.store.match_days(now - timedelta(days=30))
    )
    frame = _frame(ctx, request, settings)
    near = await asyncio.to_thread(_near_misses, ctx, settings, near_id) if near_id else None
    said = await asyncio.to_thread(_suggested, ctx, settings, suggest_id) if suggest_id else None
    return await asyncio.to_thread(
        _render_topics, ctx, settings, frame, days, counts, learned, tried, near, said
    )


def _tallies(ctx: WebContext, settings: Settings) -> dict[str, Tally]:
    """Each topic's judged articles as its precision reads them, ``monitor topics``'s figure
    (reads the store and matches: runs in a thread)."""

    def count() -> dict[str, Tally]:
        judged = {topic.id: ctx.store.judgments(topic.id) for topic in settings.topics}
        return tallies(judged, ctx.matcher(settings))

    return ctx.tallied(settings, ctx.store.judgment_states(), count)


def _near_misses(ctx: WebContext, settings: Settings, topic_id: str) -> NearMisses:
    """``topic_id``'s near misses (reads the store and matches: runs in a thread)."""
    topic = _topic(settings, topic_id)
    found = near_misses(ctx.store, settings, topic, ctx.now())
    return NearMisses(topic_id, tuple(found), topic.threshold, NEAR_MISS_DAYS)


def _suggested(ctx: WebContext, settings: Settings, topic_id: str) -> Suggestions:
    """What ``topic_id``'s judgments suggest (reads the store and matches: runs in a thread)."""
    topic = _topic(settings, topic_id)
    return suggestions(topic, ctx.store.judgments(topic.id), ctx.matcher(settings))


def _topic(settings: Settings, topic_id: str) -> Topic:
    topic = next((t for t in settings.topics if t.id == topic_id), None)
    if topic is None:
        raise HTTPException(404, "No such topic.")
    return topic


class PageError(HTTPException):
    """An error page with a way back (``back``: its href and label) beside "the matches"
    (``matches``: that link's href, when not the bare list)."""

    def __init__(
        self,
        status: int,
        message: str,
        back: tuple[str, str] | None = None,
        matches: str | None = None,
    ) -> None:
        super().__init__(status, message)
        self.back = back
        self.matches = matches


def _no_topic(ctx: WebContext, topic_id: str, lost: str) -> PageError:
    """A POST for a topic the watchlists no longer have (a hot reload took it, while its
    page was open): say so, and what was not done."""
    message = (
        f"The topic {topic_id!r} is no longer in the watchlists (they were reloaded since the "
        f"page was shown): {lost}."
    )
    return PageError(404, message, (f"{ctx.base}/topics", "Back to the topics"))


def _render_topics(
    ctx: WebContext,
    settings: Settings,
    frame: Frame,
    days: dict[str, list[DayCount]],
    counts: dict[str, Tally],
    learned: dict[str, Learned],
    tried: TryResult | None,
    near: NearMisses | None,
    said: Suggestions | None,
) -> str:
    """Explain each topic, read its learned filter and render the page (CPU work: runs in a
    thread)."""
    cards = [
        TopicCard(
            topic,
            ctx.explained(settings, topic.id),
            days.get(topic.id, []),
            counts.get(topic.id, Tally()),
            status(learned[topic.id].model if topic.id in learned else None),
        )
        for topic in settings.topics
    ]
    return ctx.pages.render_topics(frame, cards, ctx.now().date(), tried, near, said)


def _try(matcher: Matcher, topic_id: str, title: str, text: str) -> Explanation:
    """How ``topic_id`` scores a pasted text, in its identified language (CPU work: runs in a
    thread; the first identification loads a model)."""
    return matcher.explain(
        topic_id, Document("try", title, text, text_language(f"{title}\n{text}"))
    )


def _run_over(
    matcher: Matcher, topic_id: str, documents: list[tuple[Document, str | None]]
) -> tuple[tuple[str, str | None, float], ...]:
    """The stored articles that would match ``topic_id`` now (CPU work: runs in a thread)."""
    found = []
    for document, url in documents:
        for match in matcher.match(document):
            if match.topic == topic_id:
                title = document.title or "(no title)"  # as the Atom feed says it
                found.append((title, present.safe_href(url), match.score))
    return tuple(found)


def _frame(ctx: WebContext, request: Request, settings: Settings) -> Frame:
    request.state.csrf_shown = True  # the page's forms carry it: the gate sets its cookie
    # the feed token goes into the pages' feed links only for who holds the token itself
    shown = ctx.feed_token if getattr(request.state, "signed_in", False) else None
    return Frame(
        ctx.base, request.state.csrf, settings.timezone, ctx.token is not None,
        clustered=ctx.store.clustered, feed_token=shown,
    )  # fmt: skip


def _error_page(ctx: WebContext, request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        status, message = exc.status_code, exc.detail
    else:
        status, message = 503, "The database did not answer; try again in a moment."
        log.warning("web: %s %s: %s", request.method, request.url.path, exc)
    if not hasattr(request.state, "csrf"):
        request.state.csrf = guard.new_csrf()
    frame = _frame(ctx, request, ctx.settings())
    back, matches = (exc.back, exc.matches) if isinstance(exc, PageError) else (None, None)
    page = ctx.pages.render_error(frame, status, message, back, matches)
    response = _html(page, status=status)
    if isinstance(exc, HTTPException) and exc.headers:
        response.headers.update(exc.headers)  # a 405's Allow
    return response


async def _server_error(request: Request, exc: Exception) -> Response:
    """A bug's 500: a fixed page with the security headers (Starlette answers it outside the
    gate, and re-raises ``exc`` so the server logs it). Nothing is rendered that could fail
    again, and nothing of ``exc`` is shown."""
    page = (
        "<!doctype html>\n<title>Server error</title>\n<h1>Server error</h1>\n"
        "<p>Something went wrong on our side; the daemon's log has the details.</p>\n"
    )
    response = _html(page, status=500)
    response.headers.update(guard.HEADERS)
    return response


def _plain(status: int, text: str) -> Response:
    """A plain-text answer given by the gate itself, with the security headers."""
    response = Response(text, status_code=status, media_type="text/plain")
    response.headers.update({"Cache-Control": "no-store", **guard.HEADERS})
    return response


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def _query(request: Request) -> str:
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
    return f"?{query}" if query else ""


def _origin(ctx: WebContext, request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _secure(ctx: WebContext, request: Request) -> bool:
    return request.url.scheme == "https" or (ctx.base_url or "").startswith("https://")
