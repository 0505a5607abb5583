"""Pool candidates for judged set "j" (diplomacy-visits, banking-finance, agriculture,
infrastructure-projects, indonesia-politics).

Owns: the broad multilingual keyword probes, the random sample and the pool file written for
judging. Not: judging (done by reading) nor scoring any watchlist. Stdlib only; deterministic.

The method of ``pool_d.py`` (its code, called here; its docstring says it), unchanged but for
the probes, the seed and the sets left out (a to i, so every set is disjoint).

Usage: python3 benchmarks/judged/pool_j.py [--out /tmp/pool-j.jsonl]
"""

from pool_d import main as pool

JUDGED = tuple(f"judgments-{name}.jsonl" for name in "abcdefghi")
SEED = 10

# Broad probes: far wider than the watchlists (every surface form an assessor would look at).
PROBES = {
    "diplomacy-visits": (
        "visit, bilateral, talks, summit, foreign minister, ambassador, diplomat, envoy, ties, "
        "kunjungan, Menlu, Menteri Luar Negeri, duta besar, KTT, diplomatik, hubungan, "
        "lawatan, Wisma Putra, Menteri Luar, "
        "chuyến thăm, hội đàm, ngoại giao, thăm chính thức, Đại sứ, hội nghị cấp cao, "
        "визит, переговор, МИД, посол, Лавров, саммит, дипломат, двусторонн"
    ),
    "banking-finance": (
        "bank, lender, loan, credit, fintech, deposit, payment, e-wallet, mortgage, "
        "perbankan, kredit, pinjol, pinjaman, OJK\\b, dompet digital, nasabah, "
        "pembiayaan, "
        "ngân hàng, tín dụng, cho vay, ví điện tử, "
        "банк, кредит, ипотек, вклад, Сбер, ВТБ, заём, займ"
    ),
    "agriculture": (
        "farm, agricultur, crop, harvest, rice, paddy, palm oil, plantation, fertili, livestock, "
        "petani, pertanian, panen, padi, sawit, pupuk, peternak, perkebunan, beras, "
        "pekebun, peladang, penternak, "
        "nông dân, nông nghiệp, lúa, thu hoạch, vụ mùa, phân bón, chăn nuôi, nông sản, "
        "фермер, урожа, сельхоз, сельск, аграр, посев, зерн, пшениц"
    ),
    "infrastructure-projects": (
        "infrastructure, railway, rail, LRT\\b, MRT\\b, ECRL\\b, toll road, expressway, bridge, "
        "port\\b, dam\\b, construction, "
        "infrastruktur, kereta cepat, jalan tol, IKN\\b, proyek, bendungan, pelabuhan, jembatan, "
        "lebuh raya, projek, jambatan, empangan, landasan, "
        "hạ tầng, cao tốc, đường sắt, dự án, cảng, "
        "инфраструктур, железн, магистрал, мост, строительств"
    ),
    "indonesia-politics": (
        "Prabowo, Jokowi, Widodo, Gibran, Indonesian parliament, cabinet, "
        "DPR\\b, MPR\\b, Gerindra, PDIP, PDI-P, Golkar, NasDem, PKB\\b, koalisi, partai, kabinet, "
        "menteri, Istana, Indonesia, "
        "Tổng thống Indonesia, "
        "Прабово, Индонези"
    ),
}

# Stage 2: narrow probes; an unpooled text with one in its title or two in its read text is added.
STRONG = {
    "diplomacy-visits": (
        r"state visit|official visit|bilateral|foreign minister|kunjungan kenegaraan|Menlu|"
        r"lawatan rasmi|Wisma Putra|chuyến thăm|hội đàm|ngoại giao|визит\w*|МИД|Лавров\w*"
    ),
    "banking-finance": (
        r"banking|fintech|perbankan|pinjol|OJK|ngân hàng|tín dụng|банк\w*|кредит\w*"
    ),
    "agriculture": (
        r"farmers?|agricultur\w*|petani|pertanian|pekebun|peladang|nông dân|nông nghiệp|"
        r"фермер\w*|урожа\w*|сельхоз\w*"
    ),
    "infrastructure-projects": (
        r"infrastructure|railway|high-speed rail|ECRL|infrastruktur|kereta cepat|jalan tol|IKN|"
        r"lebuh raya|hạ tầng|cao tốc|đường sắt|инфраструктур\w*"
    ),
    "indonesia-politics": (r"Prabowo|Jokowi|Gibran|DPR|Gerindra|PDIP|PDI-P|Golkar|Прабово"),
}


if __name__ == "__main__":
    pool(PROBES, STRONG, JUDGED, SEED, "j")
