"""Alerts to people: render an alert as a message (pure), send it to a channel (apprise).

Owns: the public surface ``Message``, ``render``, ``render_test`` and ``Notifier``.
Does not own: which alerts are due, retries and backoff (the pipeline's delivery job).

    render.py   pure: Alert -> Message in text, markdown or html, with escaping and limits
    send.py     I/O: Message -> every apprise URL of a channel, or DeliveryError
"""

from monitor.notify.render import Message, render, render_source_notice, render_test
from monitor.notify.send import Notifier

__all__ = ["Message", "Notifier", "render", "render_source_notice", "render_test"]
