"""The scan job: find all reuse in a corpus and write the workspace tables.

read → words → fingerprints → candidates → align → score, with the documents and rejects written
as soon as reading ends and pairs and passages at the end, each table atomically. The manifest
records finished stages with a signature of the inputs and the settings, so a scan that was
interrupted, or is run again on the same inputs, picks up what is already done.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from .align import Passage, align_batch
from .candidates import candidate_pairs
from .fingerprint import Words
from .progress import Progress, Silent
from .read import Document, Reject, iter_files, read_inputs
from .score import COPY, PARTIAL, coverage, verdict
from .settings import Settings
from .workspace import Workspace, rows_to_table


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

    def to_dict(self) -> dict:
        return {
            "workspace": self.workspace,
            "documents": self.documents,
            "rejects": {"skipped": self.rejects_skipped, "kept": self.rejects_kept},
            "candidates": self.candidates,
            "pairs": self.pairs,
            "passages": self.passages,
            "top_reused": self.top_reused,
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
    settings = settings or Settings()
    progress = progress or Silent()
    started = time.perf_counter()
    ws = Workspace(out)
    manifest = ws.manifest()
    signature = input_signature(inputs)
    resumed = []

    read_key = {"signature": signature, "max_chars": settings.max_chars}
    if manifest.get("read") == read_key and ws.has("documents") and ws.has("rejects"):
        docs = _documents_from_table(ws.table("documents"))
        rejects = ws.table("rejects").to_pylist()
        resumed.append("read")
    else:
        manifest = {}
        docs, rejects = _read(inputs, settings, progress, n_files=len(signature))
        ws.write("documents", _documents_table(docs))
        ws.write("rejects", rows_to_table("rejects", rejects))
        ws.save_manifest({"read": read_key})

    # Settings that change results; how many processes run them does not.
    align_key = {"signature": signature, "settings": {k: v for k, v in settings.to_dict().items() if k != "workers"}}
    if manifest.get("align") == align_key and ws.has("pairs") and ws.has("passages"):
        pairs = ws.table("pairs").to_pylist()
        n_passages = ws.table("passages", columns=["a_id"]).num_rows
        n_candidates = manifest.get("candidates", 0)
        resumed.append("align")
    else:
        pairs, passages, n_candidates = _find_reuse(docs, settings, progress)
        ws.write("passages", rows_to_table("passages", passages))
        ws.write("pairs", rows_to_table("pairs", pairs))
        ws.save_manifest({"read": read_key, "align": align_key, "candidates": n_candidates})
        n_passages = len(passages)

    outcomes = Counter(r["outcome"] for r in rejects)
    return ScanResult(
        workspace=str(ws.path),
        documents=len(docs),
        rejects_skipped=outcomes.get("skipped", 0),
        rejects_kept=outcomes.get("kept", 0),
        candidates=n_candidates,
        pairs={COPY: sum(p["verdict"] == COPY for p in pairs), PARTIAL: sum(p["verdict"] == PARTIAL for p in pairs)},
        passages=n_passages,
        top_reused=_top_reused(docs, pairs),
        seconds=time.perf_counter() - started,
        resumed=resumed,
    )


def _read(inputs, settings: Settings, progress: Progress, n_files: int) -> tuple[list[Document], list[dict]]:
    progress.stage("read", total=n_files, unit="files")
    docs, rejects = [], []
    last_source = None
    for record in read_inputs(inputs, max_chars=settings.max_chars):
        source = record.source
        if source != last_source:
            progress.advance(1)
            last_source = source
        if isinstance(record, Reject):
            rejects.append(
                {"source": record.source, "line": record.line, "reason": record.reason, "outcome": record.outcome, "doc_id": record.doc_id}
            )
            progress.message(record.message())
        else:
            docs.append(record)
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
        "chars": [d.chars for d in docs],
        "text": [d.text for d in docs],
    }
    return pa.table(columns)


def _documents_from_table(table: pa.Table) -> list[Document]:
    return [
        Document(r["doc_id"], r["text"], r["source"], r["line"], r["url"], r["site"], r["title"], r["date"], r["crawled_at"])
        for r in table.to_pylist()
    ]


def _find_reuse(docs: list[Document], settings: Settings, progress: Progress) -> tuple[list[dict], list[dict], int]:
    """Candidate pairs, their passages and their scores, as table rows."""
    progress.stage("words", total=len(docs), unit="docs")
    words = Words.build([d.text for d in docs], settings.seed, progress=progress)
    progress.stage("fingerprints")
    fp_hashes, fp_docs = words.fingerprints(settings.ngram, settings.window)
    site_numbers: dict[str, int] = {}
    doc_sites = np.array([site_numbers.setdefault(d.site, len(site_numbers)) if d.site else -1 for d in docs], np.int64)
    progress.stage("candidates")
    cands = candidate_pairs(
        fp_hashes, fp_docs, doc_sites, max_df=settings.max_df, min_shared=settings.min_shared, same_site=settings.same_site
    )
    progress.stage("align", total=len(cands), unit="pairs")
    aligned = align_pairs(words, cands.a, cands.b, settings, progress)

    pair_rows, passage_rows = [], []
    for x, passages in enumerate(aligned):
        if not passages:
            continue
        a, b = docs[cands.a[x]], docs[cands.b[x]]
        cov_a = coverage(((p.a_start, p.a_end) for p in passages), a.chars)
        cov_b = coverage(((p.b_start, p.b_end) for p in passages), b.chars)
        pair_rows.append(
            {
                "a_id": a.doc_id,
                "b_id": b.doc_id,
                "coverage_a": round(cov_a, 6),
                "coverage_b": round(cov_b, 6),
                "n_passages": len(passages),
                "verdict": verdict(cov_a, cov_b, len(passages), settings.copy_coverage),
                "shared_fingerprints": int(cands.shared[x]),
            }
        )
        for p in passages:
            passage_rows.append({"a_id": a.doc_id, "b_id": b.doc_id, **p.to_dict(), "similarity": round(p.similarity, 6)})
    return pair_rows, passage_rows, len(cands)


# Alignment runs in worker processes forked with the corpus already in memory; this holds what they
# need while a pool is alive (fork copies it; nothing is pickled but the results).
_FORKED: tuple | None = None

#: Pairs aligned together in one vectorized batch.
BATCH_PAIRS = 4000


def _align_range(bounds: tuple[int, int]) -> list[list[Passage]]:
    words, a, b, settings = _FORKED
    lo, hi = bounds
    return align_batch(words, a[lo:hi], b[lo:hi], settings)


def align_pairs(words: Words, a: np.ndarray, b: np.ndarray, settings: Settings, progress: Progress | None = None) -> list[list[Passage]]:
    """Passages of every pair ``(a[x], b[x])``, in order, in batches spread over all cores."""
    global _FORKED
    progress = progress or Silent()
    n = len(a)
    workers = settings.workers or os.cpu_count() or 1
    size = max(100, min(BATCH_PAIRS, -(-n // (workers * 4))))
    ranges = [(lo, min(lo + size, n)) for lo in range(0, n, size)]
    results: list[list[Passage]] = []
    _FORKED = (words, a, b, settings)
    try:
        if workers == 1 or len(ranges) < 2:
            for r in ranges:
                results += _align_range(r)
                progress.advance(r[1] - r[0])
        else:
            with multiprocessing.get_context("fork").Pool(min(workers, len(ranges))) as pool:
                for r, part in zip(ranges, pool.imap(_align_range, ranges)):
                    results += part
                    progress.advance(r[1] - r[0])
    finally:
        _FORKED = None
    return results


def _top_reused(docs: list[Document], pairs: list[dict], limit: int = 10) -> list[dict]:
    """Documents found in the most pairs."""
    count: Counter = Counter()
    copies: Counter = Counter()
    for p in pairs:
        for key in ("a_id", "b_id"):
            count[p[key]] += 1
            copies[p[key]] += p["verdict"] == COPY
    site = {d.doc_id: d.site for d in docs}
    ranked = sorted(count.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [{"doc_id": k, "site": site.get(k), "pairs": v, "copies": copies[k]} for k, v in ranked]
