"""Bounded memory: a scan works a block of text at a time, and the blocks change nothing.

On the bundled corpora (real Reuters articles, their planted copies and a cascade of copies across
sites): a scan with blocks so small that every stage runs over many of them (reading, line counts,
fingerprints spilled by hash, candidate pairs aligned in chunks) writes the same tables as one
that holds everything at once; and a scan stopped in the middle of a stage resumes to the same
tables.
"""

from collections import Counter
from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import copytrace
import copytrace.match.candidates as candidates_module
from copytrace.store.blocks import ROWS_PER_GROUP, DocumentStore, PartedRows, copy_documents
from copytrace.match.candidates import FingerprintIndex, FingerprintSpill, candidate_pairs
from copytrace.match.fingerprint import Words
from copytrace.store.workspace import SCHEMAS, doc_numbers

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


def test_chosen_documents_read_from_row_groups_on_threads_come_in_the_order_asked(tmp_path):
    """``PartedRows`` (what ``add`` reads texts with) across two parts in many row groups, on one
    thread and on three: the rows asked for, repeated and out of order included."""
    copytrace.scan([CASCADES], tmp_path / "ws")
    documents = copytrace.Workspace(tmp_path / "ws").table("documents")
    half = documents.num_rows // 2
    paths = [tmp_path / "one.parquet", tmp_path / "two.parquet"]
    pq.write_table(documents.slice(0, half), paths[0], row_group_size=5)
    pq.write_table(documents.slice(half), paths[1], row_group_size=3)
    chosen = np.random.default_rng(3).choice(documents.num_rows, 40)
    chosen[:3] = [documents.num_rows - 1, half, chosen[3]]
    for threads in (1, 3):
        rows = PartedRows(paths, threads=threads)
        assert len(rows) == documents.num_rows and len(rows.groups) > 20
        assert rows.rows(chosen).equals(documents.take(chosen))
        assert rows.rows(chosen[:5], ["doc_id", "text"]).equals(documents.select(["doc_id", "text"]).take(chosen[:5]))


def test_document_numbers_are_the_places_of_the_ids(tmp_path):
    """``doc_numbers`` against a dict of every id: ids repeated, absent, and from several chunks."""
    copytrace.scan([SAMPLE], tmp_path / "ws")
    ids = copytrace.Workspace(tmp_path / "ws").table("documents").column("doc_id")
    place = {d: n for n, d in enumerate(ids.to_pylist())}
    asked = [ids[i].as_py() for i in np.random.default_rng(5).integers(0, len(ids), 60)] + ["not an id", ids[0].as_py()]
    for given in (pa.array(asked), pa.chunked_array([asked[:20], asked[20:]])):
        assert doc_numbers(given, ids).tolist() == [place.get(d, -1) for d in asked]
    assert doc_numbers(pa.array([], pa.string()), ids).tolist() == []


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
    # Memory-mapped as stored (how an add reads the old ones), partitions written empty included.
    spill.write(15, np.zeros(0, np.uint64), np.zeros(0, np.int64))
    for p in range(16):
        (read_hashes, read_docs), (mapped_hashes, mapped_docs) = spill.read(p), spill.read(p, mapped=True)
        assert np.array_equal(read_hashes, mapped_hashes) and np.array_equal(read_docs, mapped_docs) and mapped_docs.dtype == np.int32
    assert sum(len(spill.read(p, mapped=True)[0]) for p in range(16)) > 0 == len(spill.read(15, mapped=True)[0])


@pytest.mark.parametrize(("pair_chunk", "dropped_bits"), [(None, None), (500, None), (None, 48)])
def test_candidate_votes_are_the_fingerprints_two_documents_share(reuters, monkeypatch, pair_chunk, dropped_bits):
    """The vectorized counting against a count made one fingerprint at a time: each distinct
    fingerprint two documents share is a vote, unless it is in more than max_df documents or
    found on one site only. Reuters reruns stories, so real pairs exist; small sites and a small
    max_df make both rules drop some. With a small pair chunk the votes are counted in pieces;
    with 48 low bits dropped from the sort's keys, thousands of different hashes sort together,
    and the votes must not change."""
    if pair_chunk:
        monkeypatch.setattr(candidates_module, "PAIR_CHUNK", pair_chunk)
    if dropped_bits:
        monkeypatch.setattr(candidates_module, "index_bits", lambda *lengths: dropped_bits)
    texts = [a.text for a in reuters[:800]]
    hashes, docs = Words.build(texts, 4).fingerprints(5, 4)
    sites = np.arange(len(texts)) % 5
    sites[::7] = -1  # unknown site: a site of its own
    max_df = 6
    found = candidate_pairs(hashes, docs, sites, max_df=max_df, min_shared=2)

    holders: dict[int, set[int]] = {}
    for h, d in zip(hashes.tolist(), docs.tolist()):
        holders.setdefault(h, set()).add(d)
    votes: Counter = Counter()
    site_of = [s if s >= 0 else f"own-{d}" for d, s in enumerate(sites.tolist())]
    common = same_site = 0
    for members in holders.values():
        if len(members) < 2:
            continue
        if len(members) > max_df:
            common += 1
            continue
        if len({site_of[d] for d in members}) == 1:
            same_site += 1
            continue
        ordered = sorted(members)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                votes[a, b] += 1
    expected = sorted((a, b, v) for (a, b), v in votes.items() if v >= 2)
    assert len(expected) > 20 and common > 0 and same_site > 0
    assert list(zip(found.a.tolist(), found.b.tolist(), found.shared.tolist())) == expected
    assert (found.dropped_common, found.dropped_same_site) == (common, same_site)


def test_votes_counted_again_only_for_the_hashes_a_run_touches_are_all_the_votes(reuters, tmp_path):
    """What ``add`` counts (the votes before, then only the lists of the hashes its run touches)
    against counting the whole index again. The run adds documents and replaces old ones (their
    text found again without its first paragraph, as when boilerplate changes): hashes gain and
    lose documents, become too common or stop being one-site."""
    texts = [a.text for a in reuters[:700]]
    n_old = 600
    replaced = np.arange(0, n_old, 9)
    again = {int(d): "\n\n".join(texts[d].split("\n\n")[1:]) or texts[d] for d in replaced}
    sites = np.arange(len(texts)) % 4
    sites[::11] = -1
    rules = {"max_df": 5, "min_shared": 2}
    index = FingerprintIndex(tmp_path / "fp", partitions=8)

    old_hashes, old_docs = Words.build(texts[:n_old], 4).fingerprints(5, 4)
    FingerprintSpill(tmp_path / "fp" / "run-000", partitions=8).add(old_hashes, old_docs)
    index.candidates(sites[:n_old], votes_to=tmp_path / "votes.npz", **rules)
    before = candidates_module.load_votes(tmp_path / "votes.npz")

    numbers = np.concatenate([replaced, np.arange(n_old, len(texts))])
    hashes, local = Words.build([again.get(int(d), texts[d]) for d in numbers], 4).fingerprints(5, 4)
    spill = FingerprintSpill(index.new_run(1), partitions=8)
    spill.add(hashes, numbers[local])
    index.finish_run(1, replaces=replaced)

    counted_again = index.candidates_after(1, before, sites, votes_to=tmp_path / "after.npz", **rules)
    whole = index.candidates(sites, votes_to=tmp_path / "whole.npz", **rules)
    assert len(whole) > 20 and len(counted_again) == len(whole)
    assert np.array_equal(counted_again.a, whole.a) and np.array_equal(counted_again.b, whole.b) and np.array_equal(counted_again.shared, whole.shared)
    assert (counted_again.postings, counted_again.dropped_common, counted_again.dropped_same_site) == (whole.postings, whole.dropped_common, whole.dropped_same_site)
    after, all_again = candidates_module.load_votes(tmp_path / "after.npz"), candidates_module.load_votes(tmp_path / "whole.npz")
    assert np.array_equal(after.keys, all_again.keys) and np.array_equal(after.votes, all_again.votes)
    changed = np.setdiff1d(all_again.keys, before.keys).size + np.setdiff1d(before.keys, all_again.keys).size
    assert changed > 50  # the run did change votes


def test_aligned_documents_carry_the_date_flags_of_the_documents_table(tmp_path, monkeypatch):
    """The align stage reads texts from the read stage's scratch copy, whose flags were found
    before dates were checked: what it aligns must carry the final flags (a batch time-stamp
    makes a page's date untrusted, which decides who was first)."""
    import sys

    records = [orjson.loads(line) for line in CASCADES.read_bytes().splitlines() if line.strip()]
    copies = [r for r in records if r.get("date") and not r["id"].startswith("other")]
    for r in copies[:20]:  # one time-stamp on a fifth of the file's dated pages: an import time
        r["date"] = "2024-02-02T02:02:02+00:00"
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    scan_module = sys.modules["copytrace.jobs.scan"]
    seen: dict[str, list] = {}

    def spy(rows, *args, **kwargs):
        seen.update(zip(rows.column("doc_id").to_pylist(), rows.column("flags").to_pylist()))
        return align_chunk(rows, *args, **kwargs)

    align_chunk = scan_module.align_chunk
    monkeypatch.setattr(scan_module, "align_chunk", spy)
    copytrace.scan([corpus], tmp_path / "ws")
    documents = copytrace.Workspace(tmp_path / "ws").table("documents", columns=["doc_id", "flags"])
    final = dict(zip(documents.column("doc_id").to_pylist(), documents.column("flags").to_pylist()))
    assert sum("batch_timestamp" in (flags or []) for flags in seen.values()) >= 10
    assert {d: flags or [] for d, flags in seen.items()} == {d: final[d] or [] for d in seen}


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
