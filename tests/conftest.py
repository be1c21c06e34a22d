"""Shared fixtures: real articles from the small collections kept in ``tests/data`` (a subset of
Reuters-21578, saved news pages and crawl files; see tests/data/README.md).

The benchmarks read the full collections in the shared data folder beside the repository; the
tests point them at ``tests/data``, which has the same layout, so the repository stands alone.
"""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ["COPYTRACE_SHARED_DATA"] = str(ROOT / "tests" / "data")  # before benchmarks are imported

from benchmarks.planted import SYNONYMS, _swap_words  # noqa: E402
from benchmarks.reuters import Article, load_reuters  # noqa: E402


@pytest.fixture(scope="session")
def reuters() -> list[Article]:
    """The first 2,000 Reuters stories with a body."""
    return load_reuters(limit=2000)


@pytest.fixture(scope="session")
def long_articles(reuters) -> list[Article]:
    """Reuters stories with at least five paragraphs, in a fixed random order."""
    picked = [a for a in reuters if len(a.paragraphs) >= 5 and 1500 <= len(a.text) <= 5000]
    random.Random(3).shuffle(picked)
    return picked


@pytest.fixture(scope="session")
def sentence_pairs(reuters) -> list[str]:
    """Real news sentences in pairs (entries 2k and 2k + 1): a sentence and a reworded copy
    (a fifth of its words swapped), the sentence and its first half, or two unrelated sentences,
    in turn, so that their similarities spread from 0 to 1."""
    sentences = [s for a in reuters[:400] for p in a.paragraphs for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", p) if len(s.split()) >= 8]
    rng = random.Random(5)
    vocabulary = sorted(SYNONYMS.values())
    out = []
    for n, sentence in enumerate(sentences[:600]):
        words = sentence.split()
        other = (
            _swap_words(sentence, rng, 0.2, vocabulary),
            " ".join(words[: len(words) // 2]),
            sentences[-1 - n],
        )[n % 3]
        out += [sentence, other]
    return out
