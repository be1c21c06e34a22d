"""plagdet: the PAN measure of passage detection (Potthast, Stein, Barrón-Cedeño, Rosso, 2010).

A case ``s`` and a detection ``r`` are both a pair of character ranges, one in the source document
and one in the copy. ``r`` detects ``s`` when they overlap in both documents; ``s ⊓ r`` is then the
characters they share (in both documents), else nothing.

    recall      = mean over cases s       of |∪_r (s ⊓ r)| / |s|
    precision   = mean over detections r  of |∪_s (s ⊓ r)| / |r|
    granularity = mean over detected cases of the number of detections that detect it
    plagdet     = F1(precision, recall) / log2(1 + granularity)

Sizes ``|s|`` count characters in both documents. Cases and detections only meet when they concern
the same two documents (in the same roles).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

Range = tuple[int, int]


@dataclass(frozen=True)
class Span:
    """A passage pair: ``src`` range in document ``src_id``, ``dst`` range in ``dst_id``."""

    src_id: str
    dst_id: str
    src: Range
    dst: Range

    @property
    def size(self) -> int:
        return (self.src[1] - self.src[0]) + (self.dst[1] - self.dst[0])


def _overlap(x: Range, y: Range) -> Range | None:
    lo, hi = max(x[0], y[0]), min(x[1], y[1])
    return (lo, hi) if hi > lo else None


def _union_length(ranges: list[Range]) -> int:
    total, reach = 0, -1
    for lo, hi in sorted(ranges):
        if hi > reach:
            total += hi - max(lo, reach)
            reach = hi
    return total


def plagdet(cases: list[Span], detections: list[Span]) -> dict:
    """precision, recall, granularity and plagdet of ``detections`` against ``cases``."""
    by_pair: dict[tuple[str, str], list[Span]] = defaultdict(list)
    for r in detections:
        by_pair[(r.src_id, r.dst_id)].append(r)
    case_pairs: dict[tuple[str, str], list[Span]] = defaultdict(list)
    for s in cases:
        case_pairs[(s.src_id, s.dst_id)].append(s)

    recalls, detected_counts = [], []
    for s in cases:
        src_parts, dst_parts, hits = [], [], 0
        for r in by_pair.get((s.src_id, s.dst_id), []):
            a, b = _overlap(s.src, r.src), _overlap(s.dst, r.dst)
            if a and b:
                src_parts.append(a)
                dst_parts.append(b)
                hits += 1
        recalls.append((_union_length(src_parts) + _union_length(dst_parts)) / s.size if s.size else 0.0)
        if hits:
            detected_counts.append(hits)
    precisions = []
    for r in detections:
        src_parts, dst_parts = [], []
        for s in case_pairs.get((r.src_id, r.dst_id), []):
            a, b = _overlap(s.src, r.src), _overlap(s.dst, r.dst)
            if a and b:
                src_parts.append(a)
                dst_parts.append(b)
        precisions.append((_union_length(src_parts) + _union_length(dst_parts)) / r.size if r.size else 0.0)

    recall = sum(recalls) / len(recalls) if recalls else 0.0
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    granularity = sum(detected_counts) / len(detected_counts) if detected_counts else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "plagdet": f1 / math.log2(1 + granularity),
        "precision": precision,
        "recall": recall,
        "granularity": granularity,
        "cases": len(cases),
        "detections": len(detections),
    }
