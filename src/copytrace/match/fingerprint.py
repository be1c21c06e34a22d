"""Hash words and word n-grams, and select fingerprints by winnowing.

Words are runs of letters, digits and combining marks in the NFKC text; in scripts written without
spaces (Chinese, Japanese, Thai, Lao, Khmer, Burmese) ICU's dictionary word breaker cuts those runs
into words, so that a word is about as much text in every script (Chinese: 0.86 words per English
word of the same news translated, where characters are 1.59). A word's hash ignores case
and the spelling variants of ``normalize.LETTER_FOLD``, traditional against simplified Chinese,
and the invisible characters of ``normalize.INVISIBLE_RANGES``. Words are found and hashed in one
compiled pass (numba) over a whole batch of documents: a word's hash is a polynomial over its
folded code points modulo 2**64, mixed with its length through the SplitMix64 finalizer. N-gram
hashing and winnowing are compiled passes over the whole corpus too.

Winnowing (Schleimer, Wilkerson and Aiken, 2003) keeps, in every window of ``w`` consecutive word
``n``-grams, the one with the smallest hash. Its guarantee: two documents that share a run of at
least ``w + n - 1`` words share at least one fingerprint, while only about ``2 / (w + 1)`` of the
n-grams are kept.
"""

from __future__ import annotations

import itertools
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from numba import njit

from copytrace.match.normalize import HAN_RANGES, NOT_WORD, SEGMENTED, WORD_KIND_SIZE, char_tables, from_codes, han_folded, nfkc_batch, to_codes


@dataclass
class Tokens:
    """The words of a batch of documents.

    Word ``t`` of the batch has hash ``hashes[t]`` and covers original characters
    ``starts[t]:ends[t]`` of its document; the words of document ``d`` are
    ``doc_starts[d]:doc_starts[d+1]``.
    """

    hashes: np.ndarray  # uint64
    starts: np.ndarray  # int32, offsets into the document's original text (under max_chars)
    ends: np.ndarray  # int32, exclusive
    doc_starts: np.ndarray  # int64, len = n_docs + 1
    flags: np.ndarray  # uint8: LINE_START | LINE_END | BREAK_AFTER | RUN_TOGETHER | CUT_MARK | DIGIT | CAPITAL | SENTENCE_START

    def __len__(self) -> int:
        return len(self.doc_starts) - 1

    def of(self, d: int) -> "Tokens":
        """The words of document ``d`` alone."""
        lo, hi = self.doc_starts[d], self.doc_starts[d + 1]
        return Tokens(self.hashes[lo:hi], self.starts[lo:hi], self.ends[lo:hi], np.array([0, hi - lo]), self.flags[lo:hi])

    @staticmethod
    def concat(parts: list["Tokens"]) -> "Tokens":
        """Concatenate batches of documents into one."""
        if not parts:
            return Tokens(*(np.zeros(0, t) for t in (np.uint64, np.int32, np.int32)), np.zeros(1, np.int64), np.zeros(0, np.uint8))
        offsets = np.cumsum([0] + [p.doc_starts[-1] for p in parts[:-1]])
        doc_starts = np.concatenate(
            [[0]] + [p.doc_starts[1:] + off for p, off in zip(parts, offsets)]
        ).astype(np.int64)
        return Tokens(
            np.concatenate([p.hashes for p in parts]),
            np.concatenate([p.starts for p in parts]),
            np.concatenate([p.ends for p in parts]),
            doc_starts,
            np.concatenate([p.flags for p in parts]),
        )


def tokenize(texts: list[str]) -> Tokens:
    """Split documents into words and hash each word (case-insensitive), in one compiled pass.

    Words are read from the NFKC form of each text. The other normalization steps (quotes and
    dashes folded, whitespace collapsed, run-together sentences split) change no word, since
    punctuation and spaces already end words, so they are not needed here. Documents are joined
    with a line break (never part of a word) so no word spans two of them; offsets are mapped back
    to each document's original characters.
    """
    return _tokenize(texts)[0]


def _tokenize(texts: list[str], ngram: int = 0, window: int = 0) -> tuple[Tokens, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """:func:`tokenize`, and with ``ngram`` and ``window`` the winnowed fingerprints of the words
    (word positions, documents, hashes; see :func:`winnow`), found in the same compiled call."""
    tables = char_tables()
    pieces, slow = nfkc_batch(texts)
    lengths = np.fromiter((len(p) for p in pieces), np.int64, len(pieces))
    doc_offsets = np.zeros(len(pieces) + 1, np.int64)
    np.cumsum(lengths + 1, out=doc_offsets[1:])
    joined = "\n".join([*pieces, ""])  # each document followed by a line break
    # ASCII (most news in Latin script, before curly quotes) is read one byte per character:
    # encoding it is a copy, where UTF-32 takes 15 times as long and four times the memory.
    ascii = joined.isascii()
    codes = np.frombuffer(joined.encode("ascii"), np.uint8) if ascii else to_codes(joined)
    segmented, han = (False, False) if ascii else _scripts_present(codes, tables.word_kind)
    fold = han_folded(tables.fold_case) if han else tables.fold_case
    breaks = segment_breaks(codes, tables.word_kind, fold) if segmented else np.zeros(0, np.uint8)
    # Room for a word per character (CJK: one each), allocated by numpy: huge pages where the system
    # allows them, and the pages past the last word are never touched.
    cap = len(codes) + 1
    hashes = np.empty(cap, np.uint64)
    offsets = np.empty(2 * cap, np.int32)  # starts, then ends (a batch stays under 2**31 characters)
    starts, ends = offsets[:cap], offsets[cap:]
    flags = np.zeros(cap, np.uint8)
    doc_starts = np.zeros(len(pieces) + 1, np.int64)
    count, *fingerprints = _words_and_fingerprints(
        codes, doc_offsets, tables.word_kind, fold, tables.lower_or_digit, tables.upper, _EDGE, breaks,
        hashes, starts, ends, flags, doc_starts, ngram, window,
    )
    # Copied out: kept until every batch is done, the room for a word per character would hold
    # its (huge) pages that much longer.
    hashes, starts, ends, flags = hashes[:count].copy(), starts[:count].copy(), ends[:count].copy(), flags[:count].copy()
    for d, (origin_start, origin_end) in slow.items():
        mine = slice(doc_starts[d], doc_starts[d + 1])  # a document's words are contiguous
        ends[mine] = origin_end[ends[mine] - 1]
        starts[mine] = origin_start[starts[mine]]
    return Tokens(hashes, starts, ends, doc_starts, flags), tuple(fingerprints)


@njit(cache=True, nogil=True)
def _scripts_present(codes, word_kind):
    """Whether the code points hold a character of a script written without spaces, and a Han
    character: one pass that stops once both are seen (text in other scripts pays a compare a
    character)."""
    segmented = False
    han = False
    top = len(word_kind) - 1
    for c in codes:
        if c >= 0x0E00:
            if not segmented and word_kind[min(c, top)] == 2:  # SEGMENTED
                segmented = True
            if not han and (0x3400 <= c <= 0x9FFF or 0xF900 <= c <= 0xFAFF):  # HAN_RANGES
                han = True
            if segmented and han:
                break
    return segmented, han


def segment_breaks(codes: np.ndarray, word_kind: np.ndarray, fold: np.ndarray) -> np.ndarray:
    """Where ICU's word breaker starts a new word inside a run of word characters that holds a
    character of a script written without spaces (``normalize.SEGMENTED_RANGES``): a byte per code
    point, 1 where a word starts; empty when there is no such run.

    ICU reads the folded text (simplified Chinese for traditional, lower case) with every character
    outside those runs made a space, so a copy converted between the two forms is cut the same way
    and the rest of the batch costs ICU nothing but runs of spaces. It breaks Chinese and Japanese
    with its CJK dictionary, Thai, Lao, Khmer and Burmese with theirs (about 4 million characters
    a second for Chinese).
    """
    kind = word_kind[np.minimum(codes, WORD_KIND_SIZE - 1)]
    segmented = kind == SEGMENTED
    if not segmented.any():
        return np.zeros(0, np.uint8)
    from icu4py.breakers import WordBreaker

    word = kind != NOT_WORD
    run = np.cumsum(np.diff(word.astype(np.int8), prepend=np.int8(0)) == 1) * word  # 1-based run of each word character
    wanted = np.zeros(int(run.max()) + 1, bool)
    wanted[run[segmented]] = True
    wanted[0] = False
    inside = wanted[run]
    folded = np.where(codes < len(fold), fold[np.minimum(codes, len(fold) - 1)], codes).astype(np.uint32)
    read = np.where(inside, folded, 32).astype(np.uint32)
    starts = np.fromiter(itertools.chain.from_iterable(WordBreaker(from_codes(read), "und").segments()), np.int64)[::2]
    astral = read > 0xFFFF  # ICU counts UTF-16 units: a code point beyond the BMP is two
    if astral.any():
        unit = np.cumsum(np.where(astral, 2, 1)) - np.where(astral, 2, 1)  # each code point's first unit
        starts = np.searchsorted(unit, starts)
    # ICU cuts a word its dictionary lacks (a transliterated name: 库比卡, Kubica) into single
    # characters; such a run of single Han characters is one word, or a name would count as
    # three words where English counts one.
    lengths = np.diff(starts, append=len(codes))
    single_han = (lengths == 1) & _han(codes[np.minimum(starts, len(codes) - 1)])
    starts = starts[~(single_han & np.concatenate([[False], single_han[:-1]]))]
    breaks = np.zeros(len(codes), np.uint8)
    starts = starts[(starts > 0) & (starts < len(codes))]
    starts = starts[inside[starts] & inside[starts - 1] & (run[starts] == run[starts - 1])]
    breaks[starts] = 1
    return breaks


def _han(codes: np.ndarray) -> np.ndarray:
    """Whether each code point is a Han character (``normalize.HAN_RANGES``, or beyond the BMP)."""
    out = (codes >= 0x20000) & (codes <= 0x2FFFF)
    for lo, hi in HAN_RANGES:
        out |= (codes >= lo) & (codes <= hi)
    return out


#: Bits of ``Tokens.flags``, which alignment reads to place passages on line boundaries.
LINE_START = 1  #: only edge punctuation lies between the previous line break and the word
LINE_END = 2  #: only edge punctuation lies between the word and the next line break
BREAK_AFTER = 4  #: a line break separates the word from the next word of its document
#: The word ends a sentence run together with the next (``soldiers.The``, ``Sunday."I'll``): a
#: lower-case letter or digit, a stop, at most a closing and an opening quote, a capital, no space.
RUN_TOGETHER = 8
#: A colon or semicolon and then a comma follow the word (``once again:," Putin said``): the mark
#: an extractor leaves where it lifted a quotation out of a sentence.
CUT_MARK = 16
#: The word holds a digit (what edit labelling calls a number).
DIGIT = 32
#: The word begins with a capital letter (scripts without case never do).
CAPITAL = 64
#: A sentence ends between the previous word and this one (see ``_ends_sentence``).
SENTENCE_START = 128

#: Characters that may sit between a word and a line break in a "whole line".
EDGE_PUNCT = " \t\"'“”‘’«»()[].,;:!?-"
_EDGE = np.zeros(max(map(ord, EDGE_PUNCT)) + 1, np.bool_)
_EDGE[[ord(c) for c in EDGE_PUNCT]] = True


@njit(cache=True, nogil=True)
def _mix64(x):
    """SplitMix64 finalizer: spreads every input bit of a uint64 over the output."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@njit(cache=True, nogil=True)
def _is_edge(c, edge):
    return c < len(edge) and edge[c]


@njit(cache=True, nogil=True)
def _runs_together(codes, end, next_start):
    """Whether the gap ``codes[end:next_start]`` between two words is a stop with no space:
    ``[a-z0-9]`` then ``[.!?]``, an optional closing quote, an optional opening quote, ``[A-Z]``."""
    last, first = codes[end - 1], codes[next_start]
    if not ((97 <= last <= 122 or 48 <= last <= 57) and 65 <= first <= 90):
        return False
    q = end
    if not (codes[q] == 46 or codes[q] == 33 or codes[q] == 63):  # . ! ?
        return False
    q += 1
    if q < next_start and (codes[q] == 34 or codes[q] == 39 or codes[q] == 0x201D or codes[q] == 0x2019):
        q += 1
    if q < next_start and (codes[q] == 0x201C or codes[q] == 34):
        q += 1
    return q == next_start


@njit(cache=True, nogil=True)
def _cut_mark(codes, end, next_start):
    """Whether the gap between two words holds a colon or semicolon, then (spaces aside) a comma."""
    for q in range(end, next_start - 1):
        if codes[q] == 58 or codes[q] == 59:  # : ;
            r = q + 1
            while r < next_start and codes[r] == 32:
                r += 1
            if r < next_start and codes[r] == 44:  # ,
                return True
    return False


@njit(cache=True, nogil=True)
def _is_lower(c, lower_or_digit):
    return c < len(lower_or_digit) and lower_or_digit[c] and not 48 <= c <= 57


@njit(cache=True, nogil=True)
def _is_quote_or_bracket(c):
    """Straight, curly and low quotes, guillemets, brackets, and the corner and angle brackets of
    Chinese and Japanese (「」『』〈〉《》【】)."""
    return (
        c == 34 or c == 39 or c == 40 or c == 41 or c == 91 or c == 93 or c == 0xAB or c == 0xBB
        or 0x2018 <= c <= 0x201F or c == 0x2039 or c == 0x203A or 0x3008 <= c <= 0x3011
    )


@njit(cache=True, nogil=True)
def _script_stop(c):
    """Full stops of scripts with no abbreviations of the Latin kind: 。 ؟ ۔ । ॥ ။ ។ ።."""
    return c == 0x3002 or c == 0x061F or c == 0x06D4 or c == 0x0964 or c == 0x0965 or c == 0x104B or c == 0x17D4 or c == 0x1362


@njit(cache=True, nogil=True)
def _ends_sentence(codes, end, next_start, lower_or_digit, upper, word_kind):
    """Whether a sentence ends in the gap between two words: a stop, then only closing or opening
    quotes, brackets and spaces. The stops of other scripts (。 ؟ । ...) always end one; after
    ``. ! ?`` with a space, the next word must not begin in lower case; with none (run together), a
    lower-case letter must precede the stop and a capital follow it (``soldiers.The``, not
    ``U.S.`` or ``1.04``), or a word of a script written without spaces (``！日本``)."""
    spaced = False
    q = next_start - 1
    while q >= end:
        c = codes[q]
        if c == 32 or c == 9 or c == 10 or c == 13 or c == 0xA0 or c == 0x3000:
            spaced = True
        elif not _is_quote_or_bracket(c):
            break
        q -= 1
    if q >= end and _script_stop(codes[q]):
        return True
    if q < end or not (codes[q] == 46 or codes[q] == 33 or codes[q] == 63):  # . ! ?
        return False
    first = codes[next_start]
    if spaced:
        return not _is_lower(first, lower_or_digit)
    if word_kind[min(first, len(word_kind) - 1)] == 2 and codes[q] != 46:  # SEGMENTED
        return True
    capital = first < len(upper) and upper[first]
    return capital and _is_lower(codes[end - 1], lower_or_digit)


@njit(cache=True, nogil=True)
def _tokenize_codes(codes, doc_offsets, word_kind, fold_case, lower_or_digit, upper, edge, breaks, hashes, starts, ends, flags, doc_starts):
    """Words of documents joined by line breaks (``doc_offsets``: where each starts in ``codes``):
    hash, start and end (offsets into its document) and flags of each, and where each document's
    words start, written into the arrays given (``flags`` and ``doc_starts`` zeroed, all long
    enough); returns the number of words.

    A word is a run of word characters, cut where ``breaks`` (empty, or a byte per code point)
    says a word starts. Its hash is a polynomial over its folded code points modulo 2**64, mixed
    with their number by the SplitMix64 finalizer; invisible characters take no part in it.
    """
    n = len(codes)
    top_kind = len(word_kind) - 1
    top_fold = len(fold_case)
    cut = len(breaks) > 0
    salt = np.uint64(0xD6E8FEB86659FD93)
    base = np.uint64(0x100000001B3)
    n_docs = len(doc_offsets) - 1  # doc_starts: counts per document first, then their running sum
    doc = 0
    count = 0
    start = -1
    length = 0
    digit = False
    h = np.uint64(0)
    power = np.uint64(1)
    for p in range(n + 1):
        c = codes[p] if p < n else 10  # a line break past the end closes the last word
        kind = word_kind[min(c, top_kind)]
        if kind == 3:  # invisible (INVISIBLE): neither ends nor begins a word
            continue
        if start >= 0 and (kind == 0 or (cut and breaks[p] != 0)):  # the open word ends here
            hashes[count] = _mix64(h ^ (np.uint64(length) * salt))
            starts[count] = start
            ends[count] = p
            if digit:
                flags[count] |= DIGIT
            count += 1
            start = -1
        if kind == 0:
            continue
        f = np.uint64(fold_case[c]) if c < top_fold else np.uint64(c)
        if start < 0:  # a word begins: in which document (words never span two)
            while p >= doc_offsets[doc + 1]:
                doc += 1
            doc_starts[doc + 1] += 1
            start = p
            length = 0
            digit = False
            if c < len(upper) and upper[c]:
                flags[count] |= CAPITAL
            h = np.uint64(0)
            power = np.uint64(1)
        if 48 <= f <= 57:
            digit = True
        h += f * power
        power *= base
        length += 1
    for d in range(n_docs):
        doc_starts[d + 1] += doc_starts[d]
    d = 0  # the document of word t
    spaced_before = False  # a single space separates word t from the previous word
    for t in range(count):
        while t >= doc_starts[d + 1]:
            d += 1
        # Most gaps are one space (and the gap between two documents holds their line break):
        # nothing to find there.
        single_space = starts[t + 1] - ends[t] == 1 and codes[ends[t]] == 32 if t + 1 < count else False
        if not spaced_before:
            q = starts[t] - 1
            while q >= 0 and _is_edge(codes[q], edge):
                q -= 1
            if q < 0 or codes[q] == 10 or codes[q] == 13:
                flags[t] |= LINE_START
        if not single_space:
            q = ends[t]
            while q < n and _is_edge(codes[q], edge):
                q += 1
            if q >= n or codes[q] == 10 or codes[q] == 13:
                flags[t] |= LINE_END
        spaced_before = single_space
        if t + 1 < doc_starts[d + 1] and not single_space:  # the next word is in this document
            for q in range(ends[t], starts[t + 1]):
                if codes[q] == 10:
                    flags[t] |= BREAK_AFTER
                    break
            if _runs_together(codes, ends[t], starts[t + 1]):
                flags[t] |= RUN_TOGETHER
            if _cut_mark(codes, ends[t], starts[t + 1]):
                flags[t] |= CUT_MARK
            if _ends_sentence(codes, ends[t], starts[t + 1], lower_or_digit, upper, word_kind):
                flags[t + 1] |= SENTENCE_START
        starts[t] -= doc_offsets[d]
        ends[t] -= doc_offsets[d]
    return count


@njit(cache=True, nogil=True)
def _words_and_fingerprints(
    codes, doc_offsets, word_kind, fold_case, lower_or_digit, upper, edge, breaks, hashes, starts, ends, flags, doc_starts, ngram, window
):
    """:func:`_tokenize_codes`, then (``ngram`` > 0) the winnowed fingerprints of the words: one
    call, so a thread finding the words of a batch needs the GIL only before and after it."""
    count = _tokenize_codes(codes, doc_offsets, word_kind, fold_case, lower_or_digit, upper, edge, breaks, hashes, starts, ends, flags, doc_starts)
    if ngram <= 0:
        return count, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.uint64)
    grams = np.zeros(count, np.uint64)
    _ngram_hashes(hashes, doc_starts, ngram, np.arange(len(doc_starts) - 1), grams, np.zeros(count, np.bool_))
    positions, docs = _winnow(grams, doc_starts, ngram, window)
    return count, positions, docs, grams[positions]


def ngram_hashes(hashes: np.ndarray, doc_starts: np.ndarray, n: int, docs: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Hash of the ``n`` words starting at each word, and whether those words are in one document
    (the words of document ``d`` being ``doc_starts[d]:doc_starts[d + 1]``).

    Returns ``(grams, valid)``, both as long as ``hashes``; ``grams[t]`` is meaningful where
    ``valid[t]``. With ``docs``, only those documents' n-grams are hashed (0 and not valid
    elsewhere; the memory of the others is never touched).
    """
    # Allocated by numpy: zero pages until written, and huge pages where the system allows them.
    grams = np.zeros(len(hashes), np.uint64)
    valid = np.zeros(len(hashes), np.bool_)
    doc_starts = doc_starts.astype(np.int64, copy=False)
    docs = np.arange(len(doc_starts) - 1, dtype=np.int64) if docs is None else np.asarray(docs, np.int64)
    _ngram_hashes(hashes, doc_starts, n, docs, grams, valid)
    return grams, valid


@njit(cache=True, nogil=True)
def _ngram_hashes(hashes, doc_starts, n, docs, grams, valid):
    for d in docs:
        _doc_ngrams(hashes, doc_starts[d], doc_starts[d + 1], n, grams, valid)


@njit(cache=True, nogil=True)
def _doc_ngrams(hashes, lo, hi, n, grams, valid):
    """The n-gram hashes of words ``lo:hi``: each is ``mix(sum(hashes[t + k] * base**(n-1-k)))``
    modulo 2**64, the polynomial rolled from one n-gram to the next in constant time."""
    base = np.uint64(0x9E3779B97F4A7C15)
    if hi - lo < n:
        return
    top = np.uint64(1)  # base ** (n - 1): the weight of the word that leaves
    for _ in range(n - 1):
        top *= base
    acc = np.uint64(0)
    for k in range(n):
        acc = acc * base + hashes[lo + k]
    grams[lo] = _mix64(acc)
    valid[lo] = True
    for t in range(lo + 1, hi - n + 1):
        acc = (acc - hashes[t - 1] * top) * base + hashes[t + n - 1]
        grams[t] = _mix64(acc)
        valid[t] = True


def winnow(grams: np.ndarray, doc_starts: np.ndarray, n: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions (word indices) of the ``n``-grams selected by winnowing with window ``w``, and
    their documents.

    An n-gram is selected when it is the smallest in some window of ``w`` consecutive n-grams of its
    document; a document with fewer than ``w`` n-grams keeps all of them. Every window's minimum
    is kept, which is what the guarantee needs (ties, which 64-bit hashes make rare, keep all).
    """
    return _winnow(grams, doc_starts.astype(np.int64, copy=False), n, w)


@njit(cache=True, nogil=True)
def _winnow(grams, doc_starts, n, w):
    keep = np.zeros(len(grams), np.bool_)
    count = 0
    for d in range(len(doc_starts) - 1):
        lo, hi = doc_starts[d], doc_starts[d + 1] - n + 1  # this document's n-grams
        if hi <= lo:
            continue
        if hi - lo < w:  # too short for one window: keep all
            keep[lo:hi] = True
            count += hi - lo
            continue
        # The minimum is carried from window to window and found again only when it leaves.
        low = grams[lo]  # (the first window sets it)
        for start in range(lo, hi - w + 1):
            new = grams[start + w - 1]
            if start == lo or grams[start - 1] == low:
                low = grams[start]
                for q in range(start + 1, start + w):
                    low = min(low, grams[q])
                for q in range(start, start + w):
                    if grams[q] == low and not keep[q]:
                        keep[q] = True
                        count += 1
            elif new <= low:  # the old minimum is still inside: the new n-gram may beat or tie it
                low = new
                if not keep[start + w - 1]:
                    keep[start + w - 1] = True
                    count += 1
    positions = np.empty(count, np.int64)
    docs = np.empty(count, np.int64)
    m = 0
    for d in range(len(doc_starts) - 1):
        for t in range(doc_starts[d], doc_starts[d + 1]):
            if keep[t]:
                positions[m] = t
                docs[m] = d
                m += 1
    return positions, docs


def sort_with_index(keys: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted keys (all but their ``bits`` low bits) and the original index of each.

    The index is packed into the low bits so numpy's fast (SIMD) sort replaces a slower argsort;
    keys are hashes, so the dropped low bits cost nothing but a rare false match. ``bits`` must hold
    every index; keys sorted to be compared with each other must use the same ``bits``.
    """
    mask = np.uint64((1 << bits) - 1)
    packed = np.sort((keys & ~mask) | np.arange(len(keys), dtype=np.uint64))
    return packed >> np.uint64(bits), (packed & mask).astype(np.int64)


def find_sorted(sorted_keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of ``values`` is, or would go, among ``sorted_keys`` (ascending), and whether it
    is there: a binary search of each, where :func:`np.isin` would sort both."""
    at = np.searchsorted(sorted_keys, values)
    found = at < len(sorted_keys)
    found[found] = sorted_keys[at[found]] == values[found]
    return at, found


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
    chosen = np.zeros(len(seeds), bool)  # back in position order without a second sort
    chosen[positions[order[repeated]]] = True
    return np.flatnonzero(chosen)


@dataclass
class Words:
    """The words of a corpus: what fingerprinting and alignment share.

    Alignment seeds (the hash of the ``seed_size`` words starting at each word) are computed by
    :meth:`index_seeds`, only for the documents that take part in some pair.
    """

    tokens: Tokens
    texts: list[str]
    seed_size: int
    #: ``seeds[t]``: the hash of the ``seed_size`` words starting at word ``t``, for the words of
    #: the documents given to :meth:`index_seeds` (0 elsewhere). Set by it.
    seeds: np.ndarray | None = None
    #: Word positions whose seed k-gram lies inside its document, touches no masked word and occurs
    #: more than once among the documents to align: the only seeds that can match anything
    #: (sorted global word indices). Set by :meth:`index_seeds`.
    matchable: np.ndarray | None = None
    #: ``matchable[matchable_starts[d]:matchable_starts[d + 1]]`` are document ``d``'s.
    matchable_starts: np.ndarray | None = None

    #: Words that take no part in fingerprints or seeds (boilerplate), if any.
    masked: np.ndarray | None = None
    _line_table: tuple | None = field(default=None, repr=False)
    #: ``(ngram, window, positions, documents, hashes)`` of fingerprints winnowed while reading.
    _winnowed: tuple | None = field(default=None, repr=False)

    def exclude(self, masked: np.ndarray) -> None:
        """Keep the words where ``masked`` is set out of fingerprints and alignment seeds."""
        self.masked = masked
        self.seeds = self.matchable = self.matchable_starts = None

    def lines(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Lines of words (a line ends where a line break separates two words): each word's line,
        and per line its hash (of its words, in order), first word and document. Computed once."""
        if self._line_table is None:
            t = self.tokens
            self._line_table = lines_of(t.hashes, t.flags, t.doc_starts)
        return self._line_table

    def index_seeds(self, docs: np.ndarray | None = None) -> None:
        """Hash the seeds of ``docs`` (all documents when None) and find the matchable ones: what
        alignment joins.

        Only documents that take part in some pair need it, so a scan with few candidate pairs
        hashes and sorts few seeds.
        """
        t = self.tokens
        self.seeds, valid = ngram_hashes(t.hashes, t.doc_starts, self.seed_size, docs)
        if self.masked is not None:
            valid &= ~_touches(self.masked, self.seed_size)
        self.matchable = matchable_seeds(self.seeds, valid)
        self.matchable_starts = np.searchsorted(self.matchable, t.doc_starts)

    @classmethod
    def build(cls, texts: list[str], seed_size: int, batch_chars: int = 1_000_000, progress=None, workers: int = 1) -> "Words":
        """Tokenize ``texts`` in batches of about ``batch_chars`` characters, on ``workers`` threads
        (the compiled pass releases the GIL)."""
        builder = WordsBuilder(seed_size, batch_chars, workers)
        for text in texts:
            builder.add(text)
        return builder.finish(progress)

    def winnowed_unmasked(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The fingerprints winnowed while the words were found, boilerplate not yet known: their
        n-grams' first words, documents and hashes (a :class:`WordsBuilder` given ``ngram`` and
        ``window`` finds them)."""
        if self._winnowed is None:
            raise ValueError("these words were found without winnowing (WordsBuilder without ngram and window)")
        return self._winnowed[2:]

    def fingerprints(self, ngram: int, window: int) -> tuple[np.ndarray, np.ndarray]:
        """Winnowed fingerprints of every document: ``(hashes, document indices)``."""
        if self._winnowed is not None and self._winnowed[:2] == (ngram, window):
            # Winnowed while reading, before boilerplate was known: selections touching it are
            # dropped now. Every run of w + n - 1 unmasked words holds a whole window of unmasked
            # n-grams, whose minimum was selected, so the guarantee holds for unmasked text.
            _, _, positions, docs, hashes = self._winnowed
            if self.masked is None:
                return hashes, docs
            keep = ~_touches(self.masked, ngram)[positions]
            return hashes[keep], docs[keep]
        grams, _ = ngram_hashes(self.tokens.hashes, self.tokens.doc_starts, ngram)
        if self.masked is None:
            chosen, docs = winnow(grams, self.tokens.doc_starts, ngram, window)
            return grams[chosen], docs
        # Masked n-grams can never be a window's minimum (unless all of it is masked) and are
        # dropped after winnowing, so every shared run of unmasked words keeps its guarantee.
        hidden = _touches(self.masked, ngram)
        grams[hidden] = np.iinfo(np.uint64).max
        chosen, docs = winnow(grams, self.tokens.doc_starts, ngram, window)
        keep = ~hidden[chosen]
        return grams[chosen[keep]], docs[keep]


@dataclass
class _Batch:
    """What a worker thread finds in one batch of documents (positions local to the batch)."""

    tokens: Tokens
    fp_positions: np.ndarray | None = None  # winnowed n-grams: word positions, documents, hashes
    fp_docs: np.ndarray | None = None
    fp_hashes: np.ndarray | None = None


def _batch_words(texts: list[str], ngram: int | None, window: int | None) -> _Batch:
    if ngram is None or window is None:
        return _Batch(tokenize(texts))
    tokens, (positions, docs, hashes) = _tokenize(texts, ngram, window)
    return _Batch(tokens, positions, docs, hashes)


class WordsBuilder:
    """Builds :class:`Words` from texts given one at a time: each batch of about ``batch_chars``
    characters is tokenized on a worker thread as soon as it is complete, so the words of a corpus
    are found while the rest of it is still being read (the compiled passes release the GIL).
    Given ``ngram`` and ``window``, the workers winnow each batch's fingerprints too."""

    def __init__(self, seed_size: int, batch_chars: int = 1_000_000, workers: int = 1, ngram: int | None = None, window: int | None = None):
        self.seed_size = seed_size
        self.batch_chars = batch_chars
        self.ngram, self.window = ngram, window
        self.texts: list[str] = []
        self._pool = ThreadPoolExecutor(max(1, workers))
        self._batches: list[tuple[int, Future]] = []  # (documents in the batch, what its worker found)
        self._batch: list[str] = []
        self._size = 0

    def add(self, text: str) -> None:
        self.texts.append(text)
        self._batch.append(text)
        self._size += len(text)
        if self._size >= self.batch_chars:
            self._submit()

    def _submit(self) -> None:
        if self._batch:
            work = self._pool.submit(_batch_words, self._batch, self.ngram, self.window)
            self._batches.append((len(self._batch), work))
        self._batch, self._size = [], 0

    def close(self) -> None:
        """Drop the batches not yet tokenized (a run that stops early calls it)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def finish(self, progress=None) -> Words:
        """The words of every text added, in order (``progress`` advances by documents)."""
        self._submit()
        parts: list[_Batch] = []
        try:
            for n_docs, work in self._batches:
                parts.append(work.result())
                if progress:
                    progress.advance(n_docs)
        finally:
            self.close()
        tokens = Tokens.concat([b.tokens for b in parts])
        words = Words(tokens, self.texts, self.seed_size)
        if self.ngram is not None and not parts:
            words._winnowed = (self.ngram, self.window, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.uint64))
        elif self.ngram is not None:
            word_offsets = np.cumsum([0] + [len(b.tokens.hashes) for b in parts[:-1]])
            doc_offsets = np.cumsum([0] + [len(b.tokens) for b in parts[:-1]])
            words._winnowed = (
                self.ngram,
                self.window,
                np.concatenate([b.fp_positions + off for b, off in zip(parts, word_offsets)]),
                np.concatenate([b.fp_docs + off for b, off in zip(parts, doc_offsets)]),
                np.concatenate([b.fp_hashes for b in parts]),
            )
        return words


@njit(cache=True, nogil=True)
def _touches(masked, n):
    """Whether the ``n`` words starting at each word include a masked one."""
    out = np.zeros(len(masked), np.bool_)
    next_masked = len(masked) + n  # the nearest masked word at or after t (none: out of reach)
    for t in range(len(masked) - 1, -1, -1):
        if masked[t]:
            next_masked = t
        out[t] = next_masked < t + n
    return out


def lines_of(hashes: np.ndarray, flags: np.ndarray, doc_starts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """See :meth:`Words.lines`."""
    n = len(hashes)  # a line per word at most: numpy's pages past the last line are never touched
    line_of, line_first, line_doc = np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.int64)
    line_hash = np.empty(n, np.uint64)
    lines = _lines(hashes, flags, doc_starts.astype(np.int64, copy=False), line_of, line_hash, line_first, line_doc)
    return line_of, line_hash[:lines], line_first[:lines], line_doc[:lines]


@njit(cache=True, nogil=True)
def _lines(hashes, flags, doc_starts, line_of, line_hash, line_first, line_doc):
    """Fills :func:`lines_of`'s arrays; returns the number of lines."""
    lines = -1
    base = np.uint64(0x9E3779B97F4A7C15)
    for d in range(len(doc_starts) - 1):
        start_new = True
        for t in range(doc_starts[d], doc_starts[d + 1]):
            if start_new:
                lines += 1
                line_hash[lines] = np.uint64(0)
                line_first[lines] = t
                line_doc[lines] = d
            line_hash[lines] = line_hash[lines] * base + hashes[t]
            line_of[t] = lines
            start_new = (flags[t] & BREAK_AFTER) != 0
    for x in range(lines + 1):
        line_hash[x] = _mix64(line_hash[x])
    return lines + 1
