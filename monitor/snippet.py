"""The snippet of a matched article: the one excerpt every output shows. Pure, no I/O.

Owns: which text a snippet is taken from (the article's page text when it was followed and
extracted, else the feed's summary), the window of it around the first matched word, and the
ellipses that say it was cut: ``…`` where we cut it, at a word boundary, and at the end of a feed
summary that stops inside a word (the feed cut it: ``... highest diplomatic s…``). Alerts
(single and digest, every format), webhook payloads, the dashboard and the Atom feeds all take
their snippet from here, so one match reads the same everywhere; a message with less room
shortens it further (``trim``).
Does not own: reading the text (the store's queries), highlighting (``monitor.web.present``),
escaping (each output's own).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from monitor.types import Hit

#: longest snippet, in characters, ellipses included
SNIPPET_CHARS = 320
#: characters of text the first matched word is looked for in: the store reads one more (so a
#: longer text is known to go on) and no more, however long the article
TEXT_CHARS = 4000
ELLIPSIS = "…"
#: what a cut end loses: a dangling comma or dash reads worse than the ellipsis alone
_TRAILING = " ,;:-\u2013\u2014"
#: scripts written without spaces (Thai, Lao, Khmer, Myanmar, CJK) have no word edges to require
_UNSPACED = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff]")


def article_snippet(
    text: str | None, summary: str | None, words: Iterable[str], limit: int = SNIPPET_CHARS
) -> str:
    """The snippet of a matched article: of its page ``text`` when it was followed and
    extracted (the cleaned text, without the captions and bylines a feed's teaser may carry),
    else of the feed's ``summary``, whose end, if inside a word, is the feed's cut."""
    if text and text.strip():
        return excerpt(text, words, limit)
    return excerpt(summary or "", words, limit, teaser=True)


def excerpt(
    text: str, words: Iterable[str], limit: int = SNIPPET_CHARS, *, teaser: bool = False
) -> str:
    """At most ``limit`` characters of ``text`` on one line, around the first of ``words``
    found (any case, whole words), cut at word boundaries with ``…`` on each side we cut.
    ``teaser``: the text is a feed's summary; its end inside a word is marked too."""
    flat = " ".join(text[:TEXT_CHARS].split())
    goes_on = len(text) > TEXT_CHARS
    if goes_on:  # the end is our cut: at a word boundary, as every other
        flat = flat.rsplit(" ", 1)[0]
    start = 0 if len(flat) <= limit else _window_start(flat, words, limit)
    lead = "… " if start else ""
    rest = flat[start:]
    unfinished = goes_on or (teaser and _inside_word(rest))
    room = limit - len(lead)
    if len(rest) + (len(ELLIPSIS) if unfinished else 0) <= room:
        return lead + rest + (ELLIPSIS if unfinished else "")
    return lead + _cut(rest, room)


def trim(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, on a word boundary, with ``…`` (a single
    very long word is cut where it must be rather than dropped). Headlines and subjects are cut
    this way too."""
    return text if len(text) <= limit else _cut(text, limit)


def _cut(text: str, limit: int) -> str:
    """``text`` made shorter than ``limit`` by at least a word (or a character), with ``…``."""
    kept = text[: limit - len(ELLIPSIS) + 1]
    space = kept.rfind(" ")
    kept = kept[:space] if space > limit // 2 else kept[:-1]
    return kept.rstrip(_TRAILING) + ELLIPSIS


def matched_words(hits: Sequence[Hit]) -> tuple[str, ...]:
    """The document's words that matched, each once, as they appear there."""
    return tuple(dict.fromkeys(h.matched for h in hits if h.matched.strip()))


def words_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern finding any of ``words`` (any case, whole words), longest first; None for no
    words."""
    wanted = sorted({w for w in words if w.strip()}, key=len, reverse=True)
    if not wanted:
        return None
    return re.compile("|".join(_whole(w) for w in wanted), re.IGNORECASE)


def _window_start(flat: str, words: Iterable[str], limit: int) -> int:
    """Where the snippet starts: a third of ``limit`` before the first matched word, at the start
    of a word (the text's start when that word is near it, or when none is found)."""
    pattern = words_pattern(words)
    found = pattern.search(flat) if pattern else None
    start = max(0, (found.start() if found else 0) - limit // 3)
    if start:
        start = flat.find(" ", start) + 1 or start
    return start


def _inside_word(text: str) -> bool:
    """Whether ``text`` stops inside a word (or a sentence): a letter or digit last, where a
    whole summary ends with a stop, a quote or an ellipsis of the feed's own."""
    return bool(text) and text[-1].isalnum()


def _whole(word: str) -> str:
    """``word`` as a whole word ("rice", not the "rice" in "prices")."""
    if _UNSPACED.search(word):
        return re.escape(word)
    return rf"(?<!\w){re.escape(word)}(?!\w)"
