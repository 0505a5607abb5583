"""Tests of monitor.sources.listing: real listing pages yield article links; selectors."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.config import ListingSelectors
from monitor.errors import ParseError
from monitor.sources.listing import is_article_link, parse_listing

LISTINGS = Path(__file__).parent / "data" / "listings"
PAGES = {
    "frontpage-archive__zeit.de_politik.html.gz": "https://www.zeit.de/politik/index",
    "frontpage-archive__t-online.de_politik.html.gz": "https://www.t-online.de/nachrichten/",
}


@pytest.mark.parametrize(("name", "url"), PAGES.items())
def test_real_listing_pages_yield_article_links(name: str, url: str) -> None:
    """Each page gives 20+ links, all on the site, none to a section, tag, author or page."""
    parsed = parse_listing(gzip.decompress((LISTINGS / name).read_bytes()), url=url)
    links = [item.url or "" for item in parsed.items]
    assert len(links) >= 20
    site = url.split("/")[2].removeprefix("www.")
    assert all(site in link.split("/")[2] for link in links)
    for bad in ("/thema/", "/autor/", "/tag/", "/seite-", "/suche", "/impressum"):
        assert not [link for link in links if bad in link]
    assert all(len(item.title.split()) >= 4 for item in parsed.items)
    assert len({item.key for item in parsed.items}) == len(parsed.items)


def test_cnn_titles_have_no_bullet() -> None:
    """The CNN home page's "most popular" links lose the bullet inside them; no title starts or
    ends with a bullet, arrow, bar or dash standing alone."""
    page = gzip.decompress((LISTINGS / "newspaper__cnn.com_homepage.html.gz").read_bytes())
    titles = [item.title for item in parse_listing(page, url="http://www.cnn.com/").items]
    assert "Mother's regret over young MH17 victim's plane crash fear" in titles
    ends = {word for title in titles for word in (title.split()[0], title.split()[-1])}
    assert not [word for word in ends if not any(c.isalnum() for c in word)], titles


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("<span>&bull;</span>Rusia dan ASEAN bertemu lagi", "Rusia dan ASEAN bertemu lagi"),
        ("► | Rusia dan ASEAN bertemu lagi", "Rusia dan ASEAN bertemu lagi"),
        ("– Rusia dan ASEAN bertemu lagi ›", "Rusia dan ASEAN bertemu lagi"),
        ("Rusia dan ASEAN bertemu lagi <b>»</b>", "Rusia dan ASEAN bertemu lagi »"),
        ("« La Russie et l'ASEAN, encore ? »", "« La Russie et l'ASEAN, encore ? »"),
        ("Rusia - ASEAN bertemu lagi", "Rusia - ASEAN bertemu lagi"),
        ("•Rusia dan ASEAN bertemu lagi", "•Rusia dan ASEAN bertemu lagi"),
    ],
)
def test_decoration_around_a_link_text_is_not_title(text: str, title: str) -> None:
    """A bullet, arrow, bar or dash standing alone at either end goes; quotes, "?" and what
    stands inside the text or touches it stay."""
    page = f'<html><body><a href="/berita/123456/rusia-asean">{text}</a></body></html>'
    parsed = parse_listing(page.encode(), url=URL)
    assert [item.title for item in parsed.items] == [title]


PAGE = b"""<html><head><title>Berita Dunia</title></head><body>
<header><nav><a href="/kanal/dunia">Dunia Internasional Asia Pasifik</a></nav></header>
<main>
 <article class="item"><header><h2><a href="/berita/r3rzq4382/rusiaasean-perbarui-kerja-sama">
  Rusia-ASEAN Perbarui Kerja Sama Pemberantasan Terorisme</a></h2></header>
  <time datetime="2021-12-07T20:33:00+07:00">Selasa 07 Dec 2021 20:33 WIB</time></article>
 <article class="item"><h2><a href="https://www.republika.co.id/berita/a2/timnas-indonesia-tahan-imbang-vietnam?utm_source=home">
  Timnas Indonesia tahan imbang Vietnam di Piala AFF</a></h2>
  <span class="date">Selasa 07 Dec 2021 19:00 WIB</span></article>
 <a href="/tag/rusia">Semua berita tentang Rusia dan ASEAN</a>
 <a href="/penulis/kamran-dikarma">Kamran Dikarma penulis berita ini</a>
 <a href="/berita/dunia/page/2">Halaman berikutnya berita dunia lainnya</a>
 <a href="https://other.example.com/berita/123456/judul-yang-panjang-sekali">
  Berita dari situs lain yang panjang</a>
 <a href="/berita/a3/pendek">Baca</a>
</main>
<footer><a href="/berita/a9/tentang-kami-dan-redaksi-republika">
  Tentang kami dan redaksi Republika</a></footer>
</body></html>"""
URL = "https://www.republika.co.id/internasional"


def test_heuristic_keeps_stories_and_drops_navigation() -> None:
    """Same-site story links are kept (tracking removed from the key); the rest is not."""
    parsed = parse_listing(PAGE, url=URL, language="id")
    assert [item.key for item in parsed.items] == [
        "https://www.republika.co.id/berita/r3rzq4382/rusiaasean-perbarui-kerja-sama",
        "https://www.republika.co.id/berita/a2/timnas-indonesia-tahan-imbang-vietnam",
    ]
    assert parsed.items[0].title == "Rusia-ASEAN Perbarui Kerja Sama Pemberantasan Terorisme"
    assert parsed.items[0].language == "id"
    assert parsed.title == "Berita Dunia"


def test_selectors_pick_items_titles_and_dates() -> None:
    """With selectors, each item's link, title and date come from them (attribute or text)."""
    selectors = ListingSelectors(links="article.item", title="h2", date="time, .date")
    parsed = parse_listing(PAGE, url=URL, selectors=selectors)
    assert [
        (i.title[:20], i.published.isoformat() if i.published else None) for i in parsed.items
    ] == [
        ("Rusia-ASEAN Perbarui", "2021-12-07T13:33:00+00:00"),
        ("Timnas Indonesia tah", "2021-12-07T12:00:00+00:00"),
    ]


def test_a_listing_date_in_the_future_is_no_date() -> None:
    """Given ``now``, a teaser dated more than a day after it is undated."""
    selectors = ListingSelectors(links="article.item", title="h2", date="time, .date")
    page = PAGE.replace(b"2021-12-07", b"2099-12-07").replace(b"Dec 2021", b"Dec 2099")
    now = datetime(2021, 12, 7, 14, 0, tzinfo=UTC)
    parsed = parse_listing(page, url=URL, selectors=selectors, now=now)
    assert parsed.items and [i.published for i in parsed.items] == [None] * len(parsed.items)


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("https://www.kompas.com/global/read/2021/12/07/203300/rusia-asean", True),
        ("https://nasional.kompas.com/read/2021/12/07/rusia", True),
        ("https://www.kompas.com/tag/rusia", False),
        ("https://www.kompas.com/global", False),
        ("https://www.kompas.com/", False),
        ("https://www.kompas.com/foto/123456/galeri", False),
        ("https://www.kompas.com/img/2021/12/07/foto-putin.jpg", False),
        ("https://www.tribunnews.com/internasional/2021/12/07/rusia", False),
    ],
)
def test_article_link_shape(link: str, expected: bool) -> None:
    """Subdomains of the same site count; sections, tags, files and other sites do not."""
    assert is_article_link(link, "kompas.com") is expected


def test_not_html_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_listing(b'{"items": []}', url=URL)


def test_a_column_of_stories_marked_as_navigation_is_read() -> None:
    """Yahoo's home page holds every story in ``<div class="main-row ... nav-col">``: a column of
    headlines is content whatever its class says (it gave no item at all)."""
    page = gzip.decompress((LISTINGS / "newspaper__yahoo.com_homepage.html.gz").read_bytes())
    titles = [item.title for item in parse_listing(page, url="https://uk.yahoo.com/").items]
    assert len(titles) >= 20
    assert "How Syria's Chemical Weapons Are Being Destroyed" in titles


def test_a_menu_with_a_few_stories_is_still_navigation() -> None:
    """Below the column size, a navigation mark still excludes its story-shaped links, and an
    icon bar labelled by alt texts does not count as a column of headlines."""
    menu = "".join(
        f'<li><a href="/games/spiel-nummer-{n}-kostenlos-spielen-a-{n}0000">'
        f'<img alt="Öffnen Sie das Spiel {n}"></a></li>'
        for n in range(12)
    )
    stories = "".join(
        f'<li><a href="/politik/2021/12/07/bericht-{n}">Rusia dan ASEAN bertemu lagi {n}</a></li>'
        for n in range(5)
    )
    page = f'<html><body><div class="nav-col"><ul>{stories}</ul><ul>{menu}</ul></div></body></html>'
    assert parse_listing(page.encode(), url=URL).items == ()


def test_links_to_one_article_are_one_item_with_its_headline() -> None:
    """A comment-count link (zeit.de: ``...#comments``, titled from its slug) or a link with a
    tracking fragment (wired.com: ``#intcid=...``) is the same article as its headline: one item,
    the headline's text, the URL without the fragment."""
    page = gzip.decompress((LISTINGS / "frontpage-archive__zeit.de_politik.html.gz").read_bytes())
    items = parse_listing(page, url="https://www.zeit.de/politik/index").items
    [item] = [i for i in items if "verflechtungen" in (i.url or "")]
    assert item.url == (
        "https://www.zeit.de/politik/deutschland/2026-02/"
        "abgeordnete-bundestag-angehoerige-beschaeftigung-verflechtungen"
    )
    assert "Wie verfilzt ist der Bundestag?" in item.title
    assert not [i.url for i in items if "#" in (i.url or "")]

    wired = b"""<html><body><main>
    <a href="/story/nvidia-hardware-is-eating-the-world-jensen-huang/#intcid=_wired-hp-1"><img></a>
    <a href="/story/nvidia-hardware-is-eating-the-world-jensen-huang/">
      Nvidia Hardware Is Eating the World</a>
    <a href="/story/app-routing-update-2021#!/page/2">Routing in single page apps</a>
    </main></body></html>"""
    parsed = parse_listing(wired, url="https://www.wired.com/")
    assert [(i.url, i.title) for i in parsed.items] == [
        ("https://www.wired.com/story/nvidia-hardware-is-eating-the-world-jensen-huang/",
         "Nvidia Hardware Is Eating the World"),
        ("https://www.wired.com/story/app-routing-update-2021#!/page/2",
         "Routing in single page apps"),
    ]  # fmt: skip
