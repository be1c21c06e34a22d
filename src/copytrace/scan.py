"""The scan job: find all reuse in a corpus and write the workspace tables.

read → words → boilerplate → fingerprints → candidates → align → score → edits and credit →
provenance (directions, cascades, site statistics), with the documents and rejects written once
their words (which the artifact flags need) are found, the align stage's tables when it ends, and
the provenance tables (and ``pairs`` again, with its direction columns) after them, each
atomically. The manifest
records finished stages with a signature of the inputs and the settings, so a scan that was
interrupted, or is run again on the same inputs, picks up what is already done.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import threading
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute  # Array.take needs it: loaded with copytrace, not during a scan

from .align import Aligned, align_batch
from .artifacts import flag_documents
from .boilerplate import boilerplate_spans, find_boilerplate
from .candidates import candidate_pairs
from .credit import Credit, pair_credit, parse_aliases
from .dates import Moment, check_dates, document_time, first_by_dates
from .edits import Side, pair_edits, side_of
from .fingerprint import Words, WordsBuilder, kernels_compiled, load_kernels
from .progress import Progress, Silent
from .provenance import Provenance, trace_provenance
from .read import Document, Reject, iter_files, read_inputs
from .score import COPY, PARTIAL, score_pairs
from .settings import STAGE_OF, Settings
from .site_stats import site_tables
from .warc import CrawlFilter
from .workspace import SCHEMAS, Workspace, rows_to_table


@dataclass
class ScanResult:
    """What a scan found; the full detail is in the workspace tables."""

    workspace: str
    documents: int
    rejects_skipped: int
    rejects_kept: int
    candidates: int
    pairs: dict[str, int]
    passages: int
    top_reused: list[dict]
    seconds: float
    resumed: list[str] = field(default_factory=list)
    #: Pairs per credit status, and labelled edits per kind (empty with ``edits=False``).
    credit: dict[str, int] = field(default_factory=dict)
    edits: dict[str, int] = field(default_factory=dict)
    #: Pairs per direction, cascades, and cascades with an inferred upstream node.
    provenance: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "workspace": self.workspace,
            "documents": self.documents,
            "rejects": {"skipped": self.rejects_skipped, "kept": self.rejects_kept},
            "candidates": self.candidates,
            "pairs": self.pairs,
            "passages": self.passages,
            "top_reused": self.top_reused,
            "credit": self.credit,
            "edits": self.edits,
            "provenance": self.provenance,
            "seconds": round(self.seconds, 3),
            "resumed": self.resumed,
        }


def input_signature(inputs: Sequence[str | os.PathLike]) -> list:
    """Every input file with its size and modification time: changes when the inputs change."""
    signature = []
    for item in iter_files(inputs):
        if isinstance(item, Reject):
            signature.append([item.source, None, None])
        else:
            st = item[0].stat()
            signature.append([str(item[0]), st.st_size, st.st_mtime_ns])
    return signature


def scan(
    inputs: Sequence[str | os.PathLike],
    out: str | os.PathLike,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> ScanResult:
    """Find all reuse among the documents in ``inputs``; write the workspace ``out``."""
    with _collector_paused():
        return _scan(inputs, out, settings, progress)


@contextlib.contextmanager
def _collector_paused():
    """Python's cycle collector off while a scan runs. A scan makes a few objects per document and
    no garbage cycles, yet each full collection it sets off walks every object of the process
    (0.1 s a time on the speed benchmark, for nothing)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _scan(inputs, out, settings: Settings | None, progress: Progress | None) -> ScanResult:
    settings = settings or Settings()
    progress = progress or Silent()
    started = time.perf_counter()
    # Load (or, after an install, compile) the numba kernels while the inputs are read.
    if not kernels_compiled():
        progress.message("first run after an install: compiling copytrace's kernels with numba (about 20 s, once)")
    loader = threading.Thread(target=_load_kernels_quietly, daemon=True)
    loader.start()
    ws = Workspace(out)
    manifest = ws.manifest()
    signature = input_signature(inputs)
    resumed = []

    # Keys are compared with what manifest.json holds, so they are made of JSON values only.
    crawl = {"sites": list(settings.sites), "since": settings.since, "until": settings.until}
    read_key = {
        "signature": signature, "max_chars": settings.max_chars, "crawl": crawl, "site_by": settings.site_by,
        "earliest_date": settings.earliest_date, "batch_timestamp_min": settings.batch_timestamp_min,
    }
    # Settings that change results; how many threads run them does not.
    shaping = {k: v for k, v in settings.to_dict().items() if STAGE_OF.get(k) != "execution"}
    align_key = json.loads(json.dumps({"signature": signature, "settings": {k: v for k, v in shaping.items() if STAGE_OF.get(k) != "provenance"}}))
    provenance_key = json.loads(json.dumps({"signature": signature, "settings": shaping}))
    read_done = manifest.get("read") == read_key and ws.has("documents") and ws.has("rejects")
    align_done = read_done and manifest.get("align") == align_key and all(ws.has(name) for name in ALIGN_TABLES)
    provenance_done = align_done and manifest.get("provenance") == provenance_key and all(ws.has(n) for n in PROVENANCE_TABLES)

    # The words of each batch of documents are found on worker threads while reading goes on.
    workers = settings.workers or os.cpu_count() or 1
    builder = None if align_done else WordsBuilder(settings.seed, workers=workers, ngram=settings.ngram, window=settings.window)
    writer = ThreadPoolExecutor(1)  # writes tables while the next stage computes (pyarrow drops the GIL)
    documents_written = None  # the write of documents and rejects, once submitted
    documents_table: pa.Table | None = None  # the documents table, once made (provenance reads it)
    try:
        if read_done:
            documents_table = ws.table("documents")
            docs = _documents_from_table(documents_table)
            rejects = ws.table("rejects").to_pylist()
            resumed.append("read")
            if builder:
                for doc in docs:
                    builder.add(doc.text)
        else:
            total_bytes = sum(size or 0 for _, size, _ in signature)
            docs, rejects = _read(inputs, settings, progress, total_bytes, builder)
    except BaseException:
        if builder:
            builder.close()
        raise

    if align_done:
        tables = None
        n_candidates = manifest.get("candidates", 0)
        resumed.append("align")
    else:
        def write_documents(words: Words) -> None:
            nonlocal documents_table
            for doc, flags in zip(docs, flag_documents(words, [d.title for d in docs])):
                doc.flags = [*doc.flags, *flags]  # after any date flags
            documents_table = _documents_table(docs)
            ws.write("documents", documents_table)
            ws.write("rejects", rows_to_table("rejects", rejects))
            ws.save_manifest({"read": read_key})

        def words_found(words: Words) -> None:  # flag the documents and write them meanwhile
            nonlocal documents_written
            if not read_done:
                words.lines()  # shared with boilerplate: computed once, before either runs
                documents_written = writer.submit(write_documents, words)

        tables, n_candidates = _find_reuse(docs, builder, settings, progress, words_found)
        if documents_written is not None:
            documents_written.result()
        for name, table in tables.items():
            ws.write(name, table)
        ws.save_manifest({"read": read_key, "align": align_key, "candidates": n_candidates})
    writer.shutdown()

    stages = {"read": read_key, "align": align_key, "candidates": n_candidates}
    if provenance_done:
        resumed.append("provenance")
        provenance_counts = manifest.get("provenance_counts", {})
    else:
        if documents_table is None:  # the documents were not rewritten: their table is in the workspace
            documents_table = ws.table("documents", columns=["doc_id", "site", "date", "crawled_at", "flags", "chars"])
        provenance_counts = _provenance_stage(ws, documents_table, tables, settings, progress)
        ws.save_manifest({**stages, "provenance": provenance_key, "provenance_counts": provenance_counts})
    pairs = ws.table("pairs", columns=["a_id", "b_id", "verdict", "credit"])
    edit_kinds = ws.table("edits", columns=["kind"]).column("kind")
    n_passages = ws.table("passages", columns=["a_id"]).num_rows

    outcomes = Counter(r["outcome"] for r in rejects)
    verdicts = Counter(pairs.column("verdict").to_pylist())
    return ScanResult(
        workspace=str(ws.path),
        documents=len(docs),
        rejects_skipped=outcomes.get("skipped", 0),
        rejects_kept=outcomes.get("kept", 0),
        candidates=n_candidates,
        pairs={COPY: verdicts.get(COPY, 0), PARTIAL: verdicts.get(PARTIAL, 0)},
        passages=n_passages,
        top_reused=_top_reused(docs, pairs),
        seconds=time.perf_counter() - started,
        resumed=resumed,
        credit=dict(Counter(c for c in pairs.column("credit").to_pylist() if c is not None).most_common()),
        edits=dict(Counter(edit_kinds.to_pylist()).most_common()),
        provenance=provenance_counts,
    )


#: The columns of ``pairs`` the provenance stage fills.
DIRECTION_COLUMNS = ("direction", "direction_evidence", "direction_confidence", "direction_detail", "delay_seconds", "cascade_id")

#: The tables the provenance stage writes (besides the direction columns of ``pairs``).
PROVENANCE_TABLES = ("edges", "cascades", "sites", "site_edges", "settings")


def _provenance_stage(ws: Workspace, documents: pa.Table, tables: dict[str, pa.Table] | None, settings: Settings, progress: Progress) -> dict:
    """Directions, cascades and site statistics from the align stage's tables (``tables``, or the
    workspace's when the align stage was resumed); writes them and returns the counts. Without
    labelled edits (``--no-edits``: pairs and passages only) the tables are written empty."""
    tables = tables or {name: ws.table(name) for name in ("pairs", "passages", "edits", "boilerplate_spans")}
    meta = documents.select(["doc_id", "site", "date", "crawled_at", "flags", "chars"])
    if settings.edits:
        found = trace_provenance(meta, tables["pairs"], tables["passages"], tables["edits"], tables["boilerplate_spans"], settings, progress)
    else:
        empty = {name: [None] * tables["pairs"].num_rows for name in DIRECTION_COLUMNS}
        found = Provenance(empty, SCHEMAS["edges"].empty_table(), SCHEMAS["cascades"].empty_table(), {})
    pairs = tables["pairs"]
    for name, values in found.directions.items():
        column = pa.array(values, SCHEMAS["pairs"].field(name).type)
        if name in pairs.column_names:
            pairs = pairs.set_column(pairs.column_names.index(name), name, column)
        else:
            pairs = pairs.append_column(name, column)
    sites, site_edges = site_tables(meta, found.edges, found.cascades)
    ws.write("pairs", pairs)
    for name, table in (("edges", found.edges), ("cascades", found.cascades), ("sites", sites), ("site_edges", site_edges)):
        ws.write(name, table)
    ws.write("settings", rows_to_table("settings", settings.table_rows()))
    return found.counts


def _load_kernels_quietly() -> None:
    try:
        load_kernels()
    except Exception:  # noqa: BLE001 - the scan's own first call reports the same error properly
        pass


def _read(inputs, settings: Settings, progress: Progress, total_bytes: int, builder: WordsBuilder | None) -> tuple[list[Document], list[dict]]:
    """Documents and rejects of ``inputs``; each document's text goes to ``builder`` as it is read.
    Progress: bytes of the input files, and documents found."""
    progress.stage("read", total=total_bytes, unit="bytes")
    docs, rejects = [], []
    keep = CrawlFilter(settings.sites, settings.since, settings.until)
    workers = settings.workers or os.cpu_count() or 1
    records = read_inputs(inputs, settings.max_chars, keep, settings.site_by, on_bytes=progress.advance, workers=workers)
    for record in records:
        if isinstance(record, Reject):
            rejects.append(
                {"source": record.source, "line": record.line, "reason": record.reason, "outcome": record.outcome, "doc_id": record.doc_id}
            )
            progress.message(record.message())
        else:
            docs.append(record)
            progress.count(1)
            if builder:
                builder.add(record.text)
    for problem in check_dates(docs, settings.earliest_date, settings.batch_timestamp_min):
        doc = docs[problem.index]
        doc.flags = [*doc.flags, problem.flag]
        reject = Reject(doc.source, doc.line, problem.reason, "kept")
        rejects.append({"source": doc.source, "line": doc.line, "reason": problem.reason, "outcome": "kept", "doc_id": doc.doc_id})
        progress.message(reject.message())
    return docs, rejects


def _documents_table(docs: list[Document]) -> pa.Table:
    columns = {
        "doc_id": [d.doc_id for d in docs],
        "source": [d.source for d in docs],
        "line": [d.line for d in docs],
        "url": [d.url for d in docs],
        "site": [d.site for d in docs],
        "title": [d.title for d in docs],
        "date": [d.date for d in docs],
        "crawled_at": [d.crawled_at for d in docs],
        "date_updated": [d.date_updated for d in docs],
        "extractor": [d.extractor for d in docs],
        "flags": [d.flags for d in docs],
        "links": [d.links for d in docs],
        "chars": [d.chars for d in docs],
        "text": [d.text for d in docs],
    }
    return pa.table(columns)


def _documents_from_table(table: pa.Table) -> list[Document]:
    return [
        Document(**{k: v for k, v in r.items() if k != "chars"}) for r in table.to_pylist()
    ]


def _find_reuse(
    docs: list[Document], builder: WordsBuilder, settings: Settings, progress: Progress, words_found=lambda words: None
) -> tuple[dict[str, pa.Table], int]:
    """The tables of the align stage (:data:`ALIGN_TABLES`: candidate pairs with their scores,
    their passages, and the boilerplate learned and where it stands) and the number of candidate
    pairs. ``builder`` has been given every document's text; ``words_found`` is called with the
    words of the documents as soon as they are known."""
    progress.stage("words", total=len(docs), unit="docs")
    words = builder.finish(progress)
    words_found(words)
    site_numbers: dict[str, int] = {}
    doc_sites = np.array([site_numbers.setdefault(d.site, len(site_numbers)) if d.site else -1 for d in docs], np.int64)
    progress.stage("boilerplate")
    template = find_boilerplate(words, doc_sites, list(site_numbers), settings.boilerplate_min_pages, settings.boilerplate_share)
    words.exclude(template.masked)
    ids = pa.array([d.doc_id for d in docs], pa.string())  # taken from by index, in Arrow
    span_docs, span_starts, span_ends = boilerplate_spans(words, template.masked)
    boilerplate = {
        "boilerplate": pa.table(template.rows()),
        "boilerplate_spans": pa.table({"doc_id": ids.take(span_docs), "start": span_starts, "end": span_ends}),
    }
    progress.stage("fingerprints")
    fp_hashes, fp_docs = words.fingerprints(settings.ngram, settings.window)
    progress.stage("candidates")
    cands = candidate_pairs(
        fp_hashes, fp_docs, doc_sites, max_df=settings.max_df, min_shared=settings.min_shared, same_site=settings.same_site
    )
    progress.stage("align", total=len(cands), unit="pairs")
    words.index_seeds(np.union1d(cands.a, cands.b))
    aligned = align_pairs(words, cands.a, cands.b, settings, progress)

    chars = np.fromiter((d.chars for d in docs), np.int64, len(docs))
    pair_of = aligned.pair
    a_doc, b_doc = cands.a[pair_of], cands.b[pair_of]
    passages = pa.table(
        {
            "a_id": ids.take(a_doc),
            "b_id": ids.take(b_doc),
            "a_start": aligned.a_start,
            "a_end": aligned.a_end,
            "b_start": aligned.b_start,
            "b_end": aligned.b_end,
            "similarity": np.round(aligned.similarity, 6),
        }
    )
    scores = score_pairs(aligned, chars[cands.a], chars[cands.b], settings.copy_coverage)
    progress.stage("edits", total=len(scores.pair), unit="pairs")
    spans_of: dict[int, list[tuple[int, int]]] = {}
    for d, s, e in zip(span_docs.tolist(), span_starts.tolist(), span_ends.tolist()):
        spans_of.setdefault(d, []).append((s, e))
    template_chars = np.zeros(len(docs), np.int64)
    np.add.at(template_chars, span_docs, span_ends - span_starts)
    pair_a, pair_b = cands.a[scores.pair], cands.b[scores.pair]
    found = label_pairs(docs, words, pair_a, pair_b, aligned, scores, spans_of, settings, progress) if settings.edits else _Labels()
    pairs = pa.table(
        {
            "a_id": ids.take(pair_a),
            "b_id": ids.take(pair_b),
            "coverage_a": np.round(scores.coverage_a, 6),
            "coverage_b": np.round(scores.coverage_b, 6),
            "n_passages": scores.n_passages,
            "verdict": scores.verdict,
            "shared_fingerprints": cands.shared[scores.pair],
            "own_a": np.round(np.maximum(0.0, 1 - scores.coverage_a - template_chars[pair_a] / np.maximum(chars[pair_a], 1)), 6),
            "own_b": np.round(np.maximum(0.0, 1 - scores.coverage_b - template_chars[pair_b] / np.maximum(chars[pair_b], 1)), 6),
            **found.credit_columns(len(scores.pair)),
            **{name: [None] * len(scores.pair) for name in DIRECTION_COLUMNS},  # filled by the provenance stage
        }
    )
    return {"passages": passages, "pairs": pairs, "edits": found.edits_table(), **boilerplate}, len(cands)


@dataclass
class _Labels:
    """The edits and the credit of every pair, as columns."""

    edit_rows: dict[str, list] = field(default_factory=lambda: {name: [] for name in SCHEMAS["edits"].names})
    credit: list[Credit] = field(default_factory=list)
    pair_ids: list[tuple[str, str]] = field(default_factory=list)

    def credit_columns(self, n_pairs: int) -> dict[str, list]:
        """The credit columns of ``n_pairs`` pairs (nulls when edits were not labelled)."""
        if not self.credit:
            return {name: [None] * n_pairs for name in ("credit", "credit_id", "credit_start", "credit_end", "credit_evidence")}
        ids = [pair[c.doc] if c.doc is not None else None for pair, c in zip(self.pair_ids, self.credit)]
        return {
            "credit": [c.status for c in self.credit],
            "credit_id": ids,
            "credit_start": [c.start for c in self.credit],
            "credit_end": [c.end for c in self.credit],
            "credit_evidence": [c.evidence for c in self.credit],
        }

    def edits_table(self) -> pa.Table:
        return pa.Table.from_pydict(self.edit_rows, schema=SCHEMAS["edits"])


def label_pairs(docs, words: Words, pair_a, pair_b, aligned: Aligned, scores, spans_of, settings: Settings, progress: Progress) -> _Labels:
    """Labelled edits (:mod:`copytrace.edits`) and credit (:mod:`copytrace.credit`) of every pair
    with passages (``pair_a[n]``, ``pair_b[n]``: the documents of ``scores.pair[n]``). Python per
    pair: 0.3–1 ms each."""
    aliases = parse_aliases(settings.aliases)
    sides: dict[int, Side] = {}

    def side(d: int) -> Side:
        if d not in sides:
            sides[d] = side_of(words, d, docs[d].title, spans_of.get(d, []))
        return sides[d]

    labels = _Labels()
    rows = labels.edit_rows
    times: dict[int, Moment | None] = {}

    def time_of(d: int) -> Moment | None:
        if d not in times:
            times[d] = document_time(docs[d].date, docs[d].crawled_at, docs[d].flags)
        return times[d]

    for n, (x, a, b) in enumerate(zip(scores.pair.tolist(), pair_a.tolist(), pair_b.tolist())):
        doc_a, doc_b = docs[a], docs[b]
        for edit in pair_edits(side(a), side(b), aligned.passages(x), scores.verdict[n] == COPY):
            for key, value in (("a_id", doc_a.doc_id), ("b_id", doc_b.doc_id), *edit.to_dict().items()):
                rows[key].append(value)
        labels.credit.append(
            pair_credit(
                doc_a.text, doc_a.site, doc_b.text, doc_b.site, aliases, first_by_dates(time_of(a), time_of(b), settings.date_confidence),
                (spans_of.get(a, []), spans_of.get(b, [])), (doc_a.links, doc_b.links),
            )
        )
        labels.pair_ids.append((doc_a.doc_id, doc_b.doc_id))
        progress.advance(1)
    return labels


#: The tables the align stage writes (a scan resumes past it only when all are there).
ALIGN_TABLES = ("passages", "pairs", "edits", "boilerplate", "boilerplate_spans")

#: Pairs aligned together in one call of the compiled kernel.
BATCH_PAIRS = 2000


def align_pairs(words: Words, a: np.ndarray, b: np.ndarray, settings: Settings, progress: Progress | None = None) -> Aligned:
    """Passages of every pair ``(a[x], b[x])``, in batches spread over threads (the compiled
    alignment kernel releases the GIL, so threads run it on all cores)."""
    progress = progress or Silent()
    n = len(a)
    workers = settings.workers or os.cpu_count() or 1
    ranges = [(lo, min(lo + BATCH_PAIRS, n)) for lo in range(0, n, BATCH_PAIRS)]

    def run(bounds: tuple[int, int]) -> Aligned:
        lo, hi = bounds
        part = align_batch(words, a[lo:hi], b[lo:hi], settings)
        part.pair += lo
        return part

    parts: list[Aligned] = []
    if workers == 1 or len(ranges) < 2:
        for r in ranges:
            parts.append(run(r))
            progress.advance(r[1] - r[0])
    else:
        with ThreadPoolExecutor(workers) as pool:
            for r, part in zip(ranges, pool.map(run, ranges)):
                parts.append(part)
                progress.advance(r[1] - r[0])
    return Aligned.concat(parts)


def _top_reused(docs: list[Document], pairs: pa.Table, limit: int = 10) -> list[dict]:
    """Documents found in the most pairs (ties by id)."""
    if not pairs.num_rows:
        return []
    ids = pa.concat_arrays([pairs.column("a_id").combine_chunks(), pairs.column("b_id").combine_chunks()])
    is_copy = np.tile(np.asarray(pairs.column("verdict").to_numpy(zero_copy_only=False) == COPY), 2)
    unique, inverse, count = np.unique(ids.to_numpy(zero_copy_only=False).astype(str), return_inverse=True, return_counts=True)
    copies = np.bincount(inverse, weights=is_copy, minlength=len(unique)).astype(np.int64)
    ranked = np.lexsort((unique, -count))[:limit]  # most pairs first, then by id
    site = {d.doc_id: d.site for d in docs}
    return [
        {"doc_id": str(unique[i]), "site": site.get(str(unique[i])), "pairs": int(count[i]), "copies": int(copies[i])} for i in ranked
    ]
