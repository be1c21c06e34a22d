"""Normalize text for matching, keeping a map back to the user's characters.

Copies differ from their sources in ways that carry no meaning: curly versus straight quotes, en
dashes versus hyphens, ligatures and full-width forms, runs of spaces, and sentences run together by
an extractor (``Sunday."I'll``, ``soldiers.The``). Matching happens on a normalized form of the
text; every position in it remembers the character of the original it came from, so every offset
copytrace reports is an offset into the text exactly as it was read.

The work is done on a whole batch of documents at once, as numpy arrays of code points, so that the
cost per document is a handful of vectorized operations rather than a Python loop over characters.
Only documents that are not already in Unicode NFKC (rare in news text) take a per-character path.

Steps, in order:
1. Unicode NFKC (ligatures, full-width forms, compatibility characters).
2. Quotes and dashes folded: ``‘’‚‛`` → ``'``, ``“”„‟«»`` → ``"``, ``‐‑‒–—―−`` → ``-``.
3. Whitespace collapsed: a run of whitespace becomes one ``\\n`` if it holds a line break, else one
   space; whitespace at the start and end of a document is dropped.
4. Run-together sentences split: a space is inserted between ``.``/``!``/``?`` and a following
   capital letter or opening quote when the character before the stop is a lower-case letter or a
   digit (``soldiers.The`` → ``soldiers. The``, ``Sunday."I'll`` → ``Sunday. "I'll``). A closing
   curly quote keeps its place (``said.”The`` → ``said.” The``).
"""

from __future__ import annotations

import functools
import itertools
import unicodedata
from dataclasses import dataclass

import numpy as np

#: Code points below this bound are classified by lookup tables; above it only CJK Extension
#: blocks (U+20000–U+2FFFF) count as word characters.
TABLE_SIZE = 0x10000
#: The word-kind table also covers the supplementary ideographs; its last entry stands for every
#: code point beyond it (not a word character).
WORD_KIND_SIZE = 0x30001

_QUOTE_FOLD = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
}
_DASH_FOLD = {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"}
_OPENING_QUOTES = "\"'\u2018\u201c\u201e\u00ab"
_CLOSING_QUOTES = "\u2019\u201d\u00bb"


@dataclass(frozen=True)
class CharTables:
    """Per-code-point lookup tables for the Basic Multilingual Plane."""

    word: np.ndarray  # bool: letter, digit or combining mark (part of a word)
    ideograph: np.ndarray  # bool: CJK / kana character, each one a word by itself
    space: np.ndarray  # bool: whitespace
    upper: np.ndarray  # bool: upper-case or title-case letter
    lower_or_digit: np.ndarray  # bool: lower-case letter or digit
    fold_case: np.ndarray  # uint32: lower-case form (when it is a single code point)
    fold_punct: np.ndarray  # uint32: quotes and dashes folded to ASCII
    word_kind: np.ndarray  # uint8 up to WORD_KIND_SIZE: 0 not a word character, 1 word, 2 ideograph


@functools.cache
def char_tables() -> CharTables:
    """Build the lookup tables once per process (about 20 ms: builtins mapped over every character)."""
    chars = [chr(i) for i in range(TABLE_SIZE)]

    def table(test) -> np.ndarray:
        return np.fromiter(map(test, chars), bool, TABLE_SIZE)

    marks = np.fromiter((category[0] == "M" for category in map(unicodedata.category, chars)), bool, TABLE_SIZE)
    word = table(str.isalnum) | marks
    codes = np.arange(TABLE_SIZE)
    ideograph = (
        ((0x3040 <= codes) & (codes <= 0x30FF))  # hiragana, katakana
        | ((0x3400 <= codes) & (codes <= 0x4DBF))  # CJK extension A
        | ((0x4E00 <= codes) & (codes <= 0x9FFF))  # CJK unified ideographs
        | ((0xF900 <= codes) & (codes <= 0xFAFF))  # CJK compatibility ideographs
    )  # (and CJK extensions B–F, 0x20000–0x2FFFF, beyond the table: see word_kind)
    space = table(str.isspace)
    upper = table(str.isupper) | table(str.istitle)
    lower_or_digit = table(str.islower) | table(str.isdigit)
    fold_case = np.arange(TABLE_SIZE, dtype=np.uint32)
    lowered = "\0".join(chars[1:]).lower().split("\0")  # each character's lower case (U+0000 is its own)
    single = np.fromiter(map(len, lowered), np.int64, TABLE_SIZE - 1) == 1
    fold_case[1:][single] = to_codes("".join(itertools.compress(lowered, single)))
    fold_punct = np.arange(TABLE_SIZE, dtype=np.uint32)
    for src, dst in {**_QUOTE_FOLD, **_DASH_FOLD}.items():
        fold_punct[ord(src)] = ord(dst)
    word_kind = np.zeros(WORD_KIND_SIZE, np.uint8)
    word_kind[:TABLE_SIZE][word] = 1
    word_kind[:TABLE_SIZE][ideograph] = 2
    word_kind[0x20000:0x30000] = 2
    return CharTables(word, ideograph, space, upper, lower_or_digit, fold_case, fold_punct, word_kind)


def lookup(table: np.ndarray, codes: np.ndarray, beyond) -> np.ndarray:
    """Look code points up in a BMP table; code points beyond it get ``beyond`` (value or array)."""
    inside = codes < TABLE_SIZE
    out = table[np.where(inside, codes, 0)]
    if inside.all():
        return out
    extra = beyond if np.isscalar(beyond) else beyond[~inside]
    out[~inside] = extra
    return out


def to_codes(text: str) -> np.ndarray:
    """A string as an array of code points (uint32), without a Python loop."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def from_codes(codes: np.ndarray) -> str:
    """The inverse of :func:`to_codes`."""
    return np.ascontiguousarray(codes, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")


def nfkc_batch(texts: list[str]) -> tuple[list[str], dict[int, tuple[np.ndarray, np.ndarray]]]:
    """The NFKC form of each text, and for the texts it changed (by index) each output character's
    source span (:func:`nfkc_with_origin`); most texts are NFKC already and are kept as they are."""
    pieces: list[str] = []
    slow: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for d, text in enumerate(texts):
        if unicodedata.is_normalized("NFKC", text):
            pieces.append(text)
        else:
            norm, starts, ends = nfkc_with_origin(text)
            pieces.append(norm)
            slow[d] = (starts, ends)
    return pieces, slow


def nfkc_with_origin(text: str) -> tuple[str, np.ndarray, np.ndarray]:
    """NFKC of a text that is not already NFKC, with each output character's source span.

    A base character and the combining marks after it are normalized together (composition needs
    them); every character they produce maps to the whole group, so offsets stay exact.
    """
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        piece = unicodedata.normalize("NFKC", text[i:j])
        out.append(piece)
        starts.extend([i] * len(piece))
        ends.extend([j] * len(piece))
        i = j
    return "".join(out), np.asarray(starts, np.int64), np.asarray(ends, np.int64)


@dataclass
class NormalizedBatch:
    """Normalized texts of a batch of documents, concatenated, with a map back to the originals.

    ``codes[doc_starts[d]:doc_starts[d+1]]`` is document ``d`` normalized. For each normalized
    character, ``origin_start`` / ``origin_end`` give the span of original characters (offsets into
    that document's original text) it came from.
    """

    codes: np.ndarray  # uint32, all documents concatenated
    origin_start: np.ndarray  # int64
    origin_end: np.ndarray  # int64
    doc_starts: np.ndarray  # int64, len = n_docs + 1
    original_lengths: np.ndarray  # int64, len = n_docs

    def __len__(self) -> int:
        return len(self.doc_starts) - 1

    def text(self, d: int) -> str:
        """Document ``d`` normalized, as a string."""
        return from_codes(self.codes[self.doc_starts[d] : self.doc_starts[d + 1]])

    def origin(self, d: int) -> np.ndarray:
        """For document ``d``: the original offset of each normalized character."""
        return self.origin_start[self.doc_starts[d] : self.doc_starts[d + 1]]



def normalize_batch(texts: list[str]) -> NormalizedBatch:
    """Normalize many documents at once (see the module docstring for the steps)."""
    tables = char_tables()
    pieces, slow = nfkc_batch(texts)
    lengths = np.fromiter((len(p) for p in pieces), np.int64, len(pieces))
    doc_starts = np.zeros(len(pieces) + 1, np.int64)
    np.cumsum(lengths, out=doc_starts[1:])
    codes = to_codes("".join(pieces))
    doc = np.repeat(np.arange(len(pieces), dtype=np.int32), lengths)
    origin_start = np.arange(len(codes), dtype=np.int64) - doc_starts[:-1][doc]
    origin_end = origin_start + 1
    for d, (starts, ends) in slow.items():
        origin_start[doc_starts[d] : doc_starts[d + 1]] = starts
        origin_end[doc_starts[d] : doc_starts[d + 1]] = ends
    original_lengths = np.fromiter((len(t) for t in texts), np.int64, len(texts))

    # Run-together sentences: decided on the unfolded code points, where curly quotes still say
    # whether they open or close.
    insert_at = _sentence_breaks(codes, doc, tables)

    codes = lookup(tables.fold_punct, codes, codes)

    # Collapse whitespace: keep the first character of each run, as "\n" if the run has a line
    # break; drop runs at the start and end of a document.
    space = lookup(tables.space, codes, False)
    newline = (codes == 10) | (codes == 13) | (codes == 0x2028) | (codes == 0x2029)
    same_doc_prev = np.empty(len(codes), bool)
    same_doc_prev[:1] = False
    same_doc_prev[1:] = doc[1:] == doc[:-1]
    run_start = space & ~(np.concatenate([[False], space[:-1]]) & same_doc_prev)
    run_id = np.cumsum(run_start) - 1
    has_newline = np.bincount(run_id[space & newline], minlength=int(run_start.sum())) > 0
    codes = codes.copy()
    codes[run_start] = np.where(has_newline[run_id[run_start]], 10, 32)
    keep = ~space | run_start
    # Edges: whitespace touching the start or end of its document is dropped.
    first_nonspace = _first_true_per_doc(~space, doc, len(pieces))
    last_nonspace = _last_true_per_doc(~space, doc, len(pieces))
    position = np.arange(len(codes))
    keep &= (position >= first_nonspace[doc]) & (position <= last_nonspace[doc])

    # Apply insertions (a space before each break position) and deletions together.
    insert_mask = np.zeros(len(codes), np.int64)
    insert_mask[insert_at] = 1
    insert_mask &= keep
    index = np.flatnonzero(keep)
    n_insert = insert_mask[index]
    out_len = len(index) + int(n_insert.sum())
    target = np.arange(len(index)) + np.cumsum(n_insert)
    new_codes = np.full(out_len, 32, np.uint32)
    new_codes[target] = codes[index]
    new_start = np.empty(out_len, np.int64)
    new_end = np.empty(out_len, np.int64)
    new_start[target] = origin_start[index]
    new_end[target] = origin_end[index]
    inserted = np.flatnonzero(n_insert)
    # An inserted space stands for the point just before the character it precedes.
    new_start[target[inserted] - 1] = origin_start[index[inserted]]
    new_end[target[inserted] - 1] = origin_start[index[inserted]]
    new_doc = doc[index]
    counts = np.bincount(new_doc, minlength=len(pieces)) + np.bincount(
        new_doc, weights=n_insert, minlength=len(pieces)
    ).astype(np.int64)
    new_doc_starts = np.zeros(len(pieces) + 1, np.int64)
    np.cumsum(counts, out=new_doc_starts[1:])
    return NormalizedBatch(new_codes, new_start, new_end, new_doc_starts, original_lengths)


def _first_true_per_doc(mask: np.ndarray, doc: np.ndarray, n_docs: int) -> np.ndarray:
    pos = np.flatnonzero(mask)
    first = np.full(n_docs, np.iinfo(np.int64).max, np.int64)
    np.minimum.at(first, doc[pos], pos)
    return first


def _last_true_per_doc(mask: np.ndarray, doc: np.ndarray, n_docs: int) -> np.ndarray:
    pos = np.flatnonzero(mask)
    last = np.full(n_docs, -1, np.int64)
    np.maximum.at(last, doc[pos], pos)
    return last


def _sentence_breaks(codes: np.ndarray, doc: np.ndarray, tables: CharTables) -> np.ndarray:
    """Positions before which a space is inserted to split run-together sentences."""
    n = len(codes)
    if n < 3:
        return np.zeros(0, np.int64)
    stop = np.isin(codes, [ord("."), ord("!"), ord("?")])
    upper = lookup(tables.upper, codes, False)
    before = lookup(tables.lower_or_digit, codes, False)
    opening = np.isin(codes, [ord(c) for c in _OPENING_QUOTES])
    closing = np.isin(codes, [ord(c) for c in _CLOSING_QUOTES])
    i = np.arange(2, n)
    same = (doc[i] == doc[i - 2])
    # "soldiers.The": stop, then a capital.
    plain = same & before[i - 2] & stop[i - 1] & upper[i]
    # 'Sunday."I': stop, then an opening quote directly followed by a letter → break before it.
    j = i[:-1]
    quote_open = (
        same[:-1] & before[j - 2] & stop[j - 1] & opening[j] & upper[j + 1] & (doc[j + 1] == doc[j])
    )
    # 'said.”The': stop, closing quote, capital → break after the quote.
    quote_close = (
        same[:-1] & before[j - 2] & stop[j - 1] & closing[j] & upper[j + 1] & (doc[j + 1] == doc[j])
    )
    return np.concatenate([i[plain], j[quote_open], j[quote_close] + 1]).astype(np.int64)


def normalize(text: str) -> tuple[str, np.ndarray]:
    """Normalize one text; returns the normalized string and each character's original offset."""
    batch = normalize_batch([text])
    return batch.text(0), batch.origin(0).copy()
