"""Start-up of the ``copytrace`` command: what every CLI call pays before any work.

    python -m benchmarks.startup [--repeat 7]

Times whole fresh processes (median and range of ``--repeat`` runs, after one warm-up run that
fills the file cache and, after an install, numba's kernel cache): ``copytrace --help``,
``copytrace --version``, and ``copytrace compare`` of two one-sentence texts (real Reuters
sentences, written to a temporary folder), with each process's peak memory. Targets (issue 23):
``--help`` and ``--version`` ≤ 0.3 s, ``compare`` ≤ 0.8 s. Writes ``benchmarks/results/startup.json``.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .accuracy import RESULTS

COMMAND = str(Path(sys.executable).with_name("copytrace"))
SENTENCES = (  # the first sentence of Reuters-21578 story 2, and a copy of it with words changed
    "Standard Oil Co and BP North America Inc said they plan to form a venture to manage the money market borrowing and investment activities of both companies.",
    "Standard Oil Co and BP North America Inc said they intend to form a venture to manage the money market borrowing and investment activities of both firms.",
)


def timed(args: list[str]) -> tuple[float, float]:
    """Seconds and peak memory (MB) of one fresh process running ``args``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest child so far
    return seconds, max(peak, before) / 1024


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out", type=Path, default=RESULTS / "startup.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        a, b = Path(folder) / "a.txt", Path(folder) / "b.txt"
        a.write_text(SENTENCES[0] + "\n")
        b.write_text(SENTENCES[1] + "\n")
        commands = {
            "help": [COMMAND, "--help"],
            "version": [COMMAND, "--version"],
            "compare": [COMMAND, "compare", str(a), str(b)],
        }
        result: dict = {"repeat": args.repeat, "targets": {"help": 0.3, "version": 0.3, "compare": 0.8}}
        for name, command in commands.items():
            timed(command)  # warm-up
            runs = [timed(command) for _ in range(args.repeat)]
            seconds = [s for s, _ in runs]
            result[name] = {
                "median_seconds": round(statistics.median(seconds), 3), "min_seconds": round(min(seconds), 3),
                "max_seconds": round(max(seconds), 3), "peak_rss_mb": round(max(m for _, m in runs), 1),
            }
            print(f"{name:8} median {result[name]['median_seconds']:.3f} s ({result[name]['min_seconds']:.3f}–{result[name]['max_seconds']:.3f})")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    return result


if __name__ == "__main__":
    main()
