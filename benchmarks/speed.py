"""Speed and memory of ``scan`` on all of Reuters-21578 plus planted copies, against the usual
alternative run on the same file: datasketch MinHashLSH (word 5-gram shingles, 128 permutations,
threshold 0.5).

    python -m benchmarks.speed [--per-kind 40] [--workers 0]

Each engine runs ``--repeat`` times, each time in its own subprocess (so each peak RSS is its own),
and reports its time from reading the corpus to having its pairs (``seconds``, after imports; for
copytrace also after loading its compiled kernels, a fixed cost per process timed apart as
``load_seconds``); the parent also times each whole subprocess (``process_seconds``: interpreter
start, imports, kernels and the run). Figures are the medians of the runs; the machine's timings
vary by a third from run to run. copytrace runs three ways: with its defaults (n-grams found only
within one site are not reuse: every Reuters story has the same site, so only cross-site copies are
aligned; every pair's edits and credit labelled), the same without labelling edits
(``edits=False``: pairs and passages only), and with ``same_site=True`` (every Reuters story is
aligned against the others too, as the baseline compares everything). The baseline only produces
candidate document pairs; copytrace also aligns every pair into passages and writes the workspace,
so the comparison favours the baseline. Writes ``benchmarks/results/speed.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import orjson

from .accuracy import RESULTS, WORK, write_jsonl
from .planted import build, independent
from .reuters import load_reuters


def _peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def run_copytrace(corpus: Path, workspace: Path, workers: int, same_site: bool, edits: bool = True) -> dict:
    import shutil

    import copytrace
    from copytrace.kernels import load_kernels

    shutil.rmtree(workspace, ignore_errors=True)  # a fresh scan, not a resumed one
    started = time.perf_counter()
    load_kernels()
    load_seconds = time.perf_counter() - started
    settings = copytrace.Settings(same_site=same_site, workers=workers, edits=edits)
    started = time.perf_counter()
    summary = copytrace.scan([corpus], workspace, settings)
    seconds = time.perf_counter() - started
    pairs = copytrace.Workspace(workspace).table("pairs", columns=["a_id", "b_id"]).to_pylist()
    return {
        "seconds": seconds,
        "load_seconds": load_seconds,
        "peak_rss_mb": _peak_rss_mb(),
        "pairs": [[p["a_id"], p["b_id"]] for p in pairs],
        "summary": summary.to_dict(),
    }


def run_minhash(corpus: Path) -> dict:
    from datasketch import MinHash, MinHashLSH

    started = time.perf_counter()
    word = re.compile(r"\w+")
    ids, shingle_sets = [], []
    with open(corpus, "rb") as fh:
        for line in fh:
            record = orjson.loads(line)
            words = word.findall(record["text"].lower())
            shingle_sets.append([s.encode() for s in {" ".join(words[i : i + 5]) for i in range(max(1, len(words) - 4))}])
            ids.append(record["id"])
    # MinHash.bulk shares one set of permutations: datasketch's fastest documented path.
    hashes = MinHash.bulk(shingle_sets, num_perm=128)
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    with lsh.insertion_session() as session:
        for key, m in zip(ids, hashes):
            session.insert(key, m)
    pairs = set()
    for key, m in zip(ids, hashes):
        for other in lsh.query(m):
            if other != key:
                pairs.add(tuple(sorted((key, other))))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_rss_mb": _peak_rss_mb(), "pairs": sorted(pairs)}


def _child(args: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "benchmarks.speed", *args], capture_output=True, env=env, check=True)
    return {**json.loads(done.stdout), "process_seconds": time.perf_counter() - started}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=40)
    parser.add_argument("--workers", type=int, default=0, help="copytrace threads (0: all cores)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each engine (medians are reported)")
    parser.add_argument("--out", type=Path, default=RESULTS / "speed.json")
    parser.add_argument("--run", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.run.startswith("copytrace") if args.run else False:
        same_site, edits = args.run == "copytrace_same_site", args.run != "copytrace_no_edits"
        print(json.dumps(run_copytrace(args.corpus, WORK / f"speed-workspace-{args.run}", args.workers, same_site, edits)))
        return {}
    if args.run == "minhash":
        print(json.dumps(run_minhash(args.corpus)))
        return {}

    articles = load_reuters()
    planted = build(articles, per_kind=args.per_kind, pool=independent(articles), include_all=True)
    corpus = WORK / "reuters-planted.jsonl"
    write_jsonl(planted.documents, corpus)
    size_mb = corpus.stat().st_size / 1e6
    truth = planted.true_pairs()

    result = {
        "corpus": {"documents": len(planted.documents), "mb": round(size_mb, 2), "planted_pairs": len(truth)},
        "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
        "repeat": args.repeat,
    }
    # Compile the kernels first if this install has not yet (as `make` does), so no timed run does.
    from copytrace.kernels import load_kernels

    load_kernels()
    for name in ENGINES:
        runs = [_child(["--run", name, "--corpus", str(corpus), "--workers", str(args.workers)]) for _ in range(args.repeat)]
        run = runs[-1]
        for key in ("seconds", "process_seconds", "load_seconds", "peak_rss_mb"):
            if key in run:
                run[f"{key}_runs"] = [round(r[key], 3) for r in runs]
                run[key] = statistics.median(r[key] for r in runs)
        found = {tuple(sorted(p)) for p in run.pop("pairs")}
        run["pairs_found"] = len(found)
        run["planted_recall"] = len(truth & found) / len(truth)
        run["docs_per_second"] = len(planted.documents) / run["seconds"]
        run["mb_per_second"] = size_mb / run["seconds"]
        result[name] = run
    m = result["minhash"]
    result["speedup"] = {
        name: {"in_process": m["seconds"] / result[name]["seconds"], "whole_process": m["process_seconds"] / result[name]["process_seconds"]}
        for name in ENGINES[:3]
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"corpus: {result['corpus']['documents']:,} documents, {size_mb:.1f} MB, {len(truth)} planted pairs")
    for name in ENGINES:
        r = result[name]
        print(
            f"{name:20} {r['seconds']:6.2f} s (process {r['process_seconds']:6.2f} s)  {r['docs_per_second']:7.0f} docs/s  "
            f"{r['mb_per_second']:5.2f} MB/s  peak {r['peak_rss_mb']:5.0f} MB  pairs {r['pairs_found']:6}  planted recall {r['planted_recall']:.4f}"
        )
    for name, ratio in result["speedup"].items():
        print(f"{name} is {ratio['in_process']:.1f}x faster than datasketch ({ratio['whole_process']:.1f}x counting whole processes)")
    return result


ENGINES = ("copytrace", "copytrace_no_edits", "copytrace_same_site", "minhash")


if __name__ == "__main__":
    main()
