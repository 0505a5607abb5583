"""Start-up time of the CLI: ``--help``, ``--version`` and ``check`` beside ``python -c pass``.

    .venv/bin/python benchmarks/startup.py [--runs 9]

Runs each command ``--runs`` times in a fresh process and prints the median wall time and the
median CPU time (user + sys of the child, from ``wait4``). On a loaded machine read the CPU
column: the wall column then measures the other processes too. The target (issue 13) is 0.3 s
for ``--help``, ``--version`` and ``check`` on a small config, on an idle machine.

``check`` runs on a small config written to a temporary folder (one source, one topic with two
examples), once without a channel and once with a ``json://`` channel: validating a channel URL
loads every apprise plugin, which has a cost of its own. One warm-up run is not counted: the first
``check`` after an install or upgrade builds the lexicon cache (``monitor.match.lexicon_cache``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFIG = """\
database: sqlite:///{folder}/monitor.db
watchlists: [topics.yaml]
sources:
  - id: example
    feed: https://example.org/feed.xml
"""
CHANNEL = """\
channels:
  analysts:
    urls: [json://127.0.0.1:9/hook]
"""
TOPICS = """\
topics:
  - id: russia-asean
    name: Russia and ASEAN
    query: Russia AND (ASEAN OR Indonesia)
    examples:
      match: ["Russia and Indonesia hold a naval exercise"]
      no_match: ["Indonesia tightens security at Bali airport"]
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs per command (median shown)")
    runs = parser.parse_args().runs
    monitor = [sys.executable, "-m", "monitor"]
    with tempfile.TemporaryDirectory() as folder:
        plain, channel = _configs(Path(folder))
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "monitor --help": [*monitor, "--help"],
            "monitor --version": [*monitor, "--version"],
            "monitor check (no channel)": [*monitor, "--config", str(plain), "check"],
            "monitor check (json:// channel)": [*monitor, "--config", str(channel), "check"],
        }
        _timed(commands["monitor check (no channel)"])  # warm-up: builds the lexicon cache
        print(f"{'command':34} {'wall s':>8} {'cpu s':>8}   (median of {runs})")
        for name, argv in commands.items():
            walls, cpus = zip(*(_timed(argv) for _ in range(runs)), strict=True)
            print(f"{name:34} {statistics.median(walls):8.3f} {statistics.median(cpus):8.3f}")


def _configs(folder: Path) -> tuple[Path, Path]:
    (folder / "topics.yaml").write_text(TOPICS, encoding="utf-8")
    plain, channel = folder / "plain.yaml", folder / "channel.yaml"
    plain.write_text(CONFIG.format(folder=folder), encoding="utf-8")
    channel.write_text(CONFIG.format(folder=folder) + CHANNEL, encoding="utf-8")
    return plain, channel


def _timed(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + sys) seconds of one run; a failing command stops the benchmark."""
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: wait4 cannot deadlock on it
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=errors)
        _pid, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(argv)} failed: {errors.read().decode()}")
    return wall, usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
