"""Sources: pure readers that turn fetched bytes into listing items (feeds, pages, sitemaps).

Owns: the public entry points of each reader. Does not own: fetching, storing or matching.
"""

from monitor.sources.feed import parse_feed
from monitor.sources.listing import parse_listing
from monitor.sources.sitemap import Sitemap, parse_sitemap

__all__ = ["Sitemap", "parse_feed", "parse_listing", "parse_sitemap"]
