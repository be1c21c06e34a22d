"""Time and size of ``copytrace report``, and how fast its largest pair pages load in a browser.

    python -m benchmarks.report [--repeat 3]

- the bundled sample corpora (``examples/sample.jsonl``, ``examples/cascades.jsonl``) and all of
  Reuters-21578 with planted copies (the ``benchmarks.speed`` corpus, ~19k documents): scan once,
  then write the report ``--repeat`` times (median seconds; pages, bytes, and bytes zipped);
- the page load time (navigation start to the load event, median of ``--repeat`` loads from disk)
  in headless Chromium (``/usr/bin/chromium``) of the largest pair page of the Reuters report, and
  of a long pair (300 Reuters stories run together, about 290,000 characters, copied with every
  fifth paragraph cut): its paginated first page, and the same pair written as one page.

- search on the Reuters workspace: the time to build the paragraph index (first search), and per
  query, for the second paragraph (30 words or more) of 20 stories: time and documents found.

Writes ``benchmarks/results/report.json``.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import time
import zipfile
from pathlib import Path

from copytrace.present.report import write_report
from copytrace.jobs.scan import scan
from copytrace.present.search import Searcher
from copytrace.settings import Settings
from copytrace.present.views import Views, key_of

from .accuracy import RESULTS, WORK, write_jsonl
from .planted import build, independent
from .reuters import load_reuters

ROOT = Path(__file__).resolve().parents[1]
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def zipped_bytes(folder: Path) -> int:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder))
    return buffer.tell()


def measure_report(workspace: Path, out: Path, repeat: int) -> dict:
    runs = [write_report(workspace, out) for _ in range(repeat)]
    views = Views(workspace)
    return {
        "documents": len(views.docs), "pairs": len(views.pairs), "pages": runs[-1].pages, "mb": round(runs[-1].bytes / 1e6, 2),
        "zipped_mb": round(zipped_bytes(out) / 1e6, 2), "seconds": round(statistics.median(r.seconds for r in runs), 3),
    }


def load_times(urls: list[str], repeat: int) -> list[float]:
    """Median milliseconds from navigation start to the load event, for each URL."""
    from playwright.sync_api import sync_playwright

    medians = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for url in urls:
            times = []
            for _ in range(repeat + 1):  # the first load warms the browser's caches: not counted
                page.goto(url, wait_until="load")
                times.append(page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"))
            medians.append(round(statistics.median(times[1:]), 1))
        browser.close()
    return medians


def long_pair(articles, folder: Path) -> Path:
    paragraphs = [p for a in articles[:300] for p in (a.title, *a.paragraphs)]
    source = "\n\n".join(paragraphs)
    copy = "\n\n".join(p for i, p in enumerate(paragraphs) if i % 5 != 3)
    corpus = folder / "long-pair.jsonl"
    corpus.write_text(
        json.dumps({"id": "long-source", "text": source, "url": "https://wire.example/all", "date": "2024-01-01T10:00:00+00:00"}) + "\n"
        + json.dumps({"id": "long-copy", "text": copy, "url": "https://copy.example/all", "date": "2024-01-02T10:00:00+00:00"}) + "\n"
    )
    scan([corpus], folder / "long-pair-ws", Settings())
    return folder / "long-pair-ws"


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS / "report.json")
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    result: dict = {"repeat": args.repeat}

    for name in ("sample", "cascades"):
        ws = WORK / f"report-{name}-ws"
        scan([ROOT / "examples" / f"{name}.jsonl"], ws, Settings())
        result[name] = measure_report(ws, WORK / f"report-{name}", args.repeat)
        print(name, result[name], flush=True)

    articles = load_reuters()
    planted = build(articles, per_kind=40, pool=independent(articles), include_all=True)
    corpus = WORK / "reuters-planted.jsonl"
    write_jsonl(planted.documents, corpus)
    ws = WORK / "report-reuters-ws"
    started = time.perf_counter()
    scan([corpus], ws, Settings())
    result["reuters"] = {**measure_report(ws, WORK / "report-reuters", args.repeat), "scan_seconds": round(time.perf_counter() - started, 1)}
    print("reuters", result["reuters"], flush=True)

    views = Views(ws)
    searcher = Searcher(views)
    started = time.perf_counter()
    searcher.index()
    index_seconds = time.perf_counter() - started
    queries = [a.paragraphs[1] for a in articles[:400] if len(a.paragraphs) > 2 and len(a.paragraphs[1].split()) >= 30][:20]
    timings, found = [], []
    for q in queries:
        started = time.perf_counter()
        found.append(len(searcher.by_text(q)["results"]))
        timings.append(time.perf_counter() - started)
    result["search"] = {"documents": len(views.docs), "index_seconds": round(index_seconds, 2), "queries": len(queries),
                        "query_ms_median": round(statistics.median(timings) * 1e3, 1), "query_ms_max": round(max(timings) * 1e3, 1),
                        "found_median": statistics.median(found), "found_at_least_one": sum(f >= 1 for f in found)}
    print("search", result["search"], flush=True)
    largest = max(views.pairs, key=lambda p: views.docs[p["a_id"]]["chars"] + views.docs[p["b_id"]]["chars"])
    largest_page = WORK / "report-reuters" / "pair" / f"{key_of(largest['a_id'], largest['b_id'])}.html"
    long_ws = long_pair(articles, WORK)
    write_report(long_ws, WORK / "report-long-pair")
    long_views = Views(long_ws)
    (long_key,) = long_views.pair_key
    long_view = long_views.pair(long_key)
    write_report(long_ws, WORK / "report-long-pair-one-page", page_chars=10**9)
    one_page = WORK / "report-long-pair-one-page" / "pair" / f"{long_key}.html"
    ms = load_times([largest_page.as_uri(), (WORK / "report-long-pair" / "pair" / f"{long_key}.html").as_uri(), one_page.as_uri()], args.repeat)
    result["largest_reuters_pair"] = {
        "chars": views.docs[largest["a_id"]]["chars"] + views.docs[largest["b_id"]]["chars"], "passages": largest["n_passages"],
        "page_kb": round(largest_page.stat().st_size / 1e3, 1), "load_ms": ms[0],
    }
    result["long_pair"] = {
        "chars": long_view["chars_a"] + long_view["chars_b"], "passages": len(long_view["passages"]), "edits": len(long_view["edits"]),
        "pages": long_view["pages"], "first_page_kb": round((WORK / "report-long-pair" / "pair" / f"{long_key}.html").stat().st_size / 1e3, 1),
        "load_ms": ms[1], "one_page_kb": round(one_page.stat().st_size / 1e3, 1), "one_page_load_ms": ms[2],
    }
    print("pages", result["largest_reuters_pair"], result["long_pair"], flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
