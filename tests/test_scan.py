"""The scan job and the CLI, on the bundled sample corpus (real Reuters articles and copies)."""

import io
import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
from typer.testing import CliRunner

import copytrace
from copytrace.cli import app
from copytrace.store.workspace import SCHEMAS

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample.jsonl"
TRUTH = json.loads((ROOT / "examples" / "sample-truth.json").read_text())
runner = CliRunner()


def test_scan_finds_every_planted_copy(tmp_path):
    result = copytrace.scan([SAMPLE], tmp_path / "ws")
    pairs = copytrace.Workspace(tmp_path / "ws").table("pairs").to_pylist()
    found = {tuple(sorted((p["a_id"], p["b_id"]))) for p in pairs}
    planted = {tuple(sorted((c["copy"], c["source"]))) for c in TRUTH["copies"]}
    assert planted <= found
    assert len(found - planted) <= 1  # at most one incidental pair among 156 real articles
    verdicts = {tuple(sorted((p["a_id"], p["b_id"]))): p["verdict"] for p in pairs}
    for c in TRUTH["copies"]:
        expected = "partial" if c["kind"] == "lifted_paragraph" else "copy"
        assert verdicts[tuple(sorted((c["copy"], c["source"])))] == expected, c
    assert result.documents == 156 and result.rejects_skipped == 0


def test_tables_follow_the_contract_and_open_in_duckdb(tmp_path):
    copytrace.scan([SAMPLE], tmp_path / "ws")
    for name, schema in SCHEMAS.items():
        table = copytrace.Workspace(tmp_path / "ws").table(name)
        assert table.schema.names == schema.names
    con = duckdb.connect()
    ws = tmp_path / "ws"
    rows = con.execute(
        f"""select d.text, p.a_start, p.a_end from '{ws}/passages.parquet' p
            join '{ws}/documents/*.parquet' d on d.doc_id = p.a_id"""
    ).fetchall()
    assert rows and all(0 <= s < e <= len(text) for text, s, e in rows)
    coverage = con.execute(f"select min(coverage_a), max(coverage_b) from '{ws}/pairs.parquet'").fetchone()
    assert 0 < coverage[0] and coverage[1] <= 1


def test_same_inputs_give_the_same_tables(tmp_path):
    copytrace.scan([SAMPLE], tmp_path / "one", copytrace.Settings(workers=1))
    copytrace.scan([SAMPLE], tmp_path / "two", copytrace.Settings(workers=2))
    for name in SCHEMAS:
        one, two = copytrace.Workspace(tmp_path / "one").table(name), copytrace.Workspace(tmp_path / "two").table(name)
        if name == "settings":  # it records the settings, the number of workers among them
            differ = [a["name"] for a, b in zip(one.to_pylist(), two.to_pylist()) if a != b]
            assert differ == ["workers"]
        else:
            assert one.equals(two), name


def test_interrupted_scan_resumes_from_the_last_finished_stage(tmp_path):
    ws = tmp_path / "ws"
    first = copytrace.scan([SAMPLE], ws)
    # Simulate a run killed during alignment: read, fingerprints and candidates finished, pairs
    # never written.
    manifest = json.loads((ws / "manifest.json").read_text())
    del manifest["align"]
    (ws / "manifest.json").write_text(json.dumps(manifest))
    (ws / "pairs.parquet").unlink()
    again = copytrace.scan([SAMPLE], ws)
    assert again.resumed == ["read", "fingerprints", "candidates"]
    assert again.pairs == first.pairs and again.passages == first.passages
    unchanged = copytrace.scan([SAMPLE], ws)
    assert unchanged.resumed == [*EARLY, "align", "provenance"] and unchanged.pairs == first.pairs
    # Killed during the provenance stage: the align stage's tables are reused, the rest redone alike.
    pairs_before, edges_before = pq.read_table(ws / "pairs.parquet"), pq.read_table(ws / "edges.parquet")
    manifest = json.loads((ws / "manifest.json").read_text())
    del manifest["provenance"]
    (ws / "manifest.json").write_text(json.dumps(manifest))
    (ws / "edges.parquet").unlink()
    assert copytrace.scan([SAMPLE], ws).resumed == [*EARLY, "align"]
    assert pq.read_table(ws / "pairs.parquet").equals(pairs_before) and pq.read_table(ws / "edges.parquet").equals(edges_before)
    # How many processes run a stage changes nothing, so it does not force a redo.
    assert copytrace.scan([SAMPLE], ws, copytrace.Settings(workers=1)).resumed == [*EARLY, "align", "provenance"]
    # Different settings redo the stages after reading.
    assert copytrace.scan([SAMPLE], ws, copytrace.Settings(min_passage_words=30)).resumed == ["read"]


#: The stages before alignment.
EARLY = ["read", "fingerprints", "candidates"]


def test_cli_scan_json_summary(tmp_path):
    out = runner.invoke(app, ["scan", str(SAMPLE), "--out", str(tmp_path / "ws"), "--json", "--quiet"])
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout)
    assert summary["documents"] == 156
    assert summary["pairs"]["copy"] + summary["pairs"]["partial"] >= len(TRUTH["copies"])
    assert summary["top_reused"]


def test_cli_compare_json_contract():
    a, b = ROOT / "examples" / "pair" / "reuters-original.txt", ROOT / "examples" / "pair" / "copy-site.txt"
    out = runner.invoke(app, ["compare", str(a), str(b), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert set(data) >= {"a", "b", "verdict", "coverage_a", "coverage_b", "passages", "boilerplate"}
    assert set(data["a"]) == {"id", "chars", "title", "site", "date", "lang", "flags"}
    assert data["a"]["lang"] == data["b"]["lang"] == "en"
    assert data["verdict"] == "copy"
    text_a, text_b = a.read_text(), b.read_text()
    assert data["b"]["flags"] == ["headline_repeated"]  # its first line, twice
    assert [text_b[s["start"] : s["end"]] for s in data["boilerplate"]["b"]] == [
        "Did you enjoy this story? Subscribe to our newsletter for daily updates"
    ]
    assert data["a"]["chars"] == len(text_a)
    for p in data["passages"]:
        assert set(p) == {"a_start", "a_end", "b_start", "b_end", "similarity", "match"} and p["match"] == "lexical"
        assert 0 <= p["a_start"] < p["a_end"] <= len(text_a) and 0 <= p["b_start"] < p["b_end"] <= len(text_b)
        assert 0 < p["similarity"] <= 1


def test_cli_compare_terminal_view_and_errors(tmp_path):
    a, b = ROOT / "examples" / "pair" / "reuters-original.txt", ROOT / "examples" / "pair" / "copy-site.txt"
    out = runner.invoke(app, ["compare", str(a), str(b)])
    assert out.exit_code == 0 and "verdict: copy" in out.stdout and "passage 1" in out.stdout
    missing = runner.invoke(app, ["compare", str(a), str(tmp_path / "nope.txt")])
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    (tmp_path / "empty.txt").write_text("")
    empty = runner.invoke(app, ["compare", str(a), str(tmp_path / "empty.txt")])
    assert empty.exit_code == 2 and "an empty file" in empty.stderr


def test_progress_bars_show_each_stage_with_its_own_total(tmp_path):
    from rich.console import Console
    from rich.progress import Progress

    from copytrace.present.terminal import RichProgress

    with Progress(console=Console(file=io.StringIO())) as bar:
        reporter = RichProgress(bar)
        copytrace.scan([SAMPLE], tmp_path / "ws", progress=reporter)
        reporter.close()
        tasks = {t.description.strip(): t for t in bar.tasks}
    documents = copytrace.Workspace(tmp_path / "ws").table("documents").num_rows
    assert tasks["read"].total == tasks["read"].completed == SAMPLE.stat().st_size  # bytes
    assert tasks["read"].fields["records"] == documents
    for stage in ("write documents", "fingerprints"):
        assert tasks[stage].total == documents and tasks[stage].completed == documents
    assert tasks["candidates"].total == tasks["candidates"].completed > 1  # partitions of the fingerprints
    assert tasks["align"].total == tasks["align"].completed > 0
    assert all(t.finished for t in tasks.values())


def test_settings_out_of_range_are_clear_errors(tmp_path):
    """A setting the engine cannot honour stops the command at once, with the reason."""
    for args, reason in (
        (["--max-chars", "0"], "max_chars must be between"),
        (["--max-chars", str(2**31)], "max_chars must be between"),
        (["--since", "yesterday"], "ISO 8601"),
        (["--alias", "rt.com"], "SITE=NAME"),
        (["--site-by", "path"], "site_by must be"),
    ):
        out = runner.invoke(app, ["scan", str(SAMPLE), "--out", str(tmp_path / "ws"), *args])
        assert out.exit_code == 2 and reason in out.stderr, (args, out.stderr)
    assert not (tmp_path / "ws").exists()


def test_sites_are_numbered_in_order_of_first_appearance():
    """Site numbers (what boilerplate and the one-site rule key on) against their definition, on
    the cascade corpus's sites with some left unknown (missing or empty) and the rows in chunks."""
    import sys

    import numpy as np
    import pyarrow as pa

    sites = [json.loads(line)["site"] for line in (ROOT / "examples" / "cascades.jsonl").read_text().splitlines() if line.strip()]
    sites = [None if n % 5 == 0 else "" if n % 7 == 0 else s for n, s in enumerate(sites)]
    meta = pa.table({"site": pa.chunked_array([sites[:30], sites[30:]], pa.string())})
    names, numbers = sys.modules["copytrace.jobs.scan"]._site_numbers(meta)
    first_seen = list(dict.fromkeys(s for s in sites if s))
    assert names == first_seen and len(names) > 3
    assert numbers.tolist() == [first_seen.index(s) if s else -1 for s in sites]
    assert numbers.dtype == np.int64


def test_quiet_prints_nothing_but_errors(tmp_path):
    quiet = runner.invoke(app, ["scan", str(SAMPLE), "--out", str(tmp_path / "ws"), "--quiet"])
    assert quiet.exit_code == 0 and quiet.output == ""
    report = runner.invoke(app, ["report", str(tmp_path / "ws"), "--out", str(tmp_path / "site"), "--quiet"])
    assert report.exit_code == 0 and report.output == "" and (tmp_path / "site" / "index.html").exists()
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "README").write_text("nothing here")
    failed = runner.invoke(app, ["scan", str(tmp_path / "empty"), "--out", str(tmp_path / "ws2"), "--quiet"])
    assert failed.exit_code == 1 and "no documents" in failed.output  # errors still show


def test_a_command_imports_neither_pandas_nor_scipy_and_both_still_work():
    """pyarrow would import pandas, and numba SciPy's linear algebra, on first use (0.75 s of a
    process between them); a scan from the command line imports neither, and both import as
    before when asked for."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, tempfile; from copytrace.cli import _pyarrow_without_pandas; _pyarrow_without_pandas(); "
        "import copytrace; from copytrace.kernels import load_kernels; load_kernels(); "
        "copytrace.scan(['examples/sample.jsonl'], tempfile.mkdtemp() + '/ws'); "
        "print('pandas' in sys.modules, 'scipy.linalg' in sys.modules); "
        "import pyarrow as pa; print(type(pa.table({'a': [1]}).to_pandas()).__name__)"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True)
    assert done.stdout.split() == ["False", "False", "DataFrame"]
