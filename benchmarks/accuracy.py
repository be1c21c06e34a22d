"""Accuracy on the planted-copy benchmark: passage plagdet (overall and per kind of edit) and
document-pair precision / recall / F1.

    python -m benchmarks.accuracy [--per-kind 40] [--distractors N] [--seed 7]

Writes ``benchmarks/results/accuracy.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

import orjson

import copytrace
from copytrace.settings import Settings

from .plagdet import Span, plagdet
from .planted import KINDS, Planted, build, independent
from .reuters import load_reuters

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
RESULTS = HERE / "results"


def write_jsonl(documents: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        for d in documents:
            fh.write(orjson.dumps(d) + b"\n")


def evaluate(planted: Planted, workspace: Path) -> dict:
    """Score a scanned workspace against the planted truth."""
    ws = copytrace.Workspace(workspace)
    pairs = ws.table("pairs").to_pylist()
    passages = ws.table("passages").to_pylist()
    source_of = planted.copy_source
    kind_of = planted.copy_kind

    def orient(a: str, b: str) -> tuple[str, str, bool]:
        """(source, copy, swapped) for a planted pair, else the pair as it is."""
        if source_of.get(b) == a:
            return a, b, False
        if source_of.get(a) == b:
            return b, a, True
        return a, b, False

    detections: dict[str, list[Span]] = defaultdict(list)
    for p in passages:
        src, dst, swapped = orient(p["a_id"], p["b_id"])
        a_range, b_range = (p["a_start"], p["a_end"]), (p["b_start"], p["b_end"])
        span = Span(src, dst, b_range if swapped else a_range, a_range if swapped else b_range)
        kind = kind_of.get(dst) or kind_of.get(src) or "unplanted"
        detections[kind].append(span)
    cases: dict[str, list[Span]] = defaultdict(list)
    for c in planted.cases:
        cases[c.kind].append(Span(c.source_id, c.copy_id, (c.src_start, c.src_end), (c.copy_start, c.copy_end)))

    all_cases = [s for k in cases for s in cases[k]]
    all_detections = [r for k in detections for r in detections[k]]
    result = {"overall": plagdet(all_cases, all_detections), "by_kind": {}}
    for kind in KINDS:
        result["by_kind"][kind] = plagdet(cases[kind], detections[kind])
    result["unplanted_detections"] = len(detections["unplanted"])

    truth = planted.true_pairs()
    found = {tuple(sorted((p["a_id"], p["b_id"]))) for p in pairs}
    tp = len(truth & found)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(truth) if truth else 0.0
    result["document_pairs"] = {
        "true": len(truth),
        "found": len(found),
        "true_positives": tp,
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "missed": sorted(f"{a} ~ {b}" for a, b in truth - found)[:20],
        "false": sorted(f"{a} ~ {b}" for a, b in found - truth)[:20],
    }
    return result


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=40, help="copies planted per kind of edit")
    parser.add_argument("--distractors", type=int, default=None, help="untouched articles (default: all independent ones)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--shared-footers", action="store_true",
                        help="copies on 14 sites, a quarter ending with one of 5 footers the sites share (writes accuracy-shared-footers.json)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    args.out = args.out or RESULTS / ("accuracy-shared-footers.json" if args.shared_footers else "accuracy.json")

    articles = load_reuters()
    planted = build(articles, per_kind=args.per_kind, distractors=args.distractors, seed=args.seed, pool=independent(articles),
                    shared_footers=args.shared_footers)
    corpus = WORK / ("planted-shared-footers.jsonl" if args.shared_footers else "planted.jsonl")
    write_jsonl(planted.documents, corpus)
    settings = Settings()
    started = time.perf_counter()
    workspace = corpus.with_suffix("").with_name(corpus.stem + "-workspace")
    summary = copytrace.scan([corpus], workspace, settings)
    seconds = time.perf_counter() - started
    result = evaluate(planted, workspace)
    result["corpus"] = {
        "documents": len(planted.documents),
        "copies": len(planted.copy_kind),
        "cases": len(planted.cases),
        "chars": sum(len(d["text"]) for d in planted.documents),
        "seed": args.seed,
        "shared_footers": args.shared_footers,
    }
    result["scan_seconds"] = round(seconds, 2)
    result["scan"] = summary.to_dict()
    result["settings"] = settings.to_dict()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    _print(result)
    return result


def _print(result: dict) -> None:
    o = result["overall"]
    print(f"overall  plagdet {o['plagdet']:.4f}  precision {o['precision']:.4f}  recall {o['recall']:.4f}  granularity {o['granularity']:.4f}")
    for kind, r in result["by_kind"].items():
        print(f"  {kind:18s} plagdet {r['plagdet']:.4f}  P {r['precision']:.4f}  R {r['recall']:.4f}  G {r['granularity']:.3f}  ({r['cases']} cases)")
    d = result["document_pairs"]
    print(f"document pairs  P {d['precision']:.4f}  R {d['recall']:.4f}  F1 {d['f1']:.4f}  ({d['true_positives']}/{d['true']} found, {d['found']} reported)")
    print(f"scan {result['scan_seconds']} s on {result['corpus']['documents']} documents")


if __name__ == "__main__":
    main()
