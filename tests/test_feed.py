"""Tests of ``monitor.sources.feed``: golden files for every corpus feed, malformed feeds, and
the decisions the module docstring names (charsets, dates, links, identity, plain text)."""

from __future__ import annotations

import gzip
import importlib.util
import json
import pickle
import re
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from monitor.errors import ParseError
from monitor.sources import parse_feed
from monitor.types import ParsedFeed

FEEDS = Path(__file__).parent / "data" / "feeds"
MALFORMED = FEEDS / "malformed"
CROSS_CHECK = FEEDS / "cross-check"


def _load_regenerate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("feeds_regenerate", FEEDS / "regenerate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


golden = _load_regenerate()


def parse_corpus(name: str, content_type: str | None = None) -> ParsedFeed:
    body = (FEEDS / name).read_bytes()
    return parse_feed(body, url=golden.feed_url(name), content_type=content_type)


# --- golden files --------------------------------------------------------------------------------


@pytest.mark.parametrize("feed", golden.feed_files(), ids=lambda path: path.name)
def test_golden(feed: Path) -> None:
    """parse_feed gives what the hand-checked golden file beside the feed says."""
    expected = json.loads(golden.golden_path(feed).read_text(encoding="utf-8"))
    assert golden.summarize(feed) == expected


def test_every_corpus_feed_has_a_golden_file() -> None:
    """52 corpus feeds, each with its golden file."""
    feeds = golden.feed_files()
    assert len(feeds) == 52
    assert all(golden.golden_path(feed).exists() for feed in feeds)


# --- hand checks: characters, dates, links -------------------------------------------------------

HAND_CHECKED = [
    # (feed, item index, title, published UTC, url)
    (
        "miniflux__ibash.org.ru_rss_windows-1251.xml", 0, "Цитата #17703",
        "2018-03-21T07:27:32+00:00", "http://ibash.org.ru/quote.php?id=17703",
    ),
    (
        "node-feedparser__orenburg-news_rss_windows-1251.xml", 0,
        "В Бузулуке главные стройплощадки – детсад и Ледовый дворец",
        "2014-01-22T14:31:31+00:00", "http://www.oren.ru/news/2743422/",
    ),
    (
        "rss-parser-kt__liberal.gr_rss_iso-8859-7.xml", 0,
        "«Πορτραίτα καραντίνας» για έμπνευση από τη συλλογή Φέλιου", "2020-04-24T20:03:00+00:00",
        "https://www.liberal.gr/news/portraita%2Dkarantinas%2Dgia%2Dempneusi%2Dapo%2Dti%2Dsullogi"
        "%2Dfeliou/298923",
    ),
    (
        "rsparser__kc0011_rss_gb2312.xml", 0, "建国35周年纪念，华表，和平鸽",
        "2020-01-10T14:33:00+00:00",
        "http://www.kc0011.net/dispbbs.asp?BoardID=10&ID=25164257&Page=1",
    ),
    (
        "rss-parser__noticias.uol.com.br_rss_iso-8859-1_nodecl.xml", 0,
        "Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações de 2º turno",
        "2018-09-24T22:42:40+00:00",
        "https://noticias.uol.com.br/politica/eleicoes/2018/noticias/2018/09/24/"
        "ibope-bolsonaro-perde-de-haddad-ciro-e-alckmin-em-simulacoes-de-2-turno.htm",
    ),
    (
        "feed-rs__inovacaotecnologica_rss_iso-8859-1.xml", 0,
        "Revolução nas telas com pontos quânticos impressos em 3D", "2020-08-13T09:57:55+00:00",
        "https://www.inovacaotecnologica.com.br/noticias/noticia.php"
        "?artigo=revolucao-telas-pontos-quanticos-impressos-3d&id=010150200813",
    ),
    (
        "rss-parser__jn.pt_rss_iso-8859-1.xml", 0,
        "Mãe de utente é a nova presidente da Raríssimas",
        "2018-01-03T13:47:00+00:00",
        "https://www.jn.pt/nacional/interior/sonia-laig-e-a-nova-presidente-da-rarissimas-9021600.html",
    ),
    (
        "rss-parser-kt__news18-hindi_rss.xml", 0,
        "कैसे फैला कोरोना वायरस, WHO की टीम करेगी चीनी अधिकारियों के साथ बैठक",
        "2021-01-29T16:42:00+00:00",
        "https://hindi.news18.com/news/world/who-experts-in-wuhan-probing-coronavirus-origins"
        "-meet-chinese-scientists-nodtg-3437941.html",
    ),
    (
        "feed-rs__ilmessaggero.it_mondo_rss.xml", 0,
        "Missili Polonia, cosa è successo? Tensione Nato-Russia, Mosca: non siamo stati noi",
        "2022-11-15T23:38:15+00:00",
        "https://www.ilmessaggero.it/mondo/missili_polonia_cosa_e_successo_davvero-7054869.html",
    ),
    (
        "node-feedparser__talkingpointsmemo_atom.xml", 0,
        "Hannity Announces Fox Has Hired Sebastian Gorka As NatSec Strategist",
        "2017-11-08T23:15:58+00:00",
        "https://feeds.example.org/livewire/hannity-announces-fox-hired-sebastian-gorka-national"
        "-security-strategist",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("name", "index", "title", "published", "url"), HAND_CHECKED)
def test_hand_checked_items(name: str, index: int, title: str, published: str, url: str) -> None:
    """Characters of non-UTF-8 feeds, UTC dates and absolute links, as read by a person."""
    item = parse_corpus(name).items[index]
    assert (item.title, item.published, item.url) == (
        title,
        datetime.fromisoformat(published),
        url,
    )


def test_charset_from_content_type_header() -> None:
    """A windows-1251 body without an XML declaration reads right only with the HTTP charset."""
    body = (FEEDS / "miniflux__ibash.org.ru_rss_windows-1251.xml").read_bytes()
    body = re.sub(rb"^<\?xml[^>]*\?>", b"", body.lstrip())
    with_header = parse_feed(
        body, url="http://x.org/", content_type="text/xml; charset=windows-1251"
    )
    without = parse_feed(body, url="http://x.org/")
    assert with_header.title == "iBash.Org.Ru"
    assert with_header.items[0].summary.startswith("xxx: есть у кого жаба программер")
    assert not without.items[0].summary.startswith("xxx: есть")


def test_bare_text_xml_follows_the_document_declaration() -> None:
    """``text/xml`` without charset does not force US-ASCII (RFC 7303) and raises no warning."""
    parsed = parse_corpus("rss-parser-kt__aif.ru_argumenty-i-fakty_rss.xml", "text/xml")
    assert parsed.title == "Аргументы и Факты"
    assert parsed.warning is None


def test_feedburner_origlink_preferred() -> None:
    """FeedBurner redirect links give way to the publisher's own URL."""
    item = parse_corpus("rss-parser__jn.pt_rss_iso-8859-1.xml").items[0]
    assert item.url is not None and item.url.startswith("https://www.jn.pt/")


# --- cross-check with the source projects' own expectations --------------------------------------


def _cross_check_cases() -> list[tuple[str, Path]]:
    return [
        (path.name.removesuffix(".expected.json"), path)
        for path in sorted(CROSS_CHECK.glob("*.expected.json"))
    ]


def _reference_items(reference: dict[str, Any]) -> list[tuple[str, str]]:
    """(title, link) pairs from rss-parser (``feed.items``) or feed-rs (``entries``) output."""
    if "feed" in reference:
        return [(item["title"], item["link"]) for item in reference["feed"]["items"]]
    return [
        (entry["title"]["content"], entry["links"][0]["href"]) for entry in reference["entries"]
    ]


def _load_reference(path: Path) -> dict[str, Any]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    reference: dict[str, Any] = json.loads(text)
    return reference


@pytest.mark.parametrize(("stem", "reference"), _cross_check_cases(), ids=lambda v: str(v)[:40])
def test_cross_check_titles_and_links(stem: str, reference: Path) -> None:
    """Titles and links agree with rss-parser / feed-rs where their model maps onto ours."""
    name = next(path.name for path in golden.feed_files() if path.name.startswith(stem + "."))
    parsed = parse_corpus(name)
    expected = _reference_items(_load_reference(reference))
    ours = [(item.title, item.url) for item in parsed.items]
    assert len(ours) == len(expected)
    for (title, link), (our_title, our_url) in zip(expected, ours, strict=True):
        if "\ufffd" not in title:  # rss-parser itself mis-decodes the UOL feed
            assert " ".join(title.split()) == our_title
        if "jn.pt" not in stem:  # rss-parser keeps FeedBurner's redirect; we take the origLink
            assert link == our_url


# --- malformed and hostile input -----------------------------------------------------------------


def _malformed_files() -> list[Path]:
    return sorted(p for p in MALFORMED.rglob("*") if p.is_file() and p.name != "SOURCES.md")


def _oracle_text(body: bytes) -> str:
    for encoding in ("utf-8", "utf-16", "utf-32"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    return body.decode("latin-1")


def _header_content_type(body: bytes) -> str | None:
    """The ``Header: Content-type:`` a feedparser test file assumes, if any."""
    match = re.search(r"Header:\s*Content-type:\s*(.*)", _oracle_text(body), re.IGNORECASE)
    return match.group(1).strip() if match else None


@pytest.mark.parametrize("path", _malformed_files(), ids=lambda p: str(p.relative_to(MALFORMED)))
def test_malformed_returns_a_feed_or_parse_error(path: Path) -> None:
    """Every malformed file gives a ParsedFeed or a ParseError, nothing else."""
    body = path.read_bytes()
    try:
        result = parse_feed(
            body, url="http://example.org/feed", content_type=_header_content_type(body)
        )
    except ParseError as e:
        assert str(e)
        return
    assert isinstance(result, ParsedFeed)


# RFC 7303 choice: a bare text/xml or text/plain no longer means US-ASCII, so no warning.
NOT_BOZO_FOR_US = {"encoding/bozo_http_i18n.xml", "encoding/bozo_http_text_plain.xml"}


def _bozo_oracles() -> list[tuple[Path, bool]]:
    cases = []
    for path in _malformed_files():
        match = re.search(r"Expect:\s*(not bozo|bozo)", _oracle_text(path.read_bytes()))
        relative = str(path.relative_to(MALFORMED))
        if match and relative not in NOT_BOZO_FOR_US:
            cases.append((path, match.group(1) == "bozo"))
    return cases


@pytest.mark.parametrize(
    ("path", "bozo"), _bozo_oracles(), ids=lambda v: v.name if isinstance(v, Path) else str(v)
)
def test_bozo_oracle_maps_to_warning(path: Path, bozo: bool) -> None:
    """feedparser's ``bozo`` oracle: a warning (or ParseError) exactly when the file is broken."""
    body = path.read_bytes()
    try:
        parsed = parse_feed(
            body, url="http://example.org/", content_type=_header_content_type(body)
        )
    except ParseError:
        assert bozo
        return
    problems = [p for p in (parsed.warning or "").split("; ") if p and not p.startswith("dropped")]
    assert bool(problems) == bozo


ORACLES = [
    # (file, what the Expect: line says, in our fields)
    ("encoding/http_i18n.xml", "title", "Iñtërnâtiônàlizætiøn"),
    ("encoding/bozo_http_i18n.xml", "title", "Iñtërnâtiônàlizætiøn"),
    ("encoding/euc-kr.xml", "title", "\ub144"),
    ("encoding/euc-kr-item.xml", "summary", "\ub144"),
    ("encoding/http_text_xml_charset_2.xml", "summary", "This is a \xa3\u201ctest.\u201d"),
    ("encoding/demoronize-1.xml", "summary", "don\u2019t"),
    ("encoding/demoronize-2.xml", "summary", "don\u2019t"),
    # feedparser keeps "don&#x2019;t" (escaped twice); as plain text that is "don’t"
    ("encoding/demoronize-3.xml", "summary", "don\u2019t"),
    ("encoding/double-encoded-html.xml", "summary", "\u2026"),
    ("illformed/rss_item_link_corrupted_ampersands.xml", "url", "http://link/get?a=1&b=2"),
    ("illformed/always_strip_doctype.xml", "title", "found"),
    ("wellformed/xml/escaped_apos.xml", "title", "it's correct"),
    ("wellformed/xml/empty_xmlns_uri.xml", "title", "empty"),
    ("wellformed/xml/xlink_ns_no_prefix.xml", "title", "xlink"),
    ("json/example.json", "title", "My Example Feed"),
]


@pytest.mark.parametrize(("name", "field", "value"), ORACLES)
def test_expect_oracles(name: str, field: str, value: str) -> None:
    """The ``Expect:`` oracles of feedparser's tests that are about our fields."""
    body = (MALFORMED / name).read_bytes()
    parsed = parse_feed(body, url="http://example.org/", content_type=_header_content_type(body))
    actual = parsed.title if field == "title" else getattr(parsed.items[0], field)
    assert actual == value


@pytest.mark.parametrize(
    "name",
    [
        "node-feedparser/compressed_gzip_windows-1251_oren.ru.xml.gz",
        "node-feedparser/invalid-characters-gzipped_nshipster.xml.gz",
    ],
)
def test_gzipped_feeds_parse_once_decoded(name: str) -> None:
    """The fetcher undoes gzip; the decoded bodies are feeds, the raw ones are not."""
    body = (MALFORMED / name).read_bytes()
    with pytest.raises(ParseError):
        parse_feed(body, url="http://example.org/")
    assert parse_feed(gzip.decompress(body), url="http://example.org/").items


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty body"),
        (b"  \r\n\t ", "empty body"),
        ((MALFORMED / "node-feedparser/notafeed.html").read_bytes(), "an HTML page, not a feed"),
        (b"hello, world", "not a feed"),
        (b'{"rss": {"channel": {}}}', "not a feed"),
        (b"{not json", "invalid JSON"),
        ((FEEDS / "rsparser__scripting.com_jsonfeed.json").read_bytes(), "not a feed"),
    ],
    ids=["empty", "blank", "html", "text", "json-other", "json-bad", "rss-in-json"],
)
def test_not_a_feed(body: bytes, reason: str) -> None:
    """Bodies that are no feed raise ParseError with a short reason."""
    with pytest.raises(ParseError, match=reason):
        parse_feed(body, url="http://example.org/")


TRUNCATED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>one'
EMPTY = b'<rss version="2.0"><channel><title>T</title></channel></rss>'


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b"<rss><channel><item><title>unclosed ", None, "error"),
        (TRUNCATED, None, "error"),
        (b'<rss version="2.0"><channel><title>T</title>', None, "error"),
        (EMPTY, None, "ok"),
        (EMPTY, "text/plain; charset=utf-8", "warning"),
        (TRUNCATED.replace(b"<title>one", b"<title>one</title><link>http://x.org/1</link>"),
         None, "warning"),
    ],
    ids=["bare", "truncated-item", "truncated-channel", "empty", "empty-not-xml-type",
         "truncated-after-an-item"],
)  # fmt: skip
def test_broken_document_without_items_is_an_error(
    body: bytes, content_type: str | None, expected: str
) -> None:
    """Not well-formed and no item read: ParseError; an empty well-formed feed stays a feed."""
    try:
        parsed = parse_feed(body, url="http://x.org/feed", content_type=content_type)
    except ParseError as error:
        assert str(error).startswith("a broken feed with no items (")
        outcome = "error"
    else:
        outcome = "warning" if parsed.warning else "ok"
    assert outcome == expected


@pytest.mark.parametrize(
    "body", [b"/etc/passwd", b"http://127.0.0.1:9/feed.xml", b"file:///etc/hosts"]
)
def test_body_is_never_opened_as_a_path_or_url(body: bytes) -> None:
    """feedparser would open a str/bytes naming a file or URL; we hand it the bytes themselves."""
    with pytest.raises(ParseError, match="not a feed"):
        parse_feed(body, url="http://example.org/")


# --- decisions on small documents ----------------------------------------------------------------


def rss(items: str, channel: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        f"{channel}{items}</channel></rss>"
    ).encode()


def test_duplicates_keep_the_first_and_say_so() -> None:
    """Items with the same key: the first stays, the warning counts the rest."""
    body = rss(
        "<item><title>a</title><link>https://x.org/a?utm_source=rss</link></item>"
        "<item><title>b</title><link>https://X.org/a#comments</link></item>"
    )
    parsed = parse_feed(body, url="https://x.org/feed")
    assert [item.title for item in parsed.items] == ["a"]
    assert parsed.warning == "dropped 1 item(s) repeating an earlier item's link or guid"


def test_identity_without_link() -> None:
    """No link: the guid is the key; neither: a derived ``hash:`` guid; nothing at all: dropped."""
    body = rss(
        '<item><title>a</title><guid isPermaLink="false">abc-1</guid></item>'
        "<item><title>b</title><description>text</description></item>"
        "<item><description></description></item>"
    )
    parsed = parse_feed(body, url="https://x.org/feed")
    first, second = parsed.items
    assert (first.key, first.url, first.guid) == ("guid:abc-1", None, "abc-1")
    assert second.guid is not None and second.guid.startswith("hash:")
    assert second.key == "guid:" + second.guid
    assert parsed.warning == "dropped 1 item(s) with no link, guid, title or summary"


def test_relative_links_and_unsafe_schemes() -> None:
    """Relative links resolve against the feed URL; javascript: links are not links."""
    body = rss(
        "<item><title>a</title><link>/news/1</link></item>"
        "<item><title>b</title><link>javascript:alert(1)</link>"
        '<guid isPermaLink="false">g</guid></item>'
    )
    first, second = parse_feed(body, url="https://x.org/feeds/all.xml").items
    assert first.url == "https://x.org/news/1"
    assert (second.url, second.key) == (None, "guid:g")


def test_plain_text_summary() -> None:
    """HTML becomes one line of text: entities decoded, scripts dropped, blocks spaced."""
    body = rss(
        "<item><title>AT&amp;T &lt;b&gt;bold&lt;/b&gt;</title><link>https://x.org/1</link>"
        "<description><![CDATA[<p>One&nbsp;&amp; <b>two</b></p><script>evil()</script>"
        "<p>three\n\n four</p>]]></description></item>"
    )
    item = parse_feed(body, url="https://x.org/").items[0]
    assert item.summary == "One & two three four"
    assert item.title == "AT&T bold"


def test_language_ttl_and_hint() -> None:
    """Declared language wins over the hint and is reduced to ISO 639-1; ttl is in seconds."""
    declared = parse_feed(
        rss("", "<language>en-US</language><ttl>15</ttl>"), url="https://x.org/", language="id"
    )
    hinted = parse_feed(
        rss("<item><title>a</title><link>https://x.org/1</link></item>"),
        url="https://x.org/",
        language="ms",
    )
    assert (declared.language, declared.ttl) == ("en", 900.0)
    assert (hinted.language, hinted.items[0].language) == ("ms", "ms")


def test_json_feed() -> None:
    """JSON Feed 1.1: authors list, content_html as text, relative url against home_page_url."""
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "J",
            "home_page_url": "https://j.example/blog/",
            "language": "id-ID",
            "items": [
                {
                    "id": 7,
                    "url": "post/7",
                    "title": "Judul",
                    "content_html": "<p>Isi&nbsp;berita</p>",
                    "date_published": "2025-06-23T10:00:00+07:00",
                    "authors": [{"name": "Ani"}],
                },
                "not an object",
            ],
        }
    ).encode()
    parsed = parse_feed(body, url="https://j.example/feed.json")
    (item,) = parsed.items
    assert (item.url, item.guid, item.summary, item.author, item.language) == (
        "https://j.example/blog/post/7",
        "7",
        "Isi berita",
        "Ani",
        "id",
    )
    assert item.published == datetime(2025, 6, 23, 3, 0, tzinfo=UTC)
    assert parsed.warning == "items that are not objects"


@pytest.mark.parametrize(
    ("pub_date", "expected"),
    [
        ("Tue, 07 Dec 2021 20:33:00 WIB", datetime(2021, 12, 7, 13, 33, tzinfo=UTC)),
        ("Tue, 07 Dec 2021 20:33:00 MSK", datetime(2021, 12, 7, 17, 33, tzinfo=UTC)),
        ("Tue, 07 Dec 2021 20:33:00 ICT", datetime(2021, 12, 7, 13, 33, tzinfo=UTC)),
        ("Tue, 07 Dec 2021 20:33:00 GMT+7", datetime(2021, 12, 7, 13, 33, tzinfo=UTC)),
        # feedparser would read these as 20:33 UTC
        ("Tue, 07 Dec 2021 20:33:00 XYZ", None),
        ("Tue, 07 Dec 2021 20:33:00 BST", None),
    ],
)
def test_pub_date_zone_abbreviations(pub_date: str, expected: datetime | None) -> None:
    """An item's date in a local zone is read in that zone; in one nobody here knows, it is no
    date at all rather than one off by hours."""
    body = rss(f"<item><title>a</title><link>https://x.org/a</link><pubDate>{pub_date}</pubDate>"
               "</item>")  # fmt: skip
    (item,) = parse_feed(body, url="https://x.org/feed").items
    assert item.published == expected


def test_an_unknown_zone_falls_back_to_the_updated_date() -> None:
    """Atom ``published`` in a zone nobody here knows: ``updated``, with its offset, is used."""
    body = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><title>a</title>'
        b'<link href="https://x.org/a"/><id>a</id>'
        b"<published>Tue, 07 Dec 2021 20:33:00 XYZ</published>"
        b"<updated>2021-12-07T21:00:00+07:00</updated></entry></feed>"
    )
    (item,) = parse_feed(body, url="https://x.org/feed").items
    assert item.published == datetime(2021, 12, 7, 14, 0, tzinfo=UTC)


def test_a_date_in_the_future_is_no_date() -> None:
    """Given ``now``, an item dated 2099 (or more than a day ahead) has no date; one a few hours
    ahead (a zone written wrong) keeps its own. Without ``now`` nothing is refused."""
    now = datetime(2021, 12, 7, 13, 33, tzinfo=UTC)
    body = rss(
        "<item><title>a</title><link>https://x.org/a</link>"
        "<pubDate>Thu, 01 Jan 2099 00:00:00 GMT</pubDate></item>"
        "<item><title>b</title><link>https://x.org/b</link>"
        "<pubDate>Tue, 07 Dec 2021 20:33:00 GMT</pubDate></item>"
    )
    parsed = parse_feed(body, url="https://x.org/feed", now=now)
    assert [item.published for item in parsed.items] == [
        None, datetime(2021, 12, 7, 20, 33, tzinfo=UTC),
    ]  # fmt: skip
    json_feed = b'{"items": [{"id": "1", "title": "a", "date_published": "2099-01-01T00:00:00Z"}]}'
    assert parse_feed(json_feed, url="https://x.org/f.json", now=now).items[0].published is None
    unchecked = parse_feed(body, url="https://x.org/feed").items[0].published
    assert unchecked == datetime(2099, 1, 1, tzinfo=UTC)


def test_result_pickles_for_the_process_pool() -> None:
    """ParsedFeed crosses a process boundary intact."""
    parsed = parse_corpus("rsparser__kc0011_rss_gb2312.xml")
    assert pickle.loads(pickle.dumps(parsed)) == parsed
