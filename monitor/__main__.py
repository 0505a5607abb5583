"""``python -m monitor`` is the ``monitor`` command."""

import sys

from monitor.cli import entry

if __name__ == "__main__":
    sys.exit(entry())
