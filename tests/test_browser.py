"""The report and the web app in headless Chromium (Debian's, driven by Playwright): pages render,
passages are highlighted where the alignment says, a booby-trapped article stays inert, long pairs
page. Screenshots go to test-artifacts/."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import sync_playwright

from copytrace.present.report import write_report
from copytrace.present.serve import server_config
from copytrace.present.views import Views, key_of
from copytrace.store.workspace import Workspace
from tests.report_corpus import long_pair_workspace, malicious_workspace

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
#: As the machine notes advise: no sandbox as root, and no background connections to a closed network.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.dialogs = []  # an alert() from a payload would land here
    page.errors = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


@pytest.fixture(scope="module")
def evil(long_articles, tmp_path_factory):
    folder = tmp_path_factory.mktemp("evil-browser")
    ws = malicious_workspace(long_articles, folder)
    write_report(ws, folder / "site")
    return ws, folder / "site"


def _assert_untouched(page) -> None:
    assert page.evaluate("window.__pwned === undefined"), page.evaluate("String(window.__pwned)")
    assert not page.dialogs and not page.errors, (page.dialogs, page.errors)


def _side_texts(page, side: str, attribute: str, n: int) -> str:
    return page.evaluate(
        "([side, attribute, n]) => Array.from(document.querySelectorAll(`#text-${side} [${attribute}]`))"
        ".filter(el => el.getAttribute(attribute).split(' ').includes(String(n))).map(el => el.textContent).join('')",
        [side, attribute, n],
    )


def test_report_from_disk_follow_a_pair_and_check_the_highlights(evil, page):
    ws, site = evil
    page.goto((site / "index.html").as_uri())
    assert page.locator("h1").inner_text().startswith("Reuse in")
    page.screenshot(path=str(ARTIFACTS / "report-overview.png"), full_page=True)
    page.click("text=Pairs")
    page.locator("table.rows a", has_text="view").first.click()
    page.wait_for_selector("#text-a")
    page.screenshot(path=str(ARTIFACTS / "report-pair.png"))
    views = Views(ws)
    key = Path(page.url).stem
    pair = views.pair_row(key)
    full = {r["doc_id"]: r["text"] for r in Workspace(ws).table("documents", ["doc_id", "text"]).to_pylist()}
    view = views.pair(key)
    assert view["passages"]
    for p in view["passages"]:  # the highlighted text of each passage is exactly what was aligned
        assert _side_texts(page, "a", "data-p", p["n"]) == full[pair["a_id"]][p["a_start"]:p["a_end"]]
        assert _side_texts(page, "b", "data-p", p["n"]) == full[pair["b_id"]][p["b_start"]:p["b_end"]]
    for e in view["edits"]:  # and each labelled edit's highlight is its text
        if e["a_start"] is not None and e["a_end"] > e["a_start"]:
            assert _side_texts(page, "a", "data-e", e["n"]) == full[pair["a_id"]][e["a_start"]:e["a_end"]]
        if e["b_start"] is not None and e["b_end"] > e["b_start"]:
            assert _side_texts(page, "b", "data-e", e["n"]) == full[pair["b_id"]][e["b_start"]:e["b_end"]]
    assert page.locator("#text-a").inner_text() == full[pair["a_id"]]  # the whole text, as text
    _assert_untouched(page)


def test_booby_trapped_article_renders_inert(evil, page):
    ws, site = evil
    key = key_of("evil-source", "evil-copy") if key_of("evil-source", "evil-copy") in Views(ws).pair_key else key_of("evil-copy", "evil-source")
    page.goto((site / "pair" / f"{key}.html").as_uri())
    texts = {r["doc_id"]: r["text"] for r in Workspace(ws).table("documents", ["doc_id", "text"]).to_pylist()}
    side = "a" if Views(ws).pair_row(key)["a_id"] == "evil-source" else "b"
    assert page.locator(f"#text-{side}").inner_text() == texts["evil-source"]  # every payload shown as text
    for element in page.locator(f"#text-{side} span").all()[:60]:  # an onmouseover that got through would fire
        element.hover(force=True)
    assert page.evaluate("document.querySelectorAll('script').length") == 1
    assert page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
    page.goto((site / "doc" / f"{key_of('evil-source')}.html").as_uri())
    assert page.evaluate("document.querySelectorAll('a[href^=\"javascript\"]').length") == 0
    assert "<script>" in page.locator("h1").inner_text()
    page.screenshot(path=str(ARTIFACTS / "report-malicious-document.png"))
    _assert_untouched(page)


def test_clicking_a_passage_brings_its_twin_into_view(long_articles, tmp_path, page):
    ws = long_pair_workspace(long_articles, tmp_path)
    write_report(ws, tmp_path / "site")
    (key,) = Views(ws).pair_key
    page.goto((tmp_path / "site" / "pair" / f"{key}.html").as_uri())
    assert page.locator(".pager").first.is_visible()  # long pair: paginated
    passages = page.locator("#text-a [data-p][id]")
    assert passages.count() >= 3
    last = passages.nth(passages.count() - 1)
    last.scroll_into_view_if_needed()
    last.click()
    n = last.get_attribute("data-p")
    twin = page.locator(f"#b-p{n}")
    box, twin_box = page.locator("#text-b").bounding_box(), twin.bounding_box()
    assert box["y"] <= twin_box["y"] <= box["y"] + box["height"]  # the other side scrolled to it
    assert twin.evaluate("el => el.classList.contains('active')")
    page.click("a[rel=next]")
    assert page.url.endswith(f"{key}-2.html") and page.locator("#text-a").inner_text()
    _assert_untouched(page)


@pytest.fixture(scope="module")
def server(evil):
    ws, _ = evil
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    instance = uvicorn.Server(server_config(ws, "127.0.0.1", port))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not instance.started and time.time() < deadline:
        time.sleep(0.05)
    assert instance.started
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(10)


def test_app_in_the_browser_search_compare_and_errors(server, page, long_articles):
    page.goto(server + "/")
    page.screenshot(path=str(ARTIFACTS / "app-overview.png"), full_page=True)
    page.click("text=Search")
    page.fill("textarea[name=q]", long_articles[0].paragraphs[3])
    page.click("button[type=submit]")
    rows = page.locator("#text-results tbody tr")
    assert rows.count() == 2 and "evil-news.example" in rows.first.inner_text()  # the source, first
    page.screenshot(path=str(ARTIFACTS / "app-search.png"), full_page=True)
    page.goto(server + "/compare")
    page.set_input_files("input[name=file_a]", files=[{"name": "a.txt", "mimeType": "text/plain", "buffer": long_articles[3].text.encode()}])
    page.set_input_files("input[name=file_b]", files=[{"name": "b.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n\x00\x00"}])
    page.click("button[type=submit]")
    assert "b.png" in page.locator("#compare-error").inner_text()
    page.fill("textarea[name=text_b]", long_articles[3].text.replace(long_articles[3].paragraphs[1], ""))
    page.set_input_files("input[name=file_b]", files=[])
    page.click("button[type=submit]")
    assert page.locator(".badge.v-copy").count() == 1 and page.locator("#text-a [data-p]").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "app-compare.png"))
    response = page.goto(server + "/pair/000000000000")
    assert response.status == 404 and "no pair" in page.locator(".error").inner_text()
    _assert_untouched(page)
