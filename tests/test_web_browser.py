"""The dashboard in a real headless Chromium (Debian's ``chromium`` and ``chromium-driver``,
driven by Selenium; never a downloaded browser), against a real ``monitor run``.

Skips with the reason when the system browser or its driver is missing (``.ci/run`` installs
them). With ``MONITOR_SCREENSHOT=path`` the matches page is saved there (the README's picture).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from monitor.store import Store
from tests.webdaemon import HOSTILE, Daemon, add_article, running_daemon, seed, write_config

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

pytestmark = [
    pytest.mark.slow,
    # one xdist worker: one daemon and one Chromium (module fixtures) for the whole module
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(
        not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
        reason="needs Debian's chromium and chromium-driver (apt-get install chromium "
        "chromium-driver; .ci/run does)",
    ),
]
webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (pip: .[test])")
from selenium.webdriver import Chrome  # noqa: E402 (after the skip)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

CHANNELS = (
    "sources:\n"
    "  - {id: asean-wire, name: ASEAN Wire, feed: 'https://asean-wire.example/feed'}\n"
    "  - {id: rice-wire, name: Rice Wire, feed: 'https://rice-wire.example/feed'}\n"
    "channels:\n"
    "  hook: {urls: ['json://127.0.0.1:9/hook?token=browser-test-secret']}\n"
    "  mail: {urls: ['json://127.0.0.1:9/mail']}\n"
)


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    tmp = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{tmp / 'monitor.db'}"
    seed(url)
    with running_daemon(write_config(tmp, url, extra=CHANNELS)) as running:
        running.database_url = url  # type: ignore[attr-defined]
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--window-size=1200,900", "--lang=en-US"):  # fmt: skip
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def found(browser: Chrome, css: str) -> WebElement:
    """The element once the page (loading after a click) has it."""
    return WebDriverWait(browser, 60).until(lambda b: b.find_element(By.CSS_SELECTOR, css))


def matches_shown(browser: Chrome) -> list[str]:
    return [e.get_attribute("id") or "" for e in browser.find_elements(By.CSS_SELECTOR, "li.match")]


def test_matches_page_renders(daemon: Daemon, browser: Chrome) -> None:
    """The first page lists 50 matches with headline links, scores and delivery status."""
    browser.get(daemon.url + "/")
    assert browser.title == "Matches · news-monitor"
    assert len(matches_shown(browser)) == 50
    first = browser.find_element(By.CSS_SELECTOR, "li.match")
    assert first.find_element(By.CSS_SELECTOR, ".score").text == "0.80"
    assert "hook: pending" in first.find_element(By.CSS_SELECTOR, ".deliveries").text
    assert browser.find_element(By.CSS_SELECTOR, "a[rel=next]").text.startswith("Older")
    if os.environ.get("MONITOR_SCREENSHOT"):
        browser.get(daemon.url + "/?topic=russia-asean")
        browser.save_screenshot(os.environ["MONITOR_SCREENSHOT"])


def test_filter_by_topic(daemon: Daemon, browser: Chrome) -> None:
    """Choosing a topic and pressing Filter lists only that topic's matches."""
    browser.get(daemon.url + "/")
    Select(browser.find_element(By.NAME, "topic")).select_by_value("rice")
    browser.find_element(By.CSS_SELECTOR, "#filters button[type=submit]").click()
    WebDriverWait(browser, 60).until(lambda b: "topic=rice" in b.current_url)
    found(browser, "li.match")
    topics = {e.text for e in browser.find_elements(By.CSS_SELECTOR, "li.match .topic")}
    assert topics == {"rice"} and len(matches_shown(browser)) == 3


def test_feedback_click_is_stored(daemon: Daemon, browser: Chrome) -> None:
    """Pressing "Relevant" stores the verdict and the page shows it."""
    browser.get(daemon.url + "/?topic=russia-asean")
    item = browser.find_element(By.CSS_SELECTOR, "li.match")
    match_id = int((item.get_attribute("id") or "").removeprefix("match-"))
    item.find_element(By.CSS_SELECTOR, "button.relevant").click()
    assert found(browser, f"#match-{match_id} .verdict").text == "marked relevant"
    with Store.open(daemon.database_url) as store:  # type: ignore[attr-defined]
        assert [(f.match_id, f.verdict) for f in store.feedback()] == [(match_id, "relevant")]


def test_try_it_shows_the_dry_run(daemon: Daemon, browser: Chrome) -> None:
    """A pasted headline is explained on the topics page: it would match, nothing is stored."""
    with Store.open(daemon.database_url) as store:  # type: ignore[attr-defined]
        before = _stored(store)
    browser.get(daemon.url + "/topics")
    form = browser.find_element(By.CSS_SELECTOR, "#topic-rice form.try")
    form.find_element(By.NAME, "title").send_keys("Harga beras naik lagi")
    form.find_element(By.CSS_SELECTOR, "button[value=text]").click()
    result = found(browser, "#try-result")
    assert "Would match" in result.text and "MATCH: score" in result.text
    assert browser.execute_script(
        "const box = arguments[0].getBoundingClientRect(); "
        "return box.top >= 0 && box.top < window.innerHeight",
        result,
    )
    assert browser.current_url.endswith("#try-result")  # the page opens at the result
    with Store.open(daemon.database_url) as store:  # type: ignore[attr-defined]
        assert _stored(store) == before


def test_hostile_headline_stays_inert(daemon: Daemon, browser: Chrome) -> None:
    """A headline carrying <script> and an onerror image runs nothing and shows as text."""
    browser.get(daemon.url + "/?topic=russia-asean")
    assert browser.execute_script("return window.__pwned === undefined") is True
    headlines = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "li.match .headline")]
    assert HOSTILE in headlines
    injected = "li.match img, li.match script, .headline b"
    assert browser.find_elements(By.CSS_SELECTOR, injected) == []


def test_a_right_to_left_override_in_a_title_stays_in_the_title(
    daemon: Daemon, browser: Chrome
) -> None:
    """A stored headline opening a right-to-left override, run over by "try it": its score is
    drawn after it and as written, not pulled to its left and reversed. (Last in the module:
    it adds a rice article.)"""
    add_article(daemon.database_url, "https://rice.example/rlo",  # type: ignore[attr-defined]
                "Rice sighting reported \u202eTIXE", "rice")  # fmt: skip
    browser.get(daemon.url + "/topics")
    browser.find_element(By.CSS_SELECTOR, "#topic-rice button[value=stored]").click()
    item = next(
        e
        for e in found(browser, "#try-result").find_elements(By.CSS_SELECTOR, "li")
        if "sighting" in e.text
    )
    title = item.find_element(By.CSS_SELECTOR, "a").rect
    score = item.find_element(By.CSS_SELECTOR, ".score")
    assert score.rect["x"] >= title["x"] + title["width"]


def _stored(store: Store) -> tuple[int, list[int], list[str]]:
    """How many articles are stored, and the ids of the stored matches and deliveries."""
    matches = [m.match_id for m in store.matches(limit=100_000)]
    deliveries = [d.delivery_id for d in store.deliveries(limit=100_000)]
    return len(list(store.stored_articles())), matches, deliveries


PAGES = ("/?topic=rice", "/", "/deliveries", "/topics", "/sources",
         # a long unreadable filter is ignored; the longest id a removed topic may have stays
         f"/?language={'x' * 300}", f"/?topic={'t' * 64}")  # fmt: skip


def test_no_page_scrolls_sideways_on_a_phone_or_a_desktop(daemon: Daemon, browser: Chrome) -> None:
    """One unbreakable 5,000-character headline breaks inside its line, and the wide forms
    and tables fit or scroll in their own box: no page is wider than a 375 px phone or a
    1280 px window. (Adds a rice article: after the tests that count them.)"""
    add_article(daemon.database_url, "https://rice.example/long",  # type: ignore[attr-defined]
                "Rice " + "x" * 5_000, "rice")  # fmt: skip
    try:
        for width in (375, 1280):
            browser.set_window_size(width, 900)
            inner = browser.execute_script("return window.innerWidth")
            assert inner <= width
            wider = {}
            for path in PAGES:
                browser.get(daemon.url + path)
                found(browser, "main")
                scroll = browser.execute_script("return document.documentElement.scrollWidth")
                if scroll > inner:
                    wider[path] = scroll
            assert wider == {}, (width, inner)
        browser.get(daemon.url + "/?topic=rice")
        assert "x" * 100 in browser.page_source  # the long headline is on the page checked
    finally:
        browser.set_window_size(1200, 900)
