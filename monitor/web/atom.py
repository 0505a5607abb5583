"""Atom 1.0 feeds of matches: values in, bytes out. Pure.

One entry per match, newest first: the headline as title, the article as link (http and https
only), the article's published time (else when it matched), the source as the entry's
``<source>``, the topic as ``<category>``, and a text summary carrying the score, why it matched
and the snippet. Entry ids are stable tag URIs (``tag:news-monitor,2025:match:<id>``), so a
reader never shows one match twice.
Owns: the document's shape and keeping hostile text well-formed (ElementTree escapes; characters
XML forbids are dropped). Does not own: which matches (``app``), the snippet (``present``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from monitor.store import MatchDetail
from monitor.web import present

ATOM = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
#: XML 1.0 forbids these even escaped; a feed carrying them would not parse
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """What the feed says about itself."""

    title: str
    #: the feed's own absolute URL (its id and rel="self" link)
    self_url: str
    #: the dashboard page it mirrors (rel="alternate")
    page_url: str
    #: when the feed last changed: the newest match's time, or now when empty
    updated: datetime


def render_feed(info: FeedInfo, matches: Sequence[MatchDetail]) -> bytes:
    """The Atom document, UTF-8 encoded with its XML declaration."""
    feed = ET.Element("feed", xmlns=ATOM)
    _text(feed, "id", info.self_url)
    _text(feed, "title", info.title)
    _text(feed, "updated", _when(info.updated))
    ET.SubElement(feed, "link", rel="self", type="application/atom+xml", href=info.self_url)
    ET.SubElement(feed, "link", rel="alternate", type="text/html", href=info.page_url)
    author = ET.SubElement(feed, "author")
    _text(author, "name", "news-monitor")
    _text(feed, "generator", "news-monitor")
    for detail in matches:
        feed.append(_entry(detail))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _entry(detail: MatchDetail) -> ET.Element:
    match = detail.match
    entry = ET.Element("entry")
    _text(entry, "id", f"tag:news-monitor,2025:match:{match.match_id}")
    _text(entry, "title", match.title or "(no title)")
    href = present.safe_href(match.url)
    if href is not None:
        ET.SubElement(entry, "link", rel="alternate", type="text/html", href=_clean(href))
    _text(entry, "published", _when(match.published or match.created))
    _text(entry, "updated", _when(match.created))
    ET.SubElement(entry, "category", term=match.topic_id, label=_clean(match.topic_name))
    source = ET.SubElement(entry, "source")
    _text(source, "title", detail.source_name)
    _text(entry, "summary", _summary(detail), type="text")
    return entry


def _summary(detail: MatchDetail) -> str:
    match = detail.match
    words = present.matched_words(match.hits)
    lines = [f"Score {match.score:.2f} for {match.topic_name}."]
    lines += [f"Matched: {'; '.join(present.why(match.hits))}."] if match.hits else []
    if match.also_in:
        lines.append(f"Also in: {', '.join(match.also_in)}.")
    text = present.snippet(detail.text, words)
    return "\n".join([*lines, "", text] if text else lines)


def _text(parent: ET.Element, tag: str, value: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = _clean(value)
    return element


def _clean(value: str) -> str:
    return _NOT_XML.sub("", value)


def _when(value: datetime) -> str:
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")
