"""Sending rendered messages through apprise: the only module that imports apprise.

Owns: turning each channel's apprise URLs into notifiers, putting the delivery id where
receivers can see it, the apprise settings that keep it from writing outside our control, and
turning apprise's verdict into success or a classified, secret-free ``DeliveryError``.
Does not own: rendering (``monitor.notify.render``), retries and backoff (the delivery job),
logging (apprise logs to the ``apprise`` logger, with secrets masked; we add nothing). While
``url_problem`` validates a URL, apprise's records are DEBUG: its "ERROR Unparseable URL ***"
came before, and said less than, the config error naming the file, line and key.

Where the delivery id travels, besides the ``id: ...`` footer every rendered body carries:

- as the header ``X-Delivery-Id`` with every plugin that takes custom headers (``json://``,
  ``xml://``, ``form://``, ``mailto://`` and other email plugins, ...);
- as the field ``delivery_id`` in the payload of every plugin that takes extra payload fields
  (``json://``, ``xml://``, ``form://``).

Apprise keeps those in the plugin instance, so each send builds fresh instances from URLs parsed
once at start-up: concurrent sends to one channel share no mutable state.

``json://`` and ``jsons://`` URLs are parsed by apprise but sent by ``monitor.notify.webhook``
(httpx), because apprise 2.3 throws a failed response away and with it the ``Retry-After``.
What is honoured, per service:

- webhooks (``json://``): the ``Retry-After`` header of any failed answer (seconds or a date);
- Telegram: the flood-wait in its error ("Too Many Requests: retry after 35"), which apprise
  logs at warning level;
- Discord: apprise itself waits out Discord's ``X-RateLimit-Reset`` before sending;
- any other service answering 429: apprise gives us only the status, so we wait at least
  ``RATE_LIMITED_WAIT`` seconds.

Every plugin sends through ``monitor.notify.outbound`` (no redirect, no proxy from the
environment, an answer read up to a cap), as ``json://`` does through ``monitor.notify.webhook``.

Also owns each channel's length limits (``Notifier.limits``), inferred from its URLs' services,
and the body an email gets: apprise writes an email's plain-text part from its HTML (Markdown it
first makes HTML), turning the newline after a line break into a space at the start of the next
line; an email plugin is given that HTML without white space after its line breaks.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import apprise
from apprise.conversion import convert_between
from apprise.manager_plugins import NotificationManager
from apprise.plugins import url_to_dict

from monitor.config import ChannelSettings
from monitor.errors import ConfigError, DeliveryError
from monitor.notify.outbound import guard_plugins
from monitor.notify.render import SUBJECT_MAX, Limits, Message
from monitor.notify.webhook import SCHEMES as WEBHOOK_SCHEMES
from monitor.notify.webhook import Webhook, post
from monitor.vocab import MessageFormat

DELIVERY_ID_HEADER = "X-Delivery-Id"
DELIVERY_ID_FIELD = "delivery_id"
#: default budget in seconds for one endpoint, after which apprise gives up waiting for it
SERVICE_TIMEOUT = 60.0

_FORMATS: dict[MessageFormat, apprise.NotifyFormat] = {
    "text": apprise.NotifyFormat.TEXT,
    "markdown": apprise.NotifyFormat.MARKDOWN,
    "html": apprise.NotifyFormat.HTML,
}
# apprise's plugins log "... error=500." for an HTTP status they did not accept
_HTTP_STATUS = re.compile(r"\berror=(\d{3})\b")
# Telegram's flood control, as apprise logs Telegram's error description
_FLOOD_WAIT = re.compile(r"retry after (\d+)", re.IGNORECASE)
#: seconds to wait at least after a 429 that came without a usable wait
RATE_LIMITED_WAIT = 60.0
#: what we know better than apprise's plugin attributes: (body, title); title 0 = none apart
_SERVICE_LIMITS: dict[str, tuple[int, int]] = {
    "tgram": (4096, 0),
    "discord": (2000, 0),  # Discord counts the title inside the 2,000
    "slack": (3000, 250),  # one Slack section block holds 3,000 characters
    "mailto": (100_000, 150),
    "mailtos": (100_000, 150),
}
#: share of a chat limit kept free for the markup apprise adds when converting formats
_MARGIN = 0.9
# A line break and the white space after it. apprise writes an email's plain-text part from its
# HTML, and makes that white space a space at the start of the next line (" Source: ...")
_BREAK_SPACE = re.compile(r"(<br\s*/?>)\s+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Endpoint:
    """One apprise URL of a channel, parsed once (it holds secrets: never log it)."""

    #: apprise's parsed form of the URL; copied before each use, never changed
    parsed: dict[str, Any]
    #: whether the plugin takes custom headers / extra payload fields
    takes_headers: bool
    takes_payload: bool
    #: the longest body and title its service takes (title 0: the title counts in the body)
    body_max: int
    title_max: int
    #: set for ``json://``/``jsons://``: we send these ourselves
    webhook: Webhook | None = None
    #: an email plugin: given HTML without white space after a line break (``_email_body``)
    email: bool = False


class Notifier:
    """Sends messages to the configured channels through apprise."""

    def __init__(
        self, channels: Sequence[ChannelSettings], *, timeout: float = SERVICE_TIMEOUT
    ) -> None:
        """Parse every channel URL now, so a bad one fails at start-up (``ConfigError``).

        ``timeout`` bounds the wait for one endpoint in seconds; a URL's own ``cto``/``rto``
        options (connect/read timeouts) bound the request itself.
        """
        _load_plugins()
        self._asset = _asset(timeout)
        self._timeout = timeout
        self._channels = {
            channel.name: tuple(
                _endpoint(url, self._asset, channel.name, index)
                for index, url in enumerate(channel.urls)
            )
            for channel in channels
        }

    async def send(self, channel: str, message: Message) -> None:
        """Send ``message`` through every URL of ``channel``; return once all accepted it.

        Raises ``DeliveryError`` when the channel is unknown or any endpoint failed. Its text
        names the channel, the endpoint's position and kind, and a fixed reason, never a URL.
        """
        endpoints = self._channels.get(channel)
        if endpoints is None:
            raise DeliveryError(f"unknown channel {channel!r}")
        if not endpoints:
            raise DeliveryError(f"channel {channel!r} has no URLs (disabled)")
        numbered = list(enumerate(endpoints, start=1))
        failures = await asyncio.gather(
            self._send_apprise([(p, e) for p, e in numbered if e.webhook is None], message),
            *(
                self._send_webhook(e.webhook, message, f"endpoint {position} (JSON)")
                for position, e in numbered
                if e.webhook is not None
            ),
        )
        failed = [f for f in failures if f is not None]
        if failed:
            waits = [f.retry_after for f in failed if f.retry_after is not None]
            count = sum(str(f).count("endpoint ") or 1 for f in failed)
            raise DeliveryError(
                f"channel {channel!r}: {count} of {len(endpoints)} endpoint(s) failed: "
                + "; ".join(str(f) for f in failed),
                retry_after=max(waits) if waits else None,
            )

    def limits(self, channel: ChannelSettings) -> Limits:
        """The longest message every URL of ``channel`` takes; its own keys override."""
        endpoints = self._channels.get(channel.name, ())
        body = min((e.body_max for e in endpoints), default=Limits().body)
        title = min((e.title_max or SUBJECT_MAX for e in endpoints), default=SUBJECT_MAX)
        if any(e.title_max == 0 for e in endpoints):
            body -= SUBJECT_MAX + 4  # the title is sent inside the body
        return Limits(body=channel.max_length or max(body, 200), title=channel.max_title or title)

    async def _send_apprise(
        self, endpoints: list[tuple[int, _Endpoint]], message: Message
    ) -> DeliveryError | None:
        """Email endpoints get the body as ``_email_body`` makes it; the others as it is."""
        email = [(p, e) for p, e in endpoints if e.email]
        others = [(p, e) for p, e in endpoints if not e.email]
        failed = [
            f
            for f in await asyncio.gather(
                self._notify(others, message, message.body, message.format),
                self._notify(email, message, *_email_body(message)),
            )
            if f is not None
        ]
        if not failed:
            return None
        waits = [f.retry_after for f in failed if f.retry_after is not None]
        return DeliveryError(
            "; ".join(str(f) for f in failed), retry_after=max(waits) if waits else None
        )

    async def _notify(
        self,
        endpoints: list[tuple[int, _Endpoint]],
        message: Message,
        body: str,
        fmt: MessageFormat,
    ) -> DeliveryError | None:
        if not endpoints:
            return None
        notifier = apprise.Apprise(asset=self._asset)
        for _position, endpoint in endpoints:
            notifier.add(_plugin(endpoint, message.delivery_id, self._asset))
        result = await notifier.async_notify(
            body=body, title=message.title, body_format=_FORMATS[fmt]
        )
        if result.status == apprise.AppriseResultStatus.SUCCESS:
            return None
        positions = [position for position, _endpoint in endpoints]
        return DeliveryError(_failure(result, positions), retry_after=_apprise_wait(result))

    async def _send_webhook(
        self, hook: Webhook, message: Message, where: str
    ) -> DeliveryError | None:
        try:
            # httpx bounds each phase; this bounds a receiver that answers one byte at a time
            await asyncio.wait_for(post(hook, message, where), self._timeout)
        except TimeoutError:
            return DeliveryError(f"{where} timed out")
        except DeliveryError as error:
            return error
        return None


def _email_body(message: Message) -> tuple[str, MessageFormat]:
    """The body an email plugin is given: HTML (Markdown made HTML as apprise would make it)
    with no white space after a line break, so the plain-text part apprise writes from it
    starts no line with a space; plain text as it is (it is sent as it is)."""
    if message.format == "text":
        return message.body, "text"
    body = message.body
    if message.format == "markdown":
        body = convert_between(apprise.NotifyFormat.MARKDOWN, apprise.NotifyFormat.HTML, body)
    return _BREAK_SPACE.sub(r"\1", body), "html"


def _load_plugins() -> None:
    """Load apprise's plugins now rather than lazily on the first URL.

    Its email plugin imports ``imghdr``, deprecated since Python 3.11; that one warning must not
    become an error where warnings are errors (our tests).
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="'imghdr' is deprecated", category=DeprecationWarning
        )
        NotificationManager().load_modules()
    # every plugin's HTTP: no redirect, no proxy from the environment, a bounded answer
    guard_plugins()


def _asset(timeout: float) -> apprise.AppriseAsset:
    return apprise.AppriseAsset(
        # no persistent storage: apprise writes nothing to disk (no storage_path either)
        storage_mode="memory",
        # never generate PGP/PEM keys on our behalf
        pgp_autogen=False,
        pem_autogen=False,
        # feed text is shown as written: no ``:smile:`` -> emoji, no ``\n`` unescaping
        interpret_emojis=False,
        interpret_escapes=False,
        # ``${NAME}`` in a feed title is text, not a template value
        allow_templates=False,
        service_timeout=timeout,
        http_redirects=False,
    )


def _endpoint(url: str, asset: apprise.AppriseAsset, channel: str, index: int) -> _Endpoint:
    parsed = url_to_dict(url, secure_logging=True)
    plugin = apprise.Apprise.instantiate(copy.deepcopy(parsed), asset=asset) if parsed else None
    if plugin is None:
        # the URL itself stays out of the message: it may carry a token or password
        raise ConfigError("not a usable apprise URL", key=f"channels.{channel}.urls[{index}]")
    kind = type(plugin)
    kwargs = kind.template_kwargs
    schema = str(parsed.get("schema", "")).lower()
    body, title = _SERVICE_LIMITS.get(schema, (int(kind.body_maxlen), int(kind.title_maxlen)))
    if schema not in ("mailto", "mailtos") and schema not in WEBHOOK_SCHEMES:
        body = int(body * _MARGIN)
    webhook = Webhook.from_plugin(plugin) if schema in WEBHOOK_SCHEMES else None
    return _Endpoint(
        parsed, "headers" in kwargs, "payload" in kwargs, body, max(title, 0), webhook,
        email=_is_email(plugin),
    )  # fmt: skip


def _is_email(plugin: Any) -> bool:
    # imported here, once ``_load_plugins`` has loaded it: at import it warns (``imghdr``)
    from apprise.plugins.email import NotifyEmail

    return isinstance(plugin, NotifyEmail)


def _plugin(endpoint: _Endpoint, delivery_id: str, asset: apprise.AppriseAsset) -> Any:
    parsed = copy.deepcopy(endpoint.parsed)
    if endpoint.takes_headers:
        parsed["headers"] = {**(parsed.get("headers") or {}), DELIVERY_ID_HEADER: delivery_id}
    if endpoint.takes_payload:
        parsed["payload"] = {**(parsed.get("payload") or {}), DELIVERY_ID_FIELD: delivery_id}
    plugin = apprise.Apprise.instantiate(parsed, asset=asset)
    if plugin is None:  # it was instantiated once at start-up; a failure now is a bug
        raise DeliveryError("apprise refused an endpoint it accepted at start-up")
    return plugin


def _failure(result: apprise.AppriseResult, positions: Sequence[int]) -> str:
    """A secret-free summary of what failed: position, kind and reason of each endpoint."""
    failed = [
        f"endpoint {position} ({service.name}) {_reason(service)}"
        for position, service in zip(positions, result.results, strict=False)
        if not service
    ]
    if not failed:
        # nothing was dispatched: apprise could not prepare the message, or no URL loaded
        return f"apprise did not send the message ({result.status.name.lower()})"
    return "; ".join(failed)


def _apprise_wait(result: apprise.AppriseResult) -> float | None:
    """How long the failed services asked us to wait, as far as apprise lets us see."""
    waits: list[float] = []
    for service in result.results:
        if service:
            continue
        messages = [entry.message for entry in service.logs()]
        flood = [float(m.group(1)) for m in map(_FLOOD_WAIT.search, messages) if m]
        if flood:
            waits.append(max(flood))
        elif any("error=429" in text for text in messages):
            waits.append(RATE_LIMITED_WAIT)
    return max(waits) if waits else None


def _reason(service: apprise.NotifyResult) -> str:
    """A fixed phrase for why one endpoint failed, read from apprise's status and log lines.

    Only a status code is taken from apprise's messages: their text is not passed on, as it
    could name a host, a user or worse.
    """
    if service.status == apprise.AppriseResultStatus.TIMEOUT:
        return "timed out"
    messages = [entry.message for entry in service.logs()]
    for text in messages:
        status = _HTTP_STATUS.search(text)
        if status:
            return f"answered HTTP {status.group(1)}"
    if any("recipient" in text and "refused" in text for text in messages):
        return "refused the recipient"
    if any("connection error" in text.lower() for text in messages):
        return "connection failed or timed out"
    return "failed"


def url_problem(url: str) -> str | None:
    """Why apprise cannot send to ``url``, or None: config validation, so a bad URL is refused
    at load with its file, line and key (the reason never shows the URL: it holds secrets)."""
    _load_plugins()
    with _apprise_quiet():
        parsed = url_to_dict(url, secure_logging=True)
        plugin = (
            apprise.Apprise.instantiate(parsed, asset=_asset(SERVICE_TIMEOUT)) if parsed else None
        )
    if plugin is None:
        return "not a usable apprise URL: unknown service or missing parts"
    port = getattr(plugin, "port", None)
    # apprise takes any number (``json://host:99999``): the send would fail at every attempt
    if isinstance(port, int) and not 1 <= port <= 65535:
        return "not a usable apprise URL: the port must be a number from 1 to 65535"
    return None


#: true while this thread or task validates a URL (``url_problem``); a send on another thread
#: or task logs as ever
_VALIDATING: ContextVar[bool] = ContextVar("validating_apprise_url", default=False)


class _DebugWhileValidating(logging.Filter):
    """Apprise's records made while a URL is validated become DEBUG records: shown at
    ``--log-level DEBUG`` (apprise says which part it could not load), dropped otherwise."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _VALIDATING.get():
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


_DEBUG_WHILE_VALIDATING = _DebugWhileValidating()


@contextmanager
def _apprise_quiet() -> Iterator[None]:
    """Apprise's errors inside are DEBUG lines: the caller reports what went wrong, better."""
    logging.getLogger("apprise").addFilter(_DEBUG_WHILE_VALIDATING)  # once: filters are a set
    token = _VALIDATING.set(True)
    try:
        yield
    finally:
        _VALIDATING.reset(token)
