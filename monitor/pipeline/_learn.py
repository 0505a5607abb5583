"""Keeping each topic's learned filter in step with its judgments (blocking: run off the loop).

Owns: deciding which topics to retrain (their judgments or their query changed since the saved
filter), training them from the store's judgments with the current matcher, saving the JSON,
and reading back every configured topic's filter (on start, hot reload, and each check).
Does not own: learning (``monitor.learn``), storing (``monitor.store``), when it runs (the
daemon's scheduler, the CLI).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import datetime

from monitor.learn import Candidates, LearnedFilter, from_json, learn, to_json
from monitor.store import Store
from monitor.types import Topic

log = logging.getLogger("monitor.learn")


def relearn(
    store: Store,
    topics: Iterable[Topic],
    matcher: Candidates,
    now: datetime,
    save: bool = True,
    level: int = logging.INFO,
) -> dict[str, LearnedFilter]:
    """Every topic's learned filter, retraining (and saving, unless not ``save``: a dry run
    writes nothing) those whose judgments or query changed; a topic never judged has none.
    ``level``: of the line logged per topic retrained (the daemon's INFO; a one-shot command
    that answers for itself logs it at DEBUG)."""
    saved, states = store.learned(), store.judgment_states()
    filters = {}
    for topic in topics:
        state = f"{states.get(topic.id, '0.0/0.0')}|{_query_key(topic)}"
        before = saved.get(topic.id)
        model = from_json(before.model) if before and before.state == state else None
        if model is None:
            judged = store.judgments(topic.id)
            if not judged and before is None:
                continue
            one = [(doc, {topic.id: relevant}) for doc, relevant in judged]
            model = learn([topic], one, matcher)[topic.id]
            if save:
                store.save_learned(topic.id, to_json(model), state, now)
            log.log(level, "learned topic=%s judged=%d %s", topic.id, model.judgments, model.reason)
        filters[topic.id] = model
    return filters


def _query_key(topic: Topic) -> str:
    """What of a topic changes its matches' evidence: a new one retrains from the same
    judgments."""
    text = f"{topic.query}\0{topic.threshold}\0{topic.expand}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
