"""An article page's main text: trafilatura (fast mode), then our boilerplate line filter.

Owns: calling trafilatura and the line rules that remove what it leaves in on news sites we
follow: "Baca Juga" / "Read also" / "Xem thêm" / "Читайте также" blocks, share bars and ad
labels, photo credits, captions repeated in the text, promotional footers ("Yuk koleksi buku..."),
and a dateline split off above its paragraph ("JAKARTA" above "JAKARTA (Reuters) - ...").
A line goes only when it looks like furniture as a whole: "Baca juga: X" or "Baca Juga Putin
Undang ..." is a link, "Lihat juga bagaimana aparat ..." a paragraph of the article that begins
with the same words; "Foto: ANTARA/X" is a credit, a sentence after "Photo:" is not. A line
the text repeats is the article's (sub-headings, list items) unless it is one word (a menu).
Does not own: metadata, dates or language (the other modules of ``monitor.extract``).

Why fast mode: it skips trafilatura's fallback extractors (readability, jusText), which roughly
halve its speed for a small gain in F1; ``benchmarks/extract_bench.py`` measures both.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection
from itertools import pairwise
from typing import Literal

import trafilatura

#: a "read also" marker at the start of a line: a heading of linked headlines, or one link
_READ_ALSO = re.compile(
    r"^\W*(?:baca juga|baca pula|simak juga|lihat juga|baca selengkapnya|berita terkait|"
    r"artikel terkait|read also|also read|read more|related(?: articles?| stories| news| posts?|"
    r" videos?)?|see also|xem thêm|tin liên quan|đọc thêm|читайте также|читайте еще|"
    r"смотрите также|по теме|berita lainnya|baca berita lainnya)\b",
    re.IGNORECASE,
)
#: what stands between the marker and the headline it links: "Baca juga: X", "Xem thêm » X"
_LINK_SEPARATOR = re.compile(r"\s*(?:[:»|>]|[-–—](?=\s))")
#: a marker and its linked headline on one line are this short (in words): the longest of the 45
#: such lines in the 856 pages of ../shared/corpus/articles has 17 ("Read more: Exact date ...")
_LINK_WORDS = 20
_WORD = re.compile(r"\w")
#: a line that is only a label of the page furniture
_FURNITURE = re.compile(
    r"^\W*(?:advertisement|advertisment|iklan|sponsored|scroll to continue|scroll untuk "
    r"melanjutkan|share|bagikan|tweet|(?:share|tweet|link|digg|e-?mail|print|pin) this(?: article"
    r"| story)?|share on \w+|(?:order )?reprints|print(?: article)?|копировать ссылку|"
    r"поделиться|chia sẻ|quảng cáo|реклама|follow us|ikuti kami|comments?|komentar)\W*$",
    re.IGNORECASE,
)
#: photo credits ("Foto: EPA-EFE/...") and promotional footers ("Yuk koleksi buku ...")
_CREDIT = re.compile(r"^\W*(?:foto|photo|ảnh|фото|image|gambar|sumber foto)\s*:", re.IGNORECASE)
#: a credit names a photographer and an agency: the longest of the 9 credit lines in the 856
#: pages of ../shared/corpus/articles has 5 words; a longer line is a caption or a paragraph
_CREDIT_WORDS = 10
_PROMO = re.compile(
    r"^\W*(?:yuk|ayo)\b.*(?:koleksi|ikuti|follow|simak|download|unduh|gabung|langganan|"
    r"subscribe|klik)|^\W*(?:subscribe|sign up|download) (?:to|for|now|our)\b",
    re.IGNORECASE,
)
#: after a "read also" heading, the linked headlines that follow are short lines without a stop
_HEADLINE_WORDS = 16
_LINKS_AFTER_HEADING = 6
#: a single word repeated in the text is a menu or a tag list ("News", "Politics", "Novembro");
#: longer repeated lines are sub-headings, list items, recipes, quoted tweets' signatures: the
#: article's (in AEB's ground truth: beachbodyondemand's "Pre-Workout Meal" six times). The
#: length bound keeps a repeated sentence of a script written without spaces.
_MENU_CHARS = 30
#: a caption shorter than this is too generic to compare ("Foto: Reuters"); one this long or
#: longer is a paragraph the page also shows under a photo (kept: readability's yahoo-2 test page)
_CAPTION_WORDS = 5
_PARAGRAPH_WORDS = 60
#: a dateline split off its paragraph is this short (in words): "SURABAYA, Indonesia/JAKARTA"
_OPENING_WORDS = 6
#: what follows the place in a dateline: more of the place, then the agency, or a dash, or both
#: (", England (CNN) --", " (Reuters) -", ", KOMPAS.com -", " (ANTARA) -", " — ")
_DATELINE_END = re.compile(
    r"(?:,[^!?()\n]{1,40}?)?\s*(?:\([^()\n]{1,40}\)\s*(?:-{1,2}|[–—:])?|-{1,2}|[–—])\s"
)


def main_text(html: str, url: str | None, captions: Collection[str] = ()) -> str:
    """The article's main text, one paragraph per line; empty when none was found.

    ``captions``: the page's photo captions and alt texts; a line that repeats one is dropped.
    """
    raw = trafilatura.extract(
        html, url=url, fast=True, include_comments=False, include_images=False,
        include_links=False, with_metadata=False, deduplicate=False,
    )  # fmt: skip
    return clean_lines(raw or "", captions)


def clean_lines(text: str, captions: Collection[str] = ()) -> str:
    """``text`` without boilerplate lines (see the module docstring), blank lines dropped."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    counts = Counter(lines)
    kept: list[str] = []
    after_heading = 0
    for line in lines:
        read_also = _read_also(line)
        if read_also:
            # a bare heading starts a block of linked headlines; "Baca juga: X" is one line
            after_heading = _LINKS_AFTER_HEADING if read_also == "heading" else 0
            continue
        if after_heading and _is_headline(line):
            after_heading -= 1
            continue
        after_heading = 0
        if _is_furniture(line, counts[line]) or _is_caption(line, captions):
            continue
        kept.append(line)
    # after the other rules: a share bar may stand between the dateline and its paragraph
    pairs = pairwise([*kept, ""])
    return "\n".join(line for line, following in pairs if not _is_split_dateline(line, following))


def _read_also(line: str) -> Literal["heading", "link"] | None:
    """What a line that opens with a "read also" marker is: a bare heading ("Baca Juga",
    "Related articles:"), one link (the marker and a headline: "Baca juga: X", "Read more » X",
    "Baca Juga Putin Undang Pemimpin ASEAN"), or None: a paragraph that merely begins with those
    words ("Lihat juga bagaimana ...", "По теме безопасности на море ...") is the article's."""
    marker = _READ_ALSO.match(line)
    if not marker:
        return None
    rest = line[marker.end() :]
    if not _WORD.search(rest):
        return "heading"
    if _LINK_SEPARATOR.match(rest):
        return "link" if len(line.split()) <= _LINK_WORDS else None
    return "link" if _is_title(rest) else None


def _is_title(text: str) -> bool:
    """A headline written after the marker without a separator: it opens with a capital or a
    digit (a sentence goes on in lower case), short, without a closing stop."""
    first = _WORD.search(text)
    return first is not None and not first.group().islower() and _is_headline(text.strip())


def _is_caption(line: str, captions: Collection[str]) -> bool:
    """A line that repeats a photo caption (or starts it: the credit may follow in the figure)."""
    words = len(line.split())
    return _CAPTION_WORDS <= words < _PARAGRAPH_WORDS and any(c.startswith(line) for c in captions)


def _is_split_dateline(line: str, following: str) -> bool:
    """A short line that the next one opens with, followed there by a dateline's end: trafilatura
    makes a line of a place name in its own element (``<span class="articleLocation">JAKARTA
    </span> (Reuters) - ...``) and keeps it in the paragraph too. A heading that its paragraph
    repeats ("The Rukban camp" above "The Rukban camp, also known as...") stays."""
    return (
        len(line.split()) <= _OPENING_WORDS
        and following.startswith(line)
        and bool(_DATELINE_END.match(following[len(line) :]))
    )


def _is_headline(line: str) -> bool:
    return len(line.split()) <= _HEADLINE_WORDS and not line.endswith((".", "!", "?", "”", '"'))


def _is_furniture(line: str, count: int) -> bool:
    if _FURNITURE.match(line) or _PROMO.match(line):
        return True
    if _CREDIT.match(line) and len(line.split()) <= _CREDIT_WORDS:
        return True
    # a menu or tag list: the same single word in two places (headers and footers repeat them)
    return count > 1 and len(line) <= _MENU_CHARS and len(line.split()) == 1
