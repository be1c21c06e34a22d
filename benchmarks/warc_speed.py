"""WARC reading speed and memory: records/s and MB/s of compressed input, and peak memory, on
crawl files built with warcio from the real saved pages of ``../shared/data/web`` (no real CC-NEWS
file is available), at two sizes, so that memory can be seen not to grow with the file.

    python -m benchmarks.warc_speed [--copies 1 3]

Three passes per file, each in its own process: streaming only (every response parsed as a WARC
record, none extracted: a ``--site`` filter that matches nothing), full reading (every HTML
response extracted with trafilatura) on one core, and full reading with pages extracted on two
worker processes. Peak memory is the reading process's own, and the largest worker's.
Writes ``benchmarks/results/warc_speed.json``.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from .accuracy import RESULTS, WORK
from .extraction import pages


def build(path: Path, copies: int) -> int:
    """A gzip WARC holding every benchmark page ``copies`` times; returns its record count."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    n = 0
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for copy in range(copies):
            for page, _, url in pages():
                body = gzip.decompress(page.read_bytes())
                headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
                record = writer.create_warc_record(f"{url}?copy={copy}", "response", payload=io.BytesIO(body), http_headers=headers)
                writer.write_record(record)
                n += 1
    return n


def run(path: Path, extract: bool, workers: int = 1) -> dict:
    from copytrace.ingest.records import Document
    from copytrace.ingest.read import read_inputs
    from copytrace.ingest.warc import CrawlFilter

    keep = None if extract else CrawlFilter(sites=("no-such-site.invalid",))
    started = time.perf_counter()
    docs, workers_peak = 0, 0.0
    for n, record in enumerate(read_inputs([path], crawl_filter=keep, workers=workers)):
        docs += isinstance(record, Document)
        if n % 50 == 0:
            workers_peak = max(workers_peak, _descendants_peak_mb())
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "documents": docs,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_rss_workers_mb": workers_peak,  # the largest worker process, sampled while reading
    }


def _descendants_peak_mb() -> float:
    """The largest peak RSS (VmHWM) among this process's descendants (Linux /proc), in MB."""
    parent: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    mine, frontier = set(), {os.getpid()}
    while frontier:
        frontier = {pid for pid, ppid in parent.items() if ppid in frontier} - mine
        mine |= frontier
    peak = 0.0
    for pid in mine:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except OSError:
            continue
    return peak


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--run", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--extract", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=RESULTS / "warc_speed.json")
    args = parser.parse_args(argv)
    if args.run:
        print(json.dumps(run(args.run, args.extract, args.workers)))
        return {}

    WORK.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    results = []
    for copies in args.copies:
        path = WORK / f"pages-x{copies}.warc.gz"
        records = build(path, copies)
        mb = path.stat().st_size / 1e6
        row = {"records": records, "compressed_mb": round(mb, 2)}
        for mode in ("stream", "extract", "extract_2_processes"):
            extra = {"stream": [], "extract": ["--extract"], "extract_2_processes": ["--extract", "--workers", "2"]}[mode]
            done = subprocess.run([sys.executable, "-m", "benchmarks.warc_speed", "--run", str(path), *extra], capture_output=True, env=env, check=True)
            r = json.loads(done.stdout)
            row[mode] = {**r, "records_per_second": records / r["seconds"], "mb_per_second": mb / r["seconds"]}
        results.append(row)
        s, e, p = row["stream"], row["extract"], row["extract_2_processes"]
        print(
            f"{records} records, {mb:.1f} MB: streaming {s['records_per_second']:.0f} records/s {s['mb_per_second']:.1f} MB/s peak {s['peak_rss_mb']:.0f} MB; "
            f"with extraction {e['records_per_second']:.1f} records/s {e['mb_per_second']:.2f} MB/s peak {e['peak_rss_mb']:.0f} MB, {e['documents']} documents; "
            f"on 2 processes {p['records_per_second']:.1f} records/s peak {p['peak_rss_mb']:.0f} MB (workers {p['peak_rss_workers_mb']:.0f} MB each at most), {p['documents']} documents"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    return {"runs": results}


if __name__ == "__main__":
    main()
