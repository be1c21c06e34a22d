"""Language identification: accuracy on real news in 12 languages, and speed, against py3langid.

    python -m benchmarks.languages

Texts: both sides of every SemEval-2022 Task 8 training pair (news articles in en, de, es, tr, zh,
pl, it, fr, ar, ru, with the language each pair was collected in) and both sides of every
professionally translated article of ``parallel-news`` (en, de, ru, zh, cs, is, fr), from
``../shared/data``: whole (copytrace reads the first ``PREFIX_CHARS``, py3langid all of it), and
cut to its first 200 and 60 characters (a paragraph, a headline). For each: the share of texts
whose language copytrace gives
(:func:`copytrace.ingest.languages.detect_languages`), the share py3langid's own ``classify``
gives over all its languages, how often the two agree once py3langid is restricted to the
languages copytrace keeps, and texts per second for each (one thread, same process).
Writes ``benchmarks/results/languages.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections import Counter

from .accuracy import RESULTS
from .reuters import SHARED_DATA, require

SEMEVAL = SHARED_DATA / "semeval2022" / "train_all.csv"
PARALLEL = SHARED_DATA / "parallel-news"


def labelled_texts() -> list[tuple[str, str]]:
    """(language, text) of every article of the two collections."""
    require(SEMEVAL), require(PARALLEL)
    csv.field_size_limit(1 << 30)
    texts = []
    with SEMEVAL.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            texts += [(row["lang1"], row["text1"]), (row["lang2"], row["text2"])]
    for path in sorted(PARALLEL.glob("*.jsonl")):
        for line in path.open(encoding="utf-8"):
            record = json.loads(line)
            texts += [(record["src_lang"], record["src_text"]), (record["tgt_lang"], record["tgt_text"])]
    return [(lang, text.strip()) for lang, text in texts if text.strip()]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=RESULTS / "languages.json")
    args = parser.parse_args(argv)
    from py3langid.langid import _load_identifier

    from copytrace.ingest.languages import FOLDED, NO_LANGUAGE, PREFIX_CHARS, UNDETERMINED, detect_languages, language_model

    result_prefix = PREFIX_CHARS

    texts = labelled_texts()
    started = time.perf_counter()
    language_model()
    detect_languages(["warm the kernel up with a sentence of plain English text"])
    load_seconds = time.perf_counter() - started
    full = _load_identifier(norm_probs=True)
    restricted = _load_identifier(norm_probs=True)
    kept = sorted({c for c in full.nb_classes if len(c) == 2 or c in FOLDED or c == NO_LANGUAGE})
    restricted.set_languages(kept)
    result: dict = {
        "texts": len(texts),
        "languages": dict(Counter(lang for lang, _ in texts).most_common()),
        "model_load_seconds": round(load_seconds, 3),
        "prefix_chars": result_prefix,
        "lengths": {},
    }
    for name, limit in (("article", None), ("paragraph", 200), ("headline", 60)):
        cut = [(lang, text[:limit]) for lang, text in texts]
        started = time.perf_counter()
        ours = detect_languages([t for _, t in cut])
        ours_seconds = time.perf_counter() - started
        started = time.perf_counter()
        theirs = [full.classify(t)[0] for _, t in cut]
        theirs_seconds = time.perf_counter() - started
        same_model = [restricted.classify(t)[0] for _, t in cut]
        same_model = [UNDETERMINED if c == NO_LANGUAGE else FOLDED.get(c, c) for c in same_model]
        decided = [(o, s) for o, s in zip(ours, same_model) if o != UNDETERMINED]
        wrong = Counter((lang, o) for (lang, _), o in zip(cut, ours) if o != lang)
        result["lengths"][name] = {
            "chars_per_text": limit or "all (copytrace reads the first PREFIX_CHARS)",
            "copytrace_accuracy": round(sum(o == lang for (lang, _), o in zip(cut, ours)) / len(cut), 4),
            "copytrace_undetermined": sum(o == UNDETERMINED for o in ours),
            "copytrace_precision_when_determined": round(
                sum(o == lang for (lang, _), o in zip(cut, ours) if o != UNDETERMINED) / max(sum(o != UNDETERMINED for o in ours), 1), 4
            ),
            "py3langid_accuracy": round(sum(t == lang for (lang, _), t in zip(cut, theirs)) / len(cut), 4),
            "agreement_with_py3langid_same_languages": round(sum(o == s for o, s in decided) / max(len(decided), 1), 4),
            "copytrace_texts_per_second": round(len(cut) / ours_seconds),
            "py3langid_texts_per_second": round(len(cut) / theirs_seconds),
            "copytrace_errors": [f"{lang}→{o}: {n}" for (lang, o), n in wrong.most_common(8)],
        }
        row = result["lengths"][name]
        print(
            f"{name:9s} accuracy {row['copytrace_accuracy']:.4f} (py3langid {row['py3langid_accuracy']:.4f}), "
            f"und {row['copytrace_undetermined']}, precision {row['copytrace_precision_when_determined']:.4f}, "
            f"agreement {row['agreement_with_py3langid_same_languages']:.4f}, "
            f"{row['copytrace_texts_per_second']:,} texts/s vs {row['py3langid_texts_per_second']:,}; errors {', '.join(row['copytrace_errors'][:4])}"
        )
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=1)
    return result


if __name__ == "__main__":
    main()
