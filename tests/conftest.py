"""Shared fixtures: real articles from ../shared/data (Reuters-21578, MSRP)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from benchmarks.reuters import REUTERS_DIR, SHARED_DATA, Article, load_reuters

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def reuters() -> list[Article]:
    """The first 2,000 Reuters stories with a body."""
    assert REUTERS_DIR.is_dir(), f"Reuters data not found at {REUTERS_DIR} (set COPYTRACE_SHARED_DATA)"
    return load_reuters(limit=2000)


@pytest.fixture(scope="session")
def long_articles(reuters) -> list[Article]:
    """Reuters stories with at least five paragraphs, in a fixed random order."""
    picked = [a for a in reuters if len(a.paragraphs) >= 5 and 1500 <= len(a.text) <= 5000]
    random.Random(3).shuffle(picked)
    return picked


@pytest.fixture(scope="session")
def msrp_sentences() -> list[str]:
    lines = (SHARED_DATA / "msrp" / "msr_paraphrase_train.txt").read_text(encoding="utf-8-sig").splitlines()[1:]
    return [part for line in lines for part in line.split("\t")[3:5]]
