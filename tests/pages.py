"""Article and listing pages for tests, built around real texts (the Republika seed article).

The seed page is what a Republika article page looks like to a reader: a header with menus, the
date above the headline, a reporter line, a photo whose caption is repeated in the text, a share
bar, a "Baca Juga" block of related links inside the text, ads, the "Yuk koleksi buku..."
promotion, "Berita Lainnya" and a footer; no JSON-LD, so the written date is the only date.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

DATA = Path(__file__).parent / "data"
SEED = (DATA / "seed" / "republika-2021-12-07-rusia-asean.txt").read_text(encoding="utf-8")
SEED_LINES = [line.strip() for line in SEED.splitlines() if line.strip()]
SEED_DATE_LINE, SEED_TITLE, SEED_LEAD, SEED_BYLINE, SEED_CAPTION, SEED_CREDIT = SEED_LINES[:6]
#: the article's paragraphs: from the dateline to the promotion, without the "Baca Juga" label
SEED_PARAGRAPHS = [
    line
    for line in SEED_LINES[
        SEED_LINES.index(next(x for x in SEED_LINES if x.startswith("REPUBLIKA"))) :
    ]
    if not line.startswith(("Yuk koleksi", "Advertisement", "Berita Lainnya", "Baca Juga"))
]
SEED_URL = (
    "https://www.republika.co.id/berita/r3rzq4382/"
    "rusiaasean-perbarui-kerja-sama-pemberantasan-terorisme"
)
RELATED = [
    "Putin Undang Pemimpin ASEAN ke Sochi",
    "Indonesia dan Rusia Bahas Kerja Sama Pertahanan",
    "Menlu Retno Bertemu Lavrov di Jakarta",
]
PROMOTION = "Yuk koleksi buku bacaan berkualitas dari buku Republika ..."
MENU = ["News", "Internasional", "Ekonomi", "Sepak Bola", "Leisure", "Khazanah"]
BOILERPLATE = [
    "Baca Juga", *RELATED, "Yuk koleksi buku", "Advertisement", "Berita Lainnya", SEED_CAPTION,
    SEED_CREDIT, "Bagikan", "Copyright © 2021 Republika", *MENU,
]  # fmt: skip


#: a sentence two different stories may both carry (a figure, a stock phrase); its shingle
#: "sebanyak 1622 orang" has a smaller BLAKE2b hash than any other shingle of these texts, so
#: a MinHash whose values all keep the order of that hash takes the stories for one
SHARED_SENTENCE = "Sebanyak 1622 orang terlibat dalam program tersebut sepanjang tahun ini."
#: another story of Russia, ASEAN and security (written for the tests), ending in that sentence
DRILL_TITLE = "Rusia dan ASEAN Gelar Latihan Keamanan Maritim"
DRILL_PARAGRAPHS = [
    "JAKARTA -- Angkatan laut Rusia dan sejumlah negara ASEAN menggelar latihan keamanan maritim "
    "bersama di perairan Laut Andaman pekan ini.",
    "Latihan yang berlangsung lima hari itu melibatkan kapal perang, helikopter dan pasukan "
    "khusus dari Indonesia, Malaysia, Thailand dan Vietnam, kata juru bicara panitia.",
    "Komandan latihan menyebut kegiatan tersebut bertujuan meningkatkan kemampuan menghadapi "
    "pembajakan kapal, penyelundupan senjata dan ancaman teroris di jalur pelayaran internasional.",
    "Para perwira juga berlatih mengevakuasi awak kapal yang terluka dan memeriksa muatan kapal "
    "dagang yang dicurigai membawa bahan peledak.",
    SHARED_SENTENCE,
]


def seed_page(
    *,
    url: str = SEED_URL,
    title: str = SEED_TITLE,
    date_line: str = SEED_DATE_LINE,
    paragraphs: list[str] | None = None,
) -> bytes:
    """The seed article as a Republika-like page (no JSON-LD, no date meta tags)."""
    body = paragraphs if paragraphs is not None else SEED_PARAGRAPHS
    first, rest = body[:2], body[2:]
    p = "".join
    menu = p(f'<li><a href="/kanal/{m.lower()}">{escape(m)}</a></li>' for m in MENU)
    related = p(
        f'<li><a href="/berita/x{i}/related-{i}">{escape(t)}</a></li>'
        for i, t in enumerate(RELATED)
    )
    others = p(
        f'<li><a href="/berita/y{i}/lain-{i}">{escape(t)} (lain)</a></li>'
        for i, t in enumerate(RELATED)
    )
    return f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8">
<title>{escape(title)} | Republika Online</title>
<meta property="og:title" content="{escape(title)} | Republika Online">
<meta property="og:type" content="article">
<link rel="canonical" href="{escape(url)}">
<script>window.dataLayer = [{{"page": "detail"}}];</script>
</head><body>
<header class="header"><div class="logo"><a href="/">Republika</a></div>
<nav class="menu"><ul>{menu}</ul></nav></header>
<main><article class="detail">
<div class="date-detail">{escape(date_line)}</div>
<h1>{escape(title)}</h1>
<div class="teaser">{escape(SEED_LEAD)}</div>
<div class="reporter">{escape(SEED_BYLINE)}</div>
<figure><img src="/img/putin-asean.jpg" alt="{escape(SEED_CAPTION)}">
<figcaption>{escape(SEED_CAPTION)}<br><span>{escape(SEED_CREDIT)}</span></figcaption></figure>
<div class="share-box"><span>Bagikan</span> <a href="#fb">Facebook</a> <a href="#tw">Twitter</a>
<a href="#wa">WhatsApp</a></div>
<div class="artikel">
<p>{escape(SEED_CAPTION)}</p>
{p(f"<p>{escape(x)}</p>" for x in first)}
<div class="baca-juga"><h3>Baca Juga</h3><ul>{related}</ul></div>
{p(f"<p>{escape(x)}</p>" for x in rest)}
<p><a href="https://buku.republika.co.id">{PROMOTION}</a></p>
</div>
<div class="ads"><span>Advertisement</span></div>
</article>
<aside class="sidebar"><h3>Berita Lainnya</h3><ul>{others}</ul>
<div class="ads"><span>Advertisement</span></div></aside>
</main>
<footer><p>Copyright © 2021 Republika Online. All rights reserved.</p></footer>
</body></html>""".encode()
