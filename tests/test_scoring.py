"""Aboutness scoring: monotonicity on made-up texts, specificity from the shipped background,
and the calibration cases the default threshold is set by (README, "Scores and thresholds")."""

from __future__ import annotations

import pytest

from monitor.errors import ConfigError
from monitor.match import DEFAULT_THRESHOLD, Matcher
from monitor.match._view import Segments
from monitor.match.specificity import NEUTRAL, background, read_background
from monitor.types import Document, Topic

#: a sentence about nothing the topics ask for
FILLER = "The city council discussed the budget for parks and roads on Tuesday."


def paragraphs(count: int, sentences: int = 3) -> str:
    return "\n".join(" ".join([FILLER] * sentences) for _ in range(count))


def score(query: str, title: str, text: str = "", lang: str | None = "en", neutral=False) -> float:
    topic = Topic("t", "t", query, 0.0, expand=False)
    matcher = Matcher([topic], background=NEUTRAL if neutral else None)
    found = matcher.scores(Document("d", title, text, lang))
    return found.get("t", 0.0)


def test_headline_beats_lead_beats_deep_body() -> None:
    """The same mention weighs most in the headline, then in the lead, least deep in the body."""
    body = paragraphs(6)
    headline = score("Natuna", "Natuna patrol report", body)
    lead = score("Natuna", "Patrol report", "Natuna patrols grew.\n" + body)
    deep = score("Natuna", "Patrol report", body + "\nNatuna patrols grew.")
    assert headline > lead > deep > 0


def test_close_and_parts_beat_scattered_ones() -> None:
    """AND parts in one sentence beat the same parts in one paragraph, which beat them apart."""
    query = "smuggling AND Natuna"
    same_sentence = f"{FILLER}\nSmuggling boats were seen off Natuna. {FILLER}\n{FILLER}"
    same_paragraph = f"{FILLER}\nSmuggling boats were seen. {FILLER} Off Natuna.\n{FILLER}"
    apart = f"Smuggling boats were seen. {FILLER}\n{FILLER}\n{FILLER} Off Natuna."
    scores = [
        score(query, "Report", text, neutral=True)
        for text in (same_sentence, same_paragraph, apart)
    ]
    assert scores[0] > scores[1] > scores[2] > 0


def test_a_rare_name_outweighs_a_common_word() -> None:
    """With the shipped background, a rare name weighs more than a common word in one place."""
    shipped = background()
    common = [shipped.specificity((w,), "en") for w in ("drug", "fire", "meeting")]
    rare = shipped.specificity(("jemaah", "islamiyah"), "en")
    title = "Police {} raid in Jakarta"
    assert (rare == 1.0, max(common) < rare) == (True, True)
    assert score("Jemaah", title.format("Jemaah")) > score("meeting", title.format("meeting"))


def test_a_short_text_centred_on_the_topic_beats_a_long_one_mentioning_it_once() -> None:
    """Length normalisation: one mention among many paragraphs counts less."""
    short = score("Natuna", "Report", "Natuna patrols grew this year.\n" + paragraphs(1))
    long = score("Natuna", "Report", "Natuna patrols grew this year.\n" + paragraphs(12))
    assert short > long > 0


def test_a_text_without_line_breaks_still_has_parts() -> None:
    """A 600-word body in one line counts as several blocks: one late mention is not coverage."""
    flat = " ".join([FILLER] * 50)
    assert score("Natuna", "Report", f"{flat} Natuna.") < score("Natuna", "Report", "Natuna.")


def test_vietnamese_depth_is_counted_in_words_of_meaning() -> None:
    """Vietnamese writes each syllable as a word: a mention 90 syllables in is as deep as one
    60 words into an English text, and a 150-syllable paragraph is one block, not two."""
    english = score("Natuna", "Report", " ".join(["word"] * 60) + " Natuna", neutral=True)
    vietnamese = " ".join(["tiếng"] * 90) + " Natuna"
    assert english == pytest.approx(score("Natuna", "Report", vietnamese, "vi", neutral=True))
    assert Segments(" ".join(["tiếng"] * 150), scale=1.5).blocks == 1


@pytest.mark.parametrize(
    ("title", "text", "passes"),
    [
        # every part in the headline
        ("Police seize drugs at port", "", True),
        # one part in the headline, the other in the lead
        (
            "Police arrest three at port",
            "Officers seized 20 kg of drugs, police said.\n" + paragraphs(2),
            True,
        ),
        # both parts in the lead sentence
        ("Port news", "Police seized drugs hidden in a container.\n" + paragraphs(3), True),
        # one passing mention of each, deep in a long body
        (
            "City budget approved",
            paragraphs(4) + "\nIn other news police found drugs.\n" + paragraphs(4),
            False,
        ),
        # mentioned once each, in different paragraphs
        (
            "City budget approved",
            "Police were present. "
            + FILLER
            + "\n"
            + paragraphs(2)
            + "\nA drugs charity spoke.\n"
            + paragraphs(1),
            False,
        ),
    ],
)
def test_the_default_threshold_separates_the_calibration_cases(
    title: str, text: str, passes: bool
) -> None:
    """Untuned ``drugs AND police``: central mentions pass the default, passing ones do not."""
    assert passes == (score("drugs AND police", title, text) >= DEFAULT_THRESHOLD)


def test_scores_stay_in_the_unit_interval() -> None:
    """Many headline and body mentions of rare words saturate at most at 1."""
    text = "\n".join(["Natuna Natuna Natuna."] * 20)
    assert 0.0 < score("Natuna", "Natuna Natuna", text) <= 1.0


def test_unknown_language_uses_the_pooled_table() -> None:
    """A text of no known language reads the table of every language together (``*``)."""
    table = read_background(["#docs\t*\t100", "#docs\ten\t10", "*\tpolice\t50", "en\tpolice\t1"])
    expected = (table.idf("police", None), table.idf("police", "de"))
    assert expected == (table.idf("police", "*"), table.idf("police", "*"))


def test_one_word_satisfying_two_and_parts_is_one_piece_of_evidence() -> None:
    """A word that both ANDed parts accept counts half in each: less than two words."""
    one_word = score("BNN AND (BNN OR police)", "BNN report", neutral=True)
    two_words = score("BNN AND (BNN OR police)", "BNN police report", neutral=True)
    assert two_words > one_word > 0


def test_words_two_terms_find_are_one_piece_of_evidence() -> None:
    """``nuclear OR "nuclear weapons"`` finds the words "nuclear weapons" twice, once per term:
    they count once, as the longer occurrence (it was a passing mention counted double, above
    the threshold, where either term alone stayed under it)."""
    title, text = "Province passes budget", f"{paragraphs(2)}\nNobody wants nuclear weapons used."
    both = score('nuclear OR "nuclear weapons"', title, text)
    assert both == score('"nuclear weapons"', title, text)
    assert both < DEFAULT_THRESHOLD
    # a mention apart from the phrase is evidence of its own
    apart = f"{text} Nuclear plants are safe."
    assert score('nuclear OR "nuclear weapons"', title, apart) > score(
        '"nuclear weapons"', title, apart
    )


def test_a_malformed_background_line_is_named() -> None:
    """A table line without three tab-separated fields is refused with its number."""
    with pytest.raises(ConfigError, match="table:2: expected three tab-separated fields"):
        read_background(["#docs\ten\t10", "en police 3"], "table")


def test_sentences_and_paragraphs_are_found_in_word_positions() -> None:
    """Lines are paragraphs; . ! ? end sentences; a long line counts as several blocks."""
    segments = Segments("One two. Three four!\n\n" + " ".join(["w"] * 250) + "\nlast words")
    expected = ((0, 0), (0, 1), (1, 0), 1, 2, 5)
    assert expected == (
        segments.sentence(1),
        segments.sentence(2),
        segments.sentence(4),
        segments.paragraph(200),
        segments.paragraph(254),
        segments.blocks,
    )
