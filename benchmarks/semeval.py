"""copytrace on real news pairs: SemEval-2022 Task 8, English–English training pairs.

    python -m benchmarks.semeval

Each pair is two articles (title and roughly the first 1,000 characters) scraped from two news
sites, scored by annotators from 1 (same story) to 4 (unrelated). copytrace measures text reuse,
not topical similarity, so most same-story pairs written by different newsrooms should be ``none``.
What it does report should be real shared text: every reported passage is listed in the JSON so it
can be read. Writes ``benchmarks/results/semeval.json``.
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict

import copytrace

from .accuracy import RESULTS
from .reuters import SHARED_DATA, require


def bucket(overall: float) -> str:
    return "1 same story" if overall <= 1.5 else "2" if overall <= 2.5 else "3" if overall <= 3.5 else "4 unrelated"


def main() -> dict:
    rows = list(csv.DictReader(open(require(SHARED_DATA / "semeval2022" / "train_en.csv"), encoding="utf-8")))
    verdicts: dict[str, Counter] = defaultdict(Counter)
    reported = []
    for row in rows:
        result = copytrace.compare_texts(row["text1"], row["text2"])
        b = bucket(float(row["Overall"]))
        verdicts[b][result.verdict] += 1
        if result.passages:
            reported.append(
                {
                    "pair_id": row["pair_id"],
                    "overall": float(row["Overall"]),
                    "verdict": result.verdict,
                    "coverage": [round(result.coverage_a, 3), round(result.coverage_b, 3)],
                    "passages": [
                        {"a": row["text1"][p.a_start : p.a_end], "b": row["text2"][p.b_start : p.b_end], "similarity": round(p.similarity, 3)}
                        for p in result.passages
                    ],
                }
            )
    result = {"pairs": len(rows), "verdicts_by_overall": {k: dict(v) for k, v in sorted(verdicts.items())}, "reported": reported}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "semeval.json").write_text(json.dumps(result, indent=1, ensure_ascii=False))
    for k, v in sorted(verdicts.items()):
        print(f"Overall {k:13s} {dict(v)}")
    print(f"{len(reported)} pairs with shared passages; read them in benchmarks/results/semeval.json")
    return result


if __name__ == "__main__":
    main()
