"""Candidate document pairs from an inverted index of fingerprints.

Each fingerprint (a winnowed word n-gram hash) lists the documents that contain it. A fingerprint
in more than ``max_df`` documents is a common phrase or template and is dropped; so is one found
only on pages of a single site (site furniture), unless same-site reuse is asked for. Every pair of
documents listed under a remaining fingerprint gets one vote; pairs with at least ``min_shared``
votes are candidates for alignment.

Everything is sorting and counting over numpy arrays; pair generation runs in chunks of bounded size
so that memory stays flat however skewed the postings are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numba import njit

from .fingerprint import index_bits, sort_with_index

#: Most pair votes materialized at once while counting (about 16 bytes each).
PAIR_CHUNK = 8_000_000


@dataclass
class Candidates:
    """Candidate pairs ``(a[i], b[i])`` with ``a < b`` (document indices) and their shared votes."""

    a: np.ndarray  # int32
    b: np.ndarray  # int32
    shared: np.ndarray  # int32: fingerprints the two documents share
    postings: int  # fingerprints kept in the index
    dropped_common: int  # fingerprints dropped as too common (in more than max_df documents)
    dropped_same_site: int  # fingerprints dropped as found on one site only

    def __len__(self) -> int:
        return len(self.a)


def candidate_pairs(
    fp_hashes: np.ndarray,
    fp_docs: np.ndarray,
    doc_sites: np.ndarray,
    *,
    max_df: int,
    min_shared: int,
    same_site: bool = False,
) -> Candidates:
    """Find candidate pairs.

    ``fp_hashes`` / ``fp_docs``: one entry per selected fingerprint occurrence. ``doc_sites``: a site
    number per document, -1 where the site is unknown (such a document counts as its own site).
    """
    # Sorted by hash, and by document within a hash: the packed index keeps equal keys in input
    # order, which is document order.
    if len(fp_docs) and np.any(np.diff(fp_docs) < 0):
        raise ValueError("fingerprints must come in document order")
    h, order = sort_with_index(fp_hashes, index_bits(len(fp_hashes)))
    site_of = doc_sites.astype(np.int64)
    unknown = np.flatnonzero(site_of < 0)
    site_of[unknown] = (doc_sites.max(initial=0) + 1) + unknown  # an unknown site is the document's own
    d, starts, sizes, one_site = _postings(h, fp_docs[order].astype(np.int64), site_of)
    keep = sizes >= 2
    too_common = sizes > max_df
    keep &= ~too_common
    if same_site:
        one_site[:] = False
    one_site &= sizes >= 2
    keep &= ~one_site

    a, b, votes = _count_pairs(d, starts[keep], sizes[keep])
    strong = votes >= min_shared
    return Candidates(
        a[strong].astype(np.int32),
        b[strong].astype(np.int32),
        votes[strong].astype(np.int32),
        postings=int(sizes[keep].sum()),
        dropped_common=int(too_common.sum()),
        dropped_same_site=int((one_site & ~too_common).sum()),
    )


@njit(cache=True, nogil=True)
def _postings(h, d, site_of):
    """Posting lists of sorted fingerprint hashes ``h`` (documents ``d``, ascending within a hash),
    in one pass: each document once per list, where each list starts and its size, and whether
    all its documents are of one site."""
    docs = np.empty(len(d), np.int64)
    starts = np.empty(len(d), np.int64)
    n_docs = 0
    n_lists = 0
    for i in range(len(h)):
        if i == 0 or h[i] != h[i - 1]:
            starts[n_lists] = n_docs
            n_lists += 1
        elif d[i] == d[i - 1]:
            continue  # a document repeats a fingerprint: one posting
        docs[n_docs] = d[i]
        n_docs += 1
    sizes = np.empty(n_lists, np.int64)
    one_site = np.ones(n_lists, np.bool_)
    for g in range(n_lists):
        end = starts[g + 1] if g + 1 < n_lists else n_docs
        sizes[g] = end - starts[g]
        first = site_of[docs[starts[g]]]
        for k in range(starts[g] + 1, end):
            if site_of[docs[k]] != first:
                one_site[g] = False
                break
    return docs[:n_docs], starts[:n_lists], sizes, one_site


def _count_pairs(docs: np.ndarray, starts: np.ndarray, sizes: np.ndarray):
    """Votes per document pair from posting lists ``docs[starts[g]:starts[g]+sizes[g]]``."""
    pairs_per_group = sizes * (sizes - 1) // 2
    bounds = np.searchsorted(np.cumsum(pairs_per_group), np.arange(1, 1 + (pairs_per_group.sum() // PAIR_CHUNK)) * PAIR_CHUNK)
    keys_parts, count_parts = [], []
    for lo, hi in zip(np.concatenate([[0], bounds]), np.concatenate([bounds, [len(starts)]])):
        if hi <= lo:
            continue
        keys = _pair_keys(docs, starts[lo:hi], sizes[lo:hi])
        k, c = np.unique(keys, return_counts=True)
        keys_parts.append(k)
        count_parts.append(c)
    if not keys_parts:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    keys = np.concatenate(keys_parts)
    counts = np.concatenate(count_parts)
    if len(keys_parts) > 1:
        keys, inverse = np.unique(keys, return_inverse=True)
        counts = np.bincount(inverse, weights=counts).astype(np.int64)
    return keys >> 32, keys & 0xFFFFFFFF, counts


def _pair_keys(docs: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """``a << 32 | b`` for every pair ``a < b`` within each posting list."""
    member = np.repeat(starts, sizes) + (np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes))
    offset_in_group = member - np.repeat(starts, sizes)
    partners = np.repeat(sizes, sizes) - 1 - offset_in_group
    left = np.repeat(member, partners)
    within = np.arange(partners.sum()) - np.repeat(np.cumsum(partners) - partners, partners)
    right = left + 1 + within
    return (docs[left] << 32) | docs[right]
