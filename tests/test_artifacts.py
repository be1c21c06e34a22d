"""Extraction-artifact flags on real Reuters articles damaged the way extractors damage pages."""

import json
import re

import copytrace
from copytrace.match.artifacts import HEADLINE_REPEATED, PARAGRAPH_DUPLICATED, PULL_QUOTE, RUN_TOGETHER


def test_flags_name_each_artifact_and_only_where_it_is(tmp_path, long_articles):
    clean, run_together, duplicated, headline = long_articles[:4]
    paragraphs = list(duplicated.paragraphs)
    rows = [
        {"id": "clean", "text": clean.text, "title": clean.title},
        # paragraphs run together where markup was dropped: "long.Commenting"
        {"id": "run-together", "text": re.sub(r"([a-z])\.\n\n([A-Z])", r"\1.\2", run_together.text, count=2), "title": run_together.title},
        # a paragraph repeated further down (a teaser and the body)
        {"id": "duplicated", "text": "\n\n".join(paragraphs + [paragraphs[1]]), "title": duplicated.title},
        # the headline again at the top of the body
        {"id": "headline", "text": headline.title + "\n\n" + headline.text, "title": headline.title},
    ]
    path = tmp_path / "pages.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    copytrace.scan([path], tmp_path / "ws")
    flags = {r["doc_id"]: r["flags"] for r in copytrace.Workspace(tmp_path / "ws").table("documents").to_pylist()}
    assert flags["clean"] == []
    assert flags["run-together"] == [RUN_TOGETHER]
    assert flags["duplicated"] == [PARAGRAPH_DUPLICATED]
    assert flags["headline"] == [HEADLINE_REPEATED]


#: A quotation of 8+ words closed by a comma and followed by its speaker: ``"...," he said``.
QUOTE = re.compile(r'"((?:\S+ ){7,}\S+?),"')


def test_pull_quotes_kept_twice_or_lifted_out_are_flagged(tmp_path, long_articles):
    """A pull quote box kept beside the body, and one lifted out of it leaving a cut (the GUIDE's
    ``"I'll say it once again:," Putin said``), on Reuters stories that quote someone."""
    quoting = [a for a in long_articles if QUOTE.search(a.text)][:40]
    assert len(quoting) >= 20
    rows = []
    for n, article in enumerate(quoting):
        quote = QUOTE.search(article.text)
        words = quote.group(1).split()
        if n % 2 == 0:  # the box above the body, the quote still in the body
            text = f'"{quote.group(1)}"\n\n{article.text}'
        else:  # the second half of the quote lifted out to the top, a cut left behind
            half = len(words) // 2
            body = article.text[: quote.start(1)] + " ".join(words[:half]) + ":," + article.text[quote.end():]
            text = f'"{" ".join(words[half:])}"\n\n{body}'
        rows.append({"id": f"pulled-{n}", "text": text, "title": article.title})
        rows.append({"id": f"untouched-{n}", "text": article.text, "title": article.title})
    path = tmp_path / "pages.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    copytrace.scan([path], tmp_path / "ws")
    flags = {r["doc_id"]: r["flags"] for r in copytrace.Workspace(tmp_path / "ws").table("documents").to_pylist()}
    for n in range(len(quoting)):
        assert PULL_QUOTE in flags[f"pulled-{n}"], rows[2 * n]["text"][:300]
        assert PULL_QUOTE not in flags[f"untouched-{n}"]
