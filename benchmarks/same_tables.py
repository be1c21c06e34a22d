"""Same results before and after a change that must not change them: every table equal.

    python -m benchmarks.same_tables snapshot DIR    # run the corpora below with the installed copytrace
    python -m benchmarks.same_tables compare A B     # every table, index and printed output of A equals B's

A refactor or a speed-up must leave every workspace table as it was. ``snapshot`` runs the
``copytrace`` command of this environment, as a user would, over the bundled corpora, the test
fixtures and the benchmarks' corpora (those in ``benchmarks/work/`` that earlier benchmark runs
wrote; missing ones are named and left out): ``scan`` (local and Spark), ``scan`` then ``add``,
``compare``, ``trace``, ``sites`` and ``report``. ``compare`` then checks each Parquet table row
for row, each index array, each report page and each printed output byte for byte, leaving out
only what records when a run happened (the manifest's times). It exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "work"
COMMAND = str(Path(sys.executable).with_name("copytrace"))

SCANS = {  # name → inputs of one scan with the default settings
    "sample": [ROOT / "examples/sample.jsonl"],
    "cascades": [ROOT / "examples/cascades.jsonl"],
    "fixtures-web": [ROOT / "tests/data/web"],
    "planted": [WORK / "planted.jsonl"],
    "shared-footers": [WORK / "planted-shared-footers.jsonl"],
    "edits": [WORK / "edits.jsonl"],
    "chains": [WORK / "chains-5.jsonl"],
    "realpages": [WORK / "realpages-3"],
    "reuters-planted": [WORK / "reuters-planted.jsonl"],
    "scale-100000": [WORK / "scale-100000.jsonl"],
}
PRINTED = {  # name → a command whose output is compared
    "compare": ["compare", "examples/pair/reuters-original.txt", "examples/pair/copy-site.txt"],
    "sites": ["sites", "{cascades}", "--limit", "11"],
    "trace": ["trace", "{cascades}", "c009-42-newsfront24"],
}
VOLATILE = {"signature", "started", "finished", "seconds", "created", "time", "times", "elapsed"}


def run(args: list[str], out: Path | None = None) -> None:
    result = subprocess.run([COMMAND, *args], cwd=ROOT, capture_output=True, text=True, env={**os.environ, "COLUMNS": "120"})
    if result.returncode:
        sys.exit(f"copytrace {' '.join(args)} failed:\n{result.stderr}")
    if out is not None:
        out.write_text(result.stdout)


def snapshot(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, inputs in SCANS.items():
        missing = [str(p) for p in inputs if not p.exists()]
        if missing:
            print(f"{name}: left out, missing {', '.join(missing)} (run its benchmark first)")
            continue
        print(f"{name}: scan", flush=True)
        run(["scan", *map(str, inputs), "--out", str(folder / name), "--quiet"])
    print("cascades: scan --engine spark", flush=True)
    run(["scan", str(ROOT / "examples/cascades.jsonl"), "--out", str(folder / "cascades-spark"), "--engine", "spark", "--quiet"])
    print("cascades: scan half, add the rest", flush=True)
    lines = (ROOT / "examples/cascades.jsonl").read_text().splitlines(keepends=True)
    halves = WORK / "same-tables-halves"  # one place for every snapshot: documents name their source
    halves.mkdir(parents=True, exist_ok=True)
    (halves / "first.jsonl").write_text("".join(lines[: len(lines) // 2]))
    (halves / "second.jsonl").write_text("".join(lines[len(lines) // 2 :]))
    run(["scan", str(halves / "first.jsonl"), "--out", str(folder / "cascades-add"), "--quiet"])
    run(["add", str(folder / "cascades-add"), str(halves / "second.jsonl"), "--quiet"])
    run(["report", str(folder / "cascades"), "--out", str(folder / "cascades-report"), "--quiet"])
    printed = folder / "printed"
    printed.mkdir(exist_ok=True)
    for name, args in PRINTED.items():
        run([a.format(cascades=folder / "cascades") for a in args], printed / f"{name}.txt")


def _stable(value):
    """The manifest without the times of the run and the paths of this snapshot."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def _unplaced(data: bytes, folder: Path) -> bytes:
    """A file's bytes without the snapshot's path and the padding its length changes."""
    data = data.replace(str(folder).encode(), b"")
    return b"\n".join(line.rstrip() for line in data.split(b"\n"))


def _differences(a: Path, b: Path) -> list[str]:
    found = []
    files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    for only in sorted(files_a ^ files_b):
        found.append(f"{only}: only in {'first' if only in files_a else 'second'}")
    for name in sorted(files_a & files_b):
        pa_, pb = a / name, b / name
        if name.suffix == ".parquet":
            ta, tb = pq.read_table(pa_), pq.read_table(pb)
            if not ta.equals(tb):
                found.append(f"{name}: tables differ ({ta.num_rows} vs {tb.num_rows} rows)")
        elif name.suffix == ".npz":
            with np.load(pa_) as za, np.load(pb) as zb:
                if sorted(za.files) != sorted(zb.files) or any(not np.array_equal(za[k], zb[k]) for k in za.files):
                    found.append(f"{name}: arrays differ")
        elif name.name == "manifest.json":
            ma = _stable(json.loads(pa_.read_text()))
            mb = _stable(json.loads(pb.read_text()))
            if json.dumps(ma, sort_keys=True).replace(str(a), "") != json.dumps(mb, sort_keys=True).replace(str(b), ""):
                found.append(f"{name}: manifests differ")
        else:
            da = _unplaced(pa_.read_bytes(), a)
            db = _unplaced(pb.read_bytes(), b)
            if hashlib.sha256(da).digest() != hashlib.sha256(db).digest():
                found.append(f"{name}: bytes differ")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("snapshot").add_argument("folder", type=Path)
    both = commands.add_parser("compare")
    both.add_argument("first", type=Path)
    both.add_argument("second", type=Path)
    args = parser.parse_args(argv)
    if args.command == "snapshot":
        snapshot(args.folder)
        return 0
    found = _differences(args.first, args.second)
    for line in found:
        print(line)
    count = sum(1 for p in args.first.rglob("*") if p.is_file())
    print(f"{count} files compared: {'all equal' if not found else f'{len(found)} differ'}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
