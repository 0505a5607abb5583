"""End to end on loopback: a listing page and a news sitemap whose new items are followed to
their article pages, extracted, matched on their body text and delivered; the same story carried
by both is delivered once and the match records the other outlet.

Runs ``monitor once`` against the loopback feed server and webhook receiver, on a SQLite file and
on PostgreSQL (``database_url``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from monitor.cli import main
from monitor.snippet import article_snippet, matched_words
from monitor.store import MatchFilter, Store
from monitor.web import atom
from monitor.web.atom import render_feed
from tests.feedserver import FeedServer, Route, running_feed_server
from tests.pages import (
    DRILL_PARAGRAPHS,
    DRILL_TITLE,
    SEED_BYLINE,
    SEED_CAPTION,
    SEED_LEAD,
    SEED_PARAGRAPHS,
    SHARED_SENTENCE,
    seed_page,
)
from tests.receivers import WebhookReceiver

WATCHLIST = """\
topics:
  - id: russia-asean-security
    name: Russia–ASEAN security ties
    query: >
      (Russia OR Rusia OR Moscow OR Moskow OR Kremlin OR Putin)
      AND (ASEAN OR "Southeast Asia" OR "Asia Tenggara" OR Indonesia OR Vietnam)
      AND (security OR keamanan OR terror* OR teroris* OR defence OR pertahanan)
    threshold: 0.3
"""
# headlines without any of the topic's words: only the article bodies can match
KOMPAS_TITLE = "Kerja Sama Baru Disepakati untuk Tahun Depan"
ANTARA_TITLE = "Rencana Bersama Akan Diadopsi Tahun Depan"
CABAI = [
    "Harga cabai rawit di pasar tradisional Jakarta naik tajam menjelang Natal dan Tahun Baru.",
    "Pedagang menyebut pasokan dari sentra produksi di Jawa Tengah berkurang karena hujan deras "
    "yang merusak tanaman, sementara permintaan rumah tangga dan rumah makan terus meningkat.",
    "Dinas Perdagangan DKI Jakarta berjanji memantau harga setiap hari dan menyiapkan operasi "
    "pasar bila kenaikan berlanjut hingga akhir Desember, kata kepala dinas kepada wartawan.",
]
CABAI_PATH = "/read/2021/12/06/harga-cabai-naik-jelang-natal"
# the wire copy: another dateline and lead, one word changed, the last paragraph cut
COPY = [
    "JAKARTA (ANTARA) - Kerja sama kedua kawasan terus diperkuat, kata diplomat.",
    SEED_PARAGRAPHS[0].replace("REPUBLIKA.CO.ID, MOSKOW --", "MOSKOW (ANTARA) -"),
    *[p.replace("berkembang cepat", "berkembang pesat") for p in SEED_PARAGRAPHS[1:-1]],
]


def listing(links: list[tuple[str, str]]) -> bytes:
    items = "".join(
        f'<article><h2><a href="{href}">{text}</a></h2></article>' for href, text in links
    )
    return (
        "<html><head><title>Kompas Global</title></head><body><nav><a href='/tag/rusia'>Rusia "
        f"dan ASEAN hari ini</a></nav><main>{items}</main></body></html>"
    ).encode()


def sitemap(entries: list[tuple[str, str]]) -> bytes:
    urls = "".join(
        f"<url><loc>{loc}</loc><news:news><news:publication><news:name>ANTARA</news:name>"
        f"<news:language>id</news:language></news:publication><news:publication_date>{when}"
        f"</news:publication_date></news:news></url>"
        for loc, when in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/'
        'sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"{urls}</urlset>"
    ).encode()


@dataclass
class World:
    pages: FeedServer
    webhook: WebhookReceiver
    config: Path
    database_url: str

    def once(self) -> int:
        return main(["--config", str(self.config), "once"])

    def serve_page(self, path: str, title: str, paragraphs: list[str]) -> None:
        self.pages.serve(
            path, seed_page(url=self.pages.url(path), title=title, paragraphs=paragraphs),
            content_type="text/html; charset=utf-8",
        )  # fmt: skip


@pytest.fixture
def world(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with running_feed_server() as pages, WebhookReceiver() as webhook:
        monkeypatch.setenv("TEST_WEBHOOK_URL", webhook.url)
        monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)
        (tmp_path / "watchlists").mkdir()
        (tmp_path / "watchlists" / "asean.yaml").write_text(WATCHLIST, encoding="utf-8")
        config = tmp_path / "monitor.yaml"
        config.write_text(
            f"""\
database: {database_url}
web: {{listen: off}}
watchlists: ["watchlists/*.yaml"]
http:
  user_agent: "news-monitor-tests/0.1 (+https://example.org/contact)"
  allow_private_networks: true  # the test site is served on loopback
  per_host_interval: 0s
  timeout: 10s
defaults: {{every: 10m, jitter: 0s}}
sources:
  - id: kompas
    name: Kompas
    listing: {pages.url("/global/")}
    language: id
  - id: antara
    name: ANTARA
    sitemap: {pages.url("/sitemap-news.xml")}
    language: id
channels:
  webhook:
    urls: ["${{TEST_WEBHOOK_URL}}"]
""",
            encoding="utf-8",
        )
        world = World(pages, webhook, config, database_url)
        world.serve_page(
            "/read/2021/12/06/harga-cabai-naik-jelang-natal", "Harga cabai naik", CABAI
        )
        pages.serve("/global/", listing([("/read/2021/12/06/harga-cabai-naik-jelang-natal",
                                          "Harga cabai rawit naik menjelang Natal")]),
                    content_type="text/html")  # fmt: skip
        pages.serve("/sitemap-news.xml", sitemap([]), content_type="application/xml")
        yield world


def test_listing_and_sitemap_items_are_followed_matched_on_body_and_one_story_once(
    world: World,
) -> None:
    """New links on both sources are followed; the story they share is delivered once."""
    assert world.once() == 0  # baseline: stored silently, nothing followed
    assert [e.path for e in world.pages.log if e.path.startswith("/read/")] == []

    kompas_path = "/read/2021/12/07/kerja-sama-baru-disepakati-untuk-tahun-depan"
    antara_path = "/berita/2591234/rencana-bersama-akan-diadopsi-tahun-depan"
    world.serve_page(kompas_path, KOMPAS_TITLE, SEED_PARAGRAPHS)
    world.serve_page(antara_path, ANTARA_TITLE, COPY)
    world.pages.serve("/global/", listing([
        (kompas_path, "Kerja sama baru disepakati"),  # a teaser: the page has the headline
        (CABAI_PATH, "Harga cabai rawit naik menjelang Natal"),
    ]), content_type="text/html")  # fmt: skip
    world.pages.serve(
        "/sitemap-news.xml",
        sitemap([(world.pages.url(antara_path), "2021-12-07T21:00:00+07:00")]),
        content_type="application/xml",
    )
    assert world.once() == 0

    [hook] = world.webhook.wait_for(1)
    assert KOMPAS_TITLE in str(hook.json()) or ANTARA_TITLE in str(hook.json())
    assert len(world.webhook.received) == 1  # the copy joined the story: no second alert
    with Store.open(world.database_url) as store:
        [match] = store.matches(topic="russia-asean-security")
        assert match.title in (KOMPAS_TITLE, ANTARA_TITLE)  # the page's headline, not the teaser
        assert {h.field for h in match.hits} == {"text"}  # matched on the body alone
        assert len(match.also_in) == 1
        assert {match.source_id, *match.also_in} in ({"kompas", "ANTARA"}, {"antara", "Kompas"})
        assert len(list(store.stored_articles())) == 3
    assert len(world.pages.requests_to(kompas_path)) == 1
    assert len(world.pages.requests_to(antara_path)) == 1


def test_two_stories_with_a_sentence_in_common_are_two_alerts(world: World) -> None:
    """Another outlet's different story of the topic is alerted too, though it shares a sentence.
    QA: two outlets' Trump stories (bitcoin; Indonesia's economy) were filed as one story and
    the second alert was never sent (the store keeps one match per story and topic)."""
    assert world.once() == 0
    kompas_path = "/read/2021/12/07/kerja-sama-baru-disepakati-untuk-tahun-depan"
    antara_path = "/berita/2591300/rusia-dan-asean-gelar-latihan-keamanan-maritim"
    world.serve_page(kompas_path, KOMPAS_TITLE, [*SEED_PARAGRAPHS, SHARED_SENTENCE])
    world.serve_page(antara_path, DRILL_TITLE, DRILL_PARAGRAPHS)
    world.pages.serve("/global/", listing([(kompas_path, "Kerja sama baru disepakati")]),
                      content_type="text/html")  # fmt: skip
    world.pages.serve(
        "/sitemap-news.xml",
        sitemap([(world.pages.url(antara_path), "2021-12-07T21:00:00+07:00")]),
        content_type="application/xml",
    )
    assert world.once() == 0

    with Store.open(world.database_url) as store:
        matches = list(store.matches(topic="russia-asean-security"))  # read while open
    assert sorted((m.title, m.also_in) for m in matches) == [
        (KOMPAS_TITLE, ()),
        (DRILL_TITLE, ()),
    ]
    assert len(world.webhook.wait_for(2)) == 2


def test_failed_article_fetch_keeps_the_item(world: World) -> None:
    """A link whose page is gone is stored and matched on what the listing said."""
    assert world.once() == 0
    world.pages.serve("/global/", listing([
        ("/read/2021/12/07/rusia-asean-perbarui-kerja-sama-pemberantasan-terorisme",
         "Rusia-ASEAN Perbarui Kerja Sama Pemberantasan Terorisme"),
    ]), content_type="text/html")  # fmt: skip
    assert world.once() == 0  # the page answers 404
    [hook] = world.webhook.wait_for(1)
    assert "Rusia-ASEAN Perbarui Kerja Sama" in str(hook.json())
    with Store.open(world.database_url) as store:
        [match] = store.matches(topic="russia-asean-security")
        assert match.title == "Rusia-ASEAN Perbarui Kerja Sama Pemberantasan Terorisme"


def test_an_article_first_seen_blank_in_a_sitemap_baseline_is_matched_later(
    world: World,
) -> None:
    """A title-less sitemap entry stored by the sitemap's silent baseline had nothing to be
    matched on; when the listing carries the same article later, it is followed, matched and
    alerted (it used to count as seen, and was never matched)."""
    path = "/read/2021/12/07/kerja-sama-baru-disepakati-untuk-tahun-depan"
    world.serve_page(path, KOMPAS_TITLE, SEED_PARAGRAPHS)
    world.pages.serve(
        "/sitemap-news.xml",
        sitemap([(world.pages.url(path), "2021-12-07T21:00:00+07:00")]),
        content_type="application/xml",
    )
    assert world.once() == 0  # both baselines: the sitemap's entry is stored blank, silently
    assert world.webhook.received == [] and world.pages.requests_to(path) == []
    world.pages.serve("/global/", listing([
        (path, "Kerja sama baru disepakati"),
        (CABAI_PATH, "Harga cabai rawit naik menjelang Natal"),
    ]), content_type="text/html")  # fmt: skip
    assert world.once() == 0

    [hook] = world.webhook.wait_for(1)
    assert KOMPAS_TITLE in str(hook.json())
    with Store.open(world.database_url) as store:
        [match] = store.matches(topic="russia-asean-security")
        assert (match.title, match.source_id) == (KOMPAS_TITLE, "kompas")
        assert len(list(store.stored_articles())) == 2  # the blank one filled in, not stored twice
    assert world.once() == 0  # seen now, by both sources: nothing more
    assert len(world.webhook.received) == 1


def test_new_links_over_max_follow_are_read_by_the_next_polls(world: World) -> None:
    """With more new links than ``max_follow``, the rest wait for the next polls, which read the
    listing again although it has not changed since: no conditional request may be answered
    "not modified" while links wait (they were never read)."""
    world.config.write_text(
        world.config.read_text(encoding="utf-8").replace(
            "    language: id\n  - id: antara",
            "    language: id\n    max_follow: 1\n  - id: antara",
        ),
        encoding="utf-8",
    )
    assert world.once() == 0  # baseline
    paths = [f"/read/2021/12/07/cabai-{n}" for n in range(3)]
    for path in paths:
        world.serve_page(path, f"Harga cabai {path[-1]}", CABAI)
    world.pages.serve("/global/", listing([(p, f"Harga cabai rawit naik di pasar {p[-1]}")
                                           for p in paths]), content_type="text/html")  # fmt: skip

    for polls in range(1, 4):
        assert world.once() == 0
        assert sum(bool(world.pages.requests_to(p)) for p in paths) == polls
    with Store.open(world.database_url) as store:
        assert len(list(store.stored_articles())) == 1 + len(paths)
    assert world.once() == 0  # nothing waits now: a conditional request again
    assert world.pages.requests_to("/global/")[-1].status == 304


def test_a_news_sitemap_entry_on_another_host_is_not_an_item(world: World) -> None:
    """A source's sitemap may list its own pages only: an entry on another host (here
    ``localhost``, the same loopback server under another name) is neither stored, followed nor
    alerted (it was, as the source's)."""
    assert world.once() == 0  # baseline
    path = "/berita/2591234/rencana-bersama-akan-diadopsi-tahun-depan"
    offsite = "/berita/2591299/offsite-rusia-asean-keamanan-terorisme"
    world.serve_page(path, ANTARA_TITLE, COPY)
    world.serve_page(offsite, "Rusia ASEAN keamanan terorisme", SEED_PARAGRAPHS)
    world.pages.serve(
        "/sitemap-news.xml",
        sitemap([
            (world.pages.url(path), "2021-12-07T21:00:00+07:00"),
            (f"http://localhost:{world.pages.port}{offsite}", "2021-12-07T21:05:00+07:00"),
        ]),
        content_type="application/xml",
    )  # fmt: skip
    assert world.once() == 0
    assert len(world.pages.requests_to(path)) == 1
    assert world.pages.requests_to(offsite) == []
    with Store.open(world.database_url) as store:
        assert (
            len(list(store.stored_articles())) == 2
        )  # the listing's baseline item and the own page


LOGIN_PAGE = (
    b"<html><head><title>Masuk</title></head><body><h1>Masuk untuk membaca</h1><form>"
    b"<input name=u><input name=p type=password></form><p>Artikel ini khusus pelanggan. Silakan "
    b"masuk atau berlangganan untuk membaca artikel lengkap tentang Rusia dan ASEAN dan kerja sama "
    b"keamanan.</p></body></html>"
)
SOFT_404 = (
    b"<html><head><title>404 Not Found</title></head><body><h1>404 - Halaman tidak ditemukan</h1>"
    b"<p>Maaf, halaman yang Anda cari tidak ditemukan atau telah dipindahkan. Kembali ke beranda "
    b"untuk membaca berita terbaru tentang Rusia dan ASEAN.</p></body></html>"
)


def test_a_login_wall_or_a_not_found_page_is_not_the_article(world: World) -> None:
    """A link redirected to a login page, and one answered by a "404" page with status 200, keep
    the listing's title (and its match) and record why the page was not used: the login page's
    "Masuk untuk membaca" and its text used to be stored as the article, and its match gone."""
    assert world.once() == 0  # baseline
    premium = "/read/2021/12/07/analisis-premium-rusia-asean-88888"
    gone = "/read/2021/12/07/rusia-asean-keamanan-hilang-77777"
    login = f"/login?next={premium}"
    world.pages.route(premium, Route(status=302, headers=(("Location", login),)))
    world.pages.serve(login, LOGIN_PAGE, content_type="text/html; charset=utf-8")
    world.pages.serve(gone, SOFT_404, content_type="text/html; charset=utf-8")
    world.pages.serve("/global/", listing([
        (premium, "Analisis premium Rusia ASEAN keamanan kawasan"),
        (gone, "Rusia dan ASEAN bahas keamanan kawasan terbaru"),
    ]), content_type="text/html")  # fmt: skip
    assert world.once() == 0
    assert world.pages.requests_to(login) and world.pages.requests_to(gone)

    with Store.open(world.database_url) as store:
        titles = {m.title for m in store.matches(topic="russia-asean-security")}
        errors = _follow_errors(store)
    assert titles == {
        "Analisis premium Rusia ASEAN keamanan kawasan",
        "Rusia dan ASEAN bahas keamanan kawasan terbaru",
    }
    assert errors[world.pages.url(premium)] == "login wall: redirected to /login"
    assert errors[world.pages.url(gone)] == "not found page: titled '404 - Halaman tidak ditemukan'"
    hooks = world.webhook.wait_for(2)  # alerted with the listing's titles
    assert "Masuk untuk membaca" not in str([hook.json() for hook in hooks])


def _follow_errors(store: Store) -> dict[str, str | None]:
    """Each stored article's follow error by key (None: its page was used)."""
    import sqlalchemy

    with store._engine.connect() as connection:  # a test reads a column no command shows
        rows = connection.execute(sqlalchemy.text("SELECT key, follow_error FROM article"))
        return {key: error for key, error in rows}


def rss(items: list[tuple[str, str, str]]) -> bytes:
    """An RSS 2.0 feed of (title, link, description) items."""
    body = "".join(
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
        f"<description>{escape(text)}</description></item>"
        for title, link, text in items
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>Republika"
        f"</title><link>https://www.republika.co.id/</link>{body}</channel></rss>"
    ).encode()


def test_alerts_show_the_snippet_the_dashboard_and_atom_show(world: World) -> None:
    """A followed item's alert shows its page's cleaned text, not the feed's teaser (a byline
    and a photo caption, cut inside a word), as the dashboard and the Atom feed do; an item
    whose page is gone shows the teaser, its cut marked with an ellipsis."""
    world.config.write_text(
        world.config.read_text(encoding="utf-8").replace(
            "channels:", f"  - id: republika\n    feed: {world.pages.url('/rss')}\n"
            "    language: id\nchannels:",
        ),
        encoding="utf-8",
    )  # fmt: skip
    cabai = ("Harga cabai naik", world.pages.url(CABAI_PATH), CABAI[0])
    world.pages.serve("/rss", rss([cabai]))
    assert world.once() == 0  # baselines
    followed = world.pages.url("/berita/r3rzq4382/rusia-asean")
    world.serve_page(
        "/berita/r3rzq4382/rusia-asean", "Rusia-ASEAN Perbarui Kerja Sama", SEED_PARAGRAPHS
    )
    teaser = f"{SEED_LEAD} {SEED_BYLINE} {SEED_CAPTION[:80]}"  # "... pada 28 Okt"
    gone_teaser = "Rusia dan ASEAN sepakat memperkuat kerja sama keamanan melawan teroris"
    world.pages.serve("/rss", rss([
        ("Rusia-ASEAN Perbarui Kerja Sama Pemberantasan Terorisme", followed, teaser),
        ("Rusia dan ASEAN perkuat keamanan", world.pages.url("/berita/gone"), gone_teaser),
        cabai,
    ]))  # fmt: skip
    assert world.once() == 0

    alerts = {
        hook.json()["alert"]["url"]: hook.json()["alert"] for hook in world.webhook.wait_for(2)
    }
    shown = alerts[followed]["snippet"]
    assert SEED_CAPTION[:30] not in shown and SEED_BYLINE not in shown
    assert alerts[world.pages.url("/berita/gone")]["snippet"] == gone_teaser + "…"
    with Store.open(world.database_url) as store:
        details = store.match_page(MatchFilter(topic="russia-asean-security"))
    info = atom.FeedInfo("t", "http://h/feeds/all.atom", "http://h/", details[0].match.created)
    feed = render_feed(info, details).decode()
    for detail in details:
        words = matched_words(detail.match.hits)
        dashboard = article_snippet(detail.text, detail.summary, words)
        assert alerts[detail.match.url]["snippet"] == dashboard
        assert escape(dashboard) in feed
