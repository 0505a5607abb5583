"""Tests of monitor.sources.sitemap: urlsets, Google News, indexes, gzip, hostile XML."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from monitor.errors import ParseError
from monitor.sources.sitemap import parse_sitemap

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
 <url><loc>https://www.antaranews.com/berita/1/lama</loc><lastmod>2021-12-06T10:00:00+07:00</lastmod></url>
 <url><loc>https://www.antaranews.com/berita/2/rusia-asean?utm_source=sitemap</loc>
  <news:news><news:publication><news:name>ANTARA</news:name><news:language>id</news:language></news:publication>
   <news:publication_date>2021-12-07T20:33:00+07:00</news:publication_date>
   <news:title>Rusia-ASEAN Perbarui Kerja Sama Pemberantasan Terorisme</news:title>
  </news:news></url>
 <url><loc>/berita/3/tanpa-tanggal</loc></url>
 <url><loc>https://www.antaranews.com/berita/2/rusia-asean</loc></url>
 <url><loc>javascript:alert(1)</loc></url>
</urlset>"""
URL = "https://www.antaranews.com/sitemap-news.xml"


def test_news_sitemap_newest_first_with_news_fields() -> None:
    """Google News fields are read; entries come newest first, undated last; repeats drop."""
    feed = parse_sitemap(NEWS, url=URL).feed
    assert [item.key for item in feed.items] == [
        "https://www.antaranews.com/berita/2/rusia-asean",
        "https://www.antaranews.com/berita/1/lama",
        "https://www.antaranews.com/berita/3/tanpa-tanggal",
    ]
    first = feed.items[0]
    assert first.title == "Rusia-ASEAN Perbarui Kerja Sama Pemberantasan Terorisme"
    assert first.published == datetime(2021, 12, 7, 13, 33, tzinfo=UTC)
    assert first.language == "id"
    assert feed.warning == "dropped 2 entries without a new, usable <loc>"


def test_limit_keeps_the_newest() -> None:
    feed = parse_sitemap(NEWS, url=URL, limit=1).feed
    assert [item.key for item in feed.items] == ["https://www.antaranews.com/berita/2/rusia-asean"]


def test_gzipped_sitemap() -> None:
    assert len(parse_sitemap(gzip.compress(NEWS), url=URL).feed.items) == 3


def test_sitemap_index_lists_children_newest_first() -> None:
    index = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>https://x.example/s-2021-11.xml</loc><lastmod>2021-11-30</lastmod></sitemap>
    <sitemap><loc>https://x.example/s-2021-12.xml.gz</loc><lastmod>2021-12-07</lastmod></sitemap>
    </sitemapindex>"""
    sitemap = parse_sitemap(index, url="https://x.example/sitemap.xml")
    assert sitemap.children == (
        "https://x.example/s-2021-12.xml.gz",
        "https://x.example/s-2021-11.xml",
    )
    assert sitemap.feed.items == ()


NOW = datetime(2021, 12, 7, 14, 0, tzinfo=UTC)
FUTURE = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
 <url><loc>https://x.example/a/old</loc><lastmod>2021-12-06T10:00:00Z</lastmod></url>
 <url><loc>https://x.example/a/placeholder</loc><lastmod>2099-01-01</lastmod></url>
 <url><loc>https://x.example/a/new</loc><lastmod>2021-12-07T20:33:00 WIB</lastmod></url>
</urlset>"""


def test_a_future_date_is_no_date_and_does_not_come_first() -> None:
    """Given ``now``, an entry dated 2099 is undated: it goes last and is not kept by a limit;
    a local zone abbreviation is read in its zone."""
    feed = parse_sitemap(FUTURE, url="https://x.example/sitemap.xml", now=NOW).feed
    assert [(item.url, item.published) for item in feed.items] == [
        ("https://x.example/a/new", datetime(2021, 12, 7, 13, 33, tzinfo=UTC)),
        ("https://x.example/a/old", datetime(2021, 12, 6, 10, 0, tzinfo=UTC)),
        ("https://x.example/a/placeholder", None),
    ]
    limited = parse_sitemap(FUTURE, url="https://x.example/sitemap.xml", limit=1, now=NOW)
    assert [item.url for item in limited.feed.items] == ["https://x.example/a/new"]


def test_an_index_child_dated_in_the_future_is_not_the_newest() -> None:
    """A child sitemap with a 2099 ``lastmod`` does not take one of the newest slots forever."""
    index = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>https://x.example/archive.xml</loc><lastmod>2099-12-31</lastmod></sitemap>
    <sitemap><loc>https://x.example/s-2021-12.xml</loc><lastmod>2021-12-07</lastmod></sitemap>
    </sitemapindex>"""
    sitemap = parse_sitemap(index, url="https://x.example/sitemap.xml", limit=1, now=NOW)
    assert sitemap.children == ("https://x.example/s-2021-12.xml",)


def test_entries_on_another_host_are_dropped() -> None:
    """The sitemap protocol admits one host: an entry elsewhere is dropped and counted in the
    warning (it became an item, followed and alerted as the source's); ``www.`` or not is one
    host."""
    body = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <url><loc>https://www.antaranews.com/berita/1/rusia-asean</loc></url>
    <url><loc>https://antaranews.com/berita/2/rusia-asean-lagi</loc></url>
    <url><loc>http://evil.example.org/offsite-rusia-asean-999</loc></url>
    <url><loc>https://antaranews.com.evil.example/berita/3/rusia</loc></url>
    <url><loc>https://mobile.antaranews.com/berita/4/rusia</loc></url>
    </urlset>"""
    feed = parse_sitemap(body, url=URL).feed
    assert [item.url for item in feed.items] == [
        "https://www.antaranews.com/berita/1/rusia-asean",
        "https://antaranews.com/berita/2/rusia-asean-lagi",
    ]
    assert feed.warning == "dropped 3 entries on another host"


def test_child_sitemaps_on_another_host_are_dropped() -> None:
    """An index names child sitemaps on its own host only (their entries are then held to that
    host): a child elsewhere is dropped and counted."""
    index = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>https://x.example/s-2021-12.xml</loc></sitemap>
    <sitemap><loc>https://evil.example.org/s-2021-12.xml</loc></sitemap>
    </sitemapindex>"""
    sitemap = parse_sitemap(index, url="https://www.x.example/sitemap.xml")
    assert sitemap.children == ("https://x.example/s-2021-12.xml",)
    assert sitemap.feed.warning == "dropped 1 child sitemaps on another host"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<urlset><url><loc>&b;</loc></url></urlset>",
            "refused XML: EntitiesForbidden",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<urlset><url><loc>&x;</loc></url></urlset>",
            "refused XML: EntitiesForbidden",
        ),
        (b"<html><body>Not found</body></html>", "not a sitemap: document element <html>"),
        (b"<!doctype html><html><p>broken", "an HTML page, not a sitemap"),
        (b"\x1f\x8bnot gzip at all", "not a sitemap: broken gzip"),
    ],
)
def test_hostile_or_wrong_bodies_are_parse_errors(body: bytes, message: str) -> None:
    """Entity expansion and external entities are refused; HTML and junk are not sitemaps."""
    with pytest.raises(ParseError, match=message.replace("(", r"\(")):
        parse_sitemap(body, url=URL)


def test_gzip_bomb_is_capped() -> None:
    """A small gzip that inflates past the cap is refused before it fills memory."""
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000 + b"</urlset>")
    with pytest.raises(ParseError, match="over 1000000 bytes"):
        parse_sitemap(bomb, url=URL, max_bytes=1_000_000)


@pytest.mark.parametrize(
    "body",
    [
        # found by benchmarks/fuzz_readers.py: an encoding Python does not know
        b'<?xml version="1.0" encoding="bogus"?>\n<urlset></urlset>',
        b'<?xml version="1.0" encoding="utf-32"?><urlset></urlset>',
    ],
    ids=["unknown-encoding", "wrong-encoding"],
)
def test_unreadable_encoding_is_a_parse_error(body: bytes) -> None:
    """An XML declaration naming an encoding that cannot be used is a classified ParseError."""
    with pytest.raises(ParseError):
        parse_sitemap(body, url=URL)
