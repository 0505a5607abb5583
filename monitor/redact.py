"""Keeping secrets out of logs and command output: a redactor under every log record.

Owns: which parts of the configuration are secrets (channel URLs and their parts, the database
password, credentials and token-like query parameters in feed URLs), masking them in any text
and in one URL (``masked_url``: what the dashboard shows of a feed's URL),
and a logging record factory that masks every record, from every logger (ours, httpx's,
httpcore's, apprise's, SQLAlchemy's) at every level, before any handler formats it.
Besides what it was told, it masks by shape: the ``user:password@`` of any URL, the value of a
query parameter or a printed dict item named like a secret (``?token=``, ``api_key=``,
``'password': '...'`` ...), and everything
after ``scheme://`` in a URL whose scheme is not http(s) (apprise URLs carry tokens in the host
and path: ``tgram://BOT_TOKEN/CHAT_ID``). A told secret is masked anywhere when it is long, only
as a whole word when short (``WHOLE_WORD_BELOW``); the host and path of a generic webhook
(``json://hooks.example/feed``) are not secrets, a service's (``tgram://``, ``discord://``) are.
Does not own: what is logged (modules log ids and kinds, not URLs: this is the second line).

The logging module is process-wide state, so the installed redactor is too (``install``).
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterable
from typing import Any
from urllib.parse import SplitResult, parse_qsl, quote, unquote, urlsplit

MASK = "***"
#: a secret this long is masked wherever it appears, even inside a word; a shorter one only as a
#: whole word (not between letters, digits or ``_``), as a 2-character password "pe" masked
#: anywhere turned ``OperationalError`` into ``O***rationalError``. Eight: the shortest password
#: NIST SP 800-63B lets people choose, and shorter strings are commonly words or parts of words
#: (``news``, ``admin``, ``secret``); tokens services issue are far longer, and a long one stays
#: masked where no word boundary is (``\\ntoken`` in a printed string, ``%2Ftoken``)
WHOLE_WORD_BELOW = 8

#: the user information of a URL, up to the LAST ``@`` of its authority (``u:p@ss@host``: the
#: password is ``p@ss``); the authority ends at ``/``, ``?``, ``#`` or where the URL does
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s?#\"<>]+@")
_SECRET_NAME = r"[a-z0-9_.-]*(?:token|key|secret|passw(?:or)?d|pass|pwd|auth|sig|signature|session|sid|code|credential)[a-z0-9_.-]*"  # noqa: E501 (one pattern)
_SECRET_PARAM = re.compile(rf"(?i)([?&;]{_SECRET_NAME}=)[^&#\s\"'<>]+")
# a database URL's host and name are no secret (its password is masked as userinfo): keep them
_OTHER_SCHEME = re.compile(
    r"(?i)(?<![a-z0-9+.-])((?!https?://)(?!(?:postgres(?:ql)?|sqlite)(?:\+[a-z0-9]+)?://)"
    r"[a-z][a-z0-9+.-]{1,20})://[^\s\"'<>]+"
)
_SECRET_KEY = re.compile(rf"(?i)^{_SECRET_NAME}$")
#: a secret-named item of a dict or keyword list as Python prints it: apprise logs the parts of
#: a URL it could not load as a dict (``'password': 'pw'``)
_SECRET_ITEM = re.compile(rf"(?i)(['\"]{_SECRET_NAME}['\"]\s*:\s*)(['\"])[^'\"\n]*\2")


class Redactor:
    """Masks secrets in text: the ones it was told about, and secret-shaped URL parts."""

    def __init__(self) -> None:
        #: each told secret, longest first, with its whole-word pattern when it is short
        self._told: tuple[tuple[str, re.Pattern[str] | None], ...] = ()

    def remember(self, secrets: Iterable[str]) -> None:
        """Add secrets (each also masked percent-encoded and decoded); longest are masked first,
        short ones only as whole words (``WHOLE_WORD_BELOW``)."""
        known = {secret for secret, _pattern in self._told}
        for secret in secrets:
            known.update(s for s in (secret, quote(secret, safe=""), unquote(secret)) if s)
        longest_first = sorted(known, key=lambda s: (-len(s), s))
        self._told = tuple((s, _whole_word(s)) for s in longest_first)

    def redact(self, text: str) -> str:
        for secret, pattern in self._told:
            if secret in text:  # the plain test first: most lines hold no secret
                text = pattern.sub(MASK, text) if pattern else text.replace(secret, MASK)
        text = _USERINFO.sub(rf"\1{MASK}@", text)
        text = _SECRET_PARAM.sub(rf"\1{MASK}", text)
        text = _SECRET_ITEM.sub(rf"\1\2{MASK}\2", text)
        return _OTHER_SCHEME.sub(rf"\1://{MASK}", text)


#: a word character may not come before a short secret, unless it ends a ``%XX`` escape
#: (``%2Fpe``: the ``F`` belongs to the escape, not to a word)
_WORD_START = r"(?:(?<!\w)|(?<=%[0-9A-Fa-f]{2}))"


def _whole_word(secret: str) -> re.Pattern[str] | None:
    """None for a long secret (masked anywhere); for a short one, a pattern that finds it only
    outside a word (a side that is no word character, as the ``-`` of ``-pw``, needs none)."""
    if len(secret) >= WHOLE_WORD_BELOW:
        return None
    before = _WORD_START if re.match(r"\w", secret) else ""
    after = r"(?!\w)" if re.search(r"\w$", secret) else ""
    return re.compile(before + re.escape(secret) + after)


#: apprise's generic webhooks: their host and path say where to post, like an https URL's, and
#: apprise marks only the password private; a token rides in the query (``?token=``, a ``+``
#: header) or, on a path that holds one, as a token-like segment (masked as in a feed's path)
WEBHOOK_SCHEMES = frozenset({"json", "jsons", "xml", "xmls", "form", "forms"})


def url_secrets(url: str, *, token_host: bool = False) -> set[str]:
    """The secret parts of ``url``: user and password, secret-named query values and token-like
    path segments and query values; with ``token_host`` (apprise URLs) also the whole URL and,
    unless it is a generic webhook (``WEBHOOK_SCHEMES``), a dotless host and every path segment
    and query value, which is where services put tokens (``tgram://TOKEN/CHAT``)."""
    try:
        parts = urlsplit(url)
        found = {parts.username or "", parts.password or ""}
    except ValueError:
        return {url}
    query = _query(parts.query)
    found.update(value for key, value in query if _SECRET_KEY.match(key.lstrip("+-:")))
    # feeds put tokens where no name says so: ``/feeds/<token>/rss``, ``?k=<token>``
    found.update(part for part in parts.path.split("/") if _tokenish(part))
    found.update(value for _key, value in query if _tokenish(value))
    if token_host:
        found.add(url)
        found |= (
            _webhook_secrets(query) if parts.scheme in WEBHOOK_SCHEMES else _service_secrets(parts)
        )
    return {s for s in found if s}


def _query(query: str) -> list[tuple[str, str]]:
    """The query's pairs with ``+`` kept as written, as apprise reads them (``?+Header=``) and
    as a token spells it (base64's ``+``), not turned into a space as in a form."""
    return parse_qsl(query.replace("+", "%2B"))


def _webhook_secrets(query: list[tuple[str, str]]) -> set[str]:
    """A webhook's headers (``?+Authorization=Bearer%20...``): where its credentials go."""
    headers = [value for key, value in query if key.startswith("+")]
    # the credential alone too: ``Bearer <token>`` may be logged without its scheme word
    return {*headers, *(value.split()[-1] for value in headers if value.strip())}


def _service_secrets(parts: SplitResult) -> set[str]:
    """An apprise service's tokens: a dotless host, path segments and query values (6+)."""
    host = parts.netloc.rpartition("@")[2]
    found = {host if "." not in host else ""}
    found.update(segment for segment in parts.path.split("/") if len(segment) >= 6)
    found.update(value for _key, value in _query(parts.query) if len(value) >= 6)
    return found


def masked_url(url: str) -> str:
    """``url`` as it may be shown: its secrets (``url_secrets``) and secret-shaped parts masked,
    as ``monitor sources --opml`` and the logs show it (``http://***@host/feed?api_key=***``)."""
    redactor = Redactor()
    redactor.remember(url_secrets(url))
    return redactor.redact(url)


def _tokenish(text: str) -> bool:
    """Looks like a key rather than a word or a number: long, letters and digits mixed."""
    letters = any(c.isalpha() for c in text)
    digits = any(c.isdigit() for c in text)
    return (len(text) >= 12 and letters and digits) or len(text) >= 32


def _database_secrets(url: str) -> set[str]:
    """Only the password: the user name (``postgres``) masked everywhere made every message
    about the database unreadable (``***ql+psycopg://***``)."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return {url}
    return {password} if password else set()


def settings_secrets(settings: Any) -> set[str]:
    """Every secret in ``monitor.config.Settings`` (typed loosely: config is above us)."""
    found = _database_secrets(settings.database_url)
    for channel in settings.channels:
        for url in channel.urls:
            found |= url_secrets(url, token_host=True)
    for source in settings.sources:
        found |= url_secrets(source.url)
    web = getattr(settings, "web", None)
    if web is not None and web.token:
        found.add(web.token)
    return found


_installed: Redactor | None = None


def install() -> Redactor:
    """Mask every log record of the process from now on; returns the (one) redactor."""
    global _installed  # logging is process-wide; installing twice would mask twice
    if _installed is None:
        _installed = Redactor()
        logging.setLogRecordFactory(_masking_factory(logging.getLogRecordFactory(), _installed))
    return _installed


def _masking_factory(inner: Any, redactor: Redactor) -> Any:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = inner(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: logging reports it; keep the record as is
            return record
        record.msg, record.args = redactor.redact(message), None
        if record.exc_info and record.exc_info[0] is not None:
            # formatters use exc_text when set: the traceback is masked once, here
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
            record.exc_text = redactor.redact(text)
        if record.stack_info:
            record.stack_info = redactor.redact(record.stack_info)
        return record

    return factory
