"""The benchmark's plagdet measure, on cases small enough to work out by hand."""

import math

from benchmarks.plagdet import Span, plagdet


def test_perfect_detection():
    case = Span("s", "c", (0, 100), (0, 100))
    assert plagdet([case], [case])["plagdet"] == 1.0


def test_half_detected_in_two_pieces():
    case = Span("s", "c", (0, 100), (0, 100))
    r1 = Span("s", "c", (0, 25), (0, 25))
    r2 = Span("s", "c", (25, 50), (25, 50))
    m = plagdet([case], [r1, r2])
    assert m["recall"] == 0.5 and m["precision"] == 1.0 and m["granularity"] == 2.0
    assert math.isclose(m["plagdet"], (2 * 0.5 / 1.5) / math.log2(3))


def test_overlap_in_one_document_only_detects_nothing():
    case = Span("s", "c", (0, 100), (0, 100))
    wrong = Span("s", "c", (0, 100), (200, 300))
    m = plagdet([case], [wrong])
    assert m["recall"] == 0.0 and m["precision"] == 0.0 and m["plagdet"] == 0.0
