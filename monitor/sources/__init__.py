"""Sources: pure readers that turn fetched bytes into listing items (feeds now; pages later).

Owns: the public entry points of each reader. Does not own: fetching, storing or matching.
"""

from monitor.sources.feed import parse_feed

__all__ = ["parse_feed"]
