"""``copytrace add``: new articles indexed against a workspace without reading the old ones again.

News arrives daily; a workspace of a year of it should not be scanned again for each day's pages.
``add`` gives the tables a full ``scan`` of the old inputs and the new together would give, doing
again only what the new documents change:

- **read**: only the new inputs (their ids checked against the workspace's), written as one more
  part of ``documents``; their line counts, which boilerplate is learned from, are one more run of
  :class:`copytrace.match.boilerplate.LineRuns`. Dates are checked for the new documents and the old ones
  whose problems may have changed (:func:`_dates_to_check`), and an old part is written again only
  when one of its documents' date flags changed.
- **fingerprints**: the new documents', and those of old documents of a site whose template
  changed (new pages can make a line common enough to be boilerplate, or no longer). An old
  document whose boilerplate came out the same keeps its fingerprints; the others are replaced by
  a new run of the fingerprint index (:class:`copytrace.match.candidates.FingerprintIndex`).
- **candidates**: the votes of the hashes the new run touches are counted again, before and
  after, and the difference applied to all the pair votes the last scan or add kept
  (``index/votes.npz``): new documents change which fingerprints are too common or one-site, so
  old pairs can lose votes or gain them. Without kept votes, all are counted again.
- **align**: only pairs with a new or changed document, or new among the candidates; the rows of
  the other pairs are kept (their ``shared_fingerprints`` brought up to date).
- **provenance**: again, over all pairs (it is a small part of a scan).

The workspace stays readable throughout: what the read stage makes is staged under
``index/increment`` and moved into place once the manifest records it, so an ``add`` that is
stopped resumes (run the same ``add`` again) to the tables an uninterrupted one writes.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute
import pyarrow.parquet as pq

from copytrace.store.blocks import (
    META_COLUMNS,
    PartedRows,
    parts_holding,
    write_documents,
    write_flags,
)
from copytrace.match.boilerplate import LineCounts, LineRuns, site_pages
from copytrace.match.candidates import Candidates, FingerprintIndex, FingerprintSpill, load_votes
from copytrace.ingest.dates import CRAWL_IN_FUTURE, DATE_IN_FUTURE, UNTRUSTED_DATE
from copytrace.match.fingerprint import find_sorted
from copytrace.match.meaning import found_by_words
from copytrace.progress import Progress, Silent
from copytrace.jobs.scan import (
    ALIGN_TABLES,
    DIRECTION_COLUMNS,
    PROVENANCE_TABLES,
    STAGES,
    BoilerplateSpans,
    ScanResult,
    _align_stage,
    with_meaning,
    _collector_paused,
    _counted,
    _date_problems,
    _provenance_stage,
    _read_blocks,
    _site_numbers,
    fingerprint_block,
    input_signature,
    stage_keys,
    summary,
    write_boilerplate,
)
from copytrace.settings import STAGE_OF, Settings
from copytrace.store.workspace import SCHEMAS, Workspace, doc_numbers, durable_step, rows_to_table, save_npz

#: The flags the date check sets (the others come from extraction and stay with a document).
DATE_FLAGS = UNTRUSTED_DATE | {CRAWL_IN_FUTURE}


class AddError(ValueError):
    """The workspace cannot take new documents (not scanned, or an earlier ``add`` unfinished)."""


def add(workspace: str | os.PathLike, inputs: list, settings: Settings | None = None, progress: Progress | None = None) -> ScanResult:
    """Add the documents of ``inputs`` to the scanned workspace ``workspace``: its tables become
    those of a scan of its inputs and ``inputs`` together. The workspace's own settings are used;
    of ``settings`` only how the work runs (``workers``, ``block_chars``)."""
    with _collector_paused():
        return _add(Workspace(workspace), [str(i) for i in inputs], settings or Settings(), progress or Silent())


def _add(ws: Workspace, inputs: list[str], execution: Settings, progress: Progress) -> ScanResult:
    started = time.perf_counter()
    manifest = ws.manifest()
    index = ws.path / "index"
    increment = index / "increment"
    pending = manifest.get("increment")
    finished_scan = "provenance" in manifest and "inputs" in manifest and all(ws.has(n) for n in ("documents", *ALIGN_TABLES, *PROVENANCE_TABLES))
    if not finished_scan and not pending:
        raise AddError(f"{ws.path} is not a finished scan: run `copytrace scan INPUT... --out {ws.path}` first")
    stored = (manifest.get("provenance") or {}).get("settings") or pending["settings"]
    settings = Settings.from_dict({**stored, **{k: v for k, v in execution.to_dict().items() if STAGE_OF.get(k) == "execution"}})
    if pending and pending["inputs"] != inputs:
        raise AddError(f"an earlier add of {' '.join(pending['inputs'])} did not finish: run it again to finish it first")
    resumed: list[str] = []

    ws.remove_strays()
    given = input_signature(inputs)
    if pending:
        signature = manifest["read"]["signature"]
        signed = pending.get("signed", len(signature) - len(given))  # (an add of an earlier version)
        if signature[signed:] != _new_entries(signature[:signed], given):
            raise AddError(f"the inputs of the unfinished add of {' '.join(inputs)} changed since it started: scan the workspace's inputs again")
        resumed.append("read")
        read_key, align_key, provenance_key = stage_keys(signature, settings)
        already = len(given) - (len(signature) - signed)
    else:
        shutil.rmtree(increment, ignore_errors=True)  # what an add stopped after it was recorded left
        new = _new_entries(manifest["read"]["signature"], given)
        already = len(given) - len(new)
        if not new:  # every input is in the workspace, unchanged: nothing to do
            meta = ws.table("documents", columns=META_COLUMNS)
            result = summary(ws, meta, ws.table("rejects").to_pylist(), len(Candidates.load(index / "candidates.npz")), manifest.get("provenance_counts", {}), started, [*STAGES])
            result.already_added = already
            return result
        signature = manifest["read"]["signature"] + new
        read_key, align_key, provenance_key = stage_keys(signature, settings)
        manifest = _read_more(ws, inputs, new, manifest, read_key, settings, progress)
        pending = manifest["increment"]
    ws.apply_staged()

    meta = ws.table("documents", columns=META_COLUMNS)
    site_names, doc_sites = _site_numbers(meta)
    pages_per_site = site_pages(doc_sites, len(site_names))
    if (increment / "template.npz").exists():  # learned when this add read its inputs: not again
        template = LineCounts(**np.load(increment / "template.npz"))
    else:  # an add stopped by an earlier version, which did not keep it
        template = LineRuns(index / "lines").template(pages_per_site, settings.boilerplate_min_pages, settings.boilerplate_share)
    documents = PartedRows(ws.part_paths("documents"), threads=settings.workers or os.cpu_count() or 1)

    def finished(stage: str, key, **more) -> None:
        manifest.update({stage: key, **more})
        ws.save_manifest({k: v for k, v in manifest.items() if k != "format"})

    if manifest.get("fingerprints") == align_key and (increment / "changed.npy").exists():
        resumed.append("fingerprints")
    else:
        _fingerprint_more(ws, documents, meta, doc_sites, site_names, pages_per_site, template, pending, settings, progress)
        finished("fingerprints", align_key)
    changed = np.load(increment / "changed.npy")

    if manifest.get("candidates") == align_key:
        resumed.append("candidates")
        cands = Candidates.load(index / "candidates.npz")
    else:
        fingerprints = FingerprintIndex(index / "fingerprints")
        progress.stage("candidates", total=fingerprints.partitions, unit="parts")
        rules = {
            "max_df": settings.max_df, "min_shared": settings.min_shared, "same_site": settings.same_site, "progress": progress,
            "workers": settings.workers or os.cpu_count() or 1, "votes_to": index / "votes.npz",
        }
        if (increment / "votes-before.npz").exists():  # only the votes the new run changes
            cands = fingerprints.candidates_after(pending["run"], load_votes(increment / "votes-before.npz"), doc_sites, **rules)
        else:  # a workspace whose votes were not kept (a Spark scan, or an earlier version): all again
            cands = fingerprints.candidates(doc_sites, **rules)
        cands.save(index / "candidates.npz")
        finished("candidates", align_key)

    tables = None
    if manifest.get("align") == align_key:
        resumed.append("align")
    else:
        before = Candidates.load(increment / "candidates-before.npz")
        tables = _align_more(ws, documents, meta, doc_sites, pages_per_site, template, cands, before, changed, settings, progress)
        if settings.meaning:  # the pairs by meaning found again, the lead vectors kept by the scan read back
            tables = with_meaning(documents, ws, meta, doc_sites, tables, settings, progress, reuse=True)
        for name, table in tables.items():
            ws.write(name, table)
        finished("align", align_key)

    provenance_counts = _provenance_stage(ws, meta, tables, settings, progress)
    del manifest["increment"]
    finished("provenance", provenance_key, provenance_counts=provenance_counts)  # the add is whole from here
    shutil.rmtree(increment, ignore_errors=True)
    durable_step()
    result = summary(ws, meta, ws.table("rejects").to_pylist(), len(cands), provenance_counts, started, resumed)
    result.already_added = already
    return result


def _new_entries(signature: list, given: list) -> list:
    """The entries of the inputs' signature ``given`` that the workspace's ``signature`` does not
    hold: files not added before, or changed since (another size or modification time)."""
    held = {tuple(entry) for entry in signature}
    return [entry for entry in given if tuple(entry) not in held]


def _read_more(ws: Workspace, inputs: list[str], new: list, manifest: dict, read_key: dict, settings: Settings, progress: Progress) -> dict:
    """Read the files of ``inputs`` that the workspace does not hold (``new``: their signature
    entries) and stage what changes (a new part of ``documents``, old parts whose date flags
    changed, ``rejects``, the line counts, the documents whose boilerplate may change); then record
    the new read stage in the manifest. Returns the manifest."""
    index = ws.path / "index"
    increment = index / "increment"
    shutil.rmtree(increment, ignore_errors=True)
    staged = increment / "staged"
    old_parts = ws.part_paths("documents")
    n_parts = manifest.get("parts", len(old_parts))
    for leftover in old_parts[n_parts:]:  # of an add stopped before it was recorded
        leftover.unlink()
    old_parts = old_parts[:n_parts]
    meta_old = pa.concat_tables([pq.read_table(path, columns=META_COLUMNS) for path in old_parts])
    n_old = meta_old.num_rows
    site_names, old_sites = _site_numbers(meta_old)
    seen = _TakenIds(meta_old)

    wanted = {entry[0] for entry in new}
    skip = {entry[0] for entry in manifest["read"]["signature"]} - wanted  # files added before, unchanged
    total_bytes = sum(size or 0 for _, size, _ in new)
    new = _read_blocks(
        inputs, increment / ".documents.arrow", settings, progress, total_bytes, first_doc=n_old, seen=seen,
        site_numbers={s: n for n, s in enumerate(site_names)}, skip=skip,
    )
    meta = pa.concat_tables([meta_old, new.meta.cast(meta_old.schema)])
    recheck = _dates_to_check(meta, n_old)
    date_flags, checked_rejects = _date_problems(meta, settings, progress, only=recheck)

    progress.stage("write documents", total=new.meta.num_rows, unit="docs")
    new_flags = [[*date_flags.get(n_old + d, []), *found] for d, found in enumerate(new.flags)]
    (staged / "documents").mkdir(parents=True)
    write_documents(staged / "documents" / ws.part_path("documents", n_parts).name, _counted(new.scratch.batches(), progress), new_flags)
    new.scratch.remove()
    # The old documents checked again whose date flags changed: only their parts are written again.
    rechecked = recheck[recheck < n_old]
    before = dict(zip(rechecked.tolist(), meta_old.column("flags").take(pa.array(rechecked)).to_pylist()))
    after = {d: [*date_flags.get(d, []), *[f for f in (flags or []) if f not in DATE_FLAGS]] for d, flags in before.items()}
    changed = {d for d in before if after[d] != (before[d] or [])}
    sizes = [pq.ParquetFile(path).metadata.num_rows for path in old_parts]
    for part, first, rows in parts_holding(sizes, changed):
        flags = meta_old.column("flags").slice(first, rows).to_pylist()
        path = old_parts[part]
        write_flags(path, staged / "documents" / path.name, [after.get(d, flags[d - first] or []) for d in range(first, first + rows)])

    old_rejects = ws.table("rejects").to_pylist()
    read_rejects = old_rejects[: manifest.get("read_rejects", 0)] + new.rejects
    date_rejects = _merged_date_rejects(old_rejects[manifest.get("read_rejects", 0) :], checked_rejects, meta, recheck)
    (staged / "rejects.parquet").parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(rows_to_table("rejects", read_rejects + date_rejects), staged / "rejects.parquet", compression="zstd")

    progress.stage("line counts", total=None)
    lines = LineRuns(index / "lines")
    lines.write(len(lines.runs()), new.lines, folder=staged / "index" / "lines")
    all_names, all_sites = _site_numbers(meta)
    pages_before, pages_after = site_pages(old_sites, len(site_names)), site_pages(all_sites, len(all_names))
    learn = (settings.boilerplate_min_pages, settings.boilerplate_share)
    was, now = lines.template(pages_before, *learn), lines.template(pages_after, *learn, extra=new.lines)
    maybe = _maybe_changed(was, now, pages_before, pages_after, old_sites, settings)
    np.save(increment / "maybe_changed.npy", maybe)
    save_npz(increment / "template.npz", {name: getattr(now, name) for name in LineCounts.__dataclass_fields__})
    _keep(index / "candidates.npz", increment / "candidates-before.npz")
    # The spans before: the fingerprint stage compares with them, and writes the table anew (an
    # add stopped after that write and resumed must still compare with the spans before it).
    _keep(ws.table_path("boilerplate_spans"), increment / "boilerplate_spans-before.parquet")
    if (index / "votes.npz").exists():
        _keep(index / "votes.npz", increment / "votes-before.npz")

    runs = len(FingerprintIndex(index / "fingerprints").runs())
    kept = {k: v for k, v in manifest.items() if k not in ("format", "fingerprints", "candidates", "align", "provenance", "provenance_counts")}
    manifest = {
        **kept,
        "read": read_key,
        "inputs": manifest["inputs"] + inputs,
        "read_rejects": len(read_rejects),
        "parts": n_parts + 1,
        "increment": {
            "inputs": inputs, "first_new": n_old, "run": runs, "settings": manifest["provenance"]["settings"],
            "signed": len(manifest["read"]["signature"]),
        },
    }
    ws.save_manifest(manifest)
    return manifest


class _TakenIds:
    """The ``seen`` of :func:`~copytrace.ingest.read.read_inputs` for an add: the ids of the documents
    there were, each with its row (where it was first seen is read from there only when it comes
    again), and those read since. A dict of every old id with its place took 1 s at a million
    documents."""

    def __init__(self, meta_old: pa.Table):
        self.meta_old = meta_old
        self.old = {doc_id: row for row, doc_id in enumerate(meta_old.column("doc_id").to_pylist())}
        self.new: dict[str, tuple[str, int | None]] = {}

    def get(self, doc_id: str) -> tuple[str, int | None] | None:
        if doc_id in self.new:
            return self.new[doc_id]
        row = self.old.get(doc_id)
        if row is None:
            return None
        return self.meta_old.column("source")[row].as_py(), self.meta_old.column("line")[row].as_py()

    def __setitem__(self, doc_id: str, where: tuple[str, int | None]) -> None:
        self.new[doc_id] = where


def _keep(path: Path, kept: Path) -> None:
    """``path`` as it is now, at ``kept``: a hard link where the file system allows one (``path``
    is only ever replaced by a rename, never written in place, so the link keeps this content),
    else a copy."""
    kept.unlink(missing_ok=True)
    try:
        os.link(path, kept)
    except OSError:
        shutil.copyfile(path, kept)


def _dates_to_check(meta: pa.Table, n_old: int) -> np.ndarray:
    """The documents whose dates must be checked again (ascending): the new ones, and the old ones
    whose date problems may have changed, with every document of their input files (the batch
    time-stamp check counts per input file). An old document's problems change only if its input
    file gained documents, or if it was found dated in the future (time has passed since)."""
    flags = meta.column("flags").slice(0, n_old).combine_chunks()
    in_future = pa.compute.is_in(pa.compute.list_flatten(flags), pa.array([CRAWL_IN_FUTURE, DATE_IN_FUTURE]))
    future = pa.compute.list_parent_indices(flags).filter(in_future)
    sources = meta.column("source").combine_chunks()
    touched = pa.concat_arrays([sources.slice(n_old), sources.take(future)]).unique()
    recheck = np.flatnonzero(pa.compute.is_in(sources, touched).to_numpy(zero_copy_only=False))
    return np.union1d(recheck, np.arange(n_old, meta.num_rows))


def _merged_date_rejects(old: list[dict], checked: list[dict], meta: pa.Table, recheck: np.ndarray) -> list[dict]:
    """The date problems of the whole corpus, in document order (as a scan lists them): the last
    read's rows (``old``) for the documents not checked again, ``checked`` for the rest."""
    ids = meta.column("doc_id").combine_chunks()

    def numbers(rows: list[dict]) -> np.ndarray:
        return doc_numbers(pa.array([r["doc_id"] for r in rows], pa.string()), ids)
    old_docs, checked_docs = numbers(old), numbers(checked)
    kept = ~np.isin(old_docs, recheck)
    docs = np.concatenate([old_docs[kept], checked_docs])
    rows = [r for r, k in zip(old, kept) if k] + checked
    return [rows[i] for i in np.argsort(docs, kind="stable")]


def _maybe_changed(was: LineCounts, now: LineCounts, pages_before, pages_after, old_sites, settings: Settings) -> np.ndarray:
    """The old documents whose boilerplate may have changed: those of sites whose learned lines
    (``was``, ``now``) changed, or that became large enough to learn from (the built-in patterns
    no longer apply)."""
    gone = ~np.isin(was.keys, now.keys)
    came = ~np.isin(now.keys, was.keys)
    sites = np.union1d(was.site[gone], now.site[came])
    small_before = pages_before < settings.boilerplate_min_pages
    small_after = pages_after[: len(pages_before)] < settings.boilerplate_min_pages
    sites = np.union1d(sites, np.flatnonzero(small_before != small_after))
    return np.flatnonzero(np.isin(old_sites, sites)).astype(np.int64)


def _fingerprint_more(ws: Workspace, documents: PartedRows, meta: pa.Table, doc_sites, site_names, pages_per_site, template: LineCounts, pending: dict, settings: Settings, progress: Progress) -> None:
    """Fingerprint the new documents and the old ones whose boilerplate may have changed; those
    whose boilerplate did change, with the new ones, make a new run of the fingerprint index.
    Writes ``boilerplate_spans``, ``boilerplate`` and ``index/increment/changed.npy``."""
    index = ws.path / "index"
    increment = index / "increment"
    first_new = pending["first_new"]
    fingerprints = FingerprintIndex(index / "fingerprints")
    for run in fingerprints.runs()[pending["run"] :]:  # of an add stopped before it was recorded
        shutil.rmtree(run)
    run = fingerprints.new_run(pending["run"])
    shutil.rmtree(run, ignore_errors=True)
    spill = FingerprintSpill(run)
    maybe = np.load(increment / "maybe_changed.npy")
    todo = np.concatenate([maybe, np.arange(first_new, meta.num_rows)])
    chars = meta.column("chars").to_numpy()
    ids = meta.column("doc_id").combine_chunks()
    before = increment / "boilerplate_spans-before.parquet"
    old_spans = BoilerplateSpans.read(ws, meta, before if before.exists() else None)  # (none: an add of an earlier version)

    progress.stage("fingerprints", total=len(todo), unit="docs")
    changed, new_spans = [], []
    reach = np.cumsum(chars[todo])  # characters up to and including each document to do
    lo = 0
    while lo < len(todo):
        done_chars = reach[lo - 1] if lo else 0
        hi = max(lo + 1, int(np.searchsorted(reach, done_chars + settings.block_chars)))
        block = todo[lo:hi]
        texts = documents.rows(block, columns=["text"]).column("text").to_pylist()
        found = fingerprint_block(texts, doc_sites[block], template, pages_per_site, settings)
        span_doc = block[found.span_docs]
        same = _unchanged(block, old_spans, span_doc, found) & (block < first_new)
        keep = ~np.isin(found.docs, np.flatnonzero(same))  # unchanged documents keep their fingerprints
        spill.add(found.hashes[keep], block[found.docs[keep]])
        changed.append(block[~same])
        new_spans.append((span_doc, found.span_starts, found.span_ends))
        progress.advance(len(block))
        lo = hi
    changed = np.concatenate([np.zeros(0, np.int64), *changed])
    fingerprints.finish_run(pending["run"], replaces=changed[changed < first_new])

    kept = ~np.isin(old_spans.docs, todo)  # the spans of the documents not found again
    docs = np.concatenate([old_spans.docs[kept], *[s[0] for s in new_spans]])
    starts = np.concatenate([old_spans.starts[kept], *[s[1] for s in new_spans]])
    ends = np.concatenate([old_spans.ends[kept], *[s[2] for s in new_spans]])
    order = np.lexsort((starts, docs))
    ws.write("boilerplate_spans", pa.table({"doc_id": ids.take(pa.array(docs[order])), "start": starts[order], "end": ends[order]}))
    write_boilerplate(ws, template, site_names, documents)
    np.save(increment / "changed.npy", changed)


def _unchanged(docs: np.ndarray, old: BoilerplateSpans, new_docs: np.ndarray, found) -> np.ndarray:
    """Per document of ``docs`` (ascending), whether its boilerplate spans are those it had
    (``old``: the spans before; ``new_docs`` the documents of ``found``'s spans)."""
    ol, oh = np.searchsorted(old.docs, docs), np.searchsorted(old.docs, docs, "right")
    nl, nh = np.searchsorted(new_docs, docs), np.searchsorted(new_docs, docs, "right")
    same = (oh - ol) == (nh - nl)
    n = np.where(same, oh - ol, 0)
    within = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    o, w = np.repeat(ol, n) + within, np.repeat(nl, n) + within
    differ = (old.starts[o] != found.span_starts[w]) | (old.ends[o] != found.span_ends[w])
    same[np.repeat(np.arange(len(docs)), n)[differ]] = False
    return same


def _align_more(ws: Workspace, documents: PartedRows, meta: pa.Table, doc_sites, pages_per_site, template, cands: Candidates, before: Candidates, changed: np.ndarray, settings: Settings, progress: Progress) -> dict[str, pa.Table]:
    """The align stage's tables: pairs with a changed (or new) document, or new among the
    candidates, aligned; the other pairs' rows kept from the tables as they were."""
    keys = (cands.a.astype(np.int64) << 32) | cands.b.astype(np.int64)
    _, was = find_sorted(np.sort((before.a.astype(np.int64) << 32) | before.b.astype(np.int64)), keys)
    is_changed = np.zeros(meta.num_rows, bool)
    is_changed[changed] = True
    fresh = np.flatnonzero(~was | is_changed[cands.a] | is_changed[cands.b])
    subset = replace(cands, a=cands.a[fresh], b=cands.b[fresh], shared=cands.shared[fresh])
    aligned = _align_stage(documents, ws, meta, doc_sites, pages_per_site, template, subset, settings, progress)

    kept_keys = np.sort(np.delete(keys, fresh))
    olds = {name: _lexical(ws.table(name)) for name in ALIGN_TABLES}
    news = {name: aligned[name].select(olds[name].column_names).cast(olds[name].schema) for name in ALIGN_TABLES}
    pair_keys = _pair_keys([*olds.values(), *news.values()], meta.column("doc_id"))
    tables = {}
    for name, old_keys, new_keys in zip(ALIGN_TABLES, pair_keys, pair_keys[len(ALIGN_TABLES) :]):
        old, new = olds[name], news[name]
        _, keep = find_sorted(kept_keys, old_keys)
        old = old.filter(pa.array(keep))
        if name == "pairs":
            shared = cands.shared[np.searchsorted(keys, old_keys[keep])]
            old = old.set_column(old.column_names.index("shared_fingerprints"), "shared_fingerprints", pa.array(shared, pa.int32()))
            for column in DIRECTION_COLUMNS:
                old = old.set_column(old.column_names.index(column), column, pa.nulls(old.num_rows, SCHEMAS["pairs"].field(column).type))
        together = pa.concat_tables([old, new])
        order = np.argsort(np.concatenate([old_keys[keep], new_keys]), kind="stable")
        tables[name] = together.take(pa.array(order))
    return tables


def _lexical(table: pa.Table) -> pa.Table:
    """The rows of a table found by shared words (a scan with ``--meaning`` also has rows found by
    meaning, which :func:`copytrace.jobs.scan.with_meaning` finds again)."""
    if "match" not in table.column_names:
        return table
    return table.filter(found_by_words(table.column("match")))


def _pair_keys(tables: list[pa.Table], ids: pa.ChunkedArray) -> list[np.ndarray]:
    """Per table (rows with ``a_id`` and ``b_id``), each row's pair as ``a << 32 | b`` in document
    numbers: the ids of all the tables joined with ``ids`` at once (each join reads every id:
    0.03 s at a million documents)."""
    columns = [t.column(side) for t in tables for side in ("a_id", "b_id")]
    numbers = doc_numbers(pa.chunked_array([c for column in columns for c in column.chunks], pa.string()), ids)
    a_and_b = np.split(numbers, np.cumsum([len(c) for c in columns])[:-1])
    return [(a << 32) | b for a, b in zip(a_and_b[0::2], a_and_b[1::2])]
