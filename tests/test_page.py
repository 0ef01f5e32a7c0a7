"""The page at / in headless Chromium: paste an article, submit, see labelled highlights."""

from __future__ import annotations

import json
import os
import shutil
from contextlib import contextmanager

import pytest

from tests.conftest import CORPUS, ROOT

pytestmark = pytest.mark.slow

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
ARTIFACTS = ROOT / "test-artifacts"


@contextmanager
def browser_session():
    """Headless Chromium through chromedriver; skipped where it is missing, except under CI."""
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        if os.environ.get("CI") == "true":
            pytest.fail("chromium and chromium-driver must be installed under CI (.ci/run installs them)")
        pytest.skip("chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,1600"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def browser():
    with browser_session() as driver:
        yield driver


def test_page_highlights_the_spans_of_a_corpus_article(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    article = json.loads(CORPUS.read_text(encoding="utf-8").splitlines()[4])
    browser.get(server.url + "/")
    WebDriverWait(browser, 30).until(ready.presence_of_element_located((By.CSS_SELECTOR, "#legend [data-label]")))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"
    box = browser.find_element(By.ID, "text")
    browser.execute_script("arguments[0].value = arguments[1];", box, article["text"])
    browser.find_element(By.ID, "run").click()
    WebDriverWait(browser, 60).until(lambda d: d.find_element(By.ID, "result").is_displayed())

    expected = json.loads(
        __import__("httpx").post(server.url + "/extract", json={"text": article["text"]}, timeout=60).text
    )["spans"]
    marks = browser.find_elements(By.CSS_SELECTOR, "#article mark.span")
    shown = [(m.get_attribute("data-label"), int(m.get_attribute("data-start")), int(m.get_attribute("data-end"))) for m in marks]
    assert shown == [(s["label"], s["start"], s["end"]) for s in expected]
    for mark, span in zip(marks, expected):
        assert mark.text.startswith(span["text"])
    legend = [e.get_attribute("data-label") for e in browser.find_elements(By.CSS_SELECTOR, "#legend [data-label]")]
    assert legend == ["ATTACK", "RETALIATION", "ATTACKER", "TARGET", "WEAPON", "LOCATION", "ORIGIN", "TIME", "CASUALTIES"]
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "page.png"))


def test_a_reviewer_corrects_a_label_and_submits_it(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    article = json.loads(CORPUS.read_text(encoding="utf-8").splitlines()[4])
    browser.get(server.url + "/")
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#legend [data-label]"))
    browser.execute_script("arguments[0].value = arguments[1];", browser.find_element(By.ID, "text"), article["text"])
    browser.find_element(By.ID, "run").click()
    WebDriverWait(browser, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#article mark.span"))
    first = browser.find_element(By.CSS_SELECTOR, "#article mark.span")
    start, label = first.get_attribute("data-start"), first.get_attribute("data-label")
    new_label = "RETALIATION" if label == "ATTACK" else "ATTACK"
    first.click()
    Select(browser.find_element(By.ID, "editor-label")).select_by_value(new_label)
    relabelled = browser.find_element(By.CSS_SELECTOR, f"#article mark.span[data-start='{start}']")
    assert relabelled.get_attribute("data-label") == new_label
    browser.find_element(By.ID, "submit-correction").click()
    status = browser.find_element(By.ID, "correction-status")
    WebDriverWait(browser, 30).until(lambda d: status.get_attribute("data-state"))
    assert status.get_attribute("data-state") == "saved", status.text
    kept = json.loads(server.pending.read_text(encoding="utf-8").splitlines()[-1])
    assert any(s["start"] == int(start) and s["label"] == new_label for s in kept["spans"])


def tag_seed_004_on_the_page(server, browser, done_when) -> list[dict]:
    """Tag seed-004 (published 2024-01-23) on the page until ``done_when(driver)``; the service's records for it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    article = json.loads(CORPUS.read_text(encoding="utf-8").splitlines()[4])
    browser.get(server.url + "/")
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#legend [data-label]"))
    browser.execute_script("arguments[0].value = arguments[1];", browser.find_element(By.ID, "text"), article["text"])
    browser.execute_script("arguments[0].value = '2024-01-23';", browser.find_element(By.ID, "published"))
    browser.find_element(By.ID, "run").click()
    WebDriverWait(browser, 90).until(done_when)
    return __import__("httpx").post(server.url + "/records", timeout=120, json={
        "articles": [{"id": "page", "text": article["text"], "date": "2024-01-23"}]}).json()["records"]


def test_the_records_table_shows_one_row_per_record(server, browser):
    from selenium.webdriver.common.by import By

    expected = tag_seed_004_on_the_page(server, browser, lambda d: d.find_element(By.ID, "records-status").text not in ("", "…"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#records tbody tr")
    assert [r.get_attribute("data-event-id") for r in rows] == [r["event_id"] for r in expected]


def test_the_records_map_draws_each_located_record_over_the_bundled_outlines(server, browser):
    from selenium.webdriver.common.by import By

    records = tag_seed_004_on_the_page(server, browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#map-countries path"))
    located = {r["event_id"]: r for r in records if r["latitude"] is not None}
    assert located, "the article's records should have places with coordinates"

    points = browser.execute_script("""return [...document.querySelectorAll("#map-points circle")].map((c) => {
        const box = c.getBoundingClientRect();
        return [c.dataset.eventId, box.x + box.width / 2, box.y + box.height / 2]; });""")
    assert sorted(p[0] for p in points) == sorted(located)
    unplaced = [li.get_attribute("data-event-id") for li in browser.find_elements(By.CSS_SELECTOR, "#not-on-map li")]
    assert unplaced == [r["event_id"] for r in records if r["event_id"] not in located]
    # a point sits where the outlines' own transform puts its longitude and latitude
    for event_id, x, y in points:
        r = located[event_id]
        on_outlines = browser.execute_script("""const g = document.getElementById("map-countries");
            const at = new DOMPoint(arguments[0] * 100, -arguments[1] * 100).matrixTransform(g.getScreenCTM());
            return [at.x, at.y];""", r["longitude"], r["latitude"])
        assert on_outlines == pytest.approx([x, y], abs=0.5)
    # the outlines are the right ones: Baghdad is in Iraq's, not in Syria's
    assert browser.execute_script("""const baghdad = new DOMPoint(4439, -3332);
        return ["IQ", "SY"].map((iso) => document.querySelector(`#map-countries path[data-iso=${iso}]`).isPointInFill(baghdad));""") == [True, False]
    # and nothing came from another host
    loaded = browser.execute_script("return performance.getEntriesByType('resource').map((e) => e.name)")
    assert server.url + "/static/countries-110m.json" in loaded
    assert [u for u in loaded if not u.startswith(server.url + "/")] == []
    ARTIFACTS.mkdir(exist_ok=True)
    browser.find_element(By.ID, "records-map-box").screenshot(str(ARTIFACTS / "records-map.png"))
