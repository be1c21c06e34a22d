"""Per-site boilerplate: lines a site repeats on many of its pages are its template, not reuse.

Share prompts, newsletter calls, contact lines, "Read more" blocks and photo credits recur across
the pages of one site. Two sites that use the same footer would otherwise look like they copy each
other. copytrace learns each site's template from the corpus itself: a line (its words, ignoring
case and punctuation) found on at least ``min_share`` of a site's pages, and on at least
``MIN_PAGES_SEEN`` of them, is boilerplate of that site. Sites with fewer than ``min_pages`` pages
cannot teach anything; for them a short built-in list of common patterns is used instead.

The words of boilerplate lines take no part in fingerprints or alignment seeds, so a pair is never
reported only because of them. Lines are found from the word table (a line ends where a line break
separates two words), so learning costs a few vectorized passes, not a loop over the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .fingerprint import Words, index_bits, sort_with_index

#: A line must be seen on at least this many pages of its site to count as boilerplate.
MIN_PAGES_SEEN = 3

#: Lines that are boilerplate wherever they appear (for sites too small to learn from).
BUILT_IN = re.compile(
    r"^[\W_]*(?:"
    r"(?:(?:if|did) you (?:like|liked|enjoy|enjoyed) this (?:story|article)|share (?:this|it) with)"
    r"|read (?:more|also)\b|related(?: articles| stories)?\s*:|"
    r"(?:sign up|subscribe) (?:to|for) (?:our|the) (?:newsletter|daily|weekly)"
    r"|(?:photo|image|picture|video)(?: credit)?\s*:"
    r"|(?:contact us|e-?mail us|follow us|tel\.?|phone)\s*[:(]"
    r"|\d[\d,.\s]*\s(?:views|reads)\s*$"
    r"|all rights reserved|copyright\b|©"
    r")",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass
class Boilerplate:
    """What was found: per word, whether it lies in a boilerplate line; and the learned lines."""

    masked: np.ndarray  # bool per word of ``words.tokens``
    sites: list[str]  # learned lines: site, an example of the line's text, pages it was seen on
    blocks: list[str]
    pages: list[int]

    def rows(self) -> dict:
        return {"site": self.sites, "text_block": self.blocks, "pages_seen": self.pages}


def find_boilerplate(words: Words, doc_sites: np.ndarray, site_names: list[str], min_pages: int, min_share: float) -> Boilerplate:
    """Learn each site's boilerplate lines and mark their words (``doc_sites``: a site number per
    document, -1 when unknown; ``site_names[n]`` is site ``n``)."""
    t = words.tokens
    line_of, line_hash, line_first, line_doc = words.lines()
    line_site = doc_sites[line_doc]
    pages_per_site = np.bincount(doc_sites[doc_sites >= 0], minlength=max(1, len(site_names)))
    learn = (line_site >= 0) & (pages_per_site[np.maximum(line_site, 0)] >= min_pages)

    # Distinct pages per (site, line): lines sorted by a key of both (lines come in page order, and
    # the packed sort keeps that order among equal keys), then counted where the page changes.
    candidates = np.flatnonzero(learn)
    key = _mix_site(line_hash[candidates], line_site[candidates])
    sorted_key, order = sort_with_index(key, index_bits(len(key)))
    lines = candidates[order]
    new_key = np.ones(len(lines), bool)
    new_key[1:] = sorted_key[1:] != sorted_key[:-1]
    new_page = new_key.copy()
    new_page[1:] |= line_doc[lines[1:]] != line_doc[lines[:-1]]
    group = np.cumsum(new_key) - 1
    seen = np.bincount(group, weights=new_page).astype(np.int64) if len(lines) else np.zeros(0, np.int64)
    first_line = lines[new_key]  # where each (site, line) was first seen
    need = np.maximum(MIN_PAGES_SEEN, np.ceil(min_share * pages_per_site[line_site[first_line]]))
    chosen = seen >= need
    is_boiler_line = np.zeros(len(line_hash), bool)
    is_boiler_line[lines[chosen[group]]] = True

    sites = [site_names[s] for s in line_site[first_line[chosen]].tolist()]
    blocks = [_line_text(words, line_first, line_doc, line) for line in first_line[chosen].tolist()]
    pages = seen[chosen].tolist()

    # Sites too small to learn from: the built-in patterns.
    small = np.flatnonzero((doc_sites < 0) | (pages_per_site[np.maximum(doc_sites, 0)] < min_pages))
    for d in small.tolist():
        lo, hi = t.doc_starts[d], t.doc_starts[d + 1]
        if hi == lo:
            continue
        for match in BUILT_IN.finditer(words.texts[d]):
            token = lo + int(np.searchsorted(t.ends[lo:hi], match.start(), "right"))
            if token < hi:
                is_boiler_line[line_of[token]] = True

    return Boilerplate(is_boiler_line[line_of], sites, blocks, pages)


def boilerplate_spans(words: Words, masked: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where boilerplate stands in each document: ``(docs, starts, ends)``, one row per run of
    masked words (character offsets into the text as read, end exclusive), in document order."""
    t = words.tokens
    n = len(masked)
    if not masked.any():
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    new_doc = np.zeros(n + 1, bool)  # word t begins a document
    new_doc[t.doc_starts] = True
    first = masked.copy()
    first[1:] &= ~masked[:-1] | new_doc[1:n]
    last = masked.copy()
    last[: n - 1] &= ~masked[1:] | new_doc[1:n]
    runs_first, runs_last = np.flatnonzero(first), np.flatnonzero(last)
    docs = np.searchsorted(t.doc_starts, runs_first, side="right") - 1
    return docs, t.starts[runs_first].astype(np.int64), t.ends[runs_last].astype(np.int64)


def _mix_site(hashes: np.ndarray, sites: np.ndarray) -> np.ndarray:
    """One 64-bit key for a line's hash on a site."""
    return hashes ^ (sites.astype(np.uint64) * np.uint64(0xD6E8FEB86659FD93))


def _line_text(words: Words, line_first: np.ndarray, line_doc: np.ndarray, line: int) -> str:
    t = words.tokens
    d = int(line_doc[line])
    lo = int(line_first[line])
    hi = int(line_first[line + 1]) if line + 1 < len(line_first) and line_doc[line + 1] == d else int(t.doc_starts[d + 1])
    return words.texts[d][t.starts[lo] : t.ends[hi - 1]]
