"""Document-pair scores: how much of each document lies inside aligned passages, and a verdict."""

from __future__ import annotations

from collections.abc import Iterable

COPY, PARTIAL, NONE = "copy", "partial", "none"


def covered_chars(spans: Iterable[tuple[int, int]]) -> int:
    """Characters covered by the union of ``[start, end)`` spans."""
    total, reach = 0, 0
    for start, end in sorted(spans):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


def coverage(spans: Iterable[tuple[int, int]], length: int) -> float:
    """Share of a document of ``length`` characters inside the spans (0 for an empty document)."""
    return covered_chars(spans) / length if length else 0.0


def verdict(coverage_a: float, coverage_b: float, n_passages: int, copy_coverage: float) -> str:
    """``copy`` when most of one document lies inside the other, ``partial`` when some passage is
    shared, else ``none``."""
    if n_passages == 0:
        return NONE
    return COPY if max(coverage_a, coverage_b) >= copy_coverage else PARTIAL
