"""The analyst teaches topics: ``feedback``, ``topics`` and ``suggest``, and ``--feedback``.

Owns: recording a verdict on a stored match (and undoing it) or on a stored article (a near
miss, listed by ``--near-misses``: ``monitor.rematch`` decides; or one the topic's query
rejects, which the learner leaves out, and the command says so), what a repeated verdict and an
undo say, an id that names nothing as a usage error, importing and exporting a
feedback file, the per-topic view of judgments and learned filters, query-edit suggestions, and
the matcher that ``monitor match --feedback`` and ``monitor eval --feedback`` use (the plain
matcher, then the filters learned from the file). After a verdict or an import the judged
topics are retrained at once (this is a one-shot command, off any event loop); the daemon picks
the new filters up at its next check.
Does not own: learning (``monitor.learn``), storing (``monitor.store``), matching.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections import Counter
from collections.abc import Collection, Mapping, Sequence

from monitor.cli.common import (
    EXIT_USAGE,
    now,
    open_file,
    open_store,
    print_table,
    settings_from,
    unknown_topics_warning,
)
from monitor.config import Settings
from monitor.errors import InputError, StoreError
from monitor.learn import CUTOFF, Filters, candidates, from_json, learn, status
from monitor.learn.feedback_file import Judged, read_feedback, write_feedback
from monitor.learn.precision import Tally, tallies
from monitor.learn.suggest import MIN_SUPPORT, Suggestions, suggestions
from monitor.match import Explanation, Lexicon, Matcher, lexicon_for
from monitor.pipeline import NEAR_MISS_DAYS, near_misses, relearn
from monitor.store import Recorded, Store, row_id
from monitor.types import Document, Match, Topic


class LearnedMatcher(Matcher):
    """The plain matcher, then each topic's learned filter (keeps, drops and ranks)."""

    def __init__(self, topics: Sequence[Topic], lexicon: Lexicon | None, filters: Filters) -> None:
        super().__init__(topics, lexicon)
        self.filters = filters

    def match(self, doc: Document, below: Collection[str] = ()) -> tuple[Match, ...]:
        readmitting = self.filters.readmitting | set(below)
        return self.filters.refine(doc, super().match(doc, below=readmitting))

    def scores(self, doc: Document) -> dict[str, float]:
        """The plain scores, less the topics whose match a learned filter drops (``eval``); a
        candidate a filter re-admits below the threshold is given the threshold (so ``eval``
        counts it matched)."""
        kept = {m.topic for m in self.match(doc)}
        thresholds = {t.id: t.threshold for t in self.topics}
        return {
            t: max(s, thresholds[t]) if t in kept else s
            for t, s in super().scores(doc).items()
            if t in kept or s < thresholds[t]  # at or above it and not kept: dropped
        }


def learned_matcher(topics: Sequence[Topic], lexicon: Lexicon, feedback: str) -> LearnedMatcher:
    """A matcher whose topics first learn from the feedback file ``feedback``."""
    judged = _read_judged(feedback)
    plain = Matcher(topics, lexicon)
    filters = Filters(learn(topics, [(j.document, j.verdicts) for j in judged], plain))
    return LearnedMatcher(topics, lexicon, filters)


def cmd_feedback(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    # with --article the first positional is the verdict (argparse fills ``match`` first)
    asked = (args.import_file, args.export_file, args.near_misses, args.article, args.match)
    modes = sum(x is not None for x in asked) - (
        args.article is not None and args.match is not None
    )
    listing = args.near_misses is not None or args.export_file is not None
    if modes != 1 or (listing and args.verdict is not None):
        print(
            "give a match id (with a verdict), --import FILE, --export FILE, --near-misses "
            "TOPIC, or --article KEY --topic TOPIC with a verdict",
            file=sys.stderr,
        )
        return EXIT_USAGE
    settings = settings_from(args, env)
    who = env.get("USER") or "cli"
    if args.near_misses is not None:
        return _near_misses(settings, args.near_misses)
    if args.article is not None:
        return _judge_article(args, settings, who)
    judged = None
    if args.import_file is not None:  # read before the database is opened: the user's input
        judged = _read_judged(args.import_file)
    with open_store(settings) as store:
        if judged is not None:
            return _import(store, settings, judged, who)
        if args.export_file is not None:
            return _export(store, args.export_file)
        found = _match(store, args.match)
        if found is None:
            print(f"no match or delivery {args.match!r}: a match id is a number (`match 42` in "
                  "an alert's footer or digest line, monitor matches); a delivery id is the "
                  "alert's `id:`", file=sys.stderr)  # fmt: skip
            return EXIT_USAGE
        match_id, topic_id = found
        if args.verdict is None:
            verdict = store.latest_verdicts([match_id]).get(match_id, "not judged")
            print(f"match {match_id}: {verdict} (topic {topic_id})")
            return 0
        if args.verdict == "undo":
            undone = store.undo_feedback(match_id)
            if undone is None:
                print(f"match {match_id} has no verdict to undo", file=sys.stderr)
                return EXIT_USAGE
            print(f"match {match_id}: verdict undone ({undone.verdict}, topic {topic_id}): "
                  f"now {undone.now or 'not judged'}")  # fmt: skip
        else:
            given = store.record_feedback(match_id, args.verdict, who, now())
            if given is None:  # deleted since it was looked up
                print(f"no match {match_id}", file=sys.stderr)
                return EXIT_USAGE
            print(_recorded(f"match {match_id}", given))
            if not given.stored:
                return 0  # nothing changed: nothing to retrain
        _retrain(store, settings)
    return 0


def _match(store: Store, given: str) -> tuple[int, str] | None:
    """The match ``given`` names (its number, or the id of one of its deliveries: an alert's
    ``id:``, which a digest line or an older alert shows) and its topic; None when it names no
    stored match. Not a database error: a mistyped id is the user's, and says so (exit 2)."""
    # a delivery id first: one is hex digits, and may happen to be all decimal ones
    match_id = store.match_of_delivery(given)
    if match_id is None:
        match_id = row_id(given)  # None past any row id: the driver would refuse to compare it
    topic_id = store.match_topic(match_id) if match_id is not None else None
    return None if match_id is None or topic_id is None else (match_id, topic_id)


def _recorded(what: str, given: Recorded) -> str:
    """A verdict recorded, in words; a repeat of the current verdict says that it added nothing."""
    if not given.stored:
        return f"{what}: already marked {given.verdict} (topic {given.topic_id}); nothing changed"
    return f"{what}: {given.verdict} (topic {given.topic_id})"


def _near_misses(settings: Settings, topic_id: str) -> int:
    topic = _known_topic(settings, topic_id)
    if topic is None:
        return EXIT_USAGE
    with open_store(settings) as store:
        found = near_misses(store, settings, topic, now())
    rows = [
        [m.article_id, f"{m.score:.2f}", " ".join(m.title.split())[:70], m.article_key]
        for m in found
    ]
    print_table(["article", "score", "title", "key"], rows)
    print(f"topic {topic_id}: {len(rows)} near misses (query satisfied, score below "
          f"{topic.threshold:.2f}; last {NEAR_MISS_DAYS} days, not yet judged)")  # fmt: skip
    return 0


def _judge_article(args: argparse.Namespace, settings: Settings, who: str) -> int:
    verdict = args.verdict or args.match
    if args.topic is None or verdict not in ("relevant", "not-relevant", "undo"):
        print("--article KEY needs --topic TOPIC and relevant | not-relevant | undo",
              file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    topic = _known_topic(settings, args.topic)
    if topic is None:
        return EXIT_USAGE
    with open_store(settings) as store:
        doc = store.article(args.article)
        if doc is None:
            print(f"no stored article {args.article!r}: give its number or key (`monitor "
                  "feedback --near-misses TOPIC`, `monitor matches`)", file=sys.stderr)  # fmt: skip
            return EXIT_USAGE
        if verdict == "undo":
            return _undo_article(store, settings, topic, doc)
        given = store.record_article_feedback(topic.id, doc.id, verdict, who, now())
        if given is None:  # deleted since it was looked up
            print(f"no stored article {args.article!r}", file=sys.stderr)
            return EXIT_USAGE
        print(_recorded(f"article {doc.id}", given))
        if not _query_accepts(settings, topic, doc):
            print(f"note: the query of topic {topic.id} does not accept this article, so its "
                  "learned filter leaves this judgment out (it learns only from articles the "
                  "query accepts); it is kept, and counts once an edited query accepts the "
                  "article", file=sys.stderr)  # fmt: skip
        if given.stored:
            _retrain(store, settings)
    return 0


def _undo_article(store: Store, settings: Settings, topic: Topic, doc: Document) -> int:
    """Take back the current verdict of ``topic`` on the stored article ``doc`` (a near miss
    has no match id to undo it by), saying what is current after it, as undo on a match does."""
    undone = store.undo_article_feedback(topic.id, doc.id)
    if undone is None:
        print(f"article {doc.id} has no verdict of topic {topic.id} to undo", file=sys.stderr)
        return EXIT_USAGE
    print(f"article {doc.id}: verdict undone ({undone.verdict}, topic {topic.id}): "
          f"now {undone.now or 'not judged'}")  # fmt: skip
    _retrain(store, settings)
    return 0


def _query_accepts(settings: Settings, topic: Topic, doc: Document) -> bool:
    """True when ``topic``'s query accepts ``doc`` (whatever its score): as the learner
    matches a judged article, so the judgment teaches the topic's filter."""
    matcher = Matcher([topic], lexicon_for(settings.lexicon))
    return topic.id in candidates(matcher, doc, [topic.id])


def _known_topic(settings: Settings, topic_id: str) -> Topic | None:
    """The topic ``topic_id``; None, said on stderr, when it is not configured."""
    topic = next((t for t in settings.topics if t.id == topic_id), None)
    if topic is None:
        known = ", ".join(t.id for t in settings.topics) or "none"
        print(f"unknown topic {topic_id!r}; defined: {known}", file=sys.stderr)
    return topic


def _read_judged(path: str) -> list[Judged]:
    """The feedback file at ``path`` (``-``: standard input); an ``InputError`` (one line, exit
    2) when it cannot be read (missing, a directory, not allowed, not UTF-8), is no feedback file
    or judges nothing: importing or learning from it would do nothing without a word."""
    try:  # outside the file: one that is not UTF-8 is named by open_file, not caught here
        with open_file(path) as lines:
            judged = read_feedback(lines)
    except ValueError as error:  # a bad line
        raise InputError(f"{path}: {error}") from error
    if not any(j.verdicts for j in judged):
        raise InputError(
            f"{path}: no judgment in it ({len(judged)} articles): a line judges its article"
            ' for the topics it lists, "topics": {"topic-id": 1} (0: not relevant)'
        )
    return judged


def _import(store: Store, settings: Settings, judged: Sequence[Judged], who: str) -> int:
    count = store.import_judgments([(j.document, j.verdicts) for j in judged], who, now())
    print(f"imported {count} judgments of {len(judged)} articles")
    _warn_unknown_topics(settings, judged)
    _retrain(store, settings)
    return 0


def _warn_unknown_topics(settings: Settings, judged: Sequence[Judged]) -> None:
    """Say on stderr which imported topic ids no watchlist defines. They are stored all the
    same: judgments are kept by topic id, outlive a topic's definition and travel between
    deployments (``--export``), and count once a watchlist defines the topic (README, "Teach
    a topic"); but a misspelt id would otherwise teach nothing without a word."""
    known = {t.id for t in settings.topics}
    unknown = Counter(t for j in judged for t in j.verdicts if t not in known)
    if unknown:
        outcome = "stored, they count once a watchlist defines the topic"
        print(unknown_topics_warning(unknown, outcome), file=sys.stderr)


def _export(store: Store, path: str) -> int:
    """Every judgment (on matches, near misses, imported) as a feedback file."""
    lines = write_feedback(store.all_judgments())
    if path == "-":
        sys.stdout.writelines(lines)
        return 0
    count = 0
    with open_file(path, "w") as out:
        for line in lines:
            out.write(line)
            count += 1
    print(f"exported the judgments of {count} articles to {path}", file=sys.stderr)
    return 0


def _retrain(store: Store, settings: Settings) -> None:
    """Retrain the judged topics now; their "learned" lines at DEBUG: a verdict or an import
    answers in its own words (warnings and errors still show)."""
    matcher = Matcher(settings.topics, lexicon_for(settings.lexicon))
    relearn(store, settings.topics, matcher, now(), level=logging.DEBUG)


def cmd_topics(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    settings = settings_from(args, env)
    with open_store(settings) as store:
        saved = store.learned()
        judged = {topic.id: store.judgments(topic.id) for topic in settings.topics}
    counted = tallies(judged, Matcher(settings.topics, lexicon_for(settings.lexicon)))
    rows = []
    for topic in settings.topics:
        tally, learned = counted[topic.id], saved.get(topic.id)
        rows.append([topic.id, tally.relevant, tally.not_relevant, _precision(tally),
                     tally.rejected, status(learned.model if learned else None)])  # fmt: skip
    head = ["topic", "relevant", "not relevant", "precision", "not accepted", "learned filter"]
    print_table(head, rows)
    print("relevant, not relevant and precision count the judged articles each query accepts "
          "(matches and near misses); not accepted: judged articles the query does not accept "
          "(imported, or judged before an edit), left out of both")  # fmt: skip
    return 0


def _precision(tally: Tally) -> str:
    """The precision and how many judged articles it rests on: ``0.33 of 6``."""
    return "-" if tally.precision is None else f"{tally.precision:.2f} of {tally.accepted}"


def cmd_suggest(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    settings = settings_from(args, env)
    topic = next((t for t in settings.topics if t.id == args.topic), None)
    if topic is None:
        known = ", ".join(t.id for t in settings.topics) or "none"
        print(f"unknown topic {args.topic!r}; defined: {known}", file=sys.stderr)
        return EXIT_USAGE
    with open_store(settings) as store:
        judged = store.judgments(topic.id)
    if not judged:
        print(f"topic {topic.id}: no judgments yet (monitor feedback)")
        return 0
    found = suggestions(topic, judged, Matcher([topic], lexicon_for(settings.lexicon)))
    merged = (
        f" ({found.merged} judged again under another key counted once)" if found.merged else ""
    )
    print(f"topic {topic.id}: {found.relevant} relevant, {found.not_relevant} not relevant"
          f"{merged}")  # fmt: skip
    for kind, title in (
        ("NOT", "NOT candidates"),
        ("OR", "terms of relevant articles the query lacks"),
    ):
        mine = [s for s in found.edits if s.kind == kind]
        print(f"{title}:" + ("" if mine else " none"))
        for s in mine:
            print(f"  {kind} {s.word}  (in {s.relevant} relevant, {s.not_relevant} not relevant)")
    print("query terms by the judged articles they fired in:" + ("" if found.terms else " none"))
    for use in found.terms:
        advice = "  drop or narrow it (AND, NEAR)" if use.narrow else ""
        words = f"; there it matched {', '.join(map(repr, use.matched))}" if use.matched else ""
        print(f"  {use.term}  (in {use.relevant} relevant, {use.not_relevant} not relevant"
              f"{words}){advice}")  # fmt: skip
    if any(use.only_wrong and not use.narrow for use in found.terms):
        print(_too_little(found))
    return 0


def _too_little(found: Suggestions) -> str:
    """Why a term that fired only in articles judged not relevant is not advised to drop."""
    return (f"too little to go on to drop or narrow a term: it takes one that fired in "
            f"{MIN_SUPPORT} or more articles judged not relevant and in none of {MIN_SUPPORT} or "
            f"more judged relevant that the query accepts (the learner's own minimum of each "
            f"verdict); the query accepts {found.accepted_relevant} judged relevant and "
            f"{found.accepted_not_relevant} not relevant")  # fmt: skip


def explain_learned(settings: Settings, explanation: Explanation, doc: Document) -> str:
    """What the topic's learned filter says of ``doc``: keep or drop, and the features that
    pulled most, in words (``monitor explain``)."""
    topic = explanation.topic.id
    try:
        with open_store(settings) as store:
            saved = store.learned().get(topic)
    except StoreError as error:
        return f"learned filter: unknown (database: {error})"
    model = from_json(saved.model) if saved else None
    if model is None:
        return "learned filter: none yet (no judgments: monitor feedback)"
    head = f"learned filter: {model.reason}"
    result = explanation.result
    # a filter that re-admits decides on every candidate the query accepts, under the threshold too
    if not model.active or not (explanation.matched or (model.readmits and result.satisfied)):
        return head
    match = Match(topic, result.score, result.hits)
    p = model.probability(doc, match)
    decided = "kept" if p >= CUTOFF else "dropped"
    lines = [head, f"  relevance {p:.2f}: {decided}", "  top features:"]
    for name, pull in model.contributions(doc, match):
        lines.append(f"    {pull:+.3f}  {name}")
    return "\n".join(lines)
