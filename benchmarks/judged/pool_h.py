"""Pool candidates for judged set "h" (sports, religion, fires-explosions, stock-markets,
housing-property).

Owns: the broad multilingual keyword probes, the random sample and the pool file written for
judging. Not: judging (done by reading) nor scoring any watchlist. Stdlib only; deterministic.

The method of ``pool_d.py`` (its code, called here; its docstring says it), unchanged but for
the probes, the seed and the sets left out (a to g, so every set is disjoint).

Usage: python3 benchmarks/judged/pool_h.py [--out /tmp/pool-h.jsonl]
"""

from pool_d import main as pool

JUDGED = tuple(f"judgments-{name}.jsonl" for name in "abcdefg")
SEED = 8

# Broad probes: far wider than the watchlists (every surface form an assessor would look at).
PROBES = {
    "sports": (
        "sport, athlet, badminton, tennis, olympi, SEA Games, Asian Games, champion, tournament, "
        "medal, basketball, volleyball, boxing, race, chess, golf, "
        "olahraga, atlet, bulu tangkis, pebulu tangkis, PBSI, juara, turnamen, medali, Kemenpora, "
        "sukan, pemain, kejohanan, pingat, KBS\\b, "
        "thể thao, vận động viên, cầu lông, quần vợt, giải đấu, huy chương, vô địch, HLV, "
        "спорт, спортсмен, олимпи, чемпион, турнир, медал, хокке, теннис, шахмат, матч, тренер"
    ),
    "religion": (
        "religio, mosque, church, temple, pagoda, cleric, imam, pope, priest, monk, faith, "
        "worship, fatwa, Ramadan, Christmas, Muslim, Christian, Buddhis, "
        "agama, masjid, gereja, ulama, MUI\\b, Kemenag, ibadah, umat, ustaz, pesantren, kiai, "
        "surau, JAKIM, JAIS, mufti, Islam, "
        "tôn giáo, nhà thờ, chùa, Phật, Công giáo, tín ngưỡng, linh mục, "
        "религи, церк, мечет, храм, патриарх, священник, епарх, муфти, верующ, православ"
    ),
    "fires-explosions": (
        "fire, blaze, burn, explosion, explode, blast, arson, firefight, "
        "kebakaran, terbakar, api\\b, ledakan, meledak, damkar, hangus, "
        "Bomba, letupan, meletup, rentung, "
        "cháy, hỏa hoạn, nổ\\b, PCCC, "
        "пожар, возгоран, взрыв, поджог, горел, сгорел, МЧС"
    ),
    "stock-markets": (
        "stock, shares, share price, IPO\\b, investor, equit, index, capital market, securities, "
        "listed, bourse, "
        "saham, IHSG, bursa, BEI\\b, pasar modal, OJK\\b, emiten, investor, "
        "pasaran saham, Suruhanjaya Sekuriti, FBM KLCI, "
        "chứng khoán, cổ phiếu, VN-Index, nhà đầu tư, niêm yết, "
        "бирж, акци, фондов, инвестор, котиров, индекс"
    ),
    "housing-property": (
        "housing, house, home, property, real estate, mortgage, developer, rent, apartment, "
        "perumahan, rumah, properti, KPR\\b, FLPP, Tapera, pengembang, apartemen, "
        "hartanah, pemaju, PR1MA, kediaman, sewa, "
        "bất động sản, nhà ở, chung cư, giá nhà, căn hộ, "
        "жиль, недвижим, ипотек, застройщ, квартир, новостро, аренд"
    ),
}

# Stage 2: narrow probes; an unpooled text with one in its title or two in its read text is added.
STRONG = {
    "sports": (
        r"badminton|bulu tangkis|pebulu tangkis|SEA Games|Sukan SEA|Olympi\w*|олимпи\w*|"
        r"cầu lông|vận động viên|спортсмен\w*|хокке\w*|теннис\w*|tennis"
    ),
    "religion": (
        r"religio\w*|mosque|church|agama|masjid|gereja|ulama|fatwa|tôn giáo|nhà thờ|chùa|"
        r"религи\w*|церк\w*|мечет\w*|патриарх\w*"
    ),
    "fires-explosions": (
        r"kebakaran|terbakar|ledakan|letupan|hỏa hoạn|vụ cháy|vụ nổ|пожар\w*|возгоран\w*|"
        r"взрыв\w* газа|gas explosion|blaze"
    ),
    "stock-markets": (
        r"stock market|stock exchange|IHSG|saham|Bursa Malaysia|chứng khoán|cổ phiếu|VN-Index|"
        r"фондов\w* рын\w*|Мосбирж\w*|IPO"
    ),
    "housing-property": (
        r"housing|real estate|mortgage|perumahan|properti|rumah subsidi|hartanah|"
        r"bất động sản|nhà ở xã hội|ипотек\w*|недвижимост\w*|застройщик\w*"
    ),
}


if __name__ == "__main__":
    pool(PROBES, STRONG, JUDGED, SEED, "h")
