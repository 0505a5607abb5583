"""Pool candidates for judged set "m" (consumer-tech, crime-policing, corporate-business,
gender-women, jobs-employment).

Owns: the broad multilingual keyword probes, the random sample and the pool file written for
judging. Not: judging (done by reading) nor scoring any watchlist. Stdlib only; deterministic.

The method of ``pool_d.py`` (its code, called here; its docstring says it), unchanged but for
the probes, the seed and the sets left out (a to l, so every set is disjoint).

Usage: python3 benchmarks/judged/pool_m.py [--out /tmp/pool-m.jsonl]
"""

from pool_d import main as pool

JUDGED = tuple(f"judgments-{name}.jsonl" for name in "abcdefghijkl")
SEED = 13

# Broad probes: far wider than the watchlists (every surface form an assessor would look at).
PROBES = {
    "consumer-tech": (
        "smartphone, phone, iPhone, Android, app\\b, apps\\b, gadget, laptop, computer, software, "
        "Apple, Google, Samsung, Microsoft, Meta\\b, TikTok, Instagram, WhatsApp, YouTube, chip, "
        "tech, internet, online platform, "
        "ponsel, HP\\b, gawai, aplikasi, perangkat, fitur, teknologi, "
        "telefon pintar, telefon bimbit, peranti, teknologi, "
        "điện thoại, ứng dụng, công nghệ, máy tính, thiết bị, phần mềm, "
        "смартфон, телефон, айфон, приложени, гаджет, компьютер, программ, технолог, интернет, "
        "Яндекс"
    ),
    "crime-policing": (
        "police, arrest, suspect, theft, thief, robbery, burglar, stolen, assault, fraud, scam, "
        "drug, gambling, "
        "polisi, polres, polsek, polda, ditangkap, diamankan, tersangka, pencurian, mencuri, "
        "maling, begal, penipuan, narkoba, sabu, judi, penganiayaan, pelecehan, "
        "polis, ditahan, reman, suspek, curi, samun, rompak, ragut, pecah rumah, dadah, syabu, "
        "tipu, cabul, rogol, pukul, "
        "công an, bắt giữ, tạm giữ, khởi tố, trộm, cướp, lừa đảo, ma túy, đánh bạc, "
        "полици, задержа, подозрева, краж, украл, ограбл, мошенни, наркот, избил, уголовн"
    ),
    "corporate-business": (
        "company, companies, firm, CEO, chief executive, profit, revenue, merger, acquisition, "
        "startup, business, "
        "perusahaan, korporasi, Tbk\\b, laba, pendapatan, direktur, akuisisi, bisnis, usaha, "
        "syarikat, Bhd\\b, Berhad, keuntungan, perniagaan, usahawan, pengarah, "
        "doanh nghiệp, công ty, tập đoàn, lợi nhuận, doanh thu, giám đốc, "
        "компани, корпорац, гендиректор, директор, выручк, прибыл, бизнес, акционер, "
        "ОАО, ПАО, ЗАО"
    ),
    "gender-women": (
        "women, woman, gender, female, feminis, domestic violence, sexual harassment, rape, "
        "perempuan, wanita, ibu\\b, gender, KDRT, kekerasan seksual, pelecehan, pemerkosaan, "
        "kesetaraan, "
        "wanita, gangguan seksual, keganasan rumah tangga, rogol, cabul, ibu tunggal, "
        "phụ nữ, bình đẳng giới, bạo lực gia đình, xâm hại, "
        "женщин, гендер, насили, изнасил, феминис"
    ),
    "jobs-employment": (
        "job, employ, unemploy, worker, wage, salary, hiring, layoff, labour, labor, "
        "pekerjaan, lowongan, pengangguran, PHK\\b, upah, gaji, pekerja, karyawan, buruh, "
        "tenaga kerja, Prakerja, "
        "pekerjaan, pekerja, gaji, kerja, majikan, jawatan, pengangguran, "
        "việc làm, lương, người lao động, công nhân, tuyển dụng, thất nghiệp, "
        "работ, зарплат, безработ, сотрудник, ваканс, увольн, сокращени, труд"
    ),
}

# Stage 2: narrow probes; an unpooled text with one in its title or two in its read text is added.
STRONG = {
    "consumer-tech": (
        r"smartphone|iPhone|Android|ponsel|telefon pintar|aplikasi|điện thoại|ứng dụng|"
        r"смартфон\w*|айфон\w*|Samsung|Xiaomi|Huawei|gadget|laptop"
    ),
    "crime-policing": (
        r"ditangkap|tersangka|pencurian|begal|narkoba|penipuan|suspek|samun|ragut|dadah|syabu|"
        r"reman|trộm|cướp|lừa đảo|ma túy|краж\w*|ограблен\w*|мошенни\w*|robbery|theft"
    ),
    "corporate-business": (
        r"CEO|chief executive|net profit|Tbk|laba bersih|Bhd|Berhad|keuntungan bersih|"
        r"doanh nghiệp|tập đoàn|компани\w*|гендиректор\w*|выручк\w*"
    ),
    "gender-women": (
        r"gender|KDRT|kekerasan seksual|pelecehan seksual|gangguan seksual|"
        r"keganasan rumah tangga|bình đẳng giới|bạo lực gia đình|домашн\w* насили\w*|"
        r"domestic violence|sexual harassment|women's rights"
    ),
    "jobs-employment": (
        r"lowongan|pengangguran|PHK|upah minimum|gaji minimum|Prakerja|jawatan kosong|"
        r"việc làm|thất nghiệp|tuyển dụng|безработ\w*|ваканси\w*|unemployment|layoffs?|"
        r"minimum wage"
    ),
}


if __name__ == "__main__":
    pool(PROBES, STRONG, JUDGED, SEED, "m")
