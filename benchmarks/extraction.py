"""Extraction agreement on real news pages: how much of the article text people marked as the
article body copytrace's HTML reader (trafilatura inside) returns, and how little else.

    python -m benchmarks.extraction

Pages and ground truth: the Scrapinghub article-extraction benchmark in ``../shared/data/web``
(181 pages from 126 hosts). The measure is the one that benchmark uses: precision, recall and F1
of word tokens (multiset overlap), per page, averaged. trafilatura's published F1 on this set is
0.958. Writes ``benchmarks/results/extraction.json``.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter
from pathlib import Path

from .accuracy import RESULTS
from .reuters import SHARED_DATA, require

SCRAPINGHUB = SHARED_DATA / "web" / "scrapinghub-article-extraction-benchmark"
PUBLISHED_F1 = 0.958

_TOKEN = re.compile(r"\w+")


def token_prf(extracted: str, expected: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of the word tokens of ``extracted`` against ``expected``."""
    got, want = Counter(_TOKEN.findall(extracted.lower())), Counter(_TOKEN.findall(expected.lower()))
    common = sum((got & want).values())
    if not got or not want:
        return float(not got and not want), float(not got and not want), float(not got and not want)
    precision, recall = common / sum(got.values()), common / sum(want.values())
    f1 = 2 * precision * recall / (precision + recall) if common else 0.0
    return precision, recall, f1


def pages(limit: int | None = None) -> list[tuple[Path, str, str]]:
    """``(page file, article text, url)`` of the benchmark pages, in a fixed order."""
    truth = json.loads(require(SCRAPINGHUB / "ground-truth.json").read_text(encoding="utf-8"))
    out = [(SCRAPINGHUB / "html" / f"{key}.html.gz", value["articleBody"], value["url"]) for key, value in sorted(truth.items())]
    return out[:limit]


def main(argv: list[str] | None = None) -> dict:
    from copytrace.ingest.read import read_inputs

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int)
    parser.add_argument("--out", type=Path, default=RESULTS / "extraction.json")
    args = parser.parse_args(argv)

    scores, rejected = [], []
    started = time.perf_counter()
    for path, expected, _url in pages(args.limit):
        records = list(read_inputs([path]))
        doc = records[-1]
        if not hasattr(doc, "text"):
            rejected.append({"page": path.name, "reason": doc.reason})
            scores.append((0.0, 0.0, 0.0))  # a page with no text counts as a miss
            continue
        scores.append(token_prf(doc.text, expected))
    seconds = time.perf_counter() - started
    n = len(scores)
    result = {
        "pages": n,
        "precision": sum(s[0] for s in scores) / n,
        "recall": sum(s[1] for s in scores) / n,
        "f1": sum(s[2] for s in scores) / n,
        "published_trafilatura_f1": PUBLISHED_F1,
        "rejected": rejected,
        "seconds": seconds,
        "pages_per_second": n / seconds,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(
        f"{n} pages: precision {result['precision']:.3f}  recall {result['recall']:.3f}  F1 {result['f1']:.3f} "
        f"(trafilatura published {PUBLISHED_F1}); {len(rejected)} without text; {result['pages_per_second']:.1f} pages/s"
    )
    return result


if __name__ == "__main__":
    main()
