"""Extraction-artifact flags on real Reuters articles damaged the way extractors damage pages."""

import json
import re

import copytrace
from copytrace.artifacts import HEADLINE_REPEATED, PARAGRAPH_DUPLICATED, RUN_TOGETHER


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
