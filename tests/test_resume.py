"""A run killed at any moment resumes exactly; an add of what is there already does nothing.

The sample corpus (examples/sample.jsonl: copies generated from Reuters stories) is scanned in two
halves: a scan of the first, then an add of the second. Both are killed at every durable step
(:mod:`benchmarks.crashes`) and resumed."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import copytrace
from benchmarks.crashes import differences, workspace_state
from copytrace.jobs.add import add

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample.jsonl"


def halves(folder: Path) -> tuple[Path, Path]:
    lines = SAMPLE.read_text().splitlines(keepends=True)
    old, new = folder / "old.jsonl", folder / "new.jsonl"
    old.write_text("".join(lines[:100]))
    new.write_text("".join(lines[100:]))
    return old, new


def test_scan_and_add_killed_at_every_step_resume_to_the_same_tables(tmp_path):
    old, new = halves(tmp_path)
    # in a process of its own: it forks, and this one may run threads
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.crashes", "--old", str(old), "--new", str(new), "--work", str(tmp_path / "work")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    found = json.loads(run.stdout)
    for job in ("scan", "add"):
        kills = found[job]
        assert kills["steps"] >= 20 and kills["killed"] == kills["steps"], kills  # every step tried
        assert kills["readable"] == kills["killed"] and kills["resumed_equal"] == kills["killed"], kills


def test_adding_what_is_there_already_is_a_no_op_that_says_so(tmp_path):
    old, new = halves(tmp_path)
    folder = tmp_path / "more"
    folder.mkdir()
    shutil.copy(new, folder / "new.jsonl")
    copytrace.scan([old], tmp_path / "ws")
    first = add(tmp_path / "ws", [folder])
    before = workspace_state(tmp_path / "ws")
    again = add(tmp_path / "ws", [folder])
    assert again.already_added == 1 and again.resumed == ["read", "fingerprints", "candidates", "align", "provenance"]
    assert differences(workspace_state(tmp_path / "ws"), before) == []  # not a file changed
    assert again.documents == first.documents == 156 and again.pairs == first.pairs
    # a folder that gained a file: only the new file is read
    lines = SAMPLE.read_text().splitlines(keepends=True)
    (folder / "later.jsonl").write_text(lines[0].replace('"id":"', '"id":"later-', 1))
    more = add(tmp_path / "ws", [folder])
    assert more.already_added == 1 and more.documents == 157 and more.rejects_skipped == 0
    assert "read" not in more.resumed
