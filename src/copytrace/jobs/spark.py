"""The Spark engine: a scan's stages as Spark jobs (``copytrace scan --engine spark``), for corpora
that outgrow one machine. Every task runs the same per-block code as the local engine, so the
tables are the same:

- **read**: one task per input file parses it (the same readers); repeated ids are found by a
  shuffle on the id (the first in input order wins, as locally); documents are numbered in input
  order and moved into blocks of consecutive documents (one shuffle of the text); each block's
  task finds its words (extraction flags, line counts) and writes its part of ``documents``.
  Dates are checked on the driver across the corpus, and the few parts holding a date flag are
  written again.
- **fingerprints**: one task per part of ``documents`` marks its boilerplate and spills its
  fingerprints by hash; one task per hash partition then joins the parts' spills, in document
  order, into the fingerprint index.
- **candidates**: one task per hash partition counts its pairs' votes; the votes are summed per
  range of first document (a shuffle) and only the strong pairs come back to the driver.
- **align**: one task per chunk of candidate pairs reads its documents from ``documents`` and
  aligns, scores and labels its pairs (:func:`copytrace.jobs.scan.align_chunk`).
- **provenance** runs on the driver, over the pairs (a small part of a scan).

Files: the workspace folder must be one path that the driver and every executor see (local disk
in local mode; a shared mount such as NFS, EFS or Lustre on a cluster): tasks write their parts
to it (to a temporary name, then renamed, so a retried task writes the same file again). Inputs
are local paths (seen at the same path by the executors) or any URI Hadoop reads (``s3a://``,
``hdfs://``, ``gs://``, ``file://``), each file read whole by one task. The driver holds what the
local engine holds besides the text: the documents' metadata, the line counts, the candidate
pairs and the align stage's tables.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import shutil
import sys
import tempfile
import threading
from dataclasses import replace
from pathlib import Path
from typing import Self

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from copytrace.store.blocks import (
    META_COLUMNS,
    PartedRows,
    documents_batch,
    parts_holding,
    write_documents,
    write_flags,
)
from copytrace.match.boilerplate import LineCounts, LineRuns
from copytrace.match.candidates import (
    Candidates,
    FingerprintIndex,
    FingerprintSpill,
    Votes,
    pair_votes,
    site_keys,
    strong_pairs,
)
from copytrace.match.fingerprint import Words
from copytrace.progress import Progress
from copytrace.ingest.records import Document, PendingPage, Reject
from copytrace.ingest.read import _Extraction, iter_files, read_file
from copytrace.jobs.scan import (
    CHUNK_PAIRS,
    BoilerplateSpans,
    Engine,
    _concat,
    _date_problems,
    align_chunk,
    block_facts,
    chunks,
    fingerprint_block,
    with_meaning,
    write_boilerplate,
)
from copytrace.settings import Settings
from copytrace.ingest.sites import site_of_url
from copytrace.ingest.warc import CrawlFilter
from copytrace.store.workspace import Workspace, rows_to_table

#: Hash partitions of the fingerprint index (as the local engine's).
PARTITIONS = 64


class SparkUnavailable(RuntimeError):
    """pyspark (or the Java it needs) is not there."""


class SparkEngine(Engine):
    """The stages as Spark jobs on ``master`` (default: the one ``spark-submit`` gives, else
    ``local[*]``: every core of this machine); or on a session already made (``session``)."""

    def __init__(self, master: str | None = None, session=None):
        self.master = master
        self._session = session
        self._own_session = session is None

    @property
    def sc(self):
        if self._session is None:
            self._session, self._own_session = _start_session(self.master)
        return self._session.sparkContext

    def close(self) -> None:
        """Stop the Spark session if this engine started it."""
        if self._session is not None and self._own_session:
            self._session.stop()
            self._session = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- read -------------------------------------------------------------------------------------

    def read(self, inputs, ws: Workspace, settings: Settings, progress: Progress, total_bytes: int):
        sc = self.sc
        task_settings = replace(settings, workers=1)  # Spark runs the tasks side by side
        progress.stage("read: listing input files", total=None)
        entries = _input_files(sc, inputs)
        parsed = _parse(sc, entries, task_settings).persist(_on_disk())
        try:
            found = _tracked(sc, progress, "read: parsing files, finding rejects and repeated ids", lambda: _read_rejects(parsed))
            dropped = sc.broadcast({(file_no, position) for file_no, position, _ in found})  # only repeats are documents
            per_file = _tracked(sc, progress, "read: documents per file", lambda: _kept(parsed, dropped).map(lambda r: r[0]).countByValue())
            file_first = {}
            n_docs = 0
            for file_no in sorted(per_file):
                file_first[file_no] = n_docs
                n_docs += per_file[file_no]
            numbered = _kept(parsed, dropped).mapPartitions(_numbering(file_first))
            facts = _tracked(sc, progress, "read: sizes and sites", lambda: numbered.mapPartitions(_sizes_and_sites).collect())
            chars, site_numbers = _order_facts(facts, n_docs)
            bounds = _block_bounds(chars, settings.block_chars, sc.defaultParallelism)

            folder = ws.table_path("documents")
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            (ws.path / "documents.parquet").unlink(missing_ok=True)  # a workspace of an earlier format
            shared = sc.broadcast((bounds, site_numbers, str(folder), task_settings))
            n_blocks = len(bounds) - 1
            blocks = numbered.partitionBy(n_blocks, _BlockOf(bounds)).mapPartitionsWithIndex(_read_block_task(shared))
            done = sorted(_tracked(sc, progress, "read: blocks", lambda: blocks.collect(), total=n_blocks), key=lambda d: d[0])
        finally:
            parsed.unpersist()

        read_rejects = [reject for _, _, reject in sorted(found, key=lambda r: (r[0], r[1]))]
        for reject in read_rejects:
            progress.message(reject.message())
        parts = [ws.part_path("documents", b) for b in range(len(done))]
        meta = pa.concat_tables([m for _, m, _, _ in done])
        found_flags = [f for _, _, flags, _ in done for f in flags]
        lines = LineCounts.merge([c for _, _, _, c in done])
        date_flags, date_rejects = _date_problems(meta, settings, progress)
        flags = [[*date_flags.get(d, []), *found] for d, found in enumerate(found_flags)]
        for part, first, rows in parts_holding([m.num_rows for _, m, _, _ in done], date_flags):  # only parts with a date flag
            path = parts[part]
            temporary = path.with_name(f".{path.name}.flags.tmp")
            write_flags(path, temporary, flags[first : first + rows])
            os.replace(temporary, path)

        reject_rows = [r.row() for r in read_rejects]
        rejects = reject_rows + date_rejects
        ws.write("rejects", rows_to_table("rejects", rejects))
        LineRuns(ws.path / "index" / "lines").reset(lines)
        meta = meta.set_column(meta.schema.get_field_index("flags"), "flags", pa.array(flags, pa.list_(pa.string())))
        return meta, rejects, len(reject_rows)

    # -- fingerprints -----------------------------------------------------------------------------

    def fingerprints(self, ws: Workspace, doc_sites, site_names, pages_per_site, template: LineCounts, settings: Settings, progress: Progress) -> None:
        sc = self.sc
        index = ws.path / "index"
        final = index / "fingerprints"
        temporary = index / ".fingerprints.tmp"
        shutil.rmtree(temporary, ignore_errors=True)
        (temporary / "blocks").mkdir(parents=True)
        parts = ws.part_paths("documents")
        sizes = [pq.ParquetFile(path).metadata.num_rows for path in parts]
        firsts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        shared = sc.broadcast((template, pages_per_site, replace(settings, workers=1), str(temporary / "blocks")))
        tasks = [(n, str(path), int(firsts[n]), doc_sites[firsts[n] : firsts[n + 1]]) for n, path in enumerate(parts)]
        found = _tracked(sc, progress, "fingerprints", lambda: sc.parallelize(tasks, max(len(tasks), 1)).map(_fingerprint_task(shared)).collect(), total=len(tasks))
        run = temporary / "run-000"
        run.mkdir()
        tasks = _hash_tasks(sc)
        job = sc.parallelize(range(tasks), tasks).map(_join_spills(str(temporary / "blocks"), str(run), len(parts), tasks))
        _tracked(sc, progress, "fingerprints: joining", lambda: job.collect(), total=tasks)
        shutil.rmtree(temporary / "blocks")
        shutil.rmtree(final, ignore_errors=True)
        os.replace(temporary, final)
        found.sort(key=lambda f: f[0])
        write_boilerplate(ws, template, site_names, PartedRows(parts))
        ws.write("boilerplate_spans", pa.table({
            "doc_id": pa.concat_arrays([f[1] for f in found]) if found else pa.array([], pa.string()),
            "start": np.concatenate([f[2] for f in found]) if found else np.zeros(0, np.int64),
            "end": np.concatenate([f[3] for f in found]) if found else np.zeros(0, np.int64),
        }))

    # -- candidates -------------------------------------------------------------------------------

    def candidates(self, ws: Workspace, doc_sites, settings: Settings, progress: Progress) -> Candidates:
        sc = self.sc
        folder = str(ws.path / "index" / "fingerprints")
        tasks = _hash_tasks(sc)
        ranges = max(1, min(tasks, len(doc_sites)))
        shared = sc.broadcast((site_keys(doc_sites), settings.max_df, settings.same_site, len(doc_sites), ranges))
        votes = sc.parallelize(range(tasks), tasks).flatMap(_votes_task(folder, shared, tasks))
        strong = votes.groupByKey(ranges).map(_strong_task(settings.min_shared))
        found = sorted(_tracked(sc, progress, "candidates", lambda: strong.collect()), key=lambda f: f[0])
        parts = [c for _, c in found]
        if not parts:
            return Candidates(np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int32), 0, 0, 0)
        return Candidates(
            np.concatenate([c.a for c in parts]),
            np.concatenate([c.b for c in parts]),
            np.concatenate([c.shared for c in parts]),
            postings=sum(c.postings for c in parts),
            dropped_common=sum(c.dropped_common for c in parts),
            dropped_same_site=sum(c.dropped_same_site for c in parts),
        )

    # -- align ------------------------------------------------------------------------------------

    def align(self, ws: Workspace, meta: pa.Table, doc_sites, pages_per_site, template: LineCounts, cands: Candidates, settings: Settings, progress: Progress) -> dict[str, pa.Table]:
        sc = self.sc
        chars = meta.column("chars").to_numpy()
        spans = BoilerplateSpans.read(ws, meta)
        most = max(1, min(CHUNK_PAIRS, math.ceil(len(cands) / (4 * sc.defaultParallelism))))  # enough chunks for every core
        tasks = []
        for lo, hi in chunks(cands, chars, settings.block_chars, most):
            a, b = cands.a[lo:hi].astype(np.int64), cands.b[lo:hi].astype(np.int64)
            docs = np.union1d(a, b)
            tasks.append((lo, docs, doc_sites[docs], a, b, cands.shared[lo:hi], spans.of_docs(docs)))
        shared = sc.broadcast(([str(p) for p in ws.part_paths("documents")], template.keys, pages_per_site, replace(settings, workers=1)))
        job = sc.parallelize(tasks, max(len(tasks), 1)).map(_align_task(shared))
        found = sorted(_tracked(sc, progress, "align", lambda: job.collect(), total=len(tasks)), key=lambda f: f[0])
        tables = {name: _concat([f[n + 1] for f in found], name) for n, name in enumerate(("passages", "pairs", "edits"))}
        if settings.meaning:  # the meaning stage's batches as Spark tasks too (jobs/meaning_pairs.py)
            tasks_of = _MeaningTasks(sc, [str(p) for p in ws.part_paths("documents")], settings, progress)
            tables = with_meaning(None, ws, meta, doc_sites, tables, settings, progress, tasks=tasks_of)
        return tables


class _MeaningTasks:
    """The meaning stage's batches (lead vectors, alignment, story similarity) as Spark tasks, one
    a batch, each reading its documents from the workspace's parts; results in the batches' order.
    Each task encodes on one core, with the vectors the local engine gives (a document's sentences
    are encoded in fixed runs of their own)."""

    def __init__(self, sc, paths: list[str], settings: Settings, progress: Progress):
        self.sc, self.progress = sc, progress
        self.shared = sc.broadcast((paths, replace(settings, workers=1)))

    def __call__(self, step: str, batches: list) -> list:
        if not batches:
            return []
        job = self.sc.parallelize(batches, len(batches)).map(_meaning_task(self.shared, step))
        return _tracked(self.sc, self.progress, f"meaning: {step}", lambda: job.collect(), total=len(batches))


def _meaning_task(shared, step: str):
    def run(batch):
        from copytrace.jobs.meaning_pairs import run_batch

        paths, settings = shared.value
        return run_batch(step, PartedRows([Path(p) for p in paths]), batch, settings, 1, {})

    return run


def _start_session(master: str | None):
    """The active Spark session if there is one, else a new one on ``master`` (or the one
    spark-submit set, else ``local[*]``), its Python workers running this Python in local mode;
    and whether it is new (and so to be stopped when done)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise SparkUnavailable("the Spark engine needs pyspark: pip install 'copytrace[spark]' (and Java 17 or newer)") from error
    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    builder = SparkSession.builder.appName("copytrace")
    submitted = bool(os.environ.get("PYSPARK_GATEWAY_PORT"))  # under spark-submit: its master and Python
    if master or not submitted:
        builder = builder.master(master or "local[*]")
        if (master or "local[*]").startswith("local"):
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # the workers: this Python, with copytrace
            builder = builder.config("spark.driver.memory", _local_heap())  # the JVM runs the tasks too: 1 GB loses results
    for key, value in DEFAULT_CONF.items():
        builder = builder.config(key, value)
    if not submitted:  # Spark's own log: errors only (a JVM spark-submit started has its own settings)
        quiet = Path(__file__).with_name("log4j2-spark.properties")
        builder = builder.config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={quiet.as_uri()}")
    try:
        session = builder.getOrCreate()
    except Exception as error:
        raise SparkUnavailable(f"Spark could not start ({type(error).__name__}: {error}); it needs Java 17 or newer") from error
    session.sparkContext.setLogLevel("ERROR")
    return session, True


#: Settings a session gets unless the user's Spark configuration sets them: results of any size
#: come back to the driver (the align stage's tables), and copytrace draws its own progress bar.
DEFAULT_CONF = {
    "spark.driver.maxResultSize": "0",
    "spark.ui.showConsoleProgress": "false",
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "64",
}


def _local_heap() -> str:
    """The JVM heap in local mode: a quarter of this machine's memory, 2–16 GB."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else 8 << 30
    return f"{max(2, min(16, total // 4 >> 30))}g"


def _on_disk():
    """Where the parsed records are kept between the read stage's jobs: on disk (they hold the
    text; in memory they would crowd out the tasks' results)."""
    from pyspark import StorageLevel

    return StorageLevel.DISK_ONLY


def _tracked(sc, progress: Progress, label: str, action, total: int | None = None):
    """Run ``action`` (a Spark action) with a progress stage that counts the tasks its jobs have
    finished (polled from Spark's status tracker)."""
    group = f"copytrace-{label}-{id(action)}"
    sc.setJobGroup(group, label)
    progress.stage(label, total=total, unit="tasks")
    stop = threading.Event()

    def poll() -> None:
        shown = 0
        tracker = sc.statusTracker()
        while not stop.wait(0.5):
            with contextlib.suppress(Exception):  # the tracker is best effort: a job may end meanwhile
                done = 0
                for job in tracker.getJobIdsForGroup(group):
                    info = tracker.getJobInfo(job)
                    for stage in info.stageIds if info else []:
                        stage_info = tracker.getStageInfo(stage)
                        done = max(done, stage_info.numCompletedTasks if stage_info else 0)
                if done > shown:
                    progress.advance(done - shown)
                    shown = done

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    try:
        return action()
    finally:
        stop.set()
        watcher.join()
        sc.setLocalProperty("spark.jobGroup.id", None)


# -- read: input files ----------------------------------------------------------------------------


def _input_files(sc, inputs) -> list[tuple]:
    """Every input file in order, as ``(kind, path, name)``: ``"local"`` files (walked as the
    local engine walks them), ``"uri"`` files (listed through Hadoop's file systems) and
    ``"reject"`` entries for paths that are not there."""
    entries: list[tuple] = []
    for item in inputs:
        text = str(item)
        if "://" in text:
            entries.extend(_listed(sc, text))
            continue
        for found in iter_files([item]):
            if isinstance(found, Reject):
                entries.append(("reject", found, None))
            else:
                entries.append(("local", str(found[0]), found[1]))
    return entries


def _listed(sc, uri: str) -> list[tuple]:
    """The files at ``uri`` (a file, or a folder walked as :func:`copytrace.ingest.read.iter_files`
    walks one: a folder's files before its subfolders, each by name)."""
    jvm = sc._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    try:
        fs = path.getFileSystem(sc._jsc.hadoopConfiguration())
        if not fs.exists(path):
            return [("reject", Reject(uri, None, "no such file or folder"), None)]
        if not fs.getFileStatus(path).isDirectory():
            name = path.getName()
            return [("uri", path.toString(), name)]
        root = path.toString().rstrip("/")
        files = []
        listing = fs.listFiles(path, True)
        while listing.hasNext():
            found = listing.next().getPath().toString()
            files.append(found)
    except Exception as error:  # noqa: BLE001 - a file system Hadoop cannot reach rejects this input only
        return [("reject", Reject(uri, None, f"could not list: {error}"), None)]

    def walk_key(found: str):
        parts = found[len(root) + 1 :].split("/")
        return [(1, p) for p in parts[:-1]] + [(0, parts[-1])]

    return [("uri", found, found[len(root) + 1 :]) for found in sorted(files, key=walk_key)]


def _parse(sc, entries: list[tuple], settings: Settings):
    """The records of every input file: ``(file number, position, record)``, a file's records
    together and in order. Local files are opened by the task; URIs are read whole by Spark
    (``binaryFiles``), one Spark read per run of consecutive URIs."""
    rdds = []
    numbered = [(file_no, *entry) for file_no, entry in enumerate(entries)]
    for is_uri, run in itertools.groupby(numbered, key=lambda e: e[1] == "uri"):
        run = list(run)
        if is_uri:
            by_uri = {uri: (file_no, name) for file_no, _, uri, name in run}
            rdds.append(sc.binaryFiles(",".join(by_uri)).flatMap(_parse_bytes(settings, by_uri)))
        else:
            rdds.append(sc.parallelize(run, len(run)).flatMap(_parse_local(settings)))
    return sc.union(rdds) if len(rdds) > 1 else rdds[0] if rdds else sc.parallelize([], 1)


def _records(path: Path, name: str, settings: Settings):
    """One file's records, pages extracted in this task, sites given to documents that name none."""
    keep = CrawlFilter(settings.sites, settings.since, settings.until)
    for record in read_file(path, name, settings.max_chars, keep):
        for found in _Extraction._resolve(record, None) if isinstance(record, PendingPage) else [record]:
            if type(found) is Document and found.site is None:
                found.site = site_of_url(found.url, settings.site_by)
            yield found


def _parse_local(settings: Settings):
    def parse(entry):
        file_no, kind, path, name = entry
        if kind == "reject":
            yield file_no, 0, path
            return
        for position, record in enumerate(_records(Path(path), name, settings)):
            yield file_no, position, record

    return parse


def _parse_bytes(settings: Settings, by_uri: dict):
    def parse(item):
        uri, data = item
        file_no, name = by_uri[uri]
        with tempfile.TemporaryDirectory(prefix="copytrace-") as folder:
            path = Path(folder) / Path(name).name  # the file's own name: its suffix says how to read it
            path.write_bytes(data)
            del data
            for position, record in enumerate(_records(path, name, settings)):
                record.source = uri if record.source == str(path) else record.source
                yield file_no, position, record

    return parse


def _read_rejects(parsed) -> list[tuple]:
    """Every reject of the reading as ``(file, position, reject)``, in one pass over the records:
    those the readers made, and the documents whose id an earlier document (in input order) has
    (found by a shuffle on the id; the rejects go through it too, each under its own key)."""

    def keyed(record):
        f, p, found = record
        if type(found) is Document:
            return ("id", found.doc_id), (f, p, found.source, found.line)
        return ("reject", f, p), (f, p, found)

    def rejects(item):
        key, places = item
        if key[0] == "reject":
            return list(places)
        places = sorted(places)
        first = places[0]
        where = f"{first[2]}:{first[3]}" if first[3] is not None else first[2]
        return [(f, p, Reject(source, line, f"duplicate id {key[1]!r} (first seen at {where})")) for f, p, source, line in places[1:]]

    return parsed.map(keyed).groupByKey().flatMap(rejects).collect()


def _kept(parsed, dropped):
    """The documents that stay (not repeats of an earlier id)."""
    return parsed.filter(lambda r: type(r[2]) is Document and (r[0], r[1]) not in dropped.value)


def _numbering(file_first: dict):
    """Each document numbered: its file's first number plus its rank in the file (a file's
    documents come together, in order, in one partition)."""

    def number(records):
        file_no, rank = None, 0
        for f, _, doc in records:
            if f != file_no:
                file_no, rank = f, 0
            yield file_first[f] + rank, doc
            rank += 1

    return number


def _sizes_and_sites(records):
    numbers, chars, sites = [], [], []
    for n, doc in records:
        numbers.append(n)
        chars.append(len(doc.text))
        sites.append(doc.site)
    yield np.array(numbers, np.int64), np.array(chars, np.int64), sites


def _order_facts(facts: list, n_docs: int) -> tuple[np.ndarray, dict[str, int]]:
    """Each document's characters by number, and the sites numbered in order of first appearance
    (as the local engine numbers them)."""
    chars = np.zeros(n_docs, np.int64)
    site_of: list[str | None] = [None] * n_docs
    for numbers, sizes, sites in facts:
        chars[numbers] = sizes
        for n, site in zip(numbers.tolist(), sites):
            site_of[n] = site
    site_numbers: dict[str, int] = {}
    for site in site_of:
        if site:
            site_numbers.setdefault(site, len(site_numbers))
    return chars, site_numbers


def _block_bounds(chars: np.ndarray, block_chars: int, cores: int) -> np.ndarray:
    """Where the blocks of consecutive documents start (and the last ends): about ``block_chars``
    of text each, and at least two blocks per core where the corpus allows."""
    total = int(chars.sum())
    if not len(chars):
        return np.zeros(2, np.int64)  # one empty block: an empty part, as the local engine writes
    size = max(1, min(block_chars, math.ceil(total / (2 * max(cores, 1))) if total else block_chars))
    ends = np.cumsum(chars)
    cuts = np.searchsorted(ends, np.arange(size, total, size), side="left") + 1
    return np.unique(np.concatenate([[0], cuts[cuts < len(chars)], [len(chars)]])).astype(np.int64)


class _BlockOf:
    """Spark's partition function: a document number's block."""

    def __init__(self, bounds: np.ndarray):
        self.bounds = bounds

    def __call__(self, n: int) -> int:
        return int(np.searchsorted(self.bounds, n, side="right") - 1)


def _read_block_task(shared):
    def run(block: int, records):
        bounds, site_numbers, folder, settings = shared.value
        docs = [doc for _, doc in sorted(records, key=lambda r: r[0])]
        first = int(bounds[block])
        if len(docs) != bounds[block + 1] - first:
            raise RuntimeError(f"block {block} holds {len(docs)} documents, not {bounds[block + 1] - first}")
        batch = documents_batch(docs)
        words = Words.build([d.text for d in docs], settings.seed)
        sites = np.array([site_numbers[d.site] if d.site else -1 for d in docs], np.int64)
        flags, lines = block_facts(words, [d.title for d in docs], sites, first)
        write_documents(Path(folder) / f"part-{block:05d}.parquet", iter([batch]), flags)
        yield block, pa.Table.from_batches([batch]).select(META_COLUMNS), flags, lines

    return run


# -- fingerprints and candidates ------------------------------------------------------------------


def _fingerprint_task(shared):
    def run(task):
        n, path, first, sites = task
        template, pages_per_site, settings, blocks = shared.value
        rows = pq.read_table(path, columns=["doc_id", "text"])
        found = fingerprint_block(rows.column("text").to_pylist(), sites, template, pages_per_site, settings)
        FingerprintSpill(Path(blocks) / f"{n:05d}", PARTITIONS).add(found.hashes, found.docs + first)
        ids = rows.column("doc_id").combine_chunks().take(pa.array(found.span_docs, pa.int64()))
        return n, ids, found.span_starts, found.span_ends

    return run


def _hash_tasks(sc) -> int:
    """Tasks that share the hash partitions (a task takes every ``tasks``-th): two per core, so
    that a small cluster does not pay Spark's cost per task 64 times over."""
    return max(1, min(PARTITIONS, 2 * sc.defaultParallelism))


def _join_spills(blocks: str, run: str, n_parts: int, tasks: int):
    """Each of a task's hash partitions: its fingerprints from every part's spill, in document
    order, written as that partition of the index run (to a temporary name, then renamed)."""

    def join(task: int):
        out = FingerprintSpill(Path(run), PARTITIONS)
        for p in range(task, PARTITIONS, tasks):
            spills = [FingerprintSpill(Path(blocks) / f"{n:05d}", PARTITIONS).read(p) for n in range(n_parts)]
            if any(len(h) for h, _ in spills):
                out.write(p, np.concatenate([h for h, _ in spills]), np.concatenate([d for _, d in spills]))
        return task

    return join


def _votes_task(folder: str, shared, tasks: int):
    """The pair votes of a task's hash partitions, cut by range of the pairs' first document."""

    def run(task: int):
        site_of, max_df, same_site, n_docs, ranges = shared.value
        index = FingerprintIndex(Path(folder), PARTITIONS)
        out = []
        for p in range(task, PARTITIONS, tasks):
            votes = pair_votes(*index.read(p), site_of, max_df=max_df, same_site=same_site)
            bucket = ((votes.keys >> 32) * ranges // max(n_docs, 1)).astype(np.int64)
            cuts = np.searchsorted(bucket, np.arange(ranges + 1))  # keys ascend, so buckets do
            empty = np.zeros(0, np.int64)
            out.append((0, Votes(empty, empty, votes.postings, votes.dropped_common, votes.dropped_same_site)))  # summed with range 0
            out += [(r, Votes(votes.keys[cuts[r] : cuts[r + 1]], votes.votes[cuts[r] : cuts[r + 1]], 0, 0, 0)) for r in range(ranges) if cuts[r + 1] > cuts[r]]
        return out

    return run


def _strong_task(min_shared: int):
    def run(item):
        r, parts = item
        return r, strong_pairs(list(parts), min_shared)

    return run


def _align_task(shared):
    def run(task):
        lo, docs, sites, a, b, shared_fp, spans = task
        paths, template_keys, pages_per_site, settings = shared.value
        rows = PartedRows([Path(p) for p in paths]).rows(docs)
        return (lo, *align_chunk(rows, docs, sites, a, b, shared_fp, spans, template_keys, pages_per_site, settings))

    return run
