"""Align two documents into passage pairs: which stretch of A reappears where in B.

Seed, chain, merge — the shape of the PAN text-alignment systems and of BLAST:

1. **Seeds**: every word ``k``-gram the two texts share, as a pair of word positions ``(i, j)``.
   k-grams repeated many times in either text are ignored (lists, tables, chants).
2. **Fragments**: seeds on one diagonal (``j - i`` constant) with small gaps between them. A
   substituted word breaks the seeds around it but not the diagonal, so a fragment tolerates
   changed words.
3. **Chains**: fragments that follow each other in both texts with small gaps, whatever their
   diagonal (a word inserted or dropped shifts the diagonal). Each chain is one copied stretch; a
   paragraph moved elsewhere simply forms its own chain, so alignment does not depend on order.
4. **Merging**: chains in order in both texts, with at most ``merge_gap`` unaligned words between
   them on the two sides together, join into one passage when that text is not aligned elsewhere:
   a sentence or quote dropped from (or added to) the middle of a copied passage. A gap whose text mostly reappears elsewhere (a paragraph moved
   away) is not bridged; a stray shared phrase inside the gap does not prevent the merge.
5. **Filtering**: a pair needs one passage of at least ``min_passage_words`` matched words; shorter
   matches alone are incidental. Once it has one, passages down to ``min_extra_words`` (a headline,
   a short moved paragraph) are kept too, unless both their sides lie mostly inside longer
   passages (a stray phrase repeated within copied text). Passages with a word-level similarity
   under ``min_similarity`` are dropped.

Positions are words throughout; the result is mapped to exact character offsets into each original
text at the end. The similarity of a passage pair is the Indel similarity of its two word sequences
(``2 * LCS / (len_a + len_b)``, computed by rapidfuzz): 1.0 for a verbatim copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz.distance import Indel

from .settings import Settings


@dataclass(frozen=True)
class Passage:
    """A passage of A and the passage of B it reappears as (character offsets, end exclusive)."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    similarity: float

    def to_dict(self) -> dict:
        return {
            "a_start": self.a_start,
            "a_end": self.a_end,
            "b_start": self.b_start,
            "b_end": self.b_end,
            "similarity": round(self.similarity, 4),
        }


if TYPE_CHECKING:
    from .fingerprint import Words


@dataclass
class DocWords:
    """What chaining needs of one document: word hashes and their character spans."""

    hashes: np.ndarray  # uint64 per word
    starts: np.ndarray  # int64 char offsets
    ends: np.ndarray  # int64
    text: str


@dataclass
class _Chain:
    a_lo: int
    a_hi: int
    b_lo: int
    b_hi: int
    matched: int


#: Most seed k-grams (both sides together) joined in one vectorized step: small enough to stay in
#: cache.
SUB_BATCH = 1 << 20


def align_batch(words: "Words", a_docs, b_docs, settings: Settings) -> list[list[Passage]]:
    """Passages of every pair ``(a_docs[x], b_docs[x])`` of documents of ``words``, in order.

    Seeds and fragments of many pairs are found together with vectorized sorting (a sort-merge join
    on (pair, k-gram) keys); only the short chaining step runs per pair, and only for pairs whose
    fragments could make a passage at all.
    """
    a_docs = np.asarray(a_docs, np.int64)
    b_docs = np.asarray(b_docs, np.int64)
    results: list[list[Passage]] = [[] for _ in range(len(a_docs))]
    lo_a, hi_a = words.matchable_range(a_docs)
    lo_b, hi_b = words.matchable_range(b_docs)
    cumulative = np.cumsum((hi_a - lo_a) + (hi_b - lo_b))
    lo = 0
    while lo < len(a_docs):
        # As many pairs as fit in a sub-batch (at least one; a single huge pair goes alone).
        done = cumulative[lo - 1] if lo else 0
        hi = max(lo + 1, int(np.searchsorted(cumulative, done + SUB_BATCH, "right")))
        frags = _batch_fragments(words, a_docs[lo:hi], b_docs[lo:hi], settings)
        if frags is not None:
            pair, rows = frags
            matched = np.bincount(pair, weights=rows[:, 4], minlength=hi - lo)
            bounds = np.searchsorted(pair, np.arange(hi - lo + 1))
            for x in np.flatnonzero(matched >= settings.min_passage_words).tolist():
                table = rows[bounds[x] : bounds[x + 1]].tolist()
                results[lo + x] = _passages(table, words.doc(int(a_docs[lo + x])), words.doc(int(b_docs[lo + x])), settings)
        lo = hi
    return results


def _gather(words: "Words", docs: np.ndarray, lo: np.ndarray, hi: np.ndarray):
    """Matchable seed k-grams of the given documents (whose slices of ``words.matchable`` are
    ``lo:hi``), concatenated: (pair number, word position, k-gram)."""
    counts = hi - lo
    pair = np.repeat(np.arange(len(docs)), counts)
    index = words.matchable[np.repeat(lo, counts) + np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)]
    local = index - words.tokens.doc_starts[docs][pair]
    return pair, local, words.seeds[index]


def _batch_fragments(words: "Words", a_docs: np.ndarray, b_docs: np.ndarray, settings: Settings):
    """Fragments of every pair: ``(pair numbers, rows of [a_lo, a_hi, b_lo, b_hi, matched])``,
    sorted by pair, then position in A, then position in B."""
    from .fingerprint import index_bits, mix64, sort_with_index

    k = settings.seed
    pa, ia, ga = _gather(words, a_docs, *words.matchable_range(a_docs))
    pb, ib, gb = _gather(words, b_docs, *words.matchable_range(b_docs))
    if not len(ga) or not len(gb):
        return None
    salt = np.uint64(0x9E3779B97F4A7C15)
    key_a = mix64(ga ^ (pa.astype(np.uint64) * salt))
    key_b = mix64(gb ^ (pb.astype(np.uint64) * salt))

    bits = index_bits(len(key_a), len(key_b))
    sorted_a, order_a = sort_with_index(key_a, bits)
    sorted_b, order_b = sort_with_index(key_b, bits)
    lo = np.searchsorted(sorted_b, sorted_a, "left")
    count = np.searchsorted(sorted_b, sorted_a, "right") - lo
    run_start = np.flatnonzero(np.concatenate([[True], sorted_a[1:] != sorted_a[:-1]]))
    run_length = np.diff(np.append(run_start, len(sorted_a)))
    count_in_a = np.repeat(run_length, run_length)
    count[(count > settings.max_seed_repeats) | (count_in_a > settings.max_seed_repeats)] = 0
    total = int(count.sum())
    if not total:
        return None
    within = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
    pair = np.repeat(pa[order_a], count)
    i = np.repeat(ia[order_a], count)
    j = ib[order_b[np.repeat(lo, count) + within]]

    # Fragments: runs of seeds along one diagonal of one pair.
    diagonal = j - i
    order = np.lexsort((i, diagonal, pair))
    pair, i, diagonal = pair[order], i[order], diagonal[order]
    step = np.diff(i)
    new = np.ones(len(i), bool)
    new[1:] = (pair[1:] != pair[:-1]) | (diagonal[1:] != diagonal[:-1]) | (step > settings.fragment_gap)
    first = np.flatnonzero(new)
    last = np.append(first[1:], len(i)) - 1
    # Words covered by a fragment's seeds: each adds min(k, distance to the next seed).
    cover = np.minimum(np.append(step, k), k)
    cover[last] = k
    matched = np.add.reduceat(cover, first)
    a_lo, a_hi = i[first], i[last] + k
    d = diagonal[first]
    rows = np.stack([a_lo, a_hi, a_lo + d, a_hi + d, matched], axis=1)
    frag_pair = pair[first]
    order = np.lexsort((rows[:, 2], rows[:, 0], frag_pair))
    return frag_pair[order], rows[order]


def _passages(frags: list, a: DocWords, b: DocWords, settings: Settings) -> list[Passage]:
    """Chain, merge and filter one pair's fragments into passages (steps 3–5)."""
    k = settings.seed
    chains = _chain(frags, k, settings.chain_gap)
    chains = [c for c in chains if c.matched > k]  # a lone seed is noise at this stage
    chains = _merge(chains, k, settings.merge_gap, settings.chain_gap)
    strong = [c for c in chains if c.matched >= settings.min_passage_words]
    if not strong:
        return []
    # Once the pair shares a real passage, shorter ones count too when they are whole lines on both
    # sides (a repeated headline, a short paragraph moved elsewhere) and add text not already
    # aligned on both sides; a stray phrase inside copied text is neither.
    weak = []
    for c in chains:
        if not settings.min_extra_words <= c.matched < settings.min_passage_words:
            continue
        if _mostly_inside(c.a_lo, c.a_hi, [(s.a_lo, s.a_hi) for s in strong]) and _mostly_inside(
            c.b_lo, c.b_hi, [(s.b_lo, s.b_hi) for s in strong]
        ):
            continue
        _trim_against(c, strong)
        if c.a_hi > c.a_lo and _whole_lines(a, c.a_lo, c.a_hi) and _whole_lines(b, c.b_lo, c.b_hi):
            weak.append(c)
    passages = []
    for c in strong + weak:
        _snap_to_lines(c, a, b)
        similarity = Indel.normalized_similarity(
            a.hashes[c.a_lo : c.a_hi].view(np.int64).tolist(),
            b.hashes[c.b_lo : c.b_hi].view(np.int64).tolist(),
        )
        if similarity >= settings.min_similarity:
            passages.append(_to_chars(c, a, b, similarity))
    passages.sort(key=lambda p: (p.a_start, p.b_start))
    return passages


def _trim_against(c: _Chain, strong: list[_Chain]) -> None:
    """Shorten a chain (on both sides, keeping its diagonal) where it runs into a longer one."""
    for s in strong:
        end_overlap = max(
            c.a_hi - s.a_lo if c.a_lo < s.a_lo < c.a_hi <= s.a_hi else 0,
            c.b_hi - s.b_lo if c.b_lo < s.b_lo < c.b_hi <= s.b_hi else 0,
        )
        c.a_hi -= end_overlap
        c.b_hi -= end_overlap
        start_overlap = max(
            s.a_hi - c.a_lo if s.a_lo <= c.a_lo < s.a_hi < c.a_hi else 0,
            s.b_hi - c.b_lo if s.b_lo <= c.b_lo < s.b_hi < c.b_hi else 0,
        )
        c.a_lo += start_overlap
        c.b_lo += start_overlap


_EDGE_PUNCT = " \t\"'“”‘’«»()[].,;:!?-"


def _whole_lines(d: DocWords, lo: int, hi: int) -> bool:
    """Whether words ``lo:hi`` of ``d`` start and end a line (give or take punctuation)."""
    text = d.text
    before = text[: d.starts[lo]].rstrip(_EDGE_PUNCT)
    after = text[d.ends[hi - 1] :].lstrip(_EDGE_PUNCT)
    return (not before or before[-1] in "\n\r") and (not after or after[0] in "\n\r")


def _mostly_inside(lo: int, hi: int, intervals: list[tuple[int, int]]) -> bool:
    return _covered(lo, hi, intervals) * 2 > hi - lo


def _chain(frags, k: int, gap: int) -> list[_Chain]:
    """Link fragments that follow each other in both texts within ``gap`` words."""
    chains: list[_Chain] = []
    active: list[_Chain] = []
    for a_lo, a_hi, b_lo, b_hi, matched in frags:
        active = [c for c in active if c.a_hi >= a_lo - gap]
        best, best_gap, inside = None, None, False
        for c in active:
            if a_lo >= c.a_lo and b_lo >= c.b_lo and a_hi <= c.a_hi and b_hi <= c.b_hi:
                inside = True
                break
            ga, gb = a_lo - c.a_hi, b_lo - c.b_hi
            if -k <= ga <= gap and -k <= gb <= gap and a_hi > c.a_hi and b_hi > c.b_hi:
                if best_gap is None or max(ga, gb) < best_gap:
                    best, best_gap = c, max(ga, gb)
        if inside:
            continue
        if best is None:
            c = _Chain(a_lo, a_hi, b_lo, b_hi, matched)
            chains.append(c)
            active.append(c)
        else:
            best.matched += matched - max(0, best.a_hi - a_lo)
            best.a_hi, best.b_hi = a_hi, b_hi
    return chains


def _covered(lo: int, hi: int, intervals: list[tuple[int, int]]) -> int:
    """How many positions of ``[lo, hi)`` the intervals cover (intervals may overlap)."""
    total, reach = 0, lo
    for s, e in sorted(intervals):
        s, e = max(s, reach), min(e, hi)
        if e > s:
            total += e - s
            reach = e
    return total


def _merge(chains: list[_Chain], k: int, gap: int, overlap: int) -> list[_Chain]:
    """Join chains across gaps of unaligned text (see the module docstring, step 4).

    Two chains in order in both texts join when the words between them on both sides add up to at
    most ``gap`` (a deletion on one side, or a rewrite on both) and those words are mostly not
    aligned elsewhere. A chain that lies mostly inside a longer chain on either side (a phrase that
    recurs) takes no part.
    """
    chains = sorted(chains, key=lambda c: (c.a_lo, c.b_lo))
    merged = True
    while merged and len(chains) > 1:
        merged = False
        free = [not _shadowed(c, chains) for c in chains]
        for x, c in enumerate(chains):
            if not free[x]:
                continue
            best, best_gap = None, None
            for y, n in enumerate(chains):
                if y == x or not free[y]:
                    continue
                ga, gb = n.a_lo - c.a_hi, n.b_lo - c.b_hi
                if ga < -overlap or gb < -overlap or max(ga, 0) + max(gb, 0) > gap:
                    continue
                if n.a_hi <= c.a_hi or n.b_hi <= c.b_hi:
                    continue
                if best_gap is None or ga + gb < best_gap:
                    best, best_gap = y, ga + gb
            if best is None:
                continue
            n = chains[best]
            others = [o for z, o in enumerate(chains) if z not in (x, best)]
            gap_a = (c.a_hi, n.a_lo)
            gap_b = (c.b_hi, n.b_lo)
            aligned_elsewhere = _covered(*gap_a, [(o.a_lo, o.a_hi) for o in others]) + _covered(
                *gap_b, [(o.b_lo, o.b_hi) for o in others]
            )
            gap_size = max(0, gap_a[1] - gap_a[0]) + max(0, gap_b[1] - gap_b[0])
            if aligned_elsewhere > max(k, gap_size // 2):
                continue
            c.a_hi, c.b_hi = max(c.a_hi, n.a_hi), max(c.b_hi, n.b_hi)
            c.matched += n.matched
            del chains[best]
            merged = True
            break
    return chains


def _shadowed(c: _Chain, chains: list[_Chain]) -> bool:
    """Whether a longer chain covers most of ``c`` in either text."""
    for s in chains:
        if s is c or s.matched <= c.matched:
            continue
        if _mostly_inside(c.a_lo, c.a_hi, [(s.a_lo, s.a_hi)]) or _mostly_inside(c.b_lo, c.b_hi, [(s.b_lo, s.b_hi)]):
            return True
    return False


_TRAILING = 3  # punctuation characters a passage may be extended by at either end


_STUB_WORDS = 2  # at most this many words across a line break at a passage's edge are dropped


def _snap_to_lines(c: _Chain, a: DocWords, b: DocWords) -> None:
    """Drop a stub of one or two words that a passage has across a line break at either end.

    Two paragraphs that end alike ("..., the company said.") make the alignment run a word into
    the paragraph before or after a copied one; the copy starts at the line break.
    """
    for n in range(1, _STUB_WORDS + 1):
        if c.a_hi - c.a_lo > 2 * n and _break_after(a, c.a_lo + n - 1) and _break_after(b, c.b_lo + n - 1):
            c.a_lo += n
            c.b_lo += n
            break
    for n in range(1, _STUB_WORDS + 1):
        if c.a_hi - c.a_lo > 2 * n and _break_after(a, c.a_hi - n - 1) and _break_after(b, c.b_hi - n - 1):
            c.a_hi -= n
            c.b_hi -= n
            break


def _break_after(d: DocWords, t: int) -> bool:
    """Whether a line break separates word ``t`` from word ``t + 1``."""
    if t + 1 >= len(d.starts):
        return False
    return "\n" in d.text[d.ends[t] : d.starts[t + 1]]


def _to_chars(c: _Chain, a: DocWords, b: DocWords, similarity: float) -> Passage:
    """Character offsets of a chain, widened over punctuation both texts share at its edges."""
    a_start, a_end = int(a.starts[c.a_lo]), int(a.ends[c.a_hi - 1])
    b_start, b_end = int(b.starts[c.b_lo]), int(b.ends[c.b_hi - 1])
    ta, tb = a.text, b.text
    for _ in range(_TRAILING):
        if a_end < len(ta) and b_end < len(tb) and ta[a_end] == tb[b_end] and not ta[a_end].isalnum() and not ta[a_end].isspace():
            a_end += 1
            b_end += 1
        else:
            break
    for _ in range(_TRAILING):
        if a_start > 0 and b_start > 0 and ta[a_start - 1] == tb[b_start - 1] and not ta[a_start - 1].isalnum() and not ta[a_start - 1].isspace():
            a_start -= 1
            b_start -= 1
        else:
            break
    return Passage(a_start, a_end, b_start, b_end, float(similarity))
