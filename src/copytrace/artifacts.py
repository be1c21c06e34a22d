"""Extraction artifacts, flagged per document (the ``flags`` column of ``documents``).

Text taken from web pages carries the marks of its extraction: sentences run together where markup
was dropped (``soldiers.The``), a paragraph duplicated (a teaser and the body, a slideshow caption),
the headline repeated in the body. Matching already copes with the first (normalization splits run-
together sentences) and alignment ignores seeds repeated many times; the flags say which documents
were affected, so a researcher can tell an extractor's doing from a copier's.
"""

from __future__ import annotations

import numpy as np

from .fingerprint import RUN_TOGETHER as RUN_TOGETHER_BIT
from .fingerprint import Words, index_bits, sort_with_index

RUN_TOGETHER = "sentences_run_together"
PARAGRAPH_DUPLICATED = "paragraph_duplicated"
HEADLINE_REPEATED = "headline_repeated"

#: Lines shorter than this many words may repeat innocently ("Reuters", "More:").
MIN_LINE_WORDS = 8


def flag_documents(words: Words, titles: list[str | None]) -> list[list[str]]:
    """The artifact flags of every document of ``words`` (``titles``: each one's title, if known)."""
    line_of, line_hash, _, line_doc = words.lines()
    words_per_line = np.bincount(line_of, minlength=len(line_hash))
    long = np.flatnonzero(words_per_line >= MIN_LINE_WORDS)
    key = line_hash[long] ^ (line_doc[long].astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    sorted_key, order = sort_with_index(key, index_bits(len(key)))
    t = words.tokens
    run_together = np.zeros(len(words.texts), bool)
    marked = np.flatnonzero(t.flags & RUN_TOGETHER_BIT)  # the tokenizer found them
    run_together[np.searchsorted(t.doc_starts, marked, side="right") - 1] = True
    repeated = np.zeros(len(words.texts), bool)
    if len(sorted_key) > 1:
        same = np.flatnonzero(sorted_key[1:] == sorted_key[:-1])
        repeated[line_doc[long[order[same]]]] = True

    flags: list[list[str]] = []
    for d, text in enumerate(words.texts):
        mine = []
        if run_together[d]:
            mine.append(RUN_TOGETHER)
        title = (titles[d] or "").strip()
        headline = len(title.split()) >= 3 and text.count(title) >= 2
        if repeated[d] and (not headline or _repeats_other_than(text, title)):
            mine.append(PARAGRAPH_DUPLICATED)
        if headline:
            mine.append(HEADLINE_REPEATED)
        flags.append(mine)
    return flags


def _repeats_other_than(text: str, title: str) -> bool:
    """Whether a long line other than the headline occurs twice (rare: checked in Python)."""
    lines = [line.strip() for line in text.split("\n") if len(line.split()) >= MIN_LINE_WORDS and line.strip() != title]
    return len(lines) != len(set(lines))
