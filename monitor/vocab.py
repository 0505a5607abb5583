"""Shared vocabulary of settings and delivery: quiet hours, message formats, a cron line's shape.

Pure and at the bottom: only the standard library, so ``monitor.config`` can read these values
without importing the layers that act on them (``monitor.deliver`` with APScheduler,
``monitor.notify`` with apprise).
Owns: ``Quiet`` and its reading, the message formats, the 5-field check of a cron line.
Does not own: cron arithmetic (``monitor.deliver.schedule``), nor checking that a cron line or a
notification URL is usable: ``monitor.config.Checks`` takes those as functions, passed in by the
composition root (``monitor.cli``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

MessageFormat = Literal["text", "markdown", "html"]
MESSAGE_FORMATS: tuple[MessageFormat, ...] = ("text", "markdown", "html")

_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


@dataclass(frozen=True, slots=True)
class Quiet:
    """A daily window in local time when only urgent alerts are sent; may span midnight."""

    #: local time the window opens (inclusive) and closes (exclusive)
    start: time
    end: time

    def contains(self, local: time) -> bool:
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end  # spans midnight: 22:00-07:00


def parse_quiet(text: str) -> Quiet:
    """``"22:00-07:00"`` -> ``Quiet``; ``ValueError`` with the reason when it is not one."""
    parts = [p.strip() for p in text.split("-")]
    if len(parts) != 2:
        raise ValueError(f"not a time window: {text!r} (write HH:MM-HH:MM, e.g. 22:00-07:00)")
    start, end = (_clock(p, text) for p in parts)
    if start == end:
        raise ValueError(f"empty time window: {text!r} (start and end are the same)")
    return Quiet(start, end)


def _clock(part: str, text: str) -> time:
    found = _CLOCK.fullmatch(part)
    if found is None:
        raise ValueError(f"not a time window: {text!r} (write HH:MM-HH:MM, e.g. 22:00-07:00)")
    return time(int(found.group(1)), int(found.group(2)))


def is_quiet(quiet: Quiet | None, now: datetime, tz: ZoneInfo) -> bool:
    """Whether ``now`` falls in the quiet window, read in the configured zone."""
    return quiet is not None and quiet.contains(now.astimezone(tz).time())


def check_cron_fields(expression: str) -> str:
    """``expression`` if it has the 5 fields of a crontab line, else ``ValueError`` saying so.

    Only the shape: whether each field is valid is ``monitor.deliver.schedule.check_cron``.
    """
    if len(expression.split()) != 5:
        raise ValueError(
            f"not a cron expression: {expression!r} (5 fields: minute hour day month weekday)"
        )
    return expression
