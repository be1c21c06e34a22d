"""The meaning stage of a scan (``scan --meaning``): pairs of documents aligned by meaning, in any
two of the encoder's languages or in other words, beside the lexical pairs.

1. Every document in a language of the encoder gets a lead vector: the mean of the vectors of its
   first :data:`LEAD_SENTENCES` sentences (a news article's lead says what it is about).
2. Candidates: each document's :data:`NEIGHBOURS` nearest documents by lead vector, of another site
   (or any, with ``same_site``), at cosine :data:`MIN_LEAD_COSINE` or more, that are not already a
   lexical pair. Found by blocked matrix products, exactly (memory stays within a block of
   :data:`BLOCK_ENTRIES`; the time grows with the square of the documents: an approximate index is
   the next step for large corpora).
3. Each candidate pair is aligned sentence by sentence (:func:`copytrace.match.meaning.align_sentences`,
   every sentence of both, up to the 1,000th), scored as ``compare`` scores it, and given the
   credit its texts state. Direction and copy trees come from the provenance stage, as for every
   pair.
4. Every candidate pair and every lexical pair of two documents the encoder reads gets its
   ``story_similarity`` (:mod:`copytrace.match.stories`): on the pairs found, and in
   ``story_links``, which ``copytrace stories`` groups articles by.

On parallel-news articles among other news, a translation was within the 5 nearest documents of
its source in every case (``benchmarks/translations.py`` measures the pairs themselves).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from copytrace.explain.credit import documents_credit, pair_names, parse_aliases
from copytrace.ingest.dates import document_time, first_by_dates
from copytrace.match.meaning import ENCODER_LANGUAGES, covered, document_vectors, encode_sentences, meaning_passages, sentence_spans
from copytrace.match.score import COPY, PARTIAL
from copytrace.match.stories import LEAD_SENTENCES as STORY_SENTENCES
from copytrace.match.stories import story_features, story_similarity
from copytrace.progress import Progress
from copytrace.settings import Settings
from copytrace.store.blocks import DocumentStore, to_documents
from copytrace.store.workspace import SCHEMAS

#: Sentences of each document its lead vector is the mean of.
LEAD_SENTENCES = 8
#: Nearest documents each document is paired with, at most.
NEIGHBOURS = 10
#: Lead vectors less similar than this are not candidates (translations: 0.69 at the 1st percentile).
MIN_LEAD_COSINE = 0.6
#: Documents read and encoded at a time.
BATCH_DOCS = 256
#: Documents whose sentence vectors are kept for the pairs still to align (about 40 KB each).
KEPT_DOCUMENTS = 20_000
#: Entries of the similarity matrix computed at a time (128 MB of float32): the rows of a block
#: are as many as fit.
BLOCK_ENTRIES = 1 << 25


@dataclass
class MeaningFound:
    """What the meaning stage adds to a scan."""

    pairs: pa.Table  # rows of ``pairs`` found by meaning
    passages: pa.Table  # their rows of ``passages``
    story_links: pa.Table  # every pair read by meaning, with its story_similarity
    lexical_story: pa.Array  # the story_similarity of each lexical pair (null: a language the encoder does not read)


#: Where a workspace keeps its documents' lead vectors (float16, a row per document the encoder
#: reads) and their ids: what search by meaning looks up.
LEAD_VECTORS, LEAD_IDS = Path("index") / "meaning-lead.npy", Path("index") / "meaning-lead-ids.parquet"


def meaning_pairs(
    store: DocumentStore, meta: pa.Table, doc_sites: np.ndarray, lexical: pa.Table, settings: Settings, progress: Progress,
    workspace: Path | None = None,
) -> MeaningFound:
    """The pairs and passages found by meaning, and the story similarity of every pair read; the
    lead vectors are kept in ``workspace`` (:data:`LEAD_VECTORS`) when given."""
    langs = np.array(meta.column("lang").to_pylist(), object)
    eligible = np.flatnonzero(np.isin(langs, list(ENCODER_LANGUAGES)))
    threads = settings.workers or os.cpu_count() or 1
    progress.stage("meaning", total=len(eligible), unit="documents")
    lead = np.zeros((len(eligible), 512), np.float32)
    for lo in range(0, len(eligible), BATCH_DOCS):
        docs = eligible[lo : lo + BATCH_DOCS]
        texts = store.rows(docs, ["text"]).column("text").to_pylist()
        sentences, owner = [], []
        for k, text in enumerate(texts):
            for s, e in sentence_spans(text)[:LEAD_SENTENCES]:
                sentences.append(text[s:e])
                owner.append(k)
        vectors = encode_sentences(sentences, threads)
        sums = np.zeros((len(docs), 512), np.float32)
        np.add.at(sums, np.array(owner, np.int64), vectors)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        lead[lo : lo + len(docs)] = np.where(norms > 0, sums / np.maximum(norms, 1e-9), 0)
        progress.advance(len(docs))
    if workspace is not None:
        save_lead_vectors(workspace, lead, meta.column("doc_id").take(pa.array(eligible)))
    ids = meta.column("doc_id").to_pylist()
    number = {doc_id: n for n, doc_id in enumerate(ids)}
    known = {tuple(sorted((number[a], number[b]))) for a, b in zip(lexical.column("a_id").to_pylist(), lexical.column("b_id").to_pylist())}
    candidates = _nearest(lead, eligible, doc_sites, settings.same_site, known)
    pairs, passages, links = _align(store, meta, candidates, langs, settings, progress)
    lexical_pairs = [(number[a], number[b]) for a, b in zip(lexical.column("a_id").to_pylist(), lexical.column("b_id").to_pylist())]
    stories = _lexical_stories(store, lexical_pairs, langs, threads, progress)
    ids_of = np.array(ids, object)
    read = [k for k, s in enumerate(stories) if s is not None]
    lexical_links = pa.table({
        "a_id": pa.array(ids_of[[lexical_pairs[k][0] for k in read]].tolist(), pa.string()),
        "b_id": pa.array(ids_of[[lexical_pairs[k][1] for k in read]].tolist(), pa.string()),
        "story_similarity": pa.array([stories[k] for k in read], pa.float64()),
    })
    return MeaningFound(pairs, passages, pa.concat_tables([lexical_links, links]), pa.array(stories, pa.float64()))


def save_lead_vectors(workspace: Path, lead: np.ndarray, ids: pa.Array) -> None:
    """Write the lead vectors (as float16: 1 KB a document) and their ids into the workspace."""
    (workspace / LEAD_VECTORS).parent.mkdir(parents=True, exist_ok=True)
    np.save(workspace / LEAD_VECTORS, lead.astype(np.float16))
    pq.write_table(pa.table({"doc_id": ids}), workspace / LEAD_IDS)


def load_lead_vectors(workspace: Path) -> tuple[np.ndarray, list[str]] | None:
    """The lead vectors a ``scan --meaning`` kept (float32, unit length) and their ids; None for a
    workspace scanned without ``--meaning``."""
    if not (workspace / LEAD_VECTORS).exists() or not (workspace / LEAD_IDS).exists():
        return None
    vectors = np.load(workspace / LEAD_VECTORS).astype(np.float32)
    ids = pq.read_table(workspace / LEAD_IDS).column("doc_id").to_pylist()
    return (vectors, ids) if len(ids) == len(vectors) else None


def _lexical_stories(store: DocumentStore, pairs: list[tuple[int, int]], langs: np.ndarray, threads: int, progress: Progress) -> list[float | None]:
    """The story similarity of the lexical pairs (document numbers), from the vectors of each
    document's first sentences (those the story model reads); None where a language is not the
    encoder's."""
    progress.stage("stories", total=len(pairs), unit="pairs")
    readable = np.isin(langs, list(ENCODER_LANGUAGES))
    out: list[float | None] = [None] * len(pairs)
    vectors: dict[int, np.ndarray] = {}
    for lo in range(0, len(pairs), BATCH_DOCS):
        batch = [(k, a, b) for k, (a, b) in enumerate(pairs[lo : lo + BATCH_DOCS], lo) if readable[a] and readable[b]]
        docs = np.unique(np.array([d for _, a, b in batch for d in (a, b)], np.int64))
        texts = dict(zip(docs.tolist(), store.rows(docs, ["text"]).column("text").to_pylist())) if len(docs) else {}
        fresh = [d for d in texts if d not in vectors]
        sentences, owner = [], []
        for d in fresh:
            text = texts[d]
            for s, e in sentence_spans(text)[:STORY_SENTENCES]:
                sentences.append(text[s:e])
                owner.append(d)
        encoded = encode_sentences(sentences, threads)
        owner_array = np.array(owner, np.int64)
        for d in fresh:
            vectors[d] = encoded[owner_array == d]
        for k, a, b in batch:
            features = story_features(texts[a], texts[b], vectors[a], vectors[b], langs[a] == langs[b])
            out[k] = round(story_similarity(features), 6)
        while len(vectors) > KEPT_DOCUMENTS:
            del vectors[next(iter(vectors))]
        progress.advance(min(BATCH_DOCS, len(pairs) - lo))
    return out


def _nearest(lead: np.ndarray, eligible: np.ndarray, doc_sites: np.ndarray, same_site: bool, known: set) -> list[tuple[int, int]]:
    """Candidate pairs (document numbers, ascending) by lead vector."""
    found: set[tuple[int, int]] = set()
    has_vector = np.linalg.norm(lead, axis=1) > 0
    sites = doc_sites[eligible]
    k = min(NEIGHBOURS, len(eligible) - 1)
    if k < 1:
        return []
    block = max(1, BLOCK_ENTRIES // len(eligible))
    for lo in range(0, len(eligible), block):
        sim = lead[lo : lo + block] @ lead.T
        rows = np.arange(lo, min(lo + block, len(eligible)))
        sim[rows - lo, rows] = -1  # not itself
        if not same_site:
            sim[(sites[rows, None] == sites[None, :]) & (sites[rows, None] >= 0)] = -1
        sim[:, ~has_vector] = -1
        top = np.argpartition(-sim, k - 1, axis=1)[:, :k]
        near = (np.take_along_axis(sim, top, axis=1) >= MIN_LEAD_COSINE) & has_vector[rows, None]
        r, c = np.broadcast_to(rows[:, None], top.shape)[near], top[near]
        first, second = np.minimum(eligible[r], eligible[c]), np.maximum(eligible[r], eligible[c])
        found.update(zip(first.tolist(), second.tolist()))
    return sorted(found - known)


def _align(store: DocumentStore, meta: pa.Table, candidates: list[tuple[int, int]], langs: np.ndarray, settings: Settings, progress: Progress) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Align the candidate pairs by meaning, a batch of their documents at a time: rows of
    ``pairs``, ``passages`` and ``story_links``."""
    progress.stage("meaning align", total=len(candidates), unit="pairs")
    aliases = parse_aliases(settings.aliases)
    threads = settings.workers or os.cpu_count() or 1
    vectors: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # the documents encoded last, in the order encoded
    pair_rows: dict[str, list] = {name: [] for name in SCHEMAS["pairs"].names}
    passage_rows: dict[str, list] = {name: [] for name in SCHEMAS["passages"].names}
    link_rows: dict[str, list] = {name: [] for name in SCHEMAS["story_links"].names}
    for lo in range(0, len(candidates), BATCH_DOCS):
        batch = candidates[lo : lo + BATCH_DOCS]
        docs = np.unique(np.array(batch, np.int64).ravel())
        rows = store.rows(docs)
        rows = rows.set_column(rows.schema.get_field_index("flags"), "flags", meta.column("flags").take(pa.array(docs)))  # the checked dates' flags
        documents = dict(zip(docs.tolist(), to_documents(rows)))
        for d, doc in documents.items():  # a document is in several pairs: encoded once while it is kept
            vectors[d] = vectors.pop(d) if d in vectors else document_vectors(doc.text, threads)  # (last used: kept longest)
        while len(vectors) > KEPT_DOCUMENTS:
            del vectors[next(iter(vectors))]
        for a, b in batch:
            doc_a, doc_b = documents[a], documents[b]
            passages = meaning_passages(vectors[a], vectors[b], langs[a] == langs[b], settings)
            story = round(story_similarity(story_features(doc_a.text, doc_b.text, vectors[a][1], vectors[b][1], langs[a] == langs[b])), 6)
            for key, value in (("a_id", doc_a.doc_id), ("b_id", doc_b.doc_id), ("story_similarity", story)):
                link_rows[key].append(value)
            progress.advance(1)
            if not passages:
                continue
            coverage_a = min(1.0, covered(passages, "a") / max(doc_a.chars, 1))
            coverage_b = min(1.0, covered(passages, "b") / max(doc_b.chars, 1))
            for p in passages:
                for key, value in (("a_id", doc_a.doc_id), ("b_id", doc_b.doc_id), ("a_start", p.a_start), ("a_end", p.a_end),
                                   ("b_start", p.b_start), ("b_end", p.b_end), ("similarity", round(p.similarity, 6)), ("match", p.match)):
                    passage_rows[key].append(value)
            when_a, when_b = (document_time(d.date, d.crawled_at, d.flags) for d in (doc_a, doc_b))
            credit = documents_credit(doc_a, doc_b, pair_names(doc_a, doc_b, aliases), first_by_dates(when_a, when_b, settings.date_confidence), ([], []), passages)
            row = {
                "a_id": doc_a.doc_id, "b_id": doc_b.doc_id, "coverage_a": round(coverage_a, 6), "coverage_b": round(coverage_b, 6),
                "n_passages": len(passages), "verdict": COPY if max(coverage_a, coverage_b) >= settings.copy_coverage else PARTIAL,
                "match": passages[0].match, "story_similarity": story, "shared_fingerprints": 0, "own_a": round(1 - coverage_a, 6), "own_b": round(1 - coverage_b, 6),
                "credit": credit.status, "credit_id": None if credit.doc is None else (doc_a.doc_id, doc_b.doc_id)[credit.doc],
                "credit_start": credit.start, "credit_end": credit.end, "credit_evidence": credit.evidence, "credit_kind": credit.kind,
            }
            for name in pair_rows:
                pair_rows[name].append(row.get(name))
    return (
        pa.Table.from_pydict(pair_rows, schema=SCHEMAS["pairs"]), pa.Table.from_pydict(passage_rows, schema=SCHEMAS["passages"]),
        pa.Table.from_pydict(link_rows, schema=SCHEMAS["story_links"]),
    )
