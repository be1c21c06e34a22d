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
1. Unicode NFKC (ligatures, full-width and half-width forms, compatibility characters), composed
   fully: a base character takes every character that composes with it, Hangul jamo and the
   half-width voicing marks (``ｶﾞ`` → ``ガ``) included.
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

#: Word kinds (``CharTables.word_kind``).
NOT_WORD, WORD, SEGMENTED, INVISIBLE = 0, 1, 2, 3
#: Scripts written without spaces between words (kind SEGMENTED): a run of word characters
#: holding one of these is cut into words by ICU's dictionary word breaker (see
#: ``fingerprint.segment_breaks``), so that a word means about as much text in every script.
SEGMENTED_RANGES = (
    (0x0E00, 0x0E7F),  # Thai
    (0x0E80, 0x0EFF),  # Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x19E0, 0x19FF),  # Khmer symbols
    (0x3040, 0x30FF),  # hiragana, katakana
    (0x31F0, 0x31FF),  # katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA9E0, 0xA9FF),  # Myanmar extended-B
    (0xAA60, 0xAA7F),  # Myanmar extended-A
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
)  # (and CJK extensions B–F, 0x20000–0x2FFFF, beyond the table)
#: Han characters of the Basic Multilingual Plane (extension A, unified, compatibility).
HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
#: Characters inside a word that matching ignores (kind INVISIBLE): they neither end a word nor
#: count in its hash, so a word with them matches the word without. Soft hyphen, zero-width
#: non-joiner and joiner, word joiner, byte-order mark, combining grapheme joiner, variation
#: selectors (the U+FE0F after an emoji), Arabic tatweel and vowel marks, Hebrew points.
INVISIBLE_RANGES = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x200C, 0x200D), (0x2060, 0x2060), (0xFEFF, 0xFEFF),
    (0xFE00, 0xFE0F),
    (0x0610, 0x061A), (0x0640, 0x0640), (0x064B, 0x065F), (0x0670, 0x0670), (0x06D6, 0x06DC),
    (0x06DF, 0x06E4), (0x06E7, 0x06E8), (0x06EA, 0x06ED),
    (0x0591, 0x05BD), (0x05BF, 0x05BF), (0x05C1, 0x05C2), (0x05C4, 0x05C5), (0x05C7, 0x05C7),
)
#: Apostrophes that are letters to Unicode but punctuation to their writers (Ukrainian ``зʼїзд``
#: is written ``з’їзд`` too): not word characters, like ``’``.
APOSTROPHE_LETTERS = "\u02bc\ua78c"
#: Spelling variants folded for matching (after lower-casing): Arabic alef and hamza forms, alef
#: maqsura, teh marbuta, Persian yeh and keheh; Turkish dotted and dotless i; Russian ё; Greek
#: final sigma. Decimal digits of every script fold to ASCII digits too (see :func:`char_tables`).
LETTER_FOLD = {
    "\u0622": "\u0627", "\u0623": "\u0627", "\u0625": "\u0627", "\u0671": "\u0627",  # آ أ إ ٱ → ا
    "\u0649": "\u064a", "\u0626": "\u064a", "\u06cc": "\u064a",  # ى ئ ی → ي
    "\u0624": "\u0648",  # ؤ → و
    "\u0629": "\u0647",  # ة → ه
    "\u06a9": "\u0643",  # ک → ك
    "\u0130": "i", "\u0131": "i",  # İ ı → i
    "\u0451": "\u0435",  # ё → е
    "\u03c2": "\u03c3",  # ς → σ
}

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
    space: np.ndarray  # bool: whitespace
    upper: np.ndarray  # bool: upper-case or title-case letter
    lower_or_digit: np.ndarray  # bool: lower-case letter or digit
    fold_case: np.ndarray  # uint32: what matching reads: lower case (when one code point), LETTER_FOLD, digits
    fold_punct: np.ndarray  # uint32: quotes and dashes folded to ASCII
    word_kind: np.ndarray  # uint8 up to WORD_KIND_SIZE: NOT_WORD, WORD, SEGMENTED or INVISIBLE


@functools.cache
def char_tables() -> CharTables:
    """Build the lookup tables once per process (about 20 ms: builtins mapped over every character)."""
    chars = [chr(i) for i in range(TABLE_SIZE)]

    def table(test) -> np.ndarray:
        return np.fromiter(map(test, chars), bool, TABLE_SIZE)

    categories = list(map(unicodedata.category, chars))
    marks = np.fromiter((category[0] == "M" for category in categories), bool, TABLE_SIZE)
    word = table(str.isalnum) | marks
    space = table(str.isspace)
    upper = table(str.isupper) | table(str.istitle)
    lower_or_digit = table(str.islower) | table(str.isdigit)
    fold_case = np.arange(TABLE_SIZE, dtype=np.uint32)
    lowered = "\0".join(chars[1:]).lower().split("\0")  # each character's lower case (U+0000 is its own)
    single = np.fromiter(map(len, lowered), np.int64, TABLE_SIZE - 1) == 1
    fold_case[1:][single] = to_codes("".join(itertools.compress(lowered, single)))
    variant = np.arange(TABLE_SIZE, dtype=np.uint32)
    for src, dst in LETTER_FOLD.items():
        variant[ord(src)] = ord(dst)
    digits = np.flatnonzero(np.fromiter((category == "Nd" for category in categories), bool, TABLE_SIZE))
    variant[digits] = [48 + unicodedata.decimal(chars[c]) for c in digits]
    fold_case = variant[fold_case]  # İ lowers to two code points, so it is folded itself
    fold_punct = np.arange(TABLE_SIZE, dtype=np.uint32)
    for src, dst in {**_QUOTE_FOLD, **_DASH_FOLD}.items():
        fold_punct[ord(src)] = ord(dst)
    word_kind = np.zeros(WORD_KIND_SIZE, np.uint8)
    word_kind[:TABLE_SIZE][word] = WORD
    for lo, hi in SEGMENTED_RANGES:
        word_kind[lo : hi + 1][word[lo : hi + 1]] = SEGMENTED
    word_kind[0x20000:0x30000] = SEGMENTED
    for lo, hi in INVISIBLE_RANGES:
        word_kind[lo : hi + 1] = INVISIBLE
    word_kind[[ord(c) for c in APOSTROPHE_LETTERS]] = NOT_WORD
    return CharTables(word, space, upper, lower_or_digit, fold_case, fold_punct, word_kind)


def han_folded(fold_case: np.ndarray) -> np.ndarray:
    """``fold_case`` with traditional Chinese characters folded to simplified ones, so that a copy
    converted between the two still matches (24–29% of the characters of a Chinese text differ).

    The map is OpenCC's ``t2s``, read one character at a time (about 4,200 characters change); it
    is built only for batches that hold Han characters (OpenCC takes about 45 ms to load).
    """
    return _han_fold_map()[fold_case]


@functools.cache
def _han_fold_map() -> np.ndarray:
    import opencc

    fold = np.arange(TABLE_SIZE, dtype=np.uint32)
    han = np.concatenate([np.arange(lo, hi + 1) for lo, hi in HAN_RANGES])
    converted = opencc.OpenCC("t2s").convert("\n".join(map(chr, han))).split("\n")
    if len(converted) == len(han):  # (one line per character, as OpenCC keeps line breaks)
        one = np.fromiter((len(c) == 1 for c in converted), bool, len(han))
        fold[han[one]] = to_codes("".join(itertools.compress(converted, one)))
    return fold


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

    A base character and every character after it that may compose with it (combining marks,
    Hangul vowel and final jamo, half-width voicing marks: :func:`_nfkc_tables`) are normalized
    together; every character they produce maps to the whole group, so offsets stay exact. Groups
    of one character whose NFKC is one character (most of them: a full-width comma, an ideograph)
    are mapped by a table in whole-array operations; only the others are normalized one by one.
    """
    joins_table, single_table = _nfkc_tables()
    codes = to_codes(text)
    n = len(codes)
    if not n:
        return "", np.zeros(0, np.int64), np.zeros(0, np.int64)
    bmp = codes < TABLE_SIZE
    joins = np.zeros(n, bool)
    joins[bmp] = joins_table[codes[bmp]]
    for k in np.flatnonzero(~bmp):  # beyond the BMP only combining marks join (rare)
        joins[k] = unicodedata.combining(chr(codes[k])) != 0
    joins[0] = False
    group_start = np.flatnonzero(~joins)
    group_end = np.append(group_start[1:], n)
    mapped = np.where(bmp, single_table[np.where(bmp, codes, 0)], 0)
    simple = (group_end - group_start == 1) & (mapped[group_start] != 0)
    out_len = np.ones(len(group_start), np.int64)
    pieces: dict[int, str] = {}
    for g in np.flatnonzero(~simple):
        piece = unicodedata.normalize("NFKC", text[group_start[g] : group_end[g]])
        pieces[g] = piece
        out_len[g] = len(piece)
    out_starts = np.repeat(group_start, out_len).astype(np.int64)
    out_ends = np.repeat(group_end, out_len).astype(np.int64)
    out_codes = np.empty(int(out_len.sum()), np.uint32)
    position = np.cumsum(out_len) - out_len  # where each group's output begins
    out_codes[position[simple]] = mapped[group_start[simple]]
    for g, piece in pieces.items():
        out_codes[position[g] : position[g] + len(piece)] = to_codes(piece)
    return from_codes(out_codes), out_starts, out_ends


@functools.cache
def _nfkc_tables() -> tuple[np.ndarray, np.ndarray]:
    """For each BMP code point: whether NFKC may join it to the character before it (see
    :func:`_joins_previous`), and its NFKC when that is one code point (0 otherwise)."""
    chars = [chr(c) for c in range(TABLE_SIZE)]
    normalized = "\0".join(unicodedata.normalize("NFKC", c) for c in chars[1:]).split("\0")
    one = np.fromiter(map(len, normalized), np.int64, TABLE_SIZE - 1) == 1
    single = np.zeros(TABLE_SIZE, np.uint32)
    single[1:][one] = to_codes("".join(itertools.compress(normalized, one)))
    return _joins_previous(), single


@functools.cache
def _joins_previous() -> np.ndarray:
    """For each BMP code point: whether NFKC may join it to the character before it. True for
    combining marks, for characters whose compatibility decomposition begins with one (the
    half-width voicing marks ``ﾞﾟ``), for the second character of every canonical composition
    (Hangul vowel and final jamo, the Indic vowel signs of class 0) and for the Hangul jamo
    algorithmically composed (U+1161–U+11C2). Built on the first text that is not NFKC (about
    40 ms), never for text that is."""
    joins = np.zeros(TABLE_SIZE, bool)
    for code in range(TABLE_SIZE):
        char = chr(code)
        decomposed = unicodedata.normalize("NFKD", char)
        if unicodedata.combining(char) or (decomposed and unicodedata.combining(decomposed[0])):
            joins[code] = True
        canonical = unicodedata.decomposition(char)
        if canonical and not canonical.startswith("<"):
            parts = canonical.split()
            if len(parts) == 2 and unicodedata.normalize("NFC", char) == char:
                joins[int(parts[1], 16)] = True
    joins[0x1161:0x11C3] = True
    return joins


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
