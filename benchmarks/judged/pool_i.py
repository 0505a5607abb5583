"""Pool candidates for judged set "i" (courts-trials, us-politics, celebrities, road-traffic,
weather).

Owns: the broad multilingual keyword probes, the random sample and the pool file written for
judging. Not: judging (done by reading) nor scoring any watchlist. Stdlib only; deterministic.

The method of ``pool_d.py`` (its code, called here; its docstring says it), unchanged but for
the probes, the seed and the sets left out (a to h, so every set is disjoint).

Usage: python3 benchmarks/judged/pool_i.py [--out /tmp/pool-i.jsonl]
"""

from pool_d import main as pool

JUDGED = tuple(f"judgments-{name}.jsonl" for name in "abcdefgh")
SEED = 9

# Broad probes: far wider than the watchlists (every surface form an assessor would look at).
PROBES = {
    "courts-trials": (
        "court, trial, judge, verdict, sentenc, convict, acquit, appeal, plead, prosecut, jail, "
        "pengadilan, sidang, vonis, hakim, terdakwa, jaksa, tuntutan, divonis, penjara, "
        "mahkamah, tertuduh, didakwa, pertuduhan, dihukum, peguam, "
        "tòa, xét xử, bị cáo, tuyên án, phúc thẩm, án tù, viện kiểm sát, "
        "суд, приговор, подсудим, обвин, прокурор, апелляц, срок, колони"
    ),
    "us-politics": (
        "Trump, Biden, Harris, White House, Congress, Senate, Republican, Democrat, GOP\\b, "
        "Washington, governor, "
        "Gedung Putih, Amerika Serikat, AS\\b, Rumah Putih, Amerika Syarikat, "
        "Nhà Trắng, Mỹ\\b, Quốc hội Mỹ, Cộng hòa, Dân chủ, "
        "Трамп, Байден, Белый дом, Конгресс, США, республикан, демократ, Вашингтон"
    ),
    "celebrities": (
        "celebrit, star\\b, actress, actor, singer, influencer, wedding, divorce, pageant, "
        "Miss\\b, artis, selebriti, selebgram, aktris, aktor, penyanyi, pernikahan, cerai, "
        "pelakon, perkahwinan, bercerai, "
        "nghệ sĩ, ca sĩ, diễn viên, hoa hậu, đám cưới, ly hôn, sao\\b, "
        "звезд, знаменит, актёр, актер, актрис, певиц, певец, свадьб, развод"
    ),
    "road-traffic": (
        "traffic, congestion, road, driver, driving, motorist, parking, toll, highway, "
        "lalu lintas, macet, kemacetan, tilang, SIM\\b, jalan tol, pengendara, Korlantas, ganjil, "
        "kesesakan, JPJ\\b, lebuh raya, pemandu, saman, "
        "giao thông, ùn tắc, kẹt xe, CSGT, tài xế, phạt nguội, đường bộ, "
        "пробк, ГИБДД, ГАИ, водител, дорог, ПДД, парков, трасс"
    ),
    "weather": (
        "weather, forecast, heat, rain, storm, typhoon, monsoon, temperature, cold, drought, "
        "cuaca, BMKG, hujan, panas, prakiraan, kemarau, badai, angin, "
        "MetMalaysia, ribut, monsun, "
        "thời tiết, nắng nóng, mưa, bão, rét, không khí lạnh, dự báo, nhiệt độ, "
        "погод, жар, синоптик, мороз, ливн, снег, температур, Гидрометцентр"
    ),
}

# Stage 2: narrow probes; an unpooled text with one in its title or two in its read text is added.
STRONG = {
    "courts-trials": (
        r"trial|High Court|Sessions Court|pengadilan|vonis|terdakwa|Mahkamah Tinggi|"
        r"Mahkamah Sesyen|tòa án|phiên tòa|xét xử|суд|судья|приговор\w*|подсудим\w*"
    ),
    "us-politics": (r"Trump|Biden|White House|Gedung Putih|Nhà Trắng|Трамп\w*|Байден\w*"),
    "celebrities": (
        r"celebrit\w*|selebriti|selebgram|artis|hoa hậu|đám cưới|ly hôn|знаменитост\w*|свадьб\w*"
    ),
    "road-traffic": (
        r"traffic|lalu lintas|kemacetan|tilang|kesesakan|JPJ|ùn tắc|kẹt xe|CSGT|пробк\w*|ГИБДД"
    ),
    "weather": (
        r"weather|heatwave|cuaca|BMKG|MetMalaysia|thời tiết|nắng nóng|погод\w*|синоптик\w*"
    ),
}


if __name__ == "__main__":
    pool(PROBES, STRONG, JUDGED, SEED, "i")
