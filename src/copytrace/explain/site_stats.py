"""Per-site numbers from the copy trees: who originates, who copies whom, how fast, with credit.

Counted from the ``edges`` and ``cascades`` tables, so every number follows the trees' evidence:

- ``originated``: cascades whose origin (root) is one of the site's articles;
- ``first_carrier``: its articles that are among the first carriers of a text whose source is
  outside the corpus (children of an inferred upstream node: wire stories, press releases);
- ``copies``: its articles whose parent is another article in the corpus;
  ``copies_of_other_sites`` those whose parent is on another site, and ``copied_share`` their
  share of all its articles;
- ``credited`` / ``credit_rate``: of those copies, how many name the source's site (or link to it);
- delays: the ``delay_after_origin_seconds`` of each copy's edge: from the publication of the
  cascade's origin (for a cascade with an inferred upstream node, its earliest dated member); ``delay_histogram`` counts copies
  within 1 hour, 1–6 h, 6–24 h, 1–7 days and later;
- ``top_sources`` / ``top_copiers``: the sites it copies most / that copy it most, as
  ``"site (n)"``;
- ``languages``: the languages of its articles, most first, as ``"en (n)"``;
  ``translated_copies``: its copies of other sites' articles in another language (a parent and
  a child of different ``lang``, both known: a translation found by ``scan --meaning``).

``site_edges``: one row per source site → copier site with copies, credit, the median delay from
parent to copy, and how many of the copies are translations (``translated``). Copies within one site are left out of ``site_edges`` and of
``copies_of_other_sites``.

Partial reuse (a passage lifted into another article: a ``partial`` pair, outside the copy trees)
is an edge of its own kind: ``partial_reuse`` counts a site's articles that took a passage from
another site's article whose direction is known, ``partially_reused_by_others`` the other way,
and ``site_edges.partial`` the pairs from one site to the other (a row may have only these).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict

import numpy as np
import pyarrow as pa
import pyarrow.compute

from copytrace.explain.credit import CREDITED
from copytrace.store.workspace import SCHEMAS, doc_numbers

#: Upper ends of the delay histogram's bins, in seconds (the last bin is open).
DELAY_BINS = (3600, 6 * 3600, 24 * 3600, 7 * 24 * 3600)
TOP = 5


def site_tables(documents: pa.Table, edges: pa.Table, cascades: pa.Table, pairs: pa.Table | None = None) -> tuple[pa.Table, pa.Table]:
    """The ``sites`` and ``site_edges`` tables (``documents`` needs ``doc_id`` and ``site``, and
    ``lang`` for the languages; ``pairs``, with their directions, gives the partial reuse)."""
    site = documents.column("site")
    ids = documents.column("doc_id")
    lang = documents.column("lang") if "lang" in documents.column_names else pa.chunked_array([pa.nulls(documents.num_rows, pa.string())])
    languages: dict[str, Counter] = defaultdict(Counter)
    for row in pa.table({"site": site, "lang": lang}).group_by(["site", "lang"]).aggregate([([], "count_all")]).to_pylist():
        if row["site"] and row["lang"]:
            languages[row["site"]][row["lang"]] += row["count_all"]
    counts = pa.compute.value_counts(site.drop_null()).to_pylist()
    articles = Counter({c["values"]: c["counts"] for c in counts})
    # The sites of cascade members and roots, by a join on the ids (not a dict of every document).
    members = pa.compute.list_flatten(cascades.column("doc_ids"))
    in_cascades = _counts(site.take(pa.array(doc_numbers(members, documents.column("doc_id")))))
    roots = doc_numbers(cascades.column("root"), documents.column("doc_id"))  # -1: an inferred upstream node
    originated = _counts(site.take(pa.array(roots[roots >= 0])))

    first_carrier: Counter[str] = Counter()
    copies: Counter[str] = Counter()
    other: Counter[str] = Counter()
    copied_by: Counter[str] = Counter()
    credited: Counter[str] = Counter()
    delays: dict[str, list[float]] = defaultdict(list)
    sources: dict[str, Counter] = defaultdict(Counter)
    copiers: dict[str, Counter] = defaultdict(Counter)
    translated: Counter[str] = Counter()
    pair_rows: dict[tuple[str, str], list] = defaultdict(lambda: [0, 0, [], 0])
    child_lang, parent_lang = (_langs_of(edges.column(side), ids, lang) for side in ("child", "parent"))
    columns = ("child_site", "parent_site", "inferred_parent", "credit", "delay_seconds", "delay_after_origin_seconds")
    rows_of_edges = zip(*(edges.column(c).to_pylist() for c in columns), child_lang, parent_lang)
    for child_site, parent_site, inferred, credit, delay, after_origin, c_lang, p_lang in rows_of_edges:
        if not child_site:
            continue
        if inferred:
            first_carrier[child_site] += 1
        else:
            copies[child_site] += 1
            if after_origin is not None:
                delays[child_site].append(after_origin)
        if inferred or not parent_site or parent_site == child_site:
            continue
        other[child_site] += 1
        copied_by[parent_site] += 1
        sources[child_site][parent_site] += 1
        copiers[parent_site][child_site] += 1
        row = pair_rows[parent_site, child_site]
        row[0] += 1
        if credit == CREDITED:
            credited[child_site] += 1
            row[1] += 1
        if delay is not None:
            row[2].append(delay)
        if c_lang and p_lang and c_lang != p_lang and "und" not in (c_lang, p_lang):
            translated[child_site] += 1
            row[3] += 1

    lifted: Counter[tuple[str, str]] = Counter()  # partial-reuse pairs, source site -> copier site
    if pairs is not None and pairs.num_rows and "direction" in pairs.column_names:
        chosen = pairs.filter(pa.compute.and_(pa.compute.equal(pairs.column("verdict"), "partial"),
                                              pa.compute.is_in(pairs.column("direction"), pa.array(["a_to_b", "b_to_a"]))))
        site_a = site.take(pa.array(doc_numbers(chosen.column("a_id"), ids))).to_pylist()
        site_b = site.take(pa.array(doc_numbers(chosen.column("b_id"), ids))).to_pylist()
        for sa, sb, direction in zip(site_a, site_b, chosen.column("direction").to_pylist()):
            source, copier = (sa, sb) if direction == "a_to_b" else (sb, sa)
            if source and copier and source != copier:
                lifted[source, copier] += 1
    partial, partially = Counter(), Counter()  # per copier site, per source site
    for (source, copier), n in lifted.items():
        partial[copier] += n
        partially[source] += n
        pair_rows.setdefault((source, copier), [0, 0, [], 0])  # a row of its own where the sites share only partial reuse

    rows: dict[str, list] = defaultdict(list)
    for site in sorted(articles):
        d = np.array(delays.get(site, []), float)
        row = {
            "site": site,
            "articles": articles[site],
            "in_cascades": in_cascades[site],
            "originated": originated[site],
            "first_carrier": first_carrier[site],
            "copies": copies[site],
            "copies_of_other_sites": other[site],
            "copied_share": round(other[site] / articles[site], 4),
            "copied_by_others": copied_by[site],
            "translated_copies": translated[site],
            "partial_reuse": partial[site],
            "partially_reused_by_others": partially[site],
            "credited": credited[site],
            "credit_rate": round(credited[site] / other[site], 4) if other[site] else None,
            "delay_median_seconds": float(np.median(d)) if len(d) else None,
            "delay_p10_seconds": float(np.percentile(d, 10)) if len(d) else None,
            "delay_p90_seconds": float(np.percentile(d, 90)) if len(d) else None,
            "delay_histogram": np.bincount(np.searchsorted(DELAY_BINS, d, side="right"), minlength=len(DELAY_BINS) + 1).tolist(),
            "top_sources": [f"{s} ({n})" for s, n in _top(sources[site])],
            "top_copiers": [f"{s} ({n})" for s, n in _top(copiers[site])],
            "languages": [f"{s} ({n})" for s, n in sorted(languages[site].items(), key=lambda kv: (-kv[1], kv[0]))],
        }
        for k, v in row.items():
            rows[k].append(v)
    sites = pa.Table.from_pydict({n: rows.get(n, []) for n in SCHEMAS["sites"].names}, schema=SCHEMAS["sites"])

    edge_rows: dict[str, list] = defaultdict(list)
    for (source, copier), (n, n_credited, delay_list, n_translated) in sorted(pair_rows.items(), key=lambda kv: (-kv[1][0], -lifted[kv[0]], kv[0])):
        for k, v in (
            ("source_site", source), ("copier_site", copier), ("copies", n), ("credited", n_credited),
            ("credit_rate", round(n_credited / n, 4) if n else None),
            ("delay_median_seconds", float(statistics.median(delay_list)) if delay_list else None), ("partial", lifted[source, copier]),
            ("translated", n_translated),
        ):
            edge_rows[k].append(v)
    site_edges = pa.Table.from_pydict({n: edge_rows.get(n, []) for n in SCHEMAS["site_edges"].names}, schema=SCHEMAS["site_edges"])
    return sites, site_edges


def _langs_of(members: pa.ChunkedArray, ids: pa.ChunkedArray, lang: pa.ChunkedArray) -> list[str | None]:
    """The language of each document named in ``members`` (None for a name that is no document:
    an inferred upstream node)."""
    numbers = doc_numbers(members, ids)
    found = numbers >= 0
    out = np.full(len(numbers), None, object)
    out[found] = np.array(lang.take(pa.array(numbers[found])).to_pylist(), object)
    return out.tolist()


def _counts(sites: pa.ChunkedArray) -> Counter[str]:
    """How often each site occurs in ``sites``, none and empty left out."""
    return Counter({c["values"]: c["counts"] for c in pa.compute.value_counts(sites.drop_null()).to_pylist() if c["values"]})


def _top(counter: Counter) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
