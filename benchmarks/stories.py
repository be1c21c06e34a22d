"""Same-story similarity against human grades: SemEval-2022 Task 8 training pairs, cross-validated.

    python -m benchmarks.stories [--fit]

Every training pair of ``../shared/data/semeval2022/train_all.csv`` (1,283 pairs of news articles:
10 languages, 8 cross-language pairs; graded "Overall" from 1, same story, to 4, unrelated) gets
:func:`copytrace.match.stories.story_features`. The model (weights at least 0 by ridge least
squares, then a logistic curve) is fitted on (4 - Overall) / 3; its predictions for each pair come from a fit on the other four
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


def _fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float, float, float]:
    """Weights at least 0 (ridge least squares by coordinate descent) and an intercept, then the
    logistic curve from their sum to the target (least squares over a grid of steepness and
    centre): ``(weights, intercept, steepness, centre)``."""
    from copytrace.match.stories import story_curve, story_score

    design = np.c_[np.clip(x, 0, None), np.ones(len(x))]
    gram, rhs = design.T @ design + RIDGE * np.eye(design.shape[1]), design.T @ y
    w = np.zeros(design.shape[1])
    for _ in range(2000):
        for j in range(len(w)):
            w[j] = (rhs[j] - gram[j] @ w + gram[j, j] * w[j]) / gram[j, j]
            if j < len(w) - 1:
                w[j] = max(0.0, w[j])
    weights, intercept = w[:-1], float(w[-1])
    score = story_score(x, weights, intercept)
    steep, centre = np.meshgrid(np.linspace(1, 20, 77), np.linspace(score.min(), score.max(), 81), indexing="ij")
    errors = ((story_curve(score[None, None, :], steep[..., None], centre[..., None]) - y) ** 2).sum(axis=-1)
    best = np.unravel_index(np.argmin(errors), errors.shape)
    return weights, intercept, float(steep[best]), float(centre[best])


def _predict(x: np.ndarray, model: tuple[np.ndarray, float, float, float]) -> np.ndarray:
    from copytrace.match.stories import story_curve, story_score

    weights, intercept, steepness, centre = model
    return story_curve(story_score(x, weights, intercept), steepness, centre)


def _splitting_version() -> str:
    """A short hash of the sentence splitter and encoder code, so a change to either is not read
    from a stale cache."""
    import hashlib
    import inspect

    from copytrace.match import meaning

    return hashlib.sha1(inspect.getsource(meaning).encode()).hexdigest()[:8]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="fit the shipped weights on all the pairs")
    parser.add_argument("--out", default=RESULTS / "stories.json")
    args = parser.parse_args(argv)
    from copytrace.match.meaning import document_vectors
    from copytrace.match.stories import FEATURES, LEAD_SENTENCES, MODEL, story_features

    csv.field_size_limit(1 << 30)
    with require(SEMEVAL).open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    cache = WORK / f"semeval-lead-vectors-{LEAD_SENTENCES}-{_splitting_version()}.npz"
    started = time.perf_counter()
    if cache.exists():
        with np.load(cache) as stored:
            vectors = [stored[str(i)] for i in range(2 * len(rows))]
    else:
        vectors = []
        for row in rows:
            for key in ("text1", "text2"):
                text = row[key]
                vectors.append(document_vectors(text, 2, LEAD_SENTENCES)[1])
        WORK.mkdir(parents=True, exist_ok=True)
        np.savez(cache, **{str(i): v for i, v in enumerate(vectors)})
    encode_seconds = time.perf_counter() - started
    features = np.array([
        story_features(r["text1"], r["text2"], vectors[2 * i], vectors[2 * i + 1], r["lang1"] == r["lang2"]) for i, r in enumerate(rows)
    ])
    x = features
    grade = np.array([float(r["Overall"]) for r in rows])
    target = (4 - grade) / 3
    pair = np.array([f"{r['lang1']}-{r['lang2']}" for r in rows])
    fold = np.arange(len(rows)) % FOLDS
    predicted = np.zeros(len(rows))
    for f in range(FOLDS):
        predicted[fold == f] = _predict(x[fold == f], _fit(x[fold != f], target[fold != f]))
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
        "pearson_one_feature": {name: round(_pearson(features[:, j], target), 3) for j, name in enumerate(FEATURES)},
        "by_language_pair": {},
    }
    groups = defaultdict(list)
    for i, p in enumerate(pair):
        groups[p].append(i)
    for p, members in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        m = np.array(members)
        result["by_language_pair"][str(p)] = {"pairs": len(m), "pearson": round(_pearson(predicted[m], target[m]), 3)}
    # Same story or not: a grade of 2 or better (1: same story, 2: mostly) against the threshold
    # that ``copytrace stories`` groups by.
    truth = grade <= 2
    result["same_story"] = {"pairs": int(truth.sum()), "by_threshold": {}}
    for t in np.round(np.arange(0.40, 0.81, 0.05), 2):
        said = predicted >= t
        hit = int((said & truth).sum())
        precision, recall = hit / max(int(said.sum()), 1), hit / max(int(truth.sum()), 1)
        result["same_story"]["by_threshold"][f"{t:.2f}"] = {
            "precision": round(precision, 3), "recall": round(recall, 3), "f1": round(2 * precision * recall / max(precision + recall, 1e-9), 3),
        }
    if args.fit:
        weights, intercept, steepness, centre = _fit(x, target)
        model = {
            "features": list(FEATURES), "weights": [round(float(w), 6) for w in weights], "intercept": round(intercept, 6),
            "steepness": round(steepness, 6), "centre": round(centre, 6),
            "fitted_on": "SemEval-2022 Task 8 training pairs (train_all.csv), target (4 - Overall) / 3: weights at least 0 by ridge least squares (0.01), then a logistic curve by least squares",
            "pearson_cross_validated": result["pearson_cross_validated"],
        }
        MODEL.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
        result["fitted"] = model
    print(json.dumps(result["pearson_cross_validated"]), "by pair:", {str(p): v["pearson"] for p, v in result["by_language_pair"].items()})
    print("same story (grade <= 2), cross-validated:", json.dumps(result["same_story"]["by_threshold"]))
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=1)
    return result


if __name__ == "__main__":
    main()
