"""Large news corpora made from real text, with copies planted at a known rate.

Reuters-21578 holds 19,043 stories (16 M characters): too few for a scaling curve to a million
documents. The stories used are its 7,992 that share no word 8-gram with any other (the rest are
templates: earnings tables, money-market and eurobond notices, which would swamp any timing with
pairs no reader wants). Each *edition* of them has its words renamed: every word is swapped for
another word of the same shape (lower case, Capitalized, UPPER) and about the same frequency (one
of the 8 nearest in rank among the 512 most frequent, of the 64 nearest beyond), and every digit
of a number for another digit, by permutations drawn per edition. The text keeps its lengths,
lines, punctuation and Zipf's law, but not its sense; two editions of a story share what two
unrelated stories share (a renamed skeleton of common words would otherwise align between them). A document is four stories of one
edition run together (about 3,000 characters, like a web article).

Each document gets a site (about 400, of Zipf-like sizes, each with a two-line footer of its own
on half of its pages, which copytrace should learn as boilerplate) and a time (a year, in document order).
Copies are planted at ``copy_rate``: a copy is a document republished by another site a few hours
later, edited the way copy sites edit (a paragraph dropped, the end cut, words swapped) and with
its own footer. The truth, each copy's source, is written beside the corpus.

Generation is vectorized over the tokens of an edition (a numpy take and one join per story): a
million documents take about two minutes, and the corpus is cached under ``benchmarks/work``.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import orjson

from .planted import independent
from .reuters import load_reuters

#: Words are permuted within bands of neighbouring frequency ranks: this many wide among the
#: most frequent (``COMMON`` ranks), ``BAND`` wide beyond.
COMMON, COMMON_BAND, BAND = 512, 8, 64
#: Stories per generated document.
STORIES_PER_DOC = 4
SITES = 400
START = datetime(2025, 1, 1)

_TOKEN = re.compile(r"[A-Za-z]+|[^A-Za-z]+")


@dataclass
class Editions:
    """Reuters as token ids, and what renaming needs: per story its token range; per vocabulary
    entry its string and the band it is permuted within (-1: kept)."""

    ids: np.ndarray  # token ids of all stories, in order
    story_starts: np.ndarray  # story s is ids[story_starts[s]:story_starts[s + 1]]
    titles: list[np.ndarray]  # token ids of each story's title
    vocabulary: np.ndarray  # object array of strings
    band: np.ndarray  # per vocabulary entry
    has_digit: np.ndarray  # per vocabulary entry: renamed digit by digit

    @classmethod
    def from_reuters(cls) -> Editions:
        articles = independent(load_reuters())
        tokens: list[str] = []
        starts = [0]
        title_tokens = []
        for a in articles:
            tokens += _TOKEN.findall("\n\n".join(a.paragraphs))
            starts.append(len(tokens))
            title_tokens.append(_TOKEN.findall(a.title))
        vocabulary, ids = np.unique(np.array(tokens + [t for ts in title_tokens for t in ts], dtype=object), return_inverse=True)
        counts = np.bincount(ids, minlength=len(vocabulary))
        body_ids = ids[: len(tokens)]
        title_ids, offset = [], len(tokens)
        for ts in title_tokens:
            title_ids.append(ids[offset : offset + len(ts)])
            offset += len(ts)
        band = np.full(len(vocabulary), -1, np.int64)
        shapes = np.array([_shape(str(v)) for v in vocabulary])
        is_word = shapes >= 0
        next_band = 0
        for shape in range(3):
            members = np.flatnonzero(is_word & (shapes == shape))
            members = members[np.argsort(-counts[members], kind="stable")]
            rank = np.arange(len(members))
            band[members] = next_band + np.where(rank < COMMON, rank // COMMON_BAND, COMMON // COMMON_BAND + (rank - COMMON) // BAND)
            next_band = band[members].max() + 1 if len(members) else next_band
        has_digit = np.array([any(c.isdigit() for c in str(v)) for v in vocabulary])
        return cls(body_ids.astype(np.int32), np.array(starts, np.int64), title_ids, vocabulary, band, has_digit)

    def renaming(self, edition: int) -> np.ndarray:
        """Edition ``edition``'s strings per vocabulary id (edition 0 is Reuters as written)."""
        if edition == 0:
            return self.vocabulary
        rng = np.random.default_rng(edition)
        entries = np.flatnonzero(self.band >= 0)
        order = entries[np.lexsort((rng.random(len(entries)), self.band[entries]))]  # shuffled within bands
        by_band = entries[np.argsort(self.band[entries], kind="stable")]
        target = np.arange(len(self.vocabulary))
        target[by_band] = order
        strings = self.vocabulary[target]
        digits = [str(d) for d in rng.permutation(10)]
        table = str.maketrans("0123456789", "".join(digits))
        numbers = np.flatnonzero(self.has_digit)
        strings[numbers] = [s.translate(table) for s in self.vocabulary[numbers]]
        return strings


def _shape(token: str) -> int:
    """0 lower, 1 Capitalized, 2 UPPER (two letters or more), -1 anything else (kept as is)."""
    if not token.isalpha():
        return -1
    if token.islower():
        return 0
    if token[0].isupper() and token[1:].islower():
        return 1
    if token.isupper() and len(token) > 1:
        return 2
    return -1


def site_names(rng: random.Random) -> list[str]:
    stems = ["daily", "news", "post", "times", "herald", "wire", "report", "journal", "gazette", "observer", "today", "press"]
    names = set()
    while len(names) < SITES:
        names.add(f"{rng.choice(stems)}{rng.choice(stems)}{rng.randrange(1000)}.{rng.choice(['com', 'net', 'org', 'info'])}")
    return sorted(names)


def footer(site: str, vocabulary: np.ndarray) -> str:
    """Two lines a site puts under its articles; words drawn per site, so no two sites share them."""
    rng = random.Random(site)
    line = lambda n: " ".join(str(vocabulary[rng.randrange(len(vocabulary))]) for _ in range(n))
    return f"{line(6).capitalize()} {site}.\n{line(9).capitalize()}."


def generate(n_docs: int, path: Path, copy_rate: float = 0.02, seed: int = 11, progress=None) -> dict:
    """Write a corpus of ``n_docs`` documents (JSON Lines) to ``path`` and its truth beside it
    (``path`` with ``.truth.json``: each planted copy's source). Returns the truth."""
    rng = random.Random(seed)
    editions = Editions.from_reuters()
    sites = site_names(rng)
    lower = editions.vocabulary[(editions.band >= 0) & np.array([str(v).islower() for v in editions.vocabulary])]
    footers = {site: footer(site, lower) for site in sites}
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(sites))]
    n_stories = len(editions.story_starts) - 1
    per_edition = n_stories // STORIES_PER_DOC
    truth: dict[str, str] = {}
    seconds_per_doc = 365 * 86400 / max(n_docs, 1)
    written = 0
    edition = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as out:
        while written < n_docs:
            strings = editions.renaming(edition)
            order = np.random.default_rng(1000 + edition).permutation(n_stories)
            for k in range(per_edition):
                if written >= n_docs:
                    break
                stories = order[k * STORIES_PER_DOC : (k + 1) * STORIES_PER_DOC]
                paragraphs = "\n\n".join(
                    "".join(strings[editions.ids[editions.story_starts[s] : editions.story_starts[s + 1]]]) for s in stories
                )
                title = "".join(strings[editions.titles[stories[0]]]).strip()
                site = rng.choices(sites, weights)[0]
                doc_id = f"e{edition:03d}-{k:05d}"
                when = START + timedelta(seconds=written * seconds_per_doc)
                text = title + "\n\n" + paragraphs
                if rng.random() < 0.5:
                    text += "\n\n" + footers[site]
                out.write(orjson.dumps(_record(doc_id, site, title, when, text)) + b"\n")
                written += 1
                if written < n_docs and rng.random() < copy_rate / (1 - copy_rate):
                    copier = rng.choice([s for s in rng.sample(sites, 3) if s != site])
                    copy_id = f"{doc_id}-copy"
                    copied = _edit_copy(title, paragraphs, rng) + "\n\n" + footers[copier]
                    later = when + timedelta(hours=rng.uniform(1, 48))
                    out.write(orjson.dumps(_record(copy_id, copier, title, later, copied)) + b"\n")
                    truth[copy_id] = doc_id
                    written += 1
                if progress and written % 10_000 == 0:
                    progress(written)
            edition += 1
    temporary.replace(path)
    truth_path = path.with_name(path.name + ".truth.json")
    truth_path.write_text(json.dumps(truth))
    return truth


def _edit_copy(title: str, paragraphs: str, rng: random.Random) -> str:
    """A copy site's version: one edit of the usual kinds (or none)."""
    parts = paragraphs.split("\n\n")
    kind = rng.choice(["verbatim", "paragraph_dropped", "end_cut", "words_swapped"])
    if kind == "paragraph_dropped" and len(parts) > 2:
        del parts[rng.randrange(1, len(parts))]
    elif kind == "end_cut" and len(parts) > 2:
        parts = parts[: max(2, len(parts) * 2 // 3)]
    elif kind == "words_swapped":
        words = "\n\n".join(parts).split(" ")
        for i in rng.sample(range(len(words)), len(words) // 20):
            words[i] = words[rng.randrange(len(words))]
        parts = [" ".join(words)]
    return title + "\n\n" + "\n\n".join(parts)


def _record(doc_id: str, site: str, title: str, when: datetime, text: str) -> dict:
    return {"id": doc_id, "url": f"https://{site}/{doc_id}", "site": site, "title": title, "date": when.isoformat(timespec="seconds"), "text": text}


def corpus(n_docs: int, work: Path, copy_rate: float = 0.02, progress=None) -> tuple[Path, dict]:
    """The cached corpus of ``n_docs`` documents (generated on first use) and its truth."""
    path = work / f"scale-{n_docs}.jsonl"
    truth_path = path.with_name(path.name + ".truth.json")
    if path.exists() and truth_path.exists():
        return path, json.loads(truth_path.read_text())
    return path, generate(n_docs, path, copy_rate, progress=progress)
