"""Pool candidates for judged set "k" (china-relations, malaysia-politics, culture-heritage,
automotive, child-welfare).

Owns: the broad multilingual keyword probes, the random sample and the pool file written for
judging. Not: judging (done by reading) nor scoring any watchlist. Stdlib only; deterministic.

The method of ``pool_d.py`` (its code, called here; its docstring says it), unchanged but for
the probes, the seed and the sets left out (a to j, so every set is disjoint).

Usage: python3 benchmarks/judged/pool_k.py [--out /tmp/pool-k.jsonl]
"""

from pool_d import main as pool

JUDGED = tuple(f"judgments-{name}.jsonl" for name in "abcdefghij")
SEED = 11

# Broad probes: far wider than the watchlists (every surface form an assessor would look at).
PROBES = {
    "china-relations": (
        "China, Chinese, Beijing, Xi Jinping, Belt and Road, "
        "Tiongkok, Cina\\b, Beijing, hubungan, "
        "China, negara China, "
        "Trung Quốc, Bắc Kinh, Tập Cận Bình, "
        "Китай, китайск, КНР\\b, Пекин, Си Цзиньпин"
    ),
    "malaysia-politics": (
        "Anwar, UMNO\\b, PKR\\b, PAS\\b, Bersatu, Pakatan, Perikatan, Barisan Nasional, "
        "Dewan Rakyat, unity government, Muhyiddin, Zahid, Amanah, DAP\\b, "
        "kerajaan perpaduan, Ahli Parlimen, kabinet, Perdana Menteri, parti, "
        "Malaysia, "
        "Малайзи"
    ),
    "culture-heritage": (
        "heritage, museum, UNESCO, cultur, tradition, archaeolog, festival, craft, "
        "warisan, budaya, cagar, batik, museum, tradisional, kebudayaan, "
        "muzium, songket, seni, "
        "di sản, văn hóa, bảo tàng, lễ hội, truyền thống, "
        "культур, музе, наследи, традици, археолог"
    ),
    "automotive": (
        "car\\b, cars\\b, vehicle, automaker, carmaker, automotive, EV\\b, Tesla, BYD, Toyota, "
        "Proton, Perodua, "
        "mobil, kendaraan, otomotif, motor listrik, "
        "kereta, kenderaan, automotif, "
        "ô tô, xe điện, VinFast, xe máy, "
        "автомоб, машин, электромоб, автопром, АвтоВАЗ"
    ),
    "child-welfare": (
        "child, children, kid, minor, orphan, stunting, "
        "anak, KPAI, balita, bocah, "
        "kanak-kanak, remaja, "
        "trẻ em, trẻ, học sinh, "
        "дет, ребен, ребён, сирот, несовершеннолет"
    ),
}

# Stage 2: narrow probes; an unpooled text with one in its title or two in its read text is added.
STRONG = {
    "china-relations": (
        r"Xi Jinping|Beijing's|China-\w+|Sino-\w+|Tập Cận Bình|Bắc Kinh|Си Цзиньпин\w*|КНР"
    ),
    "malaysia-politics": (
        r"UMNO|PKR|Bersatu|Pakatan Harapan|Perikatan Nasional|Barisan Nasional|Dewan Rakyat|"
        r"kerajaan perpaduan|Muhyiddin|Zahid"
    ),
    "culture-heritage": (
        r"heritage|museum|UNESCO|warisan|cagar budaya|muzium|di sản|bảo tàng|музе\w*|наследи\w*"
    ),
    "automotive": (
        r"automotive|automaker|carmaker|electric vehicles?|otomotif|mobil listrik|automotif|"
        r"kenderaan elektrik|ô tô|xe điện|VinFast|автопром\w*|электромобил\w*"
    ),
    "child-welfare": (
        r"child abuse|child protection|KPAI|perlindungan anak|stunting|kanak-kanak|trẻ em|"
        r"сирот\w*"
    ),
}


if __name__ == "__main__":
    pool(PROBES, STRONG, JUDGED, SEED, "k")
