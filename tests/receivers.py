"""Loopback receivers for alerts: a webhook (HTTP) server and an SMTP server, both on 127.0.0.1.

Owns: starting and stopping real servers on random ports in background threads, recording what
they receive, and answering the way a test asks (500, 429 with ``Retry-After``, or hanging).
Does not own: any assertion; pytest is not imported, so end-to-end tests and scripts can reuse
these as plain context managers::

    with WebhookReceiver() as hook, SmtpReceiver() as smtp:
        urls = (hook.url + "?rto=2", smtp.apprise_url)
        ...
        hook.wait_for(1)
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import json
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


@dataclass(frozen=True, slots=True)
class Reply:
    """How the webhook answers the next requests."""

    #: HTTP status to answer
    status: int = 200
    #: extra response headers, e.g. ``(("Retry-After", "30"),)``
    headers: tuple[tuple[str, str], ...] = ()
    #: seconds to wait before answering (a "hanging" receiver); cut short by ``close()``
    delay: float = 0.0
    #: answer only once ``release()`` is called (or ``close()``): a hang the test ends
    held: bool = False
    #: answer with a body that never ends (until the client closes, or ``close()``)
    endless: bool = False
    #: request headers sent back in the answer (a hostile receiver echoing ``Authorization``)
    echo: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """One request the webhook received."""

    method: str
    #: path with the query string, as sent
    path: str
    #: request headers; names lower-cased
    headers: dict[str, str]
    body: bytes
    #: the status the receiver answered with
    answered: int

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


def _wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.01)


class WebhookReceiver:
    """A threaded HTTP server on 127.0.0.1 (random port) that records every request.

    ``url`` is the apprise ``json://`` URL to it; add apprise options as a query string
    (``hook.url + "?rto=1"``). ``reply(...)`` changes how it answers from then on.
    """

    def __init__(self, path: str = "/hook") -> None:
        self.path = path
        self._lock = threading.Lock()
        self._requests: list[WebhookRequest] = []
        self._reply = Reply()
        self._closing = threading.Event()
        self._released = threading.Event()
        self._arrived = 0
        #: bytes of endless bodies written so far (what clients did not refuse to take)
        self.streamed = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        # a short poll interval makes close() quick (shutdown waits for the next poll)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The apprise URL that posts JSON to this receiver."""
        return f"json://127.0.0.1:{self.port}{self.path}"

    @property
    def received(self) -> list[WebhookRequest]:
        """Every request so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._requests)

    def reply(
        self,
        status: int = 200,
        *,
        retry_after: str | None = None,
        delay: float = 0.0,
        held: bool = False,
        location: str | None = None,
        endless: bool = False,
        echo: tuple[str, ...] = (),
    ) -> None:
        """Answer the following requests with ``status`` (after ``delay`` seconds; with
        ``held``, only once ``release()`` is called; with ``location``, as a redirect there;
        with ``endless``, with a body that never ends; with ``echo``, with those request
        headers sent back)."""
        headers: tuple[tuple[str, str], ...] = ()
        headers += (("Retry-After", retry_after),) if retry_after is not None else ()
        headers += (("Location", location),) if location is not None else ()
        with self._lock:
            self._reply = Reply(
                status=status, headers=headers, delay=delay, held=held, endless=endless, echo=echo
            )

    def release(self) -> None:
        """Let held requests (and later ones) be answered."""
        self._released.set()

    def wait_for(self, count: int, timeout: float = 60.0) -> list[WebhookRequest]:
        """Block until at least ``count`` requests were answered; return them."""
        _wait_until(lambda: len(self.received) >= count, timeout, f"{count} webhook request(s)")
        return self.received

    def wait_for_arrivals(self, count: int, timeout: float = 60.0) -> None:
        """Block until at least ``count`` requests arrived, answered or not (held ones too)."""
        _wait_until(lambda: self._arrived >= count, timeout, f"{count} webhook arrival(s)")

    def start(self) -> Self:
        self._thread.start()
        return self

    def close(self) -> None:
        self._closing.set()  # wakes handlers sleeping in a "hang" reply
        self._released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length)
        if len(body) < length:
            return  # the sender died mid-request (a crash test's SIGKILL): nothing was received
        with self._lock:
            reply = self._reply
            self._arrived += 1
        if reply.held:
            self._released.wait()
        self._closing.wait(reply.delay)
        request = WebhookRequest(
            method=handler.command,
            path=handler.path,
            headers={name.lower(): value for name, value in handler.headers.items()},
            body=body,
            answered=reply.status,
        )
        with self._lock:
            self._requests.append(request)
        handler.send_response(reply.status)
        for name, value in reply.headers:
            handler.send_header(name, value)
        for name in reply.echo:
            handler.send_header(name, handler.headers.get(name, ""))
        if reply.endless:
            handler.send_header("Connection", "close")
            handler.end_headers()
            self._stream_endless(handler)
            return
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def _stream_endless(self, handler: BaseHTTPRequestHandler) -> None:
        """Write a body until the client closes the connection (or the receiver closes)."""
        chunk = b'{"ok": true, "padding": "' + b"x" * 65536
        with contextlib.suppress(OSError):
            while not self._closing.is_set():
                handler.wfile.write(chunk)
                with self._lock:
                    self.streamed += len(chunk)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver._answer(self)

            do_PUT = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        return Handler


# --- SMTP ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SmtpMessage:
    """One message the SMTP server accepted."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    #: the user name the client authenticated as, if it did
    login: str | None

    def text(self) -> str:
        """The body of the preferred part (HTML if there is one, else plain text), decoded, with
        the wire's CRLF line ends made ``\\n``."""
        part = self.message.get_body(preferencelist=("html", "plain"))
        assert part is not None, "message has no text body"
        # get_body() is typed as a Message; with the default policy it is an EmailMessage part
        return str(part.get_content()).replace("\r\n", "\n")  # type: ignore[attr-defined]

    def plain(self) -> str:
        """The plain-text part (the whole body when there is no other), decoded, ``\n`` line
        ends: what a reader without HTML sees."""
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None, "message has no plain-text part"
        return str(part.get_content()).replace("\r\n", "\n")  # type: ignore[attr-defined]


class _Handler:
    def __init__(self, sink: Callable[[SmtpMessage], None], *, require_auth: bool) -> None:
        self._sink = sink
        self._require_auth = require_auth

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self._require_auth and not session.authenticated:
            return "530 5.7.0 Authentication required"
        content = envelope.original_content or b""
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        login = getattr(session.auth_data, "login", None) if session.authenticated else None
        self._sink(
            SmtpMessage(
                mail_from=str(envelope.mail_from),
                rcpt_tos=tuple(envelope.rcpt_tos),
                message=parsed,
                login=login.decode() if isinstance(login, bytes) else None,
            )
        )
        return "250 OK"


class _Authenticator:
    def __init__(self, user: str, password: str) -> None:
        self._expected = (user.encode(), password.encode())

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (
            (auth_data.login, auth_data.password) == self._expected
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


class _QuietSession(Session):
    """aiosmtpd 1.4 itself sets the deprecated ``login_data`` after every successful AUTH; its
    DeprecationWarning, an error under our warnings-as-errors, would abort the SMTP session."""

    @property
    def login_data(self) -> Any:
        return self._login_data

    @login_data.setter
    def login_data(self, value: Any) -> None:
        self._login_data = value


class _SMTP(SMTP):
    def _create_session(self) -> Session:
        return _QuietSession(self.loop)


class _RandomPortController(Controller):
    """aiosmtpd's Controller, listening on a port the OS picks (``port=0``)."""

    def factory(self) -> SMTP:
        return _SMTP(self.handler, **self.SMTP_kwargs)

    def _trigger_server(self) -> None:
        if self.port == 0 and isinstance(self.server, asyncio.Server):
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpReceiver:
    """An aiosmtpd server on 127.0.0.1 (random port), plain SMTP without TLS.

    With ``user``/``password`` it requires AUTH LOGIN/PLAIN over the plain connection
    (``auth_require_tls=False``) and refuses wrong credentials; without, it takes mail from
    anyone. ``apprise_url`` is a working apprise ``mailto://`` URL to it.
    """

    def __init__(
        self,
        *,
        user: str | None = None,
        password: str | None = None,
        sender: str = "monitor@example.org",
        recipients: Sequence[str] = ("analyst@example.org",),
    ) -> None:
        self.user = user
        self.password = password
        self.sender = sender
        self.recipients = tuple(recipients)
        self._lock = threading.Lock()
        self._messages: list[SmtpMessage] = []
        auth: dict[str, Any] = {}
        if user is not None and password is not None:
            # not ``auth_required=True``: aiosmtpd warns about it without TLS; _Handler refuses
            # unauthenticated mail instead
            auth = {"authenticator": _Authenticator(user, password), "auth_require_tls": False}
        handler = _Handler(self._record, require_auth=bool(auth))
        self._controller = _RandomPortController(handler, hostname="127.0.0.1", port=0, **auth)

    @property
    def port(self) -> int:
        return int(self._controller.port)

    @property
    def apprise_url(self) -> str:
        """``mailto://[user:password@]127.0.0.1:PORT?from=..&to=..&mode=insecure``.

        ``mode=insecure`` is plain SMTP (no STARTTLS); ``mailto://`` (not ``mailtos://``) is the
        insecure schema. Without credentials apprise skips the AUTH step.
        """
        auth = f"{self.user}:{self.password}@" if self.user is not None else ""
        to = ",".join(self.recipients)
        return f"mailto://{auth}127.0.0.1:{self.port}?from={self.sender}&to={to}&mode=insecure"

    @property
    def messages(self) -> list[SmtpMessage]:
        """Every accepted message so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._messages)

    def wait_for(self, count: int, timeout: float = 60.0) -> list[SmtpMessage]:
        """Block until at least ``count`` messages arrived; return them."""
        _wait_until(lambda: len(self.messages) >= count, timeout, f"{count} email(s)")
        return self.messages

    def start(self) -> Self:
        self._controller.start()
        return self

    def close(self) -> None:
        self._controller.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _record(self, message: SmtpMessage) -> None:
        with self._lock:
            self._messages.append(message)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released), for "connection refused"."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
