"""Text from outside (a feed's title, a server's error) made safe to show on one line.

Pure and at the bottom: only the standard library, so the alerts (``monitor.notify``) and the
command line's tables (``monitor.cli.common``) clean text the same way without importing each
other.
Owns: ``one_line``: control characters dropped (C0, DEL and C1: a terminal acts on ESC and CSI
sequences), format characters dropped (the bidi overrides and isolates, U+202A-202E and
U+2066-2069, that would reorder what follows them on the line, zero-width ones with them), and
every run of white space made one space (a line break in a title would split a table's row);
``without_escapes``: terminal escape sequences dropped whole, parameters and payload with them.
Does not own: escaping for a format (each output's own: HTML, Markdown, XML), nor the dashboard
and Atom, which keep a text's own line breaks and joiners and drop only the bidi controls
(``monitor.web.present.without_bidi_controls``).
"""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
#: a terminal's escape sequence whole: CSI (``ESC [ 31 m``), OSC (``ESC ] 0;title BEL``, to BEL
#: or ST) and a lone two-character escape; dropping only the ESC leaves ``[31m`` in the text
_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")


def without_escapes(text: str) -> str:
    """``text`` without terminal escape sequences, their parameters and an OSC's payload
    (hidden text a terminal never shows, so no word of the text)."""
    return _ESCAPE.sub("", text) if "\x1b" in text else text


def one_line(text: str) -> str:
    """``text`` with control characters dropped and every run of whitespace made one space."""
    text = _SPACE.sub(" ", text)
    return "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf")).strip()
