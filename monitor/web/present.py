"""Pure helpers of the dashboard: what a value looks like on a page, decided without I/O.

Owns: the matched words highlighted in a headline or snippet (the snippet itself is
``monitor.snippet``'s, the same in alerts and feeds), "why it matched",
which links are clickable (http and https only), masking channel URLs, the geometry of the
small per-day bar charts, how long ago a heartbeat was, dropping the bidi controls that would
reorder what surrounds a feed's text, turning query parameters into a ``MatchFilter``, an
order and a keyset cursor (and back), with a notice for each one that could not be read (a day
of the date range that cannot be read is a ``BadFilter``: the page is a 400), and which ids in
a URL could name a row. Everything here takes values and returns values; nothing here escapes
HTML: the templates do (Jinja2 autoescape), so these helpers return plain text pieces.
Does not own: the HTML (``templates/``, rendered by ``pages``), the queries (``monitor.store``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from urllib.parse import quote, urlencode, urlsplit

from monitor.snippet import words_pattern
from monitor.store import (
    MATCH_ORDERS,
    DayCount,
    MatchCursor,
    MatchDetail,
    MatchFilter,
    MatchOrder,
    row_id,
)
from monitor.store import NO_LANGUAGE as STORE_NO_LANGUAGE
from monitor.types import Hit

#: the earliest and latest times a cursor may name, 0001-01-01 00:00 and 9999-12-31
#: 23:59:59.999999 UTC (``datetime.min`` and ``max``), in microseconds since 1970
_MICROS_MIN, _MICROS_MAX = -62_135_596_800_000_000, 253_402_300_799_999_999
#: a cursor's time as written: ASCII digits, a minus sign before 1970
_MICROS = re.compile(r"-?[0-9]{1,18}")
#: time filters offered on the matches page, by their label
PERIODS = {"1h": timedelta(hours=1), "24h": timedelta(days=1), "7d": timedelta(days=7),
           "30d": timedelta(days=30)}  # fmt: skip
#: the explicit embedding, override and isolate controls (U+202A-202E, U+2066-2069). In a
#: feed's text an override left open reorders what follows it on the line (a score of 0.90
#: drawn as 09.0); Arabic and Hebrew need none of them to read right (marks, U+200E/U+200F,
#: and the joiners stay)
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: a language tag worth putting in ``lang=`` ("id", "zh-Hant"); anything else is left out
_LANG_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
#: a language filter as the store's codes are written (``monitor.langtag``: a primary subtag of
#: 2-3 letters), a region allowed: anything else cannot name a stored language
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?")
#: the language filter's value for the matches whose article has no known language
NO_LANGUAGE = "none"
#: an id as the config takes it (``monitor.config``'s ``ID``): a topic or source filter that is
#: not one cannot name a topic or source, configured or removed
_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
#: a day as ``from`` and ``to`` take it (ASCII digits: ``date.fromisoformat`` takes more)
_DAY = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: a cursor's time among the articles without a published time (``none-<match id>``)
_NO_TIME = "none"
#: the matches page's query parameters (a repeated one gets a notice)
FILTER_PARAMS = ("topic", "source", "language", "period", "min_score", "sort", "from", "to",
                 "after")  # fmt: skip
#: characters of a query parameter's value quoted in a notice
NOTICE_CHARS = 40


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of text, highlighted or not (a template wraps highlighted runs in ``<mark>``)."""

    text: str
    marked: bool = False


@dataclass(frozen=True, slots=True)
class Bar:
    """One day of a bar chart, in the chart's own coordinates."""

    x: float
    y: float
    width: float
    height: float
    day: str
    count: int


@dataclass(frozen=True, slots=True)
class Chart:
    """A small per-day bar chart (rendered as inline SVG)."""

    width: int
    height: int
    bars: tuple[Bar, ...]
    #: the largest count (the chart's scale), for its label
    peak: int


def highlighted(text: str, words: Iterable[str]) -> tuple[Piece, ...]:
    """``text`` cut into pieces, the occurrences of ``words`` (any case) marked."""
    pattern = words_pattern(words)
    if pattern is None or not text:
        return (Piece(text),) if text else ()
    pieces: list[Piece] = []
    last = 0
    for found in pattern.finditer(text):
        if found.start() > last:
            pieces.append(Piece(text[last : found.start()]))
        pieces.append(Piece(found.group(0), marked=True))
        last = found.end()
    if last < len(text):
        pieces.append(Piece(text[last:]))
    return tuple(pieces)


def why(hits: Sequence[Hit]) -> tuple[str, ...]:
    """One line per query term that fired: ``term → "word" (title, text)``."""
    by_term: dict[str, dict[str, set[str]]] = {}
    for hit in hits:
        found = by_term.setdefault(hit.term, {})
        found.setdefault(hit.matched, set()).add(hit.field)
    lines = []
    for term, words in by_term.items():
        shown = ", ".join(
            f'"{word}" ({", ".join(sorted(fields))})' for word, fields in list(words.items())[:4]
        )
        lines.append(f"{term} → {shown}")
    return tuple(lines)


def feed_path(base: str, topic_id: str | None, token: str | None) -> str:
    """The path of a topic's Atom feed (``all`` when None), with ``?token=`` when given."""
    path = f"{base}/feeds/{quote(topic_id or 'all', safe='')}.atom"
    return f"{path}?{urlencode({'token': token})}" if token else path


def safe_href(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL, else None (shown as text, never as a link)."""
    if not url or any(c.isspace() or ord(c) < 32 for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def without_bidi_controls(text: str) -> str:
    """``text`` without the bidi embedding, override and isolate controls (a feed's text is
    shown as it is stored, in its own direction, but never reorders what is beside it)."""
    return _BIDI_CONTROLS.sub("", text)


def lang_tag(language: str | None) -> str | None:
    """An article's language for a ``lang`` attribute: None for English (the page's own) and
    for anything that is not a language tag."""
    if not language or not _LANG_TAG.fullmatch(language) or language.lower() == "en":
        return None
    return language


def masked(url: str) -> str:
    """A channel URL with only its scheme shown: the rest holds tokens (``tgram://•••``)."""
    scheme, sep, _rest = url.partition("://")
    return f"{scheme}://•••" if sep and scheme.isalnum() else "•••"


def age(elapsed: timedelta) -> str:
    """How long ago, in whole seconds up to two minutes, then minutes (never negative: the
    database's clock and ours may differ by a little)."""
    seconds = max(0, int(elapsed.total_seconds()))
    return f"{seconds} s ago" if seconds < 120 else f"{seconds // 60} min ago"


def chart(
    counts: Sequence[DayCount], today: date, days: int = 30, width: int = 240, height: int = 40
) -> Chart:
    """Bars for the ``days`` days up to ``today`` (missing days are zero)."""
    by_day = {c.day: c.count for c in counts}
    labels = [(today - timedelta(days=days - 1 - n)).isoformat() for n in range(days)]
    peak = max([by_day.get(d, 0) for d in labels] + [0])
    step = width / days
    bars = []
    for n, day in enumerate(labels):
        count = by_day.get(day, 0)
        bar_height = round((height - 1) * count / peak, 1) if peak else 0.0
        bars.append(
            Bar(round(n * step, 1), round(height - bar_height, 1), round(step * 0.8, 1),
                bar_height, day, count)
        )  # fmt: skip
    return Chart(width, height, tuple(bars), peak)


# --- query parameters ---------------------------------------------------------------------------


class BadFilter(ValueError):
    """A filter of the matches page that must not be guessed at (a date): the page is a 400
    that names it, not a list filtered by something else."""

    def __init__(self, message: str, names: tuple[str, ...]) -> None:
        super().__init__(message)
        #: the parameters at fault (the 400 page's way back is the list without them)
        self.names = names


def order_of(params: Mapping[str, str]) -> MatchOrder:
    """The list's order from ``sort``: ``published``, else by when matched (the default; an
    unknown value gets a notice, ``filter_notices``)."""
    return "published" if params.get("sort") == "published" else "matched"


def match_filter(params: Mapping[str, str], now: datetime, tz: tzinfo = UTC) -> MatchFilter:
    """The matches page's filters from its query string. Most unreadable values are ignored
    (``filter_notices`` names them); an unreadable ``from`` or ``to`` is a ``BadFilter``.

    ``from`` and ``to`` are days in ``tz`` (the dashboard's zone), both included, of the time
    the list is sorted by: when matched (with ``period``, the later start counts), or when
    published (the articles that give no time are then left out)."""
    period = PERIODS.get(params.get("period", ""))
    start, end = date_range(params.get("from"), params.get("to"), tz)
    since = now - period if period else None
    by_published = order_of(params) == "published"
    if not by_published and start is not None:
        since = start if since is None else max(since, start)
    return MatchFilter(
        topic=_id(params.get("topic")),
        source=_id(params.get("source")),
        language=language_of(params),
        since=since,
        until=None if by_published else end,
        min_score=_score(params.get("min_score", "")),
        published_since=start if by_published else None,
        published_until=end if by_published else None,
    )


def language_of(params: Mapping[str, str]) -> str | None:
    """The language filter: a code (lower case), ``monitor.store.NO_LANGUAGE`` for ``none``, or
    None (any: also for a value that cannot be a code, ``filter_notices`` names it)."""
    text = (params.get("language") or "").strip().lower()
    if text == NO_LANGUAGE:
        return STORE_NO_LANGUAGE
    return text if _LANGUAGE_CODE.fullmatch(text) else None


def _id(text: str | None) -> str | None:
    """A topic or source filter: None for any, and for a value that cannot be an id."""
    return text if text and _ID.fullmatch(text) else None


def date_range(
    first: str | None, last: str | None, tz: tzinfo
) -> tuple[datetime | None, datetime | None]:
    """The UTC instants from the start of day ``first`` to the end of day ``last`` in ``tz``
    (the end exclusive: the next day's start); None where a day is not given, or is so far
    out that the range is open on that side. ``BadFilter`` for anything but ``YYYY-MM-DD``
    days, or ``first`` after ``last``."""
    days = _day("from", first), _day("to", last)
    if days[0] and days[1] and days[0] > days[1]:
        message = f"from={days[0]} is after to={days[1]}: no day is in that range."
        raise BadFilter(message, ("from", "to"))
    start = _day_start(days[0], tz) if days[0] else None
    end = _day_start(days[1] + timedelta(days=1), tz) if days[1] and days[1] < date.max else None
    return start, end


def _day(name: str, text: str | None) -> date | None:
    if not text:
        return None  # the form's empty field: no bound
    try:
        if not _DAY.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        shown = _quoted(name, text)
        message = f"{shown} is not a date: write it as YYYY-MM-DD (2025-03-01)."
        raise BadFilter(message, (name,)) from None


def _day_start(day: date, tz: tzinfo) -> datetime | None:
    """Midnight of ``day`` in ``tz``, in UTC; None past what a datetime holds (year 1 east of
    UTC): no bound."""
    try:
        return datetime.combine(day, time(), tz).astimezone(UTC)
    except OverflowError:
        return None


def filter_notices(
    params: Mapping[str, str],
    topic_ids: Iterable[str],
    source_ids: Iterable[str],
    repeated: Mapping[str, int] | None = None,
) -> tuple[str, ...]:
    """One line per filter of the matches page that ``match_filter`` (or the cursor) could not
    read, naming it; empty values (the form's "any") are not worth a notice. ``repeated``: how
    many times each parameter given more than once was (the last one is used)."""
    notices = [
        f"{name} is given {count} times: {_quoted(name, params.get(name, ''))} is used"
        for name, count in (repeated or {}).items()
        if name in FILTER_PARAMS
    ]
    notices += _unreadable(params).values()
    for name, known in (("topic", set(topic_ids)), ("source", set(source_ids))):
        value = params.get(name)
        if value and _ID.fullmatch(value) and value not in known:
            notices.append(f"{_quoted(name, value)}: no such {name} is configured")
    return tuple(notices)


def readable_params(params: Mapping[str, str]) -> dict[str, str]:
    """``params`` without the filters that are ignored as unreadable (``filter_notices``): the
    links of a page (its "older" link, where a verdict leads back to) never carry them."""
    ignored = _unreadable(params)
    return {name: value for name, value in params.items() if name not in ignored}


def _unreadable(params: Mapping[str, str]) -> dict[str, str]:
    """The filters given that cannot be read (and are ignored), each with its notice."""
    found = {}
    period, score, after = params.get("period"), params.get("min_score"), params.get("after")
    if period and period not in PERIODS:
        found["period"] = f"{_quoted('period', period)} is not one of {', '.join(PERIODS)}: ignored"
    sort = params.get("sort")
    if sort and sort not in MATCH_ORDERS:
        shown = _quoted("sort", sort)
        found["sort"] = f"{shown} is not one of {', '.join(MATCH_ORDERS)}: sorted by matched"
    if score and _score(score) is None:
        problem = "not a number" if _number(score) is None else "not between 0 and 1"
        found["min_score"] = f"{_quoted('min_score', score)} is {problem}: ignored"
    if after and parse_cursor(after, order_of(params)) is None:
        found["after"] = f"{_quoted('after', after)} is not a page position: showing the newest"
    language = (params.get("language") or "").strip()
    if language and language_of(params) is None:
        found["language"] = f"{_quoted('language', language)} is not a language code: ignored"
    for name in ("topic", "source"):
        value = params.get(name)
        if value and not _ID.fullmatch(value):
            found[name] = f"{_quoted(name, value)} is not a {name} id: ignored"
    return found


def cursor_of(detail: MatchDetail, order: MatchOrder) -> MatchCursor:
    """The position of ``detail`` in the list in ``order``: the next page starts after it."""
    match = detail.match
    return MatchCursor(match.created if order == "matched" else match.published, match.match_id)


def cursor_text(cursor: MatchCursor) -> str:
    """A cursor as the ``after`` query parameter: ``<epoch microseconds>-<match id>``, or
    ``none-<match id>`` among the articles without a published time."""
    if cursor.at is None:
        return f"{_NO_TIME}-{cursor.match_id}"
    micros = round(cursor.at.timestamp() * 1_000_000)
    return f"{micros}-{cursor.match_id}"


def parse_cursor(text: str | None, order: MatchOrder = "matched") -> MatchCursor | None:
    """The ``after`` parameter back into a cursor of the list in ``order``; None when absent,
    malformed or out of range (a time outside years 1-9999, an id past
    ``monitor.store.ID_MAX``, no time in the list by matched time). A time before 1970 is a
    negative count (an article page may give one: a database may hold it)."""
    micros, sep, match_id = (text or "").rpartition("-")
    number = row_id(match_id)
    if not sep or number is None:
        return None
    if micros == _NO_TIME:
        return MatchCursor(None, number) if order == "published" else None
    if not _MICROS.fullmatch(micros) or not _MICROS_MIN <= int(micros) <= _MICROS_MAX:
        return None
    at = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(micros))
    return MatchCursor(at, number)


def safe_next(target: str | None, default: str = "/") -> str:
    """A same-site path to go back to after a POST; anything else (``//evil``, URLs) is refused."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(c) < 32 for c in target):
        return default
    return target


def _score(text: str) -> float | None:
    value = _number(text)
    return value if value is not None and 0.0 <= value <= 1.0 else None


def _number(text: str) -> float | None:
    """``text`` as a number; None when it is not one ("abc", "nan")."""
    try:
        value = float(text)
    except ValueError:
        return None
    return None if math.isnan(value) else value


def _quoted(name: str, value: str) -> str:
    """``name=value`` for a notice, a long value cut short."""
    cut = value if len(value) <= NOTICE_CHARS else value[: NOTICE_CHARS - 1] + "…"
    return f"{name}={cut}"
