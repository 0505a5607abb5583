"""Config of the source kinds added for article pages: ``listing``, ``sitemap``, ``follow``."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import ListingSelectors, load_settings
from monitor.errors import ConfigError


def load(tmp_path: Path, sources: str):
    (tmp_path / "watchlists").mkdir(exist_ok=True)
    path = tmp_path / "monitor.yaml"
    path.write_text("sources:\n" + sources, encoding="utf-8")
    return load_settings(path, {})


def test_listing_and_sitemap_sources_with_follow_and_selectors(tmp_path: Path) -> None:
    """Each kind is read with its URL; follow defaults to true; selectors are kept."""
    settings = load(
        tmp_path,
        "  - id: kompas\n    listing: https://www.kompas.com/global\n"
        "    selectors: {links: 'div.article__list h3 a', date: '.article__date'}\n"
        "  - id: antara\n    sitemap: https://www.antaranews.com/sitemap-news.xml\n"
        "    follow: false\n    max_follow: 5\n",
    )
    kompas, antara = settings.sources
    assert (kompas.kind, kompas.follow, kompas.max_follow) == ("listing", True, 20)
    assert kompas.selectors == ListingSelectors("div.article__list h3 a", None, ".article__date")
    assert (antara.kind, antara.url, antara.follow, antara.max_follow) == (
        "sitemap", "https://www.antaranews.com/sitemap-news.xml", False, 5,
    )  # fmt: skip


def test_defaults_set_follow_for_every_source(tmp_path: Path) -> None:
    """``defaults: {follow: false}`` applies to sources that do not say."""
    (tmp_path / "watchlists").mkdir()
    path = tmp_path / "monitor.yaml"
    path.write_text(
        "defaults: {follow: false}\nsources:\n  - id: a\n    feed: https://a.example/rss\n"
        "  - id: b\n    feed: https://b.example/rss\n    follow: true\n",
        encoding="utf-8",
    )
    a, b = load_settings(path, {}).sources
    assert (a.follow, b.follow) == (False, True)


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (
            "  - id: a\n    listing: https://a.example/\n    selectors: {links: 'div >> a'}\n",
            "monitor.yaml:4: sources[0].selectors.links: not a valid CSS selector: 'div >> a'",
        ),
        (
            "  - id: a\n    sitemap: https://a.example/s.xml\n    selectors: {links: a}\n",
            "monitor.yaml:4: sources[0].selectors: selectors apply to listing sources only",
        ),
        (
            "  - id: a\n    listing: https://a.example/\n    sitemap: https://a.example/s.xml\n",
            "monitor.yaml:2: sources[0]: give only one of: listing, sitemap",
        ),
        (
            "  - id: a\n    listing: https://a.example/\n    selectors: {title: h2}\n",
            "monitor.yaml:4: sources[0].selectors: missing required key 'links'",
        ),
        (
            "  - id: a\n    listing: https://a.example/\n    max_follow: 0\n",
            "monitor.yaml:4: sources[0].max_follow: must be between 1 and 1000, got 0",
        ),
    ],
)
def test_bad_source_settings_name_file_line_and_key(
    tmp_path: Path, sources: str, expected: str
) -> None:
    """Invalid selectors and kinds are config errors at load, with file, line and key."""
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, sources)
    assert str(caught.value).replace(f"{tmp_path}/", "") == expected
