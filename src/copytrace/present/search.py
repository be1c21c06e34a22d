"""Where else does this text appear, and which came first? Search a workspace by URL, title or a
pasted paragraph.

A paragraph is found the way a scan finds pairs: its winnowed word 5-gram fingerprints are looked
up in the sorted fingerprints of every document (:class:`TextIndex`), the documents sharing at
least ``min_shared`` of them are aligned with it, and the ones with an aligned passage are listed
earliest first. In a workspace scanned with ``--meaning`` it is also found by meaning, in any of
the encoder's languages: the mean vector of its first sentences against the documents' lead
vectors that the scan kept, the nearest aligned with it sentence by sentence as ``compare
--meaning`` aligns two texts.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from copytrace.jobs.compare import compare_documents
from copytrace.match.candidates import FingerprintIndex, _members, partition_shift
from copytrace.match.fingerprint import Words
from copytrace.ingest.languages import detect_languages
from copytrace.ingest.records import Document
from copytrace.settings import Settings
from copytrace.present.trace import _url_key
from copytrace.present.views import Views

#: Longest paragraph accepted by a search (characters).
MAX_QUERY_CHARS = 200_000


class WorkspaceIndex:
    """The workspace's own fingerprint index (``index/fingerprints``, which ``scan`` and ``add``
    write), searched where it lies: for each partition a query's fingerprints fall in, that
    partition's fingerprints are read memory-mapped and probed in one compiled pass. Nothing is
    built or held, so a million documents search in bounded memory (the scan's fingerprints leave
    boilerplate out, as the pairs do)."""

    def __init__(self, folder: Path, id_at: Callable[[int], str], settings: Settings):
        self.index = FingerprintIndex(folder)
        self.id_at = id_at  # a document's id by its number
        self.settings = settings
        self.shift = partition_shift(self.index.partitions)

    def candidates(self, text: str, limit: int) -> list[tuple[str, int]]:
        """As :meth:`TextIndex.candidates`."""
        query, _ = Words.build([text], self.settings.seed).fingerprints(self.settings.ngram, self.settings.window)
        query = np.unique(query)
        found = []
        partitions = (query >> self.shift).astype(np.int64)
        for p in np.unique(partitions).tolist():
            hashes, docs = self.index.read(p, mapped=True)
            if len(hashes):
                found.append(np.asarray(docs[_members(hashes, query[partitions == p])], np.int64))
        if not found:
            return []
        return [(self.id_at(d), s) for d, s in _most_shared(np.concatenate(found), self.settings.min_shared, limit)]


def _most_shared(hits: np.ndarray, min_shared: int, limit: int) -> list[tuple[int, int]]:
    """The ``limit`` documents most often among ``hits`` (one per fingerprint shared), at least
    ``min_shared`` times: ``(document number, fingerprints shared)``, most first."""
    docs, shared = np.unique(hits, return_counts=True)
    keep = shared >= min_shared
    docs, shared = docs[keep], shared[keep]
    best = np.argsort(-shared, kind="stable")[:limit]
    return list(zip(docs[best].tolist(), shared[best].tolist()))


class TextIndex:
    """Winnowed fingerprints of every document of a workspace, sorted by hash (for a workspace
    without its fingerprint index: built from every text, so memory grows with the corpus)."""

    def __init__(self, doc_ids: list[str], texts: list[str], settings: Settings):
        self.settings = settings
        self.doc_ids = doc_ids
        words = Words.build(texts, settings.seed, workers=settings.workers or 1)
        hashes, docs = words.fingerprints(settings.ngram, settings.window)
        order = np.argsort(hashes, kind="stable")
        self.hashes, self.docs = hashes[order], docs[order]

    def candidates(self, text: str, limit: int) -> list[tuple[str, int]]:
        """Up to ``limit`` documents sharing the most fingerprints with ``text`` (at least
        ``min_shared``), as ``(doc_id, shared)``."""
        query, _ = Words.build([text], self.settings.seed).fingerprints(self.settings.ngram, self.settings.window)
        query = np.unique(query)
        lo = np.searchsorted(self.hashes, query, "left")
        hi = np.searchsorted(self.hashes, query, "right")
        lengths = hi - lo
        if not lengths.sum():
            return []
        # Every posting of every query fingerprint, gathered without a Python loop.
        positions = np.repeat(lo - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths) + np.arange(lengths.sum())
        return [(self.doc_ids[d], s) for d, s in _most_shared(self.docs[positions], self.settings.min_shared, limit)]


class Searcher:
    """Search over one workspace's :class:`Views`: paragraphs through the workspace's fingerprint
    index (:class:`WorkspaceIndex`; without one, a :class:`TextIndex` built on the first search
    from every text), with the settings the workspace was scanned with unless told others."""

    def __init__(self, views: Views, settings: Settings | None = None):
        self.views = views
        stored = (views.ws.manifest().get("provenance") or {}).get("settings")
        self.settings = settings or (Settings.from_dict(stored) if stored else Settings())
        self._index: WorkspaceIndex | TextIndex | None = None
        self._meaning: tuple[np.ndarray, list[str]] | None | bool = False  # False: not loaded yet
        self._lock = threading.Lock()

    def index(self) -> WorkspaceIndex | TextIndex:
        with self._lock:
            folder = self.views.ws.path / "index" / "fingerprints"
            if self._index is None and FingerprintIndex(folder).runs():
                self._index = WorkspaceIndex(folder, self.views.docs.id_at, self.settings)
            if self._index is None:
                ids, texts = [], []
                for batch_ids, batch_texts in self.views.all_texts():  # (not through the views' cache of recent texts)
                    ids += batch_ids
                    texts += batch_texts
                self._index = TextIndex(ids, texts, self.settings)
            return self._index

    def meaning_index(self) -> tuple[np.ndarray, list[str]] | None:
        """The lead vectors ``scan --meaning`` kept, and their ids (None without them)."""
        from copytrace.jobs.meaning_pairs import load_lead_vectors

        with self._lock:
            if self._meaning is False:
                self._meaning = load_lead_vectors(self.views.ws.path)
            return self._meaning  # type: ignore[return-value]

    def _by_meaning(self, text: str, lexical: set[str], limit: int) -> list[str]:
        """Up to ``limit`` documents whose lead vectors are nearest to the text's (cosine 0.6 or
        more), not among ``lexical``: the ones to align with it by meaning."""
        from copytrace.jobs.meaning_pairs import MIN_LEAD_COSINE
        from copytrace.match.meaning import ENCODER_LANGUAGES, lead_vector

        index = self.meaning_index()
        if index is None or detect_languages([text])[0] not in ENCODER_LANGUAGES:
            return []
        vectors, ids = index
        similarity = vectors @ lead_vector(text, self.settings.workers or 1)
        order = np.argsort(-similarity, kind="stable")
        return [ids[k] for k in order[: limit + len(lexical)].tolist() if similarity[k] >= MIN_LEAD_COSINE and ids[k] not in lexical][:limit]

    def by_url(self, url: str, limit: int = 50) -> list[dict]:
        """Documents whose URL is ``url`` (scheme, ``www.`` and a trailing slash aside) first, then
        those whose URL contains it."""
        wanted = _url_key(url)
        if not wanted:
            return []
        keys, ids = self._url_keys(), self.views.docs.column("doc_id")
        exact = ids.filter(pc.equal(keys, wanted)).to_pylist()
        partial = sorted(set(ids.filter(pc.fill_null(pc.match_substring(keys, wanted), False)).to_pylist()) - set(exact))
        return [self.views.doc_summary(d) for d in (exact + partial)[:limit]]

    def _url_keys(self) -> pa.Array:
        """Every document's URL as :func:`_url_key` compares them (computed on the first search by URL)."""
        with self._lock:
            if self._url_key_array is None:
                self._url_key_array = pa.array([_url_key(u) if u else None for u in self.views.docs.column("url").to_pylist()], pa.string())
            return self._url_key_array

    _url_key_array: pa.Array | None = None

    def by_title(self, title: str, limit: int = 50) -> list[dict]:
        """Documents whose title contains every word of ``title`` (case aside), earliest first."""
        words = title.lower().split()
        if not words:
            return []
        titles, keep = self.views.docs.column("title"), None
        for word in words:  # in Arrow, over every title at once
            has = pc.fill_null(pc.match_substring(titles, word, ignore_case=True), False)
            keep = has if keep is None else pc.and_(keep, has)
        found = self.views.docs.column("doc_id").filter(keep).to_pylist()
        return sorted((self.views.doc_summary(d) for d in found), key=_time_order)[:limit]

    def by_text(self, text: str, limit: int = 20) -> dict:
        """The documents that carry ``text`` (aligned passages of at least ``min_passage_words``
        words), earliest first, with how much of the text each carries and where."""
        if len(text) > MAX_QUERY_CHARS:
            raise ValueError(f"the text is {len(text):,} characters; a search takes at most {MAX_QUERY_CHARS:,}")
        found = []
        candidates = self.index().candidates(text, limit * 3)
        by_words = {d for d, _ in candidates}
        by_meaning = [(d, 0) for d in self._by_meaning(text, by_words, limit)]
        texts = self.views.texts([d for d, _ in candidates + by_meaning])
        meaning = dataclasses.replace(self.settings, meaning=True)
        for (doc_id, shared), settings in [*((c, self.settings) for c in candidates), *((c, meaning) for c in by_meaning)]:
            meta = self.views.docs[doc_id]
            other = Document(doc_id, texts[doc_id], meta["source"], url=meta["url"], site=meta["site"], title=meta["title"],
                             date=meta["date"], crawled_at=meta["crawled_at"], flags=list(meta["flags"] or []), lang=meta.get("lang"))
            result = compare_documents(Document("query", text, "<pasted text>"), other, settings)
            if not result.passages:
                continue
            found.append({
                **self.views.doc_summary(doc_id), "shared_fingerprints": shared, "coverage_query": round(result.coverage_a, 4),
                "coverage_document": round(result.coverage_b, 4), "match": result.passages[0].match,
                "passages": [{"query_start": p.a_start, "query_end": p.a_end, "start": p.b_start, "end": p.b_end, "match": p.match,
                              "similarity": round(p.similarity, 4), "text": texts[doc_id][p.b_start:p.b_end]} for p in result.passages],
            })
        found.sort(key=_time_order)
        found = found[:limit]
        dated = [f for f in found if f["time"] is not None]
        return {"chars": len(text), "results": found, "earliest": dated[0]["doc_id"] if dated else None}


def _time_order(doc: dict) -> tuple:
    """Earliest first (by the middle of the trusted publication interval), undated last."""
    return (doc["time"] is None, doc["time"] or 0.0, doc["doc_id"])
