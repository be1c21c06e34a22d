"""Documents a block at a time: what keeps a scan's memory bounded whatever the corpus's size.

A scan never holds the corpus's text. Reading streams documents into blocks of about
``Settings.block_chars`` characters; each block's text goes to disk (the ``documents`` table, in
row groups of :data:`ROWS_PER_GROUP` documents) and what later stages need of it (line counts,
fingerprints) is kept in compact arrays or spilled to disk. Later stages read the text back, in
order (:meth:`DocumentStore.blocks`) or only the documents some pairs need
(:meth:`DocumentStore.rows`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.ipc
import pyarrow.parquet as pq

from copytrace.ingest.languages import detect_languages
from copytrace.ingest.records import Document
from copytrace.store.workspace import SCHEMAS, durable_step

#: Documents per row group of the ``documents`` table: the unit of random access to texts.
ROWS_PER_GROUP = 1024

#: Documents per record batch of the uncompressed copy :func:`copy_documents` writes: about a
#: block's worth, as the read stage writes it (:meth:`DocumentStore.rows` pays a little for each
#: batch it takes rows from: 0.3 s a chunk at a million documents in batches of a row group).
COPY_BATCH_ROWS = 16 * ROWS_PER_GROUP

#: The columns of ``documents`` that stay in memory during a scan (all but the text).
META_COLUMNS = [name for name in SCHEMAS["documents"].names if name != "text"]


def documents_batch(docs: list[Document]) -> pa.RecordBatch:
    """Documents as a record batch of the ``documents`` schema; the language of each document not
    identified yet is identified here (every engine writes its documents through this)."""
    unknown = [d for d in docs if d.lang is None]
    for doc, lang in zip(unknown, detect_languages([d.text for d in unknown])):
        doc.lang = lang
    columns = {name: [getattr(d, name) for d in docs] for name in SCHEMAS["documents"].names if name != "chars"}
    columns["chars"] = [len(d.text) for d in docs]
    return pa.RecordBatch.from_pydict(columns, schema=SCHEMAS["documents"])


def to_documents(table: pa.Table) -> list[Document]:
    """Rows of the ``documents`` table as :class:`Document` objects."""
    return [Document(**{k: v for k, v in r.items() if k != "chars"}) for r in table.to_pylist()]


class Scratch:
    """Record batches of documents kept on disk until their table can be written (an Arrow IPC
    file: written in order, read back in order, never held in memory whole). A scan keeps it as
    the uncompressed copy later stages read texts from."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._sink = pa.OSFile(str(self.path), "wb")
        self._writer = pa.ipc.new_file(self._sink, SCHEMAS["documents"])

    def write(self, batch: pa.RecordBatch) -> None:
        self._writer.write_batch(batch)

    def close(self) -> None:
        self._writer.close()
        self._sink.close()

    def batches(self) -> Iterator[pa.RecordBatch]:
        with pa.OSFile(str(self.path), "rb") as source:
            reader = pa.ipc.open_file(source)
            for i in range(reader.num_record_batches):
                yield reader.get_batch(i)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def write_documents(path: Path, batches: Iterator[pa.RecordBatch], flags: list[list[str]]) -> None:
    """Write a part of the ``documents`` table from ``batches`` (their flags replaced by
    ``flags``, one list per document in order), atomically, in row groups of
    :data:`ROWS_PER_GROUP`."""
    temporary = path.with_name(f".{path.name}.tmp")
    schema = SCHEMAS["documents"]
    flag_index = schema.names.index("flags")
    done = 0
    with pq.ParquetWriter(temporary, schema, compression="zstd") as writer:
        pending: list[pa.RecordBatch] = []
        rows = 0
        for batch in batches:
            column = pa.array(flags[done : done + batch.num_rows], schema.field("flags").type)
            done += batch.num_rows
            batch = batch.set_column(flag_index, schema.field("flags"), column)
            pending.append(batch)
            rows += batch.num_rows
            if rows >= ROWS_PER_GROUP:
                table = pa.Table.from_batches(pending, schema)
                whole = rows - rows % ROWS_PER_GROUP
                writer.write_table(table.slice(0, whole), row_group_size=ROWS_PER_GROUP)
                pending = table.slice(whole).to_batches()
                rows -= whole
        if rows or done == 0:
            writer.write_table(pa.Table.from_batches(pending, schema), row_group_size=ROWS_PER_GROUP)
    os.replace(temporary, path)
    durable_step()


def write_flags(path: Path, out: Path, flags: list[list[str]]) -> None:
    """A part of ``documents`` with its flags column replaced (row groups kept)."""
    source = pq.ParquetFile(path)
    schema = SCHEMAS["documents"]
    done = 0
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        for g in range(source.num_row_groups):
            table = source.read_row_group(g)
            column = pa.array(flags[done : done + table.num_rows], schema.field("flags").type)
            writer.write_table(table.set_column(schema.names.index("flags"), schema.field("flags"), column))
            done += table.num_rows


def parts_holding(sizes: list[int], docs) -> list[tuple[int, int, int]]:
    """The parts of a table (in order, of ``sizes`` rows each) that hold some of the rows
    ``docs``: ``(part, its first row, its rows)`` each, so that only they are written again."""
    starts = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)])
    held = np.unique(np.searchsorted(starts, np.fromiter(docs, np.int64), side="right") - 1)
    return [(int(p), int(starts[p]), int(sizes[p])) for p in held]


def copy_documents(paths: list[Path], copy: Path) -> None:
    """The uncompressed copy of the ``documents`` table whose parts are ``paths`` (to resume a
    scan whose copy was removed, or after documents were added)."""
    temporary = copy.with_name(f".{copy.name}.tmp")
    with pa.OSFile(str(temporary), "wb") as sink, pa.ipc.new_file(sink, SCHEMAS["documents"]) as arrow:
        for path in paths:
            for batch in pq.ParquetFile(path).iter_batches(batch_size=COPY_BATCH_ROWS):
                arrow.write_batch(batch)
    os.replace(temporary, copy)
    durable_step()


class PartedRows:
    """Chosen documents read straight from the parts of the ``documents`` table, a row group
    (:data:`ROWS_PER_GROUP` documents) at a time, on ``threads`` threads (decompressing is most of
    the work, and Arrow does it without the GIL): for work on a few documents of a large workspace
    (``add``), where an uncompressed copy of all of them would cost more than it saves."""

    def __init__(self, paths: list[Path], threads: int = 1):
        self.paths = list(paths)
        self.threads = max(1, threads)
        self._opened = threading.local()  # each thread reads through files of its own
        files = self._files()
        # Every row group of every part, in order: (part, group) and the number of its first row.
        self.groups = [(f, g) for f in range(len(files)) for g in range(files[f].num_row_groups)]
        sizes = [files[f].metadata.row_group(g).num_rows for f, g in self.groups]
        self.starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

    def _files(self) -> list[pq.ParquetFile]:
        if not hasattr(self._opened, "files"):
            self._opened.files = [pq.ParquetFile(path) for path in self.paths]
        return self._opened.files

    def __len__(self) -> int:
        return int(self.starts[-1])

    def rows(self, docs: np.ndarray, columns: list[str] | None = None) -> pa.Table:
        """The rows of documents ``docs`` (numbers across all parts), in that order."""

        def group(g: int) -> pa.Table:
            part, number = self.groups[g]
            return self._files()[part].read_row_group(number, columns=columns)

        return _take_rows(docs, self.starts, group, columns, self.threads)


class DocumentStore:
    """Reads documents back from the uncompressed copy of the ``documents`` table (the read
    stage's :class:`Scratch` file, or :func:`copy_documents`): all of them in blocks (read into
    memory a batch at a time), or chosen rows by number (from a memory map made for each call, so
    only the pages of the rows taken are touched)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        with pa.memory_map(str(self.path)) as source:
            reader = pa.ipc.open_file(source)
            sizes = [reader.get_batch(i).num_rows for i in range(reader.num_record_batches)]
        self._starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

    def __len__(self) -> int:
        return int(self._starts[-1])

    def blocks(self, max_chars: int, columns: list[str] | None = None) -> Iterator[tuple[int, pa.Table]]:
        """``(first document number, rows)`` of consecutive documents, about ``max_chars``
        characters of text at a time (at least one batch as written)."""
        with pa.OSFile(str(self.path), "rb") as source:  # read, not mapped: pages read go once dropped
            reader = pa.ipc.open_file(source)
            first, batches, chars = 0, [], 0
            for i in range(reader.num_record_batches):
                batch = reader.get_batch(i)
                batches.append(batch if columns is None else batch.select(columns))
                chars += pa.compute.sum(batch.column("chars")).as_py() or 0
                if chars >= max_chars:
                    block = pa.Table.from_batches(batches)
                    yield first, block
                    first += block.num_rows
                    batches, chars = [], 0
            if batches:
                yield first, pa.Table.from_batches(batches)

    def rows(self, docs: np.ndarray, columns: list[str] | None = None) -> pa.Table:
        """The rows of documents ``docs``, in that order: taken from each batch that holds some
        (taking from the whole table would join all its batches into one copy first)."""
        with pa.memory_map(str(self.path)) as source:
            reader = pa.ipc.open_file(source)

            def batch(b: int) -> pa.Table:
                found = reader.get_batch(b)
                return pa.Table.from_batches([found if columns is None else found.select(columns)])

            return _take_rows(docs, self._starts, batch, columns)  # taking copies: the map can go


def _take_rows(docs: np.ndarray, starts: np.ndarray, group, columns: list[str] | None, threads: int = 1) -> pa.Table:
    """Rows ``docs`` (in that order) of a table stored in groups of rows, group ``g`` holding
    rows ``starts[g]:starts[g + 1]``: each group that holds some is read (``group(g)``) and its
    rows taken, one group in memory at a time on each of ``threads`` threads."""
    docs = np.asarray(docs, np.int64)
    wanted = np.unique(docs)
    group_of = np.searchsorted(starts, wanted, side="right") - 1
    bounds = np.searchsorted(group_of, np.arange(len(starts)))  # wanted[bounds[g]:bounds[g + 1]] are group g's

    def taken(g: int) -> pa.Table:
        return group(g).take(pa.array(wanted[bounds[g] : bounds[g + 1]] - starts[g]))

    groups = np.unique(group_of).tolist()
    if threads > 1 and len(groups) > 1:
        with ThreadPoolExecutor(threads) as pool:
            tables = list(pool.map(taken, groups))
    else:
        tables = [taken(g) for g in groups]
    if not tables:
        return (SCHEMAS["documents"] if columns is None else pa.schema([SCHEMAS["documents"].field(c) for c in columns])).empty_table()
    return pa.concat_tables(tables).take(pa.array(np.searchsorted(wanted, docs)))
