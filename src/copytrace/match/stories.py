"""Same-story similarity: how likely two articles report the same story, even with no sentence in
common (two newsrooms writing up one event), as a number in [0, 1].

A small linear model over what the sentence vectors (:mod:`copytrace.match.meaning`) and the words
say of the two articles (:func:`story_features`): the cosine of their mean sentence vectors (the
first :data:`LEAD_SENTENCES`), how well each sentence finds a counterpart on the other side, the
best such pair, the headlines' cosine, and the share of words they have in common (which counts
only within one language). It was fitted by least squares on the human grades of the SemEval-2022
Task 8 training pairs (news in 10 languages and 8 cross-language pairs, graded from 1, same story,
to 4, unrelated, mapped to 1 … 0): ``python -m benchmarks.stories --fit`` writes the weights to
``story_model.json`` beside this module and reports their cross-validated correlation.
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
def _weights() -> tuple[np.ndarray, float]:
    model = json.loads(MODEL.read_text(encoding="utf-8"))
    if tuple(model["features"]) != FEATURES:
        raise RuntimeError(f"{MODEL} was fitted on other features: run python -m benchmarks.stories --fit")
    return np.array(model["weights"], float), float(model["intercept"])


def story_similarity(features: np.ndarray) -> float:
    """How likely the two articles report one story, in [0, 1] (1: the same story)."""
    weights, intercept = _weights()
    return float(np.clip(features @ weights + intercept, 0.0, 1.0))
