"""Talking to systemd: the ``sd_notify`` datagrams of a ``Type=notify`` service.

Owns: sending ``READY=1``, ``WATCHDOG=1``, ``STATUS=...`` and ``STOPPING=1`` to the socket
systemd names in ``$NOTIFY_SOCKET``, and reading the watchdog interval from ``$WATCHDOG_USEC``.
Outside systemd (no ``$NOTIFY_SOCKET``) every call does nothing, so the daemon needs no flag.
Does not own: when to send them (``monitor.scheduler`` does: ready once the jobs are scheduled,
a watchdog ping from the scheduler's own loop, stopping when a stop begins).

The protocol is a single datagram per message on an ``AF_UNIX`` socket, a name starting with
``@`` meaning Linux's abstract namespace (sd_notify(3)); a library for ten lines is not worth it.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Mapping

log = logging.getLogger("monitor.systemd")


class Notifier:
    """Sends sd_notify messages to the service manager, if there is one."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._address = _address(env.get("NOTIFY_SOCKET", ""))
        self.watchdog_every = _watchdog_every(env)

    def notify(self, message: str) -> bool:
        """Send one message (``"READY=1"``, ``"WATCHDOG=1"`` ...); False when none was sent."""
        if self._address is None:
            return False
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.sendto(message.encode(), self._address)
        except OSError as error:
            # systemd gone or the socket unreadable: the daemon runs on, systemd decides
            log.warning("sd_notify %s failed: %s", message.split("=")[0], error)
            return False
        return True


def _address(name: str) -> str | bytes | None:
    if not name or name[0] not in "/@":
        return None
    return b"\0" + name[1:].encode() if name[0] == "@" else name


def _watchdog_every(env: Mapping[str, str]) -> float | None:
    """Half the watchdog timeout systemd set (its own advice), in seconds; None if unset."""
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    return usec / 2_000_000 if usec > 0 else None
