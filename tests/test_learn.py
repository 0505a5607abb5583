"""Tests of relevance feedback: the learned filter, its storage, the CLI and the pipeline.

The topic is ``bank`` (query ``bank``): relevant are river banks (floods, erosion), not
relevant are money banks (loans, rates). Its judgments are generated with a fixed seed.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import random
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.config import load_settings
from monitor.fetch import Fetcher
from monitor.learn import PLAIN, Filters, features, from_json, learn, to_json
from monitor.learn.feedback_file import read_feedback
from monitor.learn.nearest import Nearest
from monitor.learn.precision import Tally, tallies
from monitor.learn.suggest import TermUse, suggest, suggestions
from monitor.match import Matcher, default_lexicon
from monitor.notify import Notifier
from monitor.pipeline import Pipeline, relearn
from monitor.store import NewArticle, Store
from monitor.types import Document, Item, Topic
from monitor.workers import WorkerLimits, Workers
from tests.test_store import T0, article, state

TOPIC = Topic(id="bank", name="River banks", query="bank", threshold=0.0, expand=False)
RIVER = [
    "river",
    "flood",
    "erosion",
    "water",
    "levee",
    "rain",
    "mud",
    "overflow",
    "villagers",
    "evacuated",
    "dam",
]
MONEY = [
    "loan",
    "interest",
    "rate",
    "credit",
    "mortgage",
    "deposit",
    "shares",
    "profit",
    "central",
    "lender",
]
FILLER = [
    "the",
    "a",
    "on",
    "in",
    "of",
    "and",
    "said",
    "officials",
    "today",
    "week",
    "report",
    "local",
    "news",
]


def doc(n: int, relevant: bool, rng: random.Random) -> Document:
    words = rng.sample(RIVER if relevant else MONEY, 4) + rng.sample(FILLER, 6)
    rng.shuffle(words)
    title = f"{'River' if relevant else 'Central'} bank {words[0]}"
    return Document(f"doc-{n}", title, " ".join(["The bank", *words]), "en")


def judged(count: int, seed: int = 1, relevant: bool | None = None) -> list[tuple[Document, bool]]:
    """``count`` judged documents, alternating verdicts (or all ``relevant``)."""
    rng = random.Random(seed)
    out = []
    for n in range(count):
        verdict = n % 2 == 0 if relevant is None else relevant
        out.append((doc(n, verdict, rng), verdict))
    return out


def trained(examples: list[tuple[Document, bool]]):
    matcher = Matcher([TOPIC])
    return learn([TOPIC], [(d, {TOPIC.id: r}) for d, r in examples], matcher)[TOPIC.id]


def kept(filters: Filters, documents: list[Document]) -> list[str]:
    matcher = Matcher([TOPIC])
    return [d.id for d in documents if filters.refine(d, matcher.match(d))]


UNSEEN = [doc(1000 + n, n % 2 == 0, random.Random(99 + n)) for n in range(20)]


# --- the learned filter --------------------------------------------------------------------


def f1(found: list[str], relevant: set[str]) -> float:
    tp = len(relevant & set(found))
    return 2 * tp / (len(found) + len(relevant)) if tp else 0.0


@pytest.mark.parametrize("count", [0, 1, 10])
def test_few_judgments_never_do_worse_than_the_plain_score(count: int) -> None:
    """With 0, 1 or 10 judgments no relevant candidate is lost and F1 is at least the plain
    score's; with 0 or 1 the filter stays off, and the logistic part needs more than 10."""
    model = trained(judged(count))
    assert model.logistic is False
    assert model.active is (count == 10)
    river = {d.id for d in UNSEEN if d.title.startswith("River")}
    found = kept(Filters({TOPIC.id: model}), UNSEEN)
    assert river <= set(found)
    assert f1(found, river) >= f1(kept(PLAIN, UNSEEN), river)
    assert len(kept(PLAIN, UNSEEN)) == len(UNSEEN)


# A wrong sense the analyst was alerted to: elections in the query's sense are votes; "poll" and
# "elect*" also fire on opinion polls about products and on the elected board of a club.
POLLS = Topic(id="votes", name="Elections", query='poll* OR elect* OR ballot*', threshold=0.0,
              expand=False)  # fmt: skip
VOTE = ["voters", "turnout", "candidates", "constituency", "parliament", "campaign", "counting",
        "commission", "seats", "opposition", "party", "president"]  # fmt: skip
SURVEY = ["smartphone", "brand", "consumers", "survey", "customers", "satisfaction", "retail",
          "market", "shoppers", "favourite", "product", "respondents"]  # fmt: skip


def poll_doc(n: int, relevant: bool, rng: random.Random) -> Document:
    """One story told again and again: each of its kind shares most of its words."""
    words = rng.sample(VOTE if relevant else SURVEY, 10) + rng.sample(FILLER, 2)
    rng.shuffle(words)
    title = (f"Voters head to the polls as {words[0]} {words[1]}" if relevant
             else f"Poll: shoppers rate {words[0]} {words[1]}")  # fmt: skip
    return Document(f"poll-{n}", title, " ".join(["The poll", *words]), "en")


def test_judged_not_relevant_alerts_of_a_wrong_sense_drop_new_ones_of_that_sense() -> None:
    """Eight judged alerts, three of them market surveys: the near-alert rule turns on (the
    logistic part needs more), drops new surveys and keeps every new election article."""
    rng = random.Random(3)
    verdicts = [True, False, True, True, False, True, False, True]
    examples = [(poll_doc(n, v, rng), v) for n, v in enumerate(verdicts)]
    matcher = Matcher([POLLS])
    model = learn([POLLS], [(d, {"votes": v}) for d, v in examples], matcher)["votes"]
    assert (model.active, model.logistic, model.near is not None) == (True, False, True)
    unseen = [poll_doc(100 + n, n % 3 != 0, rng) for n in range(30)]
    found = [d.id for d in unseen if Filters({"votes": model}).refine(d, matcher.match(d))]
    assert found == [d.id for n, d in enumerate(unseen) if n % 3 != 0]
    survey = next(d for n, d in enumerate(unseen) if n % 3 == 0)
    said = model.contributions(survey, matcher.match(survey)[0])
    assert said[0][1] == -1.0 and "judged not relevant" in said[0][0]


def test_only_nearly_the_same_story_as_a_wrong_alert_is_dropped() -> None:
    """A new survey sharing a few of the judged surveys' words (cosine 0.6-0.7) is kept: with
    ten or so judgments, merely alike is no evidence (held-out set i's US politics lost relevant
    alerts so at 0.5); one sharing most of them (0.7 and over) is dropped."""
    rng = random.Random(3)
    verdicts = [True, False, True, True, False, True, False, True]
    examples = [(poll_doc(n, v, rng), v) for n, v in enumerate(verdicts)]
    matcher = Matcher([POLLS])
    model = learn([POLLS], [(d, {"votes": v}) for d, v in examples], matcher)["votes"]
    assert model.near is not None

    def nearest(k: int) -> Nearest:
        words = ["The poll", *SURVEY[:k], *FILLER[: 12 - k]]
        doc = Document("x", "Poll: shoppers rate phones", " ".join(words), "en")
        return model.near.nearest([(doc, matcher.match(doc)[0])])[0]  # type: ignore[union-attr]

    alike, same = nearest(3), nearest(7)
    assert 0.6 < alike.unlike < 0.7 and not alike.drops
    assert same.unlike >= 0.7 and same.drops


def test_a_rule_that_leaving_out_shows_no_gain_stays_off() -> None:
    """Two alerts judged not relevant, each unlike the other: leaving one out, the other never
    drops it, so leave-one-out ties the plain decision, and a tie shows no gain: off."""
    rng = random.Random(5)
    wrong = [
        Document("w-1", "Poll: shoppers rate smartphone brands", "The poll brand survey", "en"),
        Document("w-2", "Club poll elects a new football board", "The poll club board", "en"),
    ]
    examples = [*((poll_doc(n, True, rng), True) for n in range(5)), *((d, False) for d in wrong)]
    model = learn([POLLS], [(d, {"votes": v}) for d, v in examples], Matcher([POLLS]))["votes"]
    assert (model.active, model.near) == (False, None)
    assert "near-alert rule off: leave-one-out F1" in model.reason


# A query term that brings the wrong articles: for health care, "doctors" fires in health-advice
# pieces ("what doctors say about ..."), "hospital*" and "clinic" in stories about the service.
CARE = Topic(id="care", name="Health care", query="doctors OR hospital* OR clinic",
             threshold=0.0, expand=False)  # fmt: skip


def care_doc(n: int, term: str, rng: random.Random) -> Document:
    """A story fired by ``term`` only; each one of different words (no story repeats)."""
    words = rng.sample(FILLER + VOTE + SURVEY + RIVER + MONEY, 12)
    return Document(f"care-{n}", f"{' '.join(words[:3])} {term}", " ".join(words), "en")


def care_judged(verdicts: list[tuple[str, bool]], seed: int = 7) -> list[tuple[Document, bool]]:
    rng = random.Random(seed)
    return [(care_doc(n, term, rng), v) for n, (term, v) in enumerate(verdicts)]


def care_model(examples: list[tuple[Document, bool]]):
    matcher = Matcher([CARE])
    return learn([CARE], [(d, {"care": v}) for d, v in examples], matcher)["care"], matcher


def test_a_term_that_fired_in_wrong_alerts_drops_new_candidates_it_alone_brings() -> None:
    """Ten judged alerts of ten different stories (the near-alert rule sees nothing alike):
    "doctors" fired in five, all judged not relevant. The term rule turns on, drops a new
    candidate only "doctors" brings, keeps one "hospital" brings too, and one brought by a
    term never judged ("clinic")."""
    verdicts = [("doctors", False)] * 5 + [("hospital", True)] * 4 + [("hospital", False)]
    model, matcher = care_model(care_judged(verdicts))
    assert (model.active, model.near, model.logistic) == (True, None, False), model.reason
    assert model.terms is not None and model.reason.startswith("on (term rule); logistic part off")
    rng = random.Random(11)
    doctors, both, clinic = (care_doc(100, "doctors", rng), care_doc(101, "doctors hospital", rng),
                             care_doc(102, "clinic", rng))  # fmt: skip
    found = [d.id for d in (doctors, both, clinic)
             if Filters({"care": model}).refine(d, matcher.match(d))]  # fmt: skip
    assert found == [both.id, clinic.id]
    said = model.contributions(doctors, matcher.match(doctors)[0])
    assert said[0][1] == -1.0 and "'doctors' 0 of 5" in said[0][0], said


def test_a_term_rule_that_leaving_out_shows_no_gain_stays_off() -> None:
    """Each term fired in relevant and not-relevant alerts alike: dropping by term would lose
    relevant ones, leave-one-out shows it, the rule stays off and every candidate is kept."""
    verdicts = [("doctors", True), ("doctors", False), ("hospital", True), ("hospital", False)] * 3
    model, _ = care_model(care_judged(verdicts))
    assert (model.active, model.terms) == (False, None)
    assert "term rule off: leave-one-out F1" in model.reason


def test_the_term_rule_round_trips_through_json() -> None:
    verdicts = [("doctors", False)] * 5 + [("hospital", True)] * 4 + [("hospital", False)]
    model, matcher = care_model(care_judged(verdicts))
    again = from_json(to_json(model))
    assert again == model and again is not None and again.terms is not None
    rng = random.Random(13)
    pairs = [
        (d, matcher.match(d)[0])
        for d in (care_doc(n, t, rng) for n, t in enumerate(["doctors", "hospital", "clinic"]))
    ]
    assert again.probabilities(pairs) == model.probabilities(pairs) == [0.0, 1.0, 1.0]


@pytest.mark.parametrize("relevant", [True, False])
def test_a_topic_judged_all_one_way_keeps_every_candidate(relevant: bool) -> None:
    """All relevant or all not relevant teaches nothing to tell apart: the filter stays off."""
    model = trained(judged(40, relevant=relevant))
    assert (model.active, model.judgments, model.relevant) == (False, 40, 40 if relevant else 0)
    assert "of each" in model.reason
    assert kept(Filters({TOPIC.id: model}), UNSEEN) == [d.id for d in UNSEEN]


def test_enough_judgments_turn_the_filter_on_and_it_drops_the_other_sense() -> None:
    """40 judgments: cross-validation beats keeping all; unseen money banks are dropped."""
    model = trained(judged(40))
    assert model.active is True, model.reason
    assert model.cv_learned is not None and model.cv_plain is not None
    assert model.cv_learned > model.cv_plain
    river = [d.id for d in UNSEEN if d.title.startswith("River")]
    assert kept(Filters({TOPIC.id: model}), UNSEEN) == river


def test_the_filter_never_adds_a_match() -> None:
    """A document the query rejects stays rejected, whatever was learned."""
    filters = Filters({TOPIC.id: trained(judged(40))})
    outside = Document("x", "River flood", "river flood erosion water levee", "en")
    assert filters.refine(outside, Matcher([TOPIC]).match(outside)) == ()


# The river banks say "bank" once, deep in the text (they score under the threshold); the money
# banks have it in the headline (above): the plain score keeps exactly the wrong ones.
DEEP = Topic(id="bank", name="River banks", query="bank", threshold=0.3, expand=False)


def deep_doc(n: int, relevant: bool, rng: random.Random) -> Document:
    if relevant:
        words = [*rng.choices(FILLER, k=120), "the", "bank", *rng.sample(RIVER, 5)]
        return Document(f"deep-{n}", f"Villagers evacuated as {rng.choice(RIVER)} rises",
                        " ".join(words), "en")  # fmt: skip
    words = ["The", "bank", *rng.sample(MONEY, 4), *rng.sample(FILLER, 6)]
    return Document(f"deep-{n}", f"Central bank {rng.choice(MONEY)}", " ".join(words), "en")


def test_judged_candidates_below_the_threshold_teach_re_admitting_them() -> None:
    """Judgments of candidates the score drops: cross-validation turns re-admitting on, and
    the matcher gives those candidates for the filter to keep; judging only alerts cannot."""
    rng = random.Random(7)
    examples = [(deep_doc(n, n % 2 == 0, rng), n % 2 == 0) for n in range(40)]
    unseen = [deep_doc(100 + n, n % 2 == 0, rng) for n in range(20)]
    matcher = Matcher([DEEP])
    assert all(bool(matcher.match(d)) != (n % 2 == 0) for n, d in enumerate(unseen))
    model = learn([DEEP], [(d, {"bank": r}) for d, r in examples], matcher)["bank"]
    assert (model.active, model.readmits) == (True, True), model.reason
    filters = Filters({"bank": model})
    assert filters.readmitting == {"bank"}
    found = [d.id for d in unseen if filters.refine(d, matcher.match(d, below=filters.readmitting))]
    assert found == [d.id for n, d in enumerate(unseen) if n % 2 == 0]
    alerts = [(d, {"bank": r}) for d, r in examples if matcher.match(d)]
    assert Filters(learn([DEEP], alerts, matcher)).readmitting == frozenset()


def test_the_saved_model_is_compact() -> None:
    """Coefficients are packed: under 6 bytes of JSON each (as ``[column, weight]`` pairs
    they took about 15); the near-alert rule's profiles under 3 bytes a feature (a column delta
    and a step, compressed, in base64)."""
    model = trained(judged(40))
    assert model.coefficients > 100 and model.near is not None
    assert len(to_json(replace(model, near=None))) < 6 * model.coefficients
    matcher = Matcher([TOPIC])
    profiles = features.profiles([(d, matcher.match(d)[0]) for d, _ in judged(40)])
    assert len(to_json(model)) - len(to_json(replace(model, near=None))) < 3 * profiles.nnz


def test_the_model_round_trips_through_json() -> None:
    """Saved as JSON (coefficients) and read back, it decides the same."""
    model = trained(judged(40))
    again = from_json(to_json(model))
    assert again is not None and again == model and again.near is not None
    matcher = Matcher([TOPIC])
    pairs = [(d, matcher.match(d)[0]) for d in UNSEEN]
    assert again.probabilities(pairs) == model.probabilities(pairs)
    older = to_json(model).replace(f'"version":"{model.version}"', '"version":"1"')
    assert from_json(older) is None  # another version: retrained, not read


def test_contributions_name_features_in_words() -> None:
    """``explain``'s top features are readable: words, characters, evidence."""
    model = trained(judged(40))
    money = next(d for d in UNSEEN if d.title.startswith("Central"))
    found = model.contributions(money, Matcher([TOPIC]).match(money)[0])
    assert found and all(isinstance(name, str) and "#" not in name for name, _ in found)
    assert sum(pull for _, pull in found) < 0  # they pull toward dropping it


def test_suggest_proposes_not_candidates_and_missing_terms() -> None:
    """Words of the not-relevant side are NOT candidates; of the relevant side, new terms."""
    found = suggest("bank", judged(40))
    nots = {s.word for s in found if s.kind == "NOT"}
    ors = {s.word for s in found if s.kind == "OR"}
    assert nots and nots <= set(MONEY) | {"central"}
    assert ors and ors <= set(RIVER)
    assert "bank" not in nots | ors


@pytest.mark.parametrize(
    ("lang", "relevant_words", "wrong_words", "expected"),
    [
        # the QA pass's words: common in English news, however one-sided in the judgments
        ("en", "heroin before every system hit", "casino activities officials man",
         {("OR", "heroin"), ("NOT", "casino")}),
        # "dari" (from) and "pada" (on) are in 92% and 85% of Indonesian background texts
        ("id", "sabu dari", "kasino pada", {("OR", "sabu"), ("NOT", "kasino")}),
        # language unknown: "apabila" (if) is in 15% of Malay texts, 4.9% of all pooled
        (None, "sabu apabila", "kasino pada", {("OR", "sabu"), ("NOT", "kasino")}),
    ],
)  # fmt: skip
def test_suggest_leaves_out_words_common_in_their_language(
    lang: str | None, relevant_words: str, wrong_words: str, expected: set[tuple[str, str]]
) -> None:
    """A word in more than a few percent of the background texts of its language is proposed
    neither as a NOT candidate nor as a missing term."""
    judged = [
        (Document(f"{verdict}-{n}", "News", words, lang), verdict)
        for verdict, words in ((True, relevant_words), (False, wrong_words))
        for n in range(3)
    ]
    assert expected == {(s.kind, s.word) for s in suggest("drugs", judged)}


def test_suggest_reads_no_words_out_of_escape_sequences_or_format_characters() -> None:
    """An imported text's ANSI colours (``ESC[31m``), an OSC title's hidden payload and a bidi
    isolate inside a word propose no debris (``mred``, ``pwn``, ``iso``)."""
    hostile = "kasino \x1b[31mred\x1b[0m \x1b]0;pwn\x07 wordx\u2066iso"
    judged = [
        (Document(f"{verdict}-{n}", "News", words, "en"), verdict)
        for verdict, words in ((True, "sabu"), (False, hostile))
        for n in range(3)
    ]
    expected = {("OR", "sabu"), ("NOT", "kasino"), ("NOT", "wordxiso")}  # "red" is common
    assert expected == {(s.kind, s.word) for s in suggest("drugs", judged)}


@pytest.mark.parametrize(
    ("query", "expand", "proposed"),
    [
        # the QA case: nickel finds Indonesian nikel and mining pertambangan once expanded
        ("nickel AND mining", True, {"smelter"}),
        # a prefix finds the word's longer forms
        ("nickel AND mining AND smelter*", True, set()),
        # not expanded, the query finds neither, and they are missing terms again
        ("nickel AND mining", False, {"smelter", "nikel", "pertambangan"}),
    ],
)  # fmt: skip
def test_suggestions_leave_out_words_the_query_finds_as_expanded(
    query: str, expand: bool, proposed: set[str]
) -> None:
    """A word the query's terms match (expanded as the topic says) is no term it lacks."""
    topic = Topic(id="nickel", name="Nickel", query=query, threshold=0.0, expand=expand)
    judged = [
        (Document(f"g{n}", f"Smelter nikel {n}", "Pertambangan nikel dan smelternya", "id"), True)
        for n in range(3)
    ] + [(Document(f"b{n}", f"Saham {n}", "Harga saham turun", "id"), False) for n in range(3)]
    found = suggestions(topic, judged, Matcher([topic], default_lexicon()))
    assert proposed == {s.word for s in found.edits if s.kind == "OR"} - {"smelternya"}


def test_term_uses_name_the_query_terms_that_fired_only_in_wrong_alerts() -> None:
    """``elect*`` fired only on club boards judged not relevant: first, to narrow, with the words
    it matched there; ``ballot*`` fired only in relevant ones; ``poll*`` in both."""
    docs = [
        (Document("1", "Ballots counted", "The poll closed and ballots were counted", "en"), True),
        (Document("2", "Voters at the polls", "Ballot boxes arrived before the poll", "en"), True),
        (Document("3", "Club elects a board", "Members elected a new chairman", "en"), False),
        (Document("4", "Poll: new club board", "The club elects its board each year", "en"), False),
    ]
    # another topic that matches them all comes first: the suggestions are still the poll's
    wide = "the OR poll* OR ballot* OR club OR voters OR elect*"
    other = Topic(id="a-club", name="Club", query=wide, threshold=0.0, expand=False)
    said = suggestions(POLLS, docs, Matcher([other, POLLS]))
    uses = said.terms
    assert uses == (
        TermUse("elect*", 0, 2, ("elects", "elected")),
        TermUse("poll*", 2, 1, ("poll",)),
        TermUse("ballot*", 2, 0, ()),
    )
    assert [u.term for u in uses if u.only_wrong] == ["elect*"]
    assert (said.topic, said.relevant, said.not_relevant) == ("votes", 2, 2)
    assert (said.too_few_to_narrow, [u.term for u in uses if u.narrow]) == (True, [])


def vote_docs(relevant: int, wrong: int) -> list[tuple[Document, bool]]:
    """Ballots counted (relevant) and club boards elected (not relevant), each its own."""
    return [(Document(f"r{n}", f"Ballots counted in district {n}",
                      "The poll closed and ballots were counted", "en"), True)
            for n in range(relevant)] + [
            (Document(f"w{n}", f"Club {n} elects a board",
                      "Members elected a new chairman", "en"), False)
            for n in range(wrong)]  # fmt: skip


@pytest.mark.parametrize(
    ("relevant", "wrong", "narrowed", "too_few"),
    [(0, 1, [], True), (1, 1, [], True), (2, 3, [], True), (3, 2, [], False),
     (3, 3, ["elect*"], False)],
)  # fmt: skip
def test_dropping_a_term_is_advised_only_with_the_learners_minimum_behind_it(
    relevant: int, wrong: int, narrowed: list[str], too_few: bool
) -> None:
    """A term that fired only in articles judged not relevant is advised to drop or narrow once
    it fired in 3 of them and the query accepts 3 judged relevant (the learner's own minimum of
    each verdict); with two judgments nothing is advised, and the output says why."""
    said = suggestions(POLLS, vote_docs(relevant, wrong), Matcher([POLLS]))
    expected = (narrowed, too_few)
    assert expected == ([u.term for u in said.terms if u.narrow], said.too_few_to_narrow)


def test_suggestions_count_an_article_judged_under_two_keys_once() -> None:
    """An article imported under its file's id and judged again on its stored match (its page's
    text a little different) is one article, at its latest verdict; other articles with the
    same headline but another text stay apart."""
    rng = random.Random(3)
    words = " ".join(rng.choice(FILLER + RIVER) for _ in range(120))
    page = Document("https://news.example/a/kompas-1.html", "River bank gives way",
                    f"KOMPAS.com - {words} Baca juga: banjir", "id")  # fmt: skip
    imported = Document("kompas-1", "River bank gives way", words, "id")
    others = [Document(f"n{n}", "News", f"the bank said {n}", "en") for n in range(2)]
    judged = [(imported, True), (others[0], True), (page, False), (others[1], False)]
    said = suggestions(TOPIC, judged, Matcher([TOPIC]))
    expected = ("bank", 1, 2, 1)
    assert expected == (said.topic, said.relevant, said.not_relevant, said.merged)


def test_the_learner_learns_from_an_article_judged_under_two_keys_once() -> None:
    """Judged twice (imported, then on its stored match), one article teaches once, by its
    latest verdict: counted twice, cross-validation could hold one copy out and train on the
    other. Each topic keeps its own: judged for another topic too, it counts there."""
    examples = judged(16)
    doc0, _ = examples[0]
    again = Document("https://news.example/doc-0", doc0.title, doc0.text, "en")
    other = Topic(id="money", name="Money", query="bank", threshold=0.0, expand=False)
    pairs = [(d, {TOPIC.id: r}) for d, r in examples]
    pairs += [(again, {TOPIC.id: False, other.id: True}), (examples[1][0], {other.id: False})]
    models = learn([TOPIC, other], pairs, Matcher([TOPIC, other]))
    assert (models[TOPIC.id].judgments, models[other.id].judgments) == (16, 2)
    alone = learn([TOPIC], [(d, {TOPIC.id: r}) for d, r in [*examples[1:], (again, False)]],
                  Matcher([TOPIC]))[TOPIC.id]  # fmt: skip
    assert to_json(alone) == to_json(models[TOPIC.id])  # doc-0 counts by its later verdict


def test_feedback_file_zero_is_not_relevant_and_unlisted_is_unjudged() -> None:
    """``{"a": 0}`` is judged not relevant; a topic not listed is not judged at all."""
    lines = [
        json.dumps({"id": "1", "title": "t", "text": "x", "topics": {"a": 0, "b": 2}}),
        "",
        json.dumps({"id": 2, "title": "u", "text": "y", "lang": "id", "topics": {"b": 1}}),
    ]
    got = read_feedback(lines)
    assert [(j.document.id, j.document.lang, j.verdicts) for j in got] == [
        ("1", None, {"a": False, "b": True}),
        ("2", "id", {"b": True}),
    ]
    with pytest.raises(ValueError, match="line 2"):
        read_feedback([lines[0], json.dumps({"id": "3", "topics": {"a": 5}})])


# --- the store -----------------------------------------------------------------------------


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    with Store.open(database_url) as opened:
        yield opened


def test_store_keeps_imported_judgments_verdicts_and_models(store: Store) -> None:
    """Imported judgments and verdicts on matches read back as documents with verdicts."""
    store.save_poll(state(), [article("https://a.example/1", summary="A river bank")], T0)
    empty = store.judgment_state("asean")
    imported = [(Document("f-1", "T", "x", "id"), {"asean": False, "bank": True})]
    assert store.import_judgments(imported, "ana", T0) == 2
    match_id = next(store.matches(limit=1)).match_id
    store.record_feedback(match_id, "relevant", "cli", T0 + timedelta(minutes=1))
    got = store.judgments("asean")
    assert [(d.id, d.lang, r) for d, r in got] == [
        ("f-1", "id", False),
        ("https://a.example/1", "en", True),
    ]
    assert got[1][0].text == "A river bank"
    # a re-import replaces the earlier verdict; the state moves with every change
    changed = store.judgment_state("asean")
    assert changed != empty
    store.import_judgments([(Document("f-1", "T", "x"), {"asean": True})], "ana", T0)
    assert [r for _, r in store.judgments("asean")] == [True, True]
    store.undo_feedback(match_id)
    assert [d.id for d, _ in store.judgments("asean")] == ["f-1"]
    assert store.judgment_state("asean") not in (changed, empty)
    store.save_learned("asean", '{"m": 1}', "s1", T0)
    store.save_learned("asean", '{"m": 2}', "s2", T0 + timedelta(hours=1))
    saved = store.learned()["asean"]
    assert (saved.model, saved.state, saved.trained) == ('{"m": 2}', "s2", T0 + timedelta(hours=1))


# --- the command line and the pipeline -----------------------------------------------------

WATCHLIST = """\
topics:
  - id: bank
    name: River banks
    query: bank
    expand: false
"""


def write_config(tmp_path: Path, database_url: str, query: str = "bank") -> Path:
    (tmp_path / "watchlists").mkdir(exist_ok=True)
    (tmp_path / "watchlists" / "bank.yaml").write_text(
        WATCHLIST.replace("query: bank", f"query: {query}"), encoding="utf-8"
    )
    config = tmp_path / "monitor.yaml"
    config.write_text(
        f"""\
database: {database_url}
web: {{listen: off}}
watchlists: ["watchlists/*.yaml"]
http:
  user_agent: "news-monitor-tests/0.1 (+https://example.org/contact)"
sources:
  - id: src-a
    name: Source A
    feed: https://src-a.example/feed
""",
        encoding="utf-8",
    )
    return config


def feedback_file(path: Path, examples: list[tuple[Document, bool]]) -> Path:
    lines = [
        json.dumps({"id": d.id, "title": d.title, "text": d.text, "lang": d.lang,
                    "topics": {"bank": int(r)}})
        for d, r in examples
    ]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cli_feedback_round_trip_undo_and_import(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A verdict through the CLI is stored and undone; an import trains the topic."""
    config = write_config(tmp_path, database_url)
    run = ["--config", str(config)]
    with Store.open(database_url) as store:
        store.save_poll(
            state(), [article("https://a.example/1", topics=(("bank", ("chat",)),))], T0
        )
        match_id = next(store.matches(limit=1)).match_id
    assert main([*run, "feedback", str(match_id), "not-relevant"]) == 0
    assert main([*run, "feedback", str(match_id)]) == 0
    assert f"match {match_id}: not-relevant" in capsys.readouterr().out
    with Store.open(database_url) as store:
        assert [f.verdict for f in store.feedback("bank")] == ["not-relevant"]
        assert "bank" in store.learned()  # retrained at once (still off: one judgment)
    assert main([*run, "feedback", str(match_id), "undo"]) == 0
    assert main([*run, "feedback", str(match_id), "undo"]) == 2
    assert main([*run, "feedback", "nope", "relevant"]) == 2
    assert main([*run, "feedback"]) == 2
    capsys.readouterr()
    assert (
        main([*run, "feedback", "--import", str(feedback_file(tmp_path / "f.jsonl", judged(40)))])
        == 0
    )
    assert "imported 40 judgments" in capsys.readouterr().out
    assert main([*run, "topics"]) == 0
    out = capsys.readouterr().out
    assert "bank" in out and "20" in out and "0.50" in out and "on: cross-validated" in out
    assert main([*run, "suggest", "bank"]) == 0
    out = capsys.readouterr().out
    assert "NOT candidates:" in out and "query terms by the judged articles" in out
    assert "  bank  (in 20 relevant, 20 not relevant; there it matched 'bank')" in out
    assert main([*run, "explain", "bank", "--title", "Central bank", "--text", "loan rate"]) == 0
    assert "top features:" in capsys.readouterr().out


def test_cli_feedback_repeated_is_not_stacked_and_unknown_ids_are_usage_errors(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same verdict twice is said to change nothing, and one undo takes it back (saying
    what is current then); a match id that names no match, one past any row id included, is a
    usage error (2) with a hint, not a database error (3)."""
    config = write_config(tmp_path, database_url)
    run = ["--config", str(config), "feedback"]
    with Store.open(database_url) as store:
        store.save_poll(
            state(), [article("https://a.example/1", topics=(("bank", ("chat",)),))], T0
        )
        match_id = str(next(store.matches(limit=1)).match_id)
    codes = [main([*run, match_id, verdict]) for verdict in ("relevant", "relevant", "undo")]
    said = capsys.readouterr().out.splitlines()
    with Store.open(database_url) as store:
        counted = store.feedback_counts()
    codes += [main([*run, match_id, v]) for v in ("not-relevant", "relevant", "undo")]
    undone_to = capsys.readouterr().out.splitlines()[-1]
    too_big = "9" * 20
    asked = (["999", "relevant"], [too_big, "relevant"], ["999", "undo"], ["999"])
    unknown = [main([*run, *args]) for args in asked]
    err = capsys.readouterr().err
    assert (
        [0, 0, 0, 0, 0, 0],
        [f"match {match_id}: relevant (topic bank)",
         f"match {match_id}: already marked relevant (topic bank); nothing changed",
         f"match {match_id}: verdict undone (relevant, topic bank): now not judged"],
        {},
        f"match {match_id}: verdict undone (relevant, topic bank): now not-relevant",
        [2, 2, 2, 2],
        4,
    ) == (
        codes, said, counted, undone_to, unknown,
        err.count("no match or delivery") if "database error" not in err else -1,
    )  # fmt: skip


def test_cli_feedback_takes_a_delivery_id_and_warns_of_unknown_topics(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A digest line's delivery id judges its match; an import naming topics no watchlist
    defines stores them and says so on stderr (how many, which)."""
    config = write_config(tmp_path, database_url)
    run = ["--config", str(config)]
    with Store.open(database_url) as store:
        store.save_poll(
            state(), [article("https://a.example/1", topics=(("bank", ("chat",)),))], T0
        )
        match_id = next(store.matches(limit=1)).match_id
        (delivery,) = store.channel_queue("chat", T0 + timedelta(hours=1))
    judged_by_delivery = main([*run, "feedback", delivery.delivery_id, "relevant"])
    said = capsys.readouterr().out
    lines = [json.dumps({"id": f"doc-{n}", "title": "Bank", "text": "bank",
                         "topics": {"bank": 1, **({"bnak": 0, "gone": 1} if n else {})}})
             for n in range(3)]  # fmt: skip
    (tmp_path / "f.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    imported = main([*run, "feedback", "--import", str(tmp_path / "f.jsonl")])
    err = capsys.readouterr().err
    with Store.open(database_url) as store:
        stored = sorted(store.judgment_states())
    assert (
        0, f"match {match_id}: relevant (topic bank)\n", 0,
        "warning: 4 judgments name topics no watchlist defines: bnak (2), gone (2); "
        "stored, they count once a watchlist defines the topic\n",
        ["bank", "bnak", "gone"],
    ) == (judged_by_delivery, said, imported, err, stored)  # fmt: skip


def test_cli_feedback_export_holds_every_judgment_and_imports_back(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--export`` writes every judgment (on a stored match and imported ones, of a topic no
    watchlist defines now too) as a feedback file, one line per article, ASCII only (a feed's
    U+2028 or U+0085 in a title ends no line); importing it elsewhere gives the same judgments."""
    config = write_config(tmp_path, database_url)
    run = ["--config", str(config)]
    with Store.open(database_url) as store:
        hostile = article("https://a.example/1", topics=(("bank", ("chat",)),))
        title = 'Bank\u2028<script>x</script>\u0085 "run"'
        store.save_poll(state(), [replace(hostile, item=replace(hostile.item, title=title))], T0)
        match_id = next(store.matches(limit=1)).match_id
        store.import_judgments([(judged(2)[1][0], {"bank": True, "gone": False})], "elsewhere", T0)
    assert main([*run, "feedback", str(match_id), "not-relevant"]) == 0
    out = tmp_path / "export.jsonl"
    assert main([*run, "feedback", "--export", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.isascii() and len(text.splitlines()) == 2
    exported = read_feedback(text.splitlines())
    verdicts = {j.document.id: j.verdicts for j in exported}
    assert verdicts == {
        "https://a.example/1": {"bank": False},
        "doc-1": {"bank": True, "gone": False},
    }
    assert {j.document.id: j.document.title for j in exported}["https://a.example/1"] == title
    (tmp_path / "other").mkdir()
    other = write_config(tmp_path / "other", f"sqlite:///{tmp_path / 'other.db'}")
    with Store.open(f"sqlite:///{tmp_path / 'other.db'}"):
        pass
    assert main(["--config", str(other), "feedback", "--import", str(out)]) == 0
    capsys.readouterr()
    assert main(["--config", str(other), "feedback", "--export", "-"]) == 0
    assert capsys.readouterr().out == text
    assert main([*run, "feedback", "--export", "-", "relevant"]) == 2


def test_cli_feedback_unreadable_files_are_usage_errors_in_one_line(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A feedback file that cannot be read, or a place an export cannot be written, is the
    user's input: exit 2 and one line naming the path and why, no traceback."""
    run = ["--config", str(write_config(tmp_path, database_url)), "feedback"]
    with Store.open(database_url):  # migrated: the export reads it
        pass
    missing, folder = tmp_path / "nope.jsonl", tmp_path / "watchlists"
    nowhere = tmp_path / "no" / "dir" / "x.jsonl"
    codes, errors = [], []
    for args in (["--import", str(missing)], ["--import", str(folder)], ["--export", str(nowhere)]):
        codes.append(main([*run, *args]))
        errors.append(capsys.readouterr().err)
    assert ([2, 2, 2], [
        f"input error: cannot read {missing}: No such file or directory\n",
        f"input error: cannot read {folder}: Is a directory\n",
        f"input error: cannot write {nowhere}: No such file or directory\n",
    ]) == (codes, errors)  # fmt: skip


def test_cli_verdict_logs_its_retraining_at_debug_only(
    tmp_path: Path, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A verdict on the command line answers in its own words: the "learned" line of the
    retraining it runs is DEBUG there (the daemon's stays INFO)."""
    config = write_config(tmp_path, database_url)
    with Store.open(database_url) as store:
        store.save_poll(
            state(), [article("https://a.example/1", topics=(("bank", ("chat",)),))], T0
        )
        match_id = next(store.matches(limit=1)).match_id
    caplog.set_level(logging.DEBUG, logger="monitor.learn")
    assert main(["--config", str(config), "feedback", str(match_id), "relevant"]) == 0
    learned = [r for r in caplog.records if r.getMessage().startswith("learned topic=bank")]
    assert [r.levelno for r in learned] == [logging.DEBUG]


def test_cli_topics_precision_counts_only_what_the_query_accepts(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Imported labels of articles the query rejects are shown apart, not counted in the
    precision, which says how many judged articles it rests on."""
    run = ["--config", str(write_config(tmp_path, database_url))]
    rng = random.Random(3)
    banks = [(doc(n, n < 2, rng), n < 2) for n in range(6)]  # 2 river banks, 4 money banks
    weather = [(Document(f"w-{n}", f"Weather {n}", "Sunny skies", "en"), False) for n in range(12)]
    path = feedback_file(tmp_path / "f.jsonl", banks + weather)
    with Store.open(database_url):  # migrated
        pass
    assert main([*run, "feedback", "--import", str(path)]) == 0
    capsys.readouterr()
    assert main([*run, "topics"]) == 0
    header, row, note = capsys.readouterr().out.splitlines()
    assert ([c.strip() for c in header.split("  ") if c.strip()][:5],
          [c.strip() for c in row.split("  ") if c.strip()][:5]) == (
        ["topic", "relevant", "not relevant", "precision", "not accepted"],
        ["bank", "2", "4", "0.33 of 6", "12"],
    )  # fmt: skip
    assert note.startswith("relevant, not relevant and precision count the judged articles")


def test_tallies_match_an_article_judged_for_two_topics_once() -> None:
    """Each topic counts the judged articles its own query accepts, near misses included."""
    river = Topic(id="river", name="River", query="river", threshold=0.99, expand=False)
    judged = [(Document("a", "River bank", "river", "en"), True),
              (Document("b", "Loan", "central bank rate", "en"), False)]  # fmt: skip
    found = tallies({"bank": judged, "river": judged}, Matcher([TOPIC, river]))
    assert {"bank": Tally(1, 1, 0), "river": Tally(1, 0, 1)} == found


def test_cli_match_and_eval_learn_from_a_feedback_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``match --feedback`` and ``eval --feedback`` drop what the file taught is not relevant."""
    watchlist = tmp_path / "w.yaml"
    watchlist.write_text(WATCHLIST, encoding="utf-8")
    feedback = feedback_file(tmp_path / "f.jsonl", judged(40))
    articles = tmp_path / "a.jsonl"
    feedback_file(articles, [(d, d.title.startswith("River")) for d in UNSEEN])
    assert main(["match", "--watchlist", str(watchlist), "--input", str(articles)]) == 0
    plain = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert all(r["matches"] for r in plain)
    args = ["match", "--watchlist", str(watchlist), "--input", str(articles)]
    assert main([*args, "--feedback", str(feedback)]) == 0
    learned = {
        r["id"] for r in map(json.loads, capsys.readouterr().out.splitlines()) if r["matches"]
    }
    assert learned == {d.id for d in UNSEEN if d.title.startswith("River")}
    evaluate = ["eval", "--watchlist", str(watchlist), "--labels", str(articles), "--json"]
    assert main(evaluate) == 0
    before = json.loads(capsys.readouterr().out)["rows"][0]
    assert main([*evaluate, "--feedback", str(feedback)]) == 0
    after = json.loads(capsys.readouterr().out)["rows"][0]
    assert (before["fp"], after["fp"], after["tp"]) == (10, 0, before["tp"])


def test_cli_match_and_eval_re_admit_what_judgments_below_the_threshold_taught(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A feedback file judging candidates under the threshold: ``match --feedback`` outputs
    the relevant ones the plain score drops, and ``eval --feedback`` counts them found."""
    watchlist = tmp_path / "w.yaml"
    watchlist.write_text(WATCHLIST + "    threshold: 0.3\n", encoding="utf-8")
    rng = random.Random(7)
    feedback = feedback_file(
        tmp_path / "f.jsonl", [(deep_doc(n, n % 2 == 0, rng), n % 2 == 0) for n in range(40)]
    )
    unseen = [deep_doc(100 + n, n % 2 == 0, rng) for n in range(10)]
    river = {d.id for n, d in enumerate(unseen) if n % 2 == 0}
    articles = feedback_file(tmp_path / "a.jsonl", [(d, d.id in river) for d in unseen])
    args = ["match", "--watchlist", str(watchlist), "--input", str(articles)]
    assert main([*args, "--feedback", str(feedback)]) == 0
    found = {r["id"] for r in map(json.loads, capsys.readouterr().out.splitlines()) if r["matches"]}
    assert found == river
    evaluate = ["eval", "--watchlist", str(watchlist), "--labels", str(articles), "--json"]
    assert main(evaluate) == 0
    before = json.loads(capsys.readouterr().out)["rows"][0]
    assert main([*evaluate, "--feedback", str(feedback)]) == 0
    after = json.loads(capsys.readouterr().out)["rows"][0]
    assert (before["tp"], before["fp"], after["tp"], after["fp"]) == (0, 5, 5, 0)


def _pipeline(
    settings, store: Store, workers: Workers, now: datetime | Callable[[], datetime]
) -> Pipeline:
    clock = now if callable(now) else lambda: now
    return Pipeline(
        settings, store=store, fetcher=Fetcher(settings.http),
        notifier=Notifier(settings.channels), workers=workers, now=clock,
    )  # fmt: skip


def _kept(pipeline: Pipeline, settings, documents: list[Document]) -> list[str]:
    source = settings.sources[0]
    found = []
    for d in documents:
        item = Item(key=d.id, url=None, guid=None, title=d.title, summary=d.text, language="en")
        if pipeline._matches_for(source, item):
            found.append(d.id)
    return found


def test_learned_filter_persists_across_restart_and_hot_reload(
    tmp_path: Path, database_url: str
) -> None:
    """Trained once and saved; a restart reloads it without retraining; an edited query is
    retrained on the same judgments."""
    settings = load_settings(write_config(tmp_path, database_url), {})
    river = [d.id for d in UNSEEN if d.title.startswith("River")]
    workers = Workers(WorkerLimits(processes=1))
    try:
        with Store.open(database_url) as store:
            store.import_judgments([(d, {"bank": r}) for d, r in judged(40)], "ana", T0)
            first = _pipeline(settings, store, workers, T0)
            assert len(_kept(first, settings, UNSEEN)) == len(UNSEEN)  # not learned yet
            asyncio.run(first.relearn())
            assert _kept(first, settings, UNSEEN) == river
        later = T0 + timedelta(days=1)
        with Store.open(database_url) as store:  # a restart
            second = _pipeline(settings, store, workers, later)
            asyncio.run(second.relearn())
            assert _kept(second, settings, UNSEEN) == river
            assert store.learned()["bank"].trained == T0  # loaded, not retrained
            edited = load_settings(write_config(tmp_path, database_url, "bank OR banks"), {})
            asyncio.run(second.use_settings(edited, Notifier(edited.channels)))
            assert store.learned()["bank"].trained == later  # the query changed: retrained
            assert _kept(second, edited, UNSEEN) == river
    finally:
        workers.close()


def test_a_reload_whose_training_fails_keeps_the_settings_in_use(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``use_settings`` is all or nothing: when the new topics fail to train, it raises and
    the settings, topics and learned filters in use stay as they were."""
    settings = load_settings(write_config(tmp_path, database_url), {})
    workers = Workers(WorkerLimits(processes=1))
    try:
        with Store.open(database_url) as store:
            store.import_judgments([(d, {"bank": r}) for d, r in judged(40)], "ana", T0)
            pipeline = _pipeline(settings, store, workers, T0)
            asyncio.run(pipeline.relearn())
            river = [d.id for d in UNSEEN if d.title.startswith("River")]
            edited = load_settings(write_config(tmp_path, database_url, "bank OR banks"), {})

            def broken(*args: object) -> object:
                raise RuntimeError("a topic failed to train")

            monkeypatch.setattr("monitor.pipeline.relearn", broken)
            with pytest.raises(RuntimeError):
                asyncio.run(pipeline.use_settings(edited, Notifier(edited.channels)))
            expected = (settings, river)
            assert expected == (pipeline.settings, _kept(pipeline, settings, UNSEEN))
    finally:
        workers.close()


def test_judgments_arriving_retrain_at_the_next_check(tmp_path: Path, database_url: str) -> None:
    """A judgment added after training changes the state: the next relearn retrains."""
    settings = load_settings(write_config(tmp_path, database_url), {})
    workers = Workers(WorkerLimits(processes=1))
    try:
        with Store.open(database_url) as store:
            store.import_judgments([(d, {"bank": r}) for d, r in judged(10)], "ana", T0)
            times = [T0]
            pipeline = _pipeline(settings, store, workers, lambda: times[-1])
            asyncio.run(pipeline.relearn())
            assert store.learned()["bank"].trained == T0
            assert from_json(store.learned()["bank"].model).judgments == 10  # type: ignore[union-attr]
            store.import_judgments([(d, {"bank": r}) for d, r in judged(40)], "ana", T0)
            times.append(T0 + timedelta(hours=1))
            asyncio.run(pipeline.relearn())
            assert store.learned()["bank"].trained == T0 + timedelta(hours=1)
            model = from_json(store.learned()["bank"].model)
            assert model is not None and (model.judgments, model.active) == (40, True)
    finally:
        workers.close()


def test_rematch_keeps_and_drops_what_the_daemon_does(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Judgments turned the topic's filter on, then its query was edited: ``rematch
    --dry-run`` lists, and ``rematch --notify`` stores and alerts, exactly the stored articles
    the daemon keeps (the river banks), not the money banks its filter drops; a dry run saves
    no retrained filter, a real run saves it as the daemon would."""
    channel = "channels:\n  desk: {urls: 'json://localhost/x'}\n"

    def configured(query: str) -> Path:
        config = write_config(tmp_path, database_url, query)
        config.write_text(config.read_text(encoding="utf-8") + channel, encoding="utf-8")
        return config

    before = load_settings(configured("bank"), {})
    unseen = [Item(key=d.id, url=None, guid=None, title=d.title, summary=d.text, language="en")
              for d in UNSEEN]  # fmt: skip
    with Store.open(database_url) as store:
        store.import_judgments([(d, {"bank": r}) for d, r in judged(40)], "ana", T0)
        relearn(store, before.topics, Matcher(before.topics), T0)
        store.save_poll(state(), [NewArticle(i, "src-a", "Source A", (), True) for i in unseen], T0)
    config = configured("bank OR banks")
    assert main(["--config", str(config), "rematch", "--dry-run"]) == 0
    listed = sorted(line.split("  ")[-1].strip() for line in
                    capsys.readouterr().out.splitlines() if " bank  " in line)  # fmt: skip
    with Store.open(database_url) as store:
        dry_run_saved = store.learned()["bank"].trained
    assert main(["--config", str(config), "rematch", "--notify"]) == 0
    with Store.open(database_url) as store:
        stored = sorted(m.title for m in store.matches(limit=100))
        queued = store.queue_sizes()["deliveries_pending"]
        saved = store.learned()["bank"].trained
    settings = load_settings(config, {})
    workers = Workers(WorkerLimits(processes=1))
    try:
        with Store.open(database_url) as store:
            daemon = _pipeline(settings, store, workers, T0)
            asyncio.run(daemon.relearn())
            by_title = {d.id: d.title for d in UNSEEN}
            kept = sorted(by_title[k] for k in _kept(daemon, settings, UNSEEN))
    finally:
        workers.close()
    river = sorted(d.title for d in UNSEEN if d.title.startswith("River"))
    assert (kept, kept, kept, 10, T0, True) == (
        river, listed, stored, queued, dry_run_saved, saved > T0,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"id": "x", "topic": "nickel", "relevant": true}',
         "line 2: unknown keys 'relevant', 'topic' (expected: id, title, text, lang, topics, url,"
         ' published; a judgment is written "topics": {"topic-id": 1})'),
        ('{"id": "x", "topics": {"bank": 1}}',
         "line 2: no 'title' or 'text': the article's text is what the watchlist is matched"
         " against (grades alone can be neither scored nor learned from)"),
    ],
    ids=["another shape", "grades without the article"],
)  # fmt: skip
def test_feedback_file_line_of_another_shape_is_refused_as_eval_refuses_it(
    line: str, expected: str
) -> None:
    """Found by QA: ``feedback --import`` took ``{"topic": ..., "relevant": true}`` as an article
    judged for nothing ("imported 0 judgments", exit 0) where ``eval --labels`` refuses it."""
    first = json.dumps({"id": "1", "title": "t", "source": "corpus", "topics": {"bank": 1}})
    with pytest.raises(ValueError) as caught:
        read_feedback([first, line])
    assert expected == str(caught.value)


def test_cli_feedback_import_of_no_judgment_is_a_usage_error(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by QA: a file of another shape, or one that judges nothing, said "imported 0
    judgments" and exit 0; it is exit 2 naming the file and the line, or that it judges
    nothing."""
    run = ["--config", str(write_config(tmp_path, database_url)), "feedback", "--import"]
    shapes = {
        "shape": '{"id":"x","topic":"nickel","relevant":true}\n',
        "empty": "",
        "unlisted": '{"id": "x", "title": "Bank", "text": "bank"}\n\n',
    }
    results = []
    for name, text in shapes.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        results.append((main([*run, str(tmp_path / name)]), capsys.readouterr().err))
    tell = ': a line judges its article for the topics it lists, "topics": {"topic-id": 1}'
    assert [
        (2, f"input error: {tmp_path / 'shape'}: line 1: unknown keys 'relevant', 'topic'"
            " (expected: id, title, text, lang, topics, url, published; a judgment is written"
            ' "topics": {"topic-id": 1})\n'),
        (2, f"input error: {tmp_path / 'empty'}: no judgment in it (0 articles){tell} (0: not"
            " relevant)\n"),
        (2, f"input error: {tmp_path / 'unlisted'}: no judgment in it (1 articles){tell} (0: not"
            " relevant)\n"),
    ] == results  # fmt: skip


def test_cli_feedback_import_reads_a_bom_and_standard_input(
    tmp_path: Path,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Found by QA: a feedback file saved with a UTF-8 byte order mark (Windows editors) was
    "not JSON: Unexpected UTF-8 BOM", and ``--import -`` looked for a file named ``-``
    (``--export -`` writes standard output)."""
    run = ["--config", str(write_config(tmp_path, database_url)), "feedback", "--import"]
    line = json.dumps({"id": "a", "title": "Bank", "text": "bank", "topics": {"bank": 1}})
    (tmp_path / "bom.jsonl").write_bytes(b"\xef\xbb\xbf" + line.encode() + b"\n")
    with Store.open(database_url):  # migrated
        pass
    from_file = main([*run, str(tmp_path / "bom.jsonl")])
    said = capsys.readouterr().out
    stdin = io.TextIOWrapper(io.BytesIO(b"\xef\xbb\xbf" + line.replace('"a"', '"b"').encode()))
    monkeypatch.setattr("sys.stdin", stdin)
    from_stdin = main([*run, "-"])
    with Store.open(database_url) as store:
        ids = sorted(doc.id for doc, _ in store.judgments("bank"))
    expected = (0, "imported 1 judgments of 1 articles\n", 0, ["a", "b"])
    assert expected == (from_file, said, from_stdin, ids)
    assert not stdin.closed  # the process's standard input is left open
