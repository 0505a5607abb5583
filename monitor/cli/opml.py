"""``import-opml`` and ``completion``: bringing subscriptions in, and the shell's tab completion.

Owns: reading an OPML file (or standard input) and printing the ``sources:`` YAML made from it;
printing a completion script generated from the parser itself (shtab), so it never drifts from
the real options. Does not own: OPML itself (``monitor.opml``) or the parser (``monitor.cli``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping

from monitor.cli.common import open_file


def cmd_import_opml(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from monitor.opml import read_opml, to_sources_yaml

    if args.file == "-":
        data = sys.stdin.buffer.read()
    else:
        with open_file(args.file, "rb") as file:
            data = file.read()
    subscriptions = read_opml(data)
    print(f"# {len(subscriptions)} feeds from {args.file}: paste into monitor.yaml", end="\n")
    print(to_sources_yaml(subscriptions), end="")
    return 0


def cmd_completion(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    import shtab

    from monitor.cli import parser

    print(shtab.complete(parser(), shell=args.shell))
    return 0
