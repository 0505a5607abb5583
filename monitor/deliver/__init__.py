"""The delivery layer: from pending deliveries in the outbox to messages on channels.

Owns: deciding what each channel gets now (``plan``: single alerts, digests, rate limits, quiet
hours, no bursts), the cron rules behind it (``schedule``; quiet windows are ``monitor.vocab``),
and the delivery round that carries a plan out with the store and the notifier (``run``: send,
record, retry, dead letters, graceful stop).
Does not own: the outbox tables (``monitor.store``), rendering and sending one message
(``monitor.notify``), back-off arithmetic (``monitor.policy``), when rounds run
(``monitor.scheduler``).

    plan.py       pure: channel rules + queue + recent sends + now -> Plan
    schedule.py   pure: cron arithmetic (APScheduler's CronTrigger)
    run.py        I/O: one delivery round per channel (store -> plan -> render -> send -> record)
    crash.py      the named checkpoints the crash test stops at (injected, no-op in the daemon)

This ``__init__`` imports nothing: importing ``schedule`` pulls in neither the store nor the
notifier.
"""
