"""Pool candidates for judged set "e" (gaza-war, ukraine-war, central-bank-rates, space-launches,
hajj-umrah).

Owns: the broad multilingual keyword probes, the random sample and the pool file written for
judging. Not: judging (done by reading) nor scoring any watchlist. Stdlib only; deterministic.

The method of ``pool_d.py`` (its code, called here), unchanged but for the probes, the seed
and the sets left out (a, b, c and d, so the five sets are disjoint): probes run over what the
assessor reads (the title and the first 1,500 characters), each a case-insensitive regular
expression anchored at a word start. Per topic, candidates are ranked by how many distinct
probes hit them (a title hit counts double); if more than CAP match, the top HALF_CAP by rank
are kept and the rest of the cap is filled by a seeded random sample of the remaining hits.
Then, per topic and language, the best-ranked remaining hits of that language are added until
LANG_FLOOR are pooled. A seeded random sample of the corpus is added. The texts are
NFC-normalised before probing.

Stage 2, in the same run and before anything was read: for each topic, every text not pooled by
stage 1 in which one of the topic's STRONG probes (narrow, topic-specific words) is in the title
or occurs at least twice in the read text. The rule uses probes only.

Usage: python3 benchmarks/judged/pool_e.py [--out /tmp/pool-e.jsonl]
"""

from pool_d import main as pool

JUDGED = tuple(f"judgments-{name}.jsonl" for name in "abcd")
SEED = 5

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


if __name__ == "__main__":
    pool(PROBES, STRONG, JUDGED, SEED, "e")
