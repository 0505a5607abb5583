"""Pool candidates for judged set "f" (football, education-policy, tourism,
artificial-intelligence, homicide).

Owns: the broad multilingual keyword probes, the random sample and the pool file written for
judging. Not: judging (done by reading) nor scoring any watchlist. Stdlib only; deterministic.

The method of ``pool_d.py`` (its code, called here), as set e used it, unchanged but for the
probes, the seed and the sets left out (a, b, c, d and e, so the six sets are disjoint): probes
run over what the assessor reads (the title and the first 1,500 characters), each a
case-insensitive regular expression anchored at a word start. Per topic, candidates are ranked by
how many distinct probes hit them (a title hit counts double); if more than CAP match, the top
HALF_CAP by rank are kept and the rest of the cap is filled by a seeded random sample of the
remaining hits. Then, per topic and language, the best-ranked remaining hits of that language are
added until LANG_FLOOR are pooled. A seeded random sample of the corpus is added. The texts are
NFC-normalised before probing.

Stage 2, in the same run and before anything was read: for each topic, every text not pooled by
stage 1 in which one of the topic's STRONG probes (narrow, topic-specific words) is in the title
or occurs at least twice in the read text. The rule uses probes only.

Usage: python3 benchmarks/judged/pool_f.py [--out /tmp/pool-f.jsonl]
"""

from pool_d import main as pool

JUDGED = tuple(f"judgments-{name}.jsonl" for name in "abcde")
SEED = 6

# Broad probes: far wider than the watchlists (every surface form an assessor would look at).
# `(?-i:AI)` is case-sensitive: Vietnamese `ai` ("who") would otherwise hit every Vietnamese text.
PROBES = {
    "football": (
        "football, soccer, FIFA, AFC\\b, World Cup, Premier League, national team, striker, "
        "goalkeeper, coach, league, match, "
        "sepak bola, sepakbola, timnas, PSSI, Liga 1, Piala Dunia, Piala AFF, pelatih, gol\\b, "
        "bola sepak, Harimau Malaya, FAM\\b, Liga Super, skuad, jurulatih, "
        "bóng đá, đội tuyển, V.League, VFF, tiền đạo, thủ môn, HLV, trận, "
        "футбол, сборн, РФС, Премьер-лиг, нападающ, вратар, матч, тренер, гол\\b"
    ),
    "education-policy": (
        "education, school, university, student, teacher, curriculum, exam, scholarship, "
        "pendidikan, sekolah, siswa, murid, guru, kurikulum, universitas, kampus, mahasiswa, "
        "beasiswa, UTBK, zonasi, Kemendikbud, Kemendikdasmen, "
        "pelajar, universiti, SPM\\b, KPM\\b, Kementerian Pendidikan, IPTA, "
        "giáo dục, học sinh, sinh viên, giáo viên, trường, tuyển sinh, đại học, học phí, "
        "образован, школ, учител, студент, вуз, ЕГЭ, университет"
    ),
    "tourism": (
        "tourism, tourist, travel, visitor, resort, hotel, visa-free, destination, "
        "pariwisata, wisatawan, wisman, wisata, turis, destinasi, hotel, "
        "pelancong, pelancongan, pelawat, Tahun Melawat, "
        "du lịch, du khách, khách quốc tế, lượt khách, khách sạn, "
        "туризм, турист, турпоток, туроператор, отел, курорт"
    ),
    "artificial-intelligence": (
        "artificial intelligence, (?-i:AI)\\b, ChatGPT, OpenAI, Nvidia, machine learning, "
        "deepfake, DeepSeek, language model, chatbot, algorithm, data cent, semiconductor, "
        "kecerdasan buatan, kecerdasan artifisial, teknologi digital, cip\\b, "
        "trí tuệ nhân tạo, công nghệ, chuyển đổi số, bán dẫn, "
        "искусственн\\w* интеллект, нейросет, машинн\\w* обучени, алгоритм"
    ),
    "homicide": (
        "murder, homicide, killed, killing, stabbed, shot dead, manslaughter, body, "
        "pembunuhan, dibunuh, membunuh, bunuh, mayat, jenazah, tewas, ditikam, "
        "mati, ditemui, "
        "giết, sát hại, án mạng, thi thể, tử vong, "
        "убий, убит, убил, застрел, тело, труп, зарез"
    ),
}

# Stage 2: narrow probes; an unpooled text with one in its title or two in its read text is added.
STRONG = {
    "football": (
        r"FIFA|PSSI|Harimau Malaya|Piala AFF|AFF Cup|V\.League|VFF\b|World Cup|"
        r"Piala Dunia|Premier League|РФС\b|сборн\w* России по футболу"
    ),
    "education-policy": (
        r"education ministry|ministry of education|curriculum|kurikulum|Kemendikbud|"
        r"Kemendikdasmen|UTBK|zonasi|Kementerian Pendidikan|Bộ GD|tuyển sinh|ЕГЭ|Минобрнауки|"
        r"Минпросвещения"
    ),
    "tourism": r"tourism|pariwisata|wisatawan|wisman|pelancongan|du lịch|du khách|туризм",
    "artificial-intelligence": (
        r"artificial intelligence|(?-i:AI)\b|ChatGPT|OpenAI|kecerdasan buatan|"
        r"kecerdasan artifisial|trí tuệ nhân tạo|искусственн\w* интеллект|нейросет"
    ),
    "homicide": r"murder|homicide|pembunuhan|dibunuh|giết người|sát hại|án mạng|убийств|убийц",
}


if __name__ == "__main__":
    pool(PROBES, STRONG, JUDGED, SEED, "f")
