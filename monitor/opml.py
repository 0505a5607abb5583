"""OPML, the subscription-list format of feed readers: export sources, import subscriptions.

Owns: turning the configured feed sources into an OPML 2.0 document, and an OPML document (from
any feed reader, outlines nested in folders or not) into ``sources:`` entries for monitor.yaml.
Pure: text in, text out. Does not own: reading files or printing (``monitor.cli.opml``), nor
validating the entries (``monitor check`` does that once they are pasted into the config).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement, indent, tostring

import yaml
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from monitor.config.settings import SourceSettings
from monitor.errors import ConfigError

_ID_CHARS = re.compile(r"[^a-z0-9]+")
_MAX_ID = 40


@dataclass(frozen=True, slots=True)
class Subscription:
    """One feed of an OPML list."""

    #: the reader's name for it (``text`` or ``title``), or the URL when it has none
    name: str
    #: the feed's URL (``xmlUrl``)
    url: str


def to_opml(sources: Iterable[SourceSettings]) -> str:
    """The feed sources as OPML 2.0 (listings and sitemaps are not feeds a reader can follow)."""
    root = Element("opml", version="2.0")
    SubElement(SubElement(root, "head"), "title").text = "news-monitor sources"
    body = SubElement(root, "body")
    for source in sources:
        if source.kind == "feed":
            SubElement(body, "outline", type="rss", text=source.name, xmlUrl=source.url)
    indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, "unicode") + "\n"


def read_opml(data: bytes) -> list[Subscription]:
    """Every outline with an ``xmlUrl``, in document order, once per URL."""
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException) as error:
        raise ConfigError(f"not an OPML file: {error}") from None
    if root.tag != "opml":
        raise ConfigError(f"not an OPML file: the root element is <{root.tag}>")
    found: dict[str, Subscription] = {}
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        if url.startswith(("http://", "https://")) and url not in found:
            name = (outline.get("text") or outline.get("title") or "").strip()
            found[url] = Subscription(name=name or url, url=url)
    return list(found.values())


def to_sources_yaml(subscriptions: Iterable[Subscription]) -> str:
    """A ``sources:`` section to paste into monitor.yaml, with unique ids made from the names."""
    taken: set[str] = set()
    entries = []
    for sub in subscriptions:
        source_id = _unique(_slug(sub.name) or "feed", taken)
        entries.append({"id": source_id, "name": sub.name, "feed": sub.url})
    return yaml.safe_dump({"sources": entries}, allow_unicode=True, sort_keys=False)


def _slug(name: str) -> str:
    return _ID_CHARS.sub("-", name.lower()).strip("-")[:_MAX_ID].strip("-")


def _unique(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate
