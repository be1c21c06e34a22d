"""Rewritten copies: short news texts reworded sentence by sentence, through ``copytrace compare``.

    python -m benchmarks.rewrites [--texts N] [--seed S]

Built from the Microsoft Research Paraphrase Corpus (``../shared/data/msrp``): sentence pairs from
news clusters, each judged by two people to be a paraphrase (1) or not (0). A text is 5 sentences;
four kinds of text pairs are made (N of each, or as many as the corpus gives), no sentence used
twice:

- **rewritten heavily**: 5 sentences and, in the same order, the paraphrase of each, no two
  sharing a run of 4 words (a copy reworded sentence by sentence, which word matching cannot
  see: must be reported, ``partial`` or ``copy``);
- **rewritten lightly**: the same with paraphrases that do share a run of 4 words;
- **same events**: 5 sentences and, in order, the sentence of the same news cluster that the
  judges said does *not* say the same, sharing no run of 4 words (other facts of the same events:
  must be ``none``). The judges' other "not the same" pairs are left out: most are one wire
  sentence with a clause added or cut, which is text reuse;
- **unrelated**: 5 sentences and 5 sentences of other pairs (must be ``none``).

Each kind is compared with the shipped defaults and with ``meaning`` on. Reuse-vs-none accuracy
counts a rewritten pair right when it is reported and the others when they are ``none``.
Writes ``benchmarks/results/rewrites.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import time

from .accuracy import RESULTS
from .reuters import SHARED_DATA, require

SENTENCES = 5
#: Paraphrases that share no run of this many words are heavy rewrites.
RUN = 4
_WORD = re.compile(r"\w+")


def load_pairs() -> dict[int, list[tuple[str, str]]]:
    """MSRP training pairs by judgement (1: paraphrase, 0: not)."""
    pairs: dict[int, list[tuple[str, str]]] = {0: [], 1: []}
    with require(SHARED_DATA / "msrp" / "msr_paraphrase_train.txt").open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) == 5 and row[0] in ("0", "1"):
                pairs[int(row[0])].append((row[3].strip(), row[4].strip()))
    return pairs


def share_a_run(a: str, b: str) -> bool:
    """Whether two sentences have a run of :data:`RUN` words in common (lower case)."""

    def runs(text: str) -> set[tuple[str, ...]]:
        words = [w.lower() for w in _WORD.findall(text)]
        return {tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}

    return bool(runs(a) & runs(b))


def text_pairs(pairs: dict[int, list[tuple[str, str]]], texts: int, seed: int) -> dict[str, list[tuple[str, str]]]:
    """Up to ``texts`` text pairs of each kind."""
    rng = random.Random(seed)
    positive, negative = pairs[1][:], pairs[0][:]
    rng.shuffle(positive)
    rng.shuffle(negative)
    heavy = [p for p in positive if not share_a_run(*p)]
    light = [p for p in positive if share_a_run(*p)]
    other = [p for p in negative if not share_a_run(*p)]

    def texts_of(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
        n = min(texts, len(rows) // SENTENCES)
        return [tuple(" ".join(row[side] for row in rows[k * SENTENCES : (k + 1) * SENTENCES]) for side in (0, 1)) for k in range(n)]

    unrelated = texts_of(light[-texts * SENTENCES :])  # sentences the light kind leaves unused, paired across texts
    unrelated = [(a, unrelated[(k + 1) % len(unrelated)][1]) for k, (a, _) in enumerate(unrelated)]
    return {"rewritten heavily": texts_of(heavy), "rewritten lightly": texts_of(light[: texts * SENTENCES]), "same events": texts_of(other), "unrelated": unrelated}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=140, help="text pairs of each kind")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    import copytrace
    from copytrace.settings import Settings

    kinds = text_pairs(load_pairs(), args.texts, args.seed)
    result: dict = {"text_pairs": {kind: len(rows) for kind, rows in kinds.items()}, "sentences_per_text": SENTENCES, "seed": args.seed, "runs": {}}
    for name, settings in (("defaults", Settings()), ("meaning", Settings(meaning=True))):
        started = time.perf_counter()
        run: dict = {"kinds": {}}
        right = total = 0
        for kind, rows in kinds.items():
            verdicts: dict[str, int] = {}
            for a, b in rows:
                comparison = copytrace.compare_texts(a, b, settings)
                verdicts[comparison.verdict] = verdicts.get(comparison.verdict, 0) + 1
                reported = comparison.verdict != "none"
                right += reported == kind.startswith("rewritten")
                total += 1
            run["kinds"][kind] = verdicts
        run["reuse_vs_none_accuracy"] = round(right / total, 4)
        run["seconds"] = round(time.perf_counter() - started, 1)
        result["runs"][name] = run
        print(f"{name:9s} accuracy {run['reuse_vs_none_accuracy']:.3f}  {json.dumps(run['kinds'])}  {run['seconds']} s")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "rewrites.json").write_text(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
