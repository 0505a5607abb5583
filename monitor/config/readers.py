"""Readers of one YAML node: the scalars and small helpers every section of the schema uses.

Owns: durations, ids, text, lists given as one string, ``${ENV}`` interpolation, cron expressions,
optional and required keys, sections of optional keys, and "known ...:" hints in errors.
Does not own: any section's keys or meaning (``load``, ``sources``, ``channels``, ``watchlists``),
or the YAML reader itself (``monitor.yamlsafe``).
The section modules import it as ``read`` (``read.duration(at)``): the names are short on
purpose, and a module prefix keeps them apart from local names (``text``, ``section``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from monitor.errors import ConfigError
from monitor.yamlsafe import At, YamlDoc, interpolate, parse_duration, show_duration

_T = TypeVar("_T")
_D = TypeVar("_D")

#: an id (source, topic, channel): lower-case, digits, - and _
ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def top_mapping(doc: YamlDoc, keys: list[str]) -> dict[str, At]:
    """The top-level mapping of a file, its keys checked; an empty file is an error."""
    if doc.data is None:
        raise ConfigError("the file is empty", file=doc.file)
    return doc.root().mapping(keys)


def optional(at: At | None, read: Callable[[At], _T], default: _D) -> _T | _D:
    """An optional key: ``read`` it if given, else ``default``."""
    return default if at is None else read(at)


def required(at: At, fields: dict[str, At], key: str) -> At:
    """The value of a required key; missing, an error at the mapping."""
    if key not in fields:
        at.fail(f"missing required key {key!r}")
    return fields[key]


# --- scalars -----------------------------------------------------------------------------------


#: the longest duration any key takes: the daemon adds durations to dates, and a date past
#: year 9999 does not exist (``99999999999999w`` passed a check and failed every poll)
MAX_DURATION = 10 * 366 * 86400.0


def duration(at: At, *, minimum: float = 0.0, maximum: float = MAX_DURATION) -> float:
    """A duration (``90s``, ``15m``, ``1d``) between ``minimum`` and ``maximum``."""
    seconds = at.parsed(parse_duration)
    if seconds < minimum:
        at.fail(f"too short: {show_duration(seconds)} (minimum {show_duration(minimum)})")
    if seconds > maximum:
        at.fail(f"too long (maximum {show_duration(maximum)})")
    return seconds


def positive_duration(at: At, *, maximum: float = MAX_DURATION) -> float:
    """A duration of more than 0s."""
    seconds = duration(at, maximum=maximum)
    if seconds <= 0:
        at.fail("must be more than 0s")
    return seconds


def identifier(at: At) -> str:
    """An id: a-z, 0-9, - and _, starting with a letter or digit (``ID``)."""
    value = at.string()
    if not ID.fullmatch(value):
        at.fail(f"not a valid id: {value!r} (use a-z, 0-9, - and _; start with a letter or digit)")
    return value


def text(at: At) -> str:
    """A non-empty string, stripped."""
    value = at.string().strip()
    if not value:
        at.fail("must not be empty")
    return value


def one_line(at: At) -> str:
    """A non-empty string on one line."""
    value = text(at)
    if "\n" in value or "\r" in value:
        at.fail("must be a single line")
    return value


def string_or_list(at: At) -> tuple[At, ...]:
    """A list of strings that may be written as one string."""
    if isinstance(at.value, str):
        return (at,)
    return tuple(at.items())


def expand(at: At, env: Mapping[str, str]) -> str:
    """A string with ``${ENV}`` interpolated from ``env``; an unset variable is an error."""
    try:
        return interpolate(at.string(), env)
    except ValueError as e:
        at.fail(str(e))


def section(at: At | None, readers: dict[str, Callable[[At], Any]]) -> dict[str, Any]:
    """A mapping of optional keys, each read by its reader; unknown keys are errors."""
    if at is None:
        return {}
    return {key: readers[key](value) for key, value in at.mapping(readers).items()}


def known(what: str, names: set[str]) -> str:
    """A hint for an error naming an unknown thing: the names that are known (up to 8)."""
    if not names:
        return f"no {what} are defined"
    shown = sorted(names)
    more = f", ... ({len(shown)} in all)" if len(shown) > 8 else ""
    return f"known {what}: {', '.join(shown[:8])}{more}"


def cron(at: At, check: Callable[[str], str]) -> str:
    """A cron expression, checked by ``check`` (passed in: the scheduler is not loaded here)."""
    try:
        return check(at.string().strip())
    except ValueError as e:
        at.fail(str(e))
