"""The compiled cache of the shipped lexicon: same lexicon back, and any bad file rebuilt."""

from __future__ import annotations

from pathlib import Path

from monitor.match.guard import Guard
from monitor.match.lexicon import Concept, Form, Lexicon
from monitor.match.lexicon_cache import cache_dir, cached_lexicon
from monitor.match.lexicon_files import build_default_lexicon


def small() -> Lexicon:
    forms = (Form("Russia", "en", "name"), Form("Rusia", "id"), Form("terror*", "en"))
    return Lexicon([Concept("RU", "territory", forms, "t.yaml:1")], {"name": Guard("name")})


def same(a: Lexicon, b: Lexicon) -> bool:
    return vars(a) == vars(b)


class Builds:
    """A build function that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> Lexicon:
        self.calls += 1
        return small()


def cache_file(folder: Path) -> Path:
    (found,) = folder.glob("lexicon-*.pickle")
    return found


def test_second_load_comes_from_the_cache(tmp_path: Path) -> None:
    """The first call builds and writes; the second reads the same lexicon back."""
    build = Builds()
    first = cached_lexicon(build, tmp_path)
    second = cached_lexicon(build, tmp_path)
    assert build.calls == 1
    assert same(first, second)


def test_the_shipped_lexicon_survives_the_round_trip(tmp_path: Path) -> None:
    """The real lexicon (every value type in it) reads back equal."""
    built = cached_lexicon(build_default_lexicon, tmp_path)
    loaded = cached_lexicon(lambda: small(), tmp_path)
    assert same(built, loaded)


def test_a_corrupt_cache_is_rebuilt(tmp_path: Path) -> None:
    """A flipped byte fails the hash: the lexicon is built again and the file rewritten."""
    build = Builds()
    cached_lexicon(build, tmp_path)
    raw = bytearray(cache_file(tmp_path).read_bytes())
    raw[-10] ^= 0xFF
    cache_file(tmp_path).write_bytes(bytes(raw))
    assert same(cached_lexicon(build, tmp_path), small())
    assert build.calls == 2
    cached_lexicon(build, tmp_path)
    assert build.calls == 2


def test_a_truncated_or_foreign_file_is_rebuilt(tmp_path: Path) -> None:
    """Half a file, or any other content under the cache's name, is never unpickled."""
    build = Builds()
    cached_lexicon(build, tmp_path)
    path = cache_file(tmp_path)
    for content in (path.read_bytes()[:100], b"not a cache", b""):
        path.write_bytes(content)
        assert same(cached_lexicon(build, tmp_path), small())
    assert build.calls == 4


def test_an_unwritable_folder_still_gives_the_lexicon(tmp_path: Path) -> None:
    """No cache (a file where the folder should be) is not an error."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    build = Builds()
    assert same(cached_lexicon(build, blocker / "cache"), small())
    assert same(cached_lexicon(build, blocker / "cache"), small())
    assert build.calls == 2


def test_cache_dir_follows_xdg() -> None:
    """$XDG_CACHE_HOME when set, else ~/.cache."""
    assert cache_dir({"XDG_CACHE_HOME": "/c"}) == Path("/c/news-monitor")
    assert cache_dir({}) == Path.home() / ".cache" / "news-monitor"
