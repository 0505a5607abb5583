"""Log output: levels, the text and JSON line formats, and quieting chatty libraries.

Owns: ``setup_logging`` (called once by ``monitor.cli.main``): every record masked by the
redactor before formatting, timestamps in UTC with their zone, ``text`` lines for people and
``json`` lines (one object a line: time, level, logger, message, exception) for log shippers;
the levels of library loggers (httpx's and httpcore's never below INFO: no header dumps).
Does not own: what is logged (each module logs its own outcomes) or the masking (``redact``).
"""

from __future__ import annotations

import json
import logging
import sys
import time

from monitor import redact

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("text", "json")
#: their INFO lines are one per request; at DEBUG they show (masked) for diagnosis
NOISY = ("httpx", "httpcore", "apscheduler", "apprise", "alembic")
#: never below INFO, even at DEBUG: httpcore's DEBUG trace prints response headers whole, and a
#: server that echoes ``Authorization`` back would put a password there base64-encoded, where
#: masking the password finds nothing (httpx's INFO line per request still shows, masked)
HEADER_LOGGERS = ("httpx", "httpcore")


class _TextFormatter(logging.Formatter):
    converter = staticmethod(time.gmtime)  # UTC, and the format says so

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s", "%Y-%m-%dT%H:%M:%S%z")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return f"{super().formatTime(record, '%Y-%m-%dT%H:%M:%S')}.{int(record.msecs):03d}Z"


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": _TextFormatter().formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(level: str, form: str = "text") -> None:
    """Log to standard error at ``level`` in ``form``; bad values from the environment fall back."""
    redact.install()  # every record, from every logger, is masked before it is formatted
    level = level.upper() if level.upper() in LOG_LEVELS else "INFO"
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JsonFormatter() if form == "json" else _TextFormatter())
    logging.basicConfig(level=level, handlers=[handler])
    if logging.getLogger().level > logging.DEBUG:
        for noisy in NOISY:
            logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
    else:
        for chatty in HEADER_LOGGERS:
            logging.getLogger(chatty).setLevel(logging.INFO)
