"""Query edits a topic's judgments suggest: ``NOT`` candidates, missing terms, terms to narrow.

- ``NOT`` candidates: words in many not-relevant judged articles and in few relevant ones
  (adding ``NOT word`` would have dropped those alerts and cost few good ones);
- missing terms: words in many relevant judged articles, rare in not-relevant ones, that the
  query does not find yet;
- the query's own terms by the judged articles they fired in (``term_uses``): a term that
  fires only in articles judged not relevant (``hospital*`` on "hospitality", ``doctors`` in
  health tips) is one to drop or narrow (``AND``, ``NEAR``), with the words it matched there.

Each is ranked by the smoothed log-odds of being in one side rather than the other, weighted
by how many articles it is in. Words are lower-cased ``\\w`` runs of 3 or more letters (so it
works in any script without a stop-word list: words common to both sides rank low). A word
common in news of its language (the background document frequencies of ``monitor.match.
specificity``; of any language, for an article whose language is unknown) is never proposed: a
few judged articles lean one way by chance, and ``before`` or ``dari`` is no edit anyone should
make to a query. Words under that share pass however plain they read (Indonesian ``bila``,
"when", is in 3.9% of the Indonesian background texts, ``mengakibatkan`` in 1.8%): the useful
words proposed on the judged sets reach 3.6% (``COMMON_SHARE``).
Dropping or narrowing a query term is advised only with ``MIN_SUPPORT`` behind it: the term
fired in that many articles judged not relevant, and in none of at least that many judged
relevant ones the query accepts (the learner's own minimum of each verdict, ``model.MIN_EACH``);
with two judgments, a term that fired in the one not relevant says nothing yet.
Neither list holds a word the query already finds: one it names, or one its terms match as
expanded with the topic's own ``expand`` setting (``nickel`` finds Indonesian ``nikel``, a
prefix ``nikel*`` finds ``nikelnya``), asked of the matcher itself (``Explains``: the topic's
query run on the word alone, in the language of the articles it is in), so the lists never
disagree with what the query's terms are shown to have matched.
``suggestions`` puts the three together for one topic (``monitor suggest``, the dashboard),
counting each judged article once (``monitor.learn.judged``).
Owns: that arithmetic. Does not own: where judgments come from, matching, editing the query.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from monitor.display import one_line, without_escapes
from monitor.learn import Candidates, candidates
from monitor.learn.judged import distinct
from monitor.learn.model import MIN_EACH
from monitor.match import Explanation
from monitor.match.specificity import Background, background
from monitor.types import Document, Match, Topic

_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
#: a word must be in at least this many articles of its side
MIN_ARTICLES = 2
#: a word in more than this share of the background texts of an article's language that holds
#: it is no candidate. Read off the judged sets' topics (benchmarks/judged, sets g and m, each
#: topic's alerts as judged): the function and generic news words proposed there are in 10% or
#: more (``dari`` 92%, ``года`` 76%, ``before`` 33%, ``serta`` 43%, ``warga`` 20%, ``если``
#: 10%), the useful ones mostly under 5% (``больницы`` 1.5%, ``agong`` 1.8%, ``фильме`` 2.6%,
#: ``perangkat`` 3.3%, ``berinisial`` 3.5%, ``врачи`` 3.6%); between 5% and 10% they are mixed
#: (``man`` 6.4%, ``terbaru`` 7.2% against ``cop`` 5.9%, ``diduga`` 9.7%), and a suggestion
#: missed costs less than one that teaches the analyst to ignore the list.
COMMON_SHARE = 0.05
#: judged articles behind advice to drop or narrow a query term: it fired in this many judged
#: not relevant, and in none of at least this many judged relevant that the query accepts. The
#: learner's minimum of each verdict; at it, a term in all 3 wrong and none of 3 right ones is
#: as one-sided as chance makes it one time in 20 (Fisher's exact test)
MIN_SUPPORT = MIN_EACH


class Explains(Candidates, Protocol):
    """The matcher as ``suggestions`` uses it (``monitor.match.Matcher``): a topic's match of a
    judged article, and its terms' hits in a text (``explain``)."""

    def explain(self, topic_id: str, doc: Document) -> Explanation: ...


#: does the query find this word in an article of this language (None: unknown)?
Finds = Callable[[str, str | None], bool]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One proposed edit."""

    #: "NOT" (exclude) or "OR" (a term the query lacks)
    kind: str
    word: str
    #: judged articles containing it: relevant, not relevant
    relevant: int
    not_relevant: int


@dataclass(frozen=True, slots=True)
class TermUse:
    """One query term and the judged articles it fired in."""

    #: the term as the topic's author wrote it
    term: str
    #: judged articles it fired in: relevant, not relevant
    relevant: int
    not_relevant: int
    #: the words it matched in the not-relevant ones, the most frequent first (at most 3)
    matched: tuple[str, ...]
    #: drop or narrow it: it fired only in articles judged not relevant, with ``MIN_SUPPORT``
    #: behind that (``term_uses``)
    narrow: bool = False

    @property
    def only_wrong(self) -> bool:
        """Fired in articles judged not relevant and in no relevant one (with or without the
        support to advise anything: ``narrow``)."""
        return self.not_relevant > 0 and self.relevant == 0


@dataclass(frozen=True, slots=True)
class Suggestions:
    """What a topic's judgments suggest, for ``monitor suggest`` and the dashboard."""

    topic: str
    #: judged articles: relevant, not relevant
    relevant: int
    not_relevant: int
    #: ``NOT`` candidates, then terms the query lacks (``suggest``)
    edits: tuple[Suggestion, ...]
    #: the query's terms by the judged articles they fired in (``term_uses``)
    terms: tuple[TermUse, ...]
    #: judged articles the query accepts now, whatever their score: relevant, not relevant
    #: (``terms`` counts these: with fewer than ``MIN_SUPPORT`` relevant, no term is advised
    #: to drop)
    accepted_relevant: int = 0
    accepted_not_relevant: int = 0
    #: judgments left out as the same article judged again under another key (``distinct``)
    merged: int = 0

    @property
    def too_few_to_narrow(self) -> bool:
        """True when no term could be advised to drop or narrow for lack of judged relevant
        articles the query accepts (``MIN_SUPPORT``)."""
        return self.accepted_relevant < MIN_SUPPORT


def suggestions(
    topic: Topic, judged: Sequence[tuple[Document, bool]], matcher: Explains
) -> Suggestions:
    """``topic``'s suggested edits from its judged articles, each counted once (``distinct``);
    ``matcher`` gives each article's match now, whatever its score, and which words the
    query's terms already find (``found_by``)."""
    once = distinct(judged)
    mine = [_match_of(matcher, topic.id, d) for d, _ in once]
    verdicts = [r for _, r in once]
    accepted = [r for m, r in zip(mine, verdicts, strict=True) if m is not None]
    relevant = sum(verdicts)
    edits = suggest(topic.query, once, finds=found_by(matcher, topic.id))
    return Suggestions(
        topic.id, relevant, len(once) - relevant, edits,
        term_uses(zip(mine, verdicts, strict=True)), sum(accepted),
        len(accepted) - sum(accepted), len(judged) - len(once),
    )  # fmt: skip


def found_by(matcher: Explains, topic: str) -> Finds:
    """Whether ``topic``'s query terms, as the matcher compiled them (expanded or not, as the
    topic says), match a word: any hit of the query run on the word alone."""

    def finds(word: str, lang: str | None) -> bool:
        return bool(matcher.explain(topic, Document("", "", word, lang)).result.hits)

    return finds


def _match_of(matcher: Candidates, topic: str, doc: Document) -> Match | None:
    """``topic``'s match of ``doc`` (a matcher may hold other topics too), whatever its score."""
    return candidates(matcher, doc, [topic]).get(topic)


def suggest(
    query: str,
    judged: Iterable[tuple[Document, bool]],
    top: int = 10,
    common: Background | None = None,
    finds: Finds | None = None,
) -> tuple[Suggestion, ...]:
    """Up to ``top`` ``NOT`` candidates, then up to ``top`` missing terms; none of them common
    in the background texts (``common``; the shipped ones by default) of its articles'
    languages, a word of ``query`` or one it finds (``finds``, asked only of words frequent
    enough to be proposed) in any of those languages."""
    good: Counter[str] = Counter()
    bad: Counter[str] = Counter()
    langs: dict[str, set[str | None]] = {}
    n_good = n_bad = 0
    for doc, relevant in judged:
        words = set(_WORD.findall(_readable(f"{doc.title} {doc.text}")))
        for word in words:
            langs.setdefault(word, set()).add(doc.lang)
        if relevant:
            good.update(words)
            n_good += 1
        else:
            bad.update(words)
            n_bad += 1
    shares = background() if common is None else common
    skip = set(_WORD.findall(query.lower())) | {
        word for word, where in langs.items() if any(_common(shares, word, lang) for lang in where)
    }  # fmt: skip
    if finds is not None:
        frequent = (w for w in langs if w not in skip and max(good[w], bad[w]) >= MIN_ARTICLES)
        skip.update(w for w in frequent if _found(finds, w, langs[w]))
    nots = _ranked(bad, good, n_bad, n_good, top, skip=skip)
    ors = _ranked(good, bad, n_good, n_bad, top, skip=skip)
    return tuple(
        [Suggestion("NOT", w, good[w], bad[w]) for w in nots]
        + [Suggestion("OR", w, good[w], bad[w]) for w in ors]
    )


def _readable(text: str) -> str:
    """``text`` as a reader sees it, lower case: an imported text's escape sequences (``NOT
    mred`` of ``ESC[31mred``) and format characters (a bidi isolate in ``word\u2066iso``
    made ``iso`` a word) are no words of it."""
    return one_line(without_escapes(text)).lower()


def _found(finds: Finds, word: str, langs: Collection[str | None]) -> bool:
    """The query finds ``word`` in an article of one of ``langs``: an expansion form may count
    in its own language only."""
    return any(finds(word, lang) for lang in langs)


def _common(shares: Background, word: str, lang: str | None) -> bool:
    """``word`` is in more than ``COMMON_SHARE`` of its language's background texts; in an
    article of unknown language, of any language's (all languages pooled would dilute a word
    common in one: Malay ``apabila`` is in 15% of Malay texts, 5% of them all)."""
    if lang is None:
        return any(shares.share(word, known) > COMMON_SHARE for known in shares.idfs)
    return shares.share(word, lang) > COMMON_SHARE


def _ranked(
    side: Counter[str], other: Counter[str], n_side: int, n_other: int, top: int, skip: set[str]
) -> Sequence[str]:
    candidates = [w for w, c in side.items() if c >= MIN_ARTICLES and w not in skip]
    scored = [(_lean(side[w], n_side, other[w], n_other, side[w]), w) for w in candidates]
    return [w for s, w in sorted(scored, key=lambda sw: (-sw[0], sw[1])) if s > 0][:top]


def term_uses(judged: Iterable[tuple[Match | None, bool]]) -> tuple[TermUse, ...]:
    """Each query term that fired in a judged article (its match, thresholds not applied),
    with how many relevant and not-relevant ones; the likeliest to narrow first. A term is
    advised to narrow (``TermUse.narrow``) only with ``MIN_SUPPORT`` behind it."""
    good: Counter[str] = Counter()
    bad: Counter[str] = Counter()
    wrong_words: dict[str, Counter[str]] = {}
    n_good = n_bad = 0
    for match, relevant in judged:
        if match is None:
            continue
        (good if relevant else bad).update({h.term for h in match.hits})
        n_good, n_bad = n_good + relevant, n_bad + (not relevant)
        for hit in () if relevant else match.hits:
            wrong_words.setdefault(hit.term, Counter())[hit.matched.lower()] += 1
    enough = n_good >= MIN_SUPPORT  # relevant ones a term could have fired in
    uses = [
        TermUse(t, good[t], bad[t], _top(wrong_words.get(t)),
                narrow=enough and good[t] == 0 and bad[t] >= MIN_SUPPORT)
        for t in good.keys() | bad.keys()
    ]  # fmt: skip

    def lean(u: TermUse) -> float:  # toward the not-relevant side, weighed by all its articles
        return _lean(u.not_relevant, n_bad, u.relevant, n_good, u.not_relevant + u.relevant)

    return tuple(sorted(uses, key=lambda u: (-lean(u), u.term)))


def _lean(mine: int, n_mine: int, theirs: int, n_theirs: int, weight: int) -> float:
    """Smoothed log-odds of being in one side's articles rather than the other's, times the
    square root of ``weight`` (the articles it rests on)."""
    odds = ((mine + 0.5) / (n_mine + 1)) / ((theirs + 0.5) / (n_theirs + 1))
    return math.log(odds) * math.sqrt(weight)


def _top(words: Counter[str] | None) -> tuple[str, ...]:
    return tuple(w for w, _ in words.most_common(3)) if words else ()
