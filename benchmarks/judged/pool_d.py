"""Pool candidates for judged set "d" (floods-landslides, trade-tariffs, corruption-cases,
protests-strikes, military-exercises-procurement).

Owns: the broad multilingual keyword probes, the random sample and the pool file written for
judging. Not: judging (done by reading) nor scoring any watchlist. Stdlib only; deterministic.

The method of ``pool_c.py`` in one stage: probes run over what the assessor reads (the title and
the first 1,500 characters), each a case-insensitive regular expression anchored at a word start;
articles already judged in set a, b or c are left out, so the four sets are disjoint. Per topic,
candidates are ranked by how many distinct probes hit them (a title hit counts double); if more
than CAP match, the top HALF_CAP by rank are kept and the rest of the cap is filled by a seeded
random sample of the remaining hits. Then, per topic and language, the best-ranked remaining hits
of that language are added until LANG_FLOOR are pooled. A seeded random sample of the corpus is
added last. The texts are NFC-normalised before probing (some Vietnamese texts are stored NFD).

Stage 2, in the same run and before anything was read (set c added its stage 2 after judging,
because its caps had left strong hits unjudged; here that was foreseen): for each topic, every
text not pooled by stage 1 in which one of the topic's STRONG probes (narrow, topic-specific
words) is in the title or occurs at least twice in the read text. The rule uses probes only.

Usage: python3 benchmarks/judged/pool_d.py [--out /tmp/pool-d.jsonl]
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
JUDGED = ("judgments-a.jsonl", "judgments-b.jsonl", "judgments-c.jsonl")
READ_CHARS = 1500
SEED = 4
RANDOM_SAMPLE = 80
CAP = 66
HALF_CAP = 44
LANG_FLOOR = 8

# Broad probes: far wider than the watchlists (every surface form an assessor would look at).
PROBES = {
    "floods-landslides": (
        "flood, inundat, landslide, mudslide, deluge, torrential, heavy rain, overflow, "
        "evacuat, typhoon, storm, dam\\b, banjir, longsor, genangan, tergenang, rob\\b, "
        "tanggul, hujan deras, hujan lebat, mengungsi, pengungsi, BNPB, BPBD, bencana, "
        "tanah runtuh, banjir kilat, mangsa banjir, PPS\\b, air naik, paras air, "
        "lũ, lụt, ngập, sạt lở, mưa lớn, thiên tai, bão, sơ tán, vỡ đê, "
        "наводнени, паводк, паводок, оползн, оползень, сель, селев, подтоплен, затоплен, "
        "ливн, стихийн, эвакуац, МЧС"
    ),
    "trade-tariffs": (
        "tariff, duty, duties, trade war, trade deal, trade talk, trade agreement, trade dispute, "
        "dumping, import, export, WTO, protectionis, sanction, surplus, deficit, "
        "tarif, bea masuk, bea keluar, perang dagang, kesepakatan dagang, perjanjian dagang, "
        "dagang, impor, ekspor, negosiasi, resiprokal, duti, eksport, perdagangan, "
        "thuế, đối ứng, thương mại, nhập khẩu, xuất khẩu, bán phá giá, đàm phán, "
        "пошлин, торгов, импорт, экспорт, ВТО, санкц, демпинг"
    ),
    "corruption-cases": (
        "corrupt, graft, brib, embezzl, kickback, launder, abuse of power, fraud, "
        "prosecut, indict, anti-graft, korupsi, koruptor, KPK\\b, tipikor, suap, gratifikasi, "
        "pencucian uang, tersangka, kejaksaan, kejagung, penyalahgunaan, rasuah, SPRM, MACC, "
        "sogok, salah guna kuasa, wang haram, didakwa, tuduhan, reman, "
        "tham nhũng, hối lộ, tham ô, lợi dụng chức vụ, lạm dụng, rửa tiền, khởi tố, truy tố, "
        "bắt tạm giam, коррупц, взятк, взяточ, растрат, хищени, мошенничеств, превышени, "
        "злоупотреблени, отмыван, уголовн\\w* дел, задержан"
    ),
    "protests-strikes": (
        "protest, demonstrat, rally, rallies, march, sit-in, riot, strike, walkout, picket, "
        "tear gas, boycott, unjuk rasa, demo\\b, demonstran, aksi massa, aksi, mogok, "
        "gas air mata, kerusuhan, ricuh, bentrok, massa\\b, perhimpunan, himpunan, bantah, "
        "piket, biểu tình, đình công, tuần hành, bạo loạn, tuyệt thực, lãn công, phản đối, "
        "митинг, протест, демонстрац, забастовк, бастов, пикет, акци, беспорядк, голодовк, "
        "шестви, манифест"
    ),
    "military-exercises-procurement": (
        "exercise, drill, war game, live-fire, naval, navy, army, air force, military, "
        "defence, defense, arms, weapon, fighter, jet, submarine, frigate, warship, missile, "
        "tank\\b, procure, latihan, alutsista, pengadaan, TNI\\b, pertahanan, kapal selam, "
        "pesawat tempur, kapal perang, rudal, senjata, ATM\\b, ketenteraan, tentera, TLDM, TUDM, "
        "eksesais, perolehan, jet pejuang, tập trận, diễn tập, quân sự, quốc phòng, vũ khí, "
        "tàu ngầm, tiêm kích, tên lửa, duyệt binh, учени, вооружен, оружи, военн, армия, армии, "
        "истребител, подводн, фрегат, ракет, оборон, парад"
    ),
}

# Stage 2: narrow probes; an unpooled text with one in its title or two in its read text is added.
STRONG = {
    "floods-landslides": (
        r"flood|landslide|mudslide|banjir|longsor|tanah runtuh|lũ|ngập lụt|sạt lở|наводнени|"
        r"паводк|паводок|оползн|подтоплен"
    ),
    "trade-tariffs": (
        r"tariff|anti-dumping|trade war|tarif (impor|resiprokal|trump|timbal|dagang|ekspor|\d)|"
        r"tarif as|bea masuk|perang dagang|thuế đối ứng|thuế quan|chiến tranh thương mại|пошлин|"
        r"торгов\w* войн"
    ),
    "corruption-cases": (
        r"corrupt|graft|brib|embezzl|korupsi|KPK\b|tipikor|suap|gratifikasi|rasuah|SPRM|MACC|"
        r"tham nhũng|hối lộ|tham ô|коррупц|взятк|растрат"
    ),
    "protests-strikes": (
        r"protester|demonstrator|unjuk rasa|demonstran|mogok|biểu tình|đình công|митинг|"
        r"забастовк|акци\w* протест|hunger strike"
    ),
    "military-exercises-procurement": (
        r"military exercise|joint exercise|naval exercise|military drill|"
        r"latihan (bersama|militer|perang|gabungan|ketenteraan)|alutsista|tập trận|diễn tập|"
        r"военн\w* учени|учения|arms deal|fighter jet|submarine|kapal selam|pesawat tempur|"
        r"tàu ngầm|истребител"
    ),
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


def judged_ids(judged: tuple[str, ...]) -> set[str]:
    ids = set()
    for name in judged:
        with open(HERE / name, encoding="utf-8") as f:
            ids |= {json.loads(line)["id"] for line in f if line.strip()}
    return ids


def compile_probes(broad: dict[str, str]) -> dict[str, list[tuple[str, re.Pattern]]]:
    return {
        topic: [(p, re.compile(r"(?<!\w)" + p, re.IGNORECASE)) for p in probes.split(", ")]
        for topic, probes in broad.items()
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


def main(
    broad: dict[str, str] = PROBES,
    strong: dict[str, str] = STRONG,
    judged: tuple[str, ...] = JUDGED,
    seed: int = SEED,
    name: str = "d",
) -> None:
    """Pool set ``name`` (set e reuses this method with its own probes, seed and sets left out)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=f"/tmp/pool-{name}.jsonl")
    args = ap.parse_args()
    skip = judged_ids(judged)
    rows = [r for r in load() if r["id"] not in skip and r["lang"] != "th"]
    lang_of = {r["id"]: r["lang"] for r in rows}
    probes = compile_probes(broad)
    rng = random.Random(seed)
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
    for topic, pattern in strong.items():
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
    left_out = "/".join(n.removeprefix("judgments-").removesuffix(".jsonl") for n in judged)
    print(f"excluded (already judged in {left_out}): {len(skip)}; corpus left: {len(rows)}")
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
