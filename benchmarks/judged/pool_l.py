"""Pool candidates for judged set "l" (vietnam-politics, russia-politics, obituaries,
thailand-politics, local-government).

Owns: the broad multilingual keyword probes, the random sample and the pool file written for
judging. Not: judging (done by reading) nor scoring any watchlist. Stdlib only; deterministic.

The method of ``pool_d.py`` (its code, called here; its docstring says it), unchanged but for
the probes, the seed and the sets left out (a to k, so every set is disjoint).

Usage: python3 benchmarks/judged/pool_l.py [--out /tmp/pool-l.jsonl]
"""

from pool_d import main as pool

JUDGED = tuple(f"judgments-{name}.jsonl" for name in "abcdefghijk")
SEED = 12

# Broad probes: far wider than the watchlists (every surface form an assessor would look at).
PROBES = {
    "vietnam-politics": (
        "Vietnam, Communist Party, Politburo, National Assembly, General Secretary, To Lam, "
        "Partai Komunis, "
        "Parti Komunis, "
        "Tổng Bí thư, Bộ Chính trị, Trung ương, Quốc hội, Đảng, Chủ tịch nước, Thủ tướng, "
        "bổ nhiệm, Bộ trưởng, Tô Lâm, kỷ luật, "
        "Вьетнам"
    ),
    "russia-politics": (
        "Russia, Kremlin, Putin, Duma, Medvedev, "
        "Rusia, "
        "Nga\\b, Điện Kremlin, "
        "Кремл, Путин, Госдум, Дума, губернатор, отставк, Совет Федерации, сенатор, "
        "правительств, министр, Медведев, Мишустин, партии, оппозиц, закон"
    ),
    "obituaries": (
        "died, dies, death, passed away, obituary, funeral, tribute, "
        "meninggal, wafat, berpulang, tutup usia, duka, pemakaman, jenazah, "
        "meninggal dunia, Al-Fatihah, rahmatullah, dikebumikan, "
        "qua đời, từ trần, tang lễ, lễ tang, "
        "умер, умерл, скончал, ушел из жизни, ушла из жизни, смерт, похорон, прощани, памят"
    ),
    "thailand-politics": (
        "Thailand, Thai\\b, Bangkok, Thaksin, Paetongtarn, Anutin, Pheu Thai, Bhumjaithai, "
        "Thailand, Bangkok, "
        "Siam, "
        "Thái Lan, "
        "Таиланд, тайск"
    ),
    "local-government": (
        "governor, mayor, city council, provincial, state government, local government, "
        "municipal, regional, "
        "Pemprov, Pemkot, Pemkab, Pemda, gubernur, wali kota, walikota, bupati, DPRD, "
        "kerajaan negeri, Menteri Besar, ADUN, majlis perbandaran, PBT\\b, exco, "
        "UBND, tỉnh, thành phố, chính quyền, "
        "губернатор, мэр, област, регион, муниципал, город"
    ),
}

# Stage 2: narrow probes; an unpooled text with one in its title or two in its read text is added.
STRONG = {
    "vietnam-politics": (
        r"Tổng Bí thư|Bộ Chính trị|Ban Chấp hành Trung ương|Quốc hội|Đại hội Đảng|Chủ tịch nước|"
        r"Politburo|Communist Party of Vietnam|Компарти\w* Вьетнам\w*"
    ),
    "russia-politics": (
        r"Kremlin|State Duma|Кремл\w*|Госдум\w*|Совет\w* Федерации|Мишустин\w*|"
        r"Единая Россия|губернатор\w*"
    ),
    "obituaries": (
        r"obituary|passed away|meninggal dunia|berpulang|tutup usia|Al-Fatihah|qua đời|từ trần|"
        r"умер|скончал\w*|ушла? из жизни"
    ),
    "thailand-politics": (
        r"Thaksin|Paetongtarn|Anutin|Pheu Thai|Bhumjaithai|Thai (PM|prime minister|parliament)|"
        r"Thủ tướng Thái Lan|премьер\w* Таиланда"
    ),
    "local-government": (
        r"Pemprov|Pemkot|Pemkab|gubernur|wali ?kota|bupati|DPRD|kerajaan negeri|Menteri Besar|"
        r"UBND|мэр\w*|губернатор\w*|city council|state government"
    ),
}


if __name__ == "__main__":
    pool(PROBES, STRONG, JUDGED, SEED, "l")
