"""Translated copies, pair by pair: professionally translated news through ``copytrace compare``.

    python -m benchmarks.translations [--docs N]

Every document of ``parallel-news`` (``../shared/data``: WMT news test sets, one article and its
human translation per line, with the translators' sentence alignment) is compared with its
translation (a translated copy: must be ``copy``), with the first half of its translation's
sentences (a copy in part: ``partial`` or ``copy``) and with the translations of three other
articles of the same file (distractors from the same test set and period: must be ``none``).
Per language pair: document-pair recall and precision, and sentence-alignment precision, recall
and F1 against the translators' alignment (a predicted sentence pair is right when the two
sentences lie in the two halves of one aligned segment). Language pairs the sentence encoder
does not read (Czech, Icelandic) are reported as such: copytrace claims nothing there.
Writes ``benchmarks/results/translations.json``.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from .accuracy import RESULTS
from .reuters import SHARED_DATA, require

PARALLEL = SHARED_DATA / "parallel-news"


def segment_spans(text: str, segments: list[str]) -> list[tuple[int, int]]:
    """Where each segment of the translators' alignment lies in the text (in order)."""
    spans, at = [], 0
    for segment in segments:
        found = text.find(segment.strip(), at)
        spans.append((found, found + len(segment.strip())) if found >= 0 else (-1, -1))
        if found >= 0:
            at = found + len(segment.strip())
    return spans


def _segment_of(spans: list[tuple[int, int]], start: int, end: int) -> int:
    """The segment holding most of ``[start, end)``, or -1."""
    best, most = -1, 0
    for i, (s, e) in enumerate(spans):
        overlap = min(e, end) - max(s, start)
        if overlap > most:
            best, most = i, overlap
    return best


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=0, help="documents per file (0: all)")
    parser.add_argument("--out", default=RESULTS / "translations.json")
    args = parser.parse_args(argv)
    import copytrace
    from copytrace.ingest.records import Document
    from copytrace.match.meaning import ENCODER_LANGUAGES, align_sentences, document_vectors
    from copytrace.settings import Settings

    settings = Settings()
    result: dict = {
        "settings": {name: getattr(settings, name) for name in ("meaning_similarity", "meaning_lone_similarity", "meaning_min_sentences")},
        "pairs": {},
    }
    for path in sorted(require(PARALLEL).glob("*.jsonl")):
        rows = [json.loads(line) for line in path.open(encoding="utf-8")]
        rows = rows[: args.docs] if args.docs else rows
        src_lang, tgt_lang = rows[0]["src_lang"], rows[0]["tgt_lang"]
        started = time.perf_counter()
        verdicts = {"whole": [], "half": [], "distractor": []}
        right = predicted = gold = found = 0
        for k, row in enumerate(rows):
            src = Document(f"{k}-src", row["src_text"], path.name)
            tgt = Document(f"{k}-tgt", row["tgt_text"], path.name)
            verdicts["whole"].append(copytrace.compare_documents(src, tgt, settings).verdict)
            half_segments = [t for _, t in row["sentences"][: max(1, len(row["sentences"]) // 2)]]
            half = Document(f"{k}-half", "\n".join(half_segments), path.name)
            verdicts["half"].append(copytrace.compare_documents(Document(src.doc_id, src.text, src.source), half, settings).verdict)
            for other in (1, 2, 3):
                far = rows[(k + other) % len(rows)]
                if far is row:
                    continue
                verdicts["distractor"].append(
                    copytrace.compare_documents(Document(src.doc_id, src.text, src.source), Document("x", far["tgt_text"], path.name), settings).verdict
                )
            # Sentence alignment against the translators'.
            a_spans = segment_spans(row["src_text"], [s for s, _ in row["sentences"]])
            b_spans = segment_spans(row["tgt_text"], [t for _, t in row["sentences"]])
            gold += sum(1 for (s, _), (t, _) in zip(a_spans, b_spans) if s >= 0 and t >= 0)
            if src_lang in ENCODER_LANGUAGES and tgt_lang in ENCODER_LANGUAGES:
                sa, va = document_vectors(row["src_text"])
                sb, vb = document_vectors(row["tgt_text"])
                aligned = align_sentences(sa, va, sb, vb, settings.meaning_similarity, lone_similarity=settings.meaning_lone_similarity)
                hits = set()
                for (s1, e1), (s2, e2) in zip(aligned.a_sentences, aligned.b_sentences):
                    predicted += 1
                    i, j = _segment_of(a_spans, s1, e1), _segment_of(b_spans, s2, e2)
                    if i >= 0 and i == j:
                        right += 1
                        hits.add(i)
                found += len(hits)
        seconds = time.perf_counter() - started
        covered = src_lang in ENCODER_LANGUAGES and tgt_lang in ENCODER_LANGUAGES
        whole = np.array(verdicts["whole"])
        half = np.array(verdicts["half"])
        distract = np.array(verdicts["distractor"])
        tp = int((whole != "none").sum() + (half != "none").sum())
        fp = int((distract != "none").sum())
        precision = right / predicted if predicted else None
        recall = found / gold if gold else None
        row_out = {
            "documents": len(rows),
            "encoder_reads_both": covered,
            "whole_copy": round(float((whole == "copy").mean()), 4),
            "half_found": round(float((half != "none").mean()), 4),
            "distractors": len(distract),
            "distractors_claimed": fp,
            "pair_recall": round(tp / (len(whole) + len(half)), 4),
            "pair_precision": round(tp / (tp + fp), 4) if tp + fp else None,
            "sentence_precision": round(precision, 4) if precision is not None else None,
            "sentence_recall": round(recall, 4) if recall is not None and covered else None,
            "sentence_f1": round(2 * precision * recall / (precision + recall), 4) if precision and recall and covered else None,
            "seconds": round(seconds, 1),
        }
        result["pairs"][f"{src_lang}-{tgt_lang} ({path.name})"] = row_out
        print(
            f"{path.name:12s} {'reads' if covered else 'NOT READ'}  whole copy {row_out['whole_copy']:.3f}  half found {row_out['half_found']:.3f}  "
            f"pair P {row_out['pair_precision']}  R {row_out['pair_recall']:.3f}  sentence P {row_out['sentence_precision']}  R {row_out['sentence_recall']}  "
            f"F1 {row_out['sentence_f1']}  ({seconds:.0f} s)",
            flush=True,
        )
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=1)
    return result


if __name__ == "__main__":
    main()
