"""Same-story similarity against human grades: SemEval-2022 Task 8 training pairs, cross-validated.

    python -m benchmarks.stories [--fit]

Every training pair of ``../shared/data/semeval2022/train_all.csv`` (1,283 pairs of news articles:
10 languages, 8 cross-language pairs; graded "Overall" from 1, same story, to 4, unrelated) gets
:func:`copytrace.match.stories.story_features`. The model's weights are fitted by ridge least
squares on (4 - Overall) / 3; its predictions for each pair come from a fit on the other four
fifths (5 folds, fixed), so the correlations reported are never of a pair the weights saw. Pearson
with the grade, per language pair and overall; for comparison, the cosine of the mean sentence
vectors alone and word overlap alone. ``--fit`` then fits the weights on all the pairs and writes
``src/copytrace/match/story_model.json``. Sentence vectors are cached in ``benchmarks/work/``.
Writes ``benchmarks/results/stories.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections import defaultdict

import numpy as np

from .accuracy import RESULTS, WORK
from .reuters import SHARED_DATA, require

SEMEVAL = SHARED_DATA / "semeval2022" / "train_all.csv"
RIDGE = 1e-2
FOLDS = 5


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.corrcoef(x, y)[0, 1])


def _fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    design = np.c_[x, np.ones(len(x))]
    solution = np.linalg.solve(design.T @ design + RIDGE * np.eye(design.shape[1]), design.T @ y)
    return solution[:-1], float(solution[-1])


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="fit the shipped weights on all the pairs")
    parser.add_argument("--out", default=RESULTS / "stories.json")
    args = parser.parse_args(argv)
    from copytrace.match.meaning import encode_sentences, sentence_spans
    from copytrace.match.stories import FEATURES, LEAD_SENTENCES, MODEL, story_features

    csv.field_size_limit(1 << 30)
    with require(SEMEVAL).open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    cache = WORK / f"semeval-lead-vectors-{LEAD_SENTENCES}.npz"
    started = time.perf_counter()
    if cache.exists():
        with np.load(cache) as stored:
            vectors = [stored[str(i)] for i in range(2 * len(rows))]
    else:
        vectors = []
        for row in rows:
            for key in ("text1", "text2"):
                text = row[key]
                spans = sentence_spans(text)[:LEAD_SENTENCES]
                vectors.append(encode_sentences([text[s:e] for s, e in spans], 2))
        WORK.mkdir(parents=True, exist_ok=True)
        np.savez(cache, **{str(i): v for i, v in enumerate(vectors)})
    encode_seconds = time.perf_counter() - started
    x = np.array([
        story_features(r["text1"], r["text2"], vectors[2 * i], vectors[2 * i + 1], r["lang1"] == r["lang2"]) for i, r in enumerate(rows)
    ])
    grade = np.array([float(r["Overall"]) for r in rows])
    target = (4 - grade) / 3
    pair = np.array([f"{r['lang1']}-{r['lang2']}" for r in rows])
    fold = np.arange(len(rows)) % FOLDS
    predicted = np.zeros(len(rows))
    for f in range(FOLDS):
        weights, intercept = _fit(x[fold != f], target[fold != f])
        predicted[fold == f] = np.clip(x[fold == f] @ weights + intercept, 0, 1)
    same = np.array([r["lang1"] == r["lang2"] for r in rows])
    result: dict = {
        "pairs": len(rows),
        "features": list(FEATURES),
        "encode_seconds": round(encode_seconds, 1),
        "pearson_cross_validated": {
            "all": round(_pearson(predicted, target), 3),
            "en-en": round(_pearson(predicted[pair == "en-en"], target[pair == "en-en"]), 3),
            "same language": round(_pearson(predicted[same], target[same]), 3),
            "across languages": round(_pearson(predicted[~same], target[~same]), 3),
        },
        "pearson_one_feature": {name: round(_pearson(x[:, j], target), 3) for j, name in enumerate(FEATURES)},
        "by_language_pair": {},
    }
    groups = defaultdict(list)
    for i, p in enumerate(pair):
        groups[p].append(i)
    for p, members in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        m = np.array(members)
        result["by_language_pair"][str(p)] = {"pairs": len(m), "pearson": round(_pearson(predicted[m], target[m]), 3)}
    if args.fit:
        weights, intercept = _fit(x, target)
        model = {
            "features": list(FEATURES), "weights": [round(float(w), 6) for w in weights], "intercept": round(intercept, 6),
            "fitted_on": "SemEval-2022 Task 8 training pairs (train_all.csv), target (4 - Overall) / 3, ridge 0.01",
            "pearson_cross_validated": result["pearson_cross_validated"],
        }
        MODEL.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
        result["fitted"] = model
    print(json.dumps(result["pearson_cross_validated"]), "by pair:", {str(p): v["pearson"] for p, v in result["by_language_pair"].items()})
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=1)
    return result


if __name__ == "__main__":
    main()
