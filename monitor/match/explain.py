"""``monitor explain``: a topic's expanded query and how it scores one document, as text.

Owns: the wording and layout of an explanation. Pure: an ``Explanation`` in, text out.
Does not own: computing it (``Matcher.explain``), reading the document (``monitor.cli``).
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

from monitor.match.engine import Explanation
from monitor.match.expand import Expansion
from monitor.match.scoring import COVERAGE_FLOOR, Aboutness
from monitor.types import Hit

#: forms shown per expanded term before "... and N more"
MAX_FORMS = 40


def render_explanation(explanation: Explanation, *, scored: bool = True) -> str:
    """The topic, its query, what each term expands to, and (``scored``) the document's result."""
    topic = explanation.topic
    lines = [
        f"topic:     {topic.id} ({topic.name})",
        f"query:     {' '.join(topic.query.split())}",
        f"threshold: {compared(0.0, topic.threshold)[1]}",
        f"expansion: {'on' if topic.expand else 'off (expand: false)'}",
    ]
    if explanation.expansions:
        lines.append("expanded terms (the term as written -> lexicon concepts: forms):")
        lines += [f"  {_expansion(e)}" for e in explanation.expansions]
    elif topic.expand:
        lines.append("expanded terms: none of the query's terms is in the lexicon")
    if scored:
        lines += ["", *_result(explanation)]
    return "\n".join(lines)


def compared(score: float, threshold: float) -> tuple[str, str]:
    """``score`` and ``threshold`` as figures that compare as the numbers do. The threshold has
    every decimal it has (at least 2), the score as many or 3; a score below the threshold is
    rounded down: 0.1996 under 0.20 shows as 0.199, not as 0.200, which reads as a match. At or
    above it, rounding cannot cross it (the threshold has no more decimals than shown)."""
    shown = Decimal(repr(threshold))
    places = max(2, -int(shown.normalize().as_tuple().exponent))
    digits = Decimal(1).scaleb(-max(3, places))
    rounding = ROUND_FLOOR if score < threshold else ROUND_HALF_EVEN
    figure = Decimal(repr(score)).quantize(digits, rounding=rounding)
    return str(figure), str(shown.quantize(Decimal(1).scaleb(-places)))


def _expansion(expansion: Expansion) -> str:
    shown = [
        f.text + (f" [{f.lang}]" if f.lang else "") + (f" ({f.guard})" if f.guard else "")
        for f in expansion.forms[:MAX_FORMS]
    ]
    more = len(expansion.forms) - len(shown)
    tail = f" ... and {more} more" if more > 0 else ""
    source = ", ".join(expansion.concepts) or "its English forms"
    return f"{expansion.label} -> {source}: {', '.join(shown)}{tail}"


def _fired(hit: Hit) -> str:
    """``→ России`` where the document's words are not the term as written."""
    return f"\u2192 {hit.matched}" if hit.expanded else hit.matched


def _components(about: Aboutness) -> str:
    """The score's parts: evidence (each ANDed part's strength) x cohesion x coverage factor."""
    parts = ", ".join(f"{p:.2f}" for p in about.parts)
    factor = COVERAGE_FLOOR + (1.0 - COVERAGE_FLOOR) * about.coverage
    return (
        f"score:     evidence {about.evidence:.3f} (parts: {parts}) x cohesion "
        f"{about.cohesion:.2f} x coverage {factor:.2f} ({about.coverage:.0%} of the text)"
    )


def _result(explanation: Explanation) -> list[str]:
    result = explanation.result
    if not result.satisfied:
        verdict = "no match: the query is not satisfied"
    else:
        score, threshold = compared(result.score, result.threshold)
        verdict = (
            f"MATCH: score {score} >= threshold {threshold}"
            if explanation.matched
            else f"no match: score {score} < threshold {threshold}"
        )
    language = explanation.lang or "unknown (the forms of every language count)"
    lines = [f"language:  {language}", f"result:    {verdict}"]
    if result.aboutness is not None:
        lines.append(_components(result.aboutness))
    if not result.hits:
        return [*lines, "hits:      none of the query's terms occurs"]
    if explanation.missing:
        lines.append("not met:   " + "; ".join(explanation.missing))
    label = "hits:" if result.satisfied else "terms that occur (the query still fails):"
    lines.append(label)
    rows = [["field", "word", "term", "matched", "lexicon form", "weight"]]  # place x specificity
    rows += [
        [h.field, str(h.position), h.term, _fired(h), h.form, f"{h.weight:.3f}"]
        for h in result.hits
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines += ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
              for r in rows]  # fmt: skip
    return lines
