"""Readers of one YAML node: the scalars and small helpers every section of the schema uses.

Owns: durations, ids, text, lists given as one string, ``${ENV}`` interpolation, cron expressions,
optional and required keys, sections of optional keys, and "known ...:" hints in errors.
Does not own: any section's keys or meaning (``load``, ``sources``, ``channels``, ``watchlists``),
or the YAML reader itself (``monitor.yamlsafe``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from monitor.errors import ConfigError
from monitor.yamlsafe import At, YamlDoc, interpolate, parse_duration, show_duration

_T = TypeVar("_T")
_D = TypeVar("_D")

_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def _top_mapping(doc: YamlDoc, keys: list[str]) -> dict[str, At]:
    if doc.data is None:
        raise ConfigError("the file is empty", file=doc.file)
    return doc.root().mapping(keys)


def _or(at: At | None, read: Callable[[At], _T], default: _D) -> _T | _D:
    """An optional key: ``read`` it if given, else ``default``."""
    return default if at is None else read(at)


def _required(at: At, fields: dict[str, At], key: str) -> At:
    if key not in fields:
        at.fail(f"missing required key {key!r}")
    return fields[key]


# --- scalars -----------------------------------------------------------------------------------


#: the longest duration any key takes: the daemon adds durations to dates, and a date past
#: year 9999 does not exist (``99999999999999w`` passed a check and failed every poll)
MAX_DURATION = 10 * 366 * 86400.0


def _duration(at: At, *, minimum: float = 0.0, maximum: float = MAX_DURATION) -> float:
    seconds = at.parsed(parse_duration)
    if seconds < minimum:
        at.fail(f"too short: {show_duration(seconds)} (minimum {show_duration(minimum)})")
    if seconds > maximum:
        at.fail(f"too long (maximum {show_duration(maximum)})")
    return seconds


def _positive_duration(at: At, *, maximum: float = MAX_DURATION) -> float:
    seconds = _duration(at, maximum=maximum)
    if seconds <= 0:
        at.fail("must be more than 0s")
    return seconds


def _identifier(at: At) -> str:
    value = at.string()
    if not _ID.fullmatch(value):
        at.fail(f"not a valid id: {value!r} (use a-z, 0-9, - and _; start with a letter or digit)")
    return value


def _text(at: At) -> str:
    value = at.string().strip()
    if not value:
        at.fail("must not be empty")
    return value


def _one_line(at: At) -> str:
    value = _text(at)
    if "\n" in value or "\r" in value:
        at.fail("must be a single line")
    return value


def _string_or_list(at: At) -> tuple[At, ...]:
    if isinstance(at.value, str):
        return (at,)
    return tuple(at.items())


def _expand(at: At, env: Mapping[str, str]) -> str:
    try:
        return interpolate(at.string(), env)
    except ValueError as e:
        at.fail(str(e))


def _section(at: At | None, readers: dict[str, Callable[[At], Any]]) -> dict[str, Any]:
    """A mapping of optional keys, each read by its reader; unknown keys are errors."""
    if at is None:
        return {}
    return {key: readers[key](value) for key, value in at.mapping(readers).items()}


def _known(what: str, names: set[str]) -> str:
    if not names:
        return f"no {what} are defined"
    shown = sorted(names)
    more = f", ... ({len(shown)} in all)" if len(shown) > 8 else ""
    return f"known {what}: {', '.join(shown[:8])}{more}"


def _cron(at: At, check: Callable[[str], str]) -> str:
    try:
        return check(at.string().strip())
    except ValueError as e:
        at.fail(str(e))
