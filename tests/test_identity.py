"""Tests of ``monitor.identity``: canonical URLs and item keys, as a table of cases."""

from __future__ import annotations

import pytest

from monitor.identity import canonical_url, http_link, item_key

CANONICAL = [
    # (published URL, canonical form, why)
    ("https://example.com/a", "https://example.com/a", "already canonical"),
    ("HTTPS://Example.COM/Path", "https://example.com/Path", "scheme and host lower, path kept"),
    ("http://example.com:80/a", "http://example.com/a", "default http port"),
    ("https://example.com:443/a", "https://example.com/a", "default https port"),
    ("https://example.com:8443/a", "https://example.com:8443/a", "other port kept"),
    ("http://example.com:443/a", "http://example.com:443/a", "443 is not http's default"),
    ("https://example.com", "https://example.com/", "empty path"),
    ("https://example.com?b=1", "https://example.com/?b=1", "empty path with query"),
    ("https://example.com/a#section-2", "https://example.com/a", "fragment dropped"),
    ("https://example.com/a#", "https://example.com/a", "empty fragment dropped"),
    ("https://example.com/#!/news/42", "https://example.com/#!/news/42", "hash-bang route kept"),
    (
        "https://example.com/a?utm_source=rss&utm_medium=feed&utm_campaign=x&id=7",
        "https://example.com/a?id=7",
        "utm_* dropped",
    ),
    (
        "https://example.com/a?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&yclid=5&_ga=6&igshid=7&x=1",
        "https://example.com/a?x=1",
        "click ids dropped",
    ),
    ("https://example.com/a?ref_src=twsrc&s=20", "https://example.com/a?s=20", "ref_src dropped"),
    (
        "https://www.heise.de/news/x.html?wt_mc=rss.ho.beitrag.rdf",
        "https://www.heise.de/news/x.html",
        "Webtrekk (heise)",
    ),
    ("https://example.com/a?UTM_Source=x&b=2", "https://example.com/a?b=2", "names match any case"),
    ("https://example.com/a?utm_source", "https://example.com/a", "tracking name without value"),
    ("https://example.com/a?b=2&a=1&c=3", "https://example.com/a?a=1&b=2&c=3", "params sorted"),
    ("https://example.com/a?a=2&a=1", "https://example.com/a?a=1&a=2", "repeats sorted by value"),
    (
        "http://www.kc0011.net/dispbbs.asp?BoardID=10&ID=25164257&Page=1",
        "http://www.kc0011.net/dispbbs.asp?BoardID=10&ID=25164257&Page=1",
        "non-tracking params kept, case of names kept",
    ),
    ("https://example.com/a?q=b%2Fc+d", "https://example.com/a?q=b%2Fc+d", "no re-encoding"),
    ("https://example.com/a?&&x=1&", "https://example.com/a?x=1", "empty pairs dropped"),
    ("https://example.com/a?utm_source=x", "https://example.com/a", "query emptied entirely"),
    ("https://Example.com./a", "https://example.com/a", "trailing dot of the host"),
    ("http://[::1]:80/a", "http://[::1]/a", "IPv6 literal, default port"),
    ("http://[2001:db8::1]:8080/", "http://[2001:db8::1]:8080/", "IPv6 literal, other port"),
    ("  https://example.com/a \n", "https://example.com/a", "surrounding whitespace"),
]


@pytest.mark.parametrize(("url", "expected", "why"), CANONICAL, ids=[c[2] for c in CANONICAL])
def test_canonical_url(url: str, expected: str, why: str) -> None:
    """canonical_url normalises only what does not change the resource."""
    assert canonical_url(url) == expected


def test_canonical_url_is_idempotent() -> None:
    """Canonicalising twice changes nothing."""
    for url, expected, _ in CANONICAL:
        assert canonical_url(canonical_url(url)) == expected


KEYS = [
    # (url, guid, key)
    ("https://Example.com/a?utm_source=x#c", "ignored-guid", "https://example.com/a"),
    ("https://example.com/a", None, "https://example.com/a"),
    (None, "tag:example.com,2025:42", "guid:tag:example.com,2025:42"),
    ("", " 42 ", "guid:42"),
    ("mailto:news@example.com", "m-1", "guid:m-1"),
    ("/relative/only", "r-1", "guid:r-1"),
]


@pytest.mark.parametrize(("url", "guid", "key"), KEYS)
def test_item_key(url: str | None, guid: str | None, key: str) -> None:
    """The canonical http(s) link when there is one, else the guid."""
    assert item_key(url, guid) == key


@pytest.mark.parametrize(("url", "guid"), [(None, None), ("", ""), ("ftp://x.org/f", "  ")])
def test_item_key_needs_a_link_or_guid(url: str | None, guid: str | None) -> None:
    """Neither an http(s) link nor a guid: no key."""
    with pytest.raises(ValueError, match="link or a guid"):
        item_key(url, guid)


FEED = "https://example.com/feed.xml?api_key=s3cr3t&lang=en"
LINKS = [
    # (link as written in the feed, absolute link, why)
    ("/news/1", "https://example.com/news/1", "a path never takes the feed's query"),
    ("news/2?id=3", "https://example.com/news/2?id=3", "its own query only"),
    ("//other.org/a", "https://other.org/a", "scheme-relative"),
    ("#comments", None, "a spot in the feed itself, which would carry ?api_key="),
    ("  #  ", None, "an empty fragment"),
    ("#!/news/42", FEED.replace("&lang=en", "&lang=en#!/news/42"), "a hash-bang route is content"),
    ("mailto:desk@example.com", None, "another scheme"),
    ("http://[::1/x", None, "does not parse"),
]


@pytest.mark.parametrize(("link", "absolute", "why"), LINKS)
def test_http_link(link: str, absolute: str | None, why: str) -> None:
    """Relative links resolve against the feed; a bare fragment is no article link."""
    assert http_link(link, FEED) == absolute, why
