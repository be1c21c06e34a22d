"""Same-story similarity: how likely two articles report the same story, even with no sentence in
common (two newsrooms writing up one event), as a number in [0, 1].

What the sentence vectors (:mod:`copytrace.match.meaning`) and the words say of the two articles
(:func:`story_features`): the cosine of their mean sentence vectors (the first
:data:`LEAD_SENTENCES`), how well each sentence finds a counterpart on the other side, the best
such pair, the headlines' cosine, and the share of words they have in common (which counts only
within one language). A weighted sum of these, every weight at least 0 (so more of any of them
never lowers the figure: a copy reads as the same story), is mapped to the figure by a logistic
curve: the grade does not rise in a straight line with the score, and the curve keeps every
difference in order (a step function fitted as well lumped the half of the pairs a scan reads
into one value). Both were fitted on the human grades of the SemEval-2022 Task 8 training pairs
(news in 10 languages and 8 cross-language pairs, graded from 1, same story, to 4, unrelated,
mapped to 1 … 0); the fit gives the words no weight beside the vectors:
``python -m benchmarks.stories --fit`` writes them to ``story_model.json`` beside this module and
reports their cross-validated correlation.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import numpy as np

#: Sentences of each article the story is read from (a news article's lead says what it is about).
LEAD_SENTENCES = 20
FEATURES = ("mean_cosine", "soft_alignment", "best_pair", "headline_cosine", "word_overlap", "word_overlap_same_language")
MODEL = Path(__file__).with_name("story_model.json")
_WORD = re.compile(r"\w+")


def story_features(a_text: str, b_text: str, a_vectors: np.ndarray, b_vectors: np.ndarray, same_language: bool) -> np.ndarray:
    """The model's inputs for two articles, from their sentence vectors (in text order)."""
    a, b = a_vectors[:LEAD_SENTENCES], b_vectors[:LEAD_SENTENCES]
    words_a = {w.lower() for w in _WORD.findall(a_text)}
    words_b = {w.lower() for w in _WORD.findall(b_text)}
    overlap = len(words_a & words_b) / max(1, len(words_a | words_b))
    if not len(a) or not len(b):
        return np.array([0.0, 0.0, 0.0, 0.0, overlap, overlap * same_language])
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    cosine = float(mean_a @ mean_b / max(np.linalg.norm(mean_a) * np.linalg.norm(mean_b), 1e-9))
    sim = a @ b.T
    soft = float((sim.max(axis=1).mean() + sim.max(axis=0).mean()) / 2)
    return np.array([cosine, soft, float(sim.max()), float(sim[0, 0]), overlap, overlap * same_language])


@functools.cache
def _model() -> tuple[np.ndarray, float, float, float]:
    model = json.loads(MODEL.read_text(encoding="utf-8"))
    if tuple(model["features"]) != FEATURES:
        raise RuntimeError(f"{MODEL} was fitted on other features: run python -m benchmarks.stories --fit")
    return np.array(model["weights"], float), float(model["intercept"]), float(model["steepness"]), float(model["centre"])


def story_score(features: np.ndarray, weights: np.ndarray, intercept: float) -> np.ndarray:
    """The weighted sum the curve maps (features below 0, a cosine of opposed vectors, count as 0)."""
    return np.clip(features, 0.0, None) @ weights + intercept


def story_curve(score: np.ndarray, steepness: float, centre: float) -> np.ndarray:
    """The logistic curve from the weighted sum to the figure."""
    return 1.0 / (1.0 + np.exp(-steepness * (score - centre)))


def story_similarity(features: np.ndarray) -> float:
    """How likely the two articles report one story, in [0, 1] (1: the same story)."""
    weights, intercept, steepness, centre = _model()
    return float(story_curve(story_score(features, weights, intercept), steepness, centre))


#: Two articles are joined into one story at this ``story_similarity`` or more. On the SemEval-2022
#: training pairs (cross-validated), 0.90 of the pairs at 0.8 or more were graded the same story or
#: mostly (2 or better), and 0.34 of those so graded reach it (``benchmarks/stories.py``). Joins
#: chain (A with B, B with C): at 0.6 (precision 0.81) one story of a scan of 4,238 news articles
#: took in 332 of them, at 0.8 the largest has 29 (``benchmarks/translations.py --scan``).
SAME_STORY = 0.8


def group_stories(a: np.ndarray, b: np.ndarray, similarity: np.ndarray, n: int, min_similarity: float = SAME_STORY) -> np.ndarray:
    """The story of each of ``n`` articles (a number; articles alone in their story keep their
    own): the groups that links ``(a[k], b[k])`` at ``min_similarity`` or more join, transitively.
    Each article takes the smallest number of its group, by label propagation and pointer jumping
    in array passes."""
    keep = similarity >= min_similarity
    a, b = a[keep].astype(np.int64), b[keep].astype(np.int64)
    label = np.arange(n, dtype=np.int64)
    while True:
        low = np.minimum(label[a], label[b])
        before = label.copy()
        np.minimum.at(label, a, low)
        np.minimum.at(label, b, low)
        label = label[label]  # jump to the group's representative
        if np.array_equal(label, before):
            return label
