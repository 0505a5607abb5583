"""``import-opml`` and ``completion``: bringing subscriptions in, and the shell's tab completion.

Owns: reading an OPML file (or standard input) and printing the ``sources:`` YAML made from it;
printing a completion script generated from the parser itself (shtab), so it never drifts from
the real options. Does not own: OPML itself (``monitor.opml``) or the parser (``monitor.cli``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path

from monitor.cli.common import EXIT_USAGE


def cmd_import_opml(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from monitor.opml import read_opml, to_sources_yaml

    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as error:
        print(f"cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    subscriptions = read_opml(data)
    print(f"# {len(subscriptions)} feeds from {args.file}: paste into monitor.yaml", end="\n")
    print(to_sources_yaml(subscriptions), end="")
    return 0


def cmd_completion(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    import shtab

    from monitor.cli import parser

    print(shtab.complete(parser(), shell=args.shell))
    return 0
