"""Bounded memory: a scan works a block of text at a time, and the blocks change nothing.

On the bundled corpora (real Reuters articles, their planted copies and a cascade of copies across
sites): a scan with blocks so small that every stage runs over many of them (reading, line counts,
fingerprints spilled by hash, candidate pairs aligned in chunks) writes the same tables as one
that holds everything at once; and a scan stopped in the middle of a stage resumes to the same
tables.
"""

from pathlib import Path

import numpy as np
import orjson
import pyarrow.parquet as pq
import pytest

import copytrace
from copytrace.blocks import ROWS_PER_GROUP, DocumentStore, copy_documents
from copytrace.candidates import FingerprintIndex, FingerprintSpill, candidate_pairs
from copytrace.fingerprint import Words
from copytrace.workspace import SCHEMAS

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample.jsonl"
CASCADES = ROOT / "examples" / "cascades.jsonl"


def assert_same_tables(one: Path, two: Path) -> None:
    for name in SCHEMAS:
        a, b = copytrace.Workspace(one).table(name), copytrace.Workspace(two).table(name)
        if name == "settings":  # it records the settings, how much text a block holds among them
            assert [r["name"] for r, s in zip(a.to_pylist(), b.to_pylist()) if r != s] in ([], ["block_chars"])
        else:
            assert a.equals(b), name


@pytest.mark.parametrize("corpus", [SAMPLE, CASCADES], ids=["sample", "cascades"])
def test_small_blocks_give_the_same_tables(tmp_path, corpus):
    whole = copytrace.scan([corpus], tmp_path / "whole")
    blocks = copytrace.scan([corpus], tmp_path / "blocks", copytrace.Settings(block_chars=20_000))
    assert blocks.candidates == whole.candidates > 0 and blocks.pairs == whole.pairs
    assert_same_tables(tmp_path / "whole", tmp_path / "blocks")


def test_documents_table_reads_back_by_block_and_by_row(tmp_path):
    copytrace.scan([CASCADES], tmp_path / "ws", copytrace.Settings(block_chars=30_000))
    [path] = copytrace.Workspace(tmp_path / "ws").part_paths("documents")
    documents = pq.read_table(path)
    groups = pq.ParquetFile(path).metadata
    assert groups.num_row_groups > 1 or documents.num_rows <= ROWS_PER_GROUP
    assert all(groups.row_group(g).num_rows <= ROWS_PER_GROUP for g in range(groups.num_row_groups))
    assert not (tmp_path / "ws" / "index" / "documents.arrow").exists()  # removed once no stage needs it
    copy_documents([path], tmp_path / "documents.arrow")
    store = DocumentStore(tmp_path / "documents.arrow")
    assert len(store) == documents.num_rows
    firsts, texts = [], []
    for first, rows in store.blocks(50_000, columns=["text"]):
        firsts.append(first)
        texts += rows.column("text").to_pylist()
    assert texts == documents.column("text").to_pylist() and firsts[0] == 0
    chosen = np.array([0, 7, documents.num_rows - 1])
    assert store.rows(chosen, ["doc_id"]).column("doc_id").to_pylist() == [documents.column("doc_id")[i].as_py() for i in chosen]
    assert store.rows(chosen).equals(documents.take(chosen))


def test_spilled_fingerprints_give_the_pairs_of_the_whole_index(tmp_path):
    texts = [orjson.loads(line)["text"] for line in CASCADES.read_bytes().splitlines() if line.strip()]
    hashes, docs = Words.build(texts, 4).fingerprints(5, 4)
    sites = np.arange(len(texts)) % 7
    whole = candidate_pairs(hashes, docs, sites, max_df=30, min_shared=2)
    spill = FingerprintSpill(tmp_path / "fp" / "run-000", partitions=16)
    for lo in range(0, len(texts), 10):  # added a few documents at a time, as a scan does
        mine = (docs >= lo) & (docs < lo + 10)
        spill.add(hashes[mine], docs[mine])
    spilled = FingerprintIndex(tmp_path / "fp", partitions=16).candidates(sites, max_df=30, min_shared=2)
    assert len(whole) > 10
    assert np.array_equal(spilled.a, whole.a) and np.array_equal(spilled.b, whole.b) and np.array_equal(spilled.shared, whole.shared)
    assert (spilled.postings, spilled.dropped_common, spilled.dropped_same_site) == (whole.postings, whole.dropped_common, whole.dropped_same_site)


class Stop(Exception):
    pass


class StopAt:
    """Progress that stops the scan when a stage starts, or after some items of one (a kill)."""

    def __init__(self, stage: str, after: int | None = None):
        self.stage_name, self.after, self.current, self.done = stage, after, None, 0

    def stage(self, name, total=None, unit=""):
        self.current, self.done = name, 0
        if name == self.stage_name and self.after is None:
            raise Stop(name)

    def advance(self, n=1):
        self.done += n
        if self.current == self.stage_name and self.after is not None and self.done > self.after:
            raise Stop(self.current)

    def count(self, n=1):
        pass

    def message(self, text):
        pass


@pytest.mark.parametrize(
    ("stop", "resumed"),
    [
        (StopAt("fingerprints", after=40), ["read"]),  # killed inside a stage: the stage is redone
        (StopAt("candidates"), ["read", "fingerprints"]),
        (StopAt("align", after=5), ["read", "fingerprints", "candidates"]),
        (StopAt("provenance"), ["read", "fingerprints", "candidates", "align"]),
    ],
    ids=["in-fingerprints", "before-candidates", "in-align", "before-provenance"],
)
def test_a_stopped_scan_resumes_to_the_same_tables(tmp_path, stop, resumed):
    settings = copytrace.Settings(block_chars=30_000)
    copytrace.scan([CASCADES], tmp_path / "whole", settings)
    with pytest.raises(Stop):
        copytrace.scan([CASCADES], tmp_path / "ws", settings, progress=stop)
    for name in ("documents", "pairs"):  # what was written before the stop is whole, or absent
        ws = copytrace.Workspace(tmp_path / "ws")
        assert not ws.has(name) or ws.table(name).num_rows > 0
    again = copytrace.scan([CASCADES], tmp_path / "ws", settings)
    assert again.resumed == resumed
    assert_same_tables(tmp_path / "whole", tmp_path / "ws")
