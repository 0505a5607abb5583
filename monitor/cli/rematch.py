"""``monitor rematch``: run new or edited topics over the articles already stored.

A topic written today says nothing about last week's articles until they are matched again.
This command matches stored articles (their full page text, as the pipeline did; the feed's
summary when the page was not followed) against the configured topics (or one, ``--topic``),
honouring each source's ``topics:`` list, and stores the matches that are new. It notifies no
one unless ``--notify`` is given (then each new match gets pending deliveries, sent by the
running daemon or the next ``monitor once``). ``--dry-run`` prints what would be stored and
writes nothing. A topic an article (or its story) already matched is left as it was.
Each article is decided as the daemon decides a new item, learned filters included: the topics'
filters are brought up to date first as the daemon's are (retrained when their judgments or
query changed; saved, except on a dry run), so what the analyst taught a topic to drop is not
stored or sent again.

Owns: choosing the articles and topics, and what the command prints. Does not own: the
per-article decision (``monitor.rematch`` and ``monitor.found``, pure), learning
(``monitor.pipeline.relearn``), matching (``monitor.match``) or the writes (``monitor.store``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from datetime import timedelta

from monitor.cli.common import EXIT_USAGE, now, open_store, print_table, settings_from
from monitor.learn import Filters
from monitor.match import Matcher, lexicon_for
from monitor.pipeline import relearn
from monitor.rematch import rematches
from monitor.store import StoredArticle
from monitor.types import Match


def cmd_rematch(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    settings = settings_from(args, env)
    topics = [t for t in settings.topics if args.topic in (None, t.id)]
    if not topics:
        known = ", ".join(t.id for t in settings.topics) or "none"
        print(f"unknown topic {args.topic!r}; defined: {known}", file=sys.stderr)
        return EXIT_USAGE
    since = now() - timedelta(seconds=args.since) if args.since else None
    matcher = Matcher(topics, lexicon_for(settings.lexicon))
    rows: list[list[object]] = []
    articles = stored = deliveries = 0
    with open_store(settings) as store:
        learned = Filters(relearn(store, topics, matcher, now(), save=not args.dry_run))
        for article in store.stored_articles(since):
            articles += 1
            found = rematches(matcher, article, settings, topics, learned)
            new = store.new_rematches(article, found) if found else []
            if args.dry_run:
                rows += [_row(article, match) for match, _, _ in new]
                continue
            if new:
                saved = store.save_rematch(article, new, args.notify, now())
                stored += saved.new_matches
                deliveries += saved.new_deliveries
    if args.dry_run:
        print_table(["article", "topic", "score", "title"], rows)
        print(f"dry run: {len(rows)} new matches in {articles} articles; nothing stored")
    else:
        print(f"rematched {articles} articles: {stored} new matches stored, "
              f"{deliveries} deliveries queued")  # fmt: skip
    return 0


def _row(article: StoredArticle, match: Match) -> list[object]:
    title = " ".join(article.document.title.split())[:70]
    return [article.article_id, match.topic, f"{match.score:.2f}", title]
