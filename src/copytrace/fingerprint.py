"""Hash words and word n-grams, and select fingerprints by winnowing.

Words are runs of letters, digits and combining marks in the normalized text (each CJK or kana
character is a word by itself); a word's hash ignores case. All hashing is vectorized over a whole
batch of documents: a word's hash is a polynomial over its case-folded code points modulo 2**64,
mixed with its length through the SplitMix64 finalizer.

Winnowing (Schleimer, Wilkerson and Aiken, 2003) keeps, in every window of ``w`` consecutive word
``n``-grams, the one with the smallest hash. Its guarantee: two documents that share a run of at
least ``w + n - 1`` words share at least one fingerprint, while only about ``2 / (w + 1)`` of the
n-grams are kept.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np

from .normalize import char_tables, lookup, nfkc_with_origin, to_codes

_BASE = np.uint64(0x100000001B3)
_GRAM_BASE = np.uint64(0x9E3779B97F4A7C15)
_LENGTH_SALT = np.uint64(0xD6E8FEB86659FD93)


def mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finalizer: spreads every input bit over the output (uint64 arrays)."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@dataclass
class Tokens:
    """The words of a batch of documents.

    Word ``t`` of the batch has hash ``hashes[t]`` and covers original characters
    ``starts[t]:ends[t]`` of its document; the words of document ``d`` are
    ``doc_starts[d]:doc_starts[d+1]``.
    """

    hashes: np.ndarray  # uint64
    starts: np.ndarray  # int64, offsets into the document's original text
    ends: np.ndarray  # int64, exclusive
    doc_starts: np.ndarray  # int64, len = n_docs + 1

    def __len__(self) -> int:
        return len(self.doc_starts) - 1

    def doc_of_tokens(self) -> np.ndarray:
        return np.repeat(np.arange(len(self), dtype=np.int32), np.diff(self.doc_starts))

    def of(self, d: int) -> "Tokens":
        """The words of document ``d`` alone."""
        lo, hi = self.doc_starts[d], self.doc_starts[d + 1]
        return Tokens(
            self.hashes[lo:hi], self.starts[lo:hi], self.ends[lo:hi], np.array([0, hi - lo])
        )

    @staticmethod
    def concat(parts: list["Tokens"]) -> "Tokens":
        """Concatenate batches of documents into one."""
        if not parts:
            return Tokens(*(np.zeros(0, t) for t in (np.uint64, np.int64, np.int64)), np.zeros(1, np.int64))
        offsets = np.cumsum([0] + [p.doc_starts[-1] for p in parts[:-1]])
        doc_starts = np.concatenate(
            [[0]] + [p.doc_starts[1:] + off for p, off in zip(parts, offsets)]
        ).astype(np.int64)
        return Tokens(
            np.concatenate([p.hashes for p in parts]),
            np.concatenate([p.starts for p in parts]),
            np.concatenate([p.ends for p in parts]),
            doc_starts,
        )


def tokenize(texts: list[str]) -> Tokens:
    """Split documents into words and hash each word (case-insensitive), in one vectorized pass.

    Words are read from the NFKC form of each text. The other normalization steps (quotes and
    dashes folded, whitespace collapsed, run-together sentences split) change no word, since
    punctuation and spaces already end words, so they are not needed here. Documents are joined
    with a line break (never part of a word) so no word spans two of them; offsets are mapped back
    to each document's original characters.
    """
    tables = char_tables()
    pieces: list[str] = []
    slow: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for d, text in enumerate(texts):
        if unicodedata.is_normalized("NFKC", text):
            pieces.append(text)
        else:
            norm, starts, ends = nfkc_with_origin(text)
            pieces.append(norm)
            slow[d] = (starts, ends)
    lengths = np.fromiter((len(p) for p in pieces), np.int64, len(pieces))
    doc_offsets = np.zeros(len(pieces) + 1, np.int64)
    np.cumsum(lengths + 1, out=doc_offsets[1:])
    codes = to_codes("\n".join(pieces) + "\n")
    n = len(codes)

    kind = tables.word_kind[np.minimum(codes, len(tables.word_kind) - 1)]  # 0 none, 1 word, 2 ideograph
    word = kind != 0
    ideo = kind == 2
    prev_word = np.empty(n, bool)
    prev_word[0] = False
    prev_word[1:] = word[:-1]
    next_word = np.empty(n, bool)
    next_word[-1:] = False
    next_word[:-1] = word[1:]
    s = np.flatnonzero(word & (~prev_word | ideo | np.concatenate([[False], ideo[:-1]])))
    e = np.flatnonzero(word & (~next_word | ideo | np.concatenate([ideo[1:], [False]]))) + 1

    if n and codes.max() < len(tables.fold_case):
        folded = tables.fold_case[codes]
    else:
        folded = lookup(tables.fold_case, codes, codes)
    hashes = mix64(_polynomial_hashes(folded, word, s, e) ^ ((e - s).astype(np.uint64) * _LENGTH_SALT))

    token_doc = np.searchsorted(doc_offsets, s, "right") - 1
    starts = s - doc_offsets[token_doc]
    ends = e - doc_offsets[token_doc]
    doc_starts = np.zeros(len(pieces) + 1, np.int64)
    np.cumsum(np.bincount(token_doc, minlength=len(pieces)), out=doc_starts[1:])
    for d, (origin_start, origin_end) in slow.items():
        mine = slice(doc_starts[d], doc_starts[d + 1])  # a document's words are contiguous
        ends[mine] = origin_end[ends[mine] - 1]
        starts[mine] = origin_start[starts[mine]]
    return Tokens(hashes, starts, ends, doc_starts)


def _polynomial_hashes(folded: np.ndarray, word: np.ndarray, s: np.ndarray, e: np.ndarray) -> np.ndarray:
    """``sum(c_j * B**(j - start))`` over the code points of every word, modulo 2**64.

    ``folded``: case-folded code points of the whole batch; ``word``: which of them are word
    characters; ``s``: where words start. Each character's place in its word comes from a running
    maximum of word starts; the sums per word from one ``add.reduceat`` (non-word characters count
    zero), so every step is one sequential pass over the batch.
    """
    n = len(folded)
    if not len(s):
        return np.zeros(0, np.uint64)
    position = np.arange(n, dtype=np.int64)
    start_of = np.zeros(n, np.int64)
    start_of[s] = s
    np.maximum.accumulate(start_of, out=start_of)
    place = position - start_of
    longest = int((e - s).max())
    np.minimum(place, longest - 1, out=place)  # non-word runs after a word count zero anyway
    powers = _powers(longest)
    terms = folded.astype(np.uint64) * powers[place]
    terms[~word] = 0
    return np.add.reduceat(terms, s)


def _powers(n: int) -> np.ndarray:
    """``B**i`` modulo 2**64 for ``i < n``, cached as it grows."""
    global _POWERS
    if len(_POWERS) < n:
        size = max(n, 2 * len(_POWERS))
        _POWERS = np.ones(size, np.uint64)
        np.cumprod(np.full(size - 1, _BASE, np.uint64), out=_POWERS[1:])
    return _POWERS


_POWERS = np.ones(1, np.uint64)


def ngram_hashes(hashes: np.ndarray, token_doc: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Hash of the ``n`` words starting at each word, and whether those words are in one document.

    Returns ``(grams, valid)``, both as long as ``hashes``; ``grams[t]`` is meaningful where
    ``valid[t]``.
    """
    total = len(hashes)
    acc = np.zeros(total, np.uint64)
    valid = np.zeros(total, bool)
    if total < n:
        return acc, valid
    m = total - n + 1
    for k in range(n):
        acc[:m] = acc[:m] * _GRAM_BASE + hashes[k : k + m]
    valid[:m] = token_doc[:m] == token_doc[n - 1 : n - 1 + m]
    grams = mix64(acc)
    return grams, valid


def winnow(grams: np.ndarray, valid: np.ndarray, token_doc: np.ndarray, w: int) -> np.ndarray:
    """Positions (word indices) of the n-grams selected by winnowing with window ``w``.

    An n-gram is selected when it is the smallest in some window of ``w`` consecutive n-grams of its
    document; a document with fewer than ``w`` n-grams keeps all of them. Every window's minimum
    is kept, which is what the guarantee needs (ties, which 64-bit hashes make rare, keep all).

    Vectorized: ``low[p]`` is the minimum of window ``p``; an n-gram equals the minimum of some
    window containing it exactly when it equals the largest of those windows' minima (they are all
    at most its own hash).
    """
    positions = np.flatnonzero(valid)
    if len(positions) == 0:
        return positions
    g = grams[positions]
    gdoc = token_doc[positions]
    n = len(g)
    keep = np.zeros(n, bool)
    if n >= w:
        m = n - w + 1
        low = g[:m].copy()
        for k in range(1, w):
            np.minimum(low, g[k : k + m], out=low)
        low[gdoc[:m] != gdoc[w - 1 :]] = 0  # windows across two documents take no part
        best = np.zeros(n, np.uint64)
        for k in range(w):
            np.maximum(best[k : k + m], low, out=best[k : k + m])
        keep = (g == best) & (best != 0)
    per_doc = np.bincount(gdoc)
    short_docs = np.flatnonzero((per_doc > 0) & (per_doc < w))
    if len(short_docs):
        keep |= np.isin(gdoc, short_docs)
    return positions[keep]


def sort_with_index(keys: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted keys (all but their ``bits`` low bits) and the original index of each.

    The index is packed into the low bits so numpy's fast (SIMD) sort replaces a slower argsort;
    keys are hashes, so the dropped low bits cost nothing but a rare false match. ``bits`` must hold
    every index; keys sorted to be compared with each other must use the same ``bits``.
    """
    mask = np.uint64((1 << bits) - 1)
    packed = np.sort((keys & ~mask) | np.arange(len(keys), dtype=np.uint64))
    return packed >> np.uint64(bits), (packed & mask).astype(np.int64)


def index_bits(*lengths: int) -> int:
    """Bits needed to hold any index of arrays of these lengths."""
    return max(1, int(max(lengths) - 1).bit_length())


def matchable_seeds(seeds: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Positions of valid seed k-grams that occur at least twice in the corpus (sorted)."""
    positions = np.flatnonzero(valid)
    if not len(positions):
        return positions
    key, order = sort_with_index(seeds[positions], index_bits(len(positions)))
    repeated = np.zeros(len(key), bool)
    same = key[1:] == key[:-1]
    repeated[1:] |= same
    repeated[:-1] |= same
    return np.sort(positions[order[repeated]])


@dataclass
class Words:
    """The words of a corpus with their alignment seeds: what fingerprinting and alignment share.

    ``seeds[t]`` is the hash of the ``seed_size`` words starting at word ``t`` (meaningful where the
    k-gram stays inside the document).
    """

    tokens: Tokens
    seeds: np.ndarray
    texts: list[str]
    seed_size: int
    #: Word positions whose seed k-gram lies inside its document and occurs more than once in the
    #: corpus: the only seeds that can match anything (sorted global word indices).
    matchable: np.ndarray
    #: ``matchable[matchable_starts[d]:matchable_starts[d + 1]]`` are document ``d``'s.
    matchable_starts: np.ndarray

    def matchable_range(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each document, the slice ``[lo, hi)`` of ``matchable`` that falls inside it."""
        return self.matchable_starts[docs], self.matchable_starts[docs + 1]

    @classmethod
    def build(cls, texts: list[str], seed_size: int, batch_chars: int = 1_000_000, progress=None) -> "Words":
        """Normalize and tokenize ``texts`` in batches of about ``batch_chars`` characters."""
        parts: list[Tokens] = []
        batch: list[str] = []
        size = 0
        for text in texts:
            batch.append(text)
            size += len(text)
            if size >= batch_chars:
                parts.append(tokenize(batch))
                if progress:
                    progress.advance(len(batch))
                batch, size = [], 0
        if batch or not parts:
            parts.append(tokenize(batch))
            if progress:
                progress.advance(len(batch))
        tokens = Tokens.concat(parts)
        seeds, valid = ngram_hashes(tokens.hashes, tokens.doc_of_tokens(), seed_size)
        matchable = matchable_seeds(seeds, valid)
        return cls(tokens, seeds, texts, seed_size, matchable, np.searchsorted(matchable, tokens.doc_starts))

    def doc(self, d: int):
        """Document ``d`` in the form :func:`copytrace.align.align` takes."""
        from .align import DocWords

        lo, hi = self.tokens.doc_starts[d], self.tokens.doc_starts[d + 1]
        t = self.tokens
        return DocWords(t.hashes[lo:hi], t.starts[lo:hi], t.ends[lo:hi], self.texts[d])

    def fingerprints(self, ngram: int, window: int) -> tuple[np.ndarray, np.ndarray]:
        """Winnowed fingerprints of every document: ``(hashes, document indices)``."""
        token_doc = self.tokens.doc_of_tokens()
        grams, valid = ngram_hashes(self.tokens.hashes, token_doc, ngram)
        chosen = winnow(grams, valid, token_doc, window)
        return grams[chosen], token_doc[chosen]
