"""``monitor nodes``: the ``monitor run`` processes sharing a PostgreSQL database.

Owns: listing each node with its heartbeat, whether it is alive, and what it holds now (the
sources it is polling, the channel rounds it is running), as a table or as JSON.
Does not own: the nodes' coordination (``monitor.node``, ``monitor.store``).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping

from monitor.cli.common import iso, open_store, print_table, settings_from
from monitor.cluster import NodeView


def cmd_nodes(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    settings = settings_from(args, env)
    with open_store(settings) as store:
        if not store.clustered:
            print("SQLite: one daemon at a time (monitor run locks a file beside the database)")
            return 0
        nodes = store.nodes()
    if args.json:
        for node in nodes:
            print(json.dumps(_json(node), ensure_ascii=False))
        return 0
    print_table(
        ["node", "alive", "heartbeat", "lease until", "sources", "channels"],
        [
            [n.node, "yes" if n.alive else "no", iso(n.heartbeat), iso(n.expires),
             _held(n.sources), _held(n.channels)]
            for n in nodes
        ],
    )  # fmt: skip
    return 0


def _json(node: NodeView) -> dict[str, object]:
    return {
        "node": node.node,
        "host": node.host,
        "pid": node.pid,
        "alive": node.alive,
        "started": iso(node.started),
        "heartbeat": iso(node.heartbeat),
        "expires": iso(node.expires),
        "sources": list(node.sources),
        "channels": [name.removeprefix("channel:") for name in node.channels],
    }


def _held(names: tuple[str, ...], shown: int = 5) -> str:
    names = tuple(name.removeprefix("channel:") for name in names)
    more = f" +{len(names) - shown}" if len(names) > shown else ""
    return (",".join(names[:shown]) + more) or "-"
