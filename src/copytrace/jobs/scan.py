"""The scan job: find all reuse in a corpus and write the workspace tables.

Stages, each over a block of text at a time (``Settings.block_chars``) so that memory is bounded
whatever the corpus's size (:mod:`copytrace.store.blocks`):

- **read**: documents streamed from the inputs; each block's words give its extraction flags and
  the counts of its lines per site (what boilerplate is learned from), and its documents go to a
  scratch file; its lines and winnowed fingerprints are kept (``index/words``). Dates are checked
  across the corpus; ``documents`` and ``rejects`` are written.
- **fingerprints**: each site's template learned from all the line counts; each block's kept lines
  masked (``boilerplate``, ``boilerplate_spans``) and the fingerprints outside them spilled to
  disk by hash (``index/fingerprints``).
- **candidates**: pairs counted one hash partition at a time (``index/candidates.npz``).
- **align**: candidate pairs in chunks: the documents of a chunk read back, their words found,
  each pair aligned, scored and labelled (edits, credit): ``pairs``, ``passages``, ``edits``.
- **provenance**: directions, cascades and site statistics, and ``pairs`` again with its
  direction columns.

Every table and index file is written to a temporary name and renamed. The manifest records the
finished stages with a signature of the inputs and the settings, so a scan that was interrupted,
or is run again on the same inputs, picks up after the last finished stage; the blocks' size
changes no result.
"""

from __future__ import annotations

import abc
import contextlib
import gc
import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute  # Array.take needs it: loaded with copytrace, not during a scan
import pyarrow.parquet as pq

from copytrace.match.align import Aligned, align_batch
from copytrace.match.artifacts import flag_documents
from copytrace.store.blocks import (
    META_COLUMNS,
    DocumentStore,
    Scratch,
    copy_documents,
    documents_batch,
    to_documents,
    write_documents,
)
from copytrace.match.boilerplate import (
    LineCounts,
    LineRuns,
    count_lines,
    mask_lines,
    mask_template,
    site_pages,
)
from copytrace.match.candidates import Candidates, FingerprintIndex, FingerprintSpill
from copytrace.explain.credit import Credit, documents_credit, pair_names, parse_aliases
from copytrace.ingest.dates import Moment, date_problems, document_time, first_by_dates
from copytrace.explain.edits import Side, pair_edits, side_of
from copytrace.match.fingerprint import Words, WordsBuilder
from copytrace.match.kept_words import BlockWords, KeptWords
from copytrace.kernels import kernels_compiled, load_in_background
from copytrace.progress import Progress, Silent
from copytrace.explain.provenance import Provenance, trace_provenance
from copytrace.ingest.records import Document, Reject
from copytrace.ingest.languages import LanguageQueue
from copytrace.ingest.read import NOT_READ, iter_files, read_inputs
from copytrace.match.meaning import LEXICAL
from copytrace.match.score import COPY, PARTIAL, score_pairs
from copytrace.settings import STAGE_OF, Settings
from copytrace.explain.site_stats import site_tables
from copytrace.ingest.warc import CrawlFilter
from copytrace.store.workspace import SCHEMAS, Workspace, doc_numbers, durable_step, rows_to_table


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
    #: Files of the input folders not read as articles (README, LICENSE, no extension, hidden), among the rejects skipped.
    not_articles: int = 0
    #: Input files an ``add`` passed over because the workspace holds them already (unchanged).
    already_added: int = 0

    def to_dict(self) -> dict:
        return {
            "workspace": self.workspace,
            "documents": self.documents,
            "rejects": {"skipped": self.rejects_skipped, "kept": self.rejects_kept, "not_articles": self.not_articles},
            "candidates": self.candidates,
            "pairs": self.pairs,
            "passages": self.passages,
            "top_reused": self.top_reused,
            "credit": self.credit,
            "edits": self.edits,
            "provenance": self.provenance,
            "seconds": round(self.seconds, 3),
            "resumed": self.resumed,
            "already_added": self.already_added,
        }


#: The stages of a scan, in order (an add of nothing new has them all done).
STAGES = ("read", "fingerprints", "candidates", "align", "provenance")


def input_signature(inputs: Sequence[str | os.PathLike]) -> list:
    """Every input file with its size and modification time: changes when the inputs change."""
    signature = []
    for item in iter_files(inputs):
        if isinstance(item, Reject):
            signature.append([item.source, None, None])
        else:
            signature.append([str(item[0]), item[2].st_size, item[2].st_mtime_ns])
    return signature


def scan(
    inputs: Sequence[str | os.PathLike],
    out: str | os.PathLike,
    settings: Settings | None = None,
    progress: Progress | None = None,
    engine: Engine | None = None,
) -> ScanResult:
    """Find all reuse among the documents in ``inputs``; write the workspace ``out``. The stages
    run on ``engine`` (default: :class:`LocalEngine`, this machine's cores; see
    :class:`copytrace.jobs.spark.SparkEngine`); every engine writes the same tables."""
    with _collector_paused():
        return _scan(inputs, out, settings, progress, engine or LocalEngine())


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


def _scan(inputs, out, settings: Settings | None, progress: Progress | None, engine: Engine) -> ScanResult:
    settings = settings or Settings()
    progress = progress or Silent()
    started = time.perf_counter()
    # Load (or, after an install, compile) the numba kernels while the inputs are read.
    if not kernels_compiled():
        progress.message("first run after an install: compiling copytrace's kernels with numba (about 20 s, once)")
    load_in_background()
    ws = Workspace(out)
    ws.remove_strays()
    manifest = ws.manifest()
    if manifest.get("increment"):  # an add stopped after its read was recorded: its files first
        ws.apply_staged()
    signature = input_signature(inputs)
    resumed = []

    read_key, align_key, provenance_key = stage_keys(signature, settings)
    index = ws.path / "index"
    lines = LineRuns(index / "lines")
    read_done = manifest.get("read") == read_key and ws.has("documents") and ws.has("rejects") and bool(lines.runs())
    fingerprints_done = read_done and manifest.get("fingerprints") == align_key and (index / "fingerprints").is_dir() and ws.has("boilerplate_spans")
    candidates_done = fingerprints_done and manifest.get("candidates") == align_key and (index / "candidates.npz").exists()
    align_done = candidates_done and manifest.get("align") == align_key and all(ws.has(name) for name in ALIGN_TABLES)
    provenance_done = align_done and manifest.get("provenance") == provenance_key and all(ws.has(n) for n in PROVENANCE_TABLES)
    stages: dict = {}

    def finished(stage: str, key, **more) -> None:
        stages.update({stage: key, **more})
        ws.save_manifest(stages)

    if read_done:
        meta = ws.table("documents", columns=META_COLUMNS)
        rejects = ws.table("rejects").to_pylist()
        resumed.append("read")
        stages.update({name: manifest.get(name) for name in ("read", *READ_FACTS)})
    else:
        if manifest:  # the tables are about to be replaced: no stage of the last run counts until redone
            ws.save_manifest({})
        total_bytes = sum(size or 0 for _, size, _ in signature)
        meta, rejects, read_rejects = engine.read(inputs, ws, settings, progress, total_bytes)
        finished("read", read_key, inputs=[str(i) for i in inputs], read_rejects=read_rejects, parts=len(ws.part_paths("documents")))
    site_names, doc_sites = _site_numbers(meta)
    pages_per_site = site_pages(doc_sites, len(site_names))
    template = lines.template(pages_per_site, settings.boilerplate_min_pages, settings.boilerplate_share)

    if fingerprints_done:
        resumed.append("fingerprints")
        stages["fingerprints"] = align_key
    else:
        engine.fingerprints(ws, doc_sites, site_names, pages_per_site, template, settings, progress)
        finished("fingerprints", align_key)

    if candidates_done:
        resumed.append("candidates")
        cands = Candidates.load(index / "candidates.npz")
        stages["candidates"] = align_key
    else:
        (index / "votes.npz").unlink(missing_ok=True)  # kept by the local engine only: none stale
        cands = engine.candidates(ws, doc_sites, settings, progress)
        cands.save(index / "candidates.npz")
        finished("candidates", align_key)

    if align_done:
        tables = None
        resumed.append("align")
        stages["align"] = align_key
    else:
        tables = engine.align(ws, meta, doc_sites, pages_per_site, template, cands, settings, progress)
        tables.setdefault("story_links", SCHEMAS["story_links"].empty_table())  # (pairs read by meaning: --meaning)
        for name, table in tables.items():
            ws.write(name, table)
        finished("align", align_key)
    (index / "documents.arrow").unlink(missing_ok=True)  # the local engine's copy of the texts: no later stage reads them

    if provenance_done:
        resumed.append("provenance")
        provenance_counts = manifest.get("provenance_counts", {})
        stages.update(provenance=provenance_key, provenance_counts=provenance_counts)
    else:
        provenance_counts = _provenance_stage(ws, meta, tables, settings, progress)
        finished("provenance", provenance_key, provenance_counts=provenance_counts)
    shutil.rmtree(index / "increment", ignore_errors=True)  # what an unfinished add left: done now
    return summary(ws, meta, rejects, len(cands), provenance_counts, started, resumed)


class Engine(abc.ABC):
    """Where the stages up to align run: each method does one stage's work and writes what the
    local engine writes (the provenance stage, small next to the others, runs in this process
    whatever the engine)."""

    @abc.abstractmethod
    def read(self, inputs, ws: Workspace, settings: Settings, progress: Progress, total_bytes: int) -> tuple[pa.Table, list[dict], int]:
        """Write ``documents``, ``rejects`` and the line counts; return the documents' metadata,
        the rejects and how many of them the reading made."""

    @abc.abstractmethod
    def fingerprints(self, ws: Workspace, doc_sites, site_names, pages_per_site, template: LineCounts, settings: Settings, progress: Progress) -> None:
        """Write ``boilerplate``, ``boilerplate_spans`` and the fingerprint index."""

    @abc.abstractmethod
    def candidates(self, ws: Workspace, doc_sites, settings: Settings, progress: Progress) -> Candidates:
        """The candidate pairs counted from the fingerprint index."""

    @abc.abstractmethod
    def align(self, ws: Workspace, meta: pa.Table, doc_sites, pages_per_site, template: LineCounts, cands: Candidates, settings: Settings, progress: Progress) -> dict[str, pa.Table]:
        """The align stage's tables."""


class LocalEngine(Engine):
    """The stages on this machine: threads for tokenizing and alignment, processes for extracting
    pages; texts read back from an uncompressed copy of ``documents`` (``index/documents.arrow``)."""

    def read(self, inputs, ws, settings, progress, total_bytes):
        return _read_stage(inputs, ws, settings, progress, total_bytes)

    def fingerprints(self, ws, doc_sites, site_names, pages_per_site, template, settings, progress):
        _fingerprint_stage(self._store(ws), ws, doc_sites, site_names, pages_per_site, template, settings, progress)

    def candidates(self, ws, doc_sites, settings, progress):
        fingerprints = FingerprintIndex(ws.path / "index" / "fingerprints")
        progress.stage("candidates", total=fingerprints.partitions, unit="parts")
        return fingerprints.candidates(
            doc_sites, max_df=settings.max_df, min_shared=settings.min_shared, same_site=settings.same_site, progress=progress,
            workers=settings.workers or os.cpu_count() or 1, votes_to=ws.path / "index" / "votes.npz",
        )

    def align(self, ws, meta, doc_sites, pages_per_site, template, cands, settings, progress):
        store = self._store(ws)
        tables = _align_stage(store, ws, meta, doc_sites, pages_per_site, template, cands, settings, progress)
        if settings.meaning:
            tables = with_meaning(store, ws, meta, doc_sites, tables, settings, progress)
        return tables

    @staticmethod
    def _store(ws: Workspace) -> DocumentStore:
        texts = ws.path / "index" / "documents.arrow"  # written by the read stage; again on resume
        if not texts.exists():
            copy_documents(ws.part_paths("documents"), texts)
        return DocumentStore(texts)


def summary(ws: Workspace, meta: pa.Table, rejects: list[dict], n_candidates: int, provenance_counts: dict, started: float, resumed: list[str]) -> ScanResult:
    """The :class:`ScanResult` of a workspace whose stages have all finished."""
    pairs = ws.table("pairs", columns=["a_id", "b_id", "verdict", "credit"])
    edit_kinds = ws.table("edits", columns=["kind"]).column("kind")
    n_passages = ws.table("passages", columns=["a_id"]).num_rows
    outcomes = Counter(r["outcome"] for r in rejects)
    verdicts = Counter(pairs.column("verdict").to_pylist())
    return ScanResult(
        workspace=str(ws.path),
        documents=meta.num_rows,
        rejects_skipped=outcomes.get("skipped", 0),
        rejects_kept=outcomes.get("kept", 0),
        candidates=n_candidates,
        pairs={COPY: verdicts.get(COPY, 0), PARTIAL: verdicts.get(PARTIAL, 0)},
        passages=n_passages,
        top_reused=_top_reused(meta, pairs),
        seconds=time.perf_counter() - started,
        resumed=resumed,
        credit=dict(Counter(c for c in pairs.column("credit").to_pylist() if c is not None).most_common()),
        edits=dict(Counter(edit_kinds.to_pylist()).most_common()),
        provenance=provenance_counts,
        not_articles=sum(r["outcome"] == "skipped" and r["reason"].endswith(NOT_READ) for r in rejects),
    )


def stage_keys(signature: list, settings: Settings) -> tuple[dict, dict, dict]:
    """What the manifest records for the read stage, the stages up to align, and provenance: the
    inputs' signature and the settings that shape each one's results (how many threads run them,
    and on how much text at once, do not). JSON values only, as they are compared with what
    ``manifest.json`` holds."""
    crawl = {"sites": list(settings.sites), "since": settings.since, "until": settings.until}
    read_key = {
        "signature": signature, "max_chars": settings.max_chars, "crawl": crawl, "site_by": settings.site_by,
        "earliest_date": settings.earliest_date, "batch_timestamp_min": settings.batch_timestamp_min,
    }
    shaping = {k: v for k, v in settings.to_dict().items() if STAGE_OF.get(k) != "execution"}
    align_key = {"signature": signature, "settings": {k: v for k, v in shaping.items() if STAGE_OF.get(k) != "provenance"}}
    provenance_key = {"signature": signature, "settings": shaping}
    return tuple(json.loads(json.dumps(key)) for key in (read_key, align_key, provenance_key))


def _site_numbers(meta: pa.Table) -> tuple[list[str], np.ndarray]:
    """Each document's site as a number (in order of first appearance; -1 where unknown)."""
    column = meta.column("site").combine_chunks()
    known = pa.compute.if_else(pa.compute.equal(column, ""), pa.scalar(None, column.type), column)
    encoded = pa.compute.dictionary_encode(known)  # numbered in order of first appearance
    sites = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return encoded.dictionary.to_pylist(), sites


def _read_stage(inputs, ws: Workspace, settings: Settings, progress: Progress, total_bytes: int) -> tuple[pa.Table, list[dict], int]:
    """Read the inputs a block at a time (:func:`_read_blocks`), check the dates across the
    corpus, and write the ``documents`` and ``rejects`` tables and the line counts. Returns the
    documents' metadata (no text), the rejects and how many of them the reading made (the rest
    are date problems)."""
    index = ws.path / "index"
    kept = KeptWords(index / "words", settings.ngram, settings.window)
    new = _read_blocks(inputs, index / ".documents.arrow", settings, progress, total_bytes, first_doc=0, seen={}, site_numbers={}, keep_words=kept)
    meta = new.meta
    date_flags, date_rejects = _date_problems(meta, settings, progress)
    flags = [[*date_flags.get(d, []), *found] for d, found in enumerate(new.flags)]  # date flags first

    progress.stage("write documents", total=meta.num_rows, unit="docs")
    folder = ws.table_path("documents")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (ws.path / "documents.parquet").unlink(missing_ok=True)  # a workspace of an earlier format
    write_documents(ws.part_path("documents", 0), _counted(new.scratch.batches(), progress), flags)
    # The scratch file is the uncompressed copy later stages read texts from (its flags are those
    # found while reading; the align stage takes the date flags from the metadata).
    os.replace(new.scratch.path, index / "documents.arrow")
    kept.finish()
    durable_step()
    rejects = new.rejects + date_rejects
    ws.write("rejects", rows_to_table("rejects", rejects))
    LineRuns(index / "lines").reset(new.lines)
    meta = meta.set_column(meta.schema.get_field_index("flags"), "flags", pa.array(flags, pa.list_(pa.string())))
    return meta, rejects, len(new.rejects)


@dataclass
class _Read:
    """What reading some inputs gave: their documents (in a scratch file), their metadata (no
    text), extraction flags, line counts and rejects."""

    scratch: Scratch
    meta: pa.Table
    flags: list[list[str]]
    lines: LineCounts
    rejects: list[dict]


def _read_blocks(
    inputs, scratch_path, settings: Settings, progress: Progress, total_bytes: int, *, first_doc: int, seen: dict, site_numbers: dict,
    skip: set | None = None, keep_words: KeptWords | None = None,
) -> _Read:
    """Read the inputs a block at a time: each block's words are found (on worker threads while
    reading goes on) for the extraction flags and the line counts boilerplate is learned from,
    and its documents go to a scratch file. Documents are numbered from ``first_doc``; ``seen``
    holds the ids already taken (and where), ``site_numbers`` the sites already numbered (both
    are added to); the files and folder entries in ``skip`` are passed over. Given ``keep_words``,
    each block's fingerprints are winnowed too and kept there with its lines, for the fingerprint
    stage. Progress: bytes of the input files, and documents found."""
    progress.stage("read", total=total_bytes, unit="bytes")
    scratch = Scratch(scratch_path)
    rejects: list[dict] = []
    keep = CrawlFilter(settings.sites, settings.since, settings.until)
    workers = settings.workers or os.cpu_count() or 1
    records = read_inputs(inputs, settings.max_chars, keep, settings.site_by, on_bytes=progress.advance, workers=workers, seen=seen, skip=skip)
    metas: list[pa.Table] = []
    flags: list[list[str]] = []
    counts: list[LineCounts] = []
    block: list[Document] = []
    winnow = {"ngram": settings.ngram, "window": settings.window} if keep_words is not None else {}
    builder = WordsBuilder(settings.seed, workers=workers, **winnow)
    languages = LanguageQueue()
    n_docs = first_doc

    def end_block() -> None:
        nonlocal block, builder, n_docs
        for doc, lang in zip(block, languages.take()):
            doc.lang = doc.lang or lang  # a record's own lang wins
        words = builder.finish()
        sites = np.array([site_numbers.setdefault(d.site, len(site_numbers)) if d.site else -1 for d in block], np.int64)
        found, lines = block_facts(words, [d.title for d in block], sites, n_docs)
        if keep_words is not None:
            keep_words.add(BlockWords.of(words))
        flags.extend(found)
        counts.append(lines)
        batch = documents_batch(block)
        scratch.write(batch)
        metas.append(pa.Table.from_batches([batch]).drop_columns(["text"]))
        n_docs += len(block)
        block = []
        builder = WordsBuilder(settings.seed, workers=workers, **winnow)

    try:
        chars = 0
        for record in records:
            if isinstance(record, Reject):
                rejects.append(record.row())
                progress.message(record.message())
                continue
            block.append(record)
            builder.add(record.text)
            languages.add(record.text)
            progress.count(1)
            chars += len(record.text)
            if chars >= settings.block_chars:
                end_block()
                chars = 0
        if block or not metas:
            end_block()
    except BaseException:
        builder.close()
        languages.close()
        scratch.close()
        scratch.remove()
        if keep_words is not None:
            keep_words.discard()
        raise
    builder.close()
    languages.close()
    scratch.close()
    return _Read(scratch, pa.concat_tables(metas), flags, LineCounts.merge(counts), rejects)


def block_facts(words: Words, titles: list[str | None], sites: np.ndarray, first_doc: int) -> tuple[list[list[str]], LineCounts]:
    """What the read stage keeps of a block of documents (numbered from ``first_doc``, of sites
    ``sites``): each one's extraction flags, and the counts of their lines per site."""
    words.lines()  # shared by flags and line counts: computed once
    return flag_documents(words, titles), count_lines(words, sites, first_doc)


def _date_problems(meta: pa.Table, settings: Settings, progress: Progress, only: np.ndarray | None = None) -> tuple[dict[int, list[str]], list[dict]]:
    """The dates checked across the corpus (a crawl's batch timestamp is one many pages share):
    the date flags per document number, and a reject row (kept) per problem, in document order.
    ``only``: check just these documents (ascending; whole input files, which the batch check
    counts within)."""
    chosen = meta if only is None else meta.take(pa.array(only))
    number = np.arange(meta.num_rows) if only is None else only
    when = {name: chosen.column(name).to_pylist() for name in ("date", "crawled_at", "date_updated", "source", "line", "doc_id")}
    date_flags: dict[int, list[str]] = {}
    rejects = []
    for problem in date_problems(
        when["date"], when["crawled_at"], when["date_updated"], when["source"], datetime.now(UTC), settings.earliest_date, settings.batch_timestamp_min,
    ):
        i = problem.index
        date_flags.setdefault(int(number[i]), []).append(problem.flag)
        reject = Reject(when["source"][i], when["line"][i], problem.reason, "kept", when["doc_id"][i])
        rejects.append(reject.row())
        progress.message(reject.message())
    return date_flags, rejects


def _counted(batches, progress: Progress):
    for batch in batches:
        yield batch
        progress.advance(batch.num_rows)


def _fingerprint_stage(store: DocumentStore, ws: Workspace, doc_sites, site_names, pages_per_site, template: LineCounts, settings: Settings, progress: Progress) -> None:
    """Each block's boilerplate marked (the template learned from all the line counts) and the
    rest of its fingerprints spilled to disk by hash: from the lines and fingerprints the read
    stage kept (:mod:`copytrace.match.kept_words`), or where it kept none (a workspace read by an
    earlier version) from the block's words found again. Writes the ``boilerplate`` and
    ``boilerplate_spans`` tables and the spilled fingerprints."""
    progress.stage("fingerprints", total=len(store), unit="docs")
    index = ws.path / "index"
    final = index / "fingerprints"
    temporary = index / ".fingerprints.tmp"
    shutil.rmtree(temporary, ignore_errors=True)
    spill = FingerprintSpill(temporary / "run-000")
    spans: list[Fingerprinted] = []
    ids: list[pa.Array] = []
    kept = KeptWords.blocks(index / "words", len(store), settings.ngram, settings.window)
    if kept is None:
        blocks = (
            (first, BlockWords.of(find_words(rows.column("text").to_pylist(), settings)))
            for first, rows in store.blocks(settings.block_chars, columns=["text"])
        )
    else:
        blocks = kept
    for first, block in blocks:

        def texts_of(docs: np.ndarray, first: int = first) -> list[str]:
            return store.rows(docs + first, columns=["text"]).column("text").to_pylist()

        found = fingerprint_words(block, doc_sites[first : first + block.n_docs], template, pages_per_site, settings, texts_of)
        spans.append(found)
        ids.append(store.rows(found.span_docs + first, columns=["doc_id"]).column("doc_id").combine_chunks())
        spill.add(found.hashes, found.docs + first)
        progress.advance(block.n_docs)
    shutil.rmtree(final, ignore_errors=True)
    os.replace(temporary, final)
    durable_step()
    write_boilerplate(ws, template, site_names, store)
    ws.write("boilerplate_spans", pa.table({
        "doc_id": pa.concat_arrays(ids) if ids else pa.array([], pa.string()),
        "start": np.concatenate([f.span_starts for f in spans]) if spans else np.zeros(0, np.int64),
        "end": np.concatenate([f.span_ends for f in spans]) if spans else np.zeros(0, np.int64),
    }))
    shutil.rmtree(index / "words", ignore_errors=True)  # no later stage reads them


@dataclass
class Fingerprinted:
    """A block of documents fingerprinted: its boilerplate spans (document, start, end) and its
    fingerprints (hash, document); documents numbered from 0 within the block."""

    span_docs: np.ndarray
    span_starts: np.ndarray
    span_ends: np.ndarray
    hashes: np.ndarray
    docs: np.ndarray


def find_words(texts: list[str], settings: Settings) -> Words:
    """The words of ``texts`` and their fingerprints winnowed (boilerplate not yet known)."""
    builder = WordsBuilder(settings.seed, workers=settings.workers or os.cpu_count() or 1, ngram=settings.ngram, window=settings.window)
    for text in texts:
        builder.add(text)
    return builder.finish()


def fingerprint_block(texts: list[str], doc_sites: np.ndarray, template: LineCounts, pages_per_site: np.ndarray, settings: Settings) -> Fingerprinted:
    """The words of ``texts`` (documents of sites ``doc_sites``), their boilerplate marked by the
    sites' templates, and the fingerprints of the rest."""
    words = find_words(texts, settings)
    return fingerprint_words(BlockWords.of(words), doc_sites, template, pages_per_site, settings, lambda docs: [texts[d] for d in docs.tolist()])


def fingerprint_words(block: BlockWords, doc_sites: np.ndarray, template: LineCounts, pages_per_site: np.ndarray, settings: Settings, texts_of) -> Fingerprinted:
    """A block's boilerplate lines marked by the sites' templates (``texts_of(docs)``: the texts
    of those documents, read only for sites too small to have a template), and the fingerprints of
    the rest."""
    masked = mask_lines(block.lines, doc_sites, template.keys, pages_per_site, settings.boilerplate_min_pages, texts_of)
    span_docs, span_starts, span_ends = block.lines.spans(masked)
    hashes, docs = block.fingerprints(masked, settings.ngram)
    return Fingerprinted(span_docs, span_starts, span_ends, hashes, docs)


def write_boilerplate(ws: Workspace, template: LineCounts, site_names: list[str], store) -> None:
    """The ``boilerplate`` table: each template line with its site, its text where it was first
    seen (read from ``store``, by document number) and the pages it was seen on."""
    example_docs = np.unique(template.first_doc)
    by_doc = dict(zip(example_docs.tolist(), store.rows(example_docs, columns=["text"]).column("text").to_pylist()))
    ws.write("boilerplate", pa.table({
        "site": [site_names[s] for s in template.site.tolist()],
        "text_block": [by_doc[d][a:b] for d, a, b in zip(template.first_doc.tolist(), template.start.tolist(), template.end.tolist())],
        "pages_seen": template.pages,
    }))


def with_meaning(
    store, ws: Workspace, meta: pa.Table, doc_sites: np.ndarray, tables: dict[str, pa.Table], settings: Settings, progress: Progress,
    reuse: bool = False, tasks=None,
) -> dict[str, pa.Table]:
    """The align stage's tables with the pairs found by meaning beside the lexical ones, every pair
    read by meaning given its story similarity, and ``story_links`` (``jobs/meaning_pairs.py``).
    With ``reuse`` (``add``: the old documents' texts are as the scan read them) what the scan
    read by meaning is taken from ``ws`` (its lead vectors, story links and passages), not encoded
    again. The batches of the steps run on ``tasks`` (:data:`copytrace.jobs.meaning_pairs.Tasks`:
    Spark tasks; here by default)."""
    from copytrace.jobs.meaning_pairs import meaning_pairs, previous_reading

    previous = previous_reading(ws, meta.column("doc_id")) if reuse else None
    found = meaning_pairs(store, meta, doc_sites, tables["pairs"], settings, progress, workspace=ws.path, previous=previous, tasks=tasks)
    lexical = tables["pairs"].set_column(tables["pairs"].column_names.index("story_similarity"), "story_similarity", found.lexical_story)
    return {
        **tables, "pairs": pa.concat_tables([lexical, found.pairs]), "passages": pa.concat_tables([tables["passages"], found.passages]),
        "story_links": found.story_links,
    }


def _align_stage(store, ws: Workspace, meta: pa.Table, doc_sites, pages_per_site, template: LineCounts, cands: Candidates, settings: Settings, progress: Progress) -> dict[str, pa.Table]:
    """The tables of the align stage (passages, pairs with scores and credit, edits): candidate
    pairs a chunk at a time (in order), each chunk's documents read back from ``store`` and
    handed to :func:`align_chunk`."""
    progress.stage("align", total=len(cands), unit="pairs")
    chars = meta.column("chars").to_numpy()
    spans = BoilerplateSpans.read(ws, meta)
    passages, pairs, edits = [], [], []
    for lo, hi in chunks(cands, chars, settings.block_chars):
        a, b = cands.a[lo:hi].astype(np.int64), cands.b[lo:hi].astype(np.int64)
        docs = np.union1d(a, b)
        rows = store.rows(docs)
        rows = rows.set_column(rows.schema.get_field_index("flags"), "flags", meta.column("flags").take(pa.array(docs)))
        found = align_chunk(rows, docs, doc_sites[docs], a, b, cands.shared[lo:hi], spans.of_docs(docs), template.keys, pages_per_site, settings)
        for tables, table in zip((passages, pairs, edits), found):
            tables.append(table)
        progress.advance(hi - lo)
    return {
        "passages": _concat(passages, "passages"),
        "pairs": _concat(pairs, "pairs"),
        "edits": _concat(edits, "edits"),
    }


@dataclass
class BoilerplateSpans:
    """The ``boilerplate_spans`` table by document number, each document's spans by start: for
    handing each chunk of pairs the spans of its documents, and for ``add`` to compare a
    document's spans with those found again."""

    docs: np.ndarray
    starts: np.ndarray
    ends: np.ndarray

    @classmethod
    def read(cls, ws: Workspace, meta: pa.Table, path: Path | None = None) -> BoilerplateSpans:
        """The workspace's spans (or those of the table at ``path``)."""
        spans = pq.read_table(path) if path is not None else ws.table("boilerplate_spans")
        docs = doc_numbers(spans.column("doc_id"), meta.column("doc_id"))
        starts, ends = spans.column("start").to_numpy(), spans.column("end").to_numpy()
        order = np.lexsort((starts, docs))
        return cls(docs[order], starts[order], ends[order])

    def of_docs(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The spans of ``docs`` (ascending): ``(index into docs, start, end)``, by document."""
        lo, hi = np.searchsorted(self.docs, docs, "left"), np.searchsorted(self.docs, docs, "right")
        sizes = hi - lo
        local = np.repeat(np.arange(len(docs)), sizes)
        taken = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes) + np.repeat(lo, sizes)
        return local, self.starts[taken], self.ends[taken]


def chunks(cands: Candidates, chars: np.ndarray, max_chars: int, max_pairs: int | None = None) -> list[tuple[int, int]]:
    """The candidate pairs cut into chunks ``(lo, hi)``, in order (see :func:`_chunk_end`)."""
    bounds, lo = [], 0
    while lo < len(cands):
        hi = _chunk_end(cands, lo, chars, max_chars, max_pairs or CHUNK_PAIRS)
        bounds.append((lo, hi))
        lo = hi
    return bounds


def align_chunk(
    rows: pa.Table, docs: np.ndarray, sites: np.ndarray, a: np.ndarray, b: np.ndarray, shared: np.ndarray,
    spans: tuple[np.ndarray, np.ndarray, np.ndarray], template_keys: np.ndarray, pages_per_site: np.ndarray, settings: Settings,
) -> tuple[pa.Table, pa.Table, pa.Table]:
    """One chunk of candidate pairs ``(a[x], b[x])`` (document numbers, with ``shared``
    fingerprints), aligned, scored and labelled: its rows of ``passages``, ``pairs`` and
    ``edits``. ``rows`` are the documents ``docs`` (ascending: all those of the pairs), of sites
    ``sites``; ``spans`` their boilerplate spans (index into ``docs``, start, end). Needs nothing
    else of the corpus: what each engine runs per chunk."""
    ids = rows.column("doc_id").combine_chunks()
    chars = rows.column("chars").to_numpy()
    span_docs, span_starts, span_ends = spans
    template_chars = np.zeros(len(docs), np.int64)
    np.add.at(template_chars, span_docs, span_ends - span_starts)
    words = Words.build(rows.column("text").to_pylist(), settings.seed, workers=settings.workers or os.cpu_count() or 1)
    words.exclude(mask_template(words, sites, template_keys, pages_per_site, settings.boilerplate_min_pages))
    local_a, local_b = np.searchsorted(docs, a), np.searchsorted(docs, b)
    words.index_seeds(np.union1d(local_a, local_b))
    aligned = align_pairs(words, local_a, local_b, settings)
    pair_of = aligned.pair
    passages = pa.table({
        "a_id": ids.take(local_a[pair_of]), "b_id": ids.take(local_b[pair_of]),
        "a_start": aligned.a_start, "a_end": aligned.a_end, "b_start": aligned.b_start, "b_end": aligned.b_end,
        "similarity": np.round(aligned.similarity, 6), "match": pa.array([LEXICAL] * len(pair_of), pa.string()),
    })
    scores = score_pairs(aligned, chars[local_a], chars[local_b], settings.copy_coverage)
    pair_a, pair_b = local_a[scores.pair], local_b[scores.pair]
    found = _Labels()
    if settings.edits:  # whole documents, and their spans, only of the pairs found: most candidates have none
        labelled = np.union1d(pair_a, pair_b)
        chunk_docs = dict(zip(labelled.tolist(), to_documents(rows.take(pa.array(labelled)))))
        spans_of: dict[int, list[tuple[int, int]]] = {}
        mine = np.isin(span_docs, labelled)
        for d, s, e in zip(span_docs[mine].tolist(), span_starts[mine].tolist(), span_ends[mine].tolist()):
            spans_of.setdefault(d, []).append((s, e))
        found = label_pairs(chunk_docs, words, pair_a, pair_b, aligned, scores, spans_of, settings, Silent())
    pairs = pa.table({
        "a_id": ids.take(pair_a),
        "b_id": ids.take(pair_b),
        "coverage_a": np.round(scores.coverage_a, 6),
        "coverage_b": np.round(scores.coverage_b, 6),
        "n_passages": scores.n_passages,
        "verdict": scores.verdict,
        "match": pa.array([LEXICAL] * len(scores.pair), pa.string()),
        "story_similarity": pa.nulls(len(scores.pair), pa.float64()),  # from sentence vectors, with --meaning
        "shared_fingerprints": shared[scores.pair],
        "own_a": np.round(np.maximum(0.0, 1 - scores.coverage_a - template_chars[pair_a] / np.maximum(chars[pair_a], 1)), 6),
        "own_b": np.round(np.maximum(0.0, 1 - scores.coverage_b - template_chars[pair_b] / np.maximum(chars[pair_b], 1)), 6),
        **found.credit_columns(len(scores.pair)),
        **{name: [None] * len(scores.pair) for name in DIRECTION_COLUMNS},  # filled by the provenance stage
    })
    return passages, pairs, found.edits_table()


def _concat(tables: list[pa.Table], name: str) -> pa.Table:
    schema = SCHEMAS[name]
    return pa.concat_tables([t.select(schema.names).cast(schema) for t in tables]) if tables else schema.empty_table()


def _chunk_end(cands: Candidates, lo: int, chars: np.ndarray, max_chars: int, max_pairs: int) -> int:
    """Where the chunk of candidate pairs starting at ``lo`` ends: as many pairs as keep the text
    of their documents under ``max_chars`` (at least one pair), and at most ``max_pairs``."""
    hi = min(len(cands), lo + max_pairs)
    while hi - lo > 1:
        docs = np.union1d(cands.a[lo:hi], cands.b[lo:hi])
        if chars[docs].sum() <= max_chars:
            break
        hi = lo + (hi - lo) // 2
    return hi


#: What the manifest records of the read stage besides its key: the inputs as given, how many rows
#: at the head of ``rejects`` the reading made (the rest are date problems), and how many parts
#: ``documents`` has.
READ_FACTS = ("inputs", "read_rejects", "parts")

#: Most candidate pairs aligned in one chunk.
CHUNK_PAIRS = 50_000


#: The columns of ``pairs`` the provenance stage fills.
DIRECTION_COLUMNS = ("direction", "direction_evidence", "direction_confidence", "direction_detail", "delay_seconds", "cascade_id")

#: The tables the provenance stage writes (besides the direction columns of ``pairs``).
PROVENANCE_TABLES = ("edges", "cascades", "sites", "site_edges", "settings")


def _provenance_stage(ws: Workspace, documents: pa.Table, tables: dict[str, pa.Table] | None, settings: Settings, progress: Progress) -> dict:
    """Directions, cascades and site statistics from the align stage's tables (``tables``, or the
    workspace's when the align stage was resumed); writes them and returns the counts. Without
    labelled edits (``--no-edits``: pairs and passages only) the tables are written empty."""
    tables = {**(tables or {name: ws.table(name) for name in ALIGN_TABLES}), "boilerplate_spans": ws.table("boilerplate_spans")}
    meta = documents.select(["doc_id", "site", "date", "crawled_at", "flags", "chars", *(["lang"] if "lang" in documents.column_names else [])])
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
    sites, site_edges = site_tables(meta, found.edges, found.cascades, pairs)
    ws.write("pairs", pairs)
    for name, table in (("edges", found.edges), ("cascades", found.cascades), ("sites", sites), ("site_edges", site_edges)):
        ws.write(name, table)
    ws.write("settings", rows_to_table("settings", settings.table_rows()))
    return found.counts


@dataclass
class _Labels:
    """The edits and the credit of every pair, as columns."""

    edit_rows: dict[str, list] = field(default_factory=lambda: {name: [] for name in SCHEMAS["edits"].names})
    credit: list[Credit] = field(default_factory=list)
    pair_ids: list[tuple[str, str]] = field(default_factory=list)

    def credit_columns(self, n_pairs: int) -> dict[str, list]:
        """The credit columns of ``n_pairs`` pairs (nulls when edits were not labelled)."""
        if not self.credit:
            return {name: [None] * n_pairs for name in ("credit", "credit_id", "credit_start", "credit_end", "credit_evidence", "credit_kind")}
        ids = [pair[c.doc] if c.doc is not None else None for pair, c in zip(self.pair_ids, self.credit)]
        return {
            "credit": [c.status for c in self.credit],
            "credit_id": ids,
            "credit_start": [c.start for c in self.credit],
            "credit_end": [c.end for c in self.credit],
            "credit_evidence": [c.evidence for c in self.credit],
            "credit_kind": [c.kind for c in self.credit],
        }

    def edits_table(self) -> pa.Table:
        return pa.Table.from_pydict(self.edit_rows, schema=SCHEMAS["edits"])


def label_pairs(docs, words: Words, pair_a, pair_b, aligned: Aligned, scores, spans_of, settings: Settings, progress: Progress) -> _Labels:
    """Labelled edits (:mod:`copytrace.explain.edits`) and credit (:mod:`copytrace.explain.credit`) of every pair
    with passages (``pair_a[n]``, ``pair_b[n]``: the documents of ``scores.pair[n]``, keys of
    ``docs``). Python per pair: 0.3–1 ms each."""
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
        passages = aligned.passages(x)
        for edit in pair_edits(side(a), side(b), passages, scores.verdict[n] == COPY):
            for key, value in (("a_id", doc_a.doc_id), ("b_id", doc_b.doc_id), *edit.to_dict().items()):
                rows[key].append(value)
        labels.credit.append(documents_credit(
            doc_a, doc_b, pair_names(doc_a, doc_b, aliases), first_by_dates(time_of(a), time_of(b), settings.date_confidence),
            (spans_of.get(a, []), spans_of.get(b, [])), passages,
        ))
        labels.pair_ids.append((doc_a.doc_id, doc_b.doc_id))
        progress.advance(1)
    return labels


#: The tables the align stage writes (a scan resumes past it only when all are there).
ALIGN_TABLES = ("passages", "pairs", "edits")

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


def _top_reused(meta: pa.Table, pairs: pa.Table, limit: int = 10) -> list[dict]:
    """Documents found in the most pairs (ties by id)."""
    if not pairs.num_rows:
        return []
    ids = pa.concat_arrays([pairs.column("a_id").combine_chunks(), pairs.column("b_id").combine_chunks()])
    is_copy = np.tile(np.asarray(pairs.column("verdict").to_numpy(zero_copy_only=False) == COPY), 2)
    # Grouped in Arrow: a NumPy string array would be as wide as the longest id for every pair.
    counted = pa.table({"id": ids, "copy": pa.array(is_copy.astype(np.int64))}).group_by("id").aggregate([("copy", "count"), ("copy", "sum")])
    ranked = counted.sort_by([("copy_count", "descending"), ("id", "ascending")]).slice(0, limit).to_pylist()  # most pairs first, then by id
    top = [row["id"] for row in ranked]
    chosen = meta.filter(pa.compute.is_in(meta.column("doc_id"), pa.array(top, pa.string()))).select(["doc_id", "site"]).to_pylist()
    site = {row["doc_id"]: row["site"] for row in chosen}
    return [{"doc_id": row["id"], "site": site.get(row["id"]), "pairs": row["copy_count"], "copies": row["copy_sum"]} for row in ranked]
