"""Alignment on real Reuters articles and copies made the way copy sites make them."""

import random

import numpy as np
import pytest

import copytrace
from benchmarks.planted import make_copy, make_lifted

VOCAB = ["market", "trade", "price", "growth", "report", "bank", "credit", "output"]


def copy_of(article, kind, seed=1):
    text, cases = make_copy(article, kind, f"copy-{kind}", "worldnewsdaily.net", random.Random(seed), VOCAB)
    return text, cases


def test_verbatim_copy_is_one_exact_passage(long_articles):
    article = long_articles[0]
    copy_text, cases = copy_of(article, "verbatim")
    result = copytrace.compare_texts(article.text, copy_text)
    assert result.verdict == "copy"
    main = max(result.passages, key=lambda p: p.a_end - p.a_start)
    assert (main.a_start, main.a_end) == (0, len(article.text))
    assert article.text[main.a_start : main.a_end].lower() == copy_text[main.b_start : main.b_end].lower()
    assert main.similarity == 1.0
    assert result.coverage_a == 1.0


@pytest.mark.parametrize("kind", ["reordered", "quotes_cut", "words_swapped", "sentences_dropped", "spaces_lost", "mixed"])
def test_edited_copies_are_found_with_their_passages(long_articles, kind):
    for article in long_articles[:6]:
        copy_text, cases = copy_of(article, kind)
        result = copytrace.compare_texts(article.text, copy_text)
        assert result.verdict == "copy", (kind, article.id)
        # every planted case of 15+ words overlaps a detected passage on both sides
        for case in cases:
            if len(article.text[case.src_start : case.src_end].split()) < 15:
                continue
            assert any(
                p.a_start < case.src_end and case.src_start < p.a_end and p.b_start < case.copy_end and case.copy_start < p.b_end
                for p in result.passages
            ), (kind, article.id, case)


def test_reordered_paragraphs_each_align_to_their_new_place(long_articles):
    article = long_articles[1]
    paragraphs = list(article.paragraphs)
    moved = [paragraphs[-1]] + paragraphs[:-1]
    copy_text = "\n\n".join(moved)
    result = copytrace.compare_texts(article.text, copy_text)
    last = paragraphs[-1]
    a_at, b_at = article.text.index(last), copy_text.index(last)
    assert any(p.a_start <= a_at and p.a_end >= a_at + len(last) and p.b_start <= b_at for p in result.passages)
    body = "\n\n".join(paragraphs[:-1])
    assert any(p.a_start <= article.text.index(body) and p.a_end >= article.text.index(body) + len(body) for p in result.passages)


def test_lifted_paragraph_is_a_partial_copy_with_exact_offsets(long_articles):
    source, host = long_articles[2], long_articles[3]
    text, cases = make_lifted(source, host, "lifted", random.Random(2))
    result = copytrace.compare_texts(source.text, text)
    assert result.verdict == "partial"
    assert len(result.passages) == 1
    p, case = result.passages[0], cases[0]
    assert (p.a_start, p.a_end, p.b_start, p.b_end) == (case.src_start, case.src_end, case.copy_start, case.copy_end)


def test_unrelated_articles_share_nothing(long_articles):
    for a, b in zip(long_articles[10:20], long_articles[20:30]):
        result = copytrace.compare_texts(a.text, b.text)
        assert result.verdict == "none" and result.passages == [] and result.coverage_a == 0.0


def test_offsets_are_into_the_text_as_read(long_articles):
    """Curly quotes, ligatures and run-together sentences in the copy do not shift offsets."""
    article = long_articles[4]
    damaged = article.text.replace('"', "\u201c").replace(". ", ".").replace("fi", "\ufb01")
    result = copytrace.compare_texts(article.text, "Views: 1,204\n\n" + damaged)
    assert result.verdict == "copy"
    p = max(result.passages, key=lambda p: p.b_end - p.b_start)
    assert p.b_start == len("Views: 1,204\n\n")
    assert p.b_end == len("Views: 1,204\n\n") + len(damaged)


def test_one_batch_of_many_pairs_equals_pairs_aligned_one_by_one(long_articles):
    """Aligning many pairs in one kernel call must not mix them up, whatever the sizes of the two
    sides."""
    from copytrace.match.align import align_batch
    from copytrace.match.fingerprint import Words
    from copytrace.settings import Settings

    settings = Settings()
    texts, pairs = [], []
    for n, article in enumerate(long_articles[:12]):
        copy_text, _ = copy_of(article, ["verbatim", "words_swapped", "reordered"][n % 3], seed=n)
        # long and short sides alternate, so the two sides of the join differ in size
        texts += [article.text * (1 + n % 4), copy_text]
        pairs.append((2 * n, 2 * n + 1))
    words = Words.build(texts, settings.seed)
    together = align_batch(words, [a for a, _ in pairs], [b for _, b in pairs], settings)
    for x, (a, b) in enumerate(pairs):
        alone = align_batch(Words.build([texts[a], texts[b]], settings.seed), [0], [1], settings).passages(0)
        assert together.passages(x) == alone and alone


def test_similarity_equals_rapidfuzz_indel_on_paraphrase_pairs(sentence_pairs):
    """The compiled Myers O(ND) similarity must give exactly rapidfuzz's Indel similarity, and
    report -1 exactly when that is under the threshold."""
    from rapidfuzz.distance import Indel

    from copytrace.match.align import _indel_similarity
    from copytrace.match.fingerprint import tokenize

    for x in range(0, 600, 2):
        words = tokenize([sentence_pairs[x], sentence_pairs[x + 1]])
        a, b = words.of(0).hashes, words.of(1).hashes
        expected = Indel.normalized_similarity(a.view(np.int64).tolist(), b.view(np.int64).tolist())
        for threshold in (0.0, 0.5, 0.8):
            got = _indel_similarity(a, b, threshold)
            assert got == (expected if expected >= threshold else -1.0), (x, threshold)


def test_coverage_leaves_out_a_paragraph_dropped_from_the_middle(long_articles):
    """The passage may run across the gap, but the dropped text was not copied."""
    for article in long_articles[:8]:
        paragraphs = list(article.paragraphs)
        mid = len(paragraphs) // 2
        copy_text = "\n\n".join(paragraphs[:mid] + paragraphs[mid + 1 :])
        result = copytrace.compare_texts(article.text, copy_text)
        whole = copytrace.compare_texts(article.text, article.text).coverage_a  # a short headline may not align
        copied = whole - len(paragraphs[mid]) / len(article.text)
        assert result.coverage_a == pytest.approx(copied, abs=0.03), article.id  # passage ends are not exact
        assert result.coverage_b >= 0.95
        assert "paragraph_removed" in [e.kind for e in result.edits]
