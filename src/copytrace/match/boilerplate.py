"""Per-site boilerplate: lines a site repeats on many of its pages are its template, not reuse.

Share prompts, newsletter calls, contact lines, "Read more" blocks and photo credits recur across
the pages of one site. Two sites that use the same footer would otherwise look like they copy each
other. copytrace learns each site's template from the corpus itself: a line (its words, ignoring
case and punctuation) found on at least ``min_share`` of a site's pages, and on at least
``MIN_PAGES_SEEN`` of them, is boilerplate of that site. Sites with fewer than ``min_pages`` pages
cannot teach anything; for them a short built-in list of common patterns is used instead.

Networks of sites share templates that no single site shows often enough to learn: a footer on a
tenth of each copy site's pages, a CMS line on hundreds of domains. A line found on pages of two
or more sites, and on ``MIN_PAGES_SEEN`` pages of one of them, is a *shared* template line
(:func:`shared_template`): sites repeat their templates page after page, while a site publishes
an article once. It is boilerplate on every page where such lines are a minority of the words; a
page where they make half the text or more is carrying the article those pages share (a story
many sites republish), and keeps it. A few lines the web never writes in articles ("Your browser
does not support the audio element") are boilerplate everywhere (:data:`WEB_STRINGS`), a
complement to learning.

The words of boilerplate lines take no part in fingerprints or alignment seeds, so a pair is never
reported only because of them. Lines are found from the word table (a line ends where a line break
separates two words), so learning costs a few vectorized passes, not a loop over the text.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from copytrace.match.fingerprint import Words, find_sorted, index_bits, sort_with_index
from copytrace.store.workspace import durable_step

#: A line must be seen on at least this many pages of its site to count as boilerplate.
MIN_PAGES_SEEN = 3

#: Lines that are boilerplate wherever they appear (for sites too small to learn from).
BUILT_IN = re.compile(
    r"^[\W_]*(?:"
    r"(?:(?:if|did) you (?:like|liked|enjoy|enjoyed) this (?:story|article)|share (?:this|it) with)"
    r"|read (?:more|also)\b|related(?: articles| stories)?\s*:|"
    r"(?:sign up|subscribe) (?:to|for) (?:our|the) (?:newsletter|daily|weekly)"
    r"|(?:photo|image|picture|video)(?: credit)?\s*:"
    r"|(?:contact us|e-?mail us|follow us|tel\.?|phone)\s*[:(]"
    r"|\d[\d,.\s]*\s(?:views|reads)\s*$"
    r"|all rights reserved|copyright\b|©"
    r")",
    re.IGNORECASE | re.MULTILINE,
)


#: Lines that are never article text, wherever they appear: a complement to learning (the web's
#: commonest non-article lines, matched as whole lines by their words, case and punctuation aside),
#: not the mechanism.
WEB_STRINGS = (
    "Your browser does not support the audio element.", "Your browser does not support the video element.",
    "Your browser does not support the video tag.", "Your browser does not support the audio tag.",
    "Your browser does not support iframes.", "Please enable JavaScript to view the comments powered by Disqus.",
    "JavaScript is disabled in your browser.", "Please enable JavaScript to continue.", "This video is not available in your country.",
    "This content is not available in your region.", "Advertisement", "Scroll to continue with content", "Advertisement - scroll to continue",
    "Skip to main content", "Listen to this article", "Share this article", "Copy link", "Thank you for subscribing!",
    "Already a subscriber? Log in", "Sign up for our newsletter", "We use cookies to improve your experience.",
)


@functools.cache
def web_string_hashes() -> np.ndarray:
    """The line hashes of :data:`WEB_STRINGS`, sorted."""
    words = Words.build(list(WEB_STRINGS), 4)
    return np.unique(words.lines()[1])


#: Marks, in a template's keys, a *shared* template line: one found on pages of several sites
#: (see :func:`shared_template`), which is boilerplate only where it is a minority of a page.
SHARED = np.uint64(0x9E3779B97F4A7C15)
#: A page on which shared template lines make at least this share of the words is carrying an
#: article those pages share (a story republished by many sites), not their template.
SHARED_MAX_SHARE = 0.5


@dataclass
class Boilerplate:
    """What was found: per word, whether it lies in a boilerplate line; and the learned lines."""

    masked: np.ndarray  # bool per word of ``words.tokens``
    sites: list[str]  # learned lines: site, an example of the line's text, pages it was seen on
    blocks: list[str]
    pages: list[int]

    def rows(self) -> dict:
        return {"site": self.sites, "text_block": self.blocks, "pages_seen": self.pages}


def find_boilerplate(words: Words, doc_sites: np.ndarray, site_names: list[str], min_pages: int, min_share: float) -> Boilerplate:
    """Learn each site's boilerplate lines and mark their words (``doc_sites``: a site number per
    document, -1 when unknown; ``site_names[n]`` is site ``n``): :func:`count_lines`,
    :func:`learn_template` and :func:`mask_template` on one batch of documents."""
    pages_per_site = site_pages(doc_sites, len(site_names))
    template = learn_template(count_lines(words, doc_sites), pages_per_site, min_pages, min_share)
    masked = mask_template(words, doc_sites, template.keys, pages_per_site, min_pages)
    texts = [words.texts[d][start:end] for d, start, end in zip(template.first_doc.tolist(), template.start.tolist(), template.end.tolist())]
    return Boilerplate(masked, [site_names[s] for s in template.site.tolist()], texts, template.pages.tolist())


def site_pages(doc_sites: np.ndarray, n_sites: int) -> np.ndarray:
    """Pages per site number (documents of unknown site, -1, are no site's)."""
    return np.bincount(doc_sites[doc_sites >= 0], minlength=max(1, n_sites))


@dataclass
class LineCounts:
    """Distinct pages per (site, line) of some documents, the statistic boilerplate is learned
    from, with where each line was first seen (its document and character range: its example
    text). Counted per batch of documents and merged, so the corpus need not be in memory."""

    keys: np.ndarray  # uint64, ascending: a line's hash mixed with its site's number
    site: np.ndarray  # int64
    pages: np.ndarray  # int64
    first_doc: np.ndarray  # int64
    start: np.ndarray  # int64
    end: np.ndarray  # int64

    @staticmethod
    def merge(parts: list[LineCounts]) -> LineCounts:
        """The counts of disjoint batches of documents together (given in document order)."""
        if len(parts) == 1:
            return parts[0]
        cat = {name: np.concatenate([getattr(p, name) for p in parts]) for name in LineCounts.__dataclass_fields__}
        order = _stable_order(cat["keys"])  # equal keys stay in document order
        keys = cat["keys"][order]
        new_key = np.ones(len(keys), bool)
        new_key[1:] = keys[1:] != keys[:-1]
        group = np.cumsum(new_key) - 1
        first = order[new_key]
        pages = np.bincount(group, weights=cat["pages"][order]).astype(np.int64) if len(keys) else cat["pages"]
        return LineCounts(keys[new_key], cat["site"][first], pages, cat["first_doc"][first], cat["start"][first], cat["end"][first])


#: How :class:`LineRuns` stores each field (narrower than in memory: a million documents have
#: tens of millions of distinct lines).
_STORED = {"keys": np.uint64, "site": np.int32, "pages": np.int32, "first_doc": np.int32, "start": np.int32, "end": np.int32}


class LineRuns:
    """The line counts of a workspace (``index/lines``), one *run* per read: the scan's counts of
    the corpus, then each ``add``'s counts of the documents it added (runs count disjoint documents,
    in document order). A line's pages are the sum over runs, its example the earliest run's.

    An ``add`` writes only its own small run instead of merging into and rewriting the corpus's
    counts, and learning the template matches the small runs into the first one by binary search
    (memory-mapped: no full sort, no full copy)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        legacy = self.folder.with_name("lines.npz")  # a workspace written before runs
        if legacy.exists() and not self.folder.exists():
            saved = np.load(legacy)
            self.write(0, LineCounts(**{k: saved[k] for k in LineCounts.__dataclass_fields__}))
            legacy.unlink()

    def runs(self) -> list[Path]:
        return sorted(self.folder.glob("run-*"))

    def write(self, number: int, counts: LineCounts, folder: Path | None = None) -> None:
        """Save ``counts`` as run ``number`` (in ``folder``, default this one's), atomically."""
        folder = Path(folder or self.folder)
        target = folder / f"run-{number:03d}"
        temporary = folder / f".run-{number:03d}.tmp"
        shutil.rmtree(temporary, ignore_errors=True)
        temporary.mkdir(parents=True)
        for name, dtype in _STORED.items():
            np.save(temporary / f"{name}.npy", getattr(counts, name).astype(dtype, copy=False))
        shutil.rmtree(target, ignore_errors=True)
        os.replace(temporary, target)
        durable_step()

    def reset(self, counts: LineCounts) -> None:
        """The counts of a whole new scan: the only run."""
        shutil.rmtree(self.folder, ignore_errors=True)
        self.write(0, counts)

    @staticmethod
    def read(run: Path) -> LineCounts:
        """One run's counts, memory-mapped."""
        return LineCounts(**{name: np.load(run / f"{name}.npy", mmap_mode="r") for name in _STORED})

    def template(self, pages_per_site: np.ndarray, min_pages: int, min_share: float, *, runs: int | None = None, extra: LineCounts | None = None) -> LineCounts:
        """:func:`learn_template` of the counts of the first ``runs`` runs (all by default) and
        ``extra`` (counts of later documents) together."""
        parts = [self.read(run) for run in self.runs()[:runs]]
        if extra is not None:
            parts.append(extra)
        if not parts:
            return LineCounts(np.zeros(0, np.uint64), *(np.zeros(0, np.int64) for _ in range(5)))
        base = parts[0]
        pages = np.array(base.pages, np.int64)  # a copy: the run itself is read only
        later = LineCounts.merge([_loaded(p) for p in parts[1:]]) if len(parts) > 1 else None
        if later is not None:
            at, known = find_sorted(base.keys, later.keys)
            pages[at[known]] += later.pages[known]  # keys are unique within a run: no index repeats
            later = LineCounts(*(getattr(later, f)[~known] for f in LineCounts.__dataclass_fields__))
        chosen = np.flatnonzero(_learned(np.asarray(base.site), pages, pages_per_site, min_pages, min_share))
        template = _loaded(LineCounts(*(getattr(base, f)[chosen] for f in LineCounts.__dataclass_fields__)))
        template.pages = pages[chosen]
        if later is not None:
            template = LineCounts.merge([template, _site_template(later, pages_per_site, min_pages, min_share)])
        return _with_shared(template, shared_template([(base, pages), *(() if later is None else ((later, later.pages),))]))


def _loaded(counts: LineCounts) -> LineCounts:
    """``counts`` in memory, in the types :func:`count_lines` gives."""
    return LineCounts(*(np.asarray(getattr(counts, f), np.uint64 if f == "keys" else np.int64) for f in LineCounts.__dataclass_fields__))


def count_lines(words: Words, doc_sites: np.ndarray, doc_offset: int = 0) -> LineCounts:
    """:class:`LineCounts` of the lines of ``words`` whose document has a known site (documents
    numbered from ``doc_offset``)."""
    t = words.tokens
    _, line_hash, line_first, line_doc = words.lines()
    line_site = doc_sites[line_doc]
    # Distinct pages per (site, line): lines sorted by a key of both (lines come in page order, and
    # the packed sort keeps that order among equal keys), then counted where the page changes.
    candidates = np.flatnonzero(line_site >= 0)
    key = _mix_site(line_hash[candidates], line_site[candidates])
    order = _stable_order(key)
    lines = candidates[order]
    keys = key[order]
    new_key = np.ones(len(lines), bool)
    new_key[1:] = keys[1:] != keys[:-1]
    new_page = new_key.copy()
    new_page[1:] |= line_doc[lines[1:]] != line_doc[lines[:-1]]
    group = np.cumsum(new_key) - 1
    seen = np.bincount(group, weights=new_page).astype(np.int64) if len(lines) else np.zeros(0, np.int64)
    first_line = lines[new_key]  # where each (site, line) was first seen
    docs = line_doc[first_line]
    last_word = np.append(line_first[1:], t.doc_starts[-1]) - 1  # a line ends where the next begins...
    last_word = np.minimum(last_word, t.doc_starts[line_doc + 1] - 1)  # ...or its document ends
    return LineCounts(
        keys[new_key], line_site[first_line].astype(np.int64), seen, docs.astype(np.int64) + doc_offset,
        t.starts[line_first[first_line]].astype(np.int64), t.ends[last_word[first_line]].astype(np.int64),
    )


def learn_template(counts: LineCounts, pages_per_site: np.ndarray, min_pages: int, min_share: float) -> LineCounts:
    """The boilerplate lines: those of sites with at least ``min_pages`` pages, seen on at least
    ``min_share`` of them and on :data:`MIN_PAGES_SEEN` or more; and the shared template lines
    (:func:`shared_template`) of the sites that do not learn them alone."""
    return _with_shared(_site_template(counts, pages_per_site, min_pages, min_share), shared_template([(counts, counts.pages)]))


def _site_template(counts: LineCounts, pages_per_site: np.ndarray, min_pages: int, min_share: float) -> LineCounts:
    """Each site's own boilerplate lines (see :func:`learn_template`)."""
    chosen = _learned(counts.site, counts.pages, pages_per_site, min_pages, min_share)
    return LineCounts(*(getattr(counts, name)[chosen] for name in LineCounts.__dataclass_fields__))


def _with_shared(template: LineCounts, shared: LineCounts) -> LineCounts:
    """A site's template and the shared lines, less the shared entries its own template has."""
    if not len(shared.keys):
        return template
    keep = ~find_sorted(np.asarray(template.keys), shared.keys ^ SHARED)[1]
    return LineCounts.merge([template, LineCounts(*(getattr(shared, f)[keep] for f in LineCounts.__dataclass_fields__))])


def shared_template(parts: list[tuple[LineCounts, np.ndarray]], chunk: int = 1 << 22) -> LineCounts:
    """The shared template lines of line counts (``parts``: disjoint counts with their pages): a
    line found on pages of at least two sites and on :data:`MIN_PAGES_SEEN` or more pages of one
    of them. Sites repeat their template on page after page, while an article is published once
    by each site that carries it; so text several sites repeat is a network's template (a footer
    on a tenth of each copy site's pages, a CMS's "Your browser does not support the audio
    element"), though no single site shows it on enough of its pages to learn it. Returns the
    entries of every site carrying such a line, their keys marked with :data:`SHARED`, sorted;
    :func:`mask_template` applies them only where they are a minority of a page.

    Reads each part in chunks (the counts of a large corpus are memory-mapped)."""

    def hashes(counts: LineCounts, lo: int, hi: int) -> np.ndarray:  # the line's hash, its site mixed out again
        return _mix_site(np.asarray(counts.keys[lo:hi]), np.asarray(counts.site[lo:hi]))

    def chunks(counts: LineCounts):
        for lo in range(0, len(counts.keys), chunk):
            yield lo, min(lo + chunk, len(counts.keys))

    frequent = np.unique(np.concatenate([
        hashes(c, lo, hi)[np.asarray(pages[lo:hi]) >= MIN_PAGES_SEEN] for c, pages in parts for lo, hi in chunks(c)
    ] or [np.zeros(0, np.uint64)]))
    empty = LineCounts(np.zeros(0, np.uint64), *(np.zeros(0, np.int64) for _ in range(5)))
    if not len(frequent):
        return empty
    def among(wanted: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which of ``h`` are in ``wanted`` (sorted), and where: a bitmap of their low bits first
        (one look-up each), so that only the few that may be are searched."""
        bitmap = np.zeros(1 << 22, bool)
        bitmap[(wanted & np.uint64((1 << 22) - 1)).astype(np.int64)] = True
        maybe = np.flatnonzero(bitmap[(h & np.uint64((1 << 22) - 1)).astype(np.int64)])
        at, found = find_sorted(wanted, h[maybe])
        return maybe[found], at[found]

    sites = np.zeros(len(frequent), np.int64)  # entries are one per (site, line): count them
    for c, _ in parts:
        for lo, hi in chunks(c):
            _, at = among(frequent, hashes(c, lo, hi))
            sites += np.bincount(at, minlength=len(frequent))
    shared = frequent[sites >= 2]
    if not len(shared):
        return empty
    rows = []
    for c, pages in parts:
        for lo, hi in chunks(c):
            keep = lo + among(shared, hashes(c, lo, hi))[0]
            rows.append(LineCounts(
                np.asarray(c.keys[keep]) ^ SHARED, np.asarray(c.site[keep], np.int64), np.asarray(pages[keep], np.int64),
                *(np.asarray(getattr(c, f)[keep], np.int64) for f in ("first_doc", "start", "end")),
            ))
    return LineCounts.merge(rows)


def _learned(site: np.ndarray, pages: np.ndarray, pages_per_site: np.ndarray, min_pages: int, min_share: float) -> np.ndarray:
    """Per line (of site ``site``, seen on ``pages`` pages), whether it is boilerplate. Only lines
    seen :data:`MIN_PAGES_SEEN` times can be, a few in a thousand: only they are looked at."""
    learned = np.zeros(len(pages), bool)
    seen = np.flatnonzero(np.asarray(pages) >= MIN_PAGES_SEEN)
    site_pages_of = pages_per_site[np.asarray(site)[seen]]
    need = np.maximum(MIN_PAGES_SEEN, np.ceil(min_share * site_pages_of))
    learned[seen] = (site_pages_of >= min_pages) & (pages[seen] >= need)
    return learned


@dataclass
class LineTable:
    """The lines of a batch of documents, all that boilerplate masking reads of their words: per
    line its hash, document, first word and the characters from its first word's start to its last
    word's end (offsets into the document's text as read). Lines follow one another in word order,
    so line ``i`` has the words ``first_word[i]:first_word[i + 1]`` (the last up to ``words``)."""

    hashes: np.ndarray  # uint64
    docs: np.ndarray  # int64
    first_word: np.ndarray  # int64
    char_starts: np.ndarray  # int64
    char_ends: np.ndarray  # int64
    words: int

    @classmethod
    def of_words(cls, words: Words) -> "LineTable":
        t = words.tokens
        _, line_hash, line_first, line_doc = words.lines()
        last_word = np.append(line_first[1:], len(t.hashes))[: len(line_first)] - 1
        return cls(line_hash, line_doc, line_first, t.starts[line_first].astype(np.int64), t.ends[last_word].astype(np.int64), len(t.hashes))

    def line_of(self, word: np.ndarray) -> np.ndarray:
        """The line of each word position in ``word``."""
        return np.searchsorted(self.first_word, word, side="right") - 1

    def word_counts(self) -> np.ndarray:
        return np.diff(np.append(self.first_word, self.words))

    def spans(self, masked: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Where the lines set in ``masked`` stand: ``(docs, starts, ends)``, one row per run of
        consecutive masked lines of one document (character offsets, end exclusive), in order."""
        if not masked.any():
            empty = np.zeros(0, np.int64)
            return empty, empty, empty
        same_doc = self.docs[1:] == self.docs[:-1]
        first = masked.copy()
        first[1:] &= ~(masked[:-1] & same_doc)
        last = masked.copy()
        last[:-1] &= ~(masked[1:] & same_doc)
        runs_first, runs_last = np.flatnonzero(first), np.flatnonzero(last)
        return self.docs[runs_first].astype(np.int64), self.char_starts[runs_first], self.char_ends[runs_last]


def mask_template(words: Words, doc_sites: np.ndarray, template_keys: np.ndarray, pages_per_site: np.ndarray, min_pages: int) -> np.ndarray:
    """Per word of ``words``, whether it lies in a boilerplate line (:func:`mask_lines`)."""
    lines = LineTable.of_words(words)
    masked = mask_lines(lines, doc_sites, template_keys, pages_per_site, min_pages, lambda docs: [words.texts[d] for d in docs.tolist()])
    return masked[words.lines()[0]]


def mask_lines(lines: LineTable, doc_sites: np.ndarray, template_keys: np.ndarray, pages_per_site: np.ndarray, min_pages: int, texts_of) -> np.ndarray:
    """Per line of ``lines``, whether it is boilerplate: a learned line of its site
    (``template_keys``, ascending), or for a document whose site is too small to learn from (or
    unknown), a line matching the built-in patterns (``texts_of(docs)``: the texts of those
    documents, the only ones read)."""
    line_hash, line_doc = lines.hashes, lines.docs
    line_site = doc_sites[line_doc]
    is_boiler_line = np.zeros(len(line_hash), bool)
    sited = np.flatnonzero(line_site >= 0)
    if len(template_keys) and len(sited):
        key = _mix_site(line_hash[sited], line_site[sited])
        is_boiler_line[sited[find_sorted(template_keys, key)[1]]] = True
        shared = np.zeros(len(line_hash), bool)
        shared[sited[find_sorted(template_keys, key ^ SHARED)[1]]] = True
        shared &= ~is_boiler_line
        if shared.any():  # template where it is a minority of its page, else the article they share
            n_docs = len(doc_sites)
            line_words = lines.word_counts()
            doc_words = np.bincount(line_doc, weights=line_words, minlength=n_docs)
            doc_shared = np.bincount(line_doc, weights=line_words * shared, minlength=n_docs)
            is_boiler_line |= shared & (doc_shared < SHARED_MAX_SHARE * doc_words)[line_doc]
    is_boiler_line[find_sorted(web_string_hashes(), line_hash)[1]] = True

    # Sites too small to learn from: the built-in patterns. A match marks the line of the first
    # word ending after it starts.
    small = np.flatnonzero((doc_sites < 0) | (pages_per_site[np.maximum(doc_sites, 0)] < min_pages))
    small = small[np.isin(small, line_doc)]  # documents with words
    if len(small):
        first_line = np.searchsorted(line_doc, small, "left")
        end_line = np.searchsorted(line_doc, small, "right")
        for lo, hi, text in zip(first_line.tolist(), end_line.tolist(), texts_of(small)):
            ends = lines.char_ends[lo:hi]
            for match in BUILT_IN.finditer(text):
                k = int(np.searchsorted(ends, match.start(), "right"))
                if k < hi - lo:
                    is_boiler_line[lo + k] = True
    return is_boiler_line


def boilerplate_spans(words: Words, masked: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where boilerplate stands in each document: ``(docs, starts, ends)``, one row per run of
    masked words (character offsets into the text as read, end exclusive), in document order."""
    t = words.tokens
    n = len(masked)
    if not masked.any():
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    new_doc = np.zeros(n + 1, bool)  # word t begins a document
    new_doc[t.doc_starts] = True
    first = masked.copy()
    first[1:] &= ~masked[:-1] | new_doc[1:n]
    last = masked.copy()
    last[: n - 1] &= ~masked[1:] | new_doc[1:n]
    runs_first, runs_last = np.flatnonzero(first), np.flatnonzero(last)
    docs = np.searchsorted(t.doc_starts, runs_first, side="right") - 1
    return docs, t.starts[runs_first].astype(np.int64), t.ends[runs_last].astype(np.int64)


def _stable_order(keys: np.ndarray) -> np.ndarray:
    """The stable sorting order of uint64 ``keys``: by numpy's fast sort of keys packed with their
    index (:func:`sort_with_index`), checked, since packing drops the keys' low bits, and redone
    with a stable argsort in the rare case two keys differ only there."""
    _, order = sort_with_index(keys, index_bits(len(keys)))
    ordered = keys[order]
    if len(ordered) > 1 and np.any(ordered[1:] < ordered[:-1]):
        return np.argsort(keys, kind="stable")
    return order


def _mix_site(hashes: np.ndarray, sites: np.ndarray) -> np.ndarray:
    """One 64-bit key for a line's hash on a site."""
    return hashes ^ (sites.astype(np.uint64) * np.uint64(0xD6E8FEB86659FD93))
