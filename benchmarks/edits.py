"""Labelled edits and credit on planted copies of real Reuters articles, every edit recorded.

    python -m benchmarks.edits [--copies 480] [--seed 11]

Each copy takes one source article and makes three edits of different kinds in three different
paragraphs (a sentence removed or added, a paragraph removed or added, a quotation cut or changed,
words, a number or a name changed), may move a late paragraph to the top (a third of the copies)
and change the headline (a fifth), and always ends with its site's footer. Every edit is recorded
with its kind and its character ranges in the source and in the copy. Credit: a third of the
sources open with Reuters' own credit line ``(Reuters) -``; copies keep it (credited), drop it
(credit_removed), add one of their own (``Source: Reuters``, credited), or have none (uncredited).

A true edit is found when copytrace reports one of the same kind, for the same pair, whose range
overlaps the true one on the side where the change has text (a point for missing text counts as
overlapping when within two characters); a reported edit is right when it matches some true edit.
Precision and recall per kind; credit accuracy over the pairs. Writes ``benchmarks/results/edits.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

import copytrace

from .accuracy import RESULTS, WORK, write_jsonl
from .planted import COPY_SITES, SYNONYMS, independent
from .reuters import Article, load_reuters, modern

IN_TEXT = (
    "sentence_removed", "sentence_added", "paragraph_removed", "paragraph_added", "quote_removed", "quote_changed",
    "words_changed", "number_changed", "name_changed",
)
SCORED = (*IN_TEXT, "moved", "headline_changed", "boilerplate_added")
REMOVED = {"sentence_added": "sentence_removed", "paragraph_added": "paragraph_removed", "boilerplate_added": "boilerplate_removed"}

_SENTENCE_END = re.compile(r"(?<=[a-z0-9][.!?]) (?=[A-Z])")
_QUOTE = re.compile(r'"[^"]{12,}?"')
_PLAIN_WORD = re.compile(r"(?<= )[a-z]{4,}(?=[ ,.])")
_NUMBER = re.compile(r"(?<= )\d[\d,.]*\d(?= )|(?<= )\d(?= )")
_NAME = re.compile(r"(?<=[a-z,] )[A-Z][a-z]{3,}(?= [a-z])")
NAMES = ["Halvorsen", "Okonkwo", "Brightwater", "Castellan", "Marchetti", "Yoshida", "Pemberton", "Ravensworth"]


@dataclass
class TrueEdit:
    kind: str
    source: str
    copy: str
    a: tuple[int, int] | None
    b: tuple[int, int] | None


class _Piece:
    """A stretch of the copy's text, tagged with the edit whose copy-side range it is."""

    def __init__(self, text: str, tag: int | None = None):
        self.text, self.tag = text, tag


def _sentences(paragraph: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for m in _SENTENCE_END.finditer(paragraph):
        bounds.append((start, m.start()))
        start = m.end()
    bounds.append((start, len(paragraph)))
    return bounds


def make_copy(source: Article, other: Article, copy_id: str, rng: random.Random, vocabulary: list[str], credit: str):
    """A copy of ``source`` with recorded edits; returns its text, title and the true edits (with
    copy ranges still to be resolved from the pieces' tags)."""
    paragraphs = list(source.paragraphs)
    offsets, at = [], len(source.title) + 2
    for p in paragraphs:
        offsets.append(at)
        at += len(p) + 2
    edits: list[TrueEdit] = []
    pieces: list[list[_Piece]] = [[_Piece(p)] for p in paragraphs]

    def record(kind: str, a: tuple[int, int] | None) -> int:
        edits.append(TrueEdit(kind, source.id, copy_id, a, None))
        return len(edits) - 1

    kinds = rng.sample(IN_TEXT, len(IN_TEXT))
    used: set[int] = {0}
    inserted: dict[int, list[_Piece]] = {}  # paragraphs added before paragraph i
    made = 0
    for kind in kinds:
        if made == 3:
            break
        free = [i for i in range(1, len(paragraphs) - 1) if i not in used]
        rng.shuffle(free)
        for i in free:
            p, base = paragraphs[i], offsets[i]
            done = _edit(kind, p, base, i, pieces, inserted, other, rng, vocabulary, record)
            if done:
                used.add(i)
                made += 1
                break
    order = list(range(len(paragraphs)))
    if rng.random() < 1 / 3 and len(paragraphs) >= 4:
        late = [i for i in range(2, len(paragraphs)) if i not in used]
        if late:
            i = rng.choice(late)
            order.remove(i)
            order.insert(0, i)
            tag = record("moved", (offsets[i], offsets[i] + len(paragraphs[i])))
            pieces[i] = [_Piece(paragraphs[i], tag)]
    title = source.title
    title_piece = _Piece(title)
    if rng.random() < 1 / 5:
        title = source.title.title().replace(" ", " New ", 1) if " " in source.title else source.title + " Update"
        title_piece = _Piece(title, record("headline_changed", (0, len(source.title))))
    # assemble: title, paragraphs (with additions), credit, footer
    out: list[_Piece] = [title_piece, _Piece("\n\n")]
    first = True
    for i in order:
        for added in [inserted.get(i)] if inserted.get(i) else []:
            out += ([] if first else [_Piece("\n\n")]) + added
            first = False
        if pieces[i] == []:
            continue
        if credit == "credit_removed" and i == 0:  # the credit line goes: a words change of its own
            pieces[i][0].text = pieces[i][0].text.removeprefix("(Reuters) - ")
            pieces[i].insert(0, _Piece("", record("words_changed", (offsets[0], offsets[0] + len("(Reuters) -")))))
        out += ([] if first else [_Piece("\n\n")]) + pieces[i]
        first = False
    if credit == "credited_added":
        out.append(_Piece("\n\nSource: Reuters"))
    site = copy_id.split("/")[0]
    footer = COPY_SITES[site]
    out.append(_Piece("\n\n"))
    out.append(_Piece(footer, record("boilerplate_added", None)))
    text, pos = "", 0
    for piece in out:
        if piece.tag is not None:
            edits[piece.tag].b = (pos, pos + len(piece.text))
        text += piece.text
        pos += len(piece.text)
    for e in edits:  # removals leave a point: where the text would stand
        if e.b is None:
            e.b = (0, 0)
    return text, title, edits


def _edit(kind, p, base, i, pieces, inserted, other, rng, vocabulary, record) -> bool:
    """Apply one edit of ``kind`` to paragraph ``i`` (text ``p`` at ``base`` in the source)."""
    sentences = _sentences(p)
    quotes = list(_QUOTE.finditer(p))

    def replace(start: int, end: int, new: str, kind: str) -> None:
        tag = record(kind, (base + start, base + end))
        pieces[i] = [_Piece(p[:start]), _Piece(new, tag), _Piece(p[end:])]

    if kind == "sentence_removed":
        later = [s for s in sentences[1:] if '"' not in p[s[0] : s[1]]]  # the paragraph keeps its first
        if not later:
            return False
        s0, s1 = rng.choice(later)
        tag = record(kind, (base + s0, base + s1))
        pieces[i] = [_Piece(p[:s0].rstrip(" ") if s1 == len(p) else p[:s0]), _Piece("", tag), _Piece(p[s1 + 1 :])]
        return True
    if kind == "sentence_added":
        if len(sentences) < 2:
            return False
        extra = [s for para in other.paragraphs for s in (para[a:b] for a, b in _sentences(para)) if 8 <= len(s.split()) <= 30 and '"' not in s]
        if not extra:
            return False
        s0, s1 = sentences[0]
        tag = record(kind, None)
        pieces[i] = [_Piece(p[: s1 + 1]), _Piece(rng.choice(extra), tag), _Piece(" " + p[s1 + 1 :])]
        return True
    if kind == "paragraph_removed":
        if '"' in p:
            return False
        record(kind, (base, base + len(p)))
        pieces[i] = []
        return True
    if kind == "paragraph_added":
        extra = [q for q in other.paragraphs if 15 <= len(q.split()) <= 80]
        if not extra:
            return False
        inserted[i] = [_Piece(rng.choice(extra), record(kind, None))]
        return True
    if kind == "quote_removed":
        if not quotes:
            return False
        m = quotes[0]
        end = m.end() + (1 if p[m.end() : m.end() + 1] == "," else 0)
        end += 1 if p[end : end + 1] == " " else 0
        tag = record(kind, (base + m.start(), base + m.end()))
        pieces[i] = [_Piece(p[: m.start()]), _Piece("", tag), _Piece(p[end:])]
        return True
    if kind == "quote_changed":
        inside = [w for q in quotes for w in _PLAIN_WORD.finditer(p, q.start(), q.end())]
        if not inside:
            return False
        w = rng.choice(inside)
        replace(w.start(), w.end(), SYNONYMS.get(w.group(), rng.choice(vocabulary)), kind)
        return True
    if kind in SUBSTITUTIONS:  # one word outside quotations replaced
        pattern, new_word = SUBSTITUTIONS[kind]
        found = [m for m in pattern.finditer(p) if not any(q.start() <= m.start() < q.end() for q in quotes)]
        if not found:
            return False
        m = rng.choice(found)
        replace(m.start(), m.end(), new_word(m.group(), rng, vocabulary), kind)
        return True
    raise ValueError(kind)


def _other_number(old: str, rng: random.Random) -> str:
    new = str(rng.randint(2, 97))
    return new if new != old else "101"


#: Word substitutions: what a word to replace looks like, and what replaces it.
SUBSTITUTIONS = {
    "words_changed": (_PLAIN_WORD, lambda old, rng, vocabulary: SYNONYMS.get(old, rng.choice(vocabulary))),
    "number_changed": (_NUMBER, lambda old, rng, vocabulary: _other_number(old, rng)),
    "name_changed": (_NAME, lambda old, rng, vocabulary: rng.choice([n for n in NAMES if n != old])),
}


def build(articles: list[Article], copies: int, seed: int):
    rng = random.Random(seed)
    pool = [a for a in independent(articles) if 4 <= len(a.paragraphs) and 1200 <= len(a.text) <= 6000 and "reuter" not in a.text.lower()]
    rng.shuffle(pool)
    vocabulary = sorted({w for a in pool[:300] for w in re.findall(r"\b[a-z]{5,}\b", a.text)})
    sources, others = pool[:copies], pool[copies : 2 * copies]
    documents, truth, credit_truth = [], [], {}
    sites = sorted(COPY_SITES)
    for n, (source, other) in enumerate(zip(sources, others)):
        credit = ("credited_kept", "credit_removed", "credited_added", "uncredited")[n % 4]
        if credit in ("credited_kept", "credit_removed"):
            source = Article(source.id, source.title, source.date, ("(Reuters) - " + source.paragraphs[0], *source.paragraphs[1:]))
        copy_id = f"{sites[n % len(sites)]}/{n:03d}"
        text, title, edits = make_copy(source, other, copy_id, rng, vocabulary, credit)
        documents.append({"id": source.id, "site": "reuters.com", "title": source.title, "date": modern(source.date), "text": source.text})
        documents.append({"id": copy_id, "site": copy_id.split("/")[0], "title": title, "date": _later(modern(source.date)), "text": text})
        truth += edits
        credit_truth[(source.id, copy_id)] = "credited" if credit.startswith("credited") else credit
    return documents, truth, credit_truth


def _later(date: str | None) -> str | None:
    return None if date is None else str(int(date[:4]) + 1) + date[4:]


def evaluate(workspace, truth: list[TrueEdit], credit_truth: dict) -> dict:
    ws = copytrace.Workspace(workspace)
    copy_of = {c: s for s, c in credit_truth}
    found: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for e in ws.table("edits").to_pylist():
        if copy_of.get(e["b_id"]) == e["a_id"]:
            found[(e["a_id"], e["b_id"])].append(e)
        elif copy_of.get(e["a_id"]) == e["b_id"]:  # seen from the copy: turn it round
            kind = {v: k for k, v in REMOVED.items()}.get(e["kind"]) or REMOVED.get(e["kind"]) or e["kind"]
            found[(e["b_id"], e["a_id"])].append(
                {**e, "kind": kind, "a_start": e["b_start"], "a_end": e["b_end"], "b_start": e["a_start"], "b_end": e["a_end"]}
            )
    # a true edit is found when some reported edit matches it; a reported edit is right when it
    # matches some true edit
    matched_pred: set[int] = set()
    hits: Counter = Counter()
    totals: Counter = Counter()
    for t in truth:
        totals[t.kind] += 1
        matching = [e for e in found.get((t.source, t.copy), []) if e["kind"] == t.kind and _overlaps(t, e)]
        hits[t.kind] += bool(matching)
        matched_pred.update(id(e) for e in matching)
    predicted: Counter = Counter()
    correct: Counter = Counter()
    for edits in found.values():
        for e in edits:
            predicted[e["kind"]] += 1
            correct[e["kind"]] += id(e) in matched_pred
    per_kind = {
        k: {
            "true": totals[k], "found": hits[k], "reported": predicted[k],
            "precision": correct[k] / predicted[k] if predicted[k] else None, "recall": hits[k] / totals[k] if totals[k] else None,
        }
        for k in SCORED
    }
    others = {k: v for k, v in predicted.items() if k not in SCORED}
    pairs = {(p["a_id"], p["b_id"]): p for p in ws.table("pairs").to_pylist()}
    right = 0
    confusion: Counter = Counter()
    for (s, c), expected in credit_truth.items():
        p = pairs.get((s, c)) or pairs.get((c, s))
        got = p["credit"] if p else "no pair"
        confusion[(expected, got)] += 1
        right += got == expected
    return {
        "per_kind": per_kind,
        "other_kinds_reported": others,
        "credit_accuracy": right / len(credit_truth),
        "credit_confusion": {f"{e} -> {g}": n for (e, g), n in sorted(confusion.items())},
        "pairs_found": sum(1 for k in credit_truth if k in pairs or k[::-1] in pairs),
        "pairs": len(credit_truth),
    }


def _overlaps(t: TrueEdit, e: dict) -> bool:
    """The reported edit covers the true one where the change has text (points: within 2 chars)."""
    def close(true, lo, hi):
        if true is None or lo is None:
            return False
        t0, t1 = true
        if t1 > t0 and hi > lo:
            return lo < t1 and t0 < hi
        return lo - 2 <= t1 and t0 <= hi + 2
    if t.kind in ("sentence_added", "paragraph_added", "boilerplate_added"):
        return close(t.b, e["b_start"], e["b_end"])
    if t.kind in ("sentence_removed", "paragraph_removed", "quote_removed"):
        return close(t.a, e["a_start"], e["a_end"])
    return close(t.a, e["a_start"], e["a_end"]) or close(t.b, e["b_start"], e["b_end"])


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=480)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", default=str(RESULTS / "edits.json"))
    args = parser.parse_args(argv)
    documents, truth, credit_truth = build(load_reuters(), args.copies, args.seed)
    corpus = WORK / "edits.jsonl"
    write_jsonl(documents, corpus)
    started = time.perf_counter()
    copytrace.scan([corpus], WORK / "edits-workspace", copytrace.Settings())
    result = {"copies": args.copies, "true_edits": len(truth), "scan_seconds": round(time.perf_counter() - started, 2), **evaluate(WORK / "edits-workspace", truth, credit_truth)}
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=2)
    for kind, r in result["per_kind"].items():
        p = f"{r['precision']:.3f}" if r["precision"] is not None else "  -  "
        print(f"{kind:18} P {p}  R {r['recall']:.3f}  ({r['found']}/{r['true']} found, {r['reported']} reported)")
    print("other kinds reported:", result["other_kinds_reported"])
    print(f"credit accuracy {result['credit_accuracy']:.3f}  {result['credit_confusion']}")
    print(f"pairs found {result['pairs_found']}/{result['pairs']}")
    return result


if __name__ == "__main__":
    main()
