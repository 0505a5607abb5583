"""Pool candidates for judged set "b" (labour-migration, energy-prices, cybercrime).

Owns: the broad multilingual keyword probes, the random sample and the pool file written for
judging. Not: judging (done by reading) nor scoring any watchlist. Stdlib only; deterministic.

Probes run over what the assessors read: the title and the first 1,500 characters of the text.
Each probe is a case-insensitive regular expression anchored at a word start. Per topic, the
candidates are ranked by how many distinct probes hit them (a hit in the title counts double);
if more than CAP match, the top HALF_CAP by rank are kept and the rest of the cap is filled by a
seeded random sample of the remaining hits, so weak single-probe hits are still represented.

Stage 2 (added after stage 1 was judged, because the cap left Vietnamese and Russian nearly
unjudged): per topic and language, if fewer than LANG_FLOOR hits of that language were pooled,
the highest-ranked remaining hits of that language are added until LANG_FLOOR (or all of them).
The rule uses only probe ranks, never judgments; stage 1's pool is unchanged (same seed order).

Usage: python3 benchmarks/judged/pool_b.py [--out /tmp/pool-b.jsonl]
"""

import argparse
import json
import random
import re
from collections import Counter
from pathlib import Path

CORPUS = Path("/work/shared/corpus/texts")
FILES = ("news_pool.jsonl", "news_pool_extra.jsonl")
READ_CHARS = 1500
SEED = 2
RANDOM_SAMPLE = 150
CAP = 150
HALF_CAP = 100
LANG_FLOOR = 40

# Broad probes: far wider than the watchlists (every surface form an assessor would look at).
PROBES = {
    "labour-migration": [
        r"migran",
        r"migrant",
        r"migration",
        r"мигра",
        r"мигрант",
        r"гастарбайт",
        r"pekerja asing",
        r"pekerja migran",
        r"buruh migran",
        r"buruh asing",
        r"TKI\b",
        r"TKA\b",
        r"PMI\b",
        r"P2MI",
        r"BP2MI",
        r"PATI\b",
        r"pendatang asing",
        r"pendatang tanpa izin",
        r"tanpa izin",
        r"imigresen",
        r"permit kerja",
        r"foreign worker",
        r"overseas worker",
        r"OFWs?\b",
        r"domestic (worker|helper)",
        r"maid",
        r"pembantu rumah",
        r"tenaga kerja",
        r"undocumented",
        r"illegal (immigrant|worker|alien)",
        r"deport",
        r"dideportasi",
        r"deportasi",
        r"trục xuất",
        r"депорт",
        r"выдвор",
        r"remittanc",
        r"kiều hối",
        r"xuất khẩu lao động",
        r"lao động (ở )?nước ngoài",
        r"đi làm việc ở nước ngoài",
        r"lao động (bất hợp pháp|chui)",
        r"người lao động",
        r"perdagangan orang",
        r"TPPO",
        r"pemerdagangan orang",
        r"human trafficking",
        r"traffick",
        r"mua bán người",
        r"buôn (bán )?người",
        r"торговл\w* людьми",
        r"forced labou?r",
        r"kerja paksa",
        r"lao động cưỡng bức",
        r"принудительн\w* труд",
        r"иностранн\w* (рабоч|граждан)",
        r"work permit",
        r"visa kerja",
        r"trabaho",
        r"recruitment",
        r"perekrutan",
        r"penyalur",
        r"agensi pekerjaan",
        r"manpower",
        r"DMW\b",
        r"POEA",
    ],
    "energy-prices": [
        r"BBM\b",
        r"bahan bakar",
        r"bahan api",
        r"Pertalite",
        r"Pertamax",
        r"Solar\b",
        r"bensin",
        r"petrol",
        r"diesel",
        r"gasoline",
        r"fuel",
        r"RON\s?9[57]",
        r"BUDI95",
        r"subsid",
        r"subsidi",
        r"trợ giá",
        r"субсид",
        r"tarif listrik",
        r"tarif elektrik",
        r"listrik",
        r"elektrik",
        r"electricity",
        r"power (tariff|rate|bill)",
        r"tariff",
        r"LPG",
        r"elpiji",
        r"gas melon",
        r"natural gas",
        r"oil price",
        r"crude",
        r"minyak mentah",
        r"harga minyak",
        r"Brent",
        r"OPEC",
        r"energy price",
        r"energi",
        r"xăng",
        r"giá dầu",
        r"dầu thô",
        r"giá điện",
        r"tiền điện",
        r"giá gas",
        r"EVN\b",
        r"Petrolimex",
        r"бензин",
        r"топлив",
        r"нефт",
        r"электроэнерг",
        r"тариф",
        r"газ(?!ет)",
        r"PLN\b",
        r"Pertamina",
        r"Petronas",
        r"TNB\b",
        r"Meralco",
        r"Tenaga Nasional",
        r"kenaikan harga",
        r"price hike",
        r"naik harga",
        r"tăng giá",
        r"подорож",
        r"рост цен",
    ],
    "cybercrime": [
        r"hack",
        r"peretas",
        r"retas",
        r"godam",
        r"tin tặc",
        r"хакер",
        r"взлом",
        r"cyber",
        r"siber",
        r"кибер",
        r"ransomware",
        r"malware",
        r"mã độc",
        r"вредонос",
        r"вирус",
        r"phishing",
        r"фишинг",
        r"DDoS",
        r"data breach",
        r"data leak",
        r"kebocoran data",
        r"bocor",
        r"rò rỉ",
        r"lộ lọt",
        r"утечк",
        r"scam",
        r"penipu",
        r"tipu",
        r"lừa đảo",
        r"мошенни",
        r"fraud",
        r"online",
        r"daring",
        r"dalam talian",
        r"trực tuyến",
        r"qua mạng",
        r"không gian mạng",
        r"an ninh mạng",
        r"công nghệ cao",
        r"интернет",
        r"judi online",
        r"judi dalam talian",
        r"online gambling",
        r"cờ bạc",
        r"đánh bạc",
        r"akaun keldai",
        r"mule",
        r"Macau",
        r"BSSN",
        r"NSRC",
        r"CyberSecurity Malaysia",
        r"Bareskrim",
        r"A05\b",
        r"data pribadi",
        r"dữ liệu cá nhân",
        r"персональн\w* данн",
        r"pinjol",
        r"crypto",
        r"kripto",
        r"tiền ảo",
        r"криптовалют",
    ],
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


def compile_probes() -> dict[str, list[tuple[str, re.Pattern]]]:
    return {
        topic: [(p, re.compile(r"(?<!\w)" + p, re.IGNORECASE)) for p in probes]
        for topic, probes in PROBES.items()
    }


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
    rows: list[dict], plist: list[tuple[str, re.Pattern]], stage1: set[str]
) -> list[str]:
    """Stage 2: the best-ranked unpooled hits of each language, up to LANG_FLOOR pooled."""
    hits_by_lang: dict[str, list[tuple[int, str]]] = {}
    for row in rows:
        score, hit = rank(row, plist)
        if hit:
            hits_by_lang.setdefault(row["lang"], []).append((score, row["id"]))
    added = []
    for _lang, hits in sorted(hits_by_lang.items()):
        have = sum(1 for _, rid in hits if rid in stage1)
        rest = sorted((h for h in hits if h[1] not in stage1), key=lambda h: (-h[0], h[1]))
        added += [rid for _, rid in rest[: max(0, LANG_FLOOR - have)]]
    return added


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/tmp/pool-b.jsonl")
    args = ap.parse_args()
    rows = load()
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
        if len(hits) > CAP:
            top = hits[:HALF_CAP]
            rest = hits[HALF_CAP:]
            picked = top + rng.sample(rest, CAP - HALF_CAP)
        else:
            picked = hits
        for _, rid in picked:
            chosen.setdefault(rid, set()).add("probe:" + topic)
        report.append((topic, len(hits), len(picked), per_probe))
    sample = rng.sample([r["id"] for r in rows], RANDOM_SAMPLE)
    for rid in sample:
        chosen.setdefault(rid, set()).add("random")
    stage1 = set(chosen)
    stage2_report = []
    lang_of = {r["id"]: r["lang"] for r in rows}
    for topic, plist in probes.items():
        added = top_up_languages(rows, plist, stage1)
        for rid in added:
            chosen.setdefault(rid, set()).add("stage2:" + topic)
        stage2_report.append((topic, Counter(lang_of[rid] for rid in added)))
    by_id = {r["id"]: r for r in rows}
    with open(args.out, "w", encoding="utf-8") as f:
        for rid in sorted(chosen):
            r = by_id[rid]
            f.write(
                json.dumps(
                    {
                        "id": rid,
                        "lang": r["lang"],
                        "title": r.get("title") or "",
                        "text": (r.get("text") or "")[:READ_CHARS],
                        "url": r.get("url") or "",
                        "published": r.get("date") or "",
                        "file": r["file"],
                        "pooled_by": sorted(chosen[rid]),
                        "stage": 1 if rid in stage1 else 2,
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    for topic, n_hits, n_picked, per_probe in report:
        print(f"## {topic}: {n_hits} hits, {n_picked} pooled")
        for name, _ in probes[topic]:
            print(f"  {per_probe[name]:5d}  {name}")
    for topic, added_langs in stage2_report:
        by_lang = dict(sorted(added_langs.items()))
        print(f"## {topic}: stage 2 added {sum(added_langs.values())} {by_lang}")
    langs = Counter(by_id[rid]["lang"] for rid in chosen)
    print(f"pool: {len(chosen)} articles; random sample {RANDOM_SAMPLE}; by language {dict(langs)}")


if __name__ == "__main__":
    main()
