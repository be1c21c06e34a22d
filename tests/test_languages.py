"""The language of each document: py3langid's answers, by a compiled kernel, on real pages."""

import json
from pathlib import Path

import pytest

import copytrace
from copytrace.ingest.languages import FOLDED, NO_LANGUAGE, PREFIX_CHARS, UNDETERMINED, detect_languages, language_scores

ROOT = Path(__file__).resolve().parent.parent
FUNDUS = ROOT / "tests" / "data" / "web" / "fundus-test-data"
#: The language each publisher of the fixtures writes in (the Ukrainian Pravda page is of its Russian edition).
PUBLISHER_LANGUAGE = {
    "DerStandard": "de", "TagesAnzeiger": "de", "Correctiv": "de", "Hessenschau": "de", "SpiegelOnline": "de", "ElDiario": "es",
    "AsahiShimbun": "ja", "MalayMail": "en", "Pravda": "ru", "iNews": "en", "RollingStone": "en", "TheNation": "en", "TheNewYorker": "en",
}


def _fundus_bodies() -> list[tuple[str, str]]:
    """(publisher, article body) of every fundus fixture, from its ground truth."""
    out = []
    for path in sorted(FUNDUS.glob("*/*.json")):
        truth = next(iter(json.loads(path.read_text(encoding="utf-8")).values()))
        body = truth["body"]
        paragraphs = [p for section in body.get("sections", []) for p in section.get("paragraphs", [])]
        out.append((path.stem, "\n".join([*body.get("summary", []), *paragraphs])))
    return out


def test_the_language_of_real_articles_in_five_languages():
    bodies = _fundus_bodies()
    assert len(bodies) == len(PUBLISHER_LANGUAGE)
    assert detect_languages([text for _, text in bodies]) == [PUBLISHER_LANGUAGE[name] for name, _ in bodies]


def test_answers_are_py3langids_own(reuters):
    """The kernel runs py3langid's model with its arithmetic: the same language (restricted to the
    languages copytrace gives) and the same probability, on 300 Reuters stories, the fundus pages
    and their first sentences."""
    from py3langid.langid import _load_identifier

    identifier = _load_identifier(norm_probs=True)
    identifier.set_languages(sorted({c for c in identifier.nb_classes if len(c) == 2 or c in FOLDED or c == NO_LANGUAGE}))
    texts = [a.text for a in reuters[:300]] + [t for _, t in _fundus_bodies()]
    texts += [t.split(".")[0] for t in texts]
    labels, confidence = language_scores(texts)
    checked = 0
    for text, label, p in zip(texts, labels, confidence):
        theirs, their_p = identifier.classify(text[:PREFIX_CHARS])
        theirs = UNDETERMINED if theirs == NO_LANGUAGE else FOLDED.get(theirs, theirs)
        if label != UNDETERMINED:
            assert label == theirs, text[:80]
            assert p == pytest.approx(their_p, abs=2e-3), text[:80]
            checked += 1
    assert checked > 500


def test_text_that_says_no_language_is_undetermined():
    texts = ["", "   ", "12 345 6789 0.5 %", "Q3: 4.2%", "GDP +0.3%", "😀 😀 😀", "Oil", "\x00\x01 binary", "\ud800 lone surrogate"]
    assert detect_languages(texts) == [UNDETERMINED] * len(texts)
    # A mixed article takes the language its beginning is in; a long one costs no more than its prefix.
    german = "Die Bundesregierung hat am Mittwoch in Berlin ein neues Gesetz zur Energiepolitik beschlossen. "
    english = "The government in Berlin passed a new energy law on Wednesday, officials said. "
    assert detect_languages([german * 5 + english * 500, english * 5 + german * 500]) == ["de", "en"]


def test_scan_and_compare_give_every_document_its_language(tmp_path):
    copytrace.scan([FUNDUS], tmp_path / "ws")
    docs = copytrace.open(tmp_path / "ws").table("documents", columns=["source", "lang"]).to_pylist()
    by_publisher = {Path(d["source"]).name.split("_")[0]: d["lang"] for d in docs}
    assert by_publisher == PUBLISHER_LANGUAGE
    result = copytrace.compare_texts(_fundus_bodies()[0][1], _fundus_bodies()[-1][1])
    assert (result.a.lang, result.b.lang) == ("de", "en")


def test_a_record_may_give_its_language(tmp_path):
    """A record's own ``lang`` is kept (a tag's language part); a bad one is noted and the text decides."""
    text = _fundus_bodies()[0][1]  # German
    records = [
        {"id": "given", "text": text, "lang": "de-AT"},
        {"id": "overrides", "text": text, "lang": "en"},
        {"id": "bad", "text": text, "lang": "German"},
        {"id": "none", "text": text},
    ]
    (tmp_path / "in.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    copytrace.scan([tmp_path / "in.jsonl"], tmp_path / "ws")
    ws = copytrace.open(tmp_path / "ws")
    langs = dict(zip(*ws.table("documents", columns=["doc_id", "lang"]).to_pydict().values()))
    assert langs == {"given": "de", "overrides": "en", "bad": "de", "none": "de"}
    reasons = ws.table("rejects").to_pylist()
    assert [(r["line"], r["outcome"]) for r in reasons if "lang" in r["reason"]] == [(3, "kept")]
