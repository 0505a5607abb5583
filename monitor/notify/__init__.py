"""Alerts to people: render an alert as a message (pure), send it to a channel (apprise).

Owns: the public surface ``Message``, ``render``, ``render_test`` and ``Notifier``.
Does not own: which alerts are due, digests' membership, retries and backoff
(``monitor.deliver``).

    render.py   pure: Alert -> Message in text, markdown or html, with escaping and limits
    digest.py   pure: many Alerts -> digest Message(s) that fit; the dead-letter report
    send.py     I/O: Message -> every apprise URL of a channel, or DeliveryError
    webhook.py  I/O: json:// webhooks sent with httpx (so Retry-After is seen)
    outbound.py I/O: the requests apprise's other plugins send through (no redirect, no
                proxy from the environment, a bounded answer)
"""

from monitor.notify.render import Limits, Message, render, render_source_notice, render_test
from monitor.notify.send import Notifier

__all__ = ["Limits", "Message", "Notifier", "render", "render_source_notice", "render_test"]
