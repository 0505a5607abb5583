"""Dates written in an article's text: "Selasa 07 Dec 2021 20:33 WIB" -> 2021-12-07T13:33:00Z.

Owns: finding date-times written for people in English, Indonesian, Malay, Vietnamese and Russian
forms, with their local zones, and turning them into UTC.
Does not own: the table of zones (``monitor.timestamps.ZONES``: WIB +7, WITA +8, WIT +9, ICT +7,
MYT/SGT/PHT +8, MSK +3, ``GMT+7``, ``UTC–05:00``..., shared with feed dates), structured dates
(JSON-LD, meta tags: ``_meta``), choosing between sources of dates (``monitor.extract``).

A wrong date is worse than none, so a written date counts only when it has a time of day AND a
zone, written or implied by a language spoken in one zone only (Vietnamese +7, Malay +8). Numeric
dates are read day first (the convention of every language here but English, where they are not
read at all: 12/7 is ambiguous there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from monitor.timestamps import ZONE, zone_offset

#: languages whose speakers live in one zone: a written time without zone is in that zone
LANGUAGE_ZONES = {"vi": 7, "ms": 8, "th": 7}

_MONTHS = {
    # English
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    # Indonesian and Malay
    "januari": 1, "februari": 2, "maret": 3, "mac": 3, "mei": 5, "juni": 6, "julai": 7,
    "juli": 7, "agustus": 8, "ogos": 8, "oktober": 10, "desember": 12, "disember": 12,
    "agu": 8, "agt": 8, "ags": 8, "ogo": 8, "okt": 10, "des": 12, "dis": 12, "peb": 2,
    # Russian, genitive as in dates ("7 декабря"), and the nominative for "май"
    "января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6, "июля": 7,
    "августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
}  # fmt: skip

_MONTH = r"(?P<month>[^\W\d_]{3,9})\.?"
_DAY = r"(?P<day>\d{1,2})"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
# Russian writes "года" or "г." after a year: "7 декабря 2021 года, 20:33"
_YEAR_WORD = r"(?:\s+(?:года|г\.))?"
_TIME = (
    r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?"
    r"(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?))?"
)
_ZONE = rf"(?:\(?\s*{ZONE}\s*\)?)"
# the same, after the date of a time-first form ("20:33, 7 декабря 2021 MSK")
_LATE_ZONE = re.sub(r"\?P<(\w+)>", r"?P<late_\1>", _ZONE)
# what may stand between the date and the time: commas, dashes, "pukul", "at", "lúc", "в", "|"
_GAP = r"[\s,|–—-]*(?:(?:pukul|jam|at|lúc|в|um)\s+)?"
_DATE_FIRST = [
    # 7 Desember 2021 20:33 WIB; 07 Dec 2021, 20.33; 7 декабря 2021 года, 20:33 МСК
    rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}{_YEAR_WORD}{_GAP}{_TIME}",
    # December 7, 2021 8:33 PM
    rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}{_GAP}{_TIME}",
    # 07/12/2021 20:33; 07.12.2021 20:33; 7-12-2021 20:33
    rf"\b{_DAY}(?P<sep>[/.-])(?P<nmonth>\d{{1,2}})(?P=sep){_YEAR}{_GAP}{_TIME}",
]
_TIME_FIRST = [
    # 20:33, 7 декабря 2021; 20:33 07/12/2021 (time first: Russian and Vietnamese sites)
    rf"\b{_TIME}\s*(?:{_ZONE})?[\s,|–—-]+{_DAY}\s+{_MONTH}\s+{_YEAR}",
    rf"\b{_TIME}\s*(?:{_ZONE})?[\s,|–—-]+{_DAY}(?P<sep>[/.-])(?P<nmonth>\d{{1,2}})(?P=sep){_YEAR}",
    # 12:03 GMT, Nov 20, 2019; 17:41 JST, October 13, 2024 (English, month first)
    rf"\b{_TIME}\s*(?:{_ZONE})?[\s,|–—-]+{_MONTH}\s+{_DAY},?\s+{_YEAR}",
]
_PATTERNS = [
    *(re.compile(p + rf"(?:\s*{_ZONE})?", re.IGNORECASE) for p in _DATE_FIRST),
    *(re.compile(p + rf"(?:\s*{_LATE_ZONE})?", re.IGNORECASE) for p in _TIME_FIRST),
]


@dataclass(frozen=True, slots=True)
class Found:
    """A written date-time, read into UTC, and where it stood in the text."""

    when: datetime
    start: int


def written_dates(text: str, language: str | None = None) -> list[Found]:
    """Every date-time written in ``text`` that has a time and a zone, in text order."""
    found: dict[int, Found] = {}
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            when = _read(match, language)
            if when is not None and match.start() not in found:
                found[match.start()] = Found(when, match.start())
    return sorted(found.values(), key=lambda f: f.start)


def _read(match: re.Match[str], language: str | None) -> datetime | None:
    parts = match.groupdict()
    if not parts.get("zone") and parts.get("late_zone"):
        parts.update({k: parts[f"late_{k}"] for k in ("zone", "sign", "offset", "offmin")})
    month = _month(parts)
    offset = _offset(parts, language)
    if month is None or offset is None:
        return None
    if parts.get("nmonth") and language == "en":
        return None  # 07/12 is July 12 to some English writers and 7 December to others
    try:
        hour = _hour(int(parts["hour"]), parts.get("ampm"))
        local = datetime(
            int(parts["year"]), month, int(parts["day"]), hour, int(parts["minute"]),
            int(parts.get("second") or 0), tzinfo=timezone(offset),
        )  # fmt: skip
    except (ValueError, TypeError):
        return None
    return local.astimezone(UTC)


def _month(parts: dict[str, str | None]) -> int | None:
    if parts.get("nmonth"):
        return int(parts["nmonth"] or 0) or None
    name = (parts.get("month") or "").lower().rstrip(".")
    return _MONTHS.get(name)


def _hour(hour: int, ampm: str | None) -> int:
    if not ampm:
        return hour
    afternoon = ampm[0].lower() == "p"
    if hour > 12:
        raise ValueError("13 PM")
    return (hour % 12) + (12 if afternoon else 0)


def _offset(parts: dict[str, str | None], language: str | None) -> timedelta | None:
    zone = parts.get("zone")
    if not zone:
        hours = LANGUAGE_ZONES.get(language or "")
        return None if hours is None else timedelta(hours=hours)
    return zone_offset(zone, parts.get("sign"), parts.get("offset"), parts.get("offmin"))
