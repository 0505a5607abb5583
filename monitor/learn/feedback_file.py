"""The feedback file: judgments made elsewhere, or exported (``monitor feedback --export``, the
dashboard's *export judgments*), JSON Lines.

One article per line::

    {"id": "...", "title": "...", "text": "...", "lang": "id"?, "topics": {"topic-id": 0|1|2}}

A topic listed with 0 is judged *not relevant*, with 1 or 2 relevant; a topic not listed is
unjudged (unlike ``monitor eval --labels``, where absence means 0). A line of another shape is
refused as ``eval --labels`` refuses it (``match.bulk.check_judged_line``).
Owns: reading that format with line-numbered errors, and writing it (each article once, with
every topic it is judged for). Does not own: what the judgments teach, where they are stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from monitor.match.bulk import check_judged_line, read_article
from monitor.types import Document


@dataclass(frozen=True, slots=True)
class Judged:
    """One line of a feedback file."""

    document: Document
    #: topic id -> relevant (grade >= 1); only the topics the line lists
    verdicts: dict[str, bool]


def read_feedback(lines: Iterable[str]) -> list[Judged]:
    """Every judged article of a feedback file; ValueError naming the line on a bad one."""
    judged = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        document = read_article(line, number)
        data = json.loads(line)
        check_judged_line(data, number)
        topics = data.get("topics")
        if topics is None:
            topics = {}
        if not isinstance(topics, dict) or not all(
            isinstance(t, str) and g in (0, 1, 2) and not isinstance(g, bool)
            for t, g in topics.items()
        ):
            raise ValueError(f"line {number}: 'topics' must map topic ids to grades 0, 1 or 2")
        judged.append(Judged(document, {t: g >= 1 for t, g in topics.items()}))
    return judged


def write_feedback(per_topic: Mapping[str, Sequence[tuple[Document, bool]]]) -> Iterator[str]:
    """The lines of a feedback file (each ending in a newline) holding ``per_topic``'s judgments
    (topic id -> judged articles): one line per article, every topic it is judged for listed
    (1 relevant, 0 not), articles in the order first judged."""
    articles: dict[str, tuple[Document, dict[str, int]]] = {}
    for topic in sorted(per_topic):
        for doc, relevant in per_topic[topic]:
            articles.setdefault(doc.id, (doc, {}))[1][topic] = int(relevant)
    for doc, topics in articles.values():
        line = {"id": doc.id, "title": doc.title, "text": doc.text, "lang": doc.lang,
                "topics": dict(sorted(topics.items()))}  # fmt: skip
        # ASCII only: a title's U+2028 or U+0085 would end a line for readers that split on them
        yield json.dumps(line) + "\n"
