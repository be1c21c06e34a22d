"""Translated copies, pair by pair: professionally translated news through ``copytrace compare``.

    python -m benchmarks.translations [--docs N]
    python -m benchmarks.translations --scan      # the same translations found by scan --meaning in a corpus

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

``--scan``: one corpus of every article of the language pairs the encoder reads (each source on
one site, each translation on another, a day later) with the SemEval-2022 training articles as
distractors (other news, same period, 10 languages), scanned with ``--meaning``: how many of the
translation pairs are reported, how many reported pairs are not translations, and the time and
documents per second. Writes ``benchmarks/results/translations-scan.json``.

``--add``: that corpus less its last tenth scanned, then the tenth added, against a scan of it
all: the times, and whether the tables are equal. Writes ``benchmarks/results/translations-add.json``.
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


def scan_benchmark() -> dict:
    """Translated copies among other news, found by ``scan --meaning``."""
    import csv
    import resource

    import copytrace
    from copytrace.match.meaning import ENCODER_LANGUAGES
    from copytrace.settings import Settings

    from .accuracy import WORK

    records, truth = [], set()
    grades: dict[tuple[str, str], float] = {}
    story: dict[str, int] = {}  # a parallel-news document → its source article (several files translate one)
    sources: dict[str, int] = {}
    for path in sorted(require(PARALLEL).glob("*.jsonl")):
        for n, line in enumerate(path.open(encoding="utf-8")):
            row = json.loads(line)
            if row["src_lang"] not in ENCODER_LANGUAGES or row["tgt_lang"] not in ENCODER_LANGUAGES:
                continue
            src, tgt = f"{path.stem}-{n}-src", f"{path.stem}-{n}-tgt"
            story[src] = story[tgt] = sources.setdefault(row["src_text"].strip(), len(sources))
            records.append({"id": src, "text": row["src_text"], "site": f"source-{row['src_lang']}.example", "date": "2024-03-01T08:00:00Z"})
            records.append({"id": tgt, "text": row["tgt_text"], "site": f"copies-{row['tgt_lang']}.example", "date": "2024-03-02T08:00:00Z"})
            truth.add((src, tgt))
    csv.field_size_limit(1 << 30)
    with require(SHARED_DATA / "semeval2022" / "train_all.csv").open(newline="", encoding="utf-8") as fh:
        for n, row in enumerate(csv.DictReader(fh)):
            grades[(f"semeval-{n}-1", f"semeval-{n}-2")] = float(row["Overall"])
            for side in ("1", "2"):
                records.append({"id": f"semeval-{n}-{side}", "text": row[f"text{side}"], "site": f"semeval-{n}-{side}.example"})
    corpus = WORK / "translations-scan.jsonl"
    corpus.parent.mkdir(parents=True, exist_ok=True)
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    started = time.perf_counter()
    copytrace.scan([corpus], WORK / "translations-scan-ws", Settings(meaning=True))
    seconds = time.perf_counter() - started
    ws = copytrace.open(WORK / "translations-scan-ws")
    pairs = ws.table("pairs").to_pylist()
    found = {tuple(sorted((p["a_id"], p["b_id"]))) for p in pairs}
    wanted = {tuple(sorted(t)) for t in truth}
    # Pairs with a parallel-news document: right when both are versions of one source article (the
    # same German article is translated in de→en and de→fr, the same English one in en→de, en→ru,
    # en→zh: those translations are copies of each other). Pairs among the SemEval articles are not
    # judged (the collection has duplicates and translations of its own).
    touching = {p for p in found if p[0] in story or p[1] in story}
    right = {p for p in touching if p[0] in story and p[1] in story and story[p[0]] == story[p[1]]}
    result = {
        "documents": len(records), "translation_pairs": len(truth), "distractor_documents": len(records) - 2 * len(truth),
        "found": len(found & wanted), "recall": round(len(found & wanted) / len(wanted), 4),
        "pairs_with_a_translated_article": len(touching), "of_them_one_source_article": len(right),
        "precision": round(len(right) / max(len(touching), 1), 4), "wrong_examples": sorted(touching - right)[:20],
        "pairs_among_distractors": len(found - touching),
        "seconds": round(seconds, 1), "documents_per_second": round(len(records) / seconds, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    result["stories"] = _stories(ws, truth, grades)
    print(json.dumps({k: v for k, v in result.items() if k != "wrong_examples"}))
    with open(RESULTS / "translations-scan.json", "w") as fh:
        json.dump(result, fh, indent=1)
    return result


def add_benchmark() -> dict:
    """``add`` of a workspace scanned with ``--meaning``: the corpus of ``--scan`` less its last
    tenth of lines scanned, the tenth added; against a scan of everything, in time and tables."""
    import copytrace
    from copytrace.settings import Settings

    from .accuracy import WORK

    corpus = WORK / "translations-scan.jsonl"
    if not corpus.exists():
        scan_benchmark()
    lines = corpus.read_bytes().splitlines(keepends=True)
    cut = len(lines) - len(lines) // 10
    old, new = WORK / "translations-old.jsonl", WORK / "translations-new.jsonl"
    old.write_bytes(b"".join(lines[:cut]))
    new.write_bytes(b"".join(lines[cut:]))
    settings = Settings(meaning=True)
    timings = {}
    for name, job in (
        ("scan of everything", lambda: copytrace.scan([old, new], WORK / "translations-whole-ws", settings)),
        ("scan of nine tenths", lambda: copytrace.scan([old], WORK / "translations-add-ws", settings)),
        ("add of the last tenth", lambda: copytrace.add(WORK / "translations-add-ws", [new], settings)),
    ):
        started = time.perf_counter()
        job()
        timings[name] = round(time.perf_counter() - started, 1)
    same = {}
    for table in ("pairs", "passages", "story_links", "edges", "cascades", "sites"):
        a, b = (copytrace.open(WORK / ws).table(table) for ws in ("translations-whole-ws", "translations-add-ws"))
        same[table] = a.equals(b)
    result = {"documents": len(lines), "added": len(lines) - cut, "seconds": timings, "tables_equal": same,
              "add_share_of_a_scan": round(timings["add of the last tenth"] / timings["scan of everything"], 3)}
    print(json.dumps(result))
    with open(RESULTS / "translations-add.json", "w") as fh:
        json.dump(result, fh, indent=1)
    return result


def _stories(ws, truth: set[tuple[str, str]], grades: dict[tuple[str, str], float]) -> dict:
    """How ``copytrace stories`` groups the corpus: translations with their sources, and the
    SemEval pairs by grade (those pairs fitted the story model: in-sample, a check on chaining)."""
    from copytrace.jobs.stories import workspace_stories

    story_of = {}
    stories = workspace_stories(ws)
    for story in stories:
        for article in story["articles"]:
            story_of[article["doc_id"]] = story["story"]

    def together(a: str, b: str) -> bool:
        return a in story_of and story_of.get(a) == story_of.get(b)

    by_grade: dict[str, list[int]] = {}
    for (a, b), grade in grades.items():
        cell = by_grade.setdefault("same story (grade <= 2)" if grade <= 2 else "other (grade > 2)" if grade < 3.5 else "unrelated (grade >= 3.5)", [0, 0])
        cell[0] += 1
        cell[1] += together(a, b)
    return {
        "stories": len(stories), "largest": max((len(s["articles"]) for s in stories), default=0),
        "translations_with_their_source": round(sum(together(a, b) for a, b in truth) / max(len(truth), 1), 4),
        "semeval_pairs_in_one_story": {k: {"pairs": n, "in_one_story": m, "share": round(m / max(n, 1), 3)} for k, (n, m) in by_grade.items()},
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=0, help="documents per file (0: all)")
    parser.add_argument("--scan", action="store_true", help="scan a corpus with --meaning instead")
    parser.add_argument("--add", action="store_true", help="scan nine tenths of that corpus, add the last tenth, against a scan of all")
    parser.add_argument("--out", default=RESULTS / "translations.json")
    args = parser.parse_args(argv)
    if args.scan:
        return scan_benchmark()
    if args.add:
        return add_benchmark()
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
