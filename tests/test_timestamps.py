"""Tests of ``monitor.timestamps``: date strings of feeds, sitemaps and page metadata in the wild,
zone abbreviations and their offsets, and dates in the future."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.timestamps import believable, parse_date, unknown_zone, zone_offset

NOW = datetime(2021, 12, 7, 13, 33, tzinfo=UTC)

DATES = [
    ("Tue, 21 Aug 2012 10:33:00 EST", "2012-08-21T15:33:00+00:00"),
    ("mer, 16 nov 2022 00:38:15 +0100", "2022-11-15T23:38:15+00:00"),
    ("Seg, 24 Set 2018 19:42:40 -0300", "2018-09-24T22:42:40+00:00"),
    ("Sen, 12 Agu 2024 10:00:00 +0700", "2024-08-12T03:00:00+00:00"),
    ("Вт, 21 янв 2025 10:00:00 +0300", "2025-01-21T07:00:00+00:00"),
    ("Friday, January 29, 2021 04:42 PM", "2021-01-29T16:42:00+00:00"),
    ("Sat, Dec 16 2023 12:02:33 AM", "2023-12-16T00:02:33+00:00"),
    ("2022-07-28T02:43:00.000000000Z", "2022-07-28T02:43:00+00:00"),
    ("2017-11-08T18:15:58-05:00", "2017-11-08T23:15:58+00:00"),
    ("2022-07-26 13:01:01", "2022-07-26T13:01:01+00:00"),
    ("2020/1/10 14:33:00", "2020-01-10T14:33:00+00:00"),
    ("0001-01-01T00:00:00Z", None),
    ("yesterday", None),
    ("", None),
    # zone abbreviations email.utils and feedparser read as UTC
    ("Tue, 07 Dec 2021 20:33:00 WIB", "2021-12-07T13:33:00+00:00"),
    ("Tue, 07 Dec 2021 20:33:00 WITA", "2021-12-07T12:33:00+00:00"),
    ("Tue, 07 Dec 2021 20:33:00 MSK", "2021-12-07T17:33:00+00:00"),
    ("Tue, 07 Dec 2021 20:33:00 ICT", "2021-12-07T13:33:00+00:00"),
    ("Tue, 07 Dec 2021 20:33:00 CET", "2021-12-07T19:33:00+00:00"),
    ("Tue, 07 Dec 2021 20:33:00 GMT+7", "2021-12-07T13:33:00+00:00"),
    ("Tue, 07 Dec 2021 20:33:00 GMT+07:00", "2021-12-07T13:33:00+00:00"),
    ("Tue, 07 Dec 2021 20:33:00 GMT+0700", "2021-12-07T13:33:00+00:00"),
    ("Tue, 07 Dec 2021 20:33:00 UTC–05:00", "2021-12-08T01:33:00+00:00"),
    ("Fri, 29 Jan 2021 04:42 PM WIB", "2021-01-29T09:42:00+00:00"),
    ("2021-12-07 20:33:00 (МСК)", "2021-12-07T17:33:00+00:00"),
    # a numeric offset before the abbreviation wins
    ("Tue, 07 Dec 2021 20:33:00 +0700 (WIB)", "2021-12-07T13:33:00+00:00"),
    ("Tue, 07 Dec 2021 20:33:00 +0700 (XYZ)", "2021-12-07T13:33:00+00:00"),
    # a zone nobody here knows, or no zone's offset: no date rather than one off by hours
    ("Tue, 07 Dec 2021 20:33:00 XYZ", None),
    ("Tue, 07 Dec 2021 20:33:00 BST", None),
    ("Tue, 07 Dec 2021 20:33:00 GMT+15", None),
]


@pytest.mark.parametrize(("raw", "expected"), DATES)
def test_parse_date(raw: str, expected: str | None) -> None:
    """Feed dates in the wild -> aware UTC datetimes (None when unusable)."""
    assert parse_date(raw) == (datetime.fromisoformat(expected) if expected else None)


@pytest.mark.parametrize(
    ("sign", "hours"),
    [("+", 12), ("-", 2), ("−", 2), ("–", 2)],  # hyphen-minus, U+2212 minus, U+2013 en dash
)
def test_every_dash_that_means_minus_is_minus(sign: str, hours: int) -> None:
    """GMT+7 is 7 hours east; GMT-5, GMT−5 and GMT–5 are all 5 hours west."""
    offset = zone_offset("GMT", sign, "5", None)
    assert offset == timedelta(hours=5 if sign == "+" else -5)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Tue, 07 Dec 2021 20:33:00 XYZ", True),
        ("Fri, 29 Jan 2021 04:42 PM XYZ", True),
        ("Tue, 07 Dec 2021 20:33:00 WIB", False),
        ("Tue, 07 Dec 2021 20:33:00 EST", False),
        ("Friday, January 29, 2021 04:42 PM", False),
        ("2022-07-28T02:43:00Z", False),
        (None, False),
    ],
)
def test_unknown_zone(raw: str | None, expected: bool) -> None:
    """A word after the time that is no zone we or RFC 822 know is an unknown zone."""
    assert unknown_zone(raw) is expected


@pytest.mark.parametrize(
    ("when", "now", "kept"),
    [
        (NOW - timedelta(days=400), NOW, True),
        (NOW + timedelta(hours=23), NOW, True),
        (NOW + timedelta(hours=25), NOW, False),
        (datetime(2099, 1, 1, tzinfo=UTC), NOW, False),
        (datetime(2099, 1, 1, tzinfo=UTC), None, True),
        (datetime(1965, 12, 7, 13, 33, tzinfo=UTC), NOW, False),
        (datetime(1965, 12, 7, 13, 33, tzinfo=UTC), None, False),
        (datetime(1970, 1, 1, tzinfo=UTC), None, True),
    ],
)
def test_a_date_in_the_future_is_not_believed(when: datetime, now, kept: bool) -> None:
    """More than a day after ``now`` is no date; without a clock nothing is refused of the
    future. Before 1970 is no date of publication, clock or not."""
    assert believable(when, now) == (when if kept else None)
