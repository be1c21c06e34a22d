"""Extraction artifacts, flagged per document (the ``flags`` column of ``documents``).

Text taken from web pages carries the marks of its extraction: sentences run together where markup
was dropped (``soldiers.The``), a paragraph duplicated (a teaser and the body, a slideshow caption),
the headline repeated in the body, a pull quote kept both in its box and in the body, or lifted out
of the body altogether (leaving a cut such as ``once again:," Putin said``). The flags say which
documents were affected, so a researcher can tell an extractor's doing from a copier's.

Matching repairs what would hurt it: run-together sentences are split (words end at punctuation),
and a moved pull quote is found wherever it stands (alignment is order-independent). Repeated text
is deliberately left in: each occurrence of copied text is copied text, alignment pairs every
occurrence, and coverage counts each character once, so a repeat neither makes a pair by itself
(it is inside one document) nor inflates a score. Offsets are untouched: the text stays as read.
"""

from __future__ import annotations

import re

import numpy as np
from numba import njit

from copytrace.match.fingerprint import (
    CUT_MARK,
    Words,
    index_bits,
    lines_of,
    sort_with_index,
    tokenize,
)
from copytrace.match.fingerprint import RUN_TOGETHER as RUN_TOGETHER_BIT

RUN_TOGETHER = "sentences_run_together"
PARAGRAPH_DUPLICATED = "paragraph_duplicated"
HEADLINE_REPEATED = "headline_repeated"
PULL_QUOTE = "pull_quote"

#: A first line this short may be the headline of a text given without a title.
MAX_HEADLINE_WORDS = 20
#: Lines shorter than this many words may repeat innocently ("Reuters", "More:").
MIN_LINE_WORDS = 8
#: A pull quote is a line of this many words whose words also stand, in order, inside a longer line
#: of its document, with a quotation mark.
PULL_QUOTE_WORDS = (5, 60)
#: A pull quote is a quotation: a contained line without quotation marks is a table row or a summary.
_QUOTE_MARKS = re.compile(r"[\"“”«»„]")
#: A line that is one quotation and nothing else: what an extractor lifts out as a pull quote.
_QUOTED_LINE = re.compile(r"^[ \t]*[\"“«„][^\n]{20,}[\"”»“][ \t]*$", re.MULTILINE)


def flag_documents(words: Words, titles: list[str | None]) -> list[list[str]]:
    """The artifact flags of every document of ``words`` (``titles``: each one's title, if known)."""
    t = words.tokens
    n_docs = len(words.texts)
    line_of, line_hash, line_first, line_doc = words.lines()
    line_len = np.bincount(line_of, minlength=len(line_hash))

    # The headline: lines equal (ignoring case and punctuation) to the document's title of 3+ words;
    # where no title is known, its first line when that is short enough to be one.
    # Only documents with some repeated line of 3+ words can repeat their headline: only their
    # titles are hashed.
    some = np.flatnonzero(line_len >= 3)
    repeats = _any_per_doc(line_doc[some[_later(line_hash[some], line_doc[some])]], n_docs)
    title_hash, title_words = _title_hashes([title if repeat else None for title, repeat in zip(titles, repeats.tolist())])
    given = np.fromiter((bool(title) for title in titles), bool, n_docs)
    untitled = np.flatnonzero((title_words < 3) & (repeats | ~given))
    first_line = np.searchsorted(line_doc, untitled)  # lines come in document order
    has_line = first_line < len(line_doc)
    untitled, first_line = untitled[has_line], first_line[has_line]
    headline_like = (line_doc[first_line] == untitled) & (line_len[first_line] >= 3) & (line_len[first_line] <= MAX_HEADLINE_WORDS)
    title_hash[untitled[headline_like]] = line_hash[first_line[headline_like]]
    title_words[untitled[headline_like]] = line_len[first_line[headline_like]]
    is_title = (title_words[line_doc] >= 3) & (line_hash == title_hash[line_doc])
    headline = np.bincount(line_doc[is_title], minlength=n_docs) >= 2

    # Paragraphs: a line of 8+ words (not the headline) already seen in its document.
    long = np.flatnonzero((line_len >= MIN_LINE_WORDS) & ~is_title)
    duplicated = _any_per_doc(line_doc[long[_later(line_hash[long], line_doc[long])]], n_docs)

    # Pull quotes kept twice: a short line standing, word for word, inside a longer line.
    pull_quote = np.zeros(n_docs, bool)
    contained = _contained_lines(t.hashes, line_of, line_first, line_len, t.doc_starts, *PULL_QUOTE_WORDS) & ~is_title
    for line in np.flatnonzero(contained).tolist():  # few: the rest in Python
        d, first = int(line_doc[line]), int(line_first[line])
        last = first + int(line_len[line]) - 1
        text = words.texts[d]
        pull_quote[d] |= _QUOTE_MARKS.search(text, max(0, t.starts[first] - 2), t.ends[last] + 2) is not None
    # Pull quotes lifted out: a cut in a sentence, and a line that is one quotation.
    cut = _any_per_doc(_doc_of(t.doc_starts, np.flatnonzero(t.flags & CUT_MARK)), n_docs)
    for d in np.flatnonzero(cut & ~pull_quote).tolist():
        pull_quote[d] = _QUOTED_LINE.search(words.texts[d]) is not None

    run_together = _any_per_doc(_doc_of(t.doc_starts, np.flatnonzero(t.flags & RUN_TOGETHER_BIT)), n_docs)
    flags: list[list[str]] = [[] for _ in range(n_docs)]
    for name, found in ((RUN_TOGETHER, run_together), (PARAGRAPH_DUPLICATED, duplicated), (HEADLINE_REPEATED, headline), (PULL_QUOTE, pull_quote)):
        for d in np.flatnonzero(found).tolist():
            flags[d].append(name)
    return flags


def _doc_of(doc_starts: np.ndarray, positions: np.ndarray) -> np.ndarray:
    return np.searchsorted(doc_starts, positions, side="right") - 1


def _any_per_doc(docs: np.ndarray, n_docs: int) -> np.ndarray:
    found = np.zeros(n_docs, bool)
    found[docs] = True
    return found


def _later(hashes: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Whether each line repeats one before it in its document (given in document order)."""
    key = hashes ^ (docs.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    sorted_key, order = sort_with_index(key, index_bits(len(key)))  # equal keys stay in input order
    later = np.zeros(len(key), bool)
    if len(key) > 1:
        later[order[1:][sorted_key[1:] == sorted_key[:-1]]] = True
    return later


def _title_hashes(titles: list[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """Each title's hash as a line (as :meth:`Words.lines` hashes lines) and its number of words."""
    tokens = tokenize([title or "" for title in titles])
    words_per_title = np.diff(tokens.doc_starts)
    _, line_hash, _, line_doc = lines_of(tokens.hashes, np.zeros(len(tokens.hashes), np.uint8), tokens.doc_starts)
    hashes = np.zeros(len(titles), np.uint64)
    hashes[line_doc] = line_hash  # one line per title with words
    return hashes, words_per_title


@njit(cache=True, nogil=True)
def _key3(hashes, p):
    """A key for the three words at ``p`` (word hashes are well mixed already: rotations suffice)."""
    b, c = hashes[p + 1], hashes[p + 2]
    return hashes[p] ^ ((b << np.uint64(21)) | (b >> np.uint64(43))) ^ ((c << np.uint64(42)) | (c >> np.uint64(22)))


@njit(cache=True, nogil=True)
def _contained_lines(hashes, line_of, line_first, line_len, doc_starts, min_words, max_words):
    """Lines of ``min_words`` to ``max_words`` words whose words stand, in order, inside a longer
    line of the same document. Per document, the first three words of each short line go into a
    small open-addressing table; every position of the longer lines looks its three words up there,
    and a hit is checked word by word."""
    out = np.zeros(len(line_first), np.bool_)
    most = 0
    for d in range(len(doc_starts) - 1):
        most = max(most, doc_starts[d + 1] - doc_starts[d])
    size = 16
    while size < 2 * most:
        size *= 2
    keys = np.zeros(size, np.uint64)
    short = np.full(size, -1, np.int64)  # the short line whose first three words hash to the key
    used = np.empty(size, np.int64)
    for d in range(len(doc_starts) - 1):
        lo, hi = doc_starts[d], doc_starts[d + 1]
        n_used = 0
        mask = np.uint64(15)
        n_short = 0
        p = lo
        while p < hi:  # count this document's short lines to size its table
            n = line_len[line_of[p]]
            n_short += min_words <= n <= max_words
            p += n
        if n_short == 0 or n_short == (hi - lo):
            continue
        while mask < np.uint64(4 * n_short):
            mask = mask * np.uint64(2) + np.uint64(1)
        p = lo
        while p < hi:
            line = line_of[p]
            n = line_len[line]
            if min_words <= n <= max_words:
                key = _key3(hashes, p)
                slot = key & mask
                while short[slot] >= 0:
                    slot = (slot + np.uint64(1)) & mask
                keys[slot] = key
                short[slot] = line
                used[n_used] = slot
                n_used += 1
            p += n
        for p in range(lo, hi - 2):  # every position of a longer line
            other = line_of[p]
            if line_len[other] <= min_words or p + 3 > line_first[other] + line_len[other]:
                continue
            key = _key3(hashes, p)
            slot = key & mask
            while short[slot] >= 0:
                line = short[slot]
                n = line_len[line]
                if keys[slot] == key and not out[line] and line != other and line_len[other] > n and p + n <= line_first[other] + line_len[other]:
                    same = True
                    first = line_first[line]
                    for i in range(n):
                        if hashes[p + i] != hashes[first + i]:
                            same = False
                            break
                    out[line] = same
                slot = (slot + np.uint64(1)) & mask
        for i in range(n_used):  # empty the table for the next document
            short[used[i]] = -1
    return out
