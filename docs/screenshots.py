"""The README's screenshots, from the report of the bundled cascades corpus (after `make demo`):

    .venv/bin/python docs/screenshots.py

Writes docs/pair.png (a copy of an origin article, every kind of edit marked) and
docs/network.png (the overview's site network).
"""

from pathlib import Path

from playwright.sync_api import sync_playwright

from copytrace.report import write_report
from copytrace.views import key_of

ROOT = Path(__file__).resolve().parents[1]
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]

if __name__ == "__main__":
    site = ROOT / "demo-report"
    write_report(ROOT / "demo-cascades", site)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.goto((site / "pair" / f"{key_of('c001-origin-dailyledger', 'c001-5-worldnewsdaily')}.html").as_uri())
        page.locator("#text-a").evaluate("el => el.scrollTop = 180")
        page.wait_for_timeout(200)
        page.screenshot(path=str(ROOT / "docs" / "pair.png"))
        page.goto((site / "index.html").as_uri())
        page.locator("#network").screenshot(path=str(ROOT / "docs" / "network.png"))
        browser.close()
