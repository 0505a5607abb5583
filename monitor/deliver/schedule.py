"""Time rules of delivery: digest schedules (cron) and quiet hours. Pure: no I/O, no clock.

Owns: reading a cron expression and a ``"22:00-07:00"`` window (``ValueError`` with a readable
reason when they are wrong; ``monitor.config`` turns it into a file/line/key error), and the two
decisions made from them: is a digest due, and is it quiet now.
Does not own: what is held or sent (``monitor.deliver.plan``), nor the clock (``now`` is passed).

APScheduler's ``CronTrigger`` is used here only as date arithmetic (the next fire time after a
moment, daylight-saving changes included); the daemon's own scheduling stays in
``monitor.scheduler``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

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


def check_cron(expression: str) -> str:
    """``expression`` if it is a valid 5-field crontab line, else ``ValueError`` saying why."""
    if len(expression.split()) != 5:
        raise ValueError(
            f"not a cron expression: {expression!r} (5 fields: minute hour day month weekday)"
        )
    try:
        trigger = CronTrigger.from_crontab(expression, timezone=ZoneInfo("UTC"))
    except ValueError as e:
        raise ValueError(f"not a cron expression: {expression!r} ({e})") from e
    # a valid line can name a day that never comes ("0 8 30 2 *": 30 February); a digest on it
    # would hold its alerts for ever. Every real date recurs within 8 years (29 February).
    start = datetime(2000, 1, 1, tzinfo=ZoneInfo("UTC"))
    fire = trigger.get_next_fire_time(None, start)
    if fire is None or fire - start > timedelta(days=8 * 366):
        raise ValueError(f"cron expression never fires: {expression!r} (no such date)")
    return expression


def next_fire(expression: str, after: datetime, tz: ZoneInfo) -> datetime | None:
    """The first time the schedule fires strictly after ``after``; None if it never does
    (``check_cron`` refuses such a line; a config from before the check may still hold one)."""
    trigger = CronTrigger.from_crontab(expression, timezone=tz)
    fire: datetime | None = trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
    return fire


def digest_due(expression: str, oldest: datetime, now: datetime, tz: ZoneInfo) -> bool:
    """A digest holding items since ``oldest`` is due once the schedule fired after it.

    Keyed on the oldest waiting item rather than on the last digest sent: an item that arrives at
    09:00 waits for tomorrow's 08:00, one left waiting since 07:30 goes at 08:00; no state needed.
    """
    fire = next_fire(expression, oldest, tz)
    # a schedule that never fires sends its digest now rather than hold the alerts for ever
    return fire is None or fire <= now
