"""News monitor: feeds -> multilingual watch-topic matches -> chat and email alerts.

The package is a pipeline, one module per stage (see ``monitor.pipeline`` for the order):
``fetch`` (HTTP), ``sources`` (feed parsing), ``match`` (query language and scoring),
``store`` (database), ``notify`` (render and send), with ``config`` and ``types``/``errors``
at the bottom and ``scheduler``/``cli`` on top.
"""

__version__ = "0.1.0"
