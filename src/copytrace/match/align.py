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
   a sentence or quote dropped from (or added to) the middle of a copied passage. A gap whose text
   mostly reappears elsewhere (a paragraph moved away) is not bridged; a stray shared phrase inside
   the gap does not prevent the merge.
5. **Filtering**: a pair needs one passage of at least ``min_passage_words`` matched words; shorter
   matches alone are incidental. Once it has one, passages down to ``min_extra_words`` (a headline,
   a short moved paragraph) are kept too, unless both their sides lie mostly inside longer
   passages (a stray phrase repeated within copied text). Passages with a word-level similarity
   under ``min_similarity`` are dropped.

Positions are words throughout; the result is mapped to exact character offsets into each original
text at the end. The similarity of a passage pair is the Indel similarity of its two word sequences
(``2 * LCS / (len_a + len_b)``): 1.0 for a verbatim copy.

Steps 1–5 run per pair in one compiled kernel (numba, releasing the GIL so threads share the work):
a pair costs a few microseconds, not the tens a Python loop over its fragments would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from copytrace.match.fingerprint import BREAK_AFTER, LINE_END, LINE_START
from copytrace.settings import Settings

if TYPE_CHECKING:
    from copytrace.match.fingerprint import Words


@dataclass(frozen=True)
class Passage:
    """A passage of A and the passage of B it reappears as (character offsets, end exclusive)."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    similarity: float
    #: How it was found: ``lexical`` (shared words), ``translation`` (by meaning, the two in
    #: different languages) or ``rewrite`` (by meaning, one language, in other words).
    match: str = "lexical"

    def to_dict(self) -> dict:
        return {
            "a_start": self.a_start,
            "a_end": self.a_end,
            "b_start": self.b_start,
            "b_end": self.b_end,
            "similarity": round(self.similarity, 4),
            "match": self.match,
        }


@dataclass
class Aligned:
    """Passages of many pairs, as columns: passage ``p`` belongs to pair ``pair[p]`` and covers
    characters ``a_start[p]:a_end[p]`` of A and ``b_start[p]:b_end[p]`` of B. Sorted by pair,
    then position in A, then in B."""

    pair: np.ndarray
    a_start: np.ndarray
    a_end: np.ndarray
    b_start: np.ndarray
    b_end: np.ndarray
    similarity: np.ndarray
    #: Text inside passages that was not copied (a sentence or paragraph dropped or added, bridged
    #: by merging): hole ``h`` lies in passage ``hole_passage[h]``, on side A (``hole_side`` 0) or
    #: B (1), characters ``hole_start[h]:hole_end[h]``. Coverage leaves it out.
    hole_passage: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    hole_side: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    hole_start: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    hole_end: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @staticmethod
    def concat(parts: list["Aligned"]) -> "Aligned":
        """The passages of consecutive batches of pairs (``pair`` already numbered globally)."""
        if not parts:
            return Aligned(*(np.zeros(0, np.int64) for _ in range(5)), np.zeros(0, np.float64))
        columns = [np.concatenate([getattr(p, f) for p in parts]) for f in ("pair", "a_start", "a_end", "b_start", "b_end", "similarity")]
        offsets = np.cumsum([0] + [len(p.pair) for p in parts[:-1]])
        holes = [np.concatenate([p.hole_passage + o for p, o in zip(parts, offsets)])]
        holes += [np.concatenate([getattr(p, f) for p in parts]) for f in ("hole_side", "hole_start", "hole_end")]
        return Aligned(*columns, *holes)

    def copied(self, side: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pair, start and end of the copied stretches of one side (0: A, 1: B): the passages less
        their holes, as sorted disjoint pieces within each passage."""
        starts, ends = (self.a_start, self.a_end) if side == 0 else (self.b_start, self.b_end)
        mine = self.hole_side == side
        if not mine.any():
            return self.pair, starts, ends
        hp, hs, he = self.hole_passage[mine], self.hole_start[mine], self.hole_end[mine]
        # A passage with k holes is k + 1 pieces: they start at the passage's start and at each
        # hole's end, and end at each hole's start and at the passage's end; sorted within the
        # passage, the i-th start and the i-th end make the i-th piece.
        every = np.arange(len(self.pair))
        start_of, start = np.concatenate([every, hp]), np.concatenate([starts, he])
        end_of, end = np.concatenate([hp, every]), np.concatenate([hs, ends])
        by_start, by_end = np.lexsort((start, start_of)), np.lexsort((end, end_of))
        piece_passage, piece_start, piece_end = start_of[by_start], start[by_start], end[by_end]
        keep = piece_end > piece_start
        return self.pair[piece_passage[keep]], piece_start[keep], piece_end[keep]

    def passages(self, x: int) -> list[Passage]:
        """The passages of pair ``x``."""
        lo, hi = np.searchsorted(self.pair, [x, x + 1])
        return [
            Passage(int(self.a_start[p]), int(self.a_end[p]), int(self.b_start[p]), int(self.b_end[p]), float(self.similarity[p]))
            for p in range(lo, hi)
        ]


def align_batch(words: "Words", a_docs, b_docs, settings: Settings) -> Aligned:
    """Passages of every pair ``(a_docs[x], b_docs[x])`` of documents of ``words``."""
    a_docs = np.asarray(a_docs, np.int64)
    b_docs = np.asarray(b_docs, np.int64)
    if words.matchable is None:
        words.index_seeds()
    t = words.tokens
    rows, similarity, holes = _align_kernel(
        a_docs, b_docs, t.doc_starts, t.hashes, t.flags, words.seeds, words.matchable, words.matchable_starts,
        settings.seed, settings.fragment_gap, settings.chain_gap, settings.merge_gap,
        settings.min_passage_words, settings.min_extra_words, settings.min_similarity, settings.max_seed_repeats,
    )
    pair, a_lo, a_hi, b_lo, b_hi = rows.T
    base_a = t.doc_starts[a_docs[pair]]
    base_b = t.doc_starts[b_docs[pair]]
    a_start, a_end = t.starts[base_a + a_lo], t.ends[base_a + a_hi - 1]
    b_start, b_end = t.starts[base_b + b_lo], t.ends[base_b + b_hi - 1]
    for p in range(len(pair)):
        a_start[p], a_end[p], b_start[p], b_end[p] = _widen(
            words.texts[a_docs[pair[p]]], words.texts[b_docs[pair[p]]], int(a_start[p]), int(a_end[p]), int(b_start[p]), int(b_end[p])
        )
    order = np.lexsort((b_start, a_start, pair))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    hole_passage, side, lo, hi = holes.T
    on_b = side == B_LO
    base = np.where(on_b, base_b[hole_passage], base_a[hole_passage])
    hole_start, hole_end = t.starts[base + lo], t.ends[base + hi - 1]
    return Aligned(
        pair[order], a_start[order], a_end[order], b_start[order], b_end[order], similarity[order],
        rank[hole_passage], on_b.astype(np.int64), hole_start.astype(np.int64), hole_end.astype(np.int64),
    )


_TRAILING = 3  # punctuation characters a passage may be extended by at either end


def _widen(ta: str, tb: str, a_start: int, a_end: int, b_start: int, b_end: int) -> tuple[int, int, int, int]:
    """Widen a passage over punctuation both texts share at its edges (a closing quote, a stop)."""
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
    return a_start, a_end, b_start, b_end


# --- the compiled kernel --------------------------------------------------------------------------
# Chains are rows of an int64 array: a_lo, a_hi, b_lo, b_hi, matched (word positions in each
# document, ends exclusive).
A_LO, A_HI, B_LO, B_HI, MATCHED = 0, 1, 2, 3, 4

_STUB_WORDS = 2  # at most this many words across a line break at a passage's edge are dropped


@njit(cache=True, nogil=True)
def _grow_rows(array, size):
    """A 2-D ``array`` with room for at least ``size`` rows (doubling)."""
    if size <= len(array):
        return array
    bigger = np.empty((max(size, 2 * len(array)), array.shape[1]), np.int64)
    for r in range(len(array)):
        _copy_row(bigger, r, array, r)
    return bigger


@njit(cache=True, nogil=True)
def _copy_row(dst, i, src, j):
    """``dst[i] = src[j]`` for rows of int64 tables (explicit: quicker for numba to compile)."""
    for col in range(src.shape[1]):
        dst[i, col] = src[j, col]


@njit(cache=True, nogil=True)
def _fragments(a_seeds, a_pos, b_seeds, b_pos, len_a, len_b, k, fragment_gap, max_repeats):
    """Seeds (word k-grams both texts share, not repeated more than ``max_repeats`` times in
    either) joined along diagonals into fragments, sorted by position in A then B.

    ``a_seeds``/``a_pos``: k-gram hashes and word positions of A (positions ascending); same for B.
    A hash table of B's k-grams (each slot listing its positions in ascending order) is probed with
    A's in order, so each diagonal's seeds arrive in order, fragments form in one pass, and they are
    created already sorted.
    """
    na, nb = len(a_seeds), len(b_seeds)
    size = 16
    while size < 2 * nb:
        size *= 2
    mask = np.uint64(size - 1)
    slot_key = np.empty(size, np.uint64)
    slot_head = np.empty(size, np.int64)
    slot_head[:] = -1
    slot_count_a = np.zeros(size, np.int64)
    slot_count_b = np.zeros(size, np.int64)
    next_b = np.empty(nb, np.int64)
    for y in range(nb - 1, -1, -1):  # backwards, so each slot's list runs forwards
        h = b_seeds[y]
        s = np.int64(h & mask)
        while slot_head[s] >= 0 and slot_key[s] != h:
            s = (s + 1) & (size - 1)
        slot_key[s] = h
        next_b[y] = slot_head[s]
        slot_head[s] = y
        slot_count_b[s] += 1
    a_slot = np.empty(na, np.int64)
    for x in range(na):
        a_slot[x] = -1
        h = a_seeds[x]
        s = np.int64(h & mask)
        while slot_head[s] >= 0:
            if slot_key[s] == h:
                a_slot[x] = s
                slot_count_a[s] += 1
                break
            s = (s + 1) & (size - 1)

    # Fragments: one open fragment per diagonal (j - i), extended while seeds are close.
    open_on = np.empty(len_a + len_b + 1, np.int64)
    open_on[:] = -1
    frags = np.empty((16, 5), np.int64)
    nf = 0
    for x in range(na):
        s = a_slot[x]
        if s < 0 or slot_count_a[s] > max_repeats or slot_count_b[s] > max_repeats:
            continue
        i = a_pos[x]
        y = slot_head[s]
        while y >= 0:
            j = b_pos[y]
            d = j - i + len_a
            f = open_on[d]
            if f >= 0 and i - (frags[f, A_HI] - k) <= fragment_gap:
                frags[f, MATCHED] += min(i - (frags[f, A_HI] - k), k)
                frags[f, A_HI] = i + k
                frags[f, B_HI] = j + k
            else:
                frags = _grow_rows(frags, nf + 1)
                frags[nf, A_LO] = i
                frags[nf, A_HI] = i + k
                frags[nf, B_LO] = j
                frags[nf, B_HI] = j + k
                frags[nf, MATCHED] = k
                open_on[d] = nf
                nf += 1
            y = next_b[y]
    return frags[:nf]


@njit(cache=True, nogil=True)
def _chain(frags, k, gap):
    """Link fragments that follow each other in both texts within ``gap`` words (step 3). Returns
    the chains and the gaps linked over where one side has words and the other none (rows of
    chain, side, lo, hi): words dropped or added, which coverage leaves out."""
    n = len(frags)
    chains = np.empty((n, 5), np.int64)
    active = np.empty(n, np.int64)
    holes = np.empty((n, 4), np.int64)  # chain, side, lo, hi: words one side has and the other not
    n_holes = 0
    n_chains = 0
    n_active = 0
    for f in range(n):
        a_lo, a_hi, b_lo, b_hi, matched = frags[f, 0], frags[f, 1], frags[f, 2], frags[f, 3], frags[f, 4]
        kept = 0
        for t in range(n_active):
            if chains[active[t], A_HI] >= a_lo - gap:
                active[kept] = active[t]
                kept += 1
        n_active = kept
        best, best_gap, inside = -1, 0, False
        for t in range(n_active):
            c = active[t]
            if a_lo >= chains[c, A_LO] and b_lo >= chains[c, B_LO] and a_hi <= chains[c, A_HI] and b_hi <= chains[c, B_HI]:
                inside = True
                break
            ga, gb = a_lo - chains[c, A_HI], b_lo - chains[c, B_HI]
            if -k <= ga <= gap and -k <= gb <= gap and a_hi > chains[c, A_HI] and b_hi > chains[c, B_HI]:
                g = max(ga, gb)
                if best < 0 or g < best_gap:
                    best, best_gap = c, g
        if inside:
            continue
        if best < 0:
            _copy_row(chains, n_chains, frags, f)
            active[n_active] = n_chains
            n_chains += 1
            n_active += 1
        else:
            ga, gb = a_lo - chains[best, A_HI], b_lo - chains[best, B_HI]
            if ga > 0 >= gb or gb > 0 >= ga:  # words dropped or added, not changed: not copied
                side = A_LO if ga > 0 else B_LO
                holes[n_holes, 0], holes[n_holes, 1] = best, side
                holes[n_holes, 2], holes[n_holes, 3] = chains[best, side + 1], a_lo if ga > 0 else b_lo
                n_holes += 1
            chains[best, MATCHED] += matched - max(0, chains[best, A_HI] - a_lo)
            chains[best, A_HI] = a_hi
            chains[best, B_HI] = b_hi
    return chains[:n_chains], holes[:n_holes]


@njit(cache=True, nogil=True)
def _covered(lo, hi, chains, use, side):
    """How many positions of ``[lo, hi)`` the chains with ``use`` set cover on one side
    (``side``: A_LO or B_LO), overlaps counted once."""
    if hi <= lo:
        return 0
    marked = np.zeros(hi - lo, np.bool_)
    for x in range(len(chains)):
        if use[x]:
            for p in range(max(chains[x, side], lo), min(chains[x, side + 1], hi)):
                marked[p - lo] = True
    return marked.sum()


@njit(cache=True, nogil=True)
def _overlap(lo, hi, s, e):
    return max(0, min(hi, e) - max(lo, s))


@njit(cache=True, nogil=True)
def _shadowed(x, chains, n):
    """Whether a chain with more matched words covers most of chain ``x`` in either text."""
    c = chains[x]
    for y in range(n):
        s = chains[y]
        if y == x or s[MATCHED] <= c[MATCHED]:
            continue
        if _overlap(c[A_LO], c[A_HI], s[A_LO], s[A_HI]) * 2 > c[A_HI] - c[A_LO]:
            return True
        if _overlap(c[B_LO], c[B_HI], s[B_LO], s[B_HI]) * 2 > c[B_HI] - c[B_LO]:
            return True
    return False


@njit(cache=True, nogil=True)
def _merge(chains, k, gap, overlap, chain_holes):
    """Join chains across gaps of unaligned text (step 4 of the module docstring).

    Two chains in order in both texts join when the words between them on both sides add up to at
    most ``gap`` and those words are mostly not aligned elsewhere. A chain that lies mostly inside
    a longer chain on either side (a phrase that recurs) takes no part. Returns the chains, which
    chain each row is (``ident``) and the gaps bridged, after the chains' own (``chain_holes``;
    rows of chain, side, lo, hi): text inside a passage that was not copied, which coverage
    leaves out.
    """
    chains = chains.copy()  # sorted by (a_lo, b_lo) as they were created
    n = len(chains)
    free = np.empty(n, np.bool_)
    others = np.empty(n, np.bool_)
    ident = np.arange(n)  # which chain each row is, through the merges
    holes = np.empty((len(chain_holes) + 2 * n, 4), np.int64)  # chain, side (A_LO or B_LO), lo, hi
    for h in range(len(chain_holes)):
        _copy_row(holes, h, chain_holes, h)
    n_holes = len(chain_holes)
    merged = True
    while merged and n > 1:
        merged = False
        for x in range(n):
            free[x] = not _shadowed(x, chains, n)
        for x in range(n):
            if not free[x]:
                continue
            best, best_gap = -1, 0
            for y in range(n):
                if y == x or not free[y]:
                    continue
                ga, gb = chains[y, A_LO] - chains[x, A_HI], chains[y, B_LO] - chains[x, B_HI]
                if ga < -overlap or gb < -overlap or max(ga, 0) + max(gb, 0) > gap:
                    continue
                if chains[y, A_HI] <= chains[x, A_HI] or chains[y, B_HI] <= chains[x, B_HI]:
                    continue
                if best < 0 or ga + gb < best_gap:
                    best, best_gap = y, ga + gb
            if best < 0:
                continue
            others[:n] = True
            others[n:] = False
            others[x] = False
            others[best] = False
            gap_a_lo, gap_a_hi = chains[x, A_HI], chains[best, A_LO]
            gap_b_lo, gap_b_hi = chains[x, B_HI], chains[best, B_LO]
            aligned_elsewhere = _covered(gap_a_lo, gap_a_hi, chains, others, A_LO) + _covered(gap_b_lo, gap_b_hi, chains, others, B_LO)
            gap_size = max(0, gap_a_hi - gap_a_lo) + max(0, gap_b_hi - gap_b_lo)
            if aligned_elsewhere > max(k, gap_size // 2):
                continue
            for side, lo, hi in ((A_LO, gap_a_lo, gap_a_hi), (B_LO, gap_b_lo, gap_b_hi)):
                if hi > lo:
                    holes[n_holes, 0], holes[n_holes, 1], holes[n_holes, 2], holes[n_holes, 3] = ident[x], side, lo, hi
                    n_holes += 1
            for h in range(n_holes):
                if holes[h, 0] == ident[best]:
                    holes[h, 0] = ident[x]
            chains[x, A_HI] = max(chains[x, A_HI], chains[best, A_HI])
            chains[x, B_HI] = max(chains[x, B_HI], chains[best, B_HI])
            chains[x, MATCHED] += chains[best, MATCHED]
            for y in range(best, n - 1):
                _copy_row(chains, y, chains, y + 1)
                ident[y] = ident[y + 1]
            n -= 1
            merged = True
            break
    return chains[:n], ident[:n], holes[:n_holes]


@njit(cache=True, nogil=True)
def _trim_against(c, chains, strong):
    """Shorten chain ``c`` (on both sides, keeping its diagonal) where it runs into a longer one
    (the chains with ``strong`` set)."""
    for y in range(len(chains)):
        if not strong[y]:
            continue
        s = chains[y]
        end_overlap = 0
        if c[A_LO] < s[A_LO] < c[A_HI] <= s[A_HI]:
            end_overlap = c[A_HI] - s[A_LO]
        if c[B_LO] < s[B_LO] < c[B_HI] <= s[B_HI]:
            end_overlap = max(end_overlap, c[B_HI] - s[B_LO])
        c[A_HI] -= end_overlap
        c[B_HI] -= end_overlap
        start_overlap = 0
        if s[A_LO] <= c[A_LO] < s[A_HI] < c[A_HI]:
            start_overlap = s[A_HI] - c[A_LO]
        if s[B_LO] <= c[B_LO] < s[B_HI] < c[B_HI]:
            start_overlap = max(start_overlap, s[B_HI] - c[B_LO])
        c[A_LO] += start_overlap
        c[B_LO] += start_overlap


@njit(cache=True, nogil=True)
def _flag(flags, t, bit):
    return 0 <= t < len(flags) and (flags[t] & bit) != 0


@njit(cache=True, nogil=True)
def _snap_to_lines(c, a_flags, b_flags):
    """Drop a stub of one or two words that a passage has across a line break at either end.

    Two paragraphs that end alike ("..., the company said.") make the alignment run a word into
    the paragraph before or after a copied one; the copy starts at the line break.
    """
    for n in range(1, _STUB_WORDS + 1):
        if c[A_HI] - c[A_LO] > 2 * n and _flag(a_flags, c[A_LO] + n - 1, BREAK_AFTER) and _flag(b_flags, c[B_LO] + n - 1, BREAK_AFTER):
            c[A_LO] += n
            c[B_LO] += n
            break
    for n in range(1, _STUB_WORDS + 1):
        if c[A_HI] - c[A_LO] > 2 * n and _flag(a_flags, c[A_HI] - n - 1, BREAK_AFTER) and _flag(b_flags, c[B_HI] - n - 1, BREAK_AFTER):
            c[A_HI] -= n
            c[B_HI] -= n
            break


@njit(cache=True, nogil=True)
def _indel_similarity(a, b, min_similarity):
    """``1 - (insertions + deletions) / (len(a) + len(b))`` turning ``a`` into ``b`` (Myers' O(ND)
    algorithm), or -1.0 when it is below ``min_similarity`` (the search stops there)."""
    n, m = len(a), len(b)
    total = n + m
    if total == 0:
        return 1.0
    limit = int(total * (1.0 - min_similarity)) + 1  # + 1: float rounding; checked below
    offset = limit + 1
    v = np.zeros(2 * limit + 3, np.int64)
    for d in range(limit + 1):
        for diag in range(-d, d + 1, 2):
            if diag == -d or (diag != d and v[offset + diag - 1] < v[offset + diag + 1]):
                x = v[offset + diag + 1]
            else:
                x = v[offset + diag - 1] + 1
            y = x - diag
            while x < n and y < m and a[x] == b[y]:
                x += 1
                y += 1
            v[offset + diag] = x
            if x >= n and y >= m:
                similarity = 1.0 - d / total
                return similarity if similarity >= min_similarity else -1.0
    return -1.0


@njit(cache=True, nogil=True)
def _pair_passages(frags, a_hashes, b_hashes, a_flags, b_flags, k, chain_gap, merge_gap, min_passage, min_extra, min_similarity):
    """Steps 3–5 for one pair: passages as rows of a_lo, a_hi, b_lo, b_hi (words), similarities,
    and the gaps merging bridged inside them (rows of passage row, side, lo, hi)."""
    chains, chain_holes = _chain(frags, k, chain_gap)
    renumber = np.full(len(chains), -1, np.int64)
    n = 0
    for x in range(len(chains)):
        if chains[x, MATCHED] > k:  # a lone seed is noise at this stage
            _copy_row(chains, n, chains, x)
            renumber[x] = n
            n += 1
    if n == 0:
        return np.empty((0, 4), np.int64), np.empty(0, np.float64), np.empty((0, 4), np.int64)
    kept = 0
    for h in range(len(chain_holes)):
        if renumber[chain_holes[h, 0]] >= 0:
            _copy_row(chain_holes, kept, chain_holes, h)
            chain_holes[kept, 0] = renumber[chain_holes[h, 0]]
            kept += 1
    chains, ident, holes = _merge(chains[:n], k, merge_gap, chain_gap, chain_holes[:kept])
    n = len(chains)
    strong = np.empty(n, np.bool_)
    for x in range(n):
        strong[x] = chains[x, MATCHED] >= min_passage
    if not strong.any():
        return np.empty((0, 4), np.int64), np.empty(0, np.float64), np.empty((0, 4), np.int64)
    # Once the pair shares a real passage, shorter ones count too when they are whole lines on both
    # sides (a repeated headline, a short paragraph moved elsewhere) and add text not already
    # aligned on both sides; a stray phrase inside copied text is neither.
    weak = np.zeros(n, np.bool_)
    for x in range(n):
        c = chains[x]
        if not min_extra <= c[MATCHED] < min_passage:
            continue
        if (
            _covered(c[A_LO], c[A_HI], chains, strong, A_LO) * 2 > c[A_HI] - c[A_LO]
            and _covered(c[B_LO], c[B_HI], chains, strong, B_LO) * 2 > c[B_HI] - c[B_LO]
        ):
            continue
        _trim_against(c, chains, strong)
        if (
            c[A_HI] > c[A_LO]
            and _flag(a_flags, c[A_LO], LINE_START)
            and _flag(a_flags, c[A_HI] - 1, LINE_END)
            and _flag(b_flags, c[B_LO], LINE_START)
            and _flag(b_flags, c[B_HI] - 1, LINE_END)
        ):
            weak[x] = True
    rows = np.empty((n, 4), np.int64)
    similarities = np.empty(n, np.float64)
    kept_holes = np.empty((len(holes), 4), np.int64)  # passage row, side, lo, hi (clipped to it)
    m = 0
    n_kept = 0
    for x in range(n):
        if not (strong[x] or weak[x]):
            continue
        c = chains[x]
        _snap_to_lines(c, a_flags, b_flags)
        similarity = _indel_similarity(a_hashes[c[A_LO] : c[A_HI]], b_hashes[c[B_LO] : c[B_HI]], min_similarity)
        if similarity >= 0:
            rows[m, 0], rows[m, 1], rows[m, 2], rows[m, 3] = c[A_LO], c[A_HI], c[B_LO], c[B_HI]
            similarities[m] = similarity
            for h in range(len(holes)):
                if holes[h, 0] != ident[x]:
                    continue
                side = holes[h, 1]
                lo, hi = max(holes[h, 2], c[side]), min(holes[h, 3], c[side + 1])
                if hi > lo:
                    kept_holes[n_kept, 0], kept_holes[n_kept, 1], kept_holes[n_kept, 2], kept_holes[n_kept, 3] = m, side, lo, hi
                    n_kept += 1
            m += 1
    return rows[:m], similarities[:m], kept_holes[:n_kept]


@njit(cache=True, nogil=True)
def _align_kernel(
    pairs_a, pairs_b, doc_starts, hashes, flags, seeds, matchable, matchable_starts,
    k, fragment_gap, chain_gap, merge_gap, min_passage, min_extra, min_similarity, max_repeats,
):
    """Passages of every pair: pair number and word rows a_lo, a_hi, b_lo, b_hi, similarity; and
    the gaps bridged inside them (passage row, side, lo, hi)."""
    out_rows = np.empty((16, 5), np.int64)  # pair, a_lo, a_hi, b_lo, b_hi
    out_similarity = np.empty(16, np.float64)
    out_holes = np.empty((16, 4), np.int64)  # passage (row of out_rows), side, lo, hi
    n_out = 0
    n_holes = 0
    for x in range(len(pairs_a)):
        a, b = pairs_a[x], pairs_b[x]
        a0, a1, b0, b1 = doc_starts[a], doc_starts[a + 1], doc_starts[b], doc_starts[b + 1]
        ma = matchable[matchable_starts[a] : matchable_starts[a + 1]]
        mb = matchable[matchable_starts[b] : matchable_starts[b + 1]]
        if len(ma) == 0 or len(mb) == 0:
            continue
        frags = _fragments(seeds[ma], ma - a0, seeds[mb], mb - b0, a1 - a0, b1 - b0, k, fragment_gap, max_repeats)
        total = 0
        for f in range(len(frags)):
            total += frags[f, MATCHED]
        if total < min_passage:
            continue
        rows, similarities, holes = _pair_passages(
            frags, hashes[a0:a1], hashes[b0:b1], flags[a0:a1], flags[b0:b1],
            k, chain_gap, merge_gap, min_passage, min_extra, min_similarity,
        )
        m = len(rows)
        if m == 0:
            continue
        if n_holes + len(holes) > len(out_holes):
            out_holes = _grow_rows(out_holes, max(n_holes + len(holes), 2 * len(out_holes)))
        for h in range(len(holes)):
            out_holes[n_holes, 0] = n_out + holes[h, 0]
            for col in range(1, 4):
                out_holes[n_holes, col] = holes[h, col]
            n_holes += 1
        if n_out + m > len(out_rows):
            size = max(n_out + m, 2 * len(out_rows))
            out_rows = _grow_rows(out_rows, size)
            more = np.empty(size, np.float64)
            for r in range(n_out):
                more[r] = out_similarity[r]
            out_similarity = more
        for r in range(m):
            out_rows[n_out, 0] = x
            for col in range(4):
                out_rows[n_out, 1 + col] = rows[r, col]
            out_similarity[n_out] = similarities[r]
            n_out += 1
    return out_rows[:n_out].copy(), out_similarity[:n_out].copy(), out_holes[:n_holes].copy()
