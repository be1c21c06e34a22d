"""``copytrace add``: new articles added to a scanned workspace give the tables a scan of all of
them together gives.

The bundled corpora are split into what was scanned first and what arrives later (real Reuters
articles and their planted copies; a cascade of copies across sites, whose new pages change some
sites' learned boilerplate so that old documents are fingerprinted again).
"""

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from test_scale import CASCADES, SAMPLE, Stop, StopAt, assert_same_tables
from typer.testing import CliRunner

import copytrace
from copytrace.jobs.add import AddError
from copytrace.cli import app

runner = CliRunner()


def split(corpus: Path, folder: Path, *shares: float) -> list[Path]:
    """The lines of ``corpus`` in consecutive files, cut at the given shares of its lines."""
    lines = corpus.read_bytes().splitlines(keepends=True)
    cuts = [0, *(int(len(lines) * s) for s in shares), len(lines)]
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, (lo, hi) in enumerate(itertools.pairwise(cuts)):
        path = folder / f"part-{n}.jsonl"
        path.write_bytes(b"".join(lines[lo:hi]))
        paths.append(path)
    return paths


@pytest.mark.parametrize(
    ("corpus", "share", "block_chars"),
    [(SAMPLE, 0.6, None), (CASCADES, 0.5, None), (CASCADES, 0.9, None), (CASCADES, 0.3, 20_000)],
    ids=["sample", "cascades-half", "cascades-tenth", "cascades-small-blocks"],
)
def test_add_gives_the_tables_of_a_scan_of_everything(tmp_path, corpus, share, block_chars):
    settings = copytrace.Settings(**({"block_chars": block_chars} if block_chars else {}))
    old, new = split(corpus, tmp_path / "in", share)
    whole = copytrace.scan([old, new], tmp_path / "whole", settings)
    copytrace.scan([old], tmp_path / "ws", settings)
    added = copytrace.add(tmp_path / "ws", [new], settings)
    assert (added.documents, added.candidates, added.pairs) == (whole.documents, whole.candidates, whole.pairs)
    assert whole.pairs["copy"] > 0
    assert_same_tables(tmp_path / "whole", tmp_path / "ws")
    # The workspace now records both inputs: a scan of them resumes every stage.
    again = copytrace.scan([old, new], tmp_path / "ws", settings)
    assert again.resumed == ["read", "fingerprints", "candidates", "align", "provenance"]


def test_new_pages_that_change_a_sites_boilerplate_refingerprint_its_old_pages(tmp_path):
    old, new = split(CASCADES, tmp_path / "in", 0.5)
    copytrace.scan([old, new], tmp_path / "whole")
    copytrace.scan([old], tmp_path / "ws")
    spans_before = copytrace.Workspace(tmp_path / "ws").table("boilerplate_spans")
    copytrace.add(tmp_path / "ws", [new])
    runs = sorted((tmp_path / "ws" / "index" / "fingerprints").glob("run-*"))
    replaced = np.load(runs[1] / "replaces.npy")
    assert len(runs) == 2 and len(replaced) > 0  # old documents found again and replaced...
    n_old = sum(1 for line in old.read_bytes().splitlines() if line.strip())
    assert replaced.max() < n_old
    ws = copytrace.Workspace(tmp_path / "ws")
    ids = ws.table("documents", columns=["doc_id"]).column("doc_id").to_pylist()
    changed = {ids[d] for d in replaced.tolist()}
    before = {(r["doc_id"], r["start"], r["end"]) for r in spans_before.to_pylist() if r["doc_id"] in changed}
    after = {(r["doc_id"], r["start"], r["end"]) for r in ws.table("boilerplate_spans").to_pylist() if r["doc_id"] in changed}
    assert before != after  # ...because their boilerplate did change
    assert_same_tables(tmp_path / "whole", tmp_path / "ws")


def test_two_adds_give_the_tables_of_one_scan(tmp_path):
    parts = split(CASCADES, tmp_path / "in", 0.4, 0.7)
    copytrace.scan(parts, tmp_path / "whole")
    copytrace.scan(parts[:1], tmp_path / "ws")
    copytrace.add(tmp_path / "ws", parts[1:2])
    copytrace.add(tmp_path / "ws", parts[2:])
    assert_same_tables(tmp_path / "whole", tmp_path / "ws")


def test_an_id_already_in_the_workspace_is_rejected_with_where_it_was_first_seen(tmp_path):
    old, new = split(SAMPLE, tmp_path / "in", 0.6)
    repeat = tmp_path / "in" / "repeat.jsonl"
    repeat.write_bytes(old.read_bytes().splitlines(keepends=True)[3] + new.read_bytes())
    whole = copytrace.scan([old, repeat], tmp_path / "whole")
    copytrace.scan([old], tmp_path / "ws")
    added = copytrace.add(tmp_path / "ws", [repeat])
    assert added.rejects_skipped == whole.rejects_skipped == 1
    [reject] = [r for r in copytrace.Workspace(tmp_path / "ws").table("rejects").to_pylist() if "duplicate" in r["reason"]]
    assert reject["source"].endswith("repeat.jsonl") and reject["line"] == 1 and "part-0.jsonl:4" in reject["reason"]
    assert_same_tables(tmp_path / "whole", tmp_path / "ws")


@pytest.mark.parametrize(
    ("stop", "resumed"),
    [
        (StopAt("fingerprints", after=5), ["read"]),
        (StopAt("align"), ["read", "fingerprints", "candidates"]),
        (StopAt("provenance"), ["read", "fingerprints", "candidates", "align"]),
    ],
    ids=["in-fingerprints", "before-align", "before-provenance"],
)
def test_a_stopped_add_resumes_to_the_same_tables(tmp_path, stop, resumed):
    settings = copytrace.Settings(block_chars=20_000)
    old, new = split(CASCADES, tmp_path / "in", 0.5)
    copytrace.scan([old, new], tmp_path / "whole", settings)
    copytrace.scan([old], tmp_path / "ws", settings)
    with pytest.raises(Stop):
        copytrace.add(tmp_path / "ws", [new], settings, progress=stop)
    assert copytrace.Workspace(tmp_path / "ws").table("documents").num_rows > 0  # readable meanwhile
    with pytest.raises(AddError, match="did not finish"):
        copytrace.add(tmp_path / "ws", [old], settings)  # another add must wait for this one
    again = copytrace.add(tmp_path / "ws", [new], settings)
    assert again.resumed == resumed
    assert_same_tables(tmp_path / "whole", tmp_path / "ws")


def test_add_cli(tmp_path):
    old, new = split(SAMPLE, tmp_path / "in", 0.6)
    empty = runner.invoke(app, ["add", str(tmp_path / "nothing"), str(new)])
    assert empty.exit_code == 2 and "not a finished scan" in empty.output
    assert runner.invoke(app, ["scan", str(old), "--out", str(tmp_path / "ws"), "--quiet"]).exit_code == 0
    result = runner.invoke(app, ["add", str(tmp_path / "ws"), str(new), "--json", "--quiet"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    whole = copytrace.scan([old, new], tmp_path / "whole")
    assert summary["documents"] == whole.documents and summary["pairs"] == whole.pairs


def test_a_scan_of_all_the_inputs_finishes_a_stopped_add(tmp_path):
    old, new = split(CASCADES, tmp_path / "in", 0.5)
    copytrace.scan([old, new], tmp_path / "whole")
    copytrace.scan([old], tmp_path / "ws")
    with pytest.raises(Stop):
        copytrace.add(tmp_path / "ws", [new], progress=StopAt("fingerprints"))
    again = copytrace.scan([old, new], tmp_path / "ws")
    assert again.resumed == ["read"]
    assert not (tmp_path / "ws" / "index" / "increment").exists()
    assert_same_tables(tmp_path / "whole", tmp_path / "ws")


class _Clock:
    """``datetime`` as the scan reads the time: ``now`` is the time set here."""

    at = None

    @classmethod
    def now(cls, tz=None):
        return cls.at


def test_old_pages_dated_in_the_future_are_checked_again(tmp_path, monkeypatch):
    """``add`` checks again only the dates that may have changed: an old page dated in the future
    when it was scanned (the date may have come since); the other old pages keep their problems
    (here a batch time-stamp). The rejects and flags equal a scan of everything at the time of
    the add."""
    import datetime as dt
    import sys

    monkeypatch.setattr(sys.modules["copytrace.jobs.scan"], "datetime", _Clock)
    records = [json.loads(line) for line in CASCADES.read_text().splitlines()]
    dated = [r for r in records if r.get("date")]
    soon, later = "2031-03-01T12:00:00+00:00", "2031-06-01T12:00:00+00:00"
    dated[0]["date"] = soon  # in the future at the scan, in the past at the add
    dated[1]["date"] = later  # in the future at both
    for r in dated[2:14]:  # one time-stamp on a dozen pages of one file: an import time
        r["date"] = "2024-02-02T02:02:02+00:00"
    old, new = tmp_path / "old.jsonl", tmp_path / "new.jsonl"
    cut = len(records) // 2
    old.write_text("".join(json.dumps(r) + "\n" for r in records[:cut]))
    new.write_text("".join(json.dumps(r) + "\n" for r in records[cut:]))
    _Clock.at = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    copytrace.scan([old], tmp_path / "ws")
    first = copytrace.Workspace(tmp_path / "ws").table("rejects").column("reason").to_pylist()
    assert {f"date {soon} is after the time of this scan; not trusted", f"date {later} is after the time of this scan; not trusted"} <= set(first)
    _Clock.at = dt.datetime(2031, 4, 1, tzinfo=dt.UTC)
    copytrace.add(tmp_path / "ws", [new])
    copytrace.scan([old, new], tmp_path / "whole")
    assert_same_tables(tmp_path / "whole", tmp_path / "ws")
    reasons = copytrace.Workspace(tmp_path / "ws").table("rejects").column("reason").to_pylist()
    assert f"date {later} is after the time of this scan; not trusted" in reasons
    assert not any(soon in r for r in reasons)
    assert any("is shared by" in r for r in reasons)


def test_new_sites_that_make_a_footer_shared_template_refingerprint_the_old_pages(tmp_path, reuters):
    """Six pages of each of two sites, two of them with the network's footer, do not make it a
    shared template (no site shows it on 3 pages): those pages pair on it. The pages added later
    do, and the old pages lose it from their fingerprints: no pair is left, as in a scan of all."""
    from benchmarks.planted import independent
    from test_boilerplate import _shared_footer_corpus

    corpus, _ = _shared_footer_corpus(tmp_path, independent(reuters[:400]))
    lines = corpus.read_bytes().splitlines(keepends=True)
    first = [n for n in range(len(lines)) if n % 10 < 6 and n < 20]  # six pages of each of two sites: two with the footer
    (tmp_path / "in").mkdir()
    old, new = tmp_path / "in" / "old.jsonl", tmp_path / "in" / "new.jsonl"
    old.write_bytes(b"".join(lines[n] for n in first))
    new.write_bytes(b"".join(line for n, line in enumerate(lines) if n not in first))
    copytrace.scan([old, new], tmp_path / "whole")
    before = copytrace.scan([old], tmp_path / "ws")
    assert before.pairs.get("partial", 0) + before.pairs.get("copy", 0) > 0  # one site: the footer is still text
    copytrace.add(tmp_path / "ws", [new])
    assert copytrace.Workspace(tmp_path / "ws").table("pairs").num_rows == 0
    assert_same_tables(tmp_path / "whole", tmp_path / "ws")
