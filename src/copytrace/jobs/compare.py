"""Compare two documents: every passage of one that reappears in the other."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from copytrace.explain.credit import UNKNOWN, Credit, credited_sites, documents_credit, pair_names, parse_aliases
from copytrace.explain.edits import Edit, pair_edits, side_of
from copytrace.explain.provenance import Direction, compare_direction
from copytrace.ingest.dates import check_dates, document_time, first_by_dates
from copytrace.ingest.languages import detect_languages
from copytrace.ingest.read import read_inputs
from copytrace.ingest.records import Document, Reject
from copytrace.match.align import Passage, align_batch
from copytrace.match.artifacts import flag_documents
from copytrace.match.boilerplate import boilerplate_spans, find_boilerplate
from copytrace.match.fingerprint import Words
from copytrace.match.meaning import ENCODER_LANGUAGES, covered, document_vectors, meaning_passages
from copytrace.match.score import COPY, NONE, PARTIAL, score_pairs
from copytrace.match.stories import story_features, story_similarity
from copytrace.settings import Settings


class InputError(ValueError):
    """An input that cannot be compared (missing, not text, empty, ...)."""


@dataclass
class Comparison:
    """The passages documents ``a`` and ``b`` share, and how much of each they cover."""

    a: Document
    b: Document
    passages: list[Passage]
    coverage_a: float
    coverage_b: float
    verdict: str
    notes: list[str] = field(default_factory=list)  # repairs made while reading the inputs
    #: Where each text has boilerplate (kept out of matching): ``{"a": [(start, end), ...], "b": ...}``.
    boilerplate: dict[str, list[tuple[int, int]]] = field(default_factory=lambda: {"a": [], "b": []})
    #: What changed from A to B, labelled (:mod:`copytrace.explain.edits`).
    edits: list[Edit] = field(default_factory=list)
    #: Whether the copy names its source (:mod:`copytrace.explain.credit`).
    credit: Credit = field(default_factory=lambda: Credit(UNKNOWN))
    #: Which one came first, why, and how sure (:func:`copytrace.explain.provenance.pair_direction`).
    direction: Direction = field(default_factory=lambda: Direction(None, "none", 0.0, "they share no text"))
    #: What each text credits, sites known or not (:func:`copytrace.explain.credit.credited_sites`).
    attributions: dict[str, list[dict]] = field(default_factory=lambda: {"a": [], "b": []})
    #: How likely the two report the same story, in [0, 1] (:mod:`copytrace.match.stories`); None
    #: when the texts were not read by meaning (one language without ``meaning``, or a language
    #: the encoder does not read).
    story_similarity: float | None = None

    def to_dict(self) -> dict:
        """The ``copytrace compare --json`` object (see the README)."""

        def describe(doc: Document) -> dict:
            return {"id": doc.doc_id, "chars": doc.chars, "title": doc.title, "site": doc.site, "date": doc.date, "lang": doc.lang, "flags": doc.flags}

        return {
            "a": describe(self.a),
            "b": describe(self.b),
            "verdict": self.verdict,
            "story_similarity": None if self.story_similarity is None else round(self.story_similarity, 4),
            "coverage_a": round(self.coverage_a, 4),
            "coverage_b": round(self.coverage_b, 4),
            "passages": [p.to_dict() for p in self.passages],
            "boilerplate": {side: [{"start": s, "end": e} for s, e in spans] for side, spans in self.boilerplate.items()},
            "edits": [e.to_dict() for e in self.edits],
            "credit": {
                "status": self.credit.status,
                "doc": None if self.credit.doc is None else "ab"[self.credit.doc],
                "start": self.credit.start,
                "end": self.credit.end,
                "evidence": self.credit.evidence,
                "kind": self.credit.kind,
            },
            "attributions": self.attributions,
            "direction": {
                "first": None if self.direction.first is None else "ab"[self.direction.first],
                "evidence": self.direction.evidence,
                "confidence": self.direction.confidence,
                "detail": self.direction.detail,
            },
        }


def load_document(path: str | os.PathLike, settings: Settings | None = None) -> tuple[Document, list[str]]:
    """One document from a text file, a one-article JSON file or a saved page, with notes on any
    repairs.

    Raises :class:`InputError` with the reason when the file gives no usable document.
    """
    settings = settings or Settings()
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    docs, notes = [], []
    for record in read_inputs([path], max_chars=settings.max_chars, site_by=settings.site_by):
        if isinstance(record, Reject):
            if record.outcome == "kept":
                notes.append(record.message())
            else:
                raise InputError(record.message())
        else:
            docs.append(record)
    if len(docs) != 1:
        raise InputError(f"{path}: holds {len(docs)} articles; compare takes files of one article each")
    return docs[0], notes


def compare_documents(a: Document, b: Document, settings: Settings | None = None) -> Comparison:
    """Align two documents and score the pair."""
    settings = settings or Settings()
    words = Words.build([a.text, b.text], settings.seed)
    a.flags, b.flags = flag_documents(words, [a.title, b.title])
    for doc, lang in zip((a, b), detect_languages([a.text, b.text])):
        doc.lang = doc.lang or lang
    # Two documents teach no site's template; the built-in boilerplate patterns still apply.
    template = find_boilerplate(words, np.array([-1, -1]), [], settings.boilerplate_min_pages, settings.boilerplate_share)
    words.exclude(template.masked)
    docs, starts, ends = boilerplate_spans(words, template.masked)
    spans = {side: [(int(s), int(e)) for s, e in zip(starts[docs == d], ends[docs == d])] for d, side in enumerate("ab")}
    aligned = align_batch(words, [0], [1], settings)
    scores = score_pairs(aligned, np.array([a.chars]), np.array([b.chars]), settings.copy_coverage)
    lexical = aligned.passages(0) if len(scores.pair) else []
    coverage = (float(scores.coverage_a[0]), float(scores.coverage_b[0])) if lexical else (0.0, 0.0)
    by_meaning, story = _by_meaning(a, b, lexical, settings)
    if not lexical and not by_meaning:
        return Comparison(a, b, [], 0.0, 0.0, NONE, boilerplate=spans, story_similarity=story)
    passages = sorted(lexical + by_meaning, key=lambda p: (p.a_start, p.b_start))
    coverage = (  # (a run of sentences may bridge a sentence too short to align: at most the whole text)
        min(1.0, coverage[0] + covered(by_meaning, "a") / max(a.chars, 1)), min(1.0, coverage[1] + covered(by_meaning, "b") / max(b.chars, 1))
    )
    verdict = COPY if max(coverage) >= settings.copy_coverage else PARTIAL
    # Edits are the word-level changes of the lexical passages: across languages there is no word diff.
    edits = pair_edits(side_of(words, 0, a.title, spans["a"]), side_of(words, 1, b.title, spans["b"]), lexical, str(scores.verdict[0]) == COPY) if lexical else []
    for problem in check_dates([a, b], settings.earliest_date, settings.batch_timestamp_min):
        (a, b)[problem.index].flags.append(problem.flag)
    when = (document_time(a.date, a.crawled_at, a.flags), document_time(b.date, b.crawled_at, b.flags))
    aliases = pair_names(a, b, parse_aliases(settings.aliases))
    credit = documents_credit(a, b, aliases, first_by_dates(*when, settings.date_confidence), (spans["a"], spans["b"]), passages)
    direction = compare_direction(
        (a.chars, b.chars), when, passages, edits, (spans["a"], spans["b"]), credit.status, credit.doc, (credit.start, credit.end),
        settings, ("A", "B"),
    )
    return Comparison(
        a, b, passages, coverage[0], coverage[1], verdict, boilerplate=spans, edits=edits, credit=credit,
        direction=direction, attributions={"a": credited_sites(a.text, aliases), "b": credited_sites(b.text, aliases)},
        story_similarity=story,
    )


def _by_meaning(a: Document, b: Document, lexical: list[Passage], settings: Settings) -> tuple[list[Passage], float | None]:
    """The passages of A and B aligned by meaning outside the lexical ones, and how likely the two
    report one story: always for two texts in different languages the encoder reads, and for one
    language with ``settings.meaning``."""
    if a.lang not in ENCODER_LANGUAGES or b.lang not in ENCODER_LANGUAGES or (a.lang == b.lang and not settings.meaning):
        return [], None
    a_read = document_vectors(a.text, settings.workers or 1)
    b_read = document_vectors(b.text, settings.workers or 1)
    story = story_similarity(story_features(a.text, b.text, a_read[1], b_read[1], a.lang == b.lang))
    lexical_a, lexical_b = [(p.a_start, p.a_end) for p in lexical], [(p.b_start, p.b_end) for p in lexical]
    return meaning_passages(a_read, b_read, a.lang == b.lang, settings, lexical_a, lexical_b), story


def compare(a: str | os.PathLike | Document, b: str | os.PathLike | Document, settings: Settings | None = None) -> Comparison:
    """Compare two files (text or one-article JSON) or :class:`Document` objects."""
    notes: list[str] = []
    docs = []
    for item in (a, b):
        if isinstance(item, Document):
            docs.append(item)
        else:
            doc, more = load_document(item, settings)
            docs.append(doc)
            notes += more
    result = compare_documents(docs[0], docs[1], settings)
    result.notes = notes
    return result


def compare_texts(text_a: str, text_b: str, settings: Settings | None = None) -> Comparison:
    """Compare two strings (ids ``a`` and ``b``)."""
    return compare_documents(Document("a", text_a, "<text a>"), Document("b", text_b, "<text b>"), settings)
