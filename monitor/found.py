"""Which topics an article is matched for: the one decision the daemon and ``monitor rematch``
share, so a rematch stores (and notifies) exactly what the daemon would have.

    document (its language, else its source's)
      -> the matcher's candidates (thresholds applied, except for the topics whose learned
         filter re-admits candidates below it)
      -> each topic's learned filter keeps or drops them, and ranks what it keeps
      -> a source that lists its ``topics`` keeps those only
      -> each kept match with its topic's name and channels, its hits bounded as stored

Owns: that sequence, on values: pure, no I/O. Does not own: matching (``monitor.match``),
learning or loading the filters (``monitor.learn``, ``monitor.pipeline``), reading or storing
articles (the pipeline and ``monitor.rematch`` around it).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace

from monitor import bounds
from monitor.config import SourceSettings
from monitor.learn import PLAIN, Candidates, Refiner
from monitor.types import Document, Match, Topic

#: (match, topic name, channels), as the store takes them
Found = tuple[Match, str, tuple[str, ...]]


def found_in(
    doc: Document,
    source: SourceSettings | None,
    matcher: Candidates,
    topics: Mapping[str, Topic],
    every_channel: tuple[str, ...],
    refiner: Refiner = PLAIN,
    below: Collection[str] = (),
) -> list[Found]:
    """The matches of ``doc`` (from ``source``; None: a source no longer configured, which
    limits nothing) that are kept, the likeliest first.

    ``topics``: the topics to decide, by id (a candidate of another topic is left out);
    ``every_channel``: the enabled channels, for a topic that names none; ``refiner``: the
    learned filters; ``below``: topics whose threshold is not applied, whatever the filters
    say (the near misses' scan).
    """
    if not doc.lang and source is not None and source.language:
        doc = replace(doc, lang=source.language)
    candidates = matcher.match(doc, below=refiner.readmitting | frozenset(below))
    found = []
    for match in refiner.refine(doc, candidates):
        topic = topics.get(match.topic)
        if topic is None or not _allowed(source, match.topic):
            continue
        # None means every channel; an empty tuple (its channels disabled) means none
        channels = every_channel if topic.channels is None else topic.channels
        found.append((replace(match, hits=bounds.hits(match.hits)), topic.name, channels))
    return found


def _allowed(source: SourceSettings | None, topic: str) -> bool:
    return source is None or source.topics is None or topic in source.topics
