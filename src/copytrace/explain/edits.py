"""What changed between two aligned documents: the edit script, labelled.

Edits read from A to B: ``*_removed`` is text of A missing from B, ``*_added`` text of B missing
from A (which of the two is the copy is the provenance stage's question). They come from two places:

- **inside each aligned passage**: sentences are matched first (a sentence with no similar
  counterpart is removed or added whole, so an added paragraph is not threaded through its stray
  common words), then the word-level edit script of each pair of similar sentences (rapidfuzz's
  Indel opcodes over word hashes; a deletion next to an insertion is one substitution). Each change
  is labelled, most specific first: ``quote_removed`` (a whole quotation gone), ``quote_changed``
  (words inside quotation marks changed, added or removed), ``sentence_removed`` /
  ``sentence_added`` and ``paragraph_*`` (whole sentences or lines), ``number_changed`` (a word
  with a digit involved), ``name_changed`` (a capitalized word not starting a sentence),
  ``words_changed`` (anything else inside a sentence, with the words on each side); a removed
  sentence that is mostly a quotation is that ``quote_removed``;
- **around the passages**: whole sentences and lines of one side left between its passages (and,
  when one document is a copy of the other, before and after them) are ``sentence_*`` /
  ``paragraph_*`` (a few words at a sentence's edge, ``words_changed``); template text is ``boilerplate_added`` / ``boilerplate_removed``; a passage
  whose place in B breaks the order of the others is ``moved``; differing titles are
  ``headline_changed``.

Every edit carries character offsets into both texts as read (an empty range marks where text is
missing) and the text of each side. Labels degrade gracefully: unbalanced quotation marks give no
quote labels, scripts without capitals no names; offsets are never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Indel

from copytrace.match.fingerprint import BREAK_AFTER, CAPITAL, DIGIT, SENTENCE_START

QUOTE_REMOVED, QUOTE_CHANGED = "quote_removed", "quote_changed"
SENTENCE_REMOVED, SENTENCE_ADDED = "sentence_removed", "sentence_added"
PARAGRAPH_REMOVED, PARAGRAPH_ADDED = "paragraph_removed", "paragraph_added"
WORDS_CHANGED, NUMBER_CHANGED, NAME_CHANGED = "words_changed", "number_changed", "name_changed"
HEADLINE_CHANGED, MOVED = "headline_changed", "moved"
BOILERPLATE_ADDED, BOILERPLATE_REMOVED = "boilerplate_added", "boilerplate_removed"

KINDS = (
    QUOTE_REMOVED, QUOTE_CHANGED, SENTENCE_REMOVED, SENTENCE_ADDED, PARAGRAPH_REMOVED, PARAGRAPH_ADDED,
    WORDS_CHANGED, NUMBER_CHANGED, NAME_CHANGED, HEADLINE_CHANGED, MOVED, BOILERPLATE_ADDED, BOILERPLATE_REMOVED,
)

#: Quotation marks that open and the marks that may close them: straight, curly, guillemets either
#: way round (``«»`` French and Russian, ``»«`` German and Danish), low-9 double and single
#: (German, Polish, Czech), the corner brackets of Chinese and Japanese (「」『』). A quotation left
#: open at the end of a paragraph runs to its end: news style reopens it in the next paragraph
#: instead of closing it.
_QUOTATION = re.compile(
    r'"[^"\n]{2,}?(?:"|$)|“[^”“\n]{2,}?(?:”|$)|«[^»\n]{2,}?(?:»|$)|»[^«»\n]{2,}?(?:«|$)|„[^“”\n]{2,}?(?:[“”]|$)'
    r"|‚[^‘’\n]{2,}?[‘’](?!\w)|‘[^’\n]{2,}?’(?!\w)|「[^」\n]+?(?:」|$)|『[^』\n]+?(?:』|$)",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Edit:
    """One labelled change: ``a_start:a_end`` of A became ``b_start:b_end`` of B (an empty range
    marks where missing text would stand; None when the edit has no place in the text, such as a
    title known only from metadata)."""

    kind: str
    a_start: int | None
    a_end: int | None
    b_start: int | None
    b_end: int | None
    a_text: str
    b_text: str

    def to_dict(self) -> dict:
        return {
            "kind": self.kind, "a_start": self.a_start, "a_end": self.a_end, "b_start": self.b_start, "b_end": self.b_end,
            "a_text": self.a_text, "b_text": self.b_text,
        }


@dataclass
class Side:
    """One document as edit labelling reads it: its text, its words (hash, character range, line
    flags), its title and where its boilerplate stands."""

    text: str
    hashes: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    flags: np.ndarray
    title: str | None = None
    boilerplate: list[tuple[int, int]] | None = None

    def __post_init__(self) -> None:
        self._quotes: list[tuple[int, int]] | None = None
        self._flags = self.flags.tobytes()  # indexing bytes is far cheaper than a numpy array

    def __len__(self) -> int:
        return len(self.hashes)

    # --- text units -----------------------------------------------------------------------------
    def span(self, lo: int, hi: int) -> tuple[int, int]:
        """Characters of words ``lo:hi``; for no words, the point where they would stand."""
        if hi > lo:
            return int(self.starts[lo]), int(self.ends[hi - 1])
        at = int(self.ends[lo - 1]) if lo > 0 else (int(self.starts[0]) if len(self) else 0)
        return at, at

    def starts_line(self, t: int) -> bool:
        return t <= 0 or t >= len(self) or bool(self._flags[t - 1] & BREAK_AFTER)

    def starts_sentence(self, t: int) -> bool:
        """Whether word ``t`` begins a sentence (or ``t`` is the end of the text)."""
        return self.starts_line(t) or bool(self._flags[t] & SENTENCE_START)

    def any_flag(self, lo: int, hi: int, bit: int) -> bool:
        return any(f & bit for f in self._flags[lo:hi])

    def whole_sentences(self, lo: int, hi: int) -> bool:
        return hi > lo and self.starts_sentence(lo) and self.starts_sentence(hi)

    def whole_lines(self, lo: int, hi: int) -> bool:
        return hi > lo and self.starts_line(lo) and self.starts_line(hi)

    def sentences(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """Words ``lo:hi`` cut where sentences begin (the first and last may be pieces)."""
        if hi <= lo:
            return []
        begins = (self.flags[lo + 1 : hi] & SENTENCE_START) | (self.flags[lo : hi - 1] & BREAK_AFTER)
        cuts = (lo + 1 + np.flatnonzero(begins)).tolist()
        return list(zip([lo, *cuts], [*cuts, hi]))

    def quotes(self) -> list[tuple[int, int]]:
        """Character ranges of quotations, marks included (balanced marks on one line only)."""
        if self._quotes is None:
            self._quotes = [m.span() for m in _QUOTATION.finditer(self.text)]
        return self._quotes

    def quote_at(self, start: int, end: int) -> tuple[int, int] | None:
        """The quotation holding characters ``start:end`` (a point: the one around it), if any."""
        for q0, q1 in self.quotes():
            if q0 < end and start < q1 if end > start else q0 < start < q1:
                return q0, q1
        return None

    def words_in(self, start: int, end: int) -> tuple[int, int]:
        """Words lying inside characters ``start:end``."""
        return int(np.searchsorted(self.starts, start, "left")), int(np.searchsorted(self.ends, end, "right"))

    def in_boilerplate(self, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in self.boilerplate or ())


def pair_edits(a: Side, b: Side, passages, copy_like: bool) -> list[Edit]:
    """The labelled edits from A to B, given their aligned ``passages`` (objects with ``a_start``,
    ``a_end``, ``b_start``, ``b_end``). ``copy_like``: one document is mostly inside the other, so
    text before and after the passages is part of the story too."""
    edits: list[Edit] = []
    ranges = [(*a.words_in(p.a_start, p.a_end), *b.words_in(p.b_start, p.b_end)) for p in passages]
    for x, (a_lo, a_hi, b_lo, b_hi) in enumerate(ranges):
        others = ranges[:x] + ranges[x + 1 :]  # text aligned elsewhere (moved) is neither removed nor added
        edits += _inside(a, b, a_lo, a_hi, b_lo, b_hi, [(r[0], r[1]) for r in others], [(r[2], r[3]) for r in others])
    edits += _moved(a, b, ranges)
    edits += _around(a, b, [(r[0], r[1]) for r in ranges], copy_like, True)
    edits += _around(b, a, [(r[2], r[3]) for r in ranges], copy_like, False)
    headline = _headline(a, b)
    if headline:  # the title's own changes are that one edit
        h = headline[0]
        edits = [e for e in edits if not (_hits(e.a_start, e.a_end, h.a_start, h.a_end) or _hits(e.b_start, e.b_end, h.b_start, h.b_end))]
    edits += headline
    cut = [e for e in edits if e.kind == QUOTE_REMOVED]
    if len(cut) > 1:  # a quotation cut across several sentences is one edit
        first = {}
        for e in cut:
            first.setdefault((e.a_start, e.a_end), e)
        edits = [e for e in edits if e.kind != QUOTE_REMOVED or first[(e.a_start, e.a_end)] is e]
    edits.sort(key=lambda e: (e.a_start if e.a_start is not None else -1, e.b_start if e.b_start is not None else -1, e.kind))
    return edits


def _hits(lo: int | None, hi: int | None, h_lo: int | None, h_hi: int | None) -> bool:
    return lo is not None and h_lo is not None and lo <= h_hi and h_lo <= hi


def _make(kind: str, a: Side, b: Side, a_span: tuple[int, int] | None, b_span: tuple[int, int] | None) -> Edit:
    a0, a1 = a_span if a_span else (None, None)
    b0, b1 = b_span if b_span else (None, None)
    return Edit(kind, a0, a1, b0, b1, a.text[a0:a1] if a_span else "", b.text[b0:b1] if b_span else "")


def _inside(a: Side, b: Side, a_lo: int, a_hi: int, b_lo: int, b_hi: int, a_elsewhere=(), b_elsewhere=()) -> list[Edit]:
    """Labelled changes within one passage, in two passes: sentences first (a sentence present on
    one side only is removed or added whole), then the words of each pair of similar sentences
    that differ. Diffing words alone would thread an added paragraph through stray common words
    ("and", "said") and report it as a dozen small changes."""
    a_sents, b_sents = a.sentences(a_lo, a_hi), b.sentences(b_lo, b_hi)
    a_keys = [hash(a.hashes[lo:hi].tobytes()) for lo, hi in a_sents]
    b_keys = [hash(b.hashes[lo:hi].tobytes()) for lo, hi in b_sents]
    edits: list[Edit] = []
    changed: list[list[int]] = []  # runs of changed sentences: [i0, i1, j0, j1]
    for op in Indel.opcodes(a_keys, b_keys):
        if op.tag == "equal":
            continue
        if changed and changed[-1][1] == op.src_start and changed[-1][3] == op.dest_start:
            changed[-1][1], changed[-1][3] = op.src_end, op.dest_end
        else:
            changed.append([op.src_start, op.src_end, op.dest_start, op.dest_end])
    for i0, i1, j0, j1 in changed:
        removed, added = [], []
        j = j0
        for i in range(i0, i1):
            match = next((k for k in range(j, min(j1, j + 4)) if _similar(a, b, a_sents[i], b_sents[k])), None)
            if match is None:
                removed.append(a_sents[i])
                continue
            added += b_sents[j:match]
            j = match + 1
            edits += _word_edits(a, b, *a_sents[i], *b_sents[match])
        added += b_sents[j:j1]
        removed = [r for r in removed if not _within(r, a_elsewhere)]
        added = [r for r in added if not _within(r, b_elsewhere)]
        edits += _whole(a, b, removed, True) + _whole(b, a, added, False)
    return edits


def _within(sentence: tuple[int, int], ranges) -> bool:
    lo, hi = sentence
    return any(r_lo <= lo and hi <= r_hi for r_lo, r_hi in ranges)


#: Two sentences this similar (Indel, on words) are one sentence edited, not one removed and one added.
SIMILAR_SENTENCE = 0.5
#: ... or this similar once the quotations of one of them are taken out (a quote was cut).
SIMILAR_WITHOUT_QUOTE = 0.8


def _similar(a: Side, b: Side, a_sent: tuple[int, int], b_sent: tuple[int, int]) -> bool:
    """Whether two sentences are versions of one: similar words, or similar once a quotation is
    taken out of either (``"We will win," he said.`` and ``he said.``)."""
    wa, wb = a.hashes[slice(*a_sent)].tolist(), b.hashes[slice(*b_sent)].tolist()
    if Indel.normalized_similarity(wa, wb) >= SIMILAR_SENTENCE:
        return True
    for side, sent, words, other in ((a, a_sent, wa, wb), (b, b_sent, wb, wa)):
        start, end = side.span(*sent)
        inside = [side.words_in(q0, q1) for q0, q1 in side.quotes() if q0 < end and start < q1]
        if inside:
            kept = [w for t, w in enumerate(words, sent[0]) if not any(lo <= t < hi for lo, hi in inside)]
            if kept and Indel.normalized_similarity(kept, other) >= SIMILAR_WITHOUT_QUOTE:
                return True
    return False


#: A removed sentence this much inside a quotation is that quotation cut (``"...," he said.``).
QUOTED_SHARE = 0.7


def _mostly_quoted(side: Side, span: tuple[int, int]) -> tuple[int, int] | None:
    """The quotation that makes up most of ``span``, if one does."""
    q = side.quote_at(*span)
    if q and min(q[1], span[1]) - max(q[0], span[0]) >= QUOTED_SHARE * (span[1] - span[0]):
        return q
    return None


def _whole(side: Side, other: Side, sentences: list[tuple[int, int]], side_is_a: bool) -> list[Edit]:
    """Sentences of one side with no counterpart: whole lines as paragraphs, else each sentence."""
    edits, run = [], []
    sentence_kind, paragraph_kind = (SENTENCE_REMOVED, PARAGRAPH_REMOVED) if side_is_a else (SENTENCE_ADDED, PARAGRAPH_ADDED)
    if side_is_a:  # sentences that are mostly a quotation: the quotation was cut
        kept = []
        for sentence in sentences:
            q = _mostly_quoted(side, side.span(*sentence))
            if q:
                edits.append(_place(QUOTE_REMOVED, side, other, q, True))
            else:
                kept.append(sentence)
        sentences = kept
    for lo, hi in sentences + [(-1, -1)]:
        if run and (lo != run[-1][1] or side.starts_line(lo)):  # a run of adjacent sentences of one line ends
            r_lo, r_hi = run[0][0], run[-1][1]
            if side.whole_lines(r_lo, r_hi):
                edits.append(_place(paragraph_kind, side, other, side.span(r_lo, r_hi), side_is_a))
            else:
                edits += [_place(sentence_kind, side, other, side.span(s, e), side_is_a) for s, e in run]
            run = []
        if lo >= 0:
            run.append((lo, hi))
    return edits


def _word_edits(a: Side, b: Side, a_lo: int, a_hi: int, b_lo: int, b_hi: int) -> list[Edit]:
    """Labelled word changes between two versions of one sentence."""
    blocks: list[list[int]] = []  # [a_lo, a_hi, b_lo, b_hi] of runs of changes
    for op in Indel.opcodes(a.hashes[a_lo:a_hi].tolist(), b.hashes[b_lo:b_hi].tolist()):
        if op.tag == "equal":
            continue
        i0, i1, j0, j1 = a_lo + op.src_start, a_lo + op.src_end, b_lo + op.dest_start, b_lo + op.dest_end
        if blocks and blocks[-1][1] == i0 and blocks[-1][3] == j0:
            blocks[-1][1], blocks[-1][3] = i1, j1
        else:
            blocks.append([i0, i1, j0, j1])
    return [_label(a, b, *block) for block in blocks]


def _label(a: Side, b: Side, i0: int, i1: int, j0: int, j1: int) -> Edit:
    """The label of one change: words ``i0:i1`` of A became words ``j0:j1`` of B."""
    a_span, b_span = a.span(i0, i1), b.span(j0, j1)
    # Quotations: a whole one gone, or words inside one changed (on either side).
    qa = a.quote_at(*a_span)
    if i1 > i0 and qa and j1 == j0:
        q_lo, q_hi = a.words_in(*qa)
        # the quotation's words, all of them or all from its start or to its end (one may run on
        # into the next sentence), a word of slack
        if (i0 <= q_lo + 1 and (q_hi <= i1 + 1 or a.starts_sentence(i1))) or (q_hi <= i1 + 1 and a.starts_sentence(i0)):
            return _make(QUOTE_REMOVED, a, b, qa, b_span)
    if qa or b.quote_at(*b_span):
        return _make(QUOTE_CHANGED, a, b, a_span, b_span)
    # Whole sentences or lines removed or added.
    if j1 == j0 and a.whole_sentences(i0, i1):
        return _make(PARAGRAPH_REMOVED if a.whole_lines(i0, i1) else SENTENCE_REMOVED, a, b, a_span, b_span)
    if i1 == i0 and b.whole_sentences(j0, j1):
        return _make(PARAGRAPH_ADDED if b.whole_lines(j0, j1) else SENTENCE_ADDED, a, b, a_span, b_span)
    if a.any_flag(i0, i1, DIGIT) or b.any_flag(j0, j1, DIGIT):
        return _make(NUMBER_CHANGED, a, b, a_span, b_span)
    if i1 > i0 and j1 > j0 and (_has_name(a, i0, i1) or _has_name(b, j0, j1)):
        return _make(NAME_CHANGED, a, b, a_span, b_span)
    return _make(WORDS_CHANGED, a, b, a_span, b_span)


def _has_name(side: Side, lo: int, hi: int) -> bool:
    """Whether a capitalized word that does not begin a sentence lies in words ``lo:hi``."""
    return any(f & CAPITAL and not side.starts_sentence(t) for t, f in enumerate(side._flags[lo:hi], lo))


def _moved(a: Side, b: Side, ranges: list[tuple[int, int, int, int]]) -> list[Edit]:
    """Passages out of order: those outside the longest run of passages in the same order in both."""
    if len(ranges) < 2:
        return []
    order = sorted(range(len(ranges)), key=lambda x: ranges[x][0])
    b_pos = [ranges[x][2] for x in order]
    # longest increasing subsequence of B positions, by words kept (O(n^2): few passages per pair)
    weight = [ranges[x][1] - ranges[x][0] for x in order]
    best, back = list(weight), [-1] * len(order)
    for i in range(len(order)):
        for j in range(i):
            if b_pos[j] < b_pos[i] and best[j] + weight[i] > best[i]:
                best[i], back[i] = best[j] + weight[i], j
    keep, i = set(), max(range(len(order)), key=best.__getitem__)
    while i >= 0:
        keep.add(i)
        i = back[i]
    return [
        _make(MOVED, a, b, a.span(ranges[x][0], ranges[x][1]), b.span(ranges[x][2], ranges[x][3]))
        for i, x in enumerate(order) if i not in keep
    ]


def _around(side: Side, other: Side, ranges: list[tuple[int, int]], copy_like: bool, side_is_a: bool) -> list[Edit]:
    """Whole sentences and lines of ``side`` outside its passages: between them always, before and
    after them when one document is a copy of the other; template text as boilerplate."""
    sentence_kind, paragraph_kind = (SENTENCE_REMOVED, PARAGRAPH_REMOVED) if side_is_a else (SENTENCE_ADDED, PARAGRAPH_ADDED)
    boilerplate_kind = BOILERPLATE_REMOVED if side_is_a else BOILERPLATE_ADDED
    edits: list[Edit] = []
    for s, e in side.boilerplate or ():
        edits.append(_place(boilerplate_kind, side, other, (s, e), side_is_a))
    covered = sorted(ranges)
    if not covered:
        return edits
    gaps = []
    cursor = 0 if copy_like else covered[0][1]
    for lo, hi in covered:
        if lo > cursor:
            gaps.append((cursor, lo))
        cursor = max(cursor, hi)
    if copy_like and cursor < len(side):
        gaps.append((cursor, len(side)))
    for lo, hi in gaps:
        breaks = (lo + 1 + np.flatnonzero(side.flags[lo : hi - 1] & BREAK_AFTER)).tolist()
        for t, end in zip([lo, *breaks], [*breaks, hi]):  # the gap's lines, then whole sentences
            span = side.span(t, end)
            quote = _mostly_quoted(side, span) if side_is_a else None
            if side.in_boilerplate(*span):
                pass
            elif quote:
                edits.append(_place(QUOTE_REMOVED, side, other, quote, True))
            elif side.whole_lines(t, end) and end - t >= 3:
                edits.append(_place(paragraph_kind, side, other, span, side_is_a))
            else:
                whole = _sentences_in(side, other, t, end, sentence_kind, side_is_a)
                if not whole and end - t <= MAX_FRAGMENT_WORDS:  # a few words cut from a sentence's edge
                    whole = [_place(WORDS_CHANGED, side, other, span, side_is_a)]
                edits += whole
    return edits


#: Words outside the passages but inside a sentence they share, up to this many, are a words change.
MAX_FRAGMENT_WORDS = 12


def _sentences_in(side: Side, other: Side, lo: int, hi: int, kind: str, side_is_a: bool) -> list[Edit]:
    """Whole sentences (3+ words) lying inside words ``lo:hi`` of a line; fragments are left alone."""
    return [
        _place(kind, side, other, side.span(s, e), side_is_a)
        for s, e in side.sentences(lo, hi)
        if e - s >= 3 and side.starts_sentence(s) and side.starts_sentence(e)
    ]


def _place(kind: str, side: Side, other: Side, span: tuple[int, int], side_is_a: bool) -> Edit:
    """An edit with text on one side only (the other side: no place)."""
    if side_is_a:
        return _make(kind, side, other, span, None)
    return _make(kind, other, side, None, span)


def _headline(a: Side, b: Side) -> list[Edit]:
    """Titles known on both sides that differ (ignoring case, spacing and punctuation)."""
    if not a.title or not b.title or _plain(a.title) == _plain(b.title):
        return []
    spans = []
    for side in (a, b):
        at = side.text.find(side.title)
        spans.append((at, at + len(side.title)) if at >= 0 else None)
    edit = _make(HEADLINE_CHANGED, a, b, spans[0], spans[1])
    return [Edit(edit.kind, edit.a_start, edit.a_end, edit.b_start, edit.b_end, a.title, b.title)]


def _plain(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def side_of(words, d: int, title: str | None = None, boilerplate: list[tuple[int, int]] | None = None) -> Side:
    """Document ``d`` of ``words`` (a :class:`copytrace.match.fingerprint.Words`) as one side of a pair."""
    t = words.tokens
    lo, hi = t.doc_starts[d], t.doc_starts[d + 1]
    return Side(words.texts[d], t.hashes[lo:hi], t.starts[lo:hi], t.ends[lo:hi], t.flags[lo:hi], title, boilerplate)
