"""Dates as machines write them -> aware UTC datetimes; zone abbreviations; future dates.

Owns:

* ``parse_date``: the date strings of feeds, sitemaps, listing pages and page metadata. RFC 822
  via ``email.utils``, which also takes foreign day names such as ``mer,``; localised month names
  (``Seg, 24 Set 2018``); ISO 8601; ``2020/1/10 14:33``; a trailing AM/PM is honoured. A zone
  abbreviation after the time is read from ``ZONES`` (``Tue, 07 Dec 2021 20:33:00 WIB`` is 13:33
  UTC; so are ``GMT+7`` and ``UTC+07:00``) or, for the zones RFC 822 names (``EST``, ``PDT``...),
  by ``email.utils``. A zone abbreviation that neither knows makes the string no date: read as
  UTC it would be off by hours (``unknown_zone`` tells the caller not to ask another reader that
  would do just that). A date without any zone is taken as UTC; years before 1970 are
  placeholders (``0001-01-01``) and count as no date.
* ``ZONES`` and ``ZONE``, the table of zone abbreviations and the pattern that finds one (with a
  ``GMT``/``UTC`` offset), shared with the dates written for people (``monitor.extract.dates``).
* ``believable``: a publication date more than ``FUTURE_TOLERANCE`` after ``now`` is no fact (a
  scheduled post, a ``2099-01-01`` placeholder, a wrong zone); the readers drop it when they are
  given ``now``, so it is neither stored nor used to order, cap or notify items.

Pure and at the bottom: the standard library only, no clock (``now`` is passed in), so
``monitor.sources`` and ``monitor.extract`` both read dates with it and neither imports the
other for that.
Does not own: dates written in an article's text for people (``monitor.extract.dates``), nor
choosing among a page's dates (``monitor.extract``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

#: zone abbreviations -> hours east of UTC. Only unambiguous ones: ``IST`` (India, Ireland,
#: Israel), ``BST`` (British Summer, Bangladesh) and ``CST`` (US Central, China) are not here.
ZONES: dict[str, int] = {
    "GMT": 0, "UTC": 0,
    # South-East Asia: Indonesia's three zones, Indochina, Malaysia, Singapore, the Philippines
    "WIB": 7, "WITA": 8, "WIT": 9, "ICT": 7, "MYT": 8, "SGT": 8, "PHT": 8,
    # Moscow, in Latin and Cyrillic letters
    "MSK": 3, "МСК": 3,
    # Europe and East Asia, so feeds from there keep their hour
    "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "JST": 9, "KST": 9, "HKT": 8,
}  # fmt: skip
#: the zones ``email.utils`` reads in RFC 822 dates itself (RFC 822's, and Atlantic time)
_RFC822_ZONES = frozenset(
    {"UT", "UTC", "GMT", "Z", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT", "AST", "ADT"}
)
#: the dashes that mean minus in an offset: hyphen-minus, minus sign (U+2212), en dash
_MINUS = ("-", "−", "–")
#: a zone abbreviation, and for GMT/UTC an offset that looks like one: a sign right after the
#: zone (one space at most), hours, minutes; no digit after it ("GMT+7", "UTC–05:00",
#: "GMT+0700"; not "GMT, 5 min read" nor "WIB.12 Komentar"). Named groups: zone, sign, offset,
#: offmin. A regular-expression fragment: compile it with ``re.IGNORECASE``.
ZONE = (
    rf"(?P<zone>{'|'.join(sorted(ZONES, key=len, reverse=True))})\b"
    r"(?:(?<=GMT|UTC)\s?(?P<sign>[+\-−–])"
    r"(?P<offset>\d{1,2})(?::?(?P<offmin>[0-5]\d))?"
    r"(?!\d))?"
)
#: a date up to this far after ``now`` is believed: zones written wrong, clocks that drift
FUTURE_TOLERANCE = timedelta(days=1)

#: years before this are placeholders (``0001-01-01``), no date
EARLIEST_YEAR = 1970
_WRITTEN_YEAR = re.compile(r"\d{1,2}\.?\s+[^\W\d]+\.?,?\s+(\d+)\b")
_ISO_START = re.compile(r"\d{4}-\d{2}")
_SLASHED_DATE = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\Z")
_MERIDIEM = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?\s*([AaPp])\.?[Mm]\.?(?:\s|\Z)")
# a zone at the end, after a time of day or its AM/PM: "20:33:00 WIB", "8:33 PM (GMT+7)"
_KNOWN_ZONE_AT_END = re.compile(
    rf"(?:(?<=\d)|(?<=[AP]M)|(?<=[AP]\.M\.))\s*\(?{ZONE}\)?\s*\Z", re.IGNORECASE
)
# any word there: "20:33:00 XYZ", "8:33 PM XYZ"; both are looked for in the last ``_TAIL``
# characters only: tried at every position of a megabyte-long hostile string, they cost seconds
_TAIL = 48
_WORD_AFTER_TIME = re.compile(
    r"\d:\d\d(?::\d\d(?:\.\d+)?)?(?:\s*[AP]\.?M\.?)?\s*\(?([^\W\d_]{2,5})\)?\s*\Z", re.IGNORECASE
)
# Month abbreviations some feeds localise in RFC 822 dates ("Seg, 24 Set 2018"): id, ms, pt, es,
# it, fr, de, nl, ru. None of them names a different month in another of these languages.
_MONTHS = {
    "jan": 1, "ene": 1, "gen": 1, "janv": 1, "янв": 1,
    "feb": 2, "fev": 2, "févr": 2, "fevr": 2, "фев": 2,
    "mar": 3, "mac": 3, "mars": 3, "mär": 3, "mrz": 3, "maa": 3, "мар": 3,
    "apr": 4, "abr": 4, "avr": 4, "апр": 4,
    "may": 5, "mei": 5, "mai": 5, "mag": 5, "мая": 5, "май": 5,
    "jun": 6, "giu": 6, "juin": 6, "июн": 6,
    "jul": 7, "lug": 7, "juil": 7, "июл": 7,
    "aug": 8, "agu": 8, "agt": 8, "ogo": 8, "ago": 8, "août": 8, "aou": 8, "авг": 8,
    "sep": 9, "sept": 9, "set": 9, "сен": 9,
    "oct": 10, "okt": 10, "out": 10, "ott": 10, "окт": 10,
    "nov": 11, "ноя": 11,
    "dec": 12, "des": 12, "dis": 12, "dez": 12, "dic": 12, "déc": 12, "дек": 12,
}  # fmt: skip
_ENGLISH_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                   "Dec")  # fmt: skip
_LOCAL_RFC822 = re.compile(r"(?:[^\W\d]+\.?,?\s+)?(\d{1,2})\.?\s+([^\W\d]+)\.?,?\s+(\d{4}\b.*)\Z")


# --- zones ---------------------------------------------------------------------------------------


def zone_offset(
    zone: str, sign: str | None = None, hours: str | None = None, minutes: str | None = None
) -> timedelta | None:
    """The offset from UTC of a zone ``ZONE`` found, with its GMT/UTC offset if any; None for
    a zone not in ``ZONES`` or an offset no zone has (``GMT+15``)."""
    base = ZONES.get(zone.upper())
    if base is None:
        return None
    if not hours:
        return timedelta(hours=base)
    extra = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if extra > timedelta(hours=14):
        return None
    return timedelta(hours=base) + (-extra if sign in _MINUS else extra)


def unknown_zone(raw: str | None) -> bool:
    """True when ``raw`` ends in a zone abbreviation after its time that neither ``ZONES`` nor
    ``email.utils`` knows ("20:33:00 XYZ"): another reader would take it as UTC."""
    tail = (raw or "").strip()[-_TAIL:]
    if _KNOWN_ZONE_AT_END.search(tail):
        return False
    match = _WORD_AFTER_TIME.search(tail)
    if match is None:
        return False
    word = match.group(1).upper()
    return word not in _RFC822_ZONES and word not in ("AM", "PM")


# --- when a date is a fact -----------------------------------------------------------------------


def believable(when: datetime | None, now: datetime | None) -> datetime | None:
    """``when``, or None when it lies more than ``FUTURE_TOLERANCE`` after ``now`` (a date of
    publication in the future is not a fact; with no ``now``, no clock given, it is not
    checked) or before ``EARLIEST_YEAR`` (a date an article page writes in its text, "7
    December 1965", is a date the story names, not its own)."""
    if when is None or when.year < EARLIEST_YEAR:
        return None
    if now is None or when <= now + FUTURE_TOLERANCE:
        return when
    return None


# --- machine-written dates -----------------------------------------------------------------------


def parse_date(raw: str | None) -> datetime | None:
    """A date string as an aware UTC datetime, or None when it cannot be read sensibly."""
    text = (raw or "").strip()
    if not text or unknown_zone(text):
        return None
    head = len(text) - len(text[-_TAIL:])
    zoned = _KNOWN_ZONE_AT_END.search(text, head)
    if zoned is not None:
        return _with_zone(text[: zoned.start()], zoned)
    return _as_utc(_read(text))


def _with_zone(text: str, zoned: re.Match[str]) -> datetime | None:
    """The date before a zone abbreviation, in that zone (a numeric offset before it wins)."""
    offset = zone_offset(zoned["zone"], zoned["sign"], zoned["offset"], zoned["offmin"])
    value = _read(text.strip())
    if value is None or offset is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone(offset))
    return _as_utc(value)


def _read(text: str) -> datetime | None:
    value = _iso_date(text) if _ISO_START.match(text) else _rfc822_date(text)
    return value or _slashed_date(text)


def _iso_date(text: str) -> datetime | None:
    # Python 3.11 reads "Z", fractions and "2022-07-26 13:01:01"; nanoseconds need trimming.
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _rfc822_date(text: str) -> datetime | None:
    written = _WRITTEN_YEAR.search(text)
    if written and len(written.group(1)) > 2 and int(written.group(1)) < EARLIEST_YEAR:
        # email.utils reads any year under 100 as two digits: "01 Jan 0001" would be 2001
        return None
    value = _email_date(text) or _email_date(_english_month(text))
    return _with_meridiem(text, value) if value else None


def _email_date(text: str) -> datetime | None:
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _english_month(text: str) -> str:
    """ "Seg, 24 Set 2018 19:42:40 -0300" -> "24 Sep 2018 19:42:40 -0300"; else ``""``."""
    match = _LOCAL_RFC822.match(text)
    if match is None:
        return ""
    name = match.group(2).lower()
    month = _MONTHS.get(name) or _MONTHS.get(name[:3])
    if month is None:
        return ""
    return f"{match.group(1)} {_ENGLISH_MONTHS[month - 1]} {match.group(3)}"


def _with_meridiem(text: str, value: datetime) -> datetime:
    """``email.utils`` ignores AM/PM; "04:42 PM" is 16:42."""
    match = _MERIDIEM.search(text)
    if match is None:
        return value
    afternoon = match.group(1).lower() == "p"
    if afternoon and value.hour < 12:
        return value + timedelta(hours=12)
    if not afternoon and value.hour == 12:
        return value - timedelta(hours=12)
    return value


def _slashed_date(text: str) -> datetime | None:
    match = _SLASHED_DATE.match(text)
    if match is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(part or 0) for part in match.groups())
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def _as_utc(value: datetime | None) -> datetime | None:
    if value is None or value.year < EARLIEST_YEAR:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
