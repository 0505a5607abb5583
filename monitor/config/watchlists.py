"""Watchlists and the ``lexicon`` key: the topics to match, and extra matcher vocabulary.

Owns: finding the watchlist files (globs relative to ``monitor.yaml``; a pattern that matches
no file, or leaves out a file with the other YAML extension, is a warning), one file (an empty or
all-comments file, or ``topics:`` with none left, holds no topics), one topic (id, query checked
by the matcher's parser, threshold, channels, examples and their lines, digest), topic ids unique
across files, topics' channel names checked against the channels, and reading the ``lexicon:``
files. A query's error says what was likely meant when the query reads as another syntax
(``monitor.match.hints``) or lost its quotes to YAML.
Does not own: the query language or the lexicon's format (``monitor.match``), the channels
themselves (``channels``).
"""

from __future__ import annotations

import fnmatch
import glob
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.config import readers as read
from monitor.config.settings import (
    DEFAULT_WATCHLISTS,
    SHAPE_CHECKS,
    Checks,
    WatchlistPattern,
    WatchlistWarning,
)
from monitor.errors import QueryError
from monitor.types import Topic
from monitor.yamlsafe import At, read_yaml

if TYPE_CHECKING:
    from monitor.match.guard import Guard
    from monitor.match.lexicon import Concept, LexiconData

_TOPIC_KEYS = ["id", "name", "query", "threshold", "channels", "examples", "expand", "digest",
               "max_per_hour"]  # fmt: skip


def load_watchlist(path: str | Path, checks: Checks = SHAPE_CHECKS) -> tuple[Topic, ...]:
    """Read one watchlist file (channel names are not checked: that needs ``monitor.yaml``)."""
    return tuple(defined.topic for defined in _read_watchlist(Path(path), checks))


def load_watchlists(
    paths: Sequence[str | Path], checks: Checks = SHAPE_CHECKS
) -> tuple[Topic, ...]:
    """Read several watchlist files, in order; a topic id defined twice is a ConfigError."""
    first: dict[str, Topic] = {}
    for path in paths:
        for entry in _read_watchlist(Path(path), checks):
            _check_unique(entry, first)
    return tuple(first.values())


# --- watchlists --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DefinedTopic:
    """A topic and where it was written (its channels are checked once channels are known)."""

    topic: Topic
    at: At

    @property
    def channels(self) -> At | None:
        return self.at.mapping().get("channels")


@dataclass(frozen=True, slots=True)
class ReadWatchlists:
    """What the ``watchlists`` key read: its topics, and where they came from."""

    defined: list[DefinedTopic]
    #: the files read, in pattern order, each once
    files: tuple[str, ...]
    #: each pattern and the files it matched
    patterns: tuple[WatchlistPattern, ...]
    #: a warning for each pattern that matches no file or leaves out a file with the other
    #: YAML extension
    warnings: tuple[WatchlistWarning, ...]


def read_watchlists(config: Path, at: At | None, checks: Checks) -> ReadWatchlists:
    """The topics of the watchlists ``at`` (the ``watchlists`` key of ``config``) names, and
    the files and patterns they were read through."""
    files, patterns, warnings = _watchlist_files(config, at)
    defined: list[DefinedTopic] = []
    first: dict[str, Topic] = {}
    for file in files:
        for entry in _read_watchlist(Path(file), checks):
            _check_unique(entry, first)
            defined.append(entry)
    return ReadWatchlists(defined, files, patterns, warnings)


def _watchlist_files(
    config: Path, at: At | None
) -> tuple[tuple[str, ...], tuple[WatchlistPattern, ...], tuple[WatchlistWarning, ...]]:
    base = config.parent
    written: list[tuple[str, At | None]] = [(pattern, None) for pattern in DEFAULT_WATCHLISTS]
    if at is not None:
        written = [(read.text(item), item) for item in read.string_or_list(at)]
    files: dict[str, None] = {}  # insertion-ordered set: pattern order, sorted within a pattern
    found = [[str(base / m) for m in _glob(p, base) if (base / m).is_file()] for p, _ in written]
    for matches in found:
        files.update(dict.fromkeys(matches))
    warnings = (
        _pattern_warning(pattern, bool(matches), set(files), config, item)
        for (pattern, item), matches in zip(written, found, strict=True)
    )
    patterns = tuple(
        WatchlistPattern(pattern, tuple(matches))
        for (pattern, _), matches in zip(written, found, strict=True)
    )
    return tuple(files), patterns, tuple(w for w in warnings if w is not None)


#: each YAML extension and the other one: a watchlist renamed from one to the other is easily missed
_OTHER_EXTENSION = {".yaml": ".yml", ".yml": ".yaml"}


def _pattern_warning(
    pattern: str, found: bool, read: set[str], config: Path, at: At | None
) -> WatchlistWarning | None:
    """The warning for ``pattern`` (written at ``at``; None: the default), which ``found``
    files or not, or None when it found some and every file with the other YAML extension
    where it looks is ``read`` (by another pattern)."""
    base = config.parent
    stem, extension = os.path.splitext(pattern)
    other = _OTHER_EXTENSION.get(extension)
    beside = [] if other is None else _glob(stem + other, base)
    unread = [o for o in beside if str(base / o) not in read and (base / o).is_file()]
    others = tuple(os.path.relpath(base / o, base) for o in unread)
    if found and not others:
        return None
    return WatchlistWarning(
        pattern,
        unmatched=not found,
        others=others,
        folder=str(_folder(pattern, base)),
        file=str(config) if at is None else at.doc.file,
        line=0 if at is None else at.doc.line(at.path) or 0,
        key="watchlists" if at is None else at.path,
    )


def _folder(pattern: str, base: Path) -> Path:
    """The folder ``pattern`` looks in: its leading parts without a wildcard."""
    parts = Path(pattern).parts
    fixed = next((n for n, part in enumerate(parts) if glob.has_magic(part)), len(parts) - 1)
    return base.joinpath(*parts[:fixed])


def _glob(pattern: str, base: Path) -> list[str]:
    """The paths ``pattern`` names under ``base``, sorted. ``**`` is walked by us, entering each
    real folder once: ``glob`` follows a symlink loop until the path is too long, which hung
    ``monitor check`` and the daemon's reload."""
    if "**" not in pattern:
        return sorted(glob.glob(pattern, root_dir=base, recursive=True))
    parts = Path(pattern).parts
    fixed = next((n for n, part in enumerate(parts) if glob.has_magic(part)), len(parts))
    root = base.joinpath(*parts[:fixed])
    found: list[str] = []
    seen: set[str] = set()
    for folder, folders, names in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:
            folders[:] = []  # a loop, or a second way into a folder already walked
            continue
        seen.add(real)
        for name in names:
            path = Path(folder, name)
            if _matches(parts[fixed:], path.relative_to(root).parts):
                found.append(str(path))
    return sorted(found)


def _matches(pattern: Sequence[str], path: Sequence[str]) -> bool:
    """Whether path segments match glob segments (``**``: any number of folders; a ``*`` does
    not match a hidden name, as in ``glob``)."""
    if not pattern:
        return not path
    head, tail = pattern[0], pattern[1:]
    if head == "**":
        hidden = any(part.startswith(".") for part in path[:-1])
        return not hidden and any(_matches(tail, path[n:]) for n in range(len(path) + 1))
    if not path or (path[0].startswith(".") and not head.startswith(".")):
        return False
    return fnmatch.fnmatchcase(path[0], head) and _matches(tail, path[1:])


def _check_unique(entry: DefinedTopic, first: dict[str, Topic]) -> None:
    topic = entry.topic
    if topic.id in first:
        earlier = first[topic.id]
        entry.at.child("id").fail(
            f"duplicate topic id {topic.id!r} (also defined at {earlier.file}:{earlier.line})"
        )
    first[topic.id] = topic


def _read_watchlist(path: Path, checks: Checks) -> list[DefinedTopic]:
    from monitor import match  # lazily: the matcher is heavier than the settings, and above them

    doc = read_yaml(path)
    if doc.data is None:
        return []  # every line commented out: the analyst stopped its topics, not broke them
    fields = read.top_mapping(doc, ["topics"])
    topics = read.required(doc.root(), fields, "topics")
    defined: list[DefinedTopic] = []
    first: dict[str, Topic] = {}
    for item in () if topics.value is None else topics.items():  # `topics:` with none left
        entry = _topic(item, match.parse_query, match.DEFAULT_THRESHOLD, checks)
        _check_unique(entry, first)
        defined.append(entry)
    return defined


def _topic(
    at: At, parse_query: Callable[[str], object], threshold: float, checks: Checks
) -> DefinedTopic:
    fields = at.mapping(_TOPIC_KEYS)
    topic_id = read.identifier(read.required(at, fields, "id"))
    get = fields.get
    examples = read.optional(get("examples"), lambda a: a.mapping(("match", "no_match")), {})
    match, no_match = examples.get("match"), examples.get("no_match")
    query = read.required(at, fields, "query")
    topic = Topic(
        id=topic_id,
        name=read.optional(get("name"), read.text, topic_id),
        query=_query(query, parse_query),
        threshold=read.optional(get("threshold"), lambda a: a.number(0.0, 1.0), threshold),
        channels=read.optional(get("channels"), At.strings, None),
        examples_match=read.optional(match, At.strings, ()),
        examples_no_match=read.optional(no_match, At.strings, ()),
        expand=read.optional(get("expand"), At.boolean, True),
        file=at.doc.file,
        line=at.doc.line(at.path) or 0,
        key=at.path,
        query_line=query.doc.line(query.path) or 0,
        examples_match_lines=_lines(match),
        examples_no_match_lines=_lines(no_match),
        digest=read.optional(get("digest"), lambda a: read.cron(a, checks.cron), None),
        max_per_hour=read.optional(get("max_per_hour"), lambda a: a.integer(1, 100_000), None),
    )
    return DefinedTopic(topic, at)


def _lines(at: At | None) -> tuple[int, ...]:
    """The line of each item of a list of examples (``monitor check`` points at a failing one)."""
    return () if at is None else tuple(item.doc.line(item.path) or 0 for item in at.items())


def _query(at: At, parse_query: Callable[[str], object]) -> str:
    query = read.text(at)
    try:
        parse_query(query)
    except QueryError as e:
        at.fail(f"invalid query: {_explained(e, at)}")
    return query


def _explained(error: QueryError, at: At) -> str:
    """The error's reason, with what the user most likely meant: another syntax's operator
    (``&&``, ``w/5``, ``atau``), or a phrase whose quotes YAML took as its own
    (``query: "palm oil"`` is the query ``palm oil``)."""
    from monitor.match.hints import MISSING_OPERATOR, explained

    reason = explained(error)
    phrase = reason.startswith(MISSING_OPERATOR) and at.quote and '"' not in error.query
    if not phrase:
        return reason
    doubled = error.query.replace("'", "''")  # a quote in a single-quoted YAML value
    return (
        f"{reason}; YAML took the quotes around this value as its own: to search the phrase,"
        f" write query: '\"{doubled}\"'"
    )


def check_concepts(defined: list[DefinedTopic], lexicon: LexiconData | None) -> None:
    """Every ``{concept}`` of a query names a concept of the shipped or the user's lexicon."""
    using = [entry for entry in defined if "{" in entry.topic.query]
    if not using:
        return  # the lexicon is read only when some query needs it
    from monitor.match import lexicon_for
    from monitor.match.expand import concepts_of, unknown_concept
    from monitor.match.query import parse

    known = lexicon_for(lexicon)
    for entry in using:
        for ref in concepts_of(parse(entry.topic.query)):
            problem = unknown_concept(ref, known)
            if problem is not None:
                entry.at.child("query").fail(
                    f"invalid query: {problem} (at position {ref.position})"
                )


def check_channel_names(defined: list[DefinedTopic], channels: set[str]) -> None:
    """Every channel a topic names exists (enabled or disabled)."""
    for entry in defined:
        for item in entry.channels.items() if entry.channels else ():
            if item.value not in channels:
                item.fail(f"unknown channel {item.value!r} ({read.known('channels', channels)})")


def without_channels(topic: Topic, disabled: set[str]) -> Topic:
    """The topic with its disabled channels left out of its list."""
    if topic.channels is None or not disabled & set(topic.channels):
        return topic
    return replace(topic, channels=tuple(c for c in topic.channels if c not in disabled))


# --- lexicon -----------------------------------------------------------------------------------


def read_lexicon(base: Path, at: At | None) -> LexiconData | None:
    """The ``lexicon:`` files (relative to monitor.yaml), read and validated, as one value."""
    if at is None:
        return None
    from monitor.match.lexicon import LexiconData
    from monitor.match.lexicon_files import read_lexicon_file

    concepts: list[Concept] = []
    guards: list[Guard] = []
    files: list[str] = []
    for item in read.string_or_list(at):
        path = base / read.text(item)
        if not path.is_file():
            item.fail(f"lexicon file not found: {path}")
        data = read_lexicon_file(path, (g.name for g in guards))
        concepts += data.concepts
        guards += data.guards
        files += data.files
    return LexiconData(tuple(concepts), tuple(guards), tuple(files))
