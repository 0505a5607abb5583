"""``monitor prune``: delete the stored articles older than a number of days.

Deletes articles first seen more than ``--older-than`` days ago with their page text, fingerprint
and band keys, matches, sent deliveries and other outlets, batch by batch
(``monitor.retention``); keeps what an analyst or the outbox still needs (judged articles and
matches, deliveries not sent, matches made or carried lately: ``monitor.store``), and keeps the
deleted articles' keys seen, so a feed still listing one never alerts it again. ``--dry-run``
prints what would go and deletes nothing; ``--vacuum`` then gives the space back (SQLite rewrites
the file) and prints the database's size before and after. Prints the rows per table.

Owns: the options and what the command prints. Does not own: the rule or the deletes.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from monitor import retention
from monitor.cli.common import now, open_store, print_table, settings_from
from monitor.store import Pruned, Store


def cmd_prune(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    settings = settings_from(args, env)
    before = retention.cutoff(now(), args.older_than)
    vacuumed = None
    with open_store(settings) as store:
        if args.dry_run:
            pruned = store.prune_counts(before)
        else:
            pruned = retention.prune(store, before)
            vacuumed = _vacuum(store) if args.vacuum else None
    _print(pruned, args.older_than, dry_run=args.dry_run)
    if vacuumed is not None:
        print(vacuumed)
    return 0


def _vacuum(store: Store) -> str:
    """Vacuum, and say what it gave back."""
    size_before = store.database_size()
    store.vacuum()
    return vacuum_line(size_before, store.database_size(), postgresql=store.clustered)


def vacuum_line(before: int, after: int, postgresql: bool) -> str:
    """The database's size before and after ``--vacuum``, in plain words."""
    line = f"vacuum: {size(before)} \N{RIGHTWARDS ARROW} {size(after)}"
    if after < before:
        return f"{line} ({size(before - after)} freed)"
    if postgresql:  # VACUUM (not FULL) marks the space free inside the files
        return f"{line} (nothing freed on disk: PostgreSQL reuses the space for new rows)"
    return f"{line} (nothing freed)"


def size(count: int) -> str:
    """Bytes as people read them: ``512 bytes``, ``208.9 kB``, ``358.2 MB``, ``1.4 GB``."""
    if count < 1000:
        return f"{count} bytes"
    for unit, scale in (("kB", 1e3), ("MB", 1e6)):
        if count < scale * 999.95:
            return f"{count / scale:.1f} {unit}"
    return f"{count / 1e9:,.1f} GB"


def _print(pruned: Pruned, older_than: int, dry_run: bool) -> None:
    print_table(["table", "would delete" if dry_run else "deleted"], _rows(pruned))
    seen = "would be kept" if dry_run else "kept"
    print(
        f"seen_key: {pruned.seen_keys} keys of deleted articles {seen} seen (a feed still"
        " listing one does not alert it again)"
    )
    print(
        f"kept {pruned.kept} articles older than {older_than} days: judged, with a delivery"
        f" not sent, or matched or carried by another outlet in the last {older_than} days"
    )
    if dry_run:
        print("dry run: nothing deleted")


def _rows(pruned: Pruned) -> list[list[object]]:
    return [
        ["article", f"{pruned.articles} ({pruned.texts} with page text)"],
        ["match", pruned.matches],
        ["delivery", pruned.deliveries],
        ["match_outlet", pruned.outlets],
        ["story_band", pruned.bands],
        ["digest", pruned.digests],
    ]
