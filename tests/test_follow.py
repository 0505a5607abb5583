"""``monitor.follow``: which new items a poll follows, stores as they are, or leaves for the
next poll (``plan``); which fetched pages are not the item's article (``unusable``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.follow import Plan, plan, unusable
from monitor.types import Article, Item

NOW = datetime(2021, 12, 7, 13, 33, tzinfo=UTC)


def item(n: int, hours_old: float = 1.0) -> Item:
    when = NOW - timedelta(hours=hours_old)
    return Item(f"https://example.org/{n}", f"https://example.org/{n}", None, f"Item {n}", "", when)


def test_a_later_poll_follows_up_to_the_cap_and_defers_the_rest() -> None:
    """Over ``max_follow``, the rest wait (unseen) for the next poll: the plan says so."""
    fresh = [item(n) for n in range(3)]
    expected = Plan((fresh[0], fresh[1]), (), deferred=True)
    assert expected == plan(
        fresh, follow=True, baselined=True, backfill=None, max_follow=2, now=NOW
    )


def test_a_later_poll_within_the_cap_defers_nothing() -> None:
    """Every new item followed: nothing waits."""
    fresh = [item(n) for n in range(2)]
    expected = Plan(tuple(fresh), (), deferred=False)
    assert expected == plan(
        fresh, follow=True, baselined=True, backfill=None, max_follow=2, now=NOW
    )


def test_a_first_poll_follows_backfilled_items_and_defers_those_over_the_cap() -> None:
    """The backlog is stored as it is; the items ``backfill`` notifies are followed up to the
    cap, and the others wait, to be alerted from their article (not from a title alone)."""
    recent, old = [item(n) for n in range(3)], [item(9, hours_old=100)]
    expected = Plan((recent[0],), (old[0],), deferred=True)
    found = plan(
        [*recent, *old], follow=True, baselined=False, backfill=86400.0, max_follow=1, now=NOW
    )
    assert expected == found


def test_without_follow_every_item_is_stored_as_it_is() -> None:
    """``follow: false``: nothing is fetched, nothing waits."""
    fresh = [item(n) for n in range(30)]
    assert Plan((), tuple(fresh)) == plan(
        fresh, follow=False, baselined=True, backfill=None, max_follow=2, now=NOW
    )


LONG_TEXT = " ".join(["Server itu menjawab kode 404 untuk halaman yang sudah dihapus."] * 20)


@pytest.mark.parametrize(
    ("requested", "final", "title", "text", "expected"),
    [
        ("https://x.id/berita/1-premium", "https://x.id/login?next=/berita/1-premium",
         "Masuk untuk membaca", "Artikel ini khusus pelanggan.",
         "login wall: redirected to /login"),
        ("https://x.id/berita/1", "https://akun.x.id/auth/masuk.php", "Masuk", "Silakan masuk.",
         "login wall: redirected to /auth/masuk.php"),
        ("https://x.ru/news/1", "https://x.ru/%D0%B2%D1%85%D0%BE%D0%B4", "Вход", "Войдите.",
         "login wall: redirected to /%D0%B2%D1%85%D0%BE%D0%B4"),
        ("https://x.id/berita/1", "https://x.id/berita/1", "404 - Halaman tidak ditemukan",
         "Maaf, halaman yang Anda cari tidak ditemukan.",
         "not found page: titled '404 - Halaman tidak ditemukan'"),
        ("https://x.ru/news/1", "https://x.ru/news/1", "Страница не найдена", "Проверьте адрес.",
         "not found page: titled 'Страница не найдена'"),
        ("https://x.vn/tin/1", "https://x.vn/tin/1", "Không tìm thấy trang", "Xin lỗi.",
         "not found page: titled 'Không tìm thấy trang'"),
        ("https://x.my/berita/1", "https://x.my/berita/1", "Halaman tidak dijumpai", "Maaf.",
         "not found page: titled 'Halaman tidak dijumpai'"),
        ("https://x.id/berita/1", "https://x.id/berita/1", "Rusia", "",
         "no article text found on the page"),
        # kept: an article about a 404 error says more than a not-found page
        ("https://x.id/berita/1", "https://x.id/berita/1", "Mengapa muncul error 404?",
         LONG_TEXT, None),
        # kept: a short headline that is not a not-found message
        ("https://x.id/berita/1", "https://x.id/berita/1", "Pesawat hilang tidak ditemukan",
         "Tim SAR masih mencari.", None),
        # kept: a redirect to the same path, or to an article whose slug says "daftar"
        ("http://x.id/berita/1", "https://www.x.id/berita/1/", "Rusia", "Teks.", None),
        ("https://x.id/berita/1", "https://x.id/berita/daftar-harga-cabai", "Harga", "Teks.",
         None),
    ],
)  # fmt: skip
def test_a_page_that_is_not_the_article(
    requested: str, final: str, title: str, text: str, expected: str | None
) -> None:
    """A login wall reached by a redirect, a soft 404 (a not-found title over a short text) and
    a page without text are not the item's article; an article about a 404 is."""
    article = Article(url=final, title=title, text=text)
    assert expected == unusable(requested, final, article)
