"""The analyst's commands for writing and tuning topics: ``match``, ``explain`` and ``eval``.

Owns: matching JSON Lines articles against a watchlist offline, showing how one topic expands
and scores one text (typed, read from a file, or a stored article), scoring a watchlist against
relevance judgments, and the ``--lexicon`` files these three accept.
Does not own: matching, explaining or evaluating (``monitor.match``). None of these commands
fetches anything; ``match`` and ``eval`` need no config, ``explain`` reads it unless given
``--watchlist``, and always for ``--article`` (the article comes from the database).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

from monitor.cli.common import (
    EXIT_USAGE,
    full_checks,
    open_file,
    open_store,
    readable,
    settings_from,
    unknown_topics_warning,
)
from monitor.config import Settings, load_watchlist, load_watchlists
from monitor.extract import text_language
from monitor.match import Lexicon, Matcher, lexicon_for
from monitor.match.bulk import match_stream
from monitor.match.explain import render_explanation
from monitor.types import Document, Topic

if TYPE_CHECKING:
    from monitor.match.evaluation import Judged

log = logging.getLogger("monitor")


def cmd_match(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    readable([*args.watchlist, *args.lexicon])
    topics = load_watchlists(args.watchlist, full_checks())
    lexicon = _lexicon(args.lexicon)
    try:
        matcher = _matcher(topics, lexicon, args.feedback)
    except ValueError as error:
        print(f"input error: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:  # outside the files: one that is not UTF-8 is named by open_file, not caught here
        with open_file(args.input or "-") as infile, _output(args.output) as out:
            count = match_stream(
                topics, infile, out, workers=args.workers, lexicon=lexicon, matcher=matcher
            )
    except ValueError as error:
        print(f"input error: {error}", file=sys.stderr)
        return EXIT_USAGE
    log.info("matched articles=%d topics=%d", count, len(topics))
    return 0


def cmd_explain(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    readable([*([args.watchlist] if args.watchlist else []), *args.lexicon])
    if args.watchlist:
        topics, lexicon = load_watchlist(args.watchlist, full_checks()), _lexicon(args.lexicon)
        settings = None
    else:
        settings = settings_from(args, env)
        topics, lexicon = settings.topics, lexicon_for(settings.lexicon)
        if args.lexicon:
            lexicon = _lexicon(args.lexicon, lexicon)
    if args.topic not in {t.id for t in topics}:
        known = ", ".join(t.id for t in topics) or "none"
        print(f"unknown topic {args.topic!r}; defined: {known}", file=sys.stderr)
        return EXIT_USAGE
    doc = _explained_document(args, settings, env)
    if doc is None:
        return EXIT_USAGE
    explanation = Matcher([t for t in topics if t.id == args.topic], lexicon).explain(
        args.topic, doc
    )
    print(render_explanation(explanation, scored=bool(doc.title or doc.text)))
    if settings is not None and (doc.title or doc.text):
        from monitor.cli.learning import explain_learned

        print(explain_learned(settings, explanation, doc))
    return 0


def _explained_document(
    args: argparse.Namespace, settings: Settings | None, env: Mapping[str, str]
) -> Document | None:
    """The text to explain: a stored article, a file, or ``--title`` and ``--text``; None,
    said on stderr, when there is none to read. ``--title`` goes with ``--text`` or ``--file``
    (then the whole file is the body), never silently dropped."""
    if args.article:
        if args.title:  # a stored article has its own headline: one would be ignored
            print("--title goes with --text or --file, not --article (a stored article has "
                  "its own title)", file=sys.stderr)  # fmt: skip
            return None
        with open_store(settings or settings_from(args, env)) as store:
            doc = store.article(args.article)
        if doc is None:
            print(f"no stored article {args.article!r}", file=sys.stderr)
        return doc
    if args.file:
        with open_file(args.file) as file:
            content = file.read()
        title, text = _headline_and_body(content, args.title)
        return _pasted("file", title, text, args.lang)
    return _pasted("text", args.title, args.text, args.lang)


def _headline_and_body(content: str, title: str) -> tuple[str, str]:
    """A file's text as headline and body: ``title`` (``--title``) and the whole file, or
    without one the file's first line and the rest."""
    if title:
        return title, content.strip()
    first, _, rest = content.partition("\n")
    return first.strip(), rest.strip()


def _pasted(key: str, title: str, text: str, lang: str | None) -> Document:
    """A text given on the command line, in the language given or identified (as the daemon
    identifies a followed article's), so that forms kept to their own language act as there."""
    return Document(key, title, text, lang or text_language(f"{title}\n{text}"))


def cmd_eval(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from monitor.match import evaluation as ev

    readable([*args.watchlist, *args.lexicon])
    topics: tuple[Topic, ...] = load_watchlists(args.watchlist, full_checks())
    try:
        with open_file(args.labels) as labels:
            judged = ev.read_judgments(labels)
        matcher = _matcher(topics, _lexicon(args.lexicon), args.feedback)  # every input read,
        _check_labels(judged, [t.id for t in topics])  # then what the labels are warned of
    except ValueError as error:
        print(f"input error: {error}", file=sys.stderr)
        return EXIT_USAGE
    scored = ev.score_judged(matcher, judged)
    thresholds = {t.id: t.threshold for t in topics}
    report = ev.report(scored, thresholds)
    points = ev.sweep(scored, thresholds)
    errors = ev.errors(scored, thresholds) if args.show_errors else None
    if args.json:
        out: dict[str, object] = {**ev.report_json(report), "sweep": ev.sweep_json(points)}
        if errors is not None:
            out["errors"] = ev.errors_json(errors)
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(ev.report_text(report))
    print("\nthreshold sweep (each topic; 'current' is its threshold, 'best' the highest F1):")
    print(ev.sweep_text(points, thresholds))
    if errors is not None:
        print("\nfalse positives and misses at each topic's threshold (score '-': query not "
              "satisfied):")  # fmt: skip
        print(ev.errors_text(errors))
    return 0


def _check_labels(judged: Sequence[Judged], topics: Sequence[str]) -> None:
    """Warn on stderr of the labels' topic ids the watchlist does not define (not scored), of
    article ids on more than one line (each line counts), and note the watchlist's topics no
    line grades (all their matches are false positives); ValueError when the labels grade none
    of its topics: every figure would be 0 or '-', which reads as a result, not as labels and
    a watchlist that do not belong together."""
    from monitor.match import evaluation as ev

    unknown = ev.unknown_topics(judged, topics)
    if not judged:
        raise ValueError("the labels file holds no judged article")
    if not ev.grades_any(judged, topics):
        graded = ", ".join(f"{t} ({n})" for t, n in sorted(unknown.items())) or "no topic at all"
        raise ValueError(
            f"the labels grade none of the watchlist's topics ({', '.join(topics)}); they grade"
            f" {graded}: check that labels and watchlist belong together (to count false"
            " positives on articles relevant to none of its topics, grade those topics 0)"
        )
    if unknown:
        print(unknown_topics_warning(unknown, "not scored"), file=sys.stderr)
    twice = ev.duplicate_ids(judged)
    if twice:
        names = ", ".join(f"{article} ({n})" for article, n in sorted(twice.items()))
        print(f"warning: {len(twice)} article ids are on more than one line: {names}; each line"
              " is scored, so such an article counts once per line", file=sys.stderr)  # fmt: skip
    for topic in ev.ungraded(judged, topics):
        print(f"note: no line grades topic {topic}: every article it matches counts as a false"
              " positive (a topic absent from 'topics' is grade 0)", file=sys.stderr)  # fmt: skip


def _matcher(topics: Sequence[Topic], lexicon: Lexicon, feedback: str | None) -> Matcher:
    """The plain matcher, or (``--feedback FILE``) one whose topics first learn from the file;
    ValueError naming the line of a malformed feedback file."""
    if feedback is None:
        return Matcher(topics, lexicon)
    from monitor.cli.learning import learned_matcher

    return learned_matcher(topics, lexicon, feedback)


def _lexicon(files: Sequence[str], base: Lexicon | None = None) -> Lexicon:
    """The shipped lexicon (or ``base``) extended with ``files``; errors are config errors."""
    from monitor.match.lexicon_files import read_lexicon_file

    lexicon = base or lexicon_for(None)
    for file in files:
        lexicon = lexicon.extended(read_lexicon_file(file))
    return lexicon


@contextmanager
def _output(path: str | None) -> Iterator[TextIO]:
    """Where ``--output`` names, standard output without one or for ``-``."""
    if path is None or path == "-":
        yield sys.stdout
        return
    with open_file(path, "w") as handle:
        yield handle  # type: ignore[misc]  # open() in text mode is a TextIO
