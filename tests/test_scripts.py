"""Every script: words that mean as much text as English ones, forms of a script matched as one,
offsets exact, sentence ends and quotation marks of each script (issue 25).

Texts are real: the people-checked bodies of fundus pages in Japanese, Korean, Chinese, Arabic,
Turkish, Russian, Hindi and German (``tests/data``), and glibc's month names in Thai, Lao, Khmer
and Burmese.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

import copytrace
from benchmarks.multilingual import _arabic_spelling, _boundaries, _half_width_katakana, _soft_hyphens, _traditional, _turkish_upper_lead, _yo, partial
from copytrace.match.fingerprint import SENTENCE_START, tokenize

DATA = Path(__file__).parent / "data"
BODIES = DATA / "scripts" / "fundus"


def body(path: str, version: str = "V1") -> str:
    """The people-checked body of a fundus page, paragraphs joined by blank lines."""
    truth = json.loads((BODIES / path).read_text(encoding="utf-8"))[version]
    return "\n\n".join(p.strip() for s in truth["body"]["sections"] for p in s["paragraphs"] if p.strip())


JAPANESE = body("jp/ChunichiShimbun.json")
KOREAN = body("kr/MBN.json")
CHINESE = body("cn/People.json")
ARABIC = body("lb/LBCGroup.json")
TURKISH = body("tr/AnadoluAjansi.json")
RUSSIAN = body("ru/Kommersant.json")
HINDI = body("ind/Bhaskar.json")
ALL = {"ja": JAPANESE, "ko": KOREAN, "zh": CHINESE, "ar": ARABIC, "tr": TURKISH, "ru": RUSSIAN, "hi": HINDI}


def words(text: str) -> list[str]:
    t = tokenize([text])
    return [text[s:e] for s, e in zip(t.starts, t.ends)]


def test_scripts_without_spaces_are_cut_into_dictionary_words():
    months = json.loads((DATA / "scripts" / "month-names.json").read_text(encoding="utf-8"))
    for locale, names in months.items():  # twelve month names run together
        assert words("".join(names)) == names, locale
    # Chinese and Japanese: dictionary words, so a word is more than a character.
    for text in (CHINESE, JAPANESE):
        found = words(text)
        assert sum(map(len, found)) / len(found) > 1.3
    assert words("日本の首相は東京で記者会見を開いた") == ["日本", "の", "首相", "は", "東京", "で", "記者", "会見", "を", "開", "い", "た"]


def test_a_run_of_characters_the_dictionary_lacks_is_one_word():
    """ICU cuts a transliterated name into characters; it counts as one word, as in English."""
    assert words("罗伯特·库比卡将成为阿尔法·罗密欧") [:2] == ["罗伯特", "库比卡将"]


def test_word_offsets_are_exact_on_every_script():
    for language, text in {**ALL, "ko-nfd": unicodedata.normalize("NFD", KOREAN), "ja-half": _half_width_katakana(JAPANESE),
                           "emoji": "Великий день 👍🏽️ для всех 👨‍👩‍👧 e\u0301te\u0301 𠀀𠀁文字"}.items():
        t = tokenize([text])
        bounds = _boundaries(text)  # where ICU says a user-perceived character begins or ends
        assert len(t.hashes) > 3, language
        for s, e in zip(t.starts.tolist(), t.ends.tolist()):
            assert 0 <= s < e <= len(text) and s in bounds and e in bounds, (language, text[s:e])


def _coverage(source: str, copy: str) -> float:
    return copytrace.compare_texts(source, copy).coverage_a


@pytest.mark.parametrize("name, source, form", [
    ("Korean decomposed", KOREAN, lambda t: unicodedata.normalize("NFD", t)),
    ("half-width katakana", JAPANESE, _half_width_katakana),
    ("traditional Chinese", CHINESE, _traditional),
    ("Arabic spelling variants and tatweel", ARABIC, _arabic_spelling),
    ("Turkish lead upper-cased", TURKISH, _turkish_upper_lead),
    ("Russian ещё for еще", RUSSIAN, _yo),
    ("soft hyphens", RUSSIAN, _soft_hyphens),
])
def test_another_form_of_a_script_is_the_same_copy(name, source, form):
    """A copy in another form of its script covers its source as the plain copy does, whole and
    when only part of it is copied into another article."""
    import random

    copied = form(source)
    assert copied != source, name
    assert _coverage(source, copied) == pytest.approx(_coverage(source, source), abs=0.02), name
    host = body("jp/ChunichiShimbun.json") if source is not JAPANESE else CHINESE
    plain, *_ = partial(source, host, random.Random(3))
    assert _coverage(source, form(plain)) == pytest.approx(_coverage(source, plain), abs=0.02), name


def test_folding_is_for_matching_only():
    """What is shown is the text as read: a traditional copy's passage is traditional."""
    copied = _traditional(CHINESE)
    result = copytrace.compare_texts(CHINESE, copied)
    passage = result.passages[0]
    assert copied[passage.b_start : passage.b_end] != CHINESE[passage.a_start : passage.a_end]
    assert copied[passage.b_start : passage.b_end] == _traditional(CHINESE[passage.a_start : passage.a_end])


def test_invisible_characters_and_letter_variants_do_not_change_a_word():
    same = [
        ("كَتَبَ", "كتب"), ("أحمد", "احمد"), ("مدرسة", "مدرسه"), ("مصطفى", "مصطفي"), ("جـمـيـل", "جميل"),
        ("İZMİR", "izmir"), ("ışık", "işik"), ("ёлка", "елка"), ("Nach\u00adrichten", "Nachrichten"),
        ("می\u200cخواهم", "میخواهم"), ("٢٠٢٤", "2024"), ("з’їзд", "зʼїзд"),
    ]
    for a, b in same:
        ta, tb = tokenize([a]), tokenize([b])
        assert list(ta.hashes) == list(tb.hashes), (a, b)
    assert [a for a, _ in same[:1]] == words("كَتَبَ")  # the word shown keeps its vowel marks
    assert words("👍\ufe0f ok") == ["ok"]  # a variation selector is no word


def test_sentence_ends_of_every_script():
    def starts(text: str) -> list[str]:
        t = tokenize([text])
        return [text[s:e] for s, e, f in zip(t.starts, t.ends, t.flags) if f & SENTENCE_START]

    assert starts("地震があった。気象庁によると、震源は日向灘。") == ["気象"]
    assert starts("本当か！日本も？中国も") == ["日本", "中国"]
    assert starts("هل هذا صحيح؟ نعم هو كذلك") == ["نعم"]
    assert starts("दो बदमाशों को पकड़ा। पुलिस ने बताया") == ["पुलिस"]
    assert starts("The U.S. said. Then 1.04 rose.«Next") == ["Then", "Next"]  # as before
    # Every sentence of the real Japanese and Hindi bodies is found.
    assert len(starts(JAPANESE)) >= JAPANESE.count("。") - JAPANESE.count("。」") - 1
    assert len(starts(HINDI)) >= HINDI.count("।") - 2


def test_quotation_marks_of_every_script_make_quote_edits():
    quote_start = JAPANESE.index("「")
    quote_end = JAPANESE.index("」", quote_start) + 1
    cut = JAPANESE[:quote_start] + JAPANESE[quote_end:]
    edits = copytrace.compare_texts(JAPANESE, cut).edits
    assert [(e.kind, e.a_text) for e in edits] == [("quote_removed", JAPANESE[quote_start:quote_end])]
    german = "Der Minister sagte: »Wir werden das Gesetz noch in diesem Jahr ändern und vorlegen.« Dann ging er."
    from copytrace.explain.edits import _QUOTATION

    assert [m.group() for m in _QUOTATION.finditer(german)] == ["»Wir werden das Gesetz noch in diesem Jahr ändern und vorlegen.«"]
    assert [m.group() for m in _QUOTATION.finditer("Er sagte ‚nein‘ und ging.")] == ["‚nein‘"]


def test_hashes_of_latin_and_cyrillic_words_are_as_before():
    """Folding touches only the characters it names: these words hash, and are flagged, as they
    did before issue 25 (values taken from that release), so workspaces of such text are unchanged."""
    t = tokenize(["The “Fed” raised rates by 0.25% on Wednesday. Überall Straße ÉTÉ Привет"])
    assert [int(h) for h in t.hashes] == [
        11295422357520979507, 7140046448264965807, 6623280815033091681, 7188431093919205525, 3102121662119614344,
        13833511939848920625, 13521199280645569739, 17157378258120955495, 3767794566032185681, 11415883611005121527,
        15653419625235969100, 18127387222241074473, 1172698606345635557,
    ]
    assert t.flags.tolist() == [65, 64, 0, 0, 0, 32, 32, 0, 64, 192, 64, 64, 66]
