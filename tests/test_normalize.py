"""Normalization: the text matched on, and the map back to the user's characters."""

import unicodedata

from hypothesis import given, settings, strategies as st

from copytrace.match.normalize import normalize, normalize_batch


def test_run_together_sentences_are_split_as_in_the_guide():
    # The broken extraction seen in a real republication pair (GUIDE.md).
    text = 'Putin said on Sunday."I\'ll say it once again:," Putin said.The soldiers.The end'
    norm, origin = normalize(text)
    assert 'Sunday. "I\'ll' in norm
    assert "said. The soldiers. The end" in norm
    # every normalized character maps to the original character it came from
    for n, o in zip(norm, origin):
        if n != " ":
            assert text[o] == n


def test_quotes_dashes_whitespace_and_nfkc(sentence_pairs):
    sentence = sentence_pairs[0]
    text = "  \u201c" + sentence + "\u201d \u2014 \ufb01nal   words\n\n\n next  "
    norm, origin = normalize(text)
    assert norm == '"' + sentence + '" - final words\nnext'
    assert text[origin[0]] == "\u201c"
    fi = norm.index("final")
    assert text[origin[fi]] == "\ufb01" and text[origin[fi + 1]] == "\ufb01"  # ligature: both letters map to it
    assert text[origin[norm.index("next")]] == "n"


def test_closing_curly_quote_stays_with_its_sentence():
    norm, _ = normalize("it had said.\u201dThe next one")
    assert norm == 'it had said." The next one'


def test_batch_keeps_documents_apart(sentence_pairs):
    texts = sentence_pairs[:50]
    batch = normalize_batch(texts)
    for d, text in enumerate(texts):
        single, origin = normalize(text)
        assert batch.text(d) == single
        assert list(batch.origin(d)) == list(origin)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_origin_map_is_monotonic_and_in_range(sentence_pairs, data):
    """Real sentences with random damage: offsets always point into the original, in order."""
    base = data.draw(st.sampled_from(sentence_pairs))
    noise = data.draw(st.lists(st.sampled_from([" ", "\n", ".", "\u201c", "\u2019", "\u2013", "\ufb01", "e\u0301", "\u00bd", "A"]), max_size=8))
    at = data.draw(st.lists(st.integers(0, len(base)), min_size=len(noise), max_size=len(noise)))
    text = base
    for piece, pos in sorted(zip(noise, at), key=lambda x: -x[1]):
        text = text[:pos] + piece + text[pos:]
    norm, origin = normalize(text)
    assert len(norm) == len(origin)
    assert all(0 <= o < len(text) for o in origin)
    assert all(x <= y for x, y in zip(origin, origin[1:]))
    assert unicodedata.is_normalized("NFKC", norm)


def test_character_tables_follow_their_definitions_for_every_character():
    """The tables are built with whole-table operations; each entry must be what its definition says."""
    from copytrace.match.normalize import (
        APOSTROPHE_LETTERS, INVISIBLE_RANGES, LETTER_FOLD, SEGMENTED_RANGES, TABLE_SIZE, char_tables,
    )

    t = char_tables()
    for code in range(TABLE_SIZE):
        c = chr(code)
        low = c.lower()
        folded = low if len(low) == 1 else c
        folded = LETTER_FOLD.get(folded, folded)
        if unicodedata.category(folded) == "Nd":
            folded = str(unicodedata.decimal(folded))
        word = c.isalnum() or unicodedata.category(c).startswith("M")
        assert t.word[code] == word, hex(code)
        assert t.space[code] == c.isspace() and t.upper[code] == (c.isupper() or c.istitle()), hex(code)
        assert t.lower_or_digit[code] == (c.islower() or c.isdigit()), hex(code)
        assert t.fold_case[code] == ord(folded), hex(code)
        if any(lo <= code <= hi for lo, hi in INVISIBLE_RANGES):
            kind = 3
        elif c in APOSTROPHE_LETTERS or not word:
            kind = 0
        else:
            kind = 2 if any(lo <= code <= hi for lo, hi in SEGMENTED_RANGES) else 1
        assert t.word_kind[code] == kind, hex(code)
    assert (t.word_kind[0x20000:0x30000] == 2).all()