"""Item identity: one key per story, whichever feed or page carried it.

Owns: ``http_link`` (a link as written in a feed, page or sitemap -> its absolute http(s) URL, or
nothing), ``canonical_url`` (the normal form of a link used as an identity key) and ``item_key``
(the key of an item: its canonical link, else its feed guid). Pure string work, no I/O.
Does not own: following redirects or reading ``<link rel=canonical>`` (that needs the page; see
``monitor.extract``), nor deciding which items are new (the store's unique key does that).

Canonical form: scheme and host lower-cased, default port dropped, empty path -> ``/``, fragment
dropped (except ``#!`` "hash-bang" routes, which address content), tracking parameters removed and
the remaining query parameters sorted. Everything else is kept *as written*: query pairs are not
decoded and re-encoded, so ``a=b%2Fc`` stays ``a=b%2Fc`` and the key matches what the site serves.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

#: query parameters that only say how a reader arrived (campaign, click and share trackers);
#: compared lower-cased. ``utm_*`` is matched by prefix (see ``TRACKING_PREFIXES``).
TRACKING_PARAMS = frozenset(
    {
        # ad-click ids: Facebook, Google, Microsoft, Yandex, Twitter, TikTok, LinkedIn
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "twclid", "ttclid", "li_fat_id", "igshid", "igsh",
        # Google Analytics linker, Mailchimp, HubSpot, Marketo, Vero
        "_ga", "_gl", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "__hstc", "__hssc", "__hsfp",
        "hsctatracking", "mkt_tok", "vero_id", "vero_conv",
        # share / referral markers
        "ref_src", "ref_url", "sr_share", "smid", "__twitter_impression",
        # news-site analytics: Webtrekk (heise, ...), AT Internet (BBC, Le Monde), Guardian,
        # CBS/GameSpot, NYT, Microsoft (MSN), Yahoo, Alibaba-style ``spm``
        "wt_mc", "wt_zmc", "wt_ref", "xtor", "at_medium", "at_campaign", "at_custom1",
        "at_custom2", "at_custom3", "at_custom4", "cmp", "cmpid", "ftag", "_r", "ocid", "ncid",
        "guccounter", "guce_referrer", "guce_referrer_sig", "soc_src", "soc_trk", "spm",
    }
)  # fmt: skip
#: parameter-name prefixes that are always tracking (``utm_source``, ``utm_medium``, ...)
TRACKING_PREFIXES = ("utm_",)

_DEFAULT_PORTS = {"http": 80, "https": 443}
# C0 controls and DEL: never part of a link, and PostgreSQL refuses NUL (hostile feeds send it)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def http_link(link: str | None, base: str) -> str | None:
    """The absolute http(s) form of ``link`` (relative to ``base``), without control characters
    or surrounding blanks; None when empty, of another scheme (``mailto:``, ``javascript:``) or
    one that does not parse (a hostile ``http://[::1/x`` with an unclosed bracket). Never raises.

    A link that is only a ``#fragment`` is None too: it names a spot in the base document itself
    (the feed or listing page, never an article), and resolving it would carry the base's query,
    which may hold the feed's ``?api_key=``, into a stored and published article URL. A ``#!``
    route addresses content and is kept."""
    cleaned = _CONTROL.sub("", link or "").strip()
    if not cleaned or (cleaned.startswith("#") and not cleaned.startswith("#!")):
        return None
    try:
        absolute = urljoin(base, cleaned)
        scheme = urlsplit(absolute).scheme
    except ValueError:
        return None
    return absolute if scheme in ("http", "https") else None


def canonical_url(url: str) -> str:
    """Return the canonical form of ``url`` (see the module docstring)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    fragment = parts.fragment if parts.fragment.startswith("!") else ""
    return urlunsplit(
        (scheme, _netloc(scheme, parts.netloc), parts.path or "/", _query(parts.query), fragment)
    )


def item_key(url: str | None, guid: str | None) -> str:
    """The identity key of an item: its canonical http(s) link, else ``guid:<guid>``."""
    if url and urlsplit(url.strip()).scheme.lower() in _DEFAULT_PORTS:
        return canonical_url(url)
    if guid and guid.strip():
        return "guid:" + guid.strip()
    raise ValueError("an item needs an http(s) link or a guid to have a key")


def without_credentials(url: str) -> str:
    """``url`` without its ``user:password@`` (what may be stored or shown)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def with_credentials(url: str, configured: str) -> str:
    """``url`` with the ``user:password@`` of the ``configured`` URL when both name the same
    host and port (credentials are kept in the config only, and never go to another host)."""
    try:
        parts, origin = urlsplit(url), urlsplit(configured)
    except ValueError:
        return url
    userinfo, at, hostport = origin.netloc.rpartition("@")
    if not at or "@" in parts.netloc or parts.netloc.lower() != hostport.lower():
        return url
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{parts.netloc}"))


def is_tracking_param(name: str) -> bool:
    """True when a query parameter only tracks the reader (see ``TRACKING_PARAMS``)."""
    lowered = unquote_plus(name).lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _netloc(scheme: str, netloc: str) -> str:
    userinfo, at, hostport = netloc.rpartition("@")
    host, port = _split_port(hostport)
    host = host.lower().rstrip(".")
    if port and _DEFAULT_PORTS.get(scheme) != int(port):
        host = f"{host}:{port}"
    return f"{userinfo}{at}{host}"


def _split_port(hostport: str) -> tuple[str, str]:
    # rpartition on ':' would cut an IPv6 literal; only a trailing run of digits is a port.
    host, colon, port = hostport.rpartition(":")
    if colon and port.isdigit() and not host.endswith(":"):
        return host, port
    return hostport.rstrip(":"), ""


def _query(query: str) -> str:
    pairs = [pair for pair in query.split("&") if pair and not _is_tracking_pair(pair)]
    # Sorting the raw pairs (name first) orders by name, then value, without re-encoding.
    return "&".join(sorted(pairs, key=lambda pair: pair.partition("=")[::2]))


def _is_tracking_pair(pair: str) -> bool:
    return is_tracking_param(pair.partition("=")[0])
