"""The lexicon audit: a written term expands only to what means the same; traps stay shut.

The rule (monitor/match/lexicon_files.py): an entry's equivalents mean the same thing at the
same specificity (translations, spellings, inflected forms); a broader, narrower or related word
is a member or another sense, reached only by ``{concept}``; a name expands only to its own names.
``AUDIT`` holds one row per shipped concept and for the names the traps are about: what a term
must and must not expand to. ``TRAPS`` are the false alerts the rule exists for, matched as plain
boolean filters (threshold 0), so they judge expansion, not scoring.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from monitor.match import Matcher, default_lexicon
from monitor.match.expand import expansions
from monitor.match.lexicon import key_of
from monitor.match.query import parse
from monitor.types import Document, Topic

DATA = Path(__file__).parent.parent / "monitor" / "data"

# term as written -> forms its expansion must hold, forms it must not (lexicon spellings)
AUDIT: list[tuple[str, str, set[str], set[str]]] = [
    # (entry id, term, must include, must not include)
    (
        "security",
        "security",
        {"keamanan", "an ninh", "безопасност*"},
        {"силовик*", "national security"},
    ),
    ("defence", "defence", {"pertahanan", "quốc phòng", "оборон*"}, {"Pentagon", "alutsista"}),
    ("military", "military", {"militer", "quân sự", "военн*"}, {"army", "troops", "navy", "TNI"}),
    (
        "military-exercise",
        "military exercise",
        {"tập trận", "latihan militer"},
        {"war game*", "маневр*"},
    ),
    ("weapons", "weapons", {"senjata", "vũ khí", "оружи*"}, {"artillery", "rifle*", "ammunition"}),
    ("missile", "missile", {"rudal", "tên lửa", "ракет*"}, {"hypersonic", "rocket*"}),
    ("warship", "warship", {"kapal perang", "tàu chiến"}, {"корабл*", "submarine*", "frigate*"}),
    (
        "fighter-jet",
        "fighter jet",
        {"pesawat tempur", "истребител*"},
        {"Sukhoi", "F-16", "warplane*"},
    ),
    ("drone", "drone", {"pesawat nirawak", "беспилотник*"}, set()),
    ("nuclear", "nuclear", {"nuklir", "hạt nhân"}, {"核电", "IAEA"}),
    (
        "terrorism",
        "terrorism",
        {"terorisme", "khủng bố", "террор*"},
        {"Densus", "ISIS", "ИГИЛ", "запрещенн* организаци*", "counter-terrorism", "jihadist*"},
    ),
    ("extremism", "extremism", {"ekstremis*", "экстремис*"}, {"militant*", "rebel*", "KKB"}),
    ("attack", "attack", {"serangan", "tấn công", "атак*"}, {"bomb", "explosion*", "теракт*"}),
    ("kidnapping", "kidnapping", {"penculikan", "bắt cóc"}, {"hostage*", "ransom"}),
    ("war", "war", {"perang", "chiến tranh", "войн*"}, {"conflict*", "СВО", "offensive"}),
    ("ceasefire", "ceasefire", {"gencatan senjata", "ngừng bắn"}, {"peace talks"}),
    ("sanctions", "sanctions", {"sanksi", "санкци*"}, {"embargo*", "антироссийск*", "sekatan"}),
    (
        "talks",
        "talks",
        {"perundingan", "hội đàm", "переговор*"},
        {"встреч*", "diplomat*", "envoy*"},
    ),
    ("summit", "summit", {"KTT", "thượng đỉnh", "саммит*"}, {"heads of state"}),
    ("state-visit", "state visit", {"kunjungan kenegaraan"}, {"official visit*", "working visit*"}),
    (
        "strategic-partnership",
        "strategic partnership",
        {"kemitraan strategis"},
        {"strategic dialogue", "strategic cooperation"},
    ),
    ("strategic", "strategic", {"strategis", "стратегическ*"}, {"alliance*", "geopolitic*"}),
    ("cooperation", "cooperation", {"kerja sama", "hợp tác"}, {"agreement*", "ties", "MoU"}),
    ("mercenary", "mercenary", {"tentara bayaran", "наемник*"}, {"recruit*", "Wagner", "ЧВК"}),
    (
        "narcotics",
        "drugs",
        {"narkoba", "dadah", "ma túy", "наркотик*"},
        {"sabu", "heroin", "ganja", "ketum", "нарко*", "BNN"},
    ),
    (
        "trafficking",
        "trafficking",
        {"peredaran", "trafic*"},
        {"smuggl*", "buôn bán", "Handel", "human trafficking"},
    ),
    (
        "human-trafficking",
        "human trafficking",
        {"perdagangan orang", "mua bán người"},
        {"forced labour", "scam compound*"},
    ),
    ("money-laundering", "money laundering", {"pencucian uang", "rửa tiền"}, {"отмывани*"}),
    (
        "corruption",
        "corruption",
        {"korupsi", "rasuah", "tham nhũng"},
        {"KPK", "bribe*", "gratifikasi"},
    ),
    ("fraud", "fraud", {"penipuan", "lừa đảo"}, {"phishing", "judi online", "scam*"}),
    (
        "arrest",
        "arrest",
        {"ditangkap", "bắt giữ", "арест*", "diberkas"},
        {"tersangka", "crackdown", "diamankan", "berkas"},
    ),
    (
        "police",
        "police",
        {"polisi", "polis", "công an", "полици*"},
        {"Bea Cukai", "customs", "aparat", "Polri", "МВД"},
    ),
    ("raid", "raid", {"penggerebekan", "đột kích", "рейд*"}, {"seiz*", "barang bukti"}),
    ("trial", "trial", {"persidangan", "xét xử"}, {"court", "prison", "PN", "execut*"}),
    ("border", "border", {"perbatasan", "biên giới", "границ*"}, {"border guard*", "lintas batas"}),
    (
        "coast-guard",
        "coast guard",
        {"penjaga pantai", "cảnh sát biển", "海警"},
        {"Bakamla", "water cannon*", "KPLP"},
    ),
    ("maritime", "maritime", {"maritim", "hàng hải"}, {"vessel*", "fishermen", "reef"}),
    ("sovereignty", "sovereignty", {"kedaulatan", "chủ quyền"}, {"dispute*", "claim*", "harass*"}),
    ("patrol", "patrol", {"patroli", "tuần tra"}, {"surveillance", "escort*"}),
    ("weather", "weather", {"cuaca", "thời tiết"}, {"heavy rain*", "BMKG", "angin kencang"}),
    ("rain", "heavy rain", {"hujan lebat", "mưa lớn"}, {"flood*", "banjir"}),
    (
        "flood",
        "flood",
        {"banjir", "lũ lụt", "наводнени*"},
        {"hujan lebat", "hujan deras", "heavy rain*", "air pasang"},
    ),
    (
        "earthquake",
        "earthquake",
        {"gempa", "động đất", "землетрясени*"},
        {"BMKG", "magnitude", "susulan"},
    ),
    ("tsunami", "tsunami", {"sóng thần", "цунами"}, set()),
    ("storm", "storm", {"badai", "bão", "шторм*"}, {"typhoon*", "angin kencang", "siklon"}),
    ("landslide", "landslide", {"longsor", "sạt lở"}, {"сел*", "mudslide*"}),
    ("volcano", "volcano", {"gunung berapi", "núi lửa"}, {"eruption*", "Ausbruch"}),
    ("drought", "drought", {"kekeringan", "hạn hán"}, {"kemarau", "nắng nóng", "жар*"}),
    ("fire", "fire", {"kebakaran", "пожар*"}, {"api", "haze", "Brand", "wildfire*"}),
    ("disaster", "disaster", {"bencana", "thảm họa"}, {"evakuasi", "BNPB", "thiên tai", "~ungsi"}),
    ("casualties", "casualties", {"korban jiwa", "thương vong"}, {"killed", "korban"}),
    ("epidemic", "epidemic", {"wabah", "dịch bệnh"}, {"virus", "dengue", "COVID"}),
    ("election", "election", {"pemilu", "bầu cử", "выборы"}, {"KPU", "kampanye", "pilkada"}),
    ("protest", "protest", {"unjuk rasa", "biểu tình", "протест*"}, {"riot*", "strike"}),
    ("coup", "coup", {"kudeta", "đảo chính"}, {"martial law", "junta"}),
    ("tariff", "tariff", {"tarif", "thuế quan", "пошлин*"}, {"trade war*", "levy"}),
    ("trade", "trade", {"perdagangan", "thương mại"}, {"export", "imports", "торгов*"}),
    ("economy", "economy", {"ekonomi", "kinh tế"}, {"inflation", "GDP"}),
    ("energy", "energy", {"energi", "năng lượng"}, {"oil", "gas", "Pertamina", "điện"}),
    (
        "cyberattack",
        "cyberattack",
        {"serangan siber", "tấn công mạng"},
        {"phishing", "hacker*", "cybersecurity"},
    ),
    (
        "data-breach",
        "data breach",
        {"kebocoran data", "rò rỉ dữ liệu"},
        {"leaked", "personal data"},
    ),
    ("espionage", "espionage", {"spionase", "шпионаж*"}, {"intelligence", "BIN"}),
    (
        "refugees",
        "refugees",
        {"pengungsi", "người tị nạn", "беженц*"},
        {"migrant*", "Rohingya", "~ungsi"},
    ),
    ("human-rights", "human rights", {"hak asasi manusia", "nhân quyền"}, {"torture", "SUHAKAM"}),
    ("piracy", "piracy", {"perompakan", "cướp biển", "пират*"}, {"hijack*", "rompakan"}),
    # further senses expand to their own equivalents only
    (
        "terrorism/counter-terrorism",
        "counter-terrorism",
        {"pemberantasan terorisme", "chống khủng bố", "антитеррор*"},
        {"terorisme", "Densus"},
    ),
    (
        "storm/typhoon",
        "typhoon",
        {"topan", "тайфун*", "台风"},
        {"siklon", "angin kencang", "badai"},
    ),
    (
        "disaster/natural-disaster",
        "natural disaster",
        {"bencana alam", "thiên tai"},
        {"bencana", "evakuasi", "BNPB"},
    ),
    ("cyberattack/phishing", "phishing", {"фишинг*"}, {"penipu", "penipuan", "~tipu"}),
    (
        "fire/haze",
        "haze",
        {"kabut asap", "jerebu", "khói mù"},
        {"kebakaran", "cháy", "api", "fire", "смог"},
    ),
    # names: their own names in other languages and scripts, never their category or parts
    ("RU", "Russia", {"Rusia", "Nga", "Росси*", "РФ"}, {"Moscow", "Kremlin", "Москв*", "俄军"}),
    ("ID", "Indonesia", {"Indonesia", "RI", "印尼"}, {"Jakarta", "TNI"}),
    ("US", "United States", {"AS", "Mỹ", "США"}, {"Washington", "Pentagon", "White House"}),
    ("CN", "China", {"Tiongkok", "Trung Quốc", "中方"}, {"Beijing", "中共"}),
    ("VN", "Vietnam", {"Việt Nam", "Вьетнам*"}, {"Hanoi", "Hà Nội"}),
    ("ASEAN", "ASEAN", {"АСЕАН", "东盟"}, {"Southeast Asia", "Asia Tenggara"}),
    ("UN", "United Nations", {"PBB", "ООН"}, {"Security Council", "Hội đồng Bảo an"}),
    (
        "south-china-sea",
        "South China Sea",
        {"Laut China Selatan", "Biển Đông", "南海"},
        {"Spratly", "Natuna", "Trường Sa"},
    ),
    ("spratly-islands", "Spratly", {"Trường Sa", "南沙"}, {"Pagasa", "Thitu"}),
    ("natuna", "Natuna", {"Kepulauan Natuna"}, {"Laut Natuna"}),
    (
        "densus-88",
        "Densus",
        {"Densus 88", "Detasemen Khusus 88"},
        {"террор*", "ИГИЛ", "teroris", "BNPT"},
    ),
    ("ISIS", "ISIS", {"ИГИЛ", "Islamic State"}, {"террор*", "terrorism"}),
    ("Moscow", "Moscow", {"Москв*", "Moskow"}, {"Росси*", "Kremlin"}),
]


def forms_of(term: str) -> set[str]:
    """The lexicon spellings a written term expands to (empty when the lexicon does not know it)."""
    query = parse(f'"{term}"' if " " in term else term)
    return {form.text for e in expansions(query, default_lexicon()) for form in e.forms}


@pytest.mark.parametrize(
    ("entry", "term", "included", "excluded"), AUDIT, ids=[r[0] for r in AUDIT]
)
def test_audit(entry: str, term: str, included: set[str], excluded: set[str]) -> None:
    """The term expands to its equivalents and to none of the related or narrower words."""
    forms = forms_of(term)
    assert (set(), set()) == (included - forms, excluded & forms), entry


def test_every_shipped_concept_is_audited() -> None:
    """A row per concept of concepts.yaml (names: the structural rule below, and the rows above)."""
    text = (DATA / "concepts.yaml").read_text(encoding="utf-8")
    shipped = set(re.findall(r"^  ([A-Za-z0-9][\w:.-]*):$", text, re.MULTILINE))
    assert set() == shipped - {row[0] for row in AUDIT}


#: forms that are equivalents of two entries, because the word really has both senses
SHARED = {
    "bão": {"storm", "storm/typhoon"},  # Vietnamese names a typhoon with the word for storm
    "gián điệp": {"espionage", "espionage/spy"},  # espionage and a spy
    "间谍": {"espionage", "espionage/spy"},
    "tuntutan": {"sovereignty/claims", "trial/prosecution"},  # a claim and a charge
    "наркокурьер*": {"narcotics/drug-trafficking", "trafficking/couriers"},
}


def test_no_form_is_an_equivalent_of_two_entries() -> None:
    """Entries do not overlap: a name never holds another name (its capital, its organs), and a
    sense never holds another's words, except the ambiguous words of ``SHARED``."""
    lexicon = default_lexicon()
    owners: defaultdict[str, set[str]] = defaultdict(set)
    for cid, concept in lexicon.concepts.items():
        if concept.origin != "CLDR":
            for variant in lexicon.variants(cid):
                owners[key_of(variant.term)].add(cid)
    shared = {key: ids for key, ids in owners.items() if len(ids) > 1}
    assert shared == SHARED


def test_every_include_names_an_entry() -> None:
    """``includes`` refer to entries that exist (a typo would silently empty a concept)."""
    lexicon = default_lexicon()
    unknown = {(c.id, i) for c in lexicon.concepts.values() for i in c.includes}
    assert set() == {(cid, i) for cid, i in unknown if i not in lexicon.concepts}


# --- traps -------------------------------------------------------------------------------------

TRAPS: list[tuple[str, str, bool]] = [
    # (query, headline, matches) -- densus is a unit, not the category of terrorism
    ("densus", "Теракт в Москве: ИГИЛ взял на себя ответственность", False),
    ("densus", "В Дагестане задержаны террористы", False),
    ("densus", "Polisi tangkap terduga teroris di Poso", False),
    ("densus", "Densus 88 tangkap terduga teroris di Poso", True),
    ("densus", "Detasemen Khusus 88 menangkap dua orang", True),
    # haze is not a fire
    ("haze", "Kebakaran rumah di Bekasi, tiga orang luka", False),
    ("haze", "Cháy nhà ở Hà Nội, hai người bị thương", False),
    ("haze", "Api melalap gudang di Surabaya", False),
    ("haze", "Он смог доехать до Москвы", False),
    ("haze", "Jerebu kembali melanda Johor", True),
    ("haze", "Kabut asap selimuti Pekanbaru", True),
    ("haze", "Khói mù bao phủ Hà Nội", True),
    # a natural disaster is not an evacuation, an agency or any disaster
    ('"thiên tai"', "Evakuasi warga korban banjir di Bekasi", False),
    ('"thiên tai"', "BNPB kirim bantuan logistik ke Sumbar", False),
    ('"thiên tai"', "Bencana di Sumbar, ribuan warga mengungsi", False),
    ('"thiên tai"', "Thiên tài bóng đá trẻ của Việt Nam", False),
    ('"thiên tai"', "Bencana alam melanda Sumatera Barat", True),
    ('"thiên tai"', "Natural disasters cost Asia billions", True),
    ('"thiên tai"', "Стихийное бедствие в Приморье", True),
    # phishing is not any fraud
    ("phishing", "Polisi tangkap penipu online di Medan", False),
    ("phishing", "Penipuan investasi bodong rugikan warga", False),
    ("phishing", "Waspada phishing mengatasnamakan bank", True),
    ("phishing", "Фишинговые рассылки от имени банков", True),
    # the terrorism concept does not hold the boilerplate of Russian media
    ("{terrorism}", "Meta (запрещенная в России организация) объявила о сокращениях", False),
    ("{terrorism}", "Экстремистская организация, запрещенная в РФ, провела акцию", False),
    ("{terrorism}", "Densus 88 tangkap terduga teroris di Poso", True),
    ("{terrorism}", "Силовики предотвратили теракт: ИГИЛ", True),
    # a weather forecast is not a flood, a typhoon or an earthquake
    ("flood*", "Hujan Lebat dan Angin Kencang Berpotensi Landa Jawa Barat, Kata BMKG", False),
    ("typhoon*", "Hujan Lebat dan Angin Kencang Berpotensi Landa Jawa Barat, Kata BMKG", False),
    ("earthquake*", "Hujan Lebat dan Angin Kencang Berpotensi Landa Jawa Barat, Kata BMKG", False),
    ("typhoon*", "BMKG: bibit siklon tropis terpantau di selatan Jawa", False),
    ("flood*", "Hujan lebat dan ribut petir di beberapa negeri", False),
    ("flood*", "Dự báo thời tiết: mưa lớn, gió giật mạnh ở Bắc Bộ", False),
    ("flood*", "Banjir rendam ribuan rumah di Bekasi", True),
    ("typhoon*", "Topan Haiyan menerjang Filipina", True),
    ("typhoon*", "Siêu bão Yagi đổ bộ vào Quảng Ninh", True),
    ("earthquake*", "Gempa M 5,6 guncang Cianjur", True),
    ("earthquake*", "Землетрясение магнитудой 7 произошло у берегов Камчатки", True),
    # a name expands to its own names only, a concept to all it holds
    ("Russia", "Kremlin says talks with Hanoi went well", False),
    ("Russia", "В Москве прошла встреча", False),
    ("Russia", "Переговоры с Россией", True),
    ("{Russia}", "В Москве прошла встреча", True),
    ("drugs", "Polisi sita 5 kg sabu", False),
    ("{drugs}", "Polisi sita 5 kg sabu", True),
    # the price of a thing is narrower than the thing: "giá điện" (electricity price) is not a
    # form of electricity, so it must not fire on any text that mentions electricity
    ('"giá điện"', "Hati-hati, Ragam Perangkat Ini Tetap Sedot Listrik", False),
    ('"giá điện"', "Projek Landasan Berkembar Elektrik Gemas-JB 85 peratus siap", False),
    ('"giá điện"', "Duel Ketat SUV Listrik Rp 200 Jutaan", False),
    ('"giá điện"', "EVN điều chỉnh tăng giá điện bình quân 4,8%", True),
    ("electricity", "Listrik padam di Jakarta", True),
    ("electricity", "Bộ Công Thương: tiêu thụ điện năng tăng mạnh", True),
]


@pytest.mark.parametrize(("query", "title", "matches"), TRAPS)
def test_trap(query: str, title: str, matches: bool) -> None:
    """Each query, as a plain boolean filter, fires only on the sense it was written in."""
    found = Matcher([Topic("t", "t", query, 0.0)]).match(Document("d", title, ""))
    assert matches == bool(found)


def test_a_name_includes_only_names() -> None:
    """A name's concept holds other names (Russia: Moscow, the Kremlin), never a category."""
    lexicon = default_lexicon()
    named = [c for c in lexicon.concepts.values() if c.kind != "concept"]
    categories = {
        (c.id, i) for c in named for i in c.includes if lexicon.concepts[i].kind == "concept"
    }
    assert set() == categories
