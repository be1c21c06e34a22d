"""The Spark engine (``scan --engine spark``) in local mode: its tables equal the local engine's,
table by table, on the bundled corpora and on a folder of mixed, partly broken real inputs; and a
workspace one engine wrote is resumed, or added to, by the other."""

import gzip
import json
from pathlib import Path

import pytest
from test_add import split
from test_html import PAGES
from test_scale import CASCADES, SAMPLE, Stop, StopAt, assert_same_tables
from test_warc import build_warc
from typer.testing import CliRunner

import copytrace
from copytrace.cli import app
from copytrace.jobs.spark import SparkEngine
from copytrace.store.workspace import SCHEMAS

runner = CliRunner()


@pytest.fixture(scope="module")
def spark():
    """One Spark session in local mode, two cores, for the module (starting one takes seconds)."""
    with SparkEngine("local[2]") as engine:
        assert engine.sc.defaultParallelism == 2  # started here, not inside the first test's timing
        yield engine


@pytest.mark.parametrize("corpus", [SAMPLE, CASCADES], ids=["sample", "cascades"])
def test_spark_writes_the_tables_of_the_local_engine(tmp_path, spark, corpus):
    local = copytrace.scan([corpus], tmp_path / "local")
    distributed = copytrace.scan([corpus], tmp_path / "spark", engine=spark)
    assert distributed.pairs == local.pairs and local.pairs["copy"] > 0
    assert len(copytrace.Workspace(tmp_path / "spark").part_paths("documents")) > 1  # blocks written by tasks
    assert_same_tables(tmp_path / "local", tmp_path / "spark")


def test_spark_scan_with_meaning_writes_the_tables_of_the_local_engine(tmp_path, spark):
    """The meaning stage's batches run as Spark tasks: the same translated and reworded pairs,
    story links and trees as the local engine (its sentence vectors do not depend on the batch)."""
    from test_meaning import FUNDUS, _damon_corpus

    corpus = _damon_corpus(tmp_path)
    settings = copytrace.Settings(meaning=True)
    copytrace.scan([corpus, FUNDUS], tmp_path / "local", settings)
    copytrace.scan([corpus, FUNDUS], tmp_path / "spark", settings, engine=spark)
    assert_same_tables(tmp_path / "local", tmp_path / "spark")
    pairs = copytrace.open(tmp_path / "spark").table("pairs").to_pylist()
    assert sorted(p["match"] for p in pairs) == ["rewrite", "translation", "translation"]
    assert copytrace.open(tmp_path / "spark").table("story_links").num_rows >= 3


def messy_inputs(folder: Path, reuters) -> list:
    """Real articles in every input kind, with copies among them and broken records: text files
    in a folder, JSON Lines (a copy, a repeated id, a bad line, a date in the future, a page given
    as HTML), a crawl of real saved pages, an unsupported file, and a path that is not there."""
    texts = folder / "texts"
    (texts / "sub").mkdir(parents=True)
    for n, article in enumerate(reuters[:12]):
        (texts / ("sub" if n % 3 == 0 else ".") / f"{n:02d}.txt").write_text(article.text)
    (texts / "sub" / "copy.txt.gz").write_bytes(gzip.compress(reuters[5].text.replace("said", "told reporters").encode()))
    (texts / "notes.docx").write_bytes(b"PK\x03\x04")
    page = gzip.decompress(PAGES[4][0].read_bytes()).decode("utf-8")
    lines = [
        json.dumps({"id": "r1", "text": reuters[20].text, "url": "https://www.rt.com/news/1", "date": "2024-03-01"}),
        json.dumps({"id": "r2", "text": reuters[20].text + "\n\nSource: RT", "url": "https://news-front.su/2", "date": "2024-03-02"}),
        "{not json",
        json.dumps({"id": "01.txt", "text": reuters[21].text}),  # the id of a text file read before
        json.dumps({"id": "r1", "text": reuters[22].text}),  # repeated in this file
        json.dumps({"id": "future", "text": reuters[23].text, "date": "2091-01-01"}),
        json.dumps({"id": "page", "html": page, "url": PAGES[4][2]}),
        json.dumps({"id": "r3", "text": reuters[1].text, "url": "https://sputnik.example/3"}),
    ]
    (folder / "feed.jsonl").write_text("\n".join(lines) + "\n")
    build_warc(folder / "crawl.warc.gz", [f"2024-05-0{n + 1}T10:00:00Z" for n in range(len(PAGES))])
    return [texts, folder / "feed.jsonl", folder / "missing.jsonl", folder / "crawl.warc.gz"]


def test_mixed_and_broken_inputs_give_the_same_tables(tmp_path, spark, reuters):
    inputs = messy_inputs(tmp_path / "in", reuters)
    settings = copytrace.Settings(block_chars=20_000)
    local = copytrace.scan(inputs, tmp_path / "local", settings)
    distributed = copytrace.scan(inputs, tmp_path / "spark", settings, engine=spark)
    assert_same_tables(tmp_path / "local", tmp_path / "spark")
    # What the comparison covered: every kind of input gave documents, each bad record a reject.
    assert distributed.documents == local.documents >= 12 + 1 + 5 + 4
    reasons = [r["reason"] for r in copytrace.Workspace(tmp_path / "spark").table("rejects").to_pylist()]
    assert any("duplicate id '01.txt' (first seen at" in r for r in reasons)
    assert any("duplicate id 'r1'" in r and "feed.jsonl:1" in r for r in reasons)
    assert any("not valid JSON" in r for r in reasons) and any("no such file" in r for r in reasons)
    assert any("unsupported file type" in r for r in reasons) and any("after the time of this scan" in r for r in reasons)
    flags = copytrace.Workspace(tmp_path / "spark").table("documents", columns=["doc_id", "flags"]).to_pylist()
    assert any(row["flags"] for row in flags if row["doc_id"] == "future")  # its part written again with the date flag
    assert distributed.pairs["copy"] + distributed.pairs["partial"] >= 2


def test_inputs_given_as_uris_are_read_through_hadoop(tmp_path, spark):
    local = copytrace.scan([SAMPLE], tmp_path / "local")
    distributed = copytrace.scan([SAMPLE.resolve().as_uri()], tmp_path / "spark", engine=spark)
    assert distributed.pairs == local.pairs and distributed.documents == local.documents
    for name in SCHEMAS:
        a, b = copytrace.Workspace(tmp_path / "local").table(name), copytrace.Workspace(tmp_path / "spark").table(name)
        if name in ("documents", "rejects"):  # the source is the URI read: all else is the same
            assert set(b.column("source").to_pylist()) <= {"file:" + str(SAMPLE.resolve())}
            a, b = a.drop_columns(["source"]), b.drop_columns(["source"])
        if name != "settings":
            assert a.equals(b), name


def test_a_stopped_spark_scan_is_finished_by_the_local_engine(tmp_path, spark):
    whole = copytrace.scan([CASCADES], tmp_path / "whole")
    with pytest.raises(Stop):
        copytrace.scan([CASCADES], tmp_path / "ws", progress=StopAt("candidates"), engine=spark)
    resumed = copytrace.scan([CASCADES], tmp_path / "ws")
    assert resumed.resumed == ["read", "fingerprints"]
    assert resumed.pairs == whole.pairs
    assert_same_tables(tmp_path / "whole", tmp_path / "ws")


def test_a_local_workspace_is_finished_by_spark_and_added_to(tmp_path, spark):
    old, new = split(SAMPLE, tmp_path / "in", 0.6)
    copytrace.scan([old, new], tmp_path / "whole")
    with pytest.raises(Stop):
        copytrace.scan([old], tmp_path / "ws", progress=StopAt("align"))
    assert copytrace.scan([old], tmp_path / "ws", engine=spark).resumed == ["read", "fingerprints", "candidates"]
    copytrace.add(tmp_path / "ws", [new])  # add works on what Spark wrote
    assert_same_tables(tmp_path / "whole", tmp_path / "ws")


def test_cli_engine_spark(tmp_path, spark):
    local = runner.invoke(app, ["scan", str(SAMPLE), "--out", str(tmp_path / "local"), "--json", "--quiet"])
    result = runner.invoke(app, ["scan", str(SAMPLE), "--out", str(tmp_path / "spark"), "--json", "--quiet", "--engine", "spark"])
    assert result.exit_code == 0, result.output
    one, two = json.loads(local.output), json.loads(result.output)
    for summary in (one, two):
        del summary["seconds"], summary["workspace"]
    assert one == two
    assert spark.sc._jsc is not None  # the session was the module's (found active), not stopped by the command
    wrong = runner.invoke(app, ["scan", str(SAMPLE), "--out", str(tmp_path / "x"), "--master", "local[2]"])
    assert wrong.exit_code == 2 and "--master is for --engine spark" in wrong.output


def test_inputs_with_no_document_give_the_same_empty_tables(tmp_path, spark):
    (tmp_path / "bad.jsonl").write_text("{not json\n" + json.dumps({"id": "x"}) + "\n")
    local = copytrace.scan([tmp_path / "bad.jsonl"], tmp_path / "local")
    distributed = copytrace.scan([tmp_path / "bad.jsonl"], tmp_path / "spark", engine=spark)
    assert distributed.documents == local.documents == 0 and distributed.rejects_skipped == local.rejects_skipped == 2
    assert_same_tables(tmp_path / "local", tmp_path / "spark")
