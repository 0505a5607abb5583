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


def decode_html(content: bytes, content_type: str | None = None) -> str:
    """The page as text: UTF-8 if it is that, else the HTTP charset, the ``<meta>`` one, a guess.

    UTF-8 first because a body that decodes as strict UTF-8 is UTF-8 whatever it declares (a
    Latin-1 text almost never forms valid multi-byte sequences), and mislabelled pages are common.
    """
    declared = ["utf-8"]
    if content_type and "charset=" in content_type.lower():
        declared.append(content_type.lower().split("charset=")[1].split(";")[0].strip(" \"'"))
    sniffed = _CHARSET.search(content[:4096])
    if sniffed:
        declared.append(sniffed.group(1).decode("ascii", "replace"))
    for charset in declared:
        try:
            return content.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    guess = from_bytes(content[:_GUESS_BYTES]).best()
    return content.decode(guess.encoding if guess else "utf-8", errors="replace")
