"""Who copied whom: the direction of every reuse pair, and copy trees ("cascades").

**Evidence for one pair**, strongest first (:func:`pair_direction`); the first that decides wins,
and a pair nothing decides is ``unknown``, never guessed:

1. ``dates``: the publication times, with their uncertainty (:mod:`copytrace.ingest.dates`), put one first
   with probability >= ``date_confidence``;
2. ``credit``: one names the other's site (``Source: rt.com``): the one named is the source;
3. ``byline``: one names its own site outside its template (``(Reuters) -``) and the other drops it;
4. ``containment``: one has at least ``min_own_chars`` of text the other lacks, while the other
   has at most a quarter as much of its own: copies lose text (cut quotes, dropped sentences,
   excerpts) far more often than sources lack it.

**Cascades.** Documents joined by ``copy`` pairs form a group carrying one text, and its tree is
reconstructed the way textual scholars build a stemma from shared variants (:func:`build_cascade`):
every possible edge *parent → child* gets a cost (:func:`edge_costs`: the text the child would
have inserted and deleted, text of the child that other members carry but the parent lacks, and
penalties from dates, credit and the sites' history), a virtual upstream node may give any member
its text at a fixed extra cost, and the cheapest tree rooted at that node is the cascade (a
minimum-cost arborescence, Chu–Liu/Edmonds). A copy of a copy shares the intermediate's changes,
so it is cheapest to hang it under the intermediate. When the upstream node keeps one child, that
is the origin; when it keeps several, none of them can be the source of the others (each lacks
text of the story another carries): the root is an **inferred upstream source**, a wire story or
a press release. An edge whose reverse costs about the same is ``undetermined``.

The direction of a pair inside a cascade follows the tree: an ancestor is the source of its
descendants (evidence ``chain`` when not a direct parent); two copies of one source are
``common_source`` when every edge between them is sure. Pairs outside cascades (partial reuse
between groups) use the pair evidence.

Text presence is measured on 4-character bins of each text: aligned passages, less the text of
every labelled edit inside them (words changed, sentences or quotes removed), less boilerplate
and credit lines (copies add the same ``Source: ...`` line independently).
Without labelled edits (``--no-edits``) only passages count, so dropped sentences inside a passage
are not seen.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
from numba import njit

from copytrace.explain.credit import CREDIT_REMOVED, CREDITED
from copytrace.ingest.dates import Moment, document_time, precedes
from copytrace.progress import Progress, Silent
from copytrace.match.meaning import found_by_words
from copytrace.match.score import COPY, PARTIAL
from copytrace.settings import Settings
from copytrace.store.workspace import SCHEMAS, doc_numbers

A_TO_B, B_TO_A, COMMON_SOURCE, UNKNOWN = "a_to_b", "b_to_a", "common_source", "unknown"
DATES, CREDIT, BYLINE, CONTAINMENT, SHARED_TEXT, CHAIN = "dates", "credit", "byline", "containment", "shared_text", "chain"
SITE_HISTORY = "site_history"
INDEPENDENT, UNDETERMINED = "independent", "undetermined"

#: How much each kind of evidence is trusted (dates give their own probability).
CONFIDENCE = {CREDIT: 0.9, SHARED_TEXT: 0.85, BYLINE: 0.8, CONTAINMENT: 0.75}

#: Edit kinds whose text, on either side, is not shared by the pair.
VARIANT_KINDS = frozenset(
    {"quote_removed", "quote_changed", "sentence_removed", "sentence_added", "paragraph_removed", "paragraph_added",
     "words_changed", "number_changed", "name_changed"}
)
BIN = 4  # characters per presence bin
#: An end cut off (text after the last shared one) counts as this many deleted characters at most.
TAIL_CHARS = 100


@dataclass(frozen=True)
class Direction:
    """Which of two documents came first (``first``: 0 or 1; None when not decided), why, and how
    sure."""

    first: int | None
    evidence: str
    confidence: float
    detail: str = ""


def pair_direction(
    when: tuple[Moment | None, Moment | None], credit: str | None, credit_doc: int | None, missing: tuple[int, int],
    settings: Settings, names: tuple[str, str] = ("A", "B"),
) -> Direction:
    """The direction of one pair from its own evidence (see the module's description).
    ``credit_doc``: which document carries the credit evidence; ``missing``: characters of each
    one's own text (not boilerplate) that the other lacks."""
    p = precedes(*when)
    if p >= settings.date_confidence or p <= 1 - settings.date_confidence:
        first = 0 if p >= 0.5 else 1
        return Direction(first, DATES, round(max(p, 1 - p), 4), f"{names[first]} was published first (p={max(p, 1 - p):.2f})")
    if credit == CREDITED and credit_doc is not None:
        return Direction(1 - credit_doc, CREDIT, CONFIDENCE[CREDIT], f"{names[credit_doc]} names {names[1 - credit_doc]}'s site")
    if credit == CREDIT_REMOVED and credit_doc is not None:
        return Direction(credit_doc, BYLINE, CONFIDENCE[BYLINE], f"{names[credit_doc]} names its own site; {names[1 - credit_doc]} dropped it")
    for first in (0, 1):
        own, other = missing[first], missing[1 - first]
        if own >= settings.min_own_chars and other * 4 <= own:
            return Direction(
                first, CONTAINMENT, CONFIDENCE[CONTAINMENT],
                f"{names[1 - first]} lacks {own} characters of {names[first]} and has {other} of its own",
            )
    return Direction(None, "none", 0.0, "no dates, credit or containment decide")


# --- presence of each text in the other ------------------------------------------------------------


@dataclass
class _Pairs:
    """The reuse pairs as parallel arrays, with each side's presence mask."""

    a: np.ndarray
    b: np.ndarray
    verdict: list[str]
    credit: list[str | None]
    credit_doc: list[int | None]  # 0: a carries the credit evidence, 1: b
    text: list[np.ndarray] = field(default_factory=list)  # per document: the bins of its own text (not boilerplate)
    present_a: list[np.ndarray] = field(default_factory=list)  # bins of a's own text that b carries
    present_b: list[np.ndarray] = field(default_factory=list)
    variant_a: list[np.ndarray] = field(default_factory=list)  # bins of a's own text in a labelled variant edit
    variant_b: list[np.ndarray] = field(default_factory=list)
    missing_a: np.ndarray | None = None  # characters of a's own text that b lacks
    missing_b: np.ndarray | None = None
    tail_a: np.ndarray | None = None  # of those, the ones after the last text of a that b carries
    tail_b: np.ndarray | None = None

    def naming(self, p: int) -> int | None:
        """The document of pair ``p`` that names the other's site (its credit), if one does."""
        if self.credit[p] != CREDITED or self.credit_doc[p] is None:
            return None
        return int(self.a[p] if self.credit_doc[p] == 0 else self.b[p])


@dataclass
class _Ranges:
    """Character ranges as arrays: whose (an index), start, end (end exclusive)."""

    owner: np.ndarray
    start: np.ndarray
    end: np.ndarray

    @classmethod
    def rows(cls, rows: list[tuple[int, int, int]]) -> _Ranges:
        """From ``(owner, start, end)`` rows."""
        array = np.array(rows, np.int64).reshape(-1, 3)
        return cls(array[:, 0], array[:, 1], array[:, 2])


def _covered(lengths: np.ndarray, ranges: _Ranges) -> np.ndarray:
    """Segments of ``lengths`` bins laid end to end, True where some range of their owner covers a
    bin (the ranges' bins set in one compiled pass, not a Python loop per range)."""
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    keep = ranges.end > ranges.start
    owner = ranges.owner[keep]
    lo = offsets[owner] + ranges.start[keep] // BIN
    hi = np.minimum(offsets[owner] + (ranges.end[keep] + BIN - 1) // BIN, offsets[owner + 1])
    covered = np.zeros(int(offsets[-1]), np.bool_)
    _fill_ranges(covered, lo.astype(np.int64), hi.astype(np.int64))
    return covered


@njit(cache=True, nogil=True)
def _fill_ranges(out, lo, hi):
    """``out[lo[r]:hi[r]] = True`` for every range ``r``: touches only the bins covered (a
    difference array summed over all bins took 0.8 s a call at a million documents)."""
    for r in range(len(lo)):
        out[lo[r] : hi[r]] = True


def _presence(pairs: _Pairs, chars: dict[int, int], not_text: _Ranges, passages: _Ranges, changed: _Ranges) -> None:
    """Fill each pair's presence masks and missing counts, for all pairs in a few array passes.

    ``chars``: the length of every document in a pair; ``not_text``: ranges of those documents that
    are not their own text (boilerplate, credit lines), by document; ``passages`` and ``changed``
    (the text of variant edits): ranges by pair side, owner ``2p`` for side a of pair p and
    ``2p + 1`` for side b."""
    docs = np.array(sorted(chars), np.int64)
    doc_bins = (np.array([chars[d] for d in docs.tolist()], np.int64) + BIN - 1) // BIN
    doc_offsets = np.concatenate([[0], np.cumsum(doc_bins)]).astype(np.int64)
    text = ~_covered(doc_bins, _Ranges(np.searchsorted(docs, not_text.owner), not_text.start, not_text.end))
    pairs.text = [None] * (int(docs.max()) + 1 if len(docs) else 0)
    for i, d in enumerate(docs.tolist()):
        pairs.text[d] = text[doc_offsets[i] : doc_offsets[i + 1]]

    side_doc = np.searchsorted(docs, np.column_stack([pairs.a, pairs.b]).ravel())
    side_bins = doc_bins[side_doc]
    side_offsets = np.concatenate([[0], np.cumsum(side_bins)]).astype(np.int64)
    variant = _covered(side_bins, changed)
    present = _covered(side_bins, passages)
    text_count, present_count, tail_count = _own_text_of_sides(text, doc_offsets, side_doc, side_offsets, present, variant)
    missing, tail = (text_count - present_count) * BIN, tail_count * BIN
    pairs.missing_a, pairs.missing_b = missing[0::2], missing[1::2]
    pairs.tail_a, pairs.tail_b = tail[0::2], tail[1::2]
    bounds = list(zip(side_offsets[:-1].tolist(), side_offsets[1:].tolist()))
    views = [present[lo:hi] for lo, hi in bounds]
    pairs.present_a, pairs.present_b = views[0::2], views[1::2]
    views = [variant[lo:hi] for lo, hi in bounds]
    pairs.variant_a, pairs.variant_b = views[0::2], views[1::2]


@njit(cache=True, nogil=True)
def _own_text_of_sides(text, doc_offsets, side_doc, side_offsets, present, variant):
    """Per pair side (bins ``side_offsets[s]:side_offsets[s + 1]``, its document's text mask at
    ``text[doc_offsets[side_doc[s]]:]``): keep in ``variant`` only the document's own text, and in
    ``present`` only its own text outside variants. Returns, per side, the bins of own text, those
    present, and those after the last present one (an end cut off in the other). One pass; gathering
    each side's text with index arrays took 1.5 s at a million documents (45M bins)."""
    n = len(side_doc)
    text_count = np.zeros(n, np.int64)
    present_count = np.zeros(n, np.int64)
    tail_count = np.zeros(n, np.int64)
    for s in range(n):
        at, lo = doc_offsets[side_doc[s]], side_offsets[s]
        own_bins = kept = after = 0
        for i in range(side_offsets[s + 1] - lo):
            own = text[at + i]
            is_variant = variant[lo + i] and own
            variant[lo + i] = is_variant
            is_present = present[lo + i] and own and not is_variant
            present[lo + i] = is_present
            if own:
                own_bins += 1
                after += 1
            if is_present:
                kept += 1
                after = 0
        text_count[s], present_count[s], tail_count[s] = own_bins, kept, after
    return text_count, present_count, tail_count


# --- cascades --------------------------------------------------------------------------------------


@dataclass
class Edge:
    """A tree edge: ``parent`` (a document index, or -1 for the cascade's inferred upstream node)
    gave ``child`` its text."""

    parent: int
    child: int
    evidence: str
    confidence: float  # that the parent came first
    detail: str
    pair: int | None  # the reuse pair between them (None for an upstream edge)
    choice: float = 1.0  # that this parent, rather than the next best, gave the child its text


@dataclass
class Cascade:
    members: list[int]
    edges: list[Edge]
    root: int  # a document, or -1: an inferred upstream node
    root_evidence: str  # "origin", "independent" or "undetermined"


def _groups(n_docs: int, pairs: _Pairs) -> list[list[int]]:
    """Documents joined by copy pairs (union-find), each group sorted, groups by first member."""
    parent = list(range(n_docs))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, verdict in zip(pairs.a.tolist(), pairs.b.tolist(), pairs.verdict):
        if verdict == COPY:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    members: dict[int, list[int]] = defaultdict(list)
    in_copies = {d for a, b, verdict in zip(pairs.a.tolist(), pairs.b.tolist(), pairs.verdict) if verdict == COPY for d in (a, b)}
    for d in sorted(in_copies):
        members[find(d)].append(d)
    return [m for _, m in sorted(members.items())]


def build_cascade(
    members: list[int], pair_of: dict[tuple[int, int], int], pairs: _Pairs, when: list[Moment | None], settings: Settings,
    names: list[str], history: SiteHistory | None = None,
) -> Cascade:
    """The copy tree of one group of documents: the cheapest tree (a minimum-cost arborescence)
    rooted at a virtual upstream node, where each edge's cost weighs the evidence against that
    parent having given that child its text (see :func:`edge_costs`).

    Two trees compete: one with a single origin among the members (any member may be it, at no
    cost), and one where an upstream version outside the corpus, holding all the group's text,
    gave several members their text (each paying its edits from that version). The second pays
    ``upstream_cost`` once, the price of a source nobody has seen, and wins when the members
    would otherwise have to have copied text that their parents lack."""
    costs, upstream = edge_costs(members, pair_of, pairs, when, settings, names, history)
    into: dict[int, list[tuple[float, int, EdgeCost]]] = defaultdict(list)
    for (y, x), c in costs.items():
        into[x].append((c.total, y, c))
    arcs = []
    for x, options in into.items():  # the cheapest few parents of each document are plenty
        arcs += [(y, x, total, c) for total, y, c in sorted(options, key=lambda o: (o[0], o[1]))[:PARENT_OPTIONS]]
    # One origin: equal arcs from the upstream node, so large that the tree takes only one.
    single = min_arborescence(UP, arcs + [(UP, x, _ORIGIN_ARC, None) for x in members])
    single_total = sum(total for _, total, _ in single.values()) - _ORIGIN_ARC * sum(y == UP for y, _, _ in single.values())
    with_upstream = arcs + [(UP, x, upstream[x], None) for x in members]
    several = min_arborescence(UP, with_upstream)
    several_total = settings.upstream_cost + sum(total for _, total, _ in several.values())
    if sum(y == UP for y, _, _ in several.values()) >= 2 and several_total < single_total:
        chosen, arcs = several, with_upstream
    else:
        chosen = single
    incoming: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for y, x, total, _ in arcs:
        incoming[x].append((total, y))

    def choice(x: int, parent: int, total: float) -> float:
        others = [t for t, y in incoming[x] if y != parent]
        return _logistic(min(others) - total) if others else 1.0

    def credits(child: int, parent: int) -> bool:  # the child names the parent's site
        return pairs.naming(pair_of[min(child, parent), max(child, parent)]) == child

    tied = _untie_parents(chosen, costs, incoming, when, settings, credits)
    edges = []
    first_carriers = [x for x, (y, _, _) in chosen.items() if y == UP]
    for x, (y, total, cost) in sorted(chosen.items()):
        if y == UP:
            continue
        sure = min(choice(x, y, total), 1 / tied[x]) if x in tied else choice(x, y, total)
        edges.append(_edge(y, x, cost, costs.get((x, y)), settings, names, pair_of[min(x, y), max(x, y)], round(sure, 4)))
    if len(first_carriers) == 1:
        return Cascade(members, edges, first_carriers[0], "origin")
    for r in first_carriers:
        sure = round(choice(r, UP, upstream[r]), 4)
        if sure >= settings.min_confidence:
            detail = f"no other member can be the source of {names[r]}: each lacks text of the story that it carries"
            edges.append(Edge(UP, r, INDEPENDENT, sure, detail, None, sure))
        else:
            detail = f"{names[r]} may be a first carrier of the text or a copy of another member: the evidence does not decide"
            edges.append(Edge(UP, r, UNDETERMINED, sure, detail, None, sure))
    sure_top = all(e.evidence == INDEPENDENT for e in edges if e.parent == UP)
    return Cascade(members, edges, -1, INDEPENDENT if sure_top else UNDETERMINED)


def _untie_parents(chosen: dict, costs: dict, incoming: dict, when: list[Moment | None], settings: Settings, credits) -> dict[int, int]:
    """Children whose text several candidate parents hold equally, with nothing else (dates,
    credit) separating them: each is attached to the earliest of them (the cascade's origin where
    it is one, else the earliest trusted date, else the one nearest the root), and the number of
    tied candidates is returned per child, so its parent confidence says how undecided it is.

    Equal: the text costs (what the child lacks or adds, and lost text) within two bins of
    deletion (passage ends are not exact to the character; a shared variant of one word already
    separates them), and equal date and credit costs. A child that names the sites of some of
    them (``credits(child, parent)``) is tied only among those it names (a copy of a copy may
    carry on its parent's credit line, so it can name several). The sites' history is a prior
    from other pairs, not evidence about this child's text, so it does not separate them.
    ``chosen`` is changed in place; no change makes a cycle."""
    slack = 2 * BIN * settings.delete_weight / 100
    parent_of = {x: y for x, (y, _, _) in chosen.items()}

    def depth(x: int) -> int:
        n = 0
        while x != UP and n <= len(parent_of):
            x, n = parent_of.get(x, UP), n + 1
        return n

    def descends(z: int, x: int) -> bool:  # whether z is x or below it in the tree
        while z != UP:
            if z == x:
                return True
            z = parent_of.get(z, UP)
        return False

    def attach(x: int, z: int) -> None:
        chosen[x] = (z, costs[z, x].total, costs[z, x])
        parent_of[x] = z

    root = next((x for x, y in parent_of.items() if y == UP), None) if list(parent_of.values()).count(UP) == 1 else None
    counts: dict[int, int] = {}
    for x in sorted(parent_of):
        y = parent_of[x]
        if y == UP:
            continue
        mine = costs[y, x]
        equal = [
            z for _, z in incoming[x]
            if z != UP and (z == y or (
                abs((costs[z, x].text + costs[z, x].lost) - (mine.text + mine.lost)) <= slack
                and abs(costs[z, x].dates - mine.dates) < 1e-9 and abs(costs[z, x].credit - mine.credit) < 1e-9
            ))
        ]
        named = [z for z in equal if credits(x, z)]
        if named:
            equal = named
        if len(equal) < 2:
            if equal and equal[0] != y and not descends(equal[0], x):
                attach(x, equal[0])
            continue
        counts[x] = len(equal)

        def earliest(z: int) -> tuple:
            t = when[z]
            middle = t.middle if t is not None and t.middle is not None else math.inf
            return (z != root, middle, depth(z), z)

        for z in sorted(equal, key=earliest):
            if z == y:
                break
            if not descends(z, x):
                attach(x, z)
                break
    return counts


def _logistic(x: float) -> float:
    """1 / (1 + e^-x), without overflow (costs grow with the length of the texts)."""
    return 1 / (1 + math.exp(-min(max(x, -60.0), 60.0)))


UP = -1  # the virtual upstream node of a cascade
_ORIGIN_ARC = 1e6  # the cost of each arc from the upstream node in the one-origin tree
#: Incoming edges kept per document for the tree search (the cheapest): large groups stay fast.
PARENT_OPTIONS = 8


@dataclass(frozen=True)
class EdgeCost:
    """The cost of ``parent → child`` (lower: more likely), by kind of evidence."""

    dates: float
    credit: float
    text: float  # insertions and deletions the copy would have made
    lost: float  # text of the child that other members carry and the parent lacks
    site: float  # the two sites' history of publishing first
    p_dates: float
    credit_note: str
    site_note: str = ""

    @property
    def total(self) -> float:
        return self.dates + self.credit + self.text + self.lost + self.site


def edge_costs(members, pair_of, pairs: _Pairs, when, settings: Settings, names, history: SiteHistory | None = None) -> tuple[dict[tuple[int, int], EdgeCost], dict[int, float]]:
    """The cost of every possible edge ``(parent, child)`` between members sharing text, and the
    text cost of each member as a copy of an upstream version holding all the group's text (its
    singular text inserted, the largest part of another member's shared text it lacks deleted):

    - dates: ``-log(2p)`` where p < 0.5 is the probability the parent was published first (a large
      cost when the dates contradict the edge, none otherwise);
    - credit: a cost when the parent names the child's site (it is then the copy);
    - text: the child's text the parent lacks (insertions) and the parent's text the child lacks
      (deletions), per 100 characters, insertions weighing more (copies cut far more than they add);
    - lost: per 100 characters, text of the child that another member carries but the parent
      lacks (a copy cannot pass on text it does not have), members that may descend from the child
      left out;
    - site: ``-log(2q)`` when q < 0.5, q the chance the parent's site publishes before the child's,
      from the two sites' history in other pairs (:class:`SiteHistory`).
    """
    tol_bins = settings.explain_tolerance / BIN
    neighbours: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for i, x in enumerate(members):
        for y in members[i + 1 :]:
            p = pair_of.get((x, y))
            if p is not None:
                neighbours[x].append((y, p))
                neighbours[y].append((x, p))

    def presence(x: int, p: int) -> np.ndarray:
        return pairs.present_a[p] if pairs.a[p] == x else pairs.present_b[p]

    def lost_of(x: int, skip: set[int]) -> dict[int, float]:
        """Per neighbour y, bins of x's text that others carry and y lacks, less the tolerance for
        passage ends; bins of a labelled variant (a word or number y has otherwise) count whole:
        x reading as other members do where y differs is the shared variant of a stemma."""
        rows = neighbours[x]
        if not rows:
            return {}
        matrix = np.stack([presence(x, p) for _, p in rows])
        variant = np.stack([pairs.variant_a[p] if pairs.a[p] == x else pairs.variant_b[p] for _, p in rows])
        counted = np.array([y not in skip for y, _ in rows])
        count = matrix[counted].sum(0, dtype=np.int32)
        others = (count[None, :] - (matrix & counted[:, None])) > 0  # carried by a member other than row r
        lost = others & ~matrix
        strict = (lost & variant).sum(1)
        loose = np.maximum(0, (lost & ~variant).sum(1) - tol_bins)
        return {y: float(n) for (y, _), n in zip(rows, (strict + loose).tolist())}

    if len(members) == 2:  # nothing else carries their text: no lost text, singular = missing
        x, y = members
        p = pair_of[x, y]
        # With two documents, text only one has is as likely the other's cut as its own addition,
        # and cuts are the more common: the upstream version holds the text of both.
        miss = {pairs.a[p]: pairs.missing_a[p], pairs.b[p]: pairs.missing_b[p]}
        # A changed word is one variant, not text of both: the upstream version held one of the two
        # readings, so one branch changed it, as one of the two copied the other would have.
        var = {pairs.a[p]: float(pairs.variant_a[p].sum() * BIN), pairs.b[p]: float(pairs.variant_b[p].sum() * BIN)}
        var = {d: min(v, float(miss[d])) for d, v in var.items()}
        upstream = {x: settings.delete_weight * (float(miss[y]) - var[y]) / 100, y: settings.delete_weight * (float(miss[x]) - var[x]) / 100}
        changed, kept = (y, x) if settings.insert_weight * var[y] + settings.delete_weight * var[x] <= settings.insert_weight * var[x] + settings.delete_weight * var[y] else (x, y)
        upstream[changed] += (settings.insert_weight * var[changed] + settings.delete_weight * var[kept]) / 100
        return _pair_costs(members, neighbours, {x: {y: 0.0}, y: {x: 0.0}}, pairs, when, settings, names, history), _credited_upstream(upstream, neighbours, pairs, settings)
    base = {x: lost_of(x, set()) for x in members}
    singular = {}
    for x in members:
        carried = np.logical_or.reduce([presence(x, p) for _, p in neighbours[x]])
        singular[x] = float((pairs.text[x] & ~carried).sum() * BIN)
    upstream = {}
    for x in members:
        lacks = [
            (pairs.missing_b[p] if pairs.a[p] == x else pairs.missing_a[p]) - singular[z] for z, p in neighbours[x]
        ]
        upstream[x] = (settings.insert_weight * singular[x] + settings.delete_weight * max(0.0, *lacks)) / 100
    lost = {}
    for x in members:
        # Members that may descend from x (and carry on text x added): x explains them.
        descendants = {z for z, _ in neighbours[x] if base[z].get(x, math.inf) <= 0}
        lost[x] = lost_of(x, descendants)
    return _pair_costs(members, neighbours, lost, pairs, when, settings, names, history), _credited_upstream(upstream, neighbours, pairs, settings)


def _credited_upstream(upstream: dict[int, float], neighbours, pairs: _Pairs, settings: Settings) -> dict[int, float]:
    """The upstream costs, with a penalty (``credit_weight``) on every member that names another
    member's site: it says where its text came from, so it is less likely a first carrier of a text
    from outside the corpus. Half the penalty for a parent naming its child: a carrier of a wire
    story may name the wire's site, whose own page is another carrier."""
    return {x: cost + settings.credit_weight * any(pairs.naming(p) == x for _, p in neighbours[x]) for x, cost in upstream.items()}


def _pair_costs(members, neighbours, lost, pairs: _Pairs, when, settings: Settings, names, history) -> dict[tuple[int, int], EdgeCost]:
    """The :class:`EdgeCost` of every ``(parent, child)`` (see :func:`edge_costs`); ``lost[x][y]``:
    bins of x's text others carry and y lacks (see ``lost_of``)."""
    costs: dict[tuple[int, int], EdgeCost] = {}
    for x in members:
        for y, p in neighbours[x]:
            order = precedes(when[y], when[x])
            # Order evidence only penalizes a parent it puts after the child: a bonus for agreeing
            # dates would favour an early ancestor over the undated parent in between.
            dates = max(0.0, -math.log(max(2 * order, 1e-3))) * settings.date_weight
            if pairs.a[p] == x:
                missing_x, missing_y, tail_y = pairs.missing_a[p], pairs.missing_b[p], pairs.tail_b[p]
            else:
                missing_x, missing_y, tail_y = pairs.missing_b[p], pairs.missing_a[p], pairs.tail_a[p]
            # Cutting off the end is one act, however long the end: two copies cut at different
            # points are no closer to each other than to their source.
            deleted = missing_y - tail_y + min(tail_y, TAIL_CHARS)
            text = (settings.insert_weight * missing_x + settings.delete_weight * deleted) / 100
            credit, note = 0.0, ""
            naming = pairs.naming(p)
            if naming is not None:
                # A penalty for the parent naming the child's site; no reward for the child naming the
                # parent's, which a copy of a copy inherits (it would favour the grandparent).
                credit, note = (0.0, f"{names[x]} names {names[y]}'s site") if naming == x else (2 * settings.credit_weight, "")
            extra = lost[x][y] * BIN
            site, site_note = history.cost(pairs, p, y, x, settings.site_weight) if history else (0.0, "")
            costs[y, x] = EdgeCost(dates, credit, text, settings.lost_weight * extra / 100, site, order, note, site_note)
    return costs


def _edge(parent: int, child: int, cost: EdgeCost, reverse: EdgeCost | None, settings: Settings, names, pair: int, choice: float) -> Edge:
    """A chosen edge with its evidence: what made it cheaper than the reverse, and how sure that
    is (a logistic of the cost difference; an edge whose reverse costs about the same is
    ``undetermined``)."""
    if reverse is None:
        return Edge(parent, child, SHARED_TEXT, CONFIDENCE[SHARED_TEXT], f"{names[parent]} is the closest version that holds {names[child]}'s text", pair, choice)
    margins = {
        DATES: reverse.dates - cost.dates, CREDIT: reverse.credit - cost.credit,
        CONTAINMENT: reverse.text - cost.text, SHARED_TEXT: reverse.lost - cost.lost, SITE_HISTORY: reverse.site - cost.site,
    }
    confidence = _logistic(reverse.total - cost.total)
    evidence = max(margins, key=lambda k: margins[k])
    if confidence < settings.min_confidence or margins[evidence] <= 0:
        return Edge(parent, child, UNDETERMINED, round(confidence, 4), f"the evidence does not tell whether {names[parent]} or {names[child]} came first", pair, choice)
    details = {
        DATES: f"{names[parent]} was published first (p={cost.p_dates:.2f})",
        CREDIT: cost.credit_note or f"{names[child]} names {names[parent]}'s site",
        CONTAINMENT: f"{names[child]} lacks text of {names[parent]} (copies cut more than they add)",
        SHARED_TEXT: f"{names[child]} lacks text of {names[parent]} that other copies carry",
        SITE_HISTORY: cost.site_note,
    }
    if evidence == DATES:
        confidence = max(confidence, cost.p_dates)
    return Edge(parent, child, evidence, round(confidence, 4), details[evidence], pair, choice)


def min_arborescence(root: int, arcs: list[tuple[int, int, float, object]]) -> dict[int, tuple[int, float, object]]:
    """The cheapest set of arcs giving every node but ``root`` one parent with no cycle
    (Chu–Liu/Edmonds). ``arcs``: ``(parent, child, cost, payload)``; returns ``child -> (parent,
    cost, payload)`` with the original arcs."""
    nodes = {v for _, v, _, _ in arcs} | {root}
    best: dict[int, tuple[int, int, float, int]] = {}
    for i, (u, v, w, _) in enumerate(arcs):
        if v != root and u != v and (v not in best or (w, u) < (best[v][2], best[v][0])):
            best[v] = (u, v, w, i)
    cycle = _find_cycle(best, root)
    if cycle is None:
        return {v: (arcs[i][0], arcs[i][2], arcs[i][3]) for v, (_, _, _, i) in best.items()}
    in_cycle = set(cycle)
    merged = max(nodes) + 1
    contracted, origin = [], []
    for i, (u, v, w, _) in enumerate(arcs):
        if v in in_cycle and u not in in_cycle:
            contracted.append((u, merged, w - best[v][2], None))
        elif u in in_cycle and v not in in_cycle:
            contracted.append((merged, v, w, None))
        elif u not in in_cycle and v not in in_cycle:
            contracted.append((u, v, w, None))
        else:
            continue
        origin.append(i)
    inner = min_arborescence(root, [(u, v, w, n) for n, (u, v, w, _) in enumerate(contracted)])
    result: dict[int, tuple[int, float, object]] = {}
    for v, (_, _, n) in inner.items():
        i = origin[n]
        u0, v0, w0, payload = arcs[i]
        result[v0] = (u0, w0, payload)
    entered = next(arcs[origin[n]][1] for v, (_, _, n) in inner.items() if v == merged)
    for v in cycle:
        if v != entered:
            u, _, w, i = best[v]
            result[v] = (u, w, arcs[i][3])
    return result


def _find_cycle(best: dict[int, tuple[int, int, float, int]], root: int) -> list[int] | None:
    state: dict[int, int] = {}
    for start in best:
        path, v = [], start
        while v != root and v in best and v not in state:
            state[v] = 1
            path.append(v)
            v = best[v][0]
        if v in state and state[v] == 1:
            return path[path.index(v) :]
        for x in path:
            state[x] = 2
    return None


def compare_direction(
    chars: tuple[int, int], when: tuple[Moment | None, Moment | None], passages, edits, boilerplate: tuple[list, list],
    credit: str | None, credit_doc: int | None, credit_span: tuple[int | None, int | None], settings: Settings,
    names: tuple[str, str] = ("A", "B"),
) -> Direction:
    """:func:`pair_direction` of two documents compared alone (``copytrace compare``):
    ``passages`` as :class:`~copytrace.match.align.Passage`, ``edits`` as :class:`~copytrace.explain.edits.Edit`,
    ``boilerplate`` each one's template ranges."""
    spans = [(d, s, e) for d in (0, 1) for s, e in boilerplate[d]]
    if credit_doc is not None and credit_span[0] is not None and credit_span[1] is not None:
        spans.append((credit_doc, *credit_span))
    pair = _Pairs(np.array([0]), np.array([1]), [""], [credit], [credit_doc])

    def sides(rows) -> _Ranges:  # side a is owner 0, side b owner 1 (the one pair's two sides)
        return _Ranges.rows(
            [(0, r.a_start, r.a_end) for r in rows if r.a_start is not None] + [(1, r.b_start, r.b_end) for r in rows if r.b_start is not None]
        )

    variants = [e for e in edits if e.kind in VARIANT_KINDS]
    _presence(pair, {0: chars[0], 1: chars[1]}, _Ranges.rows(spans), sides(passages), sides(variants))
    return pair_direction(when, credit, credit_doc, (int(pair.missing_a[0]), int(pair.missing_b[0])), settings, names)


class SiteHistory:
    """Which site published first, in the pairs whose dates or credit decide it: a prior for
    edges nothing else orients (a state broadcaster is rarely the copy of an aggregator)."""

    def __init__(self, pairs: _Pairs, sites: list[str | None], decided: list[Direction]):
        self.sites = sites
        self.first: dict[str, int] = defaultdict(int)
        self.later: dict[str, int] = defaultdict(int)
        self.decided = decided
        for p, d in enumerate(decided):
            if d.first is None:
                continue
            source, copy = (pairs.a[p], pairs.b[p]) if d.first == 0 else (pairs.b[p], pairs.a[p])
            s_source, s_copy = sites[source], sites[copy]
            if s_source and s_copy and s_source != s_copy:
                self.first[s_source] += 1
                self.later[s_copy] += 1

    def cost(self, pairs: _Pairs, p: int, parent: int, child: int, weight: float) -> tuple[float, str]:
        """``-log(2q) * weight`` for ``parent → child`` (pair ``p`` itself left out), and why."""
        s_parent, s_child = self.sites[parent], self.sites[child]
        if not weight or not s_parent or not s_child or s_parent == s_child:
            return 0.0, ""
        counts = {s: [self.first[s], self.later[s]] for s in (s_parent, s_child)}
        own = self.decided[p]
        if own.first is not None:  # leave this pair's own evidence out
            source = pairs.a[p] if own.first == 0 else pairs.b[p]
            counts[self.sites[source]][0] -= 1
            counts[self.sites[child if source == parent else parent]][1] -= 1
        (pf, pl), (cf, cl) = counts[s_parent], counts[s_child]
        score = math.log((pf + 1) / (pl + 1)) - math.log((cf + 1) / (cl + 1))
        q = 1 / (1 + math.exp(-score))
        note = f"{s_parent} was first in {pf} of {pf + pl} decided pairs with other sites, {s_child} in {cf} of {cf + cl}"
        return max(0.0, -math.log(max(2 * q, 1e-3))) * weight, note


# --- the stage -------------------------------------------------------------------------------------


@dataclass
class Provenance:
    """The tables of the provenance stage, and counts for the scan summary."""

    directions: dict[str, list]  # columns added to ``pairs``
    edges: pa.Table
    cascades: pa.Table
    counts: dict[str, int]


def trace_provenance(
    documents: pa.Table, pairs: pa.Table, passages: pa.Table, edits: pa.Table, boilerplate_spans: pa.Table,
    settings: Settings, progress: Progress | None = None,
) -> Provenance:
    """Directions, cascades and tree edges from the workspace tables (``documents`` needs
    ``doc_id``, ``site``, ``date``, ``crawled_at``, ``flags``, ``chars``)."""
    progress = progress or Silent()
    all_ids = documents.column("doc_id")
    a, b = doc_numbers(pairs.column("a_id"), all_ids), doc_numbers(pairs.column("b_id"), all_ids)
    # Only documents in some pair take part: their names, sites, times and text masks, by number
    # (a Python list of every document's id alone took 0.3 s at a million documents).
    used = np.union1d(a, b)
    taken = documents.select(["doc_id", "site", "date", "crawled_at", "flags", "chars"]).take(pa.array(used))
    ids: list[str | None] = [None] * documents.num_rows
    sites: list[str | None] = [None] * documents.num_rows
    when: list[Moment | None] = [None] * documents.num_rows
    date_text: list[str | None] = [None] * documents.num_rows
    chars: dict[int, int] = {}
    for d, id_, site, date_, crawl, flags, n in zip(used.tolist(), *(taken.column(c).to_pylist() for c in taken.column_names)):
        ids[d], sites[d], when[d], date_text[d], chars[d] = id_, site, document_time(date_, crawl, flags), date_, n

    credit_ids = pairs.column("credit_id").to_pylist()
    reuse = _Pairs(
        a, b, pairs.column("verdict").to_pylist(), pairs.column("credit").to_pylist(),
        [None if c is None else (0 if c == ids[x] else 1) for c, x in zip(credit_ids, a.tolist())],
    )
    pair_of = {(min(x, y), max(x, y)): p for p, (x, y) in enumerate(zip(a.tolist(), b.tolist()))}
    groups = _groups(len(ids), reuse)
    progress.stage("provenance", total=len(groups), unit="cascades")
    spans = boilerplate_spans.filter(pa.compute.is_in(boilerplate_spans.column("doc_id"), taken.column("doc_id")))
    # Credit lines are left out too: copies add the same "Source: ..." line independently, so a
    # shared one is no sign that one copy was made from the other (the credit evidence counts apart).
    credited = pairs.filter(pa.compute.is_valid(pairs.column("credit_start")))
    not_text = _Ranges(
        doc_numbers(pa.chunked_array([*spans.column("doc_id").chunks, *credited.column("credit_id").chunks], pa.string()), all_ids),
        np.concatenate([spans.column("start").to_numpy(), credited.column("credit_start").to_numpy()]).astype(np.int64),
        np.concatenate([spans.column("end").to_numpy(), credited.column("credit_end").to_numpy()]).astype(np.int64),
    )
    variants = edits.filter(pa.compute.is_in(edits.column("kind"), pa.array(sorted(VARIANT_KINDS))))
    _presence(reuse, chars, not_text, _text_ranges(passages, pairs, a, b, chars), _side_ranges(variants, pairs))

    own_evidence = [
        pair_direction((when[x], when[y]), reuse.credit[p], reuse.credit_doc[p], (0, 0), settings)
        for p, (x, y) in enumerate(zip(a.tolist(), b.tolist()))
    ]
    history = SiteHistory(reuse, sites, own_evidence)
    cascades = []
    for members in groups:
        cascades.append(build_cascade(members, pair_of, reuse, when, settings, ids, history))
        progress.advance(1)

    directions = _pair_directions(reuse, cascades, when, settings, ids)
    edges, cascade_rows = _tables(cascades, reuse, when, ids, sites, date_text, _lifted_into(cascades, reuse, directions["direction"], ids))
    counts = {
        "cascades": len(cascades),
        "inferred_upstream": sum(c.root < 0 for c in cascades),
        "directed": sum(d in (A_TO_B, B_TO_A) for d in directions["direction"]),
        "common_source": sum(d == COMMON_SOURCE for d in directions["direction"]),
        "unknown": sum(d == UNKNOWN for d in directions["direction"]),
    }
    return Provenance(directions, edges, cascade_rows, counts)


def _text_ranges(passages: pa.Table, pairs: pa.Table, a: np.ndarray, b: np.ndarray, chars: dict[int, int]) -> _Ranges:
    """The text each side of a pair carries of the other, by pair side (see :func:`_side_ranges`).
    A pair found by meaning carries all of both: which text a translation or a rewording lacks is
    not known, since the sentences the encoder leaves unaligned may be there in other words, so
    such a pair gives no text evidence of its direction (dates, credit and the sites' history
    decide)."""
    ranges = _side_ranges(passages, pairs)
    if "match" not in pairs.column_names:
        return ranges
    by_meaning = np.flatnonzero(~found_by_words(pairs.column("match")).to_numpy(zero_copy_only=False))
    if not len(by_meaning):
        return ranges
    length = np.array([[chars[x], chars[y]] for x, y in zip(a[by_meaning].tolist(), b[by_meaning].tolist())], np.int64)
    return _Ranges(
        np.concatenate([ranges.owner, 2 * by_meaning, 2 * by_meaning + 1]),
        np.concatenate([ranges.start, np.zeros(2 * len(by_meaning), np.int64)]),
        np.concatenate([ranges.end, length[:, 0], length[:, 1]]),
    )


def _side_ranges(table: pa.Table, pairs: pa.Table) -> _Ranges:
    """The a-side and b-side ranges of ``table`` (passages or edits, with ``a_id``, ``b_id``,
    ``a_start``...; a null start: no place on that side) by pair side: owner ``2p`` or ``2p + 1``
    for pair p of ``pairs`` (a join in Arrow, not a Python lookup per row)."""
    keys = pa.table({"a_id": pairs.column("a_id"), "b_id": pairs.column("b_id"), "_pair": pa.array(np.arange(pairs.num_rows))})
    joined = table.select(["a_id", "b_id", "a_start", "a_end", "b_start", "b_end"]).join(keys, ["a_id", "b_id"], join_type="inner")
    pair = joined.column("_pair").to_numpy().astype(np.int64)

    def column(name: str) -> np.ndarray:
        return pa.compute.fill_null(joined.column(name), 0).to_numpy().astype(np.int64)

    return _Ranges(
        np.concatenate([2 * pair, 2 * pair + 1]),
        np.concatenate([column("a_start"), column("b_start")]),
        np.concatenate([column("a_end"), column("b_end")]),
    )


def _pair_directions(pairs: _Pairs, cascades: list[Cascade], when, settings: Settings, names) -> dict[str, list]:
    """The direction columns of ``pairs``: from the tree inside a cascade, from the pair's own
    evidence elsewhere."""
    parent: dict[int, Edge] = {}
    cascade_of: dict[int, int] = {}
    for c_id, cascade in enumerate(cascades):
        for e in cascade.edges:
            parent[e.child] = e
        for m in cascade.members:
            cascade_of[m] = c_id

    def lineage(x: int) -> list[Edge]:  # edges from x up to its cascade's root
        path = []
        while x in parent:
            path.append(parent[x])
            x = parent[x].parent
            if x < 0:
                break
        return path

    columns: dict[str, list] = {name: [] for name in ("direction", "direction_evidence", "direction_confidence", "direction_detail", "delay_seconds", "cascade_id")}

    def put(direction: str, evidence: str, confidence: float, detail: str, delay: float | None, cascade: int | None) -> None:
        for name, value in zip(columns, (direction, evidence, round(confidence, 4), detail, delay, cascade)):
            columns[name].append(value)

    for p, (a, b) in enumerate(zip(pairs.a.tolist(), pairs.b.tolist())):
        c = cascade_of.get(a)
        if c is not None and c == cascade_of.get(b):
            up_a, up_b = lineage(a), lineage(b)
            above_a, above_b = [e.parent for e in up_a], [e.parent for e in up_b]
            if a in above_b or b in above_a:
                source, copy, path = (a, b, up_b[: above_b.index(a) + 1]) if a in above_b else (b, a, up_a[: above_a.index(b) + 1])
                if any(e.evidence == UNDETERMINED for e in path):
                    put(UNKNOWN, UNDETERMINED, 0.0, next(e.detail for e in path if e.evidence == UNDETERMINED), None, c)
                    continue
                if precedes(when[source], when[copy]) <= 1 - settings.date_confidence:
                    put(UNKNOWN, "conflict", 0.0, f"the copy tree puts {names[source]} first, its date puts it after {names[copy]}", None, c)
                    continue
                if len(path) == 1:
                    evidence, detail = path[0].evidence, path[0].detail
                else:
                    evidence = CHAIN
                    detail = f"{names[copy]} copies {names[source]} through " + " → ".join(names[e.parent] for e in reversed(path[:-1]))
                put(A_TO_B if source == a else B_TO_A, evidence, min(e.confidence for e in path), detail, _delay(when[source], when[copy]), c)
                continue
            common = next((x for x in above_a if x in above_b), None)
            steps = up_a[: above_a.index(common) + 1] + up_b[: above_b.index(common) + 1] if common is not None else []
            sure = min((min(e.confidence, e.choice) for e in steps), default=0.0)
            if common is not None and sure >= settings.min_confidence and not any(e.evidence == UNDETERMINED for e in steps):
                source = names[common] if common >= 0 else "an upstream text outside the corpus"
                put(COMMON_SOURCE, COMMON_SOURCE, sure, f"both descend from {source}", None, c)
                continue
            put(UNKNOWN, UNDETERMINED, 0.0, "the copy tree between them has an edge of undetermined direction", None, c)
            continue
        d = pair_direction(
            (when[a], when[b]), pairs.credit[p], pairs.credit_doc[p], (int(pairs.missing_a[p]), int(pairs.missing_b[p])),
            settings, (names[a], names[b]),
        )
        if d.first is None:
            put(UNKNOWN, d.evidence, 0.0, d.detail, None, None)
        else:
            source, copy = (a, b) if d.first == 0 else (b, a)
            put(A_TO_B if d.first == 0 else B_TO_A, d.evidence, d.confidence, d.detail, _delay(when[source], when[copy]), None)
    return columns


def _delay(source: Moment | None, copy: Moment | None) -> float | None:
    """Seconds from the source's publication to the copy's: the middles of their intervals, and 0
    when that is negative but the intervals overlap (the dates cannot order them, and a copy does
    not come before its source)."""
    if source is None or copy is None or source.middle is None or copy.middle is None:
        return None
    delay = float(copy.middle - source.middle)
    overlap = copy.lo <= source.hi and source.lo <= copy.hi
    return 0.0 if delay < 0 and overlap else delay


def upstream_id(cascade_id: int) -> str:
    """The id of a cascade's inferred upstream node (never a document id: it has a space)."""
    return f"upstream of cascade {cascade_id}"


def _lifted_into(cascades: list[Cascade], pairs: _Pairs, directions: list[str | None], ids) -> list[list[str]]:
    """Per cascade, the articles outside it that lifted a passage from one of its members (partial
    reuse whose direction puts the member first): an edge of its own kind, outside the tree."""
    cascade_of = {m: c for c, cascade in enumerate(cascades) for m in cascade.members}
    lifted: list[set[str]] = [set() for _ in cascades]
    for p, direction in enumerate(directions):
        if pairs.verdict[p] != PARTIAL or direction not in (A_TO_B, B_TO_A):
            continue
        source, copy = (pairs.a[p], pairs.b[p]) if direction == A_TO_B else (pairs.b[p], pairs.a[p])
        c = cascade_of.get(int(source))
        if c is not None and cascade_of.get(int(copy)) != c:
            lifted[c].add(ids[copy])
    return [sorted(s) for s in lifted]


def _tables(cascades: list[Cascade], pairs: _Pairs, when, ids, sites, dates, lifted: list[list[str]]) -> tuple[pa.Table, pa.Table]:
    edge_rows: dict[str, list] = defaultdict(list)
    cascade_rows: dict[str, list] = defaultdict(list)
    for c_id, cascade in enumerate(cascades):
        children: dict[int, list[int]] = defaultdict(list)
        # The origin's time, or for a text from outside the corpus its first dated carrier's.
        dated = [when[m] for m in cascade.members if when[m] is not None and when[m].middle is not None]
        origin = when[cascade.root] if cascade.root >= 0 else min(dated, key=lambda m: m.middle, default=None)
        for e in cascade.edges:
            children[e.parent].append(e.child)
            parent_id = upstream_id(c_id) if e.parent < 0 else ids[e.parent]
            row = {
                "cascade_id": c_id, "parent": parent_id, "child": ids[e.child],
                "parent_site": None if e.parent < 0 else sites[e.parent], "child_site": sites[e.child],
                "inferred_parent": e.parent < 0, "evidence": e.evidence, "confidence": round(e.confidence, 4),
                "parent_confidence": round(e.choice, 4), "detail": e.detail,
                "delay_seconds": None if e.parent < 0 else _delay(when[e.parent], when[e.child]),
                "delay_after_origin_seconds": _delay(origin, when[e.child]),
                "credit": None if e.pair is None else pairs.credit[e.pair],
                "distance_chars": None if e.pair is None else int(pairs.missing_a[e.pair] + pairs.missing_b[e.pair]),
            }
            for k, v in row.items():
                edge_rows[k].append(v)
        depth, stack = 0, [(cascade.root, 0)]
        while stack:
            node, level = stack.pop()
            depth = max(depth, level)
            stack += [(c, level + 1) for c in children.get(node, ())]
        member_dates = sorted(dates[m] for m in cascade.members if dates[m])
        middles = [when[m].middle for m in cascade.members if when[m] is not None and when[m].middle is not None]
        row = {
            "cascade_id": c_id,
            "root": upstream_id(c_id) if cascade.root < 0 else ids[cascade.root],
            "root_site": None if cascade.root < 0 else sites[cascade.root],
            "inferred_upstream": cascade.root < 0,
            "root_evidence": cascade.root_evidence,
            "members": len(cascade.members),
            "sites": len({sites[m] for m in cascade.members if sites[m]}),
            "depth": depth,
            "first_date": member_dates[0] if member_dates else None,
            "last_date": member_dates[-1] if member_dates else None,
            "span_seconds": float(max(middles) - min(middles)) if len(middles) > 1 else None,
            "doc_ids": [ids[m] for m in cascade.members],
            "lifted_into": lifted[c_id],
        }
        for k, v in row.items():
            cascade_rows[k].append(v)
    return (
        pa.Table.from_pydict({n: edge_rows.get(n, []) for n in SCHEMAS["edges"].names}, schema=SCHEMAS["edges"]),
        pa.Table.from_pydict({n: cascade_rows.get(n, []) for n in SCHEMAS["cascades"].names}, schema=SCHEMAS["cascades"]),
    )
