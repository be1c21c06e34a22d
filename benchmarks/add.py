"""How long ``add`` takes against a full scan: 1% new documents added to a workspace of the other
99%, on the generated corpora of :mod:`benchmarks.scale`.

    python -m benchmarks.add [--sizes 100000 1000000]

Per size, each in a fresh subprocess: a scan of all the documents (the full-scan time), a scan of
the first 99%, and an ``add`` of the last 1% to it, timed stage by stage. The tables of the add
are checked against the full scan's (every table but ``settings`` must be equal). Writes
``benchmarks/results/add.json``.
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
from .generated import corpus


class StageTimes:
    """A progress reporter that keeps how long each stage took."""

    def __init__(self):
        import time

        self.clock = time.perf_counter
        self.times: dict[str, float] = {}
        self.name, self.started = None, self.clock()

    def stage(self, name, total=None, unit=""):
        self.end()
        self.name, self.started = name, self.clock()

    def end(self):
        if self.name:
            self.times[self.name] = round(self.times.get(self.name, 0) + self.clock() - self.started, 2)
        self.name = None

    def advance(self, n=1):
        pass

    def count(self, n=1):
        pass

    def message(self, text):
        pass


def run_one(job: str, inputs: list[str], workspace: str) -> dict:
    """``scan`` or ``add`` in this process; seconds and stage times (called in the subprocess)."""
    import resource
    import shutil
    import time

    import copytrace
    from copytrace.kernels import load_kernels

    load_kernels()
    progress = StageTimes()
    started = time.perf_counter()
    if job == "scan":
        shutil.rmtree(workspace, ignore_errors=True)
        result = copytrace.scan(inputs, workspace, progress=progress)
    else:
        result = copytrace.add(workspace, inputs, progress=progress)
    progress.end()
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "stages": progress.times,
        "documents": result.documents,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _run(job: str, inputs: list[Path], workspace: Path) -> dict:
    code = f"import json; from benchmarks.add import run_one; print(json.dumps(run_one({job!r}, {[str(i) for i in inputs]!r}, {str(workspace)!r})))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _split(path: Path, share: float) -> tuple[Path, Path]:
    """The first ``share`` of the lines of ``path``, and the rest, as two files beside it."""
    lines = sum(1 for _ in path.open("rb"))
    cut = int(lines * share)
    old, new = path.with_name(path.stem + "-old.jsonl"), path.with_name(path.stem + "-new.jsonl")
    if not (old.exists() and new.exists()):
        with path.open("rb") as source, old.open("wb") as first, new.open("wb") as rest:
            for n, line in enumerate(source):
                (first if n < cut else rest).write(line)
    return old, new


def _same_tables(one: Path, two: Path) -> bool:
    import copytrace
    from copytrace.store.workspace import SCHEMAS

    a, b = copytrace.Workspace(one), copytrace.Workspace(two)
    return all(a.table(name).equals(b.table(name)) for name in SCHEMAS if name != "settings")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--share", type=float, default=0.99, help="share of the documents scanned first")
    args = parser.parse_args(argv)
    rows = []
    for n in args.sizes:
        path, _ = corpus(n, WORK, progress=lambda done: print(f"  generated {done:,} documents", end="\r", file=sys.stderr))
        old, new = _split(path, args.share)
        full = _run("scan", [old, new], WORK / f"add-{n}-full")
        first = _run("scan", [old], WORK / f"add-{n}-ws")
        added = _run("add", [new], WORK / f"add-{n}-ws")
        row = {
            "documents": n,
            "added": added["documents"] - first["documents"],
            "full_scan_seconds": full["seconds"],
            "add_seconds": added["seconds"],
            "add_share_of_full_scan": round(added["seconds"] / full["seconds"], 4),
            "add_stages": added["stages"],
            "full_scan_stages": full["stages"],
            "add_peak_rss_mb": added["peak_rss_mb"],
            "same_tables_as_full_scan": _same_tables(WORK / f"add-{n}-full", WORK / f"add-{n}-ws"),
        }
        rows.append(row)
        print(json.dumps(row))
    result = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform()}, "share_scanned_first": args.share, "runs": rows}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "add.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
