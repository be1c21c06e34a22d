"""What the report and the web app show, as plain data: one method per view, read from a workspace.

The static report (:mod:`copytrace.present.report`), the web app and its JSON API (:mod:`copytrace.present.serve`)
all draw from :class:`Views`, so a page, its JSON twin and its file in the report show the same
numbers. Documents, pairs, sites and cascades are addressed by short stable keys (:func:`key_of`):
ids can hold any character, keys are safe in file names and URLs.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc

from copytrace.ingest.dates import document_time
from copytrace.match.meaning import LEXICAL, sentence_spans
from copytrace.store.blocks import PartedRows
from copytrace.store.workspace import Workspace

#: Characters of the longer text shown on one page of a pair; longer pairs are paginated.
PAGE_CHARS = 60_000
#: Sites drawn in the network (the most active ones when there are more).
NETWORK_SITES = 300
#: Pairs listed on one page of the pair list.
PAIRS_PER_PAGE = 500
#: Rows in a "top" list of the overview.
TOP = 15

REQUIRED = ("documents", "pairs", "passages")
#: Texts kept in memory after they were read (the pages shown most recently), at most.
TEXTS_KEPT = 512


class NotFound(LookupError):
    """An unknown document, pair, site or cascade (the web app answers 404)."""


def key_of(*parts: str) -> str:
    """A short stable key for an id (or a pair of ids): 12 hex digits of BLAKE2b."""
    return f"{_key_number(chr(0x1F).join(parts)):012x}"


def _key_number(text: str) -> int:
    """The 48 bits of BLAKE2b that :func:`key_of` writes in hex, as an integer."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=6).digest(), "big")


def _when(doc: dict) -> float | None:
    """A document's publication time as POSIX seconds (the middle of its interval), None if unknown
    or untrusted."""
    moment = document_time(doc.get("date"), doc.get("crawled_at"), doc.get("flags"))
    return None if moment is None else moment.middle


def _table_rows(ws: Workspace, name: str, columns: list[str] | None = None) -> list[dict]:
    return ws.table(name, columns=columns).to_pylist() if ws.has(name) else []


def _rows_of_pairs(ws: Workspace, name: str, docs: pa.Array, pair_filter: PairFilter) -> list[dict]:
    """The rows of a per-pair table (``passages``, ``edits``); with a filter, only those whose
    documents are in the pairs kept (filtered in Arrow, before any row becomes a dict)."""
    if not ws.has(name):
        return []
    table = ws.table(name)
    if pair_filter:
        table = table.filter(pc.and_(pc.is_in(table.column("a_id"), docs), pc.is_in(table.column("b_id"), docs)))
    return table.to_pylist()


class Documents:
    """The documents' metadata (every column but the text) kept columnar, in Arrow, and found by
    id or by key through their keys (:func:`key_of`, 48 bits) sorted in a NumPy array: a million
    documents in about 250 MB, where a dict per document took several GB and Python dicts of ids
    and keys 700 MB more. A document becomes a dict only when it is shown (``docs[doc_id]``)."""

    COLUMNS = ("doc_id", "source", "line", "url", "site", "title", "date", "crawled_at", "lang", "flags", "chars")

    def __init__(self, ws: Workspace):
        present = ws.columns("documents")
        self.table = ws.table("documents", columns=[c for c in self.COLUMNS if c in present]).combine_chunks()
        for name in self.COLUMNS:  # (a workspace of an older copytrace lacks newer columns)
            if name not in self.table.column_names:
                self.table = self.table.append_column(name, pa.nulls(self.table.num_rows))
        self.id_column = self.table.column("doc_id").combine_chunks()
        keys = np.fromiter((_key_number(d) for d in self.id_column.to_pylist()), np.uint64, count=len(self.id_column))
        self.order = np.argsort(keys, kind="stable")
        self.sorted_keys = keys[self.order]

    def __len__(self) -> int:
        return len(self.id_column)

    def __iter__(self) -> Iterator[str]:
        for start in range(0, len(self), 65_536):
            yield from self.id_column.slice(start, 65_536).to_pylist()

    def _rows_with_key(self, number: int) -> np.ndarray:
        lo, hi = np.searchsorted(self.sorted_keys, np.uint64(number), "left"), np.searchsorted(self.sorted_keys, np.uint64(number), "right")
        return self.order[lo:hi]

    def row_of(self, doc_id: object) -> int | None:
        """The row of the document ``doc_id`` (None: not in the workspace)."""
        if not isinstance(doc_id, str):
            return None
        for row in self._rows_with_key(_key_number(doc_id)).tolist():  # (two ids may share a key)
            if self.id_column[row].as_py() == doc_id:
                return row
        return None

    def id_of_key(self, key: str) -> str | None:
        """The id of the document whose key is ``key`` (None: none)."""
        if len(key) != 12 or any(c not in "0123456789abcdef" for c in key):
            return None
        rows = self._rows_with_key(int(key, 16))
        return self.id_column[int(rows[0])].as_py() if len(rows) else None

    def id_at(self, row: int) -> str:
        return self.id_column[row].as_py()

    def __contains__(self, doc_id: object) -> bool:
        return self.row_of(doc_id) is not None

    def __getitem__(self, doc_id: str) -> dict:
        found = self.get(doc_id)
        if found is None:
            raise KeyError(doc_id)
        return found

    def get(self, doc_id: str, default=None) -> dict | None:
        row = self.row_of(doc_id)
        return default if row is None else self.table.slice(row, 1).to_pylist()[0]

    def column(self, name: str) -> pa.Array:
        return self.table.column(name).combine_chunks()


class _TextCache:
    """Texts read by document number from the parts of ``documents``, a row group at a time (never
    the whole table), the most recently used kept."""

    def __init__(self, ws: Workspace, kept: int = TEXTS_KEPT):
        self.rows = PartedRows(ws.part_paths("documents"))
        self.kept = kept
        self.cache: OrderedDict[int, str] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, numbers: list[int]) -> dict[int, str]:
        with self.lock:
            missing = sorted({n for n in numbers if n not in self.cache})
        found = {}
        if missing:
            texts = self.rows.rows(np.array(missing, np.int64), columns=["text"]).column("text").to_pylist()
            found = dict(zip(missing, texts))
        with self.lock:
            for n in numbers:
                if n in self.cache:
                    self.cache.move_to_end(n)
                    found[n] = self.cache[n]
                elif n in found:
                    self.cache[n] = found[n]
            while len(self.cache) > self.kept:
                self.cache.popitem(last=False)
        return found


class _PairTexts:
    """The texts of the documents in pairs, copied once into an uncompressed Arrow file
    (``index/view-texts.arrow``) and read from it memory-mapped: a pair page then takes its two
    texts in microseconds, where decompressing the row groups that hold them took 10 ms. Made in
    one pass over the text column on the app's start-up thread, kept for the next start while the
    documents and the pairs stay as they are (a signature beside it says which)."""

    def __init__(self, ws: Workspace, rows: np.ndarray):
        self.ws = ws
        self.rows = np.unique(rows.astype(np.int64))
        self.path = ws.path / "index" / "view-texts.arrow"
        self.texts: pa.Array | None = None

    def _signature(self) -> dict:
        files = [*self.ws.part_paths("documents"), *self.ws.part_paths("pairs")]
        digest = hashlib.blake2b(self.rows.tobytes(), digest_size=16).hexdigest()
        return {"files": [[p.name, p.stat().st_size, p.stat().st_mtime_ns] for p in files], "rows": digest}

    def load(self) -> None:
        """Open the copy, making it first if it is missing or stale."""
        import json

        signature = self._signature()
        note = self.path.with_suffix(".json")
        if not (self.path.exists() and note.exists() and json.loads(note.read_text()) == signature):
            self._write()
            note.write_text(json.dumps(signature))
        with pa.memory_map(str(self.path)) as source:
            self.texts = pa.ipc.open_file(source).read_all().column("text").combine_chunks()

    def _write(self) -> None:
        import pyarrow.parquet as pq

        temporary = self.path.with_name(f".{self.path.name}.tmp")
        schema = pa.schema([("text", pa.large_string())])
        done = 0
        with pa.OSFile(str(temporary), "wb") as sink, pa.ipc.new_file(sink, schema) as out:
            for path in self.ws.part_paths("documents"):
                for batch in pq.ParquetFile(path).iter_batches(batch_size=16_384, columns=["text"]):
                    lo, hi = np.searchsorted(self.rows, [done, done + batch.num_rows])
                    if hi > lo:
                        chosen = batch.column(0).take(pa.array(self.rows[lo:hi] - done))
                        out.write_batch(pa.record_batch([chosen.cast(pa.large_string())], schema=schema))
                    done += batch.num_rows
        os.replace(temporary, self.path)

    def get(self, row: int) -> str | None:
        """The text of document ``row``, when the copy is open and holds it."""
        if self.texts is None:
            return None
        at = int(np.searchsorted(self.rows, row))
        return self.texts[at].as_py() if at < len(self.rows) and self.rows[at] == row else None


def _once(method):
    """A view that depends on nothing but the workspace, computed on its first call and kept
    (the workspace is read as it was when the views were opened). Safe under concurrent calls."""
    name = f"_kept_{method.__name__}"

    @functools.wraps(method)
    def kept(self):
        with self._lock:  # one lock per view: a view being computed holds back only its own callers
            lock = self._view_locks.setdefault(name, threading.RLock())
        with lock:
            if name not in self.__dict__:
                self.__dict__[name] = method(self)
            return self.__dict__[name]

    return kept


@dataclass(frozen=True)
class PairFilter:
    """Which pairs a report or the views take (all by default): those with a document of ``site``,
    of ``verdict``, covering at least ``min_coverage`` of one side, and with a document dated
    (published, else crawled) within ``since``..``until`` (ISO dates, inclusive; ``until`` may be a
    day or a month). Cascades, documents and sites follow the pairs kept."""

    site: str | None = None
    verdict: str | None = None
    min_coverage: float = 0.0
    since: str | None = None
    until: str | None = None

    def __bool__(self) -> bool:
        return self != PairFilter()

    def describe(self) -> str:
        """The filter in words, for the pages it made ("" for none)."""
        parts = [f"site {self.site}" if self.site else "", f"verdict {self.verdict}" if self.verdict else "",
                 f"coverage at least {self.min_coverage:.0%}" if self.min_coverage else "",
                 f"dated from {self.since}" if self.since else "", f"dated until {self.until}" if self.until else ""]
        return ", ".join(p for p in parts if p)

    def keeps(self, pair: dict, site_a: str | None, site_b: str | None, when_a: str | None, when_b: str | None) -> bool:
        if self.site and self.site not in (site_a, site_b):
            return False
        if self.verdict and pair["verdict"] != self.verdict:
            return False
        if max(pair["coverage_a"], pair["coverage_b"]) < self.min_coverage:
            return False
        if self.since or self.until:
            dated = [w for w in (when_a, when_b) if w]
            return any((not self.since or w >= self.since) and (not self.until or w[: len(self.until)] <= self.until) for w in dated)
        return True


class Views:
    """The views of one workspace. The documents' metadata is held columnar and their texts read
    on demand (a row group at a time, the last few hundred kept), so a workspace of a million
    documents opens in seconds and bounded memory; the other tables are read once (they grow with
    the pairs found, not with the corpus). Views that depend on the whole workspace (overview,
    site and cascade lists) are computed once and kept."""

    def __init__(self, path: str | Path, pair_filter: PairFilter | None = None):
        self.ws = Workspace(path)
        missing = [t for t in REQUIRED if not self.ws.has(t)]
        if missing:
            raise FileNotFoundError(f"{path} has no {', '.join(missing)} table: run `copytrace scan` into it first")
        ws = self.ws
        self.name = Path(path).resolve().name
        self._lock = threading.Lock()
        self._view_locks: dict[str, threading.RLock] = {}
        self.docs = Documents(ws)
        self._texts = _TextCache(ws)

        self.pairs = _table_rows(ws, "pairs")
        self.pair_filter = pair_filter or PairFilter()
        if self.pair_filter:
            self.pairs = self._filtered(self.pairs)
        self.pairs.sort(key=lambda p: (p["verdict"] != "copy", -max(p["coverage_a"], p["coverage_b"]), p["a_id"], p["b_id"]))
        self.pair_key = {key_of(p["a_id"], p["b_id"]): p for p in self.pairs}
        self.pairs_of: dict[str, list[dict]] = defaultdict(list)
        for p in self.pairs:
            self.pairs_of[p["a_id"]].append(p)
            self.pairs_of[p["b_id"]].append(p)

        in_pairs = pa.array(list(self.pairs_of), pa.string())
        # The row of each document in pairs (those in the workspace), found once for all below.
        self._paired_rows = {d: row for d in self.pairs_of if (row := self.docs.row_of(d)) is not None}
        self.passages: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for row in _rows_of_pairs(ws, "passages", in_pairs, self.pair_filter):
            self.passages[row["a_id"], row["b_id"]].append(row)
        self.edits: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for row in _rows_of_pairs(ws, "edits", in_pairs, self.pair_filter):
            self.edits[row["a_id"], row["b_id"]].append(row)
        self.boilerplate: dict[str, list[tuple[int, int]]] = defaultdict(list)  # of the documents in pairs only
        if ws.has("boilerplate_spans"):
            spans = ws.table("boilerplate_spans")
            for row in spans.filter(pc.is_in(spans.column("doc_id"), in_pairs)).to_pylist():
                self.boilerplate[row["doc_id"]].append((row["start"], row["end"]))

        self.cascades = {c["cascade_id"]: c for c in _table_rows(ws, "cascades")}
        if self.pair_filter:  # the cascades the pairs kept are in, and the sites of their documents
            self.cascades = {k: c for k, c in self.cascades.items() if any(d in self.pairs_of for d in c["doc_ids"])}
        self.edges: dict[int, list[dict]] = defaultdict(list)
        for row in _table_rows(ws, "edges"):
            self.edges[row["cascade_id"]].append(row)
        self.cascade_of = {d: c["cascade_id"] for c in self.cascades.values() for d in c["doc_ids"]}

        self.sites = {s["site"]: s for s in _table_rows(ws, "sites")}
        self.site_edges = _table_rows(ws, "site_edges")
        if self.pair_filter:
            site = self.docs.column("site")
            shown = {site[row].as_py() for row in self._paired_rows.values()}
            self.sites = {name: s for name, s in self.sites.items() if name in shown}
            self.site_edges = [e for e in self.site_edges if e["source_site"] in shown and e["copier_site"] in shown]
        self.site_key = {key_of(s): s for s in self.sites}
        self.edges_to: dict[str, list[dict]] = defaultdict(list)  # by copier site
        self.edges_from: dict[str, list[dict]] = defaultdict(list)  # by source site
        for e in self.site_edges:
            self.edges_to[e["copier_site"]].append(e)
            self.edges_from[e["source_site"]].append(e)
        self.paired_of_site: dict[str, list[str]] = defaultdict(list)  # a site's documents in some pair
        site = self.docs.column("site")
        for doc_id in sorted(self._paired_rows):
            self.paired_of_site[site[self._paired_rows[doc_id]].as_py()].append(doc_id)
        outcomes = ws.table("rejects", columns=["outcome"]).column("outcome") if ws.has("rejects") else pa.chunked_array([], pa.string())
        kept = int(pc.sum(pc.equal(outcomes, "kept")).as_py() or 0)
        self.rejects = {"rejected": len(outcomes) - kept, "repaired": kept}
        self._pair_texts = _PairTexts(ws, np.fromiter(self._paired_rows.values(), np.int64, count=len(self._paired_rows)))
        pa.default_memory_pool().release_unused()  # what reading the tables took and let go (a third of the memory at a million documents)

    def _filtered(self, pairs: list[dict]) -> list[dict]:
        site, date, crawled = self.docs.column("site"), self.docs.column("date"), self.docs.column("crawled_at")

        def of(doc_id: str) -> tuple:
            row = self.docs.row_of(doc_id)
            if row is None:
                return None, None
            return site[row].as_py(), date[row].as_py() or crawled[row].as_py()

        kept = []
        for p in pairs:
            (site_a, when_a), (site_b, when_b) = of(p["a_id"]), of(p["b_id"])
            if self.pair_filter.keeps(p, site_a, site_b, when_a, when_b):
                kept.append(p)
        return kept

    def warm(self) -> None:
        """Compute what the first requests would wait for (the overview with its network layout,
        the lists): the web app does it on a thread as it starts."""
        self.overview()
        self.site_list()
        try:
            self._pair_texts.load()
        except OSError:  # a workspace that cannot be written to: texts are read from the row groups
            pass

    def keep_texts(self, count: int) -> None:
        """Keep up to ``count`` texts in memory once read (a report reads every pair's texts in one go)."""
        self._texts.kept = max(self._texts.kept, count)

    # --- texts ----------------------------------------------------------------------------------
    def texts(self, doc_ids: list[str]) -> dict[str, str]:
        """The texts of ``doc_ids`` (those in the workspace), read by row group from the documents
        table; the most recently read are kept."""
        rows = {d: self.docs.row_of(d) for d in dict.fromkeys(doc_ids)}
        found = {r: t for r in rows.values() if r is not None and (t := self._pair_texts.get(r)) is not None}
        found.update(self._texts.get([r for r in rows.values() if r is not None and r not in found]))
        return {d: found[rows[d]] for d in doc_ids if rows[d] in found}

    def all_texts(self, batch_rows: int = 16_384) -> Iterator[tuple[list[str], list[str]]]:
        """Every document's id and text, a batch at a time, in table order (for an index of all)."""
        import pyarrow.parquet as pq

        done = 0
        for path in self.ws.part_paths("documents"):
            for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_rows, columns=["text"]):
                yield self.docs.id_column.slice(done, batch.num_rows).to_pylist(), batch.column(0).to_pylist()
                done += batch.num_rows

    # --- lookups ------------------------------------------------------------------------------------
    def document_id(self, key: str) -> str:
        doc_id = self.docs.id_of_key(key)
        if doc_id is not None:
            return doc_id
        raise NotFound(f"no document with key {key!r}")

    def pair_row(self, key: str) -> dict:
        if key in self.pair_key:
            return self.pair_key[key]
        raise NotFound(f"no pair with key {key!r}")

    def doc_summary(self, doc_id: str) -> dict:
        """A document's metadata as views show it (unknown ids, such as an inferred upstream source,
        get a stub)."""
        d = self.docs.get(doc_id)
        if d is None:
            return {"doc_id": doc_id, "key": None, "site": None, "title": None, "url": None, "date": None, "chars": None, "lang": None,
                    "in_corpus": False, "time": None}
        return {
            "doc_id": doc_id, "key": key_of(doc_id), "site": d["site"], "title": d["title"], "url": d["url"], "date": d["date"],
            "crawled_at": d["crawled_at"], "chars": d["chars"], "flags": d["flags"] or [], "source": d["source"], "line": d["line"], "lang": d.get("lang"),
            "in_corpus": True, "cascade_id": self.cascade_of.get(doc_id), "time": _when(d),
        }

    def pair_summary(self, p: dict) -> dict:
        """A pair as views show it: source on the left (``a``) and copy on the right whenever its
        direction is known (``swapped`` when the table has them the other way), with the roles to
        call the two sides by."""
        key, o = key_of(p["a_id"], p["b_id"]), oriented(p)
        return {
            "key": key, "a": self.doc_summary(o["a_id"]), "b": self.doc_summary(o["b_id"]), "swapped": o is not p,
            "roles": ("source", "copy") if o.get("direction") == "a_to_b" else ("A", "B"),
            **{k: o.get(k) for k in (
                "verdict", "coverage_a", "coverage_b", "n_passages", "credit", "direction", "direction_evidence",
                "direction_confidence", "direction_detail", "delay_seconds", "cascade_id",
            )},
        }

    def pair_list(self, page: int = 1) -> tuple[list[dict], int]:
        """Page ``page`` of the pairs (copies first, by coverage; ``PAIRS_PER_PAGE`` each) and the
        number of pages."""
        pages = max(1, -(-len(self.pairs) // PAIRS_PER_PAGE))
        if not 1 <= page <= pages:
            raise NotFound(f"page {page} of {pages} pages of pairs")
        rows = self.pairs[(page - 1) * PAIRS_PER_PAGE : page * PAIRS_PER_PAGE]
        return [self.pair_summary(p) for p in rows], pages

    # --- overview -----------------------------------------------------------------------------------
    @_once
    def overview(self) -> dict:
        """Counts, the most originating and most copying sites, copies over time, the biggest
        cascades and the site network."""
        verdicts = defaultdict(int)
        for p in self.pairs:
            verdicts[p["verdict"]] += 1
        sites = list(self.sites.values())
        originating = sorted(
            (s for s in sites if s["originated"] + s["first_carrier"] > 0),
            key=lambda s: (-(s["originated"] + s["first_carrier"]), -s["copied_by_others"], s["site"]),
        )
        copying = sorted((s for s in sites if s["copies_of_other_sites"] > 0), key=lambda s: (-s["copies_of_other_sites"], s["site"]))
        return {
            "workspace": self.name,
            "counts": {
                "documents": len(self.docs), "pairs": len(self.pairs), "copy_pairs": verdicts["copy"], "partial_pairs": verdicts["partial"],
                "passages": sum(len(v) for v in self.passages.values()), "edits": sum(len(v) for v in self.edits.values()),
                "cascades": len(self.cascades), "sites": len(self.sites), **self.rejects,
            },
            "top_originating_sites": originating[:TOP],
            "top_copying_sites": copying[:TOP],
            "copies_over_time": self.copies_over_time(),
            "biggest_cascades": self.cascade_list()[:TOP],
            "network": self.network(),
        }

    def copies_over_time(self) -> dict:
        """Copies by the copy's publication day, week or month, whichever gives at most about 60
        bars. A copy is a tree edge's child; with no trees (a scan without provenance), the later
        of a copy pair's two documents."""
        if self.edges:
            found = [_when(self.docs[e["child"]]) for rows in self.edges.values() for e in rows if e["child"] in self.docs]
        else:
            pairs = [(_when(self.docs[p["a_id"]]), _when(self.docs[p["b_id"]])) for p in self.pairs if p["verdict"] == "copy"]
            found = [None if None in (a, b) else max(a, b) for a, b in pairs]
        times = [t for t in found if t is not None]
        undated = len(found) - len(times)
        if not times:
            return {"unit": None, "bins": [], "undated": undated}
        days = np.floor(np.array(times) / 86_400).astype(np.int64)
        span = int(days.max() - days.min()) + 1
        unit, width = ("day", 1) if span <= 60 else ("week", 7) if span <= 420 else ("month", 0)
        if unit == "month":
            months = [datetime.fromtimestamp(int(d) * 86_400, UTC).strftime("%Y-%m") for d in days]
            labels = sorted(set(months))
            first = datetime.strptime(labels[0], "%Y-%m")
            last = datetime.strptime(labels[-1], "%Y-%m")
            labels = [f"{y:04d}-{m:02d}" for y in range(first.year, last.year + 1) for m in range(1, 13)
                      if (first.year, first.month) <= (y, m) <= (last.year, last.month)]
            counts = dict.fromkeys(labels, 0)
            for m in months:
                counts[m] += 1
            bins = list(counts.items())
        else:
            start = int(days.min())
            if unit == "week":
                start -= (start + 3) % 7  # weeks start on Monday (day 0 was a Thursday)
            index = (days - start) // width
            counts = np.bincount(index)
            bins = [(datetime.fromtimestamp((start + i * width) * 86_400, UTC).strftime("%Y-%m-%d"), int(n)) for i, n in enumerate(counts)]
        return {"unit": unit, "bins": bins, "undated": undated}

    def network(self, limit: int = NETWORK_SITES) -> dict:
        """The site graph laid out for drawing: sites sized by articles, edges by copies, coloured by
        credit rate. Only the ``limit`` sites with the most copy edges are drawn."""
        involved: dict[str, int] = defaultdict(int)
        for e in self.site_edges:
            if e["source_site"] != e["copier_site"]:
                involved[e["source_site"]] += e["copies"]
                involved[e["copier_site"]] += e["copies"]
        names = sorted(involved, key=lambda s: (-involved[s], s))
        shown = names[:limit]
        index = {s: i for i, s in enumerate(shown)}
        edges = [e for e in self.site_edges if e["source_site"] in index and e["copier_site"] in index and e["source_site"] != e["copier_site"] and e["copies"]]
        xy = force_layout(len(shown), [(index[e["source_site"]], index[e["copier_site"]], e["copies"]) for e in edges])
        nodes = []
        for i, s in enumerate(shown):
            row = self.sites.get(s, {})
            nodes.append({
                "site": s, "key": key_of(s), "x": float(xy[i, 0]), "y": float(xy[i, 1]), "articles": row.get("articles", 0),
                "copies": row.get("copies_of_other_sites", 0), "copied_by_others": row.get("copied_by_others", 0),
                "credit_rate": row.get("credit_rate"),
            })
        return {
            "nodes": nodes,
            "edges": [{"source": index[e["source_site"]], "target": index[e["copier_site"]], "copies": e["copies"], "credit_rate": e["credit_rate"]}
                      for e in edges],
            "sites_total": len(names),
        }

    # --- sites ----------------------------------------------------------------------------------------
    @_once
    def site_list(self) -> list[dict]:
        return sorted(self.sites.values(), key=lambda s: (-s["copied_by_others"], -s["copies_of_other_sites"], s["site"]))

    def site(self, key: str) -> dict:
        """A site's statistics, the sites it copies from and that copy it, and its articles in pairs."""
        if key not in self.site_key:
            raise NotFound(f"no site with key {key!r}")
        name = self.site_key[key]
        sources = sorted(self.edges_to.get(name, []), key=lambda e: (-e["copies"], e["source_site"]))
        copiers = sorted(self.edges_from.get(name, []), key=lambda e: (-e["copies"], e["copier_site"]))
        counts = list(self.sites[name].get("delay_histogram") or [])
        delays = [{"label": label, "copies": n, "share": n / max(1, max(counts, default=0))} for label, n in zip(DELAY_LABELS, counts)]
        return {
            "site": name, "key": key, "stats": self.sites[name], "delays": delays,
            "sources": [{**e, "key": key_of(e["source_site"])} for e in sources],
            "copiers": [{**e, "key": key_of(e["copier_site"])} for e in copiers],
            "articles": [{**self.doc_summary(d), "pairs": len(self.pairs_of[d])} for d in self.paired_of_site.get(name, [])],
        }

    # --- cascades ---------------------------------------------------------------------------------------
    @_once
    def cascade_list(self) -> list[dict]:
        """Every cascade's summary, biggest first."""
        return [self.cascade_summary(c) for c in sorted(self.cascades.values(), key=lambda c: (-c["members"], c["cascade_id"]))]

    def cascade_summary(self, c: dict) -> dict:
        root = self.docs.get(c["root"])
        return {**{k: v for k, v in c.items() if k != "doc_ids"}, "root_title": root["title"] if root else None,
                "root_key": key_of(c["root"]) if root else None}

    def cascade(self, cascade_id: int) -> dict:
        """A cascade: its members, its tree (parent → child with evidence) and a timeline."""
        if cascade_id not in self.cascades:
            raise NotFound(f"no cascade {cascade_id}")
        c = self.cascades[cascade_id]
        edges = self.edges.get(cascade_id, [])
        children: dict[str, list[dict]] = defaultdict(list)
        for e in edges:
            children[e["parent"]].append(e)
        for rows in children.values():
            rows.sort(key=lambda e: (e.get("delay_after_origin_seconds") if e.get("delay_after_origin_seconds") is not None else math.inf, e["child"]))
        has_parent = {e["child"] for e in edges}
        roots = [c["root"]] + [d for d in c["doc_ids"] if d not in has_parent and d != c["root"]]

        def subtree(doc_id: str, via: dict | None, depth: int, seen: set) -> dict:
            seen.add(doc_id)
            kids = [subtree(e["child"], e, depth + 1, seen) for e in children.get(doc_id, []) if e["child"] not in seen]
            pair = None
            if via is not None:
                pair = next((k for k in (key_of(via["parent"], doc_id), key_of(doc_id, via["parent"])) if k in self.pair_key), None)
            return {"doc": self.doc_summary(doc_id), "edge": via, "pair_key": pair, "depth": depth, "children": kids}

        seen: set[str] = set()
        trees = [subtree(r, None, 0, seen) for r in roots if r not in seen]
        order: list[dict] = []

        def walk(node: dict) -> None:
            order.append(node)
            for kid in node["children"]:
                walk(kid)

        for t in trees:
            walk(t)
        timeline = []
        for n in order:
            d = self.docs.get(n["doc"]["doc_id"])
            moment = document_time(d["date"], d["crawled_at"], d["flags"]) if d else None
            known = moment is not None and math.isfinite(moment.lo)
            timeline.append({"doc": n["doc"], "depth": n["depth"], "parent": n["edge"]["parent"] if n["edge"] else None,
                             "time": moment.middle if known else None, "lo": moment.lo if known else None, "hi": moment.hi if known else None,
                             "precision": moment.precision if known else None})
        lifted = [self.doc_summary(d) for d in c.get("lifted_into") or []]
        return {"cascade": self.cascade_summary(c), "trees": trees, "timeline": timeline, "edges": edges, "lifted": lifted}

    # --- documents ----------------------------------------------------------------------------------------
    def document(self, key: str) -> dict:
        """A document's metadata, its cascade and every pair it is in."""
        doc_id = self.document_id(key)
        pairs = [self.pair_summary(p) for p in self.pairs_of.get(doc_id, [])]
        return {"doc": self.doc_summary(doc_id), "pairs": pairs, "cascade": self.cascade_summary(self.cascades[self.cascade_of[doc_id]])
                if doc_id in self.cascade_of else None}

    # --- pairs ---------------------------------------------------------------------------------------------
    def pair(self, key: str, page: int = 1, page_chars: int = PAGE_CHARS) -> dict:
        """A pair: both texts (the part on ``page``), the aligned passages, the labelled edits, the
        boilerplate and credit spans, the direction and its evidence."""
        p = self.pair_row(key)
        passages, edits = self.passages.get((p["a_id"], p["b_id"]), []), self.edits.get((p["a_id"], p["b_id"]), [])
        o = oriented(p)
        if o is not p:  # read from source to copy: the sides, and each edit, the other way round
            passages, edits = [_swap_sides(r) for r in passages], [_mirrored(e) for e in edits]
        a_id, b_id = o["a_id"], o["b_id"]
        texts = self.texts([a_id, b_id])
        return pair_view(
            self.pair_summary(p), texts.get(a_id, ""), texts.get(b_id, ""), passages, edits,
            {"a": self.boilerplate.get(a_id, []), "b": self.boilerplate.get(b_id, [])}, _credit_of(o), page, page_chars,
        )


#: The bins of ``sites.delay_histogram`` (see :mod:`copytrace.explain.site_stats`).
DELAY_LABELS = ("within 1 h", "1–6 h", "6–24 h", "1–7 days", "later")

#: An edit read the other way round (copy to source): what one side lacks, the other adds.
MIRRORED = {
    "sentence_removed": "sentence_added", "sentence_added": "sentence_removed", "paragraph_removed": "paragraph_added",
    "paragraph_added": "paragraph_removed", "boilerplate_added": "boilerplate_removed", "boilerplate_removed": "boilerplate_added",
    "quote_removed": "quote_added",
}


def _swap_sides(row: dict) -> dict:
    """``row`` with its ``a_*`` and ``b_*`` fields (and ``*_a``, ``*_b``) exchanged."""
    out = {}
    for k, v in row.items():
        if k.startswith(("a_", "b_")):
            k = ("b_" if k[0] == "a" else "a_") + k[2:]
        elif k.endswith(("_a", "_b")):
            k = k[:-2] + ("_b" if k[-1] == "a" else "_a")
        out[k] = v
    return out


def oriented(p: dict) -> dict:
    """A pair row with the source as ``a`` whenever the direction says ``b_to_a`` (the same row
    otherwise): views read from source to copy, whatever the tables' input order."""
    if p.get("direction") != "b_to_a":
        return p
    return {**_swap_sides(p), "direction": "a_to_b"}


def _mirrored(edit: dict) -> dict:
    """An edit of the table (read from ``a`` to ``b``) read from ``b`` to ``a``."""
    out = _swap_sides(edit)
    out["kind"] = MIRRORED.get(edit["kind"], edit["kind"])
    return out


def _credit_of(p: dict) -> dict:
    side = "a" if p.get("credit_id") == p["a_id"] else "b" if p.get("credit_id") == p["b_id"] else None
    return {"status": p.get("credit"), "side": side, "start": p.get("credit_start"), "end": p.get("credit_end"), "evidence": p.get("credit_evidence")}


def pair_view(summary: dict, text_a: str, text_b: str, passages: list[dict], edits: list[dict], boilerplate: dict, credit: dict,
              page: int = 1, page_chars: int = PAGE_CHARS) -> dict:
    """The pair page's data. Pairs longer than ``page_chars`` (on the longer side) are cut into
    pages at whitespace, the other side cut where the passages map the cut."""
    passages = sorted(passages, key=lambda r: (r["a_start"], r["b_start"]))
    cuts_a, cuts_b = page_cuts(text_a, text_b, passages, page_chars)
    pages = len(cuts_a) - 1
    if not 1 <= page <= pages:
        raise NotFound(f"page {page} of a pair with {pages} page{'s' * (pages != 1)}")
    window = {"a": (cuts_a[page - 1], cuts_a[page]), "b": (cuts_b[page - 1], cuts_b[page])}

    def page_of(side: str, offset: int) -> int:
        cuts = cuts_a if side == "a" else cuts_b
        return int(np.searchsorted(cuts, offset, side="right")) if offset < cuts[-1] else pages

    numbered = [{"n": n, **r, "a_page": page_of("a", r["a_start"]), "b_page": page_of("b", r["b_start"])} for n, r in enumerate(passages, 1)]
    numbered_edits = [{"n": n, **e} for n, e in enumerate(edits, 1)]

    def on_page(e: dict) -> bool:
        return any(e[f"{s}_start"] is not None and window[s][0] <= e[f"{s}_start"] <= window[s][1] for s in "ab")

    return {
        **summary,
        "page": page, "pages": pages, "window": window,
        "text_a": text_a[window["a"][0]:window["a"][1]], "text_b": text_b[window["b"][0]:window["b"][1]],
        "chars_a": len(text_a), "chars_b": len(text_b),
        "passages": numbered, "sentences": meaning_sentences(text_a, text_b, numbered), "edits": numbered_edits, "page_edits": [e for e in numbered_edits if pages == 1 or on_page(e)],
        "boilerplate": boilerplate, "credit_span": credit,
    }


def meaning_sentences(text_a: str, text_b: str, passages: list[dict]) -> list[dict]:
    """The sentences of the passages found by meaning, side by side: ``{"n": passage, "a": text,
    "b": text}``. A passage is a run of sentences aligned one to one and in order on both sides
    (:func:`copytrace.match.meaning.align_sentences`), so its sentences, split as the alignment
    split them, pair up in order; where the counts differ (text edited since the scan) the two
    sides are shown whole."""
    found = [p for p in passages if p.get("match") not in (None, LEXICAL)]
    if not found:
        return []
    spans = {"a": sentence_spans(text_a), "b": sentence_spans(text_b)}
    texts = {"a": text_a, "b": text_b}
    rows = []
    for p in found:
        inside = {}
        for side in "ab":
            s = spans[side]
            keep = (s[:, 0] >= p[f"{side}_start"]) & (s[:, 1] <= p[f"{side}_end"])
            inside[side] = [texts[side][x:y] for x, y in s[keep].tolist()]
        if len(inside["a"]) == len(inside["b"]) and inside["a"]:
            rows += [{"n": p["n"], "a": x, "b": y} for x, y in zip(inside["a"], inside["b"])]
        else:
            rows.append({"n": p["n"], "a": text_a[p["a_start"] : p["a_end"]], "b": text_b[p["b_start"] : p["b_end"]]})
    return rows


def page_cuts(text_a: str, text_b: str, passages: list[dict], page_chars: int) -> tuple[list[int], list[int]]:
    """Where pages start on each side. The longer side is cut every ``page_chars`` characters (at
    the next whitespace); each cut maps to the other side through the passage it falls in
    (proportionally), or to the start of the next passage, and the mapped cuts never go back."""
    la, lb = len(text_a), len(text_b)
    if max(la, lb) <= page_chars:
        return [0, la], [0, lb]
    lead, other = (text_a, "a") if la >= lb else (text_b, "b")
    follow = "b" if other == "a" else "a"
    length, other_length = len(lead), (lb if other == "a" else la)
    cuts = [0]
    while cuts[-1] + page_chars < length:
        at = cuts[-1] + page_chars
        space = lead.find("\n", at, at + page_chars // 10)
        if space < 0:
            space = lead.find(" ", at, at + 200)
        cuts.append(space + 1 if space >= 0 else at)
    cuts.append(length)
    spans = sorted((r[f"{other}_start"], r[f"{other}_end"], r[f"{follow}_start"], r[f"{follow}_end"]) for r in passages)
    mapped = [0]
    for x in cuts[1:-1]:
        y = other_length
        for s, e, fs, fe in spans:
            if s <= x < e:
                y = fs + round((x - s) * (fe - fs) / max(e - s, 1))
                break
            if s > x:
                y = fs
                break
        mapped.append(min(max(y, mapped[-1]), other_length))
    mapped.append(other_length)
    return (cuts, mapped) if other == "a" else (mapped, cuts)


def force_layout(n: int, edges: list[tuple[int, int, int]], iterations: int = 300, seed: int = 7) -> np.ndarray:
    """Fruchterman–Reingold positions in the unit square for ``n`` nodes (vectorized, O(n²) per
    step: fine for the few hundred sites drawn). Deterministic for a given graph."""
    if n == 0:
        return np.zeros((0, 2))
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2))
    if n == 1:
        return np.full((1, 2), 0.5)
    k = 1.0 / math.sqrt(n)
    src = np.array([e[0] for e in edges], dtype=np.int64)
    dst = np.array([e[1] for e in edges], dtype=np.int64)
    weight = np.log1p(np.array([e[2] for e in edges], dtype=np.float64)) if edges else np.zeros(0)
    temperature = 0.1
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        distance = np.sqrt((delta**2).sum(-1)) + 1e-9
        force = (delta / distance[..., None] * (k * k / distance)[..., None]).sum(1)  # repulsion
        if len(src):
            d = pos[src] - pos[dst]
            length = np.sqrt((d**2).sum(-1)) + 1e-9
            pull = d * (length / k * weight)[:, None]
            np.add.at(force, src, -pull)
            np.add.at(force, dst, pull)
        force += (0.5 - pos) * 0.05 * k * n  # gravity keeps unconnected parts on the page
        step = np.sqrt((force**2).sum(-1)) + 1e-9
        pos += force / step[:, None] * np.minimum(step, temperature)[:, None]
        temperature = max(temperature * 0.985, 0.002)
    pos -= pos.min(0)
    pos /= np.maximum(pos.max(0), 1e-9)
    return pos
