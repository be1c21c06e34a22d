"""The meaning stage of a scan (``scan --meaning``): pairs of documents aligned by meaning, in any
two of the encoder's languages or in other words, beside the lexical pairs.

1. Every document in a language of the encoder gets a lead vector: the mean of the vectors of its
   first :data:`~copytrace.match.meaning.LEAD_SENTENCES` sentences (a news article's lead says what it is about).
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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from copytrace.explain.credit import documents_credit, pair_names, parse_aliases
from copytrace.ingest.dates import document_time, first_by_dates
from copytrace.match.align import Passage
from copytrace.match.meaning import ENCODER_LANGUAGES, covered, document_vectors, found_by_words, lead_vector, meaning_passages
from copytrace.match.score import COPY, PARTIAL
from copytrace.match.stories import LEAD_SENTENCES as STORY_SENTENCES
from copytrace.match.stories import story_features, story_similarity
from copytrace.progress import Progress
from copytrace.settings import Settings
from copytrace.store.blocks import DocumentStore, to_documents
from copytrace.store.workspace import SCHEMAS, Workspace, doc_numbers

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


@dataclass
class Previous:
    """What an earlier scan of the workspace read by meaning, for ``add`` to use again: the old
    documents' texts do not change, so neither do their lead vectors, the story similarity of a
    pair of them, nor the passages by meaning of a pair of them (their credit is read again: it
    depends on dates, which ``add`` checks again)."""

    lead: tuple[np.ndarray, list[str]] | None  # lead vectors and their ids
    stories: dict[tuple[int, int], float]  # every pair read, by document numbers
    passages: dict[tuple[int, int], list[Passage]]  # every candidate pair by meaning: its passages (maybe none)


def previous_reading(ws: Workspace, ids: pa.ChunkedArray) -> Previous:
    """What the workspace's tables and index hold of an earlier reading by meaning (documents by
    their number among ``ids``)."""
    links = ws.table("story_links")
    pairs = ws.table("pairs", columns=["a_id", "b_id", "match"])
    passages = ws.table("passages")

    def numbered(table: pa.Table) -> list[tuple[int, int]]:
        return list(zip(doc_numbers(table.column("a_id"), ids).tolist(), doc_numbers(table.column("b_id"), ids).tolist()))

    lexical = set(numbered(pairs.filter(found_by_words(pairs.column("match")))))
    stories = dict(zip(numbered(links), links.column("story_similarity").to_pylist()))
    found: dict[tuple[int, int], list[Passage]] = {key: [] for key in stories if key not in lexical}
    by_meaning = passages.filter(pa.compute.invert(found_by_words(passages.column("match"))))
    columns = [by_meaning.column(c).to_pylist() for c in ("a_start", "a_end", "b_start", "b_end", "similarity", "match")]
    for key, *row in zip(numbered(by_meaning), *columns):
        found.setdefault(key, []).append(Passage(*row[:5], match=row[5]))
    return Previous(load_lead_vectors(ws.path), stories, found)


#: Runs the batches of one step (``"lead"``, ``"align"``, ``"stories"``) and gives their results
#: in order: in this process (:class:`LocalTasks`), or as Spark tasks (``jobs/spark.py``).
Tasks = Callable[[str, list], list]


class LocalTasks:
    """The steps' batches run here, one after another, with the sentence vectors of the documents
    encoded last kept for the next batches (a document is in several pairs)."""

    def __init__(self, store: DocumentStore, settings: Settings, progress: Progress):
        self.store, self.settings, self.progress = store, settings, progress
        self.threads = settings.workers or os.cpu_count() or 1
        self.vectors: dict[str, dict] = {}  # per step: the documents' sentence spans and vectors

    def __call__(self, step: str, batches: list) -> list:
        out = []
        for batch in batches:
            out.append(run_batch(step, self.store, batch, self.settings, self.threads, self.vectors.setdefault(step, {})))
            self.progress.advance(len(batch[0]))
        return out


def run_batch(step: str, store, batch: tuple, settings: Settings, threads: int, vectors: dict):
    """One batch of a step, from the documents in ``store`` (what a Spark task runs); ``vectors``
    keeps documents' sentence vectors from batch to batch of the step.

    - ``lead``: ``(docs,)`` → their lead vectors (float16 values);
    - ``align``: ``(pairs, docs, flags, langs, known)`` → rows of ``pairs``, ``passages`` and
      ``story_links`` for the pairs (document numbers), the documents' checked date flags and
      languages given, ``known`` what an earlier reading found of some of them;
    - ``stories``: ``(pairs, docs, langs)`` → the story similarity of each pair.
    """
    if step == "lead":
        (docs,) = batch
        texts = store.rows(docs, ["text"]).column("text").to_pylist()
        return np.array([lead_vector(text, threads) for text in texts], np.float16).reshape(-1, 512)
    if step == "align":
        pairs, docs, flags, langs, known = batch
        return _align_pairs(store, pairs, docs, flags, dict(zip(docs.tolist(), langs)), known, settings, threads, vectors)
    if step == "stories":
        pairs, docs, langs = batch
        lang = dict(zip(docs.tolist(), langs))
        texts = dict(zip(docs.tolist(), store.rows(docs, ["text"]).column("text").to_pylist())) if len(docs) else {}
        for d in texts:
            if d not in vectors:
                vectors[d] = document_vectors(texts[d], threads, STORY_SENTENCES)
        _forget(vectors)
        return [
            round(story_similarity(story_features(texts[a], texts[b], vectors[a][1], vectors[b][1], lang[a] == lang[b])), 6) for a, b in pairs
        ]
    raise ValueError(f"no step {step!r}")


def _forget(vectors: dict) -> None:
    """Keep the vectors of the :data:`KEPT_DOCUMENTS` documents used last."""
    while len(vectors) > KEPT_DOCUMENTS:
        del vectors[next(iter(vectors))]


def meaning_pairs(
    store: DocumentStore, meta: pa.Table, doc_sites: np.ndarray, lexical: pa.Table, settings: Settings, progress: Progress,
    workspace: Path | None = None, previous: Previous | None = None, tasks: Tasks | None = None,
) -> MeaningFound:
    """The pairs and passages found by meaning, and the story similarity of every pair read; the
    lead vectors are kept in ``workspace`` (:data:`LEAD_VECTORS`) when given. What a ``previous``
    reading found is used as it is, not encoded again (``add``). The batches of each step run on
    ``tasks`` (here by default). Lead vectors are rounded to float16, as they are kept, before they
    are compared, so an ``add`` that reads them back finds what a scan of everything finds."""
    tasks = tasks or LocalTasks(store, settings, progress)
    kept = previous.lead if previous is not None else None
    langs = np.array(meta.column("lang").to_pylist(), object)
    eligible = np.flatnonzero(np.isin(langs, list(ENCODER_LANGUAGES)))
    progress.stage("meaning", total=len(eligible), unit="documents")
    lead = np.zeros((len(eligible), 512), np.float32)
    todo = np.arange(len(eligible))
    if kept is not None:
        row_of = {doc_id: r for r, doc_id in enumerate(kept[1])}
        rows = np.array([row_of.get(d, -1) for d in meta.column("doc_id").take(pa.array(eligible)).to_pylist()], np.int64)
        lead[rows >= 0] = kept[0][rows[rows >= 0]]
        todo = np.flatnonzero(rows < 0)
        progress.advance(len(eligible) - len(todo))
    batches = [todo[lo : lo + BATCH_DOCS] for lo in range(0, len(todo), BATCH_DOCS)]
    for at, found in zip(batches, tasks("lead", [(eligible[at],) for at in batches])):
        lead[at] = found
    if workspace is not None:
        save_lead_vectors(workspace, lead, meta.column("doc_id").take(pa.array(eligible)))
    ids = meta.column("doc_id")
    lexical_pairs = list(zip(doc_numbers(lexical.column("a_id"), ids).tolist(), doc_numbers(lexical.column("b_id"), ids).tolist()))
    known = {(min(a, b), max(a, b)) for a, b in lexical_pairs}
    candidates = _nearest(lead, eligible, doc_sites, settings.same_site, known)

    progress.stage("meaning align", total=len(candidates), unit="pairs")
    found_before = previous.passages if previous is not None else {}
    stories_before = previous.stories if previous is not None else {}
    flags = meta.column("flags")
    align_batches = []
    for lo in range(0, len(candidates), BATCH_DOCS):
        batch = candidates[lo : lo + BATCH_DOCS]
        docs = np.unique(np.array(batch, np.int64).ravel())
        before = {pair: (found_before[pair], stories_before[pair]) for pair in batch if pair in found_before}
        align_batches.append((batch, docs, flags.take(pa.array(docs)).to_pylist(), langs[docs].tolist(), before))
    rows_found = tasks("align", align_batches)
    pairs, passages, links = (pa.concat_tables([r[k] for r in rows_found]) if rows_found else SCHEMAS[name].empty_table()
                              for k, name in enumerate(("pairs", "passages", "story_links")))

    readable = np.isin(langs, list(ENCODER_LANGUAGES))
    stories: list[float | None] = [None] * len(lexical_pairs)
    wanted = []
    for k, (a, b) in enumerate(lexical_pairs):
        if readable[a] and readable[b]:
            if (a, b) in stories_before:
                stories[k] = stories_before[a, b]
            else:
                wanted.append(k)
    progress.stage("stories", total=len(wanted), unit="pairs")
    story_batches = []
    for lo in range(0, len(wanted), BATCH_DOCS):
        batch = [lexical_pairs[k] for k in wanted[lo : lo + BATCH_DOCS]]
        docs = np.unique(np.array(batch, np.int64).ravel())
        story_batches.append((batch, docs, langs[docs].tolist()))
    for lo, values in zip(range(0, len(wanted), BATCH_DOCS), tasks("stories", story_batches)):
        for k, value in zip(wanted[lo : lo + BATCH_DOCS], values):
            stories[k] = value
    read = [k for k, s in enumerate(stories) if s is not None]
    lexical_links = pa.table({
        "a_id": lexical.column("a_id").take(pa.array(read, pa.int64())), "b_id": lexical.column("b_id").take(pa.array(read, pa.int64())),
        "story_similarity": pa.array([stories[k] for k in read], pa.float64()),
    }, schema=SCHEMAS["story_links"])
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


def _align_pairs(
    store, pairs: list[tuple[int, int]], docs: np.ndarray, flags: list, lang: dict, before: dict, settings: Settings, threads: int, vectors: dict,
) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Align one batch of candidate pairs by meaning (or take what an earlier reading found of a
    pair, ``before``: its passages and story similarity): rows of ``pairs``, ``passages`` and
    ``story_links``."""
    aliases = parse_aliases(settings.aliases)
    pair_rows: dict[str, list] = {name: [] for name in SCHEMAS["pairs"].names}
    passage_rows: dict[str, list] = {name: [] for name in SCHEMAS["passages"].names}
    link_rows: dict[str, list] = {name: [] for name in SCHEMAS["story_links"].names}
    rows = store.rows(docs)
    rows = rows.set_column(rows.schema.get_field_index("flags"), "flags", pa.array(flags, rows.schema.field("flags").type))  # the checked dates' flags
    documents = dict(zip(docs.tolist(), to_documents(rows)))
    needed = {d for pair in pairs if pair not in before for d in pair}
    for d, doc in documents.items():  # a document is in several pairs: encoded once while it is kept
        if d in needed:
            vectors[d] = vectors.pop(d) if d in vectors else document_vectors(doc.text, threads)  # (last used: kept longest)
    _forget(vectors)
    for a, b in pairs:
        doc_a, doc_b = documents[a], documents[b]
        if (a, b) in before:
            passages, story = before[a, b]
        else:
            same = lang[a] == lang[b]
            passages = meaning_passages(vectors[a], vectors[b], same, settings)
            story = round(story_similarity(story_features(doc_a.text, doc_b.text, vectors[a][1], vectors[b][1], same)), 6)
        for key, value in (("a_id", doc_a.doc_id), ("b_id", doc_b.doc_id), ("story_similarity", story)):
            link_rows[key].append(value)
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
