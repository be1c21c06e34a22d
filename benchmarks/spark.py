"""The Spark engine against the local engine on this machine: the same tables, and the time each
takes, on the speed benchmark's corpus (Reuters with planted copies, about 19k documents), on two
crawl files of real saved pages (HTML extraction), and on a generated corpus of
:mod:`benchmarks.scale`.

    python -m benchmarks.spark [--master local[2]] [--sizes 100000]

Per corpus, in one process: a local scan, then a scan on Spark (``--master``, default
``local[2]``: the Spark engine on this machine's two cores) with the session started beforehand
(its start is timed apart); every table compared. The Spark run's stage times, MB/s and MB/s per
core are what the README's cluster cost estimate starts from. Writes
``benchmarks/results/spark.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path

from .accuracy import RESULTS, WORK
from .add import StageTimes
from .generated import corpus


def _different_tables(one: Path, two: Path) -> list[str]:
    import copytrace
    from copytrace.store.workspace import SCHEMAS

    a, b = copytrace.Workspace(one), copytrace.Workspace(two)
    return [name for name in SCHEMAS if name != "settings" and not a.table(name).equals(b.table(name))]


def _speed_corpus() -> Path:
    """The speed benchmark's corpus (written by ``python -m benchmarks.speed``; made here if not)."""
    path = WORK / "reuters-planted.jsonl"
    if not path.exists():
        from .accuracy import write_jsonl
        from .planted import build, independent
        from .reuters import load_reuters

        articles = load_reuters()
        write_jsonl(build(articles, per_kind=40, pool=independent(articles), include_all=True).documents, path)  # as benchmarks.speed
    return path


def _crawls() -> Path:
    """Two crawl files (one task each on Spark) of the real saved pages of the extraction benchmark."""
    from .warc_speed import build

    folder = WORK / "spark-crawls"
    if not folder.is_dir():
        folder.mkdir(parents=True)
        for n in range(2):
            build(folder / f"crawl-{n}.warc.gz", 1)
    return folder


def _megabytes(path: Path) -> float:
    files = [path] if path.is_file() else [f for f in path.rglob("*") if f.is_file()]
    return sum(f.stat().st_size for f in files) / 1e6


def _timed_scan(path: Path, workspace: Path, engine=None) -> dict:
    import copytrace

    shutil.rmtree(workspace, ignore_errors=True)
    progress = StageTimes()
    started = time.perf_counter()
    result = copytrace.scan([path], workspace, progress=progress, engine=engine)
    progress.end()
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2), "mb_per_s": round(_megabytes(path) / seconds, 2), "documents_per_s": round(result.documents / seconds, 1),
        "stages": progress.times, "documents": result.documents, "pairs": result.pairs,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000], help="generated corpora to run besides the speed corpus")
    args = parser.parse_args(argv)

    from copytrace.kernels import load_kernels
    from copytrace.jobs.spark import SparkEngine

    load_kernels()
    corpora = [("speed", _speed_corpus()), ("crawls", _crawls())]
    for n in args.sizes:
        path, _ = corpus(n, WORK, progress=lambda done: print(f"  generated {done:,} documents", end="\r", file=sys.stderr))
        corpora.append((f"scale-{n}", path))
    rows = []
    with SparkEngine(args.master) as spark:
        started = time.perf_counter()
        cores = spark.sc.defaultParallelism
        session_seconds = time.perf_counter() - started
        for name, path in corpora:
            local = _timed_scan(path, WORK / f"spark-{name}-local")
            distributed = _timed_scan(path, WORK / f"spark-{name}-spark", spark)
            different = _different_tables(WORK / f"spark-{name}-local", WORK / f"spark-{name}-spark")
            row = {
                "corpus": name,
                "mb": round(_megabytes(path), 1),
                "local": local,
                "spark": distributed,
                "spark_mb_per_s_per_core": round(distributed["mb_per_s"] / cores, 2),
                "spark_documents_per_s_per_core": round(distributed["documents_per_s"] / cores, 1),
                "identical_tables": not different,
                "different_tables": different,
            }
            rows.append(row)
            print(json.dumps(row))
            for suffix in ("local", "spark"):
                shutil.rmtree(WORK / f"spark-{name}-{suffix}", ignore_errors=True)
    result = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "master": args.master,
        "spark_cores": cores,
        "session_start_seconds": round(session_seconds, 2),
        "runs": rows,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "spark.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
