"""Processes a test started, found through ``/proc``: to prove that none outlives its test.

Owns: whether a process lives and the live processes of a process group (zombies are dead: they
wait only for their parent to read their exit status), and waiting, up to a deadline, for a
group to be empty.
Linux only (``/proc``); pytest is not imported.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path


def live_members(group: int) -> list[int]:
    """The pids of the live (not zombie) processes in process group ``group``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(entry)) is not None:
            state, _ppid, pgrp = fields
            if int(pgrp) == group and state not in ("Z", "X"):
                found.append(int(entry.name))
    return found


def live(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie does not). Unlike ``Process.is_alive()``, which
    answers True when another thread of the parent (a pool's manager) reaped the child first."""
    fields = _stat(Path("/proc") / str(pid))
    return fields is not None and fields[0] not in ("Z", "X")


def _stat(entry: Path) -> tuple[str, str, str] | None:
    """(state, ppid, pgrp) of the process at ``/proc/<pid>``; None when there is none."""
    try:
        stat = (entry / "stat").read_text()
    except OSError:
        return None  # it ended meanwhile
    # "pid (command) state ppid pgrp ...": the command may hold spaces and parentheses
    state, ppid, pgrp = stat[stat.rindex(")") + 2 :].split()[:3]
    return state, ppid, pgrp


def wait_until_empty(group: int, timeout: float = 60.0) -> list[int]:
    """Wait for process group ``group`` to have no live process; the pids still alive at the
    deadline (empty: all gone). The deadline only bounds a failing test: a passing one returns
    as soon as the last process is gone."""
    deadline = time.monotonic() + timeout
    while (alive := live_members(group)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


def kill_group(group: int, sig: int) -> None:
    """Signal every process of ``group``; nothing to do if none is left."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, sig)
