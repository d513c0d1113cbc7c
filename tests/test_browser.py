"""The built site in a real browser: headless Chromium (Debian's chromium and chromium-driver) driven by
selenium, the site served from a thread on 127.0.0.1. Without the browser the tests are skipped,
unless EFFDIFF_REQUIRE_BROWSER=1 (CI), where a missing browser fails them."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest

from effdiff_catalog.build import build
from conftest import NODE_MODULES, installed_tool, make_catalog, write_record

# selenium must never go looking for a browser or driver online, nor report usage
os.environ.setdefault("SE_OFFLINE", "true")
os.environ.setdefault("SE_AVOID_STATS", "true")

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
DRIVERS = ("chromedriver",)


def _find(names: tuple[str, ...], extra: tuple[str, ...] = ()) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in extra if Path(p).is_file()), None)


def _missing(reason: str) -> None:
    if os.environ.get("EFFDIFF_REQUIRE_BROWSER") == "1":
        pytest.fail(f"EFFDIFF_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


class _Handler(http.server.SimpleHTTPRequestHandler):
    requests: list[str]

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        self.requests.append(self.path)


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve a built site from a thread on 127.0.0.1 (a free port); yield its base URL."""
    handler = functools.partial(type("Handler", (_Handler,), {"requests": []}), directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def site_url(tmp_path_factory) -> Iterator[str]:
    root = make_catalog(tmp_path_factory.mktemp("browser") / "catalog", "small", "hostile")
    build(root, log=lambda message: None)
    with serve(root / "site" / "public") as url:
        yield url


@pytest.fixture(scope="module")
def driver(site_url: str, tmp_path_factory):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed (pip install -e '.[test]')")
    browser = _find(BROWSERS)
    chromedriver = _find(DRIVERS, ("/usr/lib/chromium/chromedriver",))
    if not browser or not chromedriver:
        _missing("chromium or chromedriver not found (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    profile = tmp_path_factory.mktemp("chromium-profile")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--window-size=1400,1000", f"--user-data-dir={profile}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    chrome = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    chrome.set_page_load_timeout(30)
    try:
        yield chrome
    finally:
        chrome.quit()


def wait(driver, condition, timeout: float = 15):
    """Until condition(driver) is truthy. Pages that re-render while the test reads them (search
    results update as one types) may hand out stale elements: that is a retry, not a failure."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(condition)


def open_all_papers(driver, site_url: str):
    from selenium.webdriver.common.by import By

    driver.get(site_url + "all-papers/")
    wait(driver, lambda d: d.find_element(By.ID, "effdiff-papers").get_attribute("data-ready") == "true")
    return driver.find_element(By.ID, "effdiff-papers")


def visible_titles(box) -> list[str]:
    from selenium.webdriver.common.by import By

    return [row.find_element(By.CSS_SELECTOR, "td a").text for row in box.find_elements(By.CSS_SELECTOR, "tbody tr")
            if row.is_displayed()]


def test_home_page_renders(driver, site_url: str):
    from selenium.webdriver.common.by import By

    driver.get(site_url)
    assert driver.title == "Efficient Diffusion Models Catalog"
    assert driver.find_element(By.CSS_SELECTOR, "article h1").text == "Efficient Diffusion Models Catalog"
    counts = driver.find_element(By.CSS_SELECTOR, ".effdiff-counts").text
    assert "8\npapers" in counts
    assert driver.find_element(By.CSS_SELECTOR, "svg.effdiff-chart").is_displayed()
    nav = driver.find_element(By.CSS_SELECTOR, "nav.md-nav--primary").text
    assert "All papers" in nav and "Taxonomy" in nav


def test_paper_page_shows_its_bibtex(driver, site_url: str):
    from selenium.webdriver.common.by import By

    driver.get(site_url + "papers/fastsampler-2023/")
    code = driver.find_element(By.CSS_SELECTOR, ".highlight code").text
    assert code.startswith("@inproceedings{fastsampler-2023,")
    assert "title = {{FastSampler:} Few-Step {ODE} Solving for Latent Diffusion}" in code
    # Material's copy button on the code block
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".highlight button[data-clipboard-target]"))


def test_all_papers_filters_narrow_the_rows(driver, site_url: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    box = open_all_papers(driver, site_url)
    assert len(visible_titles(box)) == 8
    form = box.find_element(By.TAG_NAME, "form")
    Select(form.find_element(By.NAME, "venue")).select_by_value("arXiv")
    assert sorted(visible_titles(box)) == ["<script>alert(1)</script>",
                                           "TinyQuant: 4-Bit Post-Training Quantization of Diffusion Transformers"]
    assert box.find_element(By.CSS_SELECTOR, ".effdiff-count").text == "2 of 8 papers"
    form.find_element(By.NAME, "q").send_keys("quantization")
    assert visible_titles(box) == ["TinyQuant: 4-Bit Post-Training Quantization of Diffusion Transformers"]

    # a screenshot of the filtered page, to look at
    screenshot = Path(os.environ.get("TMPDIR") or tempfile.gettempdir()) / "effdiff-all-papers.png"
    driver.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 10_000

    box.find_element(By.CSS_SELECTOR, "button[type=reset]").click()
    wait(driver, lambda d: len(visible_titles(box)) == 8)
    # topic (with its sub-topics), code, years and modality
    Select(form.find_element(By.NAME, "node")).select_by_value("algorithm.compression")
    assert len(visible_titles(box)) == 4
    form.find_element(By.NAME, "code").click()
    assert sorted(visible_titles(box)) == ["Structured Pruning for Diffusion U-Nets",
                                           "TinyQuant: 4-Bit Post-Training Quantization of Diffusion Transformers"]
    form.find_element(By.NAME, "year_min").send_keys("2024")
    assert visible_titles(box) == ["TinyQuant: 4-Bit Post-Training Quantization of Diffusion Transformers"]
    box.find_element(By.CSS_SELECTOR, "button[type=reset]").click()
    wait(driver, lambda d: len(visible_titles(box)) == 8)
    Select(form.find_element(By.NAME, "modality")).select_by_value("video")
    assert len(visible_titles(box)) == 3
    # words match authors too, accents folded
    box.find_element(By.CSS_SELECTOR, "button[type=reset]").click()
    form.find_element(By.NAME, "q").send_keys("angstrom")
    wait(driver, lambda d: visible_titles(box) == ["FastSampler: Few-Step ODE Solving for Latent Diffusion"])


def test_one_choice_in_a_filter_filters_once(driver, site_url: str):
    # a select fires input and then change for one choice: filtering on both laid the table out twice
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    box = open_all_papers(driver, site_url)
    driver.execute_script("""
        window.effdiffRenders = 0;  // the count line is written once per filtering
        new MutationObserver(records => { window.effdiffRenders += records.length; })
            .observe(document.querySelector('#effdiff-papers .effdiff-count'), {childList: true});""")
    Select(box.find_element(By.NAME, "venue")).select_by_value("arXiv")
    wait(driver, lambda d: d.execute_script("return window.effdiffRenders") >= 1)
    box.find_element(By.NAME, "code").click()
    wait(driver, lambda d: d.execute_script("return window.effdiffRenders") >= 2)
    driver.execute_script("return 0")  # a round trip, for a late second filtering to show
    assert driver.execute_script("return window.effdiffRenders") == 2


def test_all_papers_columns_sort(driver, site_url: str):
    from selenium.webdriver.common.by import By

    box = open_all_papers(driver, site_url)
    years = [int(r.find_elements(By.TAG_NAME, "td")[2].text) for r in box.find_elements(By.CSS_SELECTOR, "tbody tr")]
    assert years == sorted(years, reverse=True)
    box.find_element(By.CSS_SELECTOR, "th[data-sort=title] button").click()
    titles = visible_titles(box)
    assert titles[0] == "<script>alert(1)</script>" and titles[-1] == "TinyQuant: 4-Bit Post-Training Quantization of Diffusion Transformers"
    assert box.find_element(By.CSS_SELECTOR, "th[data-sort=title]").get_attribute("aria-sort") == "ascending"
    box.find_element(By.CSS_SELECTOR, "th[data-sort=title] button").click()
    assert visible_titles(box) == titles[::-1]


def test_query_string_preselects_filters(driver, site_url: str):
    box = None
    driver.get(site_url + "all-papers/?node=system&q=cachenet")
    from selenium.webdriver.common.by import By

    wait(driver, lambda d: d.find_element(By.ID, "effdiff-papers").get_attribute("data-ready") == "true")
    box = driver.find_element(By.ID, "effdiff-papers")
    assert visible_titles(box) == ["CacheNet: Reusing Features Across Denoising Steps"]


def search(driver, site_url: str, words: str) -> list[str]:
    """The titles the Search page (Pagefind) finds for words."""
    from selenium.webdriver.common.by import By

    driver.get(site_url + "search/")
    field = wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, "input.pagefind-ui__search-input"))
    field.send_keys(words)

    def found(d):
        titles = [e.text for e in d.find_elements(By.CSS_SELECTOR, ".pagefind-ui__result-title")]
        return titles or None

    return wait(driver, found)


@pytest.mark.parametrize("words, title", [
    ("adapters", "Low-Rank Adapters for Video Diffusion"),  # a word of the title
    ("Noether", "Low-Rank Adapters for Video Diffusion"),  # an author
    ("ICASSP", "SpeechDistill: One-Step Speech Synthesis by Distillation"),  # a venue
    ("Lamarr", "SpeechDistill: One-Step Speech Synthesis by Distillation"),
])
def test_search_finds_a_paper_by_a_title_word_an_author_and_a_venue(driver, site_url: str, words: str, title: str):
    assert title in search(driver, site_url, words)


def test_hostile_titles_are_text_in_the_browser(driver, site_url: str):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    for paper_id, title in (("script-alert-2024", "<script>alert(1)</script>"),
                            ("evil-javascript-alert-2024", "Evil](javascript:alert(1))")):
        driver.get(site_url + f"papers/{paper_id}/")
        assert driver.find_element(By.CSS_SELECTOR, "article h1").text == title
        assert driver.title == f"{title} - Efficient Diffusion Models Catalog"
        with pytest.raises(NoAlertPresentException):
            driver.switch_to.alert.text  # noqa: B018 - raises when no alert() ran
    box = open_all_papers(driver, site_url)
    assert "<script>alert(1)</script>" in visible_titles(box)
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018


def test_no_errors_in_the_browser_log_and_no_request_leaves_127_0_0_1(driver, site_url: str):
    for page in ("", "all-papers/", "search/", "taxonomy/algorithm/compression/pruning/", "papers/script-alert-2024/", "leaderboards/",
                 "leaderboards/cifar10-32-uncond/edm-cifar10-vp/", "papers/fastsampler-2023/",
                 "frameworks/", "statistics/", "contributing/"):
        driver.get(site_url + page)
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    requested = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] in ("Network.requestWillBeSent", "Network.webSocketCreated"):
            requested.append(message["params"].get("request", message["params"]).get("url", ""))
    # every request that goes over the network (the browser's own chrome:// pages do not)
    network = [url for url in requested if urlsplit(url).scheme in ("http", "https", "ws", "wss", "ftp")]
    assert network and [url for url in network if urlsplit(url).hostname != "127.0.0.1"] == []
    resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources and all(urlsplit(url).hostname == "127.0.0.1" for url in resources)


def test_all_papers_shows_a_page_of_rows_at_a_time(driver, tmp_path: Path):
    from selenium.webdriver.common.by import By

    root = make_catalog(tmp_path / "many")
    for i in range(105):
        write_record(root, f"solver-{i:03d}-2020", title=f"Solver number {i:03d}")
    build(root, log=lambda message: None)
    with serve(root / "site" / "public") as url:
        box = open_all_papers(driver, url)
        # newest first, then by title (all from 2020 here)
        assert visible_titles(box) == [f"Solver number {i:03d}" for i in range(50)]
        assert box.find_element(By.CSS_SELECTOR, ".effdiff-count").text == "105 papers, the first 50 shown"
        more = box.find_element(By.CSS_SELECTOR, ".effdiff-more")
        assert more.text == "Show 50 more (55 not shown)"
        more.click()
        assert len(visible_titles(box)) == 100 and more.text == "Show 5 more (5 not shown)"
        more.click()
        assert len(visible_titles(box)) == 105 and not more.is_displayed()
        # a filter starts again from the first page and counts every match
        box.find_element(By.NAME, "q").send_keys("solver 10")  # every word must match somewhere
        assert visible_titles(box) == ["Solver number 010"] + [f"Solver number {i}" for i in range(100, 105)]
        assert not more.is_displayed()


# -- accessibility: axe-core (npm, injected from node_modules/, never from a CDN) --------------------

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]  # WCAG 2.0, 2.1 and 2.2, levels A and AA
# every page type of the site (a paper with reported results: fastsampler-2023)
PAGE_TYPES = {"home": "", "all papers": "all-papers/", "all papers, filtered by its query": "all-papers/?node=algorithm&q=diffusion",
              "paper with results": "papers/fastsampler-2023/", "node": "taxonomy/algorithm/compression/",
              "taxonomy": "taxonomy/", "statistics": "statistics/", "frameworks": "frameworks/", "new": "new/",
              "contributing": "contributing/", "search": "search/", "leaderboards": "leaderboards/",
              "leaderboard": "leaderboards/cifar10-32-uncond/edm-cifar10-vp/"}
SCHEMES = {"light": "default", "dark": "slate"}


def axe_violations(driver) -> list[dict]:
    """axe-core's WCAG 2 A and AA violations on the page as it is now."""
    source = installed_tool(NODE_MODULES / "axe-core" / "axe.min.js", "axe-core (npm)").read_text(encoding="utf-8")
    driver.execute_script(source)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
        "  .then(r => done(r.violations), e => done('axe failed: ' + e));", AXE_TAGS)
    assert isinstance(result, list), result
    return result


def serious(violations: list[dict]) -> list[str]:
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
            for v in violations if v["impact"] in ("serious", "critical")]


@contextlib.contextmanager
def color_scheme(driver, scheme: str):
    """The page in the light or the dark palette, as Material picks it from prefers-color-scheme."""
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
    try:
        yield
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
        driver.execute_script("localStorage.clear()")


def open_in(driver, url: str, scheme: str) -> None:
    driver.get(url)
    driver.execute_script("localStorage.clear()")  # Material keeps the palette it picked: start afresh
    driver.refresh()
    assert driver.execute_script("return document.body.getAttribute('data-md-color-scheme')") == SCHEMES[scheme]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_no_serious_accessibility_violation_on_any_page_type(driver, site_url: str, scheme: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    found = {}
    with color_scheme(driver, scheme):
        for name, page in PAGE_TYPES.items():
            open_in(driver, site_url + page, scheme)
            if page.startswith("all-papers/"):
                box = wait(driver, lambda d: d.find_element(By.ID, "effdiff-papers").get_attribute("data-ready") == "true"
                           and d.find_element(By.ID, "effdiff-papers"))
                assert visible_titles(box)
            found[name] = serious(axe_violations(driver))
        # the filters in use: a venue chosen, a word typed, a column sorted
        open_in(driver, site_url + "all-papers/", scheme)
        box = wait(driver, lambda d: d.find_element(By.ID, "effdiff-papers").get_attribute("data-ready") == "true"
                   and d.find_element(By.ID, "effdiff-papers"))
        Select(box.find_element(By.NAME, "venue")).select_by_value("arXiv")
        box.find_element(By.NAME, "q").send_keys("quantization")
        box.find_element(By.CSS_SELECTOR, "th[data-sort=title] button").click()
        assert visible_titles(box) == ["TinyQuant: 4-Bit Post-Training Quantization of Diffusion Transformers"]
        found["all papers, filters in use"] = serious(axe_violations(driver))
        screenshot = Path(os.environ.get("TMPDIR") or tempfile.gettempdir()) / f"effdiff-all-papers-{scheme}.png"
        driver.save_screenshot(str(screenshot))
    assert {name: v for name, v in found.items() if v} == {}


def test_axe_reports_what_it_should(driver, site_url: str):
    """The check can fail: grey text on white and a link told apart by colour alone are found."""
    driver.get(site_url + "new/")
    driver.execute_script(
        "document.querySelector('article').insertAdjacentHTML('beforeend',"
        " '<p style=\"color:#aaa\">faint <a href=\"#x\" style=\"text-decoration:none;color:#767676\">bare</a> text</p>')")
    ids = {v["id"] for v in axe_violations(driver) if v["impact"] in ("serious", "critical")}
    assert {"color-contrast", "link-in-text-block"} <= ids


def test_filters_and_sorting_work_from_the_keyboard_alone(driver, site_url: str):
    """Tab to the Words filter, type, Tab on to the Title column's heading and sort it with Enter."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = open_all_papers(driver, site_url)
    driver.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    keys = ActionChains(driver)

    def tab_to(matches, limit: int = 80) -> None:
        for _ in range(limit):
            keys.send_keys(Keys.TAB).perform()
            if driver.execute_script(f"return {matches}"):
                return
        raise AssertionError(f"Tab never reached {matches}")

    tab_to("document.activeElement.name === 'q'")
    keys.send_keys("diffusion").perform()
    assert driver.switch_to.active_element.get_attribute("value") == "diffusion"
    titles = visible_titles(box)
    assert 1 < len(titles) < 8 and box.find_element(By.CSS_SELECTOR, ".effdiff-count").text == f"{len(titles)} of 8 papers"
    tab_to("document.activeElement.closest('th[data-sort=title]') !== null")
    keys.send_keys(Keys.ENTER).perform()
    assert box.find_element(By.CSS_SELECTOR, "th[data-sort=title]").get_attribute("aria-sort") == "ascending"
    assert visible_titles(box) == sorted(titles, key=str.lower)
    keys.send_keys(Keys.ENTER).perform()
    assert box.find_element(By.CSS_SELECTOR, "th[data-sort=title]").get_attribute("aria-sort") == "descending"
    assert visible_titles(box) == sorted(titles, key=str.lower, reverse=True)


def test_a_leaderboard_sorts_and_its_points_lead_to_paper_rows(driver, site_url: str):
    from selenium.webdriver.common.by import By

    driver.get(site_url + "leaderboards/cifar10-32-uncond/edm-cifar10-vp/")
    table = driver.find_element(By.CSS_SELECTOR, "table.effdiff-sortable")
    wait(driver, lambda d: table.get_attribute("data-ready") == "true")

    def column(n: int) -> list[str]:
        return [r.find_elements(By.TAG_NAME, "td")[n].text for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")]

    assert column(3) == ["3.1", "3.1", "6.4", "15.7"]  # best FID first
    header = table.find_element(By.XPATH, ".//th[contains(., 'FID')]")
    header.find_element(By.TAG_NAME, "button").click()
    assert header.get_attribute("aria-sort") == "ascending" and column(3) == ["3.1", "3.1", "6.4", "15.7"]
    header.find_element(By.TAG_NAME, "button").click()
    assert header.get_attribute("aria-sort") == "descending" and column(3) == ["15.7", "6.4", "3.1", "3.1"]
    nfe = table.find_element(By.XPATH, ".//th[contains(., 'NFE')]")
    nfe.find_element(By.TAG_NAME, "button").click()
    assert column(4)[:3] == ["5", "10", "10"] and column(4)[-1] == ""  # rows without the value stay last
    assert "<b>Euler</b> & \"DDIM\", NFE 10 baseline" in column(1)

    # the plot: points are links with a tooltip; follow one to its row on the paper's page
    point = driver.find_element(By.CSS_SELECTOR, "svg.effdiff-plot a.effdiff-plot__link")
    tooltip = point.find_element(By.TAG_NAME, "title").get_attribute("textContent")
    assert "(fastsampler-2023): FID" in tooltip and "NFE" in tooltip
    href = driver.execute_script("return arguments[0].getAttribute('href')", point)
    assert href.startswith("../../../papers/fastsampler-2023/#r")
    anchor = href.rsplit("#", 1)[1]
    driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", point)
    wait(driver, lambda d: "/papers/fastsampler-2023/" in d.current_url)
    assert driver.current_url.endswith("#" + anchor) and anchor.startswith("r")
    row = driver.find_element(By.ID, anchor)
    assert row.tag_name == "tr" and "FastSampler" in row.text
    assert driver.execute_script("return document.querySelector(':target') && document.querySelector(':target').id") == anchor


def test_leaderboard_numbers_stand_apart_and_paper_ids_do_not_break(driver, site_url: str):
    """Adjacent number columns (FID | NFE) used to touch; ids broke at every hyphen in a narrow column."""
    from selenium.webdriver.common.by import By

    driver.set_window_size(1000, 900)  # a laptop-width window with the navigation drawn beside the table
    try:
        driver.get(site_url + "leaderboards/cifar10-32-uncond/edm-cifar10-vp/")
        table = driver.find_element(By.CSS_SELECTOR, "table.effdiff-sortable")
        row = table.find_element(By.CSS_SELECTOR, "tbody tr")
        cells = row.find_elements(By.TAG_NAME, "td")
        fid, nfe = cells[3], cells[4]
        style = lambda el, prop: driver.execute_script(  # noqa: E731 - one line of JavaScript
            "return getComputedStyle(arguments[0])[arguments[1]]", el, prop)
        assert style(fid, "textAlign") == "right" and style(nfe, "textAlign") == "right"
        assert "tabular-nums" in style(fid, "fontVariantNumeric")
        # the two numbers' glyphs stand at least a few pixels apart (padding on both cells)
        gap = driver.execute_script("""
            const box = el => { const r = document.createRange(); r.selectNodeContents(el); return r.getBoundingClientRect(); };
            return box(arguments[1]).left - box(arguments[0]).right;""", fid, nfe)
        assert gap >= 12, gap
        # method names keep a readable width; a board with more columns than fit scrolls sideways instead
        assert cells[1].rect["width"] >= 150, cells[1].rect
        board = driver.find_element(By.CSS_SELECTOR, ".effdiff-board")
        assert style(board, "overflowX") == "auto"
        # a paper id is one line: its link is no taller than one line of the cell's text
        link = cells[2].find_element(By.TAG_NAME, "a")
        rects = driver.execute_script("return arguments[0].getClientRects().length", link)
        assert rects == 1, f"{link.text} broke over {rects} lines"
    finally:
        driver.set_window_size(1400, 1000)
