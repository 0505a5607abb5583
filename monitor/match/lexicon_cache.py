"""A compiled cache of the shipped lexicon, so a command does not rebuild it on every start.

Building the default lexicon (reading ``monitor/data/*.yaml`` with file/line tracking, CLDR names
from babel, parsing ~12,000 forms) costs about half a second of CPU; loading it back costs a
fifth of that. The cache is a pickle of the built ``Lexicon`` in ``$XDG_CACHE_HOME/news-monitor``
(``~/.cache/news-monitor``), written by this process, behind a header holding

- the *key*: a SHA-256 of the package version, Python's and babel's versions, the shipped data
  files and the matcher's own source files (a changed file or upgrade makes a new key), and
- the SHA-256 of the pickle itself,

and it is unpickled only when both match: a stale, truncated or foreign file is ignored and
rebuilt. Pickle is used only for bytes this code wrote (the hash check refuses any other file; a
user who can write to the cache folder can edit the installed code as well). A cache that cannot
be written (read-only home) is not an error: the lexicon is then built every time.

Owns: the cache file (its place, key, format). Does not own: building the lexicon
(``lexicon_files``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import importlib.util
import io
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import monitor
from monitor.match.lexicon import Lexicon

_MAGIC = b"news-monitor lexicon cache 1\n"
_DIGEST = 32  # bytes of a SHA-256


def cache_dir(env: Mapping[str, str]) -> Path:
    """``$XDG_CACHE_HOME/news-monitor``, else ``~/.cache/news-monitor``."""
    base = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "news-monitor"


def cache_key() -> bytes:
    """What the built lexicon depends on: versions, shipped data and the matcher's source."""
    digest = hashlib.sha256()
    for part in (monitor.__version__, sys.version):
        digest.update(part.encode() + b"\0")
    package = resources.files("monitor")
    files = [*package.joinpath("data").iterdir(), *package.joinpath("match").iterdir()]
    files.append(_babel_init())  # its __version__ (importing babel here would cost its load)
    for file in sorted(files, key=lambda f: f.name):
        if file.name.endswith((".yaml", ".py")):
            digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.digest()


def cached_lexicon(build: Callable[[], Lexicon], folder: Path) -> Lexicon:
    """The lexicon from ``folder``'s cache when its key and hash match, else ``build()`` (saved)."""
    key = cache_key()
    path = folder / f"lexicon-{key.hex()[:16]}.pickle"
    found = _load(path, key)
    if found is not None:
        return found
    lexicon = build()
    _save(path, key, lexicon)
    return lexicon


def _load(path: Path, key: bytes) -> Lexicon | None:
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    head = len(_MAGIC) + 2 * _DIGEST
    if len(raw) <= head or not raw.startswith(_MAGIC) or raw[len(_MAGIC) : head - _DIGEST] != key:
        return None
    body = raw[head:]
    if hashlib.sha256(body).digest() != raw[head - _DIGEST : head]:
        return None  # truncated or altered: rebuild
    try:
        found = pickle.loads(body)  # our own bytes: key and hash checked above
    except Exception:  # any unreadable cache is rebuilt, never fatal
        return None
    return found if isinstance(found, Lexicon) else None


def _save(path: Path, key: bytes, lexicon: Lexicon) -> None:
    """Write atomically (a temporary file renamed), so a reader never sees half a cache."""
    temporary = None
    try:
        buffer = io.BytesIO()
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(lexicon)
        body = buffer.getvalue()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".lexicon-")
        with os.fdopen(fd, "wb") as out:
            out.write(_MAGIC + key + hashlib.sha256(body).digest() + body)
        os.replace(temporary, path)
    except (OSError, pickle.PicklingError, RecursionError):
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        return  # no cache: the next start builds the lexicon again
    _forget_old(path)


class _Pickler(pickle.Pickler):
    """Frozen dataclasses pickled as a constructor call.

    The default for a slotted dataclass restores it through ``__setstate__``, which looks up
    its fields for each of the ~40,000 values: three quarters of the load time.
    """

    def reducer_override(self, obj: Any) -> Any:
        cls: Any = type(obj)
        if isinstance(obj, type) or not _plain_dataclass(cls):
            return NotImplemented
        return cls, tuple(getattr(obj, name) for name in _field_names(cls))


@functools.cache
def _plain_dataclass(cls: Any) -> bool:
    """A dataclass rebuilt by calling it with its fields: all in ``__init__``, no post-init."""
    if not dataclasses.is_dataclass(cls) or hasattr(cls, "__post_init__"):
        return False
    return all(f.init for f in dataclasses.fields(cls))


@functools.cache
def _field_names(cls: Any) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _forget_old(kept: Path) -> None:
    """Remove caches of other keys unused for a week (left by upgrades; others may share it)."""
    week_ago = time.time() - 7 * 86400
    for old in kept.parent.glob("lexicon-*.pickle"):
        with contextlib.suppress(OSError):
            if old != kept and old.stat().st_atime < week_ago:
                old.unlink()


def _babel_init() -> Traversable:
    spec = importlib.util.find_spec("babel")
    assert spec is not None and spec.origin is not None  # a declared dependency
    return Path(spec.origin)
