"""Inter-assessor agreement on the judged sets (stdlib only).

Owns: comparing the first assessor's grades with the second assessor's blind grades,
per topic, on relevant (grade >= 1) versus not relevant. Does not own adjudication
(see adjudication.md) or any matcher evaluation.

Usage: python3 agreement.py [a|b|c|d|e|f|g|h|i|j|k|l|m ...]   (default: all sets)

The first assessor's grades are read from first-<set>.jsonl (written at adjudication);
before adjudication they are the `topics` field of judgments-<set>.jsonl. The second
assessor's grades are in second-<set>.jsonl. Articles are matched by id.
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOPICS = {
    "a": ("elections", "maritime-crime", "epidemics"),
    "b": ("labour-migration", "energy-prices", "cybercrime"),
    "c": ("transport-accidents", "wildlife-trafficking", "food-prices", "haze-forest-fires"),
    "d": (
        "floods-landslides",
        "trade-tariffs",
        "corruption-cases",
        "protests-strikes",
        "military-exercises-procurement",
    ),
    "e": ("gaza-war", "ukraine-war", "central-bank-rates", "space-launches", "hajj-umrah"),
    "f": ("football", "education-policy", "tourism", "artificial-intelligence", "homicide"),
    "g": ("health-care", "climate-change", "film-music", "monarchy", "public-finance"),
    "h": ("sports", "religion", "fires-explosions", "stock-markets", "housing-property"),
    "i": ("courts-trials", "us-politics", "celebrities", "road-traffic", "weather"),
    "j": (
        "diplomacy-visits",
        "banking-finance",
        "agriculture",
        "infrastructure-projects",
        "indonesia-politics",
    ),
    "k": (
        "china-relations",
        "malaysia-politics",
        "culture-heritage",
        "automotive",
        "child-welfare",
    ),
    "l": (
        "vietnam-politics",
        "russia-politics",
        "obituaries",
        "thailand-politics",
        "local-government",
    ),
    "m": (
        "consumer-tech",
        "crime-policing",
        "corporate-business",
        "gender-women",
        "jobs-employment",
    ),
}


def load_grades(path: Path) -> dict[str, dict[str, int]]:
    """Map article id -> {topic: grade} (absent topic = 0)."""
    grades = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                grades[row["id"]] = row.get("topics", {})
    return grades


def first_path(name: str) -> Path:
    # After adjudication judgments-<set>.jsonl holds the final grades, so the
    # first assessor's originals live in first-<set>.jsonl.
    first = HERE / f"first-{name}.jsonl"
    return first if first.exists() else HERE / f"judgments-{name}.jsonl"


def kappa(both: int, only_a: int, only_b: int, neither: int) -> float:
    """Cohen's kappa for two raters on a binary label."""
    n = both + only_a + only_b + neither
    observed = (both + neither) / n
    p_a = (both + only_a) / n
    p_b = (both + only_b) / n
    expected = p_a * p_b + (1 - p_a) * (1 - p_b)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def topic_row(topic: str, ids, first, second) -> str:
    both = only_first = only_second = neither = exact = 0
    for i in ids:
        g1, g2 = first[i].get(topic, 0), second[i].get(topic, 0)
        exact += g1 == g2
        if g1 and g2:
            both += 1
        elif g1:
            only_first += 1
        elif g2:
            only_second += 1
        else:
            neither += 1
    k = kappa(both, only_first, only_second, neither)
    return (
        f"| `{topic}` | {both} | {only_first} | {only_second} | {neither} | "
        f"{k:.2f} | {exact}/{len(ids)} |"
    )


def report(name: str) -> None:
    first = load_grades(first_path(name))
    second = load_grades(HERE / f"second-{name}.jsonl")
    ids = [i for i in first if i in second]
    print(f"\nSet {name}: {len(ids)} articles judged by both assessors")
    print("| topic | both relevant | only first | only second | neither | kappa | same grade |")
    print("|---|---|---|---|---|---|---|")
    for topic in TOPICS[name]:
        print(topic_row(topic, ids, first, second))


def main(argv: list[str]) -> None:
    for name in argv or list(TOPICS):
        report(name)


if __name__ == "__main__":
    main(sys.argv[1:])
