"""Who copied whom, on planted copy trees made from real Reuters articles.

    python -m benchmarks.chains [--cascades 160] [--undated 0.3] [--seed 5]

Each cascade starts from an independent Reuters article (sharing no word 8-gram with any other)
and takes one of four shapes:

- ``star``: an origin and 2–4 direct copies;
- ``chain``: an origin, a copy, a copy of the copy (and sometimes a third level);
- ``tree``: an origin with two copies, each copied once or twice again;
- ``wire``: a story whose source is not in the corpus (a wire story, a press release), carried by
  2–4 sites that each trimmed it differently.

Every copy is made from its parent's text (so a copy of a copy inherits the intermediate's
changes and its credit line) with 1–3 of: a sentence or two dropped, a quotation cut, about 3% of
the words swapped, a number changed, a sentence of another article added, the end cut off. About
40% add a credit line naming their parent's site. Every site appends its own footer, origins too.

Times: each copy appears 5 minutes to 4 days after its parent (log-uniform), with its date written
as a date-time with a zone, a local date-time without one, or only the day; ``--undated`` of the
documents have no date at all, and 4% carry a wrong one (in 2031, or 1970-01-01), which must be
flagged and not trusted. Unrelated Reuters articles on the same sites are distractors.

Measured over the pairs copytrace reports within planted cascades:

- direction accuracy on true ancestor–descendant pairs, among those it decides (calling one of
  them a ``common_source`` sibling counts as wrong), split by whether both documents carry a
  trusted date, and the share left ``unknown``;
- sibling pairs (two copies of one source): the share called ``common_source``;
- parent accuracy: each planted copy's parent in the ``edges`` table (for a wire carrier, an
  inferred upstream node) against the truth; origin accuracy: planted origins that are their
  cascade's root.

Writes ``benchmarks/results/chains.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from rapidfuzz import fuzz, process

import copytrace
from copytrace.ingest.dates import moment, precedes
from copytrace.settings import Settings

from .accuracy import RESULTS, WORK, write_jsonl
from .planted import _QUOTE, _SENTENCE, _WORD, SYNONYMS, independent
from .reuters import Article, load_reuters

ORIGIN_SITES = {
    "capitalherald.com": "Capital Herald - news you can trust\nFollow Capital Herald for breaking news and analysis",
    "eastwire.org": "Read more stories on EastWire\nEastWire: all rights reserved",
    "dailyledger.net": "Sign up for the Daily Ledger morning briefing\nDaily Ledger newsroom",
}
COPY_SITES = {
    "worldnewsdaily.net": "If you like this story, share it with a friend!\nWorld News Daily\nContact us: tips@worldnewsdaily.net",
    "theglobalpost.info": "Share this article on social media.\nThe Global Post - independent news since 2009",
    "freepressnow.org": "Did you enjoy this story? Subscribe to our newsletter for daily updates.\nFree Press Now",
    "newsfront24.com": "Read more news on NewsFront24.\nAll rights reserved. Reproduction welcome with a link.",
    "truthmirror.info": "Truth Mirror - the news they do not show you\nDonate to keep us independent",
    "patriotvoice.org": "Patriot Voice: share before it gets deleted!\nJoin our channel for more",
    "reportglobe.com": "ReportGlobe - world news aggregator\nComments are closed for this article",
    "newsbeat365.net": "Stay informed with NewsBeat365\nPress Ctrl+D to bookmark this page",
}
SHAPES = ("star", "chain", "tree", "wire")

_NUMBER = re.compile(r"(?<= )\d+(?:\.\d+)?(?= )")


@dataclass
class Doc:
    """A planted document: its sentences by paragraph, with what is known of its making."""

    id: str
    site: str
    title: str
    paragraphs: list[list[str]]
    parent: str | None  # a document id, "UPSTREAM" (a source outside the corpus) or None (an origin)
    cascade: int
    time: datetime
    extra_lines: list[str] = field(default_factory=list)  # credit lines, inherited by copies
    date: str | None = None
    bad_date: bool = False
    upstream: Doc | None = None  # for a wire carrier: the story as sent, which is not in the corpus
    cut: set[str] = field(default_factory=set)  # sentences it lost by cutting off the end

    def text(self) -> str:
        body = "\n\n".join(" ".join(p) for p in self.paragraphs if p)
        extra = "\n\n".join(self.extra_lines)
        footer = ORIGIN_SITES.get(self.site) or COPY_SITES[self.site]
        return "\n\n".join(part for part in (self.title, body, extra, footer) if part)


def _split(article: Article) -> list[list[str]]:
    return [[s for s in _SENTENCE.split(p) if s.strip()] for p in article.paragraphs]


class Maker:
    """Makes copies of documents with random edits."""

    def __init__(self, rng: random.Random, donors: list[Article]):
        self.rng = rng
        self.donors = donors
        self.vocabulary = sorted({w.lower() for a in donors[:300] for w in _WORD.findall(a.text)})

    def copy(self, parent: Doc, doc_id: str, site: str, cascade: int, edits: int | None = None, must_trim: bool = False) -> Doc:
        rng = self.rng
        paragraphs = [list(p) for p in parent.paragraphs]
        kinds = rng.sample(["drop", "quote", "swap", "number", "add", "truncate"], edits if edits is not None else rng.randint(1, 3))
        if must_trim and "drop" not in kinds:
            kinds.append("drop")
        cut: set[str] = set()
        for kind in kinds:
            cut |= self._edit(kind, paragraphs)
        extra = list(parent.extra_lines)
        if rng.random() < 0.4:
            extra.append(f"Source: {parent.site}")
        title = parent.title if rng.random() < 0.8 else parent.title.upper()
        delay = math.exp(rng.uniform(math.log(300), math.log(4 * 86400)))
        return Doc(doc_id, site, title, paragraphs, parent.id, cascade, parent.time + timedelta(seconds=delay), extra, cut=cut)

    def _edit(self, kind: str, paragraphs: list[list[str]]) -> set[str]:
        """Makes one edit in place; returns the sentences a cut-off end took."""
        rng = self.rng
        spots = [(i, j) for i, p in enumerate(paragraphs) for j in range(len(p)) if 0 < i or 0 < j]
        if not spots:
            return set()
        if kind == "drop":
            for i, j in sorted(rng.sample(spots, min(len(spots) - 1, rng.randint(1, 2))), reverse=True):
                if len(paragraphs[i]) > j and sum(map(len, paragraphs)) > 4:
                    del paragraphs[i][j]
        elif kind == "quote":
            quoted = [(i, j) for i, j in spots if _QUOTE.search(paragraphs[i][j])]
            if quoted:
                i, j = rng.choice(quoted)
                cut = _QUOTE.sub("", paragraphs[i][j], count=1).strip()
                if len(cut.split()) >= 3:
                    paragraphs[i][j] = cut
        elif kind == "swap":
            def replace(match: re.Match) -> str:
                word = match.group(0)
                if rng.random() >= 0.03:
                    return word
                new = SYNONYMS.get(word.lower()) or rng.choice(self.vocabulary)
                return new.capitalize() if word[0].isupper() else new

            for p in paragraphs:
                p[:] = [_WORD.sub(replace, s) for s in p]
        elif kind == "number":
            numbered = [(i, j) for i, j in spots if _NUMBER.search(paragraphs[i][j])]
            if numbered:
                i, j = rng.choice(numbered)
                paragraphs[i][j] = _NUMBER.sub(lambda m: str(int(float(m.group(0))) + rng.randint(1, 9)), paragraphs[i][j], count=1)
        elif kind == "add":
            donor = rng.choice(self.donors)
            sentence = rng.choice([s for p in _split(donor) for s in p])
            i = rng.randrange(len(paragraphs))
            paragraphs[i].insert(rng.randint(0, len(paragraphs[i])), sentence)
        elif kind == "truncate":
            keep = max(2, int(len(paragraphs) * rng.uniform(0.6, 0.85)))
            cut = {s for p in paragraphs[keep:] for s in p}
            del paragraphs[keep:]
            return cut
        return set()


def build(articles: list[Article], cascades: int, undated: float, seed: int, distractors: int) -> list[Doc]:
    rng = random.Random(seed)
    pool = [a for a in independent(articles) if len(a.paragraphs) >= 5 and 1500 <= len(a.text) <= 6000]
    rng.shuffle(pool)
    if len(pool) < cascades + 50:
        raise SystemExit(f"only {len(pool)} independent articles long enough for {cascades} cascades")
    donors = pool[cascades : cascades + 50]
    rest = [a for a in independent(articles) if a not in pool[: cascades + 50]]
    maker = Maker(rng, donors)
    copy_sites = sorted(COPY_SITES)
    docs: list[Doc] = []
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for c in range(cascades):
        article = pool[c]
        shape = SHAPES[c % len(SHAPES)]
        t0 = start + timedelta(seconds=rng.uniform(0, 300 * 86400))
        origin_site = sorted(ORIGIN_SITES)[c % len(ORIGIN_SITES)]
        sites = iter(rng.sample(copy_sites, len(copy_sites)))
        title = " ".join(article.title.split()).title()
        if shape == "wire":
            wire = Doc(f"wire-{c:03d}", origin_site, title, _split(article), None, c, t0)
            carriers = [origin_site, *rng.sample(copy_sites, 3)][: rng.randint(2, 4)]
            for n, site in enumerate(carriers):
                carrier = maker.copy(wire, f"c{c:03d}-{n}-{site.split('.')[0]}", site, c, edits=1, must_trim=True)
                carrier.parent, carrier.upstream = "UPSTREAM", wire
                docs.append(carrier)
            continue
        origin = Doc(f"c{c:03d}-origin-{origin_site.split('.')[0]}", origin_site, title, _split(article), None, c, t0)
        docs.append(origin)

        def child(parent: Doc, depth: int, sites=sites, c=c) -> Doc:
            site = next(sites)
            made = maker.copy(parent, f"c{c:03d}-{len(docs)}-{site.split('.')[0]}", site, c)
            docs.append(made)
            return made

        if shape == "star":
            for _ in range(rng.randint(2, 4)):
                child(origin, 1)
        elif shape == "chain":
            node = origin
            for depth in range(rng.randint(2, 3)):
                node = child(node, depth + 1)
        else:
            for _ in range(2):
                first = child(origin, 1)
                for _ in range(rng.randint(1, 2)):
                    child(first, 2)
    for n, article in enumerate(rest[:distractors]):
        site = sorted({**ORIGIN_SITES, **COPY_SITES})[n % (len(ORIGIN_SITES) + len(COPY_SITES))]
        docs.append(Doc(f"other-{n:04d}", site, article.title.title(), _split(article), None, -1, start + timedelta(days=rng.uniform(0, 300))))
    for doc in docs:
        roll = rng.random()
        if roll < undated:
            doc.date = None
        elif roll < undated + 0.04:
            doc.date, doc.bad_date = rng.choice(["2031-05-01T12:00:00+00:00", "1970-01-01T00:00:00+00:00"]), True
        else:
            style = rng.random()
            if style < 0.5:
                doc.date = doc.time.isoformat(timespec="seconds")
            elif style < 0.75:
                doc.date = (doc.time + timedelta(hours=rng.choice([-5, 0, 1, 3]))).replace(tzinfo=None).isoformat(timespec="seconds")
            else:
                doc.date = doc.time.date().isoformat()
    rng.shuffle(docs)
    return docs


def _records(docs: list[Doc]) -> list[dict]:
    return [
        {"id": d.id, "url": f"https://{d.site}/news/{d.id}", "site": d.site, "title": d.title, "date": d.date, "text": d.text()}
        for d in docs
    ]


def _sentences(doc: Doc) -> list[str]:
    return [s for p in doc.paragraphs for s in p]


def _units(doc: Doc) -> set[str]:
    return set(_sentences(doc))


def _tail(c: Doc, other: Doc) -> set[str]:
    """``other``'s sentences after the last one ``c`` keeps (a word or two changed still counts):
    c lacking them may be its cut-off end."""
    mine = _sentences(c)
    theirs = _sentences(other)
    kept = [i for i, s in enumerate(theirs) if process.extractOne(s, mine, scorer=fuzz.ratio, score_cutoff=80)]
    last = max(kept, default=-1)
    return set(theirs[last + 1 :])


def decidable(docs: list[Doc]) -> dict[str, str]:
    """Whether what the corpus shows singles out each planted copy's parent: ``decidable``, or why
    not (``tie``, ``misleading``: the evidence points elsewhere, ``direction``: nothing tells the
    copy from its source). The benchmark's ceiling, read from the generator's records.

    Texts are compared as sets of sentences, the way a stemma is read from shared variants: against
    another candidate X, a copy C sides with its parent P on each sentence where P and X differ and
    C agrees with P. P is decided when C sides with it more often than with every X that trusted
    dates do not put after C; a credit line C added naming a site counts for that site. Not
    counted: credit lines (copies add the same line independently), sentences C lacks after the
    last one it keeps (an end cut off), and for a wire story, sentences no other member carries (the
    story itself is not in the corpus). A descendant X of C that holds all of C's text, or a parent
    whose text C holds whole, leaves the direction open unless dates or credit decide it."""
    members: dict[int, list[Doc]] = defaultdict(list)
    for d in docs:
        if d.cascade >= 0:
            members[d.cascade].append(d)
    by_id = {d.id: d for d in docs}
    units = {d.id: _units(d) for d in docs if d.cascade >= 0} | {d.upstream.id: _units(d.upstream) for d in docs if d.upstream}

    def when(d: Doc):
        return None if d.bad_date or not d.date else moment(d.date)

    def descends(x: Doc, d: Doc) -> bool:
        while x.parent in by_id:
            x = by_id[x.parent]
            if x is d:
                return True
        return False

    verdicts = {}
    for c in docs:
        if c.cascade < 0 or c.parent is None:
            continue
        p = c.upstream if c.parent == "UPSTREAM" else by_id[c.parent]
        group = members[c.cascade]
        cut = set().union(*(m.cut for m in group))
        mine, parent = units[c.id], units[p.id]
        credits = set(c.extra_lines) - set(p.extra_lines)
        parent_tail = _tail(c, p)

        def holds(x: Doc, y: set[str], cut: set[str] = cut) -> bool:  # x holds all of y (sentences lost to cuts aside)
            return not (y - units[x.id] - cut)

        verdict = "decidable"
        if c.parent != "UPSTREAM" and holds(c, parent) and precedes(when(p), when(c)) < 0.9 and not any(p.site in line for line in credits):
            verdict = "direction"  # c holds all of p's text: p may as well be the copy
        for x in group:
            if x is c or x is p or verdict != "decidable" or precedes(when(c), when(x)) >= 0.9:
                continue
            if descends(x, c):
                if holds(x, mine):
                    verdict = "direction"
                continue
            other = units[x.id]
            tail = parent_tail | _tail(c, x)
            # For a wire story, only text a third member carries (or c shares with x) is seen.
            third = set().union(*(units[m.id] for m in group if m is not c and m is not x))
            for_p = for_x = 0
            for u in parent ^ other:
                if u not in mine and u in tail:
                    continue
                if c.parent == "UPSTREAM" and u not in third and not (u in mine and u in other):
                    continue  # the story is not in the corpus: only text another member carries shows it
                if (u in mine) == (u in parent):
                    for_p += 1
                else:
                    for_x += 1
            for_p += any(p.site in line for line in credits)
            for_x += any(x.site in line for line in credits)
            if for_p <= for_x:
                verdict = "tie" if for_p == for_x else "misleading"
        others_held = all(holds(c, units[x.id]) and precedes(when(x), when(c)) < 0.9 for x in group if x is not c)
        if c.parent == "UPSTREAM" and verdict == "decidable" and others_held:
            verdict = "direction"  # c holds every other carrier's text: it may be the origin
        verdicts[c.id] = verdict
    return verdicts


def evaluate(docs: list[Doc], workspace) -> dict:
    ws = copytrace.Workspace(workspace)
    by_id = {d.id: d for d in docs}

    def ancestors(doc_id: str) -> list[str]:
        out, d = [], by_id[doc_id]
        while d.parent and d.parent in by_id:
            out.append(d.parent)
            d = by_id[d.parent]
        return out

    trusted = {d.id for d in docs if d.date and not d.bad_date}
    rows = ws.table("pairs", columns=["a_id", "b_id", "direction", "direction_evidence"]).to_pylist()
    tally: dict[str, Counter] = defaultdict(Counter)
    by_evidence: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        a, b = by_id.get(r["a_id"]), by_id.get(r["b_id"])
        if a is None or b is None or a.cascade < 0 or a.cascade != b.cascade:
            tally["outside_cascades"][r["direction"]] += 1
            continue
        if a.id in ancestors(b.id):
            truth = "a_to_b"
        elif b.id in ancestors(a.id):
            truth = "b_to_a"
        else:
            truth = "common_source"
        if truth == "common_source":
            tally["siblings"]["called_common_source" if r["direction"] == "common_source" else r["direction"]] += 1
            continue
        group = "dated" if a.id in trusted and b.id in trusted else "undated"
        if r["direction"] == "unknown":
            tally[group]["unknown"] += 1
        else:
            ok = r["direction"] == truth
            tally[group]["right" if ok else "wrong"] += 1
            by_evidence[r["direction_evidence"]]["right" if ok else "wrong"] += 1

    parents = {e["child"]: e for e in ws.table("edges").to_pylist()}
    roots = set(ws.table("cascades", columns=["root"]).column("root").to_pylist())
    parent_tally: dict[str, Counter] = defaultdict(Counter)
    verdicts = decidable(docs)
    for d in docs:
        if d.cascade < 0:
            continue
        found = parents.get(d.id)
        shape = SHAPES[d.cascade % len(SHAPES)]
        if d.parent is None:
            parent_tally["origins"]["right" if d.id in roots else "wrong"] += 1
            continue
        if d.parent == "UPSTREAM":
            ok = found is not None and found["inferred_parent"]
        else:
            ok = found is not None and found["parent"] == d.parent
        depth = len(ancestors(d.id))
        parent_tally["all copies"]["right" if ok else "wrong"] += 1
        sure = found is not None and found["evidence"] != "undetermined" and min(found["confidence"], found["parent_confidence"]) >= 0.6
        parent_tally["copies whose parent is reported as sure"]["right" if ok else "wrong"] += int(sure)
        parent_tally["copies whose parent is reported as sure"]["reported_unsure"] += int(not sure)
        parent_tally[f"shape {shape}"]["right" if ok else "wrong"] += 1
        parent_tally["copies whose parent the evidence decides" if verdicts[d.id] == "decidable" else f"copies whose parent is not decidable ({verdicts[d.id]})"]["right" if ok else "wrong"] += 1
        if depth >= 2:
            parent_tally["copies of copies"]["right" if ok else "wrong"] += 1

    def share(c: Counter, key: str = "right", of: tuple[str, ...] = ("right", "wrong")) -> float | None:
        total = sum(c[k] for k in of)
        return round(c[key] / total, 4) if total else None

    flags = Counter(f for fl in ws.table("documents", columns=["flags"]).column("flags").to_pylist() for f in fl)
    return {
        "direction": {
            group: {
                "accuracy": share(tally[group]),
                "unknown_share": share(tally[group], "unknown", ("right", "wrong", "unknown")),
                **tally[group],
            }
            for group in ("dated", "undated")
        },
        "siblings": {"common_source_share": share(tally["siblings"], "called_common_source", tuple(tally["siblings"])), **tally["siblings"]},
        "by_evidence": {k: {"accuracy": share(v), **v} for k, v in sorted(by_evidence.items())},
        "parents": {k: {"accuracy": share(v), **v} for k, v in sorted(parent_tally.items())},
        "pairs_outside_cascades": dict(tally["outside_cascades"]),
        "date_flags": {k: v for k, v in flags.items() if "date" in k or "timestamp" in k},
        "bad_dates_planted": sum(d.bad_date for d in docs),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cascades", type=int, default=160)
    parser.add_argument("--undated", type=float, default=0.3)
    parser.add_argument("--distractors", type=int, default=400)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    docs = build(load_reuters(), args.cascades, args.undated, args.seed, args.distractors)
    corpus = WORK / f"chains-{args.seed}.jsonl"
    write_jsonl(_records(docs), corpus)
    workspace = WORK / f"chains-{args.seed}-ws"
    started = time.perf_counter()
    summary = copytrace.scan([corpus], workspace, Settings())
    seconds = time.perf_counter() - started
    result = {
        "benchmark": "chains",
        "command": f"python -m benchmarks.chains --cascades {args.cascades} --undated {args.undated} --seed {args.seed}",
        "documents": len(docs),
        "planted_documents": sum(d.cascade >= 0 for d in docs),
        "cascades_planted": args.cascades,
        "shapes": dict(Counter(SHAPES[c % len(SHAPES)] for c in range(args.cascades))),
        "scan_seconds": round(seconds, 2),
        "scan": {"cascades": summary.provenance.get("cascades"), "inferred_upstream": summary.provenance.get("inferred_upstream")},
        **evaluate(docs, workspace),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "chains.json" if args.seed == 5 else f"chains-seed{args.seed}.json"
    (RESULTS / name).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
