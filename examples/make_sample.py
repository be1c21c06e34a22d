"""Regenerate the bundled sample corpus from Reuters-21578 (needs ../shared/data).

    python -m examples.make_sample

Writes ``examples/sample.jsonl`` (real Reuters articles, copies of some made the way copy sites
make them, one paragraph lifted into an unrelated article; see benchmarks/planted.py),
``examples/sample-truth.json`` (which copy came from which article, and how), the two files of
``examples/pair/`` used by ``make demo``'s compare, and ``examples/cascades.jsonl`` with
``examples/cascades-truth.json``: twelve planted copy trees (stars, chains, trees, wire stories
with no source in the corpus; see benchmarks/chains.py) among unrelated articles, each document's
true parent recorded.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import chains
from benchmarks.accuracy import write_jsonl
from benchmarks.planted import build, independent
from benchmarks.reuters import load_reuters

HERE = Path(__file__).resolve().parent


def main() -> None:
    articles = load_reuters()
    planted = build(articles, per_kind=2, distractors=120, seed=11, pool=independent(articles))
    write_jsonl(planted.documents, HERE / "sample.jsonl")
    truth = {
        "copies": [{"copy": c, "source": planted.copy_source[c], "kind": k} for c, k in sorted(planted.copy_kind.items())],
        "cases": planted.cases_as_dicts(),
    }
    (HERE / "sample-truth.json").write_text(json.dumps(truth, indent=1))
    docs = {d["id"]: d for d in planted.documents}
    mixed = next(c for c, k in sorted(planted.copy_kind.items()) if k == "mixed")
    (HERE / "pair").mkdir(exist_ok=True)
    (HERE / "pair" / "reuters-original.txt").write_text(docs[planted.copy_source[mixed]]["text"] + "\n")
    (HERE / "pair" / "copy-site.txt").write_text(docs[mixed]["text"] + "\n")
    print(f"{len(planted.documents)} documents, {len(planted.copy_kind)} copies")

    docs = chains.build(articles, cascades=12, undated=0.2, seed=21, distractors=48)
    write_jsonl(chains._records(docs), HERE / "cascades.jsonl")
    truth = {
        d.id: {"parent": d.parent, "cascade": d.cascade, "shape": chains.SHAPES[d.cascade % len(chains.SHAPES)], "bad_date": d.bad_date}
        for d in sorted(docs, key=lambda d: d.id) if d.cascade >= 0
    }
    (HERE / "cascades-truth.json").write_text(json.dumps(truth, indent=1))
    print(f"{len(docs)} documents, {len(truth)} in 12 cascades")


if __name__ == "__main__":
    main()
