"""Document-pair scores: how much of each document was copied, and a verdict.

Coverage counts the characters inside aligned passages less the text a passage bridges without
aligning it (a paragraph dropped from the middle of a copy, :attr:`Aligned.hole_start`): a copy
that lost a fifth of its source does not read 100%.

Scores are computed for many pairs at once from the columns alignment returns; ``compare`` uses the
same code for its one pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from copytrace.match.align import Aligned

COPY, PARTIAL, NONE = "copy", "partial", "none"


@dataclass
class PairScores:
    """Scores of the pairs that have passages: pair numbers (ascending) and their columns."""

    pair: np.ndarray
    n_passages: np.ndarray
    coverage_a: np.ndarray  # share of A's characters copied: inside the pair's passages, less their holes
    coverage_b: np.ndarray
    verdict: np.ndarray  # COPY when at least copy_coverage of one document is inside, else PARTIAL


def score_pairs(aligned: Aligned, chars_a: np.ndarray, chars_b: np.ndarray, copy_coverage: float) -> PairScores:
    """Scores of every pair with passages; ``chars_a[x]``/``chars_b[x]``: lengths of pair ``x``'s
    documents."""
    pair, n_passages = np.unique(aligned.pair, return_counts=True)
    coverage_a = covered_per_pair(*aligned.copied(0)) / np.maximum(chars_a[pair], 1)
    coverage_b = covered_per_pair(*aligned.copied(1)) / np.maximum(chars_b[pair], 1)
    verdict = np.where(np.maximum(coverage_a, coverage_b) >= copy_coverage, COPY, PARTIAL)
    return PairScores(pair, n_passages, coverage_a, coverage_b, verdict)


def covered_per_pair(pair: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Characters inside the union of spans ``[start, end)`` of each pair, for the pairs present
    (ascending), vectorized: spans sorted by start within a pair, each adds what reaches past the
    furthest end before it."""
    if not len(pair):
        return np.zeros(0, np.int64)
    order = np.lexsort((start, pair))
    pair, start, end = pair[order], start[order], end[order]
    # offset every pair's positions past the previous pair's, so one running maximum serves all
    offset = pair.astype(np.int64) * (int(end.max()) + 1)
    reach = np.maximum.accumulate(end + offset)
    before = np.empty_like(reach)
    before[0] = 0
    before[1:] = reach[:-1]
    added = np.maximum(0, end + offset - np.maximum(start + offset, before))
    groups = np.flatnonzero(np.concatenate([[True], pair[1:] != pair[:-1]]))
    return np.add.reduceat(added, groups)
