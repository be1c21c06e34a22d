"""Hash words and word n-grams, and select fingerprints by winnowing.

Words are runs of letters, digits and combining marks in the normalized text (each CJK or kana
character is a word by itself); a word's hash ignores case. All hashing is vectorized over a whole
batch of documents: a word's hash is a polynomial over its code points, taken from prefix sums
modulo 2**64 (an odd base is invertible there), then mixed with the SplitMix64 finalizer.

Winnowing (Schleimer, Wilkerson and Aiken, 2003) keeps, in every window of ``w`` consecutive word
``n``-grams, the one with the smallest hash. Its guarantee: two documents that share a run of at
least ``w + n - 1`` words share at least one fingerprint, while only about ``2 / (w + 1)`` of the
n-grams are kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .normalize import NormalizedBatch, char_tables, lookup, normalize_batch

_BASE = np.uint64(0x100000001B3)  # odd, so invertible modulo 2**64
_BASE_INV = np.uint64(pow(int(_BASE), -1, 2**64))
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


def tokenize(batch: NormalizedBatch) -> Tokens:
    """Split normalized documents into words and hash each word (case-insensitive)."""
    tables = char_tables()
    codes = batch.codes
    n = len(codes)
    doc = batch.doc_of_codes()
    beyond_ideo = (codes >= 0x20000) & (codes <= 0x2FFFF)
    ideo = lookup(tables.ideograph, codes, beyond_ideo)
    word = lookup(tables.word, codes, beyond_ideo)

    def shifted(a: np.ndarray, by: int, fill) -> np.ndarray:
        out = np.empty_like(a)
        if by > 0:
            out[:by] = fill
            out[by:] = a[:-by]
        else:
            out[by:] = fill
            out[:by] = a[-by:]
        return out

    same_prev = shifted(doc, 1, -1) == doc
    same_next = shifted(doc, -1, -1) == doc
    start = word & (~(shifted(word, 1, False) & same_prev) | ideo | shifted(ideo, 1, False))
    end = word & (~(shifted(word, -1, False) & same_next) | ideo | shifted(ideo, -1, False))
    s = np.flatnonzero(start)
    e = np.flatnonzero(end) + 1

    # Polynomial hash of each word: sum of c_j * B**(j - s) over its code points.
    folded = lookup(tables.fold_case, codes, codes).astype(np.uint64)
    powers = np.empty(n + 1, np.uint64)
    powers[0] = 1
    inverse_powers = np.empty(n + 1, np.uint64)
    inverse_powers[0] = 1
    if n:
        np.cumprod(np.full(n, _BASE, np.uint64), out=powers[1:])
        np.cumprod(np.full(n, _BASE_INV, np.uint64), out=inverse_powers[1:])
    prefix = np.zeros(n + 1, np.uint64)
    np.cumsum(folded * powers[:n], out=prefix[1:])
    raw = (prefix[e] - prefix[s]) * inverse_powers[s]
    hashes = mix64(raw ^ ((e - s).astype(np.uint64) * _LENGTH_SALT))

    token_doc = doc[s]
    doc_starts = np.zeros(len(batch) + 1, np.int64)
    np.cumsum(np.bincount(token_doc, minlength=len(batch)), out=doc_starts[1:])
    return Tokens(hashes, batch.origin_start[s], batch.origin_end[e - 1], doc_starts)


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

    In each window of ``w`` consecutive valid n-grams of one document the rightmost smallest hash
    is selected; a document with fewer than ``w`` n-grams keeps all of them.
    """
    positions = np.flatnonzero(valid)
    if len(positions) == 0:
        return positions
    g = grams[positions]
    gdoc = token_doc[positions]
    selected = []
    if len(g) >= w:
        windows = np.lib.stride_tricks.sliding_window_view(g, w)
        whole = gdoc[: len(g) - w + 1] == gdoc[w - 1 :]
        starts = np.flatnonzero(whole)
        rightmost_min = (w - 1) - np.argmin(windows[starts, ::-1], axis=1)
        selected.append(starts + rightmost_min)
    per_doc = np.bincount(gdoc)
    short_docs = np.flatnonzero((per_doc > 0) & (per_doc < w))
    if len(short_docs):
        selected.append(np.flatnonzero(np.isin(gdoc, short_docs)))
    chosen = np.unique(np.concatenate(selected)) if selected else np.zeros(0, np.int64)
    return positions[chosen]


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

    @classmethod
    def build(cls, texts: list[str], seed_size: int, batch_chars: int = 16_000_000, progress=None) -> "Words":
        """Normalize and tokenize ``texts`` in batches of about ``batch_chars`` characters."""
        parts: list[Tokens] = []
        batch: list[str] = []
        size = 0
        for text in texts:
            batch.append(text)
            size += len(text)
            if size >= batch_chars:
                parts.append(tokenize(normalize_batch(batch)))
                if progress:
                    progress.advance(len(batch))
                batch, size = [], 0
        if batch or not parts:
            parts.append(tokenize(normalize_batch(batch)))
            if progress:
                progress.advance(len(batch))
        tokens = Tokens.concat(parts)
        seeds, _ = ngram_hashes(tokens.hashes, tokens.doc_of_tokens(), seed_size)
        return cls(tokens, seeds, texts, seed_size)

    def doc(self, d: int):
        """Document ``d`` in the form :func:`copytrace.align.align` takes."""
        from .align import DocWords

        lo, hi = self.tokens.doc_starts[d], self.tokens.doc_starts[d + 1]
        t = self.tokens
        return DocWords(t.hashes[lo:hi], self.seeds[lo:hi], t.starts[lo:hi], t.ends[lo:hi], self.texts[d])

    def fingerprints(self, ngram: int, window: int) -> tuple[np.ndarray, np.ndarray]:
        """Winnowed fingerprints of every document: ``(hashes, document indices)``."""
        token_doc = self.tokens.doc_of_tokens()
        grams, valid = ngram_hashes(self.tokens.hashes, token_doc, ngram)
        chosen = winnow(grams, valid, token_doc, window)
        return grams[chosen], token_doc[chosen]
