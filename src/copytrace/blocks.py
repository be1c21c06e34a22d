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
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.ipc
import pyarrow.parquet as pq

from .read import Document
from .workspace import SCHEMAS

#: Documents per row group of the ``documents`` table: the unit of random access to texts.
ROWS_PER_GROUP = 1024

#: The columns of ``documents`` that stay in memory during a scan (all but the text).
META_COLUMNS = [name for name in SCHEMAS["documents"].names if name != "text"]


def documents_batch(docs: list[Document]) -> pa.RecordBatch:
    """Documents as a record batch of the ``documents`` schema."""
    columns = {name: [getattr(d, name) for d in docs] for name in SCHEMAS["documents"].names if name != "chars"}
    columns["chars"] = [len(d.text) for d in docs]
    return pa.RecordBatch.from_pydict(columns, schema=SCHEMAS["documents"])


def to_documents(table: pa.Table) -> list[Document]:
    """Rows of the ``documents`` table as :class:`Document` objects."""
    return [Document(**{k: v for k, v in r.items() if k != "chars"}) for r in table.to_pylist()]


class Scratch:
    """Record batches of documents kept on disk until their table can be written (an Arrow IPC
    file: written in order, read back in order, never held in memory whole)."""

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


def write_documents(path: Path, batches: Iterator[pa.RecordBatch], flags: list[list[str]], copy: Path) -> None:
    """Write the ``documents`` table from ``batches`` (their flags replaced by ``flags``, one list
    per document in order), atomically, in row groups of :data:`ROWS_PER_GROUP`; and the same rows,
    uncompressed, to ``copy`` (an Arrow IPC file: what later stages read texts from)."""
    temporary = path.with_name(f".{path.name}.tmp")
    copy_temporary = copy.with_name(f".{copy.name}.tmp")
    schema = SCHEMAS["documents"]
    flag_index = schema.names.index("flags")
    done = 0
    with pq.ParquetWriter(temporary, schema, compression="zstd") as writer, pa.OSFile(str(copy_temporary), "wb") as sink:
        with pa.ipc.new_file(sink, schema) as arrow:
            pending: list[pa.RecordBatch] = []
            rows = 0
            for batch in batches:
                column = pa.array(flags[done : done + batch.num_rows], schema.field("flags").type)
                done += batch.num_rows
                batch = batch.set_column(flag_index, schema.field("flags"), column)
                arrow.write_batch(batch)
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
    os.replace(copy_temporary, copy)


def copy_documents(path: Path, copy: Path) -> None:
    """The uncompressed copy of the ``documents`` table at ``path`` (to resume a scan whose copy
    was removed)."""
    temporary = copy.with_name(f".{copy.name}.tmp")
    source = pq.ParquetFile(path)
    with pa.OSFile(str(temporary), "wb") as sink, pa.ipc.new_file(sink, SCHEMAS["documents"]) as arrow:
        for batch in source.iter_batches(batch_size=ROWS_PER_GROUP):
            arrow.write_batch(batch)
    os.replace(temporary, copy)


class DocumentStore:
    """Reads documents back from the uncompressed copy of the ``documents`` table (see
    :func:`write_documents`): all of them in blocks (read into memory a batch at a time), or
    chosen rows by number (from a memory map made for each call, so only the pages of the rows
    taken are touched)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        with pa.memory_map(str(self.path)) as source:
            self._rows = pa.ipc.open_file(source).read_all().num_rows

    def __len__(self) -> int:
        return self._rows

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
        """The rows of documents ``docs``, in that order."""
        with pa.memory_map(str(self.path)) as source:
            table = pa.ipc.open_file(source).read_all()
            if columns is not None:
                table = table.select(columns)
            return table.take(pa.array(np.asarray(docs, np.int64)))  # a copy: the map can go
