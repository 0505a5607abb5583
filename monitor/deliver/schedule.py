"""Digest schedules (cron). Pure: no I/O, no clock.

Owns: checking a cron expression (``ValueError`` with a readable reason when it is wrong;
``monitor.config`` turns it into a file/line/key error, through the check the CLI passes in), and
the decision made from it: is a digest due. Quiet hours are ``monitor.vocab``.
Does not own: what is held or sent (``monitor.deliver.plan``), nor the clock (``now`` is passed).

APScheduler's ``CronTrigger`` is used here only as date arithmetic (the next fire time after a
moment, daylight-saving changes included); the daemon's own scheduling stays in
``monitor.scheduler``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from monitor.vocab import check_cron_fields


def check_cron(expression: str) -> str:
    """``expression`` if it is a valid 5-field crontab line, else ``ValueError`` saying why."""
    check_cron_fields(expression)
    try:
        CronTrigger.from_crontab(expression, timezone=ZoneInfo("UTC"))
    except ValueError as e:
        raise ValueError(f"not a cron expression: {expression!r} ({e})") from e
    return expression


def next_fire(expression: str, after: datetime, tz: ZoneInfo) -> datetime:
    """The first time the schedule fires strictly after ``after``."""
    trigger = CronTrigger.from_crontab(expression, timezone=tz)
    fire = trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
    assert fire is not None  # a crontab line without an end date always fires again
    return fire


def digest_due(expression: str, oldest: datetime, now: datetime, tz: ZoneInfo) -> bool:
    """A digest holding items since ``oldest`` is due once the schedule fired after it.

    Keyed on the oldest waiting item rather than on the last digest sent: an item that arrives at
    09:00 waits for tomorrow's 08:00, one left waiting since 07:30 goes at 08:00; no state needed.
    """
    return next_fire(expression, oldest, tz) <= now
