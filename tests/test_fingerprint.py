"""Words, n-gram hashes and winnowing."""

import itertools
import random
import re

import numpy as np
from hypothesis import given, settings, strategies as st

from copytrace.match.fingerprint import Words, ngram_hashes, tokenize, winnow


def test_words_map_back_to_the_original_text(reuters):
    texts = [a.text for a in reuters[:200]]
    # damage a few: curly quotes, ligatures, combining accents, full-width letters
    texts[0] = texts[0].replace('"', "\u201c", 1).replace("fi", "\ufb01")
    texts[1] = "Cafe\u0301 \uff32\uff45\uff55\uff54\uff45\uff52\uff53 " + texts[1]
    tokens = tokenize(texts)
    for d, text in enumerate(texts):
        t = tokens.of(d)
        words = [text[s:e] for s, e in zip(t.starts, t.ends)]
        assert all(w.strip() and not w[0].isspace() for w in words)
        if d > 1:
            import re

            assert words == re.findall(r"[^\W_]+", text)
    first = tokenize([texts[1]]).of(0)
    assert texts[1][first.starts[0] : first.ends[0]] == "Cafe\u0301"
    assert texts[1][first.starts[1] : first.ends[1]] == "\uff32\uff45\uff55\uff54\uff45\uff52\uff53"


def test_word_hashes_ignore_case_and_width(reuters):
    a = tokenize([reuters[5].text.upper(), reuters[5].text.lower(), reuters[5].text])
    assert np.array_equal(a.of(0).hashes, a.of(1).hashes)
    assert np.array_equal(a.of(0).hashes, a.of(2).hashes)
    assert tokenize(["\uff32EUTERS"]).hashes[0] == tokenize(["reuters"]).hashes[0]


def test_japanese_is_cut_into_dictionary_words():
    text = "日本語のテキスト ok"
    t = tokenize([text]).of(0)
    assert [text[s:e] for s, e in zip(t.starts, t.ends)] == ["日本", "語", "の", "テキスト", "ok"]


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_winnowing_guarantee(reuters, data):
    """Two documents sharing a run of window + ngram - 1 words share a fingerprint."""
    n, w = 5, 4
    rng = random.Random(data.draw(st.integers(0, 10**6)))
    source, other, third = rng.sample(reuters, 3)
    run_words = re.findall(r"[^\W_]+", source.text)  # words as the tokenizer finds them ("&" is none)
    start = rng.randrange(max(1, len(run_words) - (n + w)))
    shared = " ".join(run_words[start : start + n + w - 1])
    doc_a = " ".join(other.text.split()[:80]) + " " + shared + " " + " ".join(third.text.split()[:40])
    doc_b = " ".join(third.text.split()[-60:]) + " " + shared
    words = Words.build([doc_a, doc_b], 4)
    hashes, docs = words.fingerprints(n, w)
    assert set(hashes[docs == 0]) & set(hashes[docs == 1])


def test_winnowing_keeps_a_fraction_of_ngrams(reuters):
    tokens = tokenize([a.text for a in reuters[:500]])
    grams, valid = ngram_hashes(tokens.hashes, tokens.doc_starts, 5)
    chosen, docs = winnow(grams, tokens.doc_starts, 5, 4)
    assert np.array_equal(docs, np.repeat(np.arange(len(tokens)), np.diff(tokens.doc_starts))[chosen])
    density = len(chosen) / valid.sum()
    assert 0.3 < density < 0.55  # about 2 / (w + 1) = 0.4
    assert valid[chosen].all()


def test_winnowing_selects_every_window_minimum_and_only_those():
    """The compiled pass carries the minimum between windows; it must select exactly what the
    definition does, ties included (few distinct hashes make many)."""
    rng = np.random.default_rng(5)
    for n, w in ((1, 4), (5, 4), (3, 7)):
        lengths = rng.integers(0, 40, 300)
        doc_starts = np.concatenate([[0], np.cumsum(lengths)])
        grams = rng.integers(0, 6, doc_starts[-1]).astype(np.uint64)
        chosen, _ = winnow(grams, doc_starts, n, w)
        expected = set()
        for lo, end in itertools.pairwise(doc_starts):
            hi = end - n + 1
            if hi - lo < w:
                expected.update(range(lo, max(lo, hi)))
            for start in range(lo, hi - w + 1):
                low = grams[start : start + w].min()
                expected.update(q for q in range(start, start + w) if grams[q] == low)
        assert chosen.tolist() == sorted(expected)


def test_ngram_hashes_are_the_polynomial_of_their_words(reuters):
    """Rolled from one n-gram to the next, each hash must equal the polynomial of its own words;
    seeds hashed for chosen documents only equal the same documents' n-grams."""
    from copytrace.match.fingerprint import _mix64

    tokens = tokenize([a.text for a in reuters[:40]])
    base = np.uint64(0x9E3779B97F4A7C15)
    grams, valid = ngram_hashes(tokens.hashes, tokens.doc_starts, 4)
    for d in range(len(tokens)):
        lo, hi = tokens.doc_starts[d], tokens.doc_starts[d + 1]
        for t in range(lo, hi):
            assert valid[t] == (t + 4 <= hi)
            if valid[t]:
                acc = 0
                for k in range(4):
                    acc = (acc * int(base) + int(tokens.hashes[t + k])) % 2**64
                assert grams[t] == _mix64(np.uint64(acc))
    words = Words.build([a.text for a in reuters[:40]], 4)
    words.index_seeds(np.array([3, 17]))
    inside = np.zeros(len(tokens.hashes), bool)
    for d in (3, 17):
        inside[tokens.doc_starts[d] : tokens.doc_starts[d + 1]] = True
    assert np.array_equal(words.seeds[inside], grams[inside]) and not words.seeds[~inside].any()
    assert inside[words.matchable].all()


def test_line_flags_match_their_definition_on_the_text(reuters):
    """LINE_START / LINE_END / BREAK_AFTER, computed in the compiled pass, against the text."""
    from copytrace.match.fingerprint import BREAK_AFTER, EDGE_PUNCT, LINE_END, LINE_START

    texts = [a.text for a in reuters[:150]]
    texts[0] = "“Quoted headline,” he said.\r\n(Reuters) - " + texts[0]
    tokens = tokenize(texts)
    for d, text in enumerate(texts):
        t = tokens.of(d)
        for w in range(len(t.hashes)):
            before = text[: t.starts[w]].rstrip(EDGE_PUNCT)
            after = text[t.ends[w] :].lstrip(EDGE_PUNCT)
            assert bool(t.flags[w] & LINE_START) == (not before or before[-1] in "\n\r")
            assert bool(t.flags[w] & LINE_END) == (not after or after[0] in "\n\r")
            gap = text[t.ends[w] : t.starts[w + 1]] if w + 1 < len(t.hashes) else ""
            assert bool(t.flags[w] & BREAK_AFTER) == ("\n" in gap)


def test_kernels_compiled_tells_an_empty_cache_from_a_filled_one(tmp_path):
    """The first-run notice must appear exactly when numba has no cached kernels."""
    import os
    import subprocess
    import sys

    from copytrace.kernels import kernels_compiled, load_kernels

    load_kernels()
    assert kernels_compiled()
    check = "from copytrace.kernels import kernels_compiled; print(kernels_compiled())"
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", check], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_run_together_flag_matches_its_definition(reuters):
    """RUN_TOGETHER marks a word followed by a stop, quotes and a capital with no space between."""
    import re

    from copytrace.match.fingerprint import RUN_TOGETHER

    definition = re.compile(r"[a-z0-9][.!?][\"'\u201d\u2019]?[\u201c\"]?[A-Z]")
    texts = [a.text for a in reuters[:300]]
    for d in range(0, 300, 3):  # damage a third the way extraction does: "soldiers.The", 'said."The'
        texts[d] = re.sub(r"([a-z0-9])([.!?][\"\u201d]?)\s+([\u201c\"]?[A-Z])", r"\1\2\3", texts[d], count=2)
    tokens = tokenize(texts)
    for d, text in enumerate(texts):
        t = tokens.of(d)
        flagged = {int(t.ends[w]) for w in np.flatnonzero(t.flags & RUN_TOGETHER)}
        assert flagged == {m.start() + 1 for m in definition.finditer(text)}
    assert sum(bool(definition.search(text)) for text in texts) >= 80  # most of the damaged third


def test_masked_words_reach_the_ngrams_that_include_them():
    from copytrace.match.fingerprint import _touches

    rng = np.random.default_rng(7)
    for n in (1, 4, 5):
        for share in (0.0, 0.02, 0.5, 1.0):
            masked = rng.random(500) < share
            expected = [masked[t : t + n].any() for t in range(500)]
            assert _touches(masked, n).tolist() == expected


def test_load_kernels_calls_every_compiled_entry_point():
    """Else a kernel left out would compile in the middle of a user's first scan."""
    import subprocess
    import sys

    check = (
        "from copytrace.kernels import entry_points, load_kernels; load_kernels(); "
        "print(all(k.signatures for k in entry_points()), sorted(str(s[0].dtype) for s in entry_points()[0].signatures))"
    )
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True).stdout.strip()
    # The tokenizer reads ASCII text as bytes and other text as code points: both must be ready.
    assert out == "True ['uint32', 'uint8']"


def test_sentence_digit_and_capital_flags_match_their_definition(reuters):
    """SENTENCE_START, DIGIT and CAPITAL, set in the compiled pass, against plain Python on the text."""
    from copytrace.match.fingerprint import CAPITAL, DIGIT, SENTENCE_START

    stop = re.compile(r"[.!?][\"'“”‘’«»()\[\]\s\xa0]*$")
    texts = [a.text for a in reuters[:200]]
    texts[0] = "Troops arrived.The U.S. said 1.04 mln. “We left,” he said. (Reuters) - É bien. " + texts[0]
    tokens = tokenize(texts)
    for d, text in enumerate(texts):
        t = tokens.of(d)
        for w in range(len(t.hashes)):
            word = text[t.starts[w] : t.ends[w]]
            assert bool(t.flags[w] & DIGIT) == any(c in "0123456789" for c in word)
            assert bool(t.flags[w] & CAPITAL) == (word[0].isupper() or word[0].istitle())
            if w == 0:
                continue
            gap = text[t.ends[w - 1] : t.starts[w]]
            before = text[t.ends[w - 1] - 1]
            found = stop.search(gap)
            if not found:
                expected = False
            elif any(c.isspace() for c in gap[found.start() :]):  # a space after the stop
                expected = not word[0].islower()
            else:  # run together: "arrived.The", not "U.S." or "1.04" or " .125"
                expected = word[0].isupper() and before.islower()
            assert bool(t.flags[w] & SENTENCE_START) == expected, (gap, word)
