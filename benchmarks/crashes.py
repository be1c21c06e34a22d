"""Kill a ``scan`` or an ``add`` at each of its durable steps, resume it, and compare.

A run changes the workspace on disk in durable steps (a file renamed into place, the manifest
saved, a file removed: :func:`copytrace.store.workspace.durable_step`). For each step ``n`` in
turn a child process runs the job and kills itself with SIGKILL at step ``n``; the workspace is
then checked readable (the manifest parses, every table it lists reads), the job is run again,
and the workspace must equal that of a run never stopped: every table the same row for row, the
index files the same bytes, no file more or less. Children are forked from one warmed-up process
(imports and compiled kernels loaded once: call :func:`copytrace.kernels.load_kernels` before),
so trying every step costs a fraction of a second each. Used by ``tests/test_resume.py`` and :mod:`benchmarks.reliability`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


def workspace_state(path: Path) -> dict[str, object]:
    """Everything a workspace holds, by file: tables as Arrow tables, the manifest as JSON, other
    files by their SHA-256."""
    import pyarrow.parquet as pq

    state: dict[str, object] = {}
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        name = file.relative_to(path).as_posix()
        if file.suffix == ".parquet":
            state[name] = pq.read_table(file)
        elif name == "manifest.json":
            state[name] = json.loads(file.read_text())
        else:
            state[name] = hashlib.sha256(file.read_bytes()).hexdigest()
    return state


def differences(got: dict, want: dict) -> list[str]:
    """What differs between two :func:`workspace_state` results (empty: equal)."""
    found = [f"stray file {name}" for name in sorted(set(got) - set(want))]
    found += [f"missing file {name}" for name in sorted(set(want) - set(got))]
    for name in sorted(set(got) & set(want)):
        a, b = got[name], want[name]
        same = a.equals(b) if hasattr(a, "equals") else a == b
        if not same:
            found.append(f"{name} differs")
    return found


def readable(path: Path) -> str | None:
    """Why a stopped run's workspace cannot be read (None: it can): the manifest must parse and
    every table present must read whole."""
    from copytrace.store.workspace import SCHEMAS, Workspace

    ws = Workspace(path)
    try:
        if ws.manifest_path.exists():
            json.loads(ws.manifest_path.read_text())
        for name in SCHEMAS:
            if ws.has(name):
                ws.table(name)
    except Exception as err:  # noqa: BLE001 - any failure to read is the finding
        return f"{type(err).__name__}: {err}"
    return None


@dataclass
class Kills:
    """What killing a job at every step found."""

    job: str
    steps: int = 0  # durable steps of an uninterrupted run
    killed: int = 0
    unreadable: list[str] = field(default_factory=list)
    unequal: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "job": self.job, "steps": self.steps, "killed": self.killed,
            "readable": self.killed - len(self.unreadable), "resumed_equal": self.killed - len(self.unequal),
            "unreadable": self.unreadable[:10], "unequal": self.unequal[:10],
        }


def _in_child(work: Callable[[], None], kill_at: int = 0) -> tuple[int, int]:
    """Run ``work`` in a forked child (killed at durable step ``kill_at``, 0: not); returns how it
    ended (``os.waitstatus_to_exitcode``: -9 when killed) and the steps it took."""
    for thread in threading.enumerate():  # a lock held by a thread at the fork would never be let go in the child
        if thread is not threading.main_thread():
            thread.join()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read)
        code = 0
        try:
            from copytrace.store import workspace

            workspace.KILL_AT_STEP, workspace._steps_taken = kill_at, 0
            work()
            os.write(write, str(workspace.steps_taken()).encode())
        except BaseException:  # noqa: BLE001 - reported as a failed run
            import traceback

            traceback.print_exc()
            code = 1
        os._exit(code)
    os.close(write)
    with os.fdopen(read) as pipe:
        steps = pipe.read()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), int(steps or 0)


def kill_at_every_step(job: str, prepare: Callable[[Path], None], run: Callable[[Path], None], work: Path, limit: int | None = None) -> Kills:
    """Kill ``run(workspace)`` at each of its durable steps (all of them, or the first ``limit``).
    ``prepare(workspace)`` makes the workspace it starts from (for ``add``: a finished scan)."""
    found = Kills(job)
    reference = work / f"{job}-reference"
    shutil.rmtree(reference, ignore_errors=True)
    prepare(reference)
    code, found.steps = _in_child(lambda: run(reference))
    if code != 0:
        raise RuntimeError(f"the uninterrupted {job} failed (exit {code})")
    want = workspace_state(reference)
    start = work / f"{job}-start"
    shutil.rmtree(start, ignore_errors=True)
    prepare(start)
    start.mkdir(parents=True, exist_ok=True)
    for step in range(1, min(found.steps, limit or found.steps) + 1):
        trial = work / f"{job}-killed"
        shutil.rmtree(trial, ignore_errors=True)
        shutil.copytree(start, trial, symlinks=True)
        code, _ = _in_child(lambda: run(trial), kill_at=step)
        if code != -signal.SIGKILL:
            raise RuntimeError(f"{job} was to be killed at step {step} of {found.steps} but ended with {code}")
        found.killed += 1
        problem = readable(trial)
        if problem:
            found.unreadable.append(f"step {step}: {problem}")
        code, _ = _in_child(lambda: run(trial))
        diff = differences(workspace_state(trial), want) if code == 0 else [f"the resumed run failed (exit {code})"]
        if diff:
            found.unequal.append(f"step {step}: {'; '.join(diff[:5])}")
    return found


def kill_scan_and_add(old: list[str], new: list[str], work: Path, limit: int | None = None) -> dict:
    """Kill a scan of ``old`` at each of its steps, then an add of ``new`` to that scan at each of
    its own; resumed, each must end as an uninterrupted run ends."""
    import copytrace
    from copytrace.jobs.add import add
    from copytrace.kernels import load_kernels

    load_kernels()  # in this process, before any child is forked
    work.mkdir(parents=True, exist_ok=True)
    scans = kill_at_every_step("scan", lambda ws: None, lambda ws: copytrace.scan(old, ws), work, limit)
    adds = kill_at_every_step("add", lambda ws: copytrace.scan(old, ws), lambda ws: add(ws, new), work, limit)
    return {"scan": scans.to_dict(), "add": adds.to_dict()}


def main() -> None:
    """``python -m benchmarks.crashes --old A.jsonl --new B.jsonl --work DIR``: the findings as JSON."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", nargs="+", required=True)
    parser.add_argument("--new", nargs="+", required=True)
    parser.add_argument("--work", type=Path, required=True)
    args = parser.parse_args()
    print(json.dumps(kill_scan_and_add(args.old, args.new, args.work)))


if __name__ == "__main__":
    main()
