"""How often our titles and dates agree with the ground truth of the article corpus sets.

    .venv/bin/python benchmarks/extract_meta_eval.py [-v] [/work/shared/corpus/articles]

``-v`` names every page whose title or date disagrees.

Sets and their ground truth (see ``articles/SOURCES.md``): fundus (``title``,
``publishing_date``; publishers with one page), mozilla-readability (``expected-metadata.json``:
``title``, ``publishedTime``), newspaper4k (``metadata/*.json``: ``title``, ``publish_date``),
goose3 (``expected.title``), trafilatura (``title``, ``date`` where annotated).

Title agreement: equal after case-folding, unifying quotes and collapsing whitespace.
Date agreement: with a ground-truth time and zone, the same instant within 2 minutes; with a
ground-truth day only, the same day (in UTC, +-1 day: the ground truth's zone is unknown).
"Wrong" counts pages where we give a date that disagrees (worse than giving none).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.extract import extract_article
from monitor.types import Article

CORPUS = Path("/work/shared/corpus/articles")


@dataclass(frozen=True)
class Case:
    set: str
    name: str
    path: Path
    url: str
    title: str | None
    date: str | None


def read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def fundus(corpus: Path) -> Iterator[Case]:
    for country in sorted((corpus / "fundus").iterdir()):
        info = json.loads((country / "meta.info").read_text())
        for truth in sorted(country.glob("*.json")):
            pages = sorted(country.glob(f"{truth.stem}_*.html.gz"))
            if len(pages) != 1:
                continue  # several pages share versioned ground truth: pairing is unclear
            versions = json.loads(truth.read_text())
            gt = versions[sorted(versions)[-1]]
            url = info.get(pages[0].name, {}).get("url", "http://example.com/")
            yield Case(
                "fundus", pages[0].name, pages[0], url, gt.get("title"), gt.get("publishing_date")
            )


def readability(corpus: Path) -> Iterator[Case]:
    for folder in sorted((corpus / "mozilla-readability").iterdir()):
        meta_file = folder / "expected-metadata.json"
        if not meta_file.exists():
            continue
        gt = json.loads(meta_file.read_text())
        yield Case(
            "readability", folder.name, folder / "source.html.gz", "http://fakehost/test/",
            gt.get("title"), gt.get("publishedTime"),
        )  # fmt: skip


def newspaper4k(corpus: Path) -> Iterator[Case]:
    base = corpus / "newspaper4k"
    for meta_file in sorted((base / "metadata").glob("*.json")):
        page = base / "html" / f"{meta_file.stem}.html.gz"
        if not page.exists():
            continue
        gt = json.loads(meta_file.read_text())
        date = gt.get("publish_date")
        yield Case(
            "newspaper4k", page.name, page, gt.get("url") or "http://example.com/",
            gt.get("title"), date if date and date != "None" else None,
        )  # fmt: skip


def goose3(corpus: Path) -> Iterator[Case]:
    for truth in sorted((corpus / "goose3" / "content").glob("*.json")):
        page = truth.with_suffix(".html.gz")
        if page.exists():
            gt = json.loads(truth.read_text())
            yield Case("goose3", page.name, page, gt.get("url") or "", gt["expected"].get("title"),
                       None)  # fmt: skip


def trafilatura_set(corpus: Path) -> Iterator[Case]:
    base = corpus / "trafilatura"
    for url, gt in json.loads((base / "evaldata_subset.json").read_text()).items():
        page = base / "html" / (gt["file"] + ".gz")
        if page.exists() and (gt.get("title") or gt.get("date")):
            yield Case("trafilatura", page.name, page, url, gt.get("title"), gt.get("date"))


SETS = (fundus, readability, newspaper4k, goose3, trafilatura_set)


def norm_title(title: str) -> str:
    text = unicodedata.normalize("NFKC", title).casefold()
    text = re.sub(r"[‘’`´]", "'", re.sub(r"[“”„«»]", '"', text))
    return " ".join(text.split()).strip(" .")


def title_agrees(ours: str, truth: str) -> bool:
    return norm_title(ours) == norm_title(truth)


def date_agrees(ours: datetime, truth: str) -> bool:
    raw = truth.strip().replace(" ", "T", 1)
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return False
    has_time = "T" in raw and not raw.endswith("T00:00:00")
    if value.tzinfo is not None and has_time:
        return abs(ours - value.astimezone(UTC)) <= timedelta(minutes=2)
    return abs((ours.date() - value.date()).days) <= 1


@dataclass
class Tally:
    pages: int = 0
    titles: int = 0
    titles_ok: int = 0
    dates: int = 0
    dates_ok: int = 0
    dates_missing: int = 0
    dates_wrong: int = 0

    def add(self, case: Case, article: Article) -> None:
        self.pages += 1
        if case.title:
            self.titles += 1
            self.titles_ok += title_agrees(article.title, case.title)
        if case.date:
            self.dates += 1
            if article.published is None:
                self.dates_missing += 1
            elif date_agrees(article.published, case.date):
                self.dates_ok += 1
            else:
                self.dates_wrong += 1


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=CORPUS, help="articles folder")
    parser.add_argument("-v", "--verbose", action="store_true", help="name each disagreement")
    args = parser.parse_args(argv)
    verbose = args.verbose
    total = Tally()
    start = time.perf_counter()
    for make in SETS:
        tally = Tally()
        for case in make(args.corpus):
            article = extract_article(read(case.path), case.url)
            tally.add(case, article)
            if verbose and case.title and not title_agrees(article.title, case.title):
                print(f"  title {case.set}/{case.name}: {article.title!r} != {case.title!r}")
            if (
                verbose
                and case.date
                and article.published
                and not date_agrees(article.published, case.date)
            ):
                print(f"  date {case.set}/{case.name}: {article.published} ({article.date_source})"
                      f" != {case.date}")  # fmt: skip
        report(make.__name__, tally)
        for name in vars(total):
            setattr(total, name, getattr(total, name) + getattr(tally, name))
    report("all", total)
    print(f"{total.pages} pages in {time.perf_counter() - start:.1f}s")


def report(name: str, t: Tally) -> None:
    def share(a: int, b: int) -> str:
        return f"{a}/{b} ({a / b:.0%})" if b else "-"

    print(
        f"{name:16} pages {t.pages:4}  titles agree {share(t.titles_ok, t.titles):16}"
        f"  dates agree {share(t.dates_ok, t.dates):14} missing {t.dates_missing:3}"
        f" wrong {t.dates_wrong:3}"
    )


if __name__ == "__main__":
    main()
