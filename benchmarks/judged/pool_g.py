"""Pool candidates for judged set "g" (health-care, climate-change, film-music, monarchy,
public-finance).

Owns: the broad multilingual keyword probes, the random sample and the pool file written for
judging. Not: judging (done by reading) nor scoring any watchlist. Stdlib only; deterministic.

The method of ``pool_d.py`` (its code, called here; its docstring says it), unchanged but for
the probes, the seed and the sets left out (a to f, so every set is disjoint).

Usage: python3 benchmarks/judged/pool_g.py [--out /tmp/pool-g.jsonl]
"""

from pool_d import main as pool

JUDGED = tuple(f"judgments-{name}.jsonl" for name in "abcdef")
SEED = 7

# Broad probes: far wider than the watchlists (every surface form an assessor would look at).
# `(?-i:...)` is case-sensitive where a short word is also a common word or name part.
PROBES = {
    "health-care": (
        "health, hospital, clinic, doctor, nurse, patient, medical, medicine, "
        "kesehatan, rumah sakit, RS\\b, RSUD, puskesmas, dokter, perawat, pasien, BPJS, JKN, "
        "Kemenkes, obat, "
        "kesihatan, hospital, klinik, doktor, jururawat, pesakit, KKM\\b, ubat, perubatan, "
        "y tế, bệnh viện, bác sĩ, bệnh nhân, điều dưỡng, khám, thuốc, Bộ Y tế, "
        "здравоохран, больниц, врач, пациент, медицин, Минздрав, поликлиник, лекарств"
    ),
    "climate-change": (
        "climate, emission, carbon, net zero, net-zero, greenhouse, global warming, renewable, "
        "energy transition, coal, "
        "iklim, emisi, karbon, pemanasan global, gas rumah kaca, energi terbarukan, "
        "transisi energi, batu bara, "
        "pelepasan, tenaga boleh baharu, sifar bersih, arang batu, "
        "khí hậu, phát thải, carbon, khí nhà kính, năng lượng tái tạo, nóng lên toàn cầu, "
        "климат, выброс, углерод, парников, потеплени, возобновляем"
    ),
    "film-music": (
        "film, movie, cinema, box office, actor, actress, director, concert, music, song, "
        "singer, album, band\\b, "
        "bioskop, sutradara, aktor, aktris, konser, musik, lagu, penyanyi, musisi, "
        "filem, pawagam, pelakon, muzik, konsert, artis, "
        "phim, điện ảnh, đạo diễn, diễn viên, ca sĩ, âm nhạc, ca khúc, hòa nhạc, MV\\b, "
        "фильм, кино, режисс, актер, актёр, актрис, концерт, музык, песн, певиц, певец, альбом"
    ),
    "monarchy": (
        "king, queen, royal, monarch, sultan, prince, princess, palace, throne, crown, "
        "raja, ratu, kerajaan, keraton, kesultanan, istana, "
        "Agong, baginda, titah, permaisuri, tuanku, putera, DYMM, "
        "quốc vương, nhà vua, hoàng gia, hoàng tử, công chúa, nữ hoàng, vương, "
        "корол, монарх, принц, принцесс, султан, царск, династи"
    ),
    "public-finance": (
        "budget, tax, fiscal, deficit, debt, revenue, finance ministry, treasury, subsid, bond, "
        "APBN, APBD, anggaran, pajak, cukai, fiskal, defisit, utang, Kemenkeu, "
        "Sri Mulyani, PPN\\b, "
        "belanjawan, bajet, hasil, LHDN, SST\\b, hutang, Kementerian Kewangan, "
        "ngân sách, thuế, tài khóa, bội chi, nợ công, Bộ Tài chính, "
        "бюджет, налог, дефицит, Минфин, госдолг, доход"
    ),
}

# Stage 2: narrow probes; an unpooled text with one in its title or two in its read text is added.
STRONG = {
    "health-care": (
        r"hospital|healthcare|health care|rumah sakit|puskesmas|BPJS Kesehatan|Kemenkes|"
        r"kesihatan|bệnh viện|Bộ Y tế|здравоохранени|больниц|Минздрав"
    ),
    "climate-change": (
        r"climate change|global warming|greenhouse|net.zero|perubahan iklim|emisi karbon|"
        r"pemanasan global|biến đổi khí hậu|phát thải|изменени\w* климат|парников"
    ),
    "film-music": (
        r"film festival|box office|bioskop|konser|filem|pawagam|điện ảnh|ca sĩ|кинофестивал|"
        r"фильм\w*|концерт"
    ),
    "monarchy": (
        r"monarch\w*|royal family|Agong|Sultan|Yang di-Pertuan|quốc vương|hoàng gia|"
        r"король|королев\w*|монарх\w*"
    ),
    "public-finance": (
        r"state budget|budget deficit|fiscal|tax revenue|APBN|APBD|penerimaan pajak|belanjawan|"
        r"ngân sách|thu ngân sách|федеральн\w* бюджет|дефицит\w* бюджет"
    ),
}


if __name__ == "__main__":
    pool(PROBES, STRONG, JUDGED, SEED, "g")
