"""Tests of monitor.extract: real article pages against their ground truth, the Republika seed
page, written dates with local zones, boilerplate lines, and the language choice."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.extract import clean_lines, extract_article
from monitor.extract._language import LEXICON_LANGUAGES, choose_language
from monitor.extract.dates import written_dates
from monitor.match.lexicon_files import LANGUAGES
from tests.pages import (
    BOILERPLATE,
    SEED_PARAGRAPHS,
    SEED_TITLE,
    SEED_URL,
    seed_page,
)

ARTICLES = Path(__file__).parent / "data" / "articles"
EXPECTED = json.loads((ARTICLES / "expected.json").read_text(encoding="utf-8"))
SEED_UTC = datetime(2021, 12, 7, 13, 33, tzinfo=UTC)
REUTERS_URL = (
    "http://uk.reuters.com/article/2014/12/29/uk-health-ebola-britain-idUKKBN0K71C820141229"
)


# --- the seed page ---------------------------------------------------------------------------


def test_seed_page_title_text_and_written_date() -> None:
    """The Republika-like page gives the headline, every paragraph, and 13:33 UTC from the text."""
    article = extract_article(seed_page(), SEED_URL, language="id")
    assert article.title == SEED_TITLE
    assert article.published == SEED_UTC
    assert article.date_source == "text"
    assert article.language == "id"
    assert article.canonical_url == SEED_URL
    assert article.text.splitlines() == SEED_PARAGRAPHS


@pytest.mark.parametrize("boilerplate", BOILERPLATE)
def test_seed_page_text_has_no_boilerplate_line(boilerplate: str) -> None:
    """Menus, related links, captions, credits, ads and promotions are not in the text."""
    lines = extract_article(seed_page(), SEED_URL).text.splitlines()
    assert not [line for line in lines if line.startswith(boilerplate)]


def test_structured_date_wins_over_the_written_one() -> None:
    """With JSON-LD present, its datePublished is used, not the date written in the page."""
    page = seed_page().replace(
        b"</head>",
        b'<script type="application/ld+json">{"@context": "https://schema.org", "@type": '
        b'"NewsArticle", "headline": "x", "datePublished": "2021-12-07T20:30:00+07:00"}'
        b"</script></head>",
    )
    article = extract_article(page, SEED_URL)
    assert (article.published, article.date_source) == (
        datetime(2021, 12, 7, 13, 30, tzinfo=UTC), "json-ld",
    )  # fmt: skip


def test_no_zone_no_date() -> None:
    """A written date without a zone, on an Indonesian page (three zones), gives no date."""
    article = extract_article(seed_page(date_line="Selasa 07 Dec 2021 20:33"), SEED_URL)
    assert (article.published, article.date_source) == (None, None)


def test_reuters_page_gives_its_dateline_once() -> None:
    """A Reuters page (dateline in its own ``<span>``, a share bar after it) against its golden
    text: "LONDON (Reuters) - A healthcare worker...", no "LONDON" line above it, and no line of
    the share bar ("- Tweet this", "- Digg this", "- Reprints") below it."""
    content = gzip.decompress((ARTICLES / "newspaper__reuters.com4.html.gz").read_bytes())
    golden = (ARTICLES / "newspaper__reuters.com4.txt").read_text(encoding="utf-8")
    assert extract_article(content, REUTERS_URL).text + "\n" == golden


# --- real pages with ground truth ------------------------------------------------------------


def test_the_metadata_benchmark_takes_verbose_and_a_corpus(tmp_path: Path) -> None:
    """``benchmarks/extract_meta_eval.py -v CORPUS`` runs (``-v`` was once read as the corpus)."""
    for folder in ("fundus", "mozilla-readability", "newspaper4k/metadata", "goose3/content"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "trafilatura").mkdir()
    (tmp_path / "trafilatura" / "evaldata_subset.json").write_text("{}")
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, str(root / "benchmarks" / "extract_meta_eval.py"), "-v", str(tmp_path)],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(root)}, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "0 pages in" in done.stdout


def _extracted() -> list[tuple[str, dict, object]]:
    found: list[tuple[str, dict, object]] = []
    for name, truth in EXPECTED.items():
        content = gzip.decompress((ARTICLES / name).read_bytes())
        found.append((name, truth, extract_article(content, truth["url"])))
    return found


# one xdist worker runs this module: the extracted corpus (a module fixture) is built once
pytestmark = pytest.mark.xdist_group("extract")


@pytest.fixture(scope="module")
def extracted() -> list[tuple[str, dict, object]]:
    return _extracted()


def _same_title(ours: str, truth: str) -> bool:
    def norm(text: str) -> str:
        return " ".join(text.replace("’", "'").casefold().split()).strip(" .")

    return norm(ours) == norm(truth)


def test_titles_agree_with_ground_truth(extracted) -> None:
    """At least 15 of the 19 pages (fundus, readability; 9 languages) give the exact title.

    Measured at commit time: 17/19 (ORF gives a social title; lwn-1 drops "[LWN.net]").
    """
    agree = [
        name for name, truth, article in extracted if _same_title(article.title, truth["title"])
    ]
    assert len(agree) >= 15, sorted(set(EXPECTED) - set(agree))


def test_dates_agree_with_ground_truth_and_none_is_wrong_by_a_day(extracted) -> None:
    """Every page with a ground-truth date gets one within 2 minutes, or at worst within the
    day (a zone-less time); none is off by more than a day."""
    dated = [(n, t, a) for n, t, a in extracted if t["published"]]
    exact = 0
    for name, truth, article in dated:
        expected = datetime.fromisoformat(truth["published"])
        if expected.tzinfo is None:  # a day, or a time without zone: compare as UTC
            expected = expected.replace(tzinfo=UTC)
        assert article.published is not None, name
        assert abs(article.published - expected) < timedelta(days=1), name
        exact += abs(article.published - expected) <= timedelta(minutes=2)
    assert exact >= len(dated) - 1


def test_languages_of_real_pages(extracted) -> None:
    """The languages of the Indonesian, Vietnamese, Russian and Malaysian (English) pages, and
    of People's Daily's, served with ``Content-Language: utf-8`` (no language: the text's)."""
    languages = {name.rsplit("_", 3)[0]: article.language for name, _, article in extracted}
    assert languages["fundus__People"] == "zh"
    assert languages["fundus__MediaIndonesia"] == "id"
    assert languages["fundus__VnExpress"] == "vi"
    assert languages["fundus__Kommersant"] == "ru"
    assert languages["fundus__MalayMail"] == "en"


def test_an_article_nested_as_a_pages_main_entity_gives_its_date(extracted) -> None:
    """Merkur's JSON-LD is a ``WebPage`` whose ``mainEntity`` is the ``NewsArticle``: its
    datePublished (+02:00) wins over the zone-less ``<time>`` beside it (2 hours off)."""
    (article,) = [a for name, _, a in extracted if name.startswith("fundus__Merkur")]
    assert (article.published, article.date_source) == (
        datetime(2023, 4, 28, 16, 16, 4, tzinfo=UTC), "json-ld",
    )  # fmt: skip


def _with_json_ld(block: str, head: str = "") -> bytes:
    return seed_page().replace(
        b"</head>",
        f'<script type="application/ld+json">{block}</script>{head}</head>'.encode(),
    )


def test_main_entity_of_a_web_page() -> None:
    """Google's documented shape: WebPage -> mainEntity -> NewsArticle; its zoned date wins
    over a zone-less ``<meta name=date>``."""
    block = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "WebPage",
            "mainEntity": {"@type": "NewsArticle", "datePublished": "2024-04-26T20:44:00+0200"},
        }
    )
    page = _with_json_ld(block, '<meta name="date" content="2024-04-26 20:44">')
    article = extract_article(page, SEED_URL)
    assert (article.published, article.date_source) == (
        datetime(2024, 4, 26, 18, 44, tzinfo=UTC), "json-ld",
    )  # fmt: skip


def test_hostile_json_ld_nesting_is_bounded() -> None:
    """An article nested past the depth bound is not looked for; one nested 100,000 deep (the
    JSON parser's recursion limit) is a broken block: the written date is used, no crash."""
    deep = '{"mainEntity": ' * 20 + '{"@type": "NewsArticle", "datePublished": "2001-01-01"}'
    deep += "}" * 20
    hostile = '{"mainEntity": ' * 100_000 + "{}" + "}" * 100_000
    for block in (deep, hostile):
        article = extract_article(_with_json_ld(block), SEED_URL, language="id")
        assert (article.published, article.date_source) == (SEED_UTC, "text")


def test_a_structured_date_in_the_future_gives_way_to_the_next() -> None:
    """Given ``now``, a JSON-LD date of 2099 is no fact: the next source (here the date
    written in the page) gives the date. Without ``now``, it is taken as it is."""
    block = '{"@type": "NewsArticle", "datePublished": "2099-01-01T00:00:00Z"}'
    page = _with_json_ld(block)
    now = SEED_UTC + timedelta(hours=1)
    article = extract_article(page, SEED_URL, language="id", now=now)
    assert (article.published, article.date_source) == (SEED_UTC, "text")
    assert extract_article(page, SEED_URL).published == datetime(2099, 1, 1, tzinfo=UTC)
    dated_later = seed_page(date_line="Selasa 07 Dec 2099 20:33 WIB")
    assert extract_article(dated_later, SEED_URL, now=now).published is None


def test_a_date_before_1970_written_in_the_page_is_no_date() -> None:
    """A date "7 December 1965" near the headline is one the story names, not its own: no date
    (a dashboard paging by published time once looped on such dates)."""
    page = seed_page(date_line="Selasa 07 Dec 1965 20:33 WIB")
    assert extract_article(page, SEED_URL, now=SEED_UTC).published is None
    assert extract_article(page, SEED_URL).published is None


# --- dates written in text -------------------------------------------------------------------

WRITTEN = [
    ("Selasa 07 Dec 2021 20:33 WIB", None, "2021-12-07T13:33:00+00:00"),
    ("Selasa, 07 Desember 2021 - 20.33 WIB", None, "2021-12-07T13:33:00+00:00"),
    ("Rabu, 8 Desember 2021 | 09:15 WITA", None, "2021-12-08T01:15:00+00:00"),
    ("Kamis, 9 Desember 2021 07:00 WIT", None, "2021-12-08T22:00:00+00:00"),
    ("Selasa, 07 Disember 2021 8:33 PM MYT", None, "2021-12-07T12:33:00+00:00"),
    ("December 7, 2021 8:33 PM SGT", None, "2021-12-07T12:33:00+00:00"),
    ("7 December 2021, 20:33 PHT", None, "2021-12-07T12:33:00+00:00"),
    ("Thứ ba, 7/12/2021, 20:33 (GMT+7)", "vi", "2021-12-07T13:33:00+00:00"),
    ("07/12/2021 20:33", "vi", "2021-12-07T13:33:00+00:00"),
    ("7 декабря 2021, 20:33 МСК", None, "2021-12-07T17:33:00+00:00"),
    ("20:33, 7 декабря 2021 MSK", None, "2021-12-07T17:33:00+00:00"),
    ("07.12.2021 20:33 UTC+7", None, "2021-12-07T13:33:00+00:00"),
    ("7 Dec 2021 20:33 ICT", None, "2021-12-07T13:33:00+00:00"),
    # without a zone, in a language spoken in several zones: no date
    ("Selasa 07 Dec 2021 20:33", "id", None),
    ("7 декабря 2021, 20:33", "ru", None),
    # numeric dates are not read in English (7/12 or 12/7?)
    ("07/12/2021 20:33 GMT", "en", None),
    # "WITH" is not a zone
    ("updated 07 Dec 2021 20:33 WITH photos", None, None),
    # what follows a zone is no offset unless it looks like one (a sign right after GMT/UTC)
    ("Selasa 07 Dec 2021 20:33 WIB, 3 komentar", "id", "2021-12-07T13:33:00+00:00"),
    ("Selasa 07 Dec 2021 20:33 WIB.12 Komentar", "id", "2021-12-07T13:33:00+00:00"),
    ("Selasa 07 Dec 2021 20:33 WIB - 3 komentar", "id", "2021-12-07T13:33:00+00:00"),
    ("7 декабря 2021, 20:33 МСК/10 просмотров", "ru", "2021-12-07T17:33:00+00:00"),
    ("7 December 2021 20:33 GMT, 5 min read", "en", "2021-12-07T20:33:00+00:00"),
    ("Published 7 December 2021 20:33 UTC–05:00", "en", "2021-12-08T01:33:00+00:00"),
    ("Published 7 December 2021 20:33 UTC−05:00", "en", "2021-12-08T01:33:00+00:00"),
    ("7 December 2021 20:33 GMT+15", "en", None),
    # Russian "года" / "г." after the year; English time first, month first
    ("7 декабря 2021 года, 20:33 МСК", "ru", "2021-12-07T17:33:00+00:00"),
    ("Вторник, 7 декабря 2021 г. 20:33 МСК", "ru", "2021-12-07T17:33:00+00:00"),
    ("12:03 GMT, Nov 20, 2019", "en", "2019-11-20T12:03:00+00:00"),
    ("Updated: 12:05 AM SGT, Dec 8, 2021", "en", "2021-12-07T16:05:00+00:00"),
    ("Fri 6:45 PM, Feb 16, 2018", "en", None),
]


@pytest.mark.parametrize(("text", "language", "expected"), WRITTEN)
def test_written_dates(text: str, language: str | None, expected: str | None) -> None:
    """Dates written for people, with local zones, read into UTC."""
    found = written_dates(text, language)
    assert (found[0].when.isoformat() if found else None) == expected


# --- boilerplate lines -----------------------------------------------------------------------

BODY = "Rusia dan ASEAN berencana mengadopsi strategi baru untuk memerangi terorisme."
#: sub-headings and list items that an article repeats (AEB's beachbodyondemand and bgr pages)
REPEATED_SECTIONS = [
    *("Pre-Workout Meal", "Eat 60–90 minutes before your workout", BODY),
    *("- Easy setup for all your Apple devices", "- GPS", BODY),
    *("Pre-Workout Meal", "Eat 60–90 minutes before your workout", BODY),
    *("- Easy setup for all your Apple devices", "- GPS", BODY),
]


@pytest.mark.parametrize(
    ("lines", "kept"),
    [
        (["Baca Juga", "Putin Undang Pemimpin ASEAN ke Sochi", BODY], [BODY]),
        (["Baca juga: Putin Undang Pemimpin ASEAN ke Sochi", BODY], [BODY]),
        (["Read also: Putin invites ASEAN leaders", BODY], [BODY]),
        (["Xem thêm: Nga và ASEAN", BODY], [BODY]),
        (["Читайте также: Россия и АСЕАН", BODY], [BODY]),
        ([BODY, "Yuk koleksi buku bacaan berkualitas dari buku Republika ..."], [BODY]),
        ([BODY, "Advertisement", "Share", "Bagikan"], [BODY]),
        # Reuters' and Barron's share bars
        ([BODY, "- Tweet this", "- Link this", "- Digg this", "- Reprints"], [BODY]),
        (["- Order Reprints", "- Print Article", BODY, "- Share this", "- Email this"], [BODY]),
        (["Foto: EPA-EFE/HANDOUT", BODY], [BODY]),
        # a single word in two places is a menu; a longer repeated line is the article's own
        (["News", "Politik", BODY, "News", "Politik"], [BODY]),
        (REPEATED_SECTIONS, REPEATED_SECTIONS),
        # a "Baca Juga" block ends at the first real paragraph
        (["Baca Juga", BODY, "Pendek"], [BODY, "Pendek"]),
        # a dateline split off its paragraph, even across a share bar; a repeated heading stays
        (["JAKARTA", f"JAKARTA (Reuters) - {BODY}"], [f"JAKARTA (Reuters) - {BODY}"]),
        (
            ["LONDON", "Share", f"LONDON, England (CNN) -- {BODY}"],
            [f"LONDON, England (CNN) -- {BODY}"],
        ),
        (["Jakarta", f"Jakarta, KOMPAS.com - {BODY}"], [f"Jakarta, KOMPAS.com - {BODY}"]),
        (["Rusia", f"Rusia, kata dia, {BODY}"], ["Rusia", f"Rusia, kata dia, {BODY}"]),
        (
            ["The camp", "The camp, also known as the Berm."],
            ["The camp", "The camp, also known as the Berm."],
        ),
        (["JAKARTA", "JAKARTANYA (Reuters) - x"], ["JAKARTA", "JAKARTANYA (Reuters) - x"]),
    ],
)
def test_clean_lines(lines: list[str], kept: list[str]) -> None:
    """Boilerplate lines go; the article's own lines stay, in order."""
    assert clean_lines("\n".join(lines)).splitlines() == kept


def test_a_line_that_repeats_a_photo_caption_goes() -> None:
    """A line that the page also shows as a caption goes, once in the text or twice."""
    caption = "Putin dan para pemimpin ASEAN di Sochi, Mei 2016"
    captions = {f"{caption} (Foto: Reuters)"}
    assert clean_lines(f"{caption}\n{BODY}\n{caption}", captions).splitlines() == [BODY]
    assert clean_lines(f"{caption}\n{BODY}", captions).splitlines() == [BODY]


#: paragraphs that begin with the words of a "read also" marker or a credit: the article's own
SENTENCES = [
    "Lihat juga bagaimana aparat menangani penyelundupan sabu di perairan Natuna tahun lalu.",
    "По теме безопасности на море стороны договорились провести учения в Андаманском море.",
    "Related developments in the South China Sea worried ASEAN diplomats meeting in Jakarta.",
    "See also how the navy drill near the Andaman Sea was reported by Russian state media.",
    "Read more closely, the joint statement commits both sides to share intelligence.",
    "Xem thêm các quy định mới về an ninh hàng hải được ban hành trong tháng này.",
    "Baca juga keterangan resmi Kementerian Luar Negeri yang dirilis pada Selasa malam.",
    "Читайте также заявление МИД России, опубликованное во вторник вечером на сайте.",
    "Photo: the two leaders shook hands in Sochi before the talks on terrorism began.",
    # a colon, but far longer than a linked headline
    "Read more: the ministry said on Tuesday that the joint exercises would be held in the "
    "Andaman Sea next year, with ships from all ten ASEAN members taking part.",
]


@pytest.mark.parametrize("sentence", SENTENCES)
def test_a_paragraph_that_begins_like_a_read_also_line_stays(sentence: str) -> None:
    """Only a marker with a separator or a headline-like title is a "read also" line."""
    assert clean_lines(f"{BODY}\n{sentence}").splitlines() == [BODY, sentence]


@pytest.mark.parametrize(
    "link",
    [
        "Baca Juga Putin Undang Pemimpin ASEAN ke Sochi",
        "Related post: Pickled Brussels Sprouts Recipe",
        "[Related: Salesforce Dreamforce Keynote: AI, Integration, Alicia Keys And Protestors]",
        "По теме: Учения в Андаманском море",
        "Read more » Tencent profit falls as Alibaba threat and economic woes weigh",
        "Xem thêm - Nga và ASEAN tập trận chung",
        "Foto: ANTARA FOTO/Sigid Kurniawan/foc.",
    ],
)
def test_a_read_also_link_or_credit_goes(link: str) -> None:
    """A marker and a linked headline on one line, and a short credit, are dropped."""
    assert clean_lines(f"{link}\n{BODY}").splitlines() == [BODY]


# --- language --------------------------------------------------------------------------------

MALAY = (
    "Kerajaan Malaysia akan meneruskan kerjasama keselamatan dengan Rusia dan negara anggota "
    "ASEAN lain bagi menangani ancaman keganasan rentas sempadan, kata menteri pada Isnin. "
) * 3


@pytest.mark.parametrize(
    ("declared", "hint", "expected"),
    [
        ("ms", None, "ms"),
        ("id", None, "id"),  # close relatives: the page's word decides
        (None, "id", "id"),  # and failing that the source's
        (None, "ms", "ms"),
        ("ru", None, "ms"),  # not a relative, and the text is clear: the text wins
    ],
)
def test_language_choice_between_relatives(
    declared: str | None, hint: str | None, expected: str
) -> None:
    """Indonesian and Malay: the declaration decides; an unrelated wrong one does not."""
    assert choose_language(MALAY, declared, hint) in (
        {expected, "id"} if expected == "ms" and declared == "ru" else {expected}
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Военные учения России и Вьетнама", "ru"),  # short, but clear
        ("Tàu Trung Quốc vào Biển Đông", "vi"),
        ("Polisi sita 5 kg sabu", None),  # looks Tagalog (0.13): unknown, not a wrong guess
        ("", None),
    ],
)
def test_a_short_text_that_declares_nothing_gets_a_language_only_when_it_is_clear(
    text: str, expected: str | None
) -> None:
    """A short text is read in the language it looks like only when py3langid is fairly sure."""
    assert expected == choose_language(text, None, None)


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        # labelled ISO-8859-1 but written in windows-1252, as browsers assume (WHATWG)
        (
            "text/html; charset=ISO-8859-1",
            "“Curly” – quotes’".encode("cp1252"),
            "“Curly” – quotes’",
        ),
        (None, b'<meta charset="latin1">' + "café “x”".encode("cp1252"), "café “x”"),
        ("text/html; charset=us-ascii", b"\x93quoted\x94 \x81", "“quoted” \ufffd"),
        ("text/html; charset=ISO-8859-1", "utf-8 wins: é".encode(), "utf-8 wins: é"),
    ],
)
def test_latin1_labels_read_as_windows_1252(
    content_type: str | None, body: bytes, expected: str
) -> None:
    from monitor.extract.decode import decode_html

    assert decode_html(body, content_type).endswith(expected)


def test_a_listing_is_told_among_the_lexicon_languages() -> None:
    """The languages a listing's headline is told among are the ones the lexicon writes forms
    in (a language of its own would make the lexicon's forms kept to another stop counting)."""
    assert set(LEXICON_LANGUAGES) == {code.split("_")[0] for code in LANGUAGES}
