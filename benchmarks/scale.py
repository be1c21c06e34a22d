"""How ``scan`` scales: wall time, throughput and peak memory from 10 thousand to a million
documents, on generated corpora made from real text with copies planted at a known rate
(:mod:`benchmarks.generated`).

    python -m benchmarks.scale [--sizes 10000 100000 1000000] [--workers 0] [--repeat 3] [--repeat-million 1]

Each size is scanned in a fresh subprocess (its peak RSS is its own, threads included) into a new
workspace. Reported per size: documents, megabytes of text, seconds (from reading to the last
table written, after the compiled kernels are loaded) and the seconds of each stage, MB/s, peak RSS, candidate pairs, pairs
found, and the planted copies found (a planted copy counts when its pair with its source is
reported). Each size is scanned ``--repeat`` times (``--repeat-million`` from a million documents
up) and the median run reported: a 15-second run varies by a second or two, enough to move the
growth figure by 0.1. Writes ``benchmarks/results/scale.json`` and the plot ``docs/scale.svg``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

from .accuracy import RESULTS, WORK
from .add import StageTimes
from .generated import corpus

DOCS = Path(__file__).resolve().parents[1] / "docs"


def run_one(path: Path, workspace: Path, workers: int) -> dict:
    """Scan ``path`` in this process; the figures as a dict (called in the subprocess)."""
    import resource
    import shutil
    import time

    import copytrace
    from copytrace.kernels import load_kernels

    shutil.rmtree(workspace, ignore_errors=True)
    load_kernels()
    progress = StageTimes()
    started = time.perf_counter()
    summary = copytrace.scan([path], workspace, copytrace.Settings(workers=workers), progress=progress)
    seconds = time.perf_counter() - started
    progress.end()
    truth = json.loads(path.with_name(path.name + ".truth.json").read_text())
    pairs = copytrace.Workspace(workspace).table("pairs", columns=["a_id", "b_id"]).to_pylist()
    found = {(p["a_id"], p["b_id"]) for p in pairs} | {(p["b_id"], p["a_id"]) for p in pairs}
    copies_found = sum((source, copy) in found for copy, source in truth.items())
    return {
        "seconds": round(seconds, 2),
        "stages": progress.times,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "candidates": summary.candidates,
        "pairs": sum(summary.pairs.values()),
        "planted_copies": len(truth),
        "planted_copies_found": copies_found,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="scans of each size under a million documents (the median run is reported)")
    parser.add_argument("--repeat-million", type=int, default=1, help="scans of each size from a million documents up")
    parser.add_argument("--keep", action="store_true", help="keep the workspaces (benchmarks/work/scale-N-ws)")
    args = parser.parse_args(argv)
    rows = []
    for n in args.sizes:
        path, _ = corpus(n, WORK, progress=lambda done: print(f"  generated {done:,} documents", end="\r", file=sys.stderr))
        workspace = WORK / f"scale-{n}-ws"
        code = f"import json; from pathlib import Path; from benchmarks.scale import run_one; print(json.dumps(run_one(Path({str(path)!r}), Path({str(workspace)!r}), {args.workers})))"
        runs = []
        for _ in range(max(1, args.repeat if n < 1_000_000 else args.repeat_million)):
            out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        figures = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]  # the median run
        megabytes = _text_megabytes(workspace)
        row = {
            "documents": n, "text_mb": round(megabytes, 1), **figures, "seconds_of_each_run": [r["seconds"] for r in runs],
            "mb_per_second": round(megabytes / figures["seconds"], 2),
        }
        rows.append(row)
        print(json.dumps(row))
        if not args.keep:
            import shutil

            shutil.rmtree(workspace, ignore_errors=True)
    result = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform()}, "workers": args.workers, "runs": rows}
    if len(rows) >= 2:
        first, last = rows[-2], rows[-1]
        growth = (last["seconds"] / first["seconds"]) / (last["documents"] / first["documents"])
        result["time_growth_vs_linear"] = round(growth, 3)  # 1.0: linear; below: better than linear
        result["stage_growth_vs_linear"] = {  # the same per stage, from the median runs
            stage: round((last["stages"][stage] / first["stages"][stage]) / (last["documents"] / first["documents"]), 3)
            for stage in last["stages"]
            if first["stages"].get(stage)
        }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scale.json").write_text(json.dumps(result, indent=2) + "\n")
    DOCS.mkdir(exist_ok=True)
    (DOCS / "scale.svg").write_text(plot(rows))


def _text_megabytes(workspace: Path) -> float:
    import pyarrow.compute as pc

    import copytrace

    chars = copytrace.Workspace(workspace).table("documents", columns=["chars"]).column("chars")
    return pc.sum(chars).as_py() / 1e6


def plot(rows: list[dict]) -> str:
    """Two log-log panels as SVG: seconds and peak RSS against documents (no plotting library)."""
    import math

    width, height, pad = 340, 240, 48
    panels = [("seconds", "wall time (s)", "#1f77b4"), ("peak_rss_mb", "peak RSS (MB)", "#d62728")]
    xs = [r["documents"] for r in rows]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * width}" height="{height}" font-family="sans-serif" font-size="11">']
    for k, (key, label, colour) in enumerate(panels):
        ys = [max(r[key], 1e-3) for r in rows]
        x0, y0 = k * width + pad, height - pad
        lx = (math.log10(min(xs)), math.log10(max(xs)) or 1)
        ly = (math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys))))
        span_x = (lx[1] - lx[0]) or 1
        span_y = (ly[1] - ly[0]) or 1

        def at(x, y):
            return x0 + (math.log10(x) - lx[0]) / span_x * (width - 2 * pad), y0 - (math.log10(y) - ly[0]) / span_y * (height - 2 * pad)  # noqa: B023

        parts.append(f'<line x1="{x0}" y1="{y0}" x2="{x0 + width - 2 * pad}" y2="{y0}" stroke="#444"/>')
        parts.append(f'<line x1="{x0}" y1="{y0}" x2="{x0}" y2="{pad}" stroke="#444"/>')
        for e in range(ly[0], ly[1] + 1):
            _, y = at(xs[0], 10**e)
            parts.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end">{10**e:g}</text>')
        for x in xs:
            px, _ = at(x, 10 ** ly[0])
            parts.append(f'<text x="{px:.1f}" y="{y0 + 16}" text-anchor="middle">{x:,}</text>')
        points = [at(x, y) for x, y in zip(xs, ys)]
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(f"{px:.1f},{py:.1f}" for px, py in points)}"/>')
        for (px, py), y in zip(points, ys):
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/><text x="{px + 5:.1f}" y="{py - 6:.1f}">{y:,.0f}</text>')
        parts.append(f'<text x="{x0 + (width - 2 * pad) / 2}" y="{height - 10}" text-anchor="middle">documents (log scale)</text>')
        parts.append(f'<text x="{x0}" y="{pad - 12}">{label}, log scale</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    main()
