"""Pool candidates for judged set "e" (gaza-war, ukraine-war, central-bank-rates, space-launches,
hajj-umrah).

Owns: the broad multilingual keyword probes, the random sample and the pool file written for
judging. Not: judging (done by reading) nor scoring any watchlist. Stdlib only; deterministic.

The method of ``pool_d.py``, unchanged but for the probes, the seed and the sets left out
(a, b, c and d, so the five sets are disjoint): probes run over what the assessor reads (the
title and the first 1,500 characters), each a case-insensitive regular expression anchored at a
word start. Per topic, candidates are ranked by how many distinct probes hit them (a title hit
counts double); if more than CAP match, the top HALF_CAP by rank are kept and the rest of the
cap is filled by a seeded random sample of the remaining hits. Then, per topic and language, the
best-ranked remaining hits of that language are added until LANG_FLOOR are pooled. A seeded
random sample of the corpus is added. The texts are NFC-normalised before probing.

Stage 2, in the same run and before anything was read: for each topic, every text not pooled by
stage 1 in which one of the topic's STRONG probes (narrow, topic-specific words) is in the title
or occurs at least twice in the read text. The rule uses probes only.

Usage: python3 benchmarks/judged/pool_e.py [--out /tmp/pool-e.jsonl]
"""

import argparse
import json
import random
import re
import unicodedata
from collections import Counter
from pathlib import Path

CORPUS = Path("/work/shared/corpus/texts")
FILES = ("news_pool.jsonl", "news_pool_extra.jsonl")
HERE = Path(__file__).resolve().parent
JUDGED = tuple(f"judgments-{name}.jsonl" for name in "abcd")
READ_CHARS = 1500
SEED = 5
RANDOM_SAMPLE = 80
CAP = 66
HALF_CAP = 44
LANG_FLOOR = 8

# Broad probes: far wider than the watchlists (every surface form an assessor would look at).
PROBES = {
    "gaza-war": (
        "Gaza, Hamas, Israel, Palestin, Rafah, West Bank, hostage, ceasefire, UNRWA, Hezbollah, "
        "Houthi, Red Sea, Middle East, Zionis, genosida, genocide, Tebing Barat, Tepi Barat, "
        "gencatan senjata, sandera, Yahudi, Al-Aqsa, Timur Tengah, Asia Barat, "
        "Dải Gaza, Israel, Palestine, ngừng bắn, con tin, Trung Đông, Bờ Tây, "
        "сектор\\w* Газ, ХАМАС, Хамас, Израил, израильск, Палестин, палестинск, перемири, "
        "заложник, Хезболл, Ближн\\w* Восток"
    ),
    "ukraine-war": (
        "Ukrain, Ukraina, Zelensk, Kyiv, Kiev, Donbas, Donetsk, Luhansk, Crimea, Krimea, "
        "Russia, Rusia, Putin, invasion, invasi, peace talk, ceasefire, NATO, Kharkiv, Kursk, "
        "Nga\\b, Ukraine, chiến sự, xung đột, Điện Kremlin, "
        "Украин, ВСУ\\b, СВО\\b, спецоперац, Донбасс, Донецк, Луганск, ДНР\\b, ЛНР\\b, "
        "Крым, Зеленск, Киев, Порошенк, санкц, НАТО, Майдан"
    ),
    "central-bank-rates": (
        "interest rate, rate cut, rate hike, central bank, Federal Reserve, Fed\\b, monetary, "
        "exchange rate, currency, devaluat, inflation, yield, bond, dollar, rupiah, ringgit, "
        "rouble, ruble, yuan, ECB, suku bunga, BI-Rate, BI Rate, Bank Indonesia, moneter, "
        "nilai tukar, kurs, kadar faedah, kadar dasar, OPR\\b, Bank Negara, monetari, mata wang, "
        "lãi suất, tỷ giá, Ngân hàng Nhà nước, tiền tệ, đồng USD, lạm phát, "
        "ставк, Центробанк, ЦБ\\b, Банк России, курс, рубл, доллар, девальвац, инфляц"
    ),
    "space-launches": (
        "rocket, launch, satellite, spacecraft, astronaut, NASA, SpaceX, space, orbit, lunar, "
        "moon, Mars, cosmonaut, Starlink, roket, peluncuran, satelit, antariksa, astronot, "
        "luar angkasa, BRIN, LAPAN, orbit, bulan, angkasa, angkasawan, "
        "vệ tinh, vũ trụ, phi hành gia, tên lửa, tàu, quỹ đạo, Mặt Trăng, "
        "космо, ракет, спутник, Роскосмос, МКС, космонавт, Байконур, Восточн, орбит, Лун"
    ),
    "hajj-umrah": (
        "hajj, haj\\b, umrah, pilgrim, Mecca, Makkah, Medina, Madinah, Saudi, Arafah, Mina\\b, "
        "haji, umroh, jemaah, jamaah, kuota, BPIH, Bipih, BPKH, Tabung Haji, Mekah, Makkah, "
        "Kementerian Agama, Kemenag, Arab Saudi, embarkasi, "
        "hành hương, thánh địa, Ả Rập Xê Út, "
        "хадж, паломни, Мекк, Саудовск"
    ),
}

# Stage 2: narrow probes; an unpooled text with one in its title or two in its read text is added.
STRONG = {
    "gaza-war": r"Gaza|Hamas|Rafah|UNRWA|gencatan senjata|Dải Gaza|сектор\w* Газ|ХАМАС|Хамас",
    "ukraine-war": (
        r"war in Ukraine|Ukraine war|Russia-Ukraine|Rusia-Ukraina|Nga-Ukraine|Nga - Ukraine|"
        r"Zelensk|Donbas|Crimea|Krimea|ВСУ\b|СВО\b|спецоперац|Донбасс|ДНР\b|ЛНР\b|Зеленск|Крым|"
        r"конфликт\w* на Украин|войн\w* на Украин|украинск\w* кризис"
    ),
    "central-bank-rates": (
        r"interest rate|rate cut|rate hike|central bank|Federal Reserve|suku bunga|BI-Rate|"
        r"nilai tukar|kadar faedah|OPR\b|lãi suất|tỷ giá|ключев\w* ставк|курс рубл|Центробанк"
    ),
    "space-launches": (
        r"satellite|spacecraft|astronaut|cosmonaut|rocket launch|satelit|antariksa|astronot|"
        r"angkasawan|vệ tinh|phi hành gia|tàu vũ trụ|космонавт|космическ|спутник|Роскосмос|МКС"
    ),
    "hajj-umrah": r"hajj|umrah|umroh|jemaah haji|ibadah haji|kuota haji|haji 20\d\d|хадж|паломни",
}


def load() -> list[dict]:
    rows = []
    for name in FILES:
        with open(CORPUS / name, encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                row["file"] = name
                for key in ("title", "text"):
                    row[key] = unicodedata.normalize("NFC", row.get(key) or "")
                rows.append(row)
    return rows


def judged_ids() -> set[str]:
    ids = set()
    for name in JUDGED:
        with open(HERE / name, encoding="utf-8") as f:
            ids |= {json.loads(line)["id"] for line in f if line.strip()}
    return ids


def compile_probes() -> dict[str, list[tuple[str, re.Pattern]]]:
    return {
        topic: [(p, re.compile(r"(?<!\w)" + p, re.IGNORECASE)) for p in probes.split(", ")]
        for topic, probes in PROBES.items()
    }


def _read(row: dict) -> str:
    """What the assessor reads: the title and the first READ_CHARS characters."""
    return (row.get("title") or "") + " " + (row.get("text") or "")[:READ_CHARS]


def rank(row: dict, probes: list[tuple[str, re.Pattern]]) -> tuple[int, list[str]]:
    title = row.get("title") or ""
    body = (row.get("text") or "")[:READ_CHARS]
    score, hit = 0, []
    for name, rx in probes:
        in_title = bool(rx.search(title))
        if in_title or rx.search(body):
            hit.append(name)
            score += 2 if in_title else 1
    return score, hit


def top_up_languages(
    hits: list[tuple[int, str]], lang_of: dict[str, str], pooled: set[str]
) -> list[str]:
    """The best-ranked unpooled hits of each language, up to LANG_FLOOR pooled."""
    by_lang: dict[str, list[tuple[int, str]]] = {}
    for h in hits:
        by_lang.setdefault(lang_of[h[1]], []).append(h)
    added = []
    for _lang, lang_hits in sorted(by_lang.items()):
        have = sum(1 for _, rid in lang_hits if rid in pooled)
        rest = [h for h in lang_hits if h[1] not in pooled]
        added += [rid for _, rid in rest[: max(0, LANG_FLOOR - have)]]
    return added


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/tmp/pool-e.jsonl")
    args = ap.parse_args()
    skip = judged_ids()
    rows = [r for r in load() if r["id"] not in skip and r["lang"] != "th"]
    lang_of = {r["id"]: r["lang"] for r in rows}
    probes = compile_probes()
    rng = random.Random(SEED)
    chosen: dict[str, set[str]] = {}
    report = []
    for topic, plist in probes.items():
        per_probe: Counter = Counter()
        hits = []
        for row in rows:
            score, hit = rank(row, plist)
            if hit:
                hits.append((score, row["id"]))
                per_probe.update(hit)
        hits.sort(key=lambda h: (-h[0], h[1]))
        picked = hits
        if len(hits) > CAP:
            picked = hits[:HALF_CAP] + rng.sample(hits[HALF_CAP:], CAP - HALF_CAP)
        ids = {rid for _, rid in picked}
        floor = top_up_languages(hits, lang_of, ids)
        for rid in ids:
            chosen.setdefault(rid, set()).add("probe:" + topic)
        for rid in floor:
            chosen.setdefault(rid, set()).add("floor:" + topic)
        floor_langs = dict(sorted(Counter(lang_of[r] for r in floor).items()))
        report.append((topic, len(hits), len(picked), floor_langs, per_probe))
    for rid in rng.sample(sorted(lang_of), RANDOM_SAMPLE):
        chosen.setdefault(rid, set()).add("random")
    stage1 = set(chosen)
    stage2_report = []
    for topic, pattern in STRONG.items():
        rx = re.compile(r"(?<!\w)(?:" + pattern + ")", re.IGNORECASE)
        added = [
            r["id"]
            for r in rows
            if r["id"] not in stage1 and (rx.search(r["title"]) or len(rx.findall(_read(r))) >= 2)
        ]
        for rid in added:
            chosen.setdefault(rid, set()).add("stage2:" + topic)
        stage2_report.append((topic, dict(sorted(Counter(lang_of[r] for r in added).items()))))
    by_id = {r["id"]: r for r in rows}
    with open(args.out, "w", encoding="utf-8") as f:
        for rid in sorted(chosen):
            r = by_id[rid]
            out = {
                "id": rid,
                "lang": r["lang"],
                "title": r.get("title") or "",
                "text": (r.get("text") or "")[:READ_CHARS],
                "url": r.get("url") or "",
                "published": r.get("date") or "",
                "file": r["file"],
                "pooled_by": sorted(chosen[rid]),
                "stage": 1 if rid in stage1 else 2,
            }
            f.write(json.dumps(out, ensure_ascii=False) + "\n")
    print(f"excluded (already judged in a/b/c/d): {len(skip)}; corpus left: {len(rows)}")
    for topic, n_hits, n_picked, floor_langs, per_probe in report:
        print(f"## {topic}: {n_hits} hits, {n_picked} pooled, language floor added {floor_langs}")
        for name, _ in probes[topic]:
            print(f"  {per_probe[name]:5d}  {name}")
    for topic, added_langs in stage2_report:
        print(f"## {topic}: stage 2 added {sum(added_langs.values())} {added_langs}")
    langs = dict(sorted(Counter(by_id[rid]["lang"] for rid in chosen).items()))
    print(f"pool: {len(chosen)} articles; random sample {RANDOM_SAMPLE}; by language {langs}")


if __name__ == "__main__":
    main()
