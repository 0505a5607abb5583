"""Decoding an HTML page's bytes to text, whatever it declares.

Owns: the choice of character encoding for article and listing pages. Pure.
Does not own: parsing the HTML (selectolax, trafilatura).
"""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
#: a guess reads at most this much of the page (it is slow on megabytes)
_GUESS_BYTES = 200_000
#: labels browsers read as windows-1252 (WHATWG Encoding Standard): pages labelled ISO-8859-1
#: are nearly always windows-1252, whose 0x80-0x9F are curly quotes and dashes, not controls
_WINDOWS_1252 = frozenset(
    {"ascii", "ansi_x3.4-1968", "cp1252", "cp819", "csisolatin1", "ibm819", "iso-8859-1",
     "iso-ir-100", "iso8859-1", "iso88591", "iso_8859-1", "iso_8859-1:1987", "l1", "latin1",
     "us-ascii", "windows-1252", "x-cp1252"}
)  # fmt: skip


def decode_html(content: bytes, content_type: str | None = None) -> str:
    """The page as text: UTF-8 if it is that, else the HTTP charset, the ``<meta>`` one, a guess.

    UTF-8 first because a body that decodes as strict UTF-8 is UTF-8 whatever it declares (a
    Latin-1 text almost never forms valid multi-byte sequences), and mislabelled pages are common.
    Labels are read as browsers read them: ISO-8859-1 and ASCII mean windows-1252.
    """
    declared = ["utf-8"]
    if content_type and "charset=" in content_type.lower():
        declared.append(content_type.lower().split("charset=")[1].split(";")[0].strip(" \"'"))
    sniffed = _CHARSET.search(content[:4096])
    if sniffed:
        declared.append(sniffed.group(1).decode("ascii", "replace"))
    for charset in declared:
        if charset in _WINDOWS_1252:
            # five bytes are unassigned in windows-1252: replaced, never a reason to guess
            return content.decode("cp1252", errors="replace")
        try:
            return content.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    guess = from_bytes(content[:_GUESS_BYTES]).best()
    return content.decode(guess.encoding if guess else "utf-8", errors="replace")
