"""One article's story, from the workspace: its cascade, its tree, and every pair it is in.

The Python API behind ``copytrace trace``; plain data in, plain data out.
"""

from __future__ import annotations

import re

import pyarrow.compute as pc

from copytrace.store.workspace import Workspace

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://(www\.)?", re.IGNORECASE)


def _url_key(url: str) -> str:
    """A URL without its scheme, ``www.``, fragment or trailing slash, for lenient matching."""
    return _SCHEME.sub("", url.strip()).split("#")[0].rstrip("/").lower()


def find_document(ws: Workspace, key: str) -> str | None:
    """The id of the document whose id is ``key``, or whose URL is ``key`` (scheme, ``www.`` and
    a trailing slash aside); None when there is none."""
    docs = ws.table("documents", columns=["doc_id", "url"])
    ids = docs.column("doc_id")
    if pc.any(pc.equal(ids, key)).as_py():
        return key
    urls = docs.column("url").to_pylist()
    exact = [i for i, u in enumerate(urls) if u == key]
    if not exact:
        wanted = _url_key(key)
        exact = [i for i, u in enumerate(urls) if u and _url_key(u) == wanted]
    return ids[exact[0]].as_py() if exact else None


def trace_document(ws: Workspace, doc_id: str) -> dict:
    """The cascade of ``doc_id`` (None when it is in none), its members and tree edges, and every
    pair the document is in, with the direction seen from it (``"it → other"``: it is the
    source)."""
    documents = ws.table("documents", columns=["doc_id", "site", "title", "url", "date", "flags"])
    pairs = ws.table("pairs")
    mine = pairs.filter(pc.or_(pc.equal(pairs.column("a_id"), doc_id), pc.equal(pairs.column("b_id"), doc_id)))
    cascade_ids = {c for c in mine.column("cascade_id").to_pylist() if c is not None}
    cascade = members = None
    edges: list[dict] = []
    if cascade_ids:
        cascades = ws.table("cascades")
        rows = cascades.filter(pc.is_in(cascades.column("cascade_id"), pc.cast(list(cascade_ids), cascades.column("cascade_id").type))).to_pylist()
        cascade = next((r for r in rows if doc_id in r["doc_ids"]), None)
    if cascade is not None:
        all_edges = ws.table("edges")
        edges = all_edges.filter(pc.equal(all_edges.column("cascade_id"), cascade["cascade_id"])).to_pylist()
        members = documents.filter(pc.is_in(documents.column("doc_id"), pc.cast(cascade["doc_ids"], documents.column("doc_id").type))).to_pylist()
    document = documents.filter(pc.equal(documents.column("doc_id"), doc_id)).to_pylist()[0]
    seen_from: list[dict] = []
    for p in mine.to_pylist():
        mine_is_a = p["a_id"] == doc_id
        direction = p["direction"]
        if direction in ("a_to_b", "b_to_a"):
            direction = "it → other" if (direction == "a_to_b") == mine_is_a else "other → it"
        seen_from.append(
            {
                "other": p["b_id"] if mine_is_a else p["a_id"], "verdict": p["verdict"], "direction": direction or "unknown",
                "direction_evidence": p["direction_evidence"], "direction_confidence": p["direction_confidence"],
                "direction_detail": p["direction_detail"], "credit": p["credit"], "delay_seconds": p["delay_seconds"],
                "coverage_it": p["coverage_a"] if mine_is_a else p["coverage_b"],
                "coverage_other": p["coverage_b"] if mine_is_a else p["coverage_a"],
            }
        )
    seen_from.sort(key=lambda r: (-(r["coverage_it"] or 0), r["other"]))
    return {"document": document, "cascade": cascade, "members": members or [], "edges": edges, "pairs": seen_from}
