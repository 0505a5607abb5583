"""Pool candidates for judged set "c" (transport-accidents, wildlife-trafficking, food-prices,
haze-forest-fires).

Owns: the broad multilingual keyword probes, the random sample and the pool file written for
judging. Not: judging (done by reading) nor scoring any watchlist. Stdlib only; deterministic.

Probes run over what the assessor reads: the title and the first 1,500 characters of the text.
Each probe is a case-insensitive regular expression anchored at a word start. Articles already
judged in set a or b (judgments-a/b.jsonl) are left out, so the three sets are disjoint. Per
topic, the candidates are ranked by how many distinct probes hit them (a hit in the title counts
double); if more than CAP match, the top HALF_CAP by rank are kept and the rest of the cap is
filled by a seeded random sample of the remaining hits, so weak single-probe hits are still
represented. Then, per topic and language, if fewer than LANG_FLOOR hits of that language were
pooled, the best-ranked remaining hits of that language are added (set b needed this as a second
stage; here it is part of the one pass). A seeded random sample of the corpus is added last.

Stage 2 (added after stage 1's 487 articles were judged, because the caps had left strong hits
of some topics unjudged): for each topic, every text hit by one of its STRONG probes (narrow,
topic-specific phrases) that stage 1 did not pool is added. The rule uses probes only, never
judgments, and leaves stage 1 unchanged (same seed order; `"stage"` in the pool file). For
wildlife-trafficking it adds nothing: all 8 strong hits in the corpus were already pooled.

Usage: python3 benchmarks/judged/pool_c.py [--out /tmp/pool-c.jsonl]
"""

import argparse
import json
import random
import re
from collections import Counter
from pathlib import Path

CORPUS = Path("/work/shared/corpus/texts")
FILES = ("news_pool.jsonl", "news_pool_extra.jsonl")
HERE = Path(__file__).resolve().parent
JUDGED = ("judgments-a.jsonl", "judgments-b.jsonl")
READ_CHARS = 1500
SEED = 3
RANDOM_SAMPLE = 100
CAP = 90
HALF_CAP = 60
LANG_FLOOR = 12

# Broad probes: far wider than the watchlists (every surface form an assessor would look at).
PROBES = {
    "transport-accidents": (
        "crash, accident, collision, collided, capsiz, sank, sink, derail, shipwreck, plane, "
        "aircraft, helicopter, ferry, pile-up, NTSB, black box, emergency landing, "
        "kecelakaan, tabrakan, kapal tenggelam, tenggelam, terbalik, anjlok, pesawat, KNKT, "
        "Basarnas, SAR\\b, laka, kemalangan, nahas, terbabas, karam, bot\\b, feri, bas\\b, "
        "terhempas, maut, tai nạn, va chạm, lật, chìm, máy bay, trật bánh, tàu hỏa, xe khách, "
        "xe tải, đâm, tông, ДТП, авари, катастроф, крушени, разбил, затонул, столкнов, "
        "самолет, вертолет, поезд, автобус, погиб"
    ),
    "wildlife-trafficking": (
        "poach, wildlife, ivory, rhino, pangolin, tiger, elephant, orangutan, turtle, "
        "endangered, protected species, CITES, smuggl, trafficking, exotic, satwa, trenggiling, "
        "tenggiling, harimau, gajah, badak, penyu, burung, dilindungi, perburuan, pemburu, "
        "BKSDA, hidupan liar, PERHILITAN, haiwan, buaya, orang utan, động vật, hoang dã, tê tê, "
        "ngà, tê giác, hổ\\b, săn, quý hiếm, buôn lậu, браконьер, контрабанд, животн, тигр, "
        "слон, носорог, Красн\\w* книг, краснокниж, редк\\w* вид"
    ),
    "food-prices": (
        "food, rice, cooking oil, sugar, egg, chicken, chil, onion, flour, wheat, vegetable, "
        "inflation, price, shortage, pangan, beras, minyak goreng, gula, telur, ayam, cabai, "
        "cabe, bawang, daging, sembako, bahan pokok, Bulog, operasi pasar, inflasi, harga, "
        "minyak masak, cili, makanan, BERNAS, bekalan, Rahmah, gạo, giá, thực phẩm, lương thực, "
        "thịt, trứng, rau, đường\\b, lạm phát, цен, продукт, продовольств, хлеб, сахар, гречк, "
        "яйц, инфляц, дефицит"
    ),
    "haze-forest-fires": (
        "haze, fire, wildfire, bushfire, burn, smoke, hotspot, peat, smog, air quality, "
        "pollut, API\\b, kebakaran, karhutla, kabut, asap, titik panas, titik api, gambut, "
        "terbakar, pembakaran, jerebu, IPU\\b, pencemar, udara, cháy, khói, mù, đốt, "
        "không khí, ô nhiễm, пожар, горени, дым, смог, гар[иь], тлени, возгоран"
    ),
}


# Stage 2: narrow probes; every unpooled hit is added (see the module docstring).
STRONG = {
    "transport-accidents": (
        r"plane crash|air crash|kecelakaan pesawat|pesawat jatuh|kapal tenggelam|kapal terbalik|"
        r"nahas pesawat|bot karam|kapal karam|kereta anjlok|derail|tai nạn máy bay|rơi máy bay|"
        r"chìm tàu|trật bánh|авиакатастроф|крушени\w* (самолет|поезд|вертолет)|затонул"
    ),
    "wildlife-trafficking": (
        r"poach|ivory|pangolin|rhino horn|wildlife (trade|traffick|smuggl|crime)|trenggiling|"
        r"tenggiling|gading gajah|cula badak|sisik|satwa (liar|dilindungi)|perdagangan satwa|"
        r"perburuan liar|pemburu (liar|haram)|hidupan liar|PERHILITAN|BKSDA|tê tê|ngà voi|sừng tê|"
        r"động vật hoang dã|săn trộm|браконьер|контрабанд\w* (животн|бивн|рог)|краснокниж|CITES"
    ),
    "food-prices": (
        r"harga (beras|cabai|cabe|bawang|telur|gula|ayam|daging|pangan|minyak goreng)|"
        r"minyak goreng|minyak masak|Bulog|operasi pasar|SPHP|bekalan (beras|gula|telur|minyak)|"
        r"beras (import|tempatan)|rice (price|import|export|shortage)|"
        r"food (price|inflation|shortage)|cooking oil|egg price|giá (gạo|thịt|trứng|rau)|"
        r"xuất khẩu gạo|цен\w* на (продукт|хлеб|сахар|гречк|яйц|овощ)|"
        r"продовольственн\w* инфляц|inflasi pangan|Jualan Rahmah|sembako"
    ),
    "haze-forest-fires": (
        r"haze|jerebu|kabut asap|karhutla|kebakaran (hutan|lahan)|forest fire|wildfire|bushfire|"
        r"peat|gambut|titik panas|titik api|hotspot|cháy rừng|khói mù|лесн\w* пожар|"
        r"природн\w* пожар|пожар\w* в лес|IPU\b|API\b"
    ),
}


def load() -> list[dict]:
    rows = []
    for name in FILES:
        with open(CORPUS / name, encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                row["file"] = name
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
    ap.add_argument("--out", default="/tmp/pool-c.jsonl")
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
        added = [r["id"] for r in rows if r["id"] not in stage1 and rx.search(_read(r))]
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
    print(f"excluded (already judged in a/b): {len(skip)}; corpus left: {len(rows)}")
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
