"""A real ``monitor run`` with its web side on an ephemeral loopback port, for the web tests.

``running_daemon(config)`` starts the daemon as a subprocess (``web.listen: 127.0.0.1:0`` in the
config picks a free port), waits until it logs the address it listens on and ``/healthz``
answers, yields a ``Daemon`` with that base URL and the log, and stops it with SIGTERM.
``seed(url)`` stores a known set of matches (with one hostile headline) straight into the
database before the daemon starts, so pages have content without waiting for polls.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from monitor.store import NewArticle, SourceState, Store
from monitor.types import Hit, Item, Match, Validators

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
#: a headline built to break out of HTML, attributes and scripts if anything were unescaped
HOSTILE = (
    '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
    "\"'><b>bold</b> Russia ASEAN"
)
HEADLINES = (
    "Russia and ASEAN agree to widen counter-terrorism cooperation",
    "Indonesia hosts Russia for maritime security talks",
    "ASEAN ministers weigh Russia's offer of defence training",
    "Russia, Indonesia sign deal on cyber security exchange",
)
TOPICS = """\
topics:
  - id: russia-asean
    name: Russia and ASEAN
    query: (Russia OR Rusia) AND (ASEAN OR Indonesia)
    threshold: 0.3
  - id: rice
    name: Rice prices
    query: rice OR beras
    threshold: 0.3
"""


@dataclass
class Daemon:
    url: str
    process: subprocess.Popen[str]
    log: Path

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **kwargs)  # type: ignore[arg-type]


def write_config(
    tmp: Path, database_url: str, web: str = 'web: {listen: "127.0.0.1:0"}', extra: str = ""
) -> Path:
    (tmp / "watchlists").mkdir(exist_ok=True)
    (tmp / "watchlists" / "topics.yaml").write_text(TOPICS, encoding="utf-8")
    config = tmp / "monitor.yaml"
    config.write_text(
        f"database: {database_url}\n"
        "timezone: Asia/Jakarta\n"
        'watchlists: ["watchlists/*.yaml"]\n'
        "http: {user_agent: web-tests, allow_private_networks: true, per_host_interval: 0s}\n"
        "defaults: {follow: false, jitter: 0s}\n"
        f"{web}\n{extra}",
        encoding="utf-8",
    )
    return config


@contextmanager
def running_daemon(config: Path, env: dict[str, str] | None = None) -> Iterator[Daemon]:
    log = config.parent / "daemon.log"
    full_env = {**os.environ, "MONITOR_LOG_LEVEL": "INFO", **(env or {})}
    full_env.pop("MONITOR_DATABASE_URL", None)
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--config", str(config), "run"],
            cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
    try:
        daemon = Daemon(_wait_for_address(process, log), process, log)
        _wait_for_health(daemon)
        yield daemon
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=300)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_address(process: subprocess.Popen[str], log: Path, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(r"web side listening on (http://\S+)/", log.read_text())
        if found:
            return found.group(1)
        assert process.poll() is None, f"the daemon exited:\n{log.read_text()}"
        time.sleep(0.05)
    raise AssertionError(f"the daemon never listened:\n{log.read_text()}")


def _wait_for_health(daemon: Daemon, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    with daemon.client() as client:
        while time.monotonic() < deadline:
            try:
                if client.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
    raise AssertionError(f"/healthz never answered 200:\n{daemon.log.read_text()}")


def seed(database_url: str, count: int = 60) -> None:
    """``count`` matches of russia-asean (one with the hostile headline, one Indonesian), two
    of rice, deliveries on two channels (one of them dead)."""
    with Store.open(database_url) as store:
        articles = [
            _article(f"https://news.example/{n}", f"{HEADLINES[n % len(HEADLINES)]} #{n}", "en",
                     "russia-asean")
            for n in range(count)
        ]  # fmt: skip
        articles[-1] = _article("https://news.example/hostile", HOSTILE, "en", "russia-asean")
        articles[-2] = _article(
            "https://news.example/id", "Rusia dan Indonesia bahas keamanan", "id", "russia-asean"
        )
        articles += [
            _article(f"https://rice.example/{n}", f"Rice prices climb {n}", "en", "rice")
            for n in range(2)
        ]
        articles.append(_article("javascript:alert(1)", "A link that is not http", "en", "rice"))
        for n, article in enumerate(articles):
            store.save_poll(_state(article.source_id), [article], T0 + timedelta(seconds=n))
        dead = store.deliveries(status="pending", limit=1)[0]
        store.mark_dead_many([dead.delivery_id], "refused by the test", T0)


def add_article(database_url: str, url: str, title: str, topic: str) -> None:
    """One more English article matching ``topic``, older than the seed's."""
    article = _article(url, title, "en", topic)
    with Store.open(database_url) as store:
        store.save_poll(_state(article.source_id), [article], T0 - timedelta(hours=1))


def _article(url: str, title: str, language: str, topic: str) -> NewArticle:
    item = Item(key=url, url=url, guid=None, title=title,
                summary=f"{title}. The text mentions Russia, ASEAN and rice.",
                published=T0, language=language)  # fmt: skip
    words = [w for w in ("Russia", "ASEAN", "Rusia", "Indonesia", "Rice") if w in title]
    hits = tuple(Hit(term=w, field="title", position=0, matched=w) for w in words)
    source = "rice-wire" if topic == "rice" else "asean-wire"
    return NewArticle(
        item=item, source_id=source, source_name=source.replace("-", " ").title(),
        matches=((Match(topic=topic, score=0.8, hits=hits), topic, ("hook", "mail")),),
        notify=True,
    )  # fmt: skip


def _state(source_id: str) -> SourceState:
    return SourceState(
        source_id=source_id, url=f"https://{source_id}.example/feed", validators=Validators(),
        last_check=T0, next_check=T0 + timedelta(days=1), last_success=T0, failures=0,
        last_error=None, items_seen=1, status="ok", baselined=True,
    )  # fmt: skip
