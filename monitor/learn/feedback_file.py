"""The feedback file: judgments made elsewhere (or exported by the dashboard), JSON Lines.

One article per line::

    {"id": "...", "title": "...", "text": "...", "lang": "id"?, "topics": {"topic-id": 0|1|2}}

A topic listed with 0 is judged *not relevant*, with 1 or 2 relevant; a topic not listed is
unjudged (unlike ``monitor eval --labels``, where absence means 0).
Owns: reading that format with line-numbered errors. Does not own: what the judgments teach.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from monitor.match.bulk import read_article
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
        topics = json.loads(line).get("topics")
        if topics is None:
            topics = {}
        if not isinstance(topics, dict) or not all(
            isinstance(t, str) and g in (0, 1, 2) and not isinstance(g, bool)
            for t, g in topics.items()
        ):
            raise ValueError(f"line {number}: 'topics' must map topic ids to grades 0, 1 or 2")
        judged.append(Judged(document, {t: g >= 1 for t, g in topics.items()}))
    return judged
