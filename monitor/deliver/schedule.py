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
