"""The Docker image, built and run for real (README, "Docker").

Built from this checkout with ``docker build`` (``PYTHON_IMAGE`` from
``$MONITOR_TEST_PYTHON_IMAGE``: ``.ci/run`` starts a private engine and a local stand-in base
image with ``../shared/tools/docker-here.sh`` where Docker Hub is unreachable). A sibling
container serves a feed and a webhook on its loopback; the monitor container shares that
loopback (``--network=container:``), so nothing leaves the machine.
Skipped with a reason when no Docker engine answers, unless ``MONITOR_REQUIRE_DOCKER=1`` (CI).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
WORLD = Path(__file__).parent / "data" / "image" / "world.py"
TAG = "news-monitor:test"
# one xdist worker runs this module: the image (a module fixture) is built once, and one tag
# is never built by two workers at once
pytestmark = pytest.mark.xdist_group("image")
#: generous bounds: the engine and the machine may be busy; each wait ends as soon as it can
WAIT = 180.0

FEED = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Republika</title>
<item><title>Rusia-ASEAN Perbarui Kerja Sama Pemberantasan Terorisme</title>
<link>https://www.republika.co.id/berita/r3rzq4382/rusiaasean</link><guid>r3rzq4382</guid>
<description>Rusia dan ASEAN memperbarui kerja sama pemberantasan terorisme.</description>
<pubDate>Tue, 07 Dec 2021 13:33:00 GMT</pubDate></item></channel></rss>"""

CONFIG = """\
timezone: Asia/Jakarta
watchlists: ["watchlists/*.yaml"]
http: {allow_private_networks: true}
defaults: {jitter: 0s, follow: false}
sources:
  - id: republika
    feed: http://127.0.0.1:8000/feed.xml
    language: id
    backfill: 3650d  # the first poll alerts on the (2021) item instead of a silent baseline
channels:
  hook:
    urls: ["json://127.0.0.1:8001/hook"]
"""

WATCHLIST = """\
topics:
  - id: russia-asean
    name: Russia–ASEAN
    query: (Russia OR Rusia) AND ASEAN
"""


def docker(
    *args: str, check: bool = True, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, check=check
    )


def _engine_answers() -> bool:
    if not shutil.which("docker"):
        return False
    return docker("info", check=False, timeout=60).returncode == 0


@pytest.fixture(scope="module")
def image() -> str:
    if not _engine_answers():
        if os.environ.get("MONITOR_REQUIRE_DOCKER") == "1":
            pytest.fail("MONITOR_REQUIRE_DOCKER=1 but no Docker engine answers")
        pytest.skip("no Docker engine answers (.ci/run starts one with docker-here.sh)")
    base = os.environ.get("MONITOR_TEST_PYTHON_IMAGE", "python:3.11-slim")
    docker(
        "build", "--network=host", "--build-arg", f"PYTHON_IMAGE={base}", "-t", TAG, str(ROOT),
        timeout=1800,
    )  # fmt: skip
    return TAG


@pytest.fixture
def cleanup() -> Iterator[Callable[[str, str], None]]:
    made: list[tuple[str, str]] = []
    yield lambda kind, name: made.append((kind, name))
    for kind, name in reversed(made):
        if kind == "container":
            docker("rm", "-f", name, check=False)
        else:
            docker("volume", "rm", "-f", name, check=False)


def _wait(what: str, ready: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not ready():
        assert time.monotonic() < deadline, f"{what} not within {WAIT:.0f}s"
        time.sleep(0.5)


def _inspect(container: str, field: str) -> str:
    return docker("inspect", "--format", "{{" + field + "}}", container, check=False).stdout.strip()


@pytest.mark.slow
def test_image_user_and_version(image: str) -> None:
    assert (
        docker("run", "--rm", "--network=none", "--entrypoint", "id", image, "-u").stdout
        == "10001\n"
    )
    assert docker("run", "--rm", "--network=none", image, "--version").stdout.startswith("monitor ")


@pytest.mark.slow
def test_image_ships_the_compiled_lexicon(image: str) -> None:
    """The lexicon cache is built into the image, and the installed code accepts it as current."""
    check = (
        "import os; from monitor.match.lexicon_cache import cache_dir, cache_key; "
        "print((cache_dir(os.environ) / f'lexicon-{cache_key().hex()[:16]}.pickle').is_file())"
    )
    ran = docker("run", "--rm", "--network=none", "--entrypoint", "python", image, "-c", check)
    assert ran.stdout == "True\n"


@pytest.mark.slow
def test_image_delivers_stays_healthy_and_stops_cleanly(
    image: str, tmp_path: Path, cleanup: Callable[[str, str], None]
) -> None:
    """Fresh volume, `docker exec ... matches` at once, a match delivered from a sibling's feed,
    healthy, `docker stop` ending it by its own SIGTERM handling (exit 0, "stopped" logged, not
    docker's SIGKILL), and the volume outliving the container."""
    run_id = uuid.uuid4().hex[:8]
    world, monitor, volume = f"world-{run_id}", f"monitor-{run_id}", f"monitor-data-{run_id}"
    (tmp_path / "world").mkdir()
    (tmp_path / "world" / "feed.xml").write_text(FEED, encoding="utf-8")
    shutil.copy(WORLD, tmp_path / "world" / "world.py")
    out = tmp_path / "out"
    out.mkdir(mode=0o777)
    out.chmod(0o777)
    config = tmp_path / "config"
    (config / "watchlists").mkdir(parents=True)
    (config / "monitor.yaml").write_text(CONFIG, encoding="utf-8")
    (config / "watchlists" / "topics.yaml").write_text(WATCHLIST, encoding="utf-8")
    for path in (config, config / "watchlists", tmp_path / "world"):
        path.chmod(0o755)

    cleanup("container", world)
    docker(
        "run", "-d", "--name", world, "--network=none", "--user", "root", "--entrypoint", "python",
        "-v", f"{tmp_path / 'world'}:/world:ro", "-v", f"{out}:/out", image, "/world/world.py",
    )  # fmt: skip
    cleanup("volume", volume)
    cleanup("container", monitor)
    docker(
        "run", "-d", "--name", monitor, f"--network=container:{world}",
        "-v", f"{volume}:/data", "-v", f"{config}:/config:ro", image,
    )  # fmt: skip
    at_once = docker("exec", monitor, "monitor", "matches", check=False)
    assert at_once.returncode in (0, 3), at_once.stderr  # 3: "no database yet", said plainly
    assert "Traceback" not in at_once.stderr and "already exists" not in at_once.stderr

    hooks = out / "hooks.jsonl"
    _wait("the webhook", lambda: hooks.exists() and hooks.read_text().count("\n") >= 1)
    assert "Rusia-ASEAN" in json.loads(hooks.read_text().splitlines()[0])["body"]
    _wait("healthy", lambda: _inspect(monitor, ".State.Health.Status") == "healthy")
    assert docker("exec", monitor, "monitor", "matches").returncode == 0

    # judged by how it ended, not how fast (the engine may be busy): a SIGKILL after docker's
    # grace would exit 137 without the daemon's last line; an orderly stop exits 0 and says so
    docker("stop", "--time", "60", monitor, timeout=120)
    assert _inspect(monitor, ".State.ExitCode") == "0"
    assert _inspect(monitor, ".State.OOMKilled") == "false"
    logs = docker("logs", monitor).stderr
    assert " ERROR " not in logs and "Traceback" not in logs, logs[-3000:]
    assert any(line.endswith(" stopped") for line in logs.splitlines()), logs[-3000:]
    docker("rm", monitor)

    again = docker(
        "run", "--rm", "--network=none", "-v", f"{volume}:/data", "-v", f"{config}:/config:ro",
        image, "matches", "--json",
    )  # fmt: skip
    assert [json.loads(line)["topic"] for line in again.stdout.splitlines()] == ["russia-asean"]
    assert hooks.read_text().count("\n") == 1
