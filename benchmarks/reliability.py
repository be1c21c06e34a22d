"""Nothing lost, nothing let in: fuzzed inputs, kills and resumes, payloads, and the app under load.

    python -m benchmarks.reliability [--only fuzz ids kills payloads serve] [--serve-sizes 100000 1000000] [--serve-workspace WS ...]

- **fuzz**: a folder of every kind of bad input beside good records of real Reuters text: JSON
  Lines with broken, truncated, mistyped, repeated, oversized and badly encoded records (over
  10,000 lines), whole files with byte-order marks, UTF-16, binary, empty, broken gzip and
  unsupported types, the real WARC ``warcfile.warc`` cut short at random offsets and with a byte
  changed, a garbage crawl, and entries that are not files (a name that is not UTF-8, links to
  nothing or in a loop, a link to a folder, a named pipe, a socket). One ``copytrace scan`` of
  it (a subprocess, with a time limit: a hang is a finding) must exit cleanly, keep every good
  record, and list every bad one in ``rejects`` at its file and line with a short printable
  reason.
- **ids**: peak memory of a scan with 4,950 pairs (100 copies of one story) whose ids are short,
  one of which is 4,096 characters (the longest taken), and one of which is 100,000 (rejected).
- **kills**: a scan and an add killed at every durable step (:mod:`benchmarks.crashes`), and at
  random moments by ``kill -9`` from outside; each resumed, checked readable and equal, table by
  table and file by file, to an uninterrupted run.
- **payloads**: script and markup injections in the titles, sites, URLs and texts of a workspace;
  every page of its report and of the app must carry them escaped only.
- **serve**: ``copytrace serve`` of each ``--serve-workspace``: start-up time and memory; foreign
  Host headers and oversized requests; 100 concurrent clients on the pages and the API (latency
  median and 99th percentile, errors, requests per second); then ``copytrace report --site`` of
  its most copied site, with its peak memory.

Writes ``benchmarks/results/reliability.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from .accuracy import RESULTS, WORK
from .crashes import differences, kill_scan_and_add, readable, workspace_state
from .reuters import SHARED_DATA, load_reuters

ROOT = Path(__file__).resolve().parents[1]
COPYTRACE = [sys.executable, "-m", "copytrace"]
FUZZ_MAX_CHARS = 20_000  # the fuzz scan's --max-chars: oversized records stay small on disk


def _scan(args: list[str], timeout: float = 900) -> dict:
    """``copytrace ARGS`` in a subprocess: exit code, seconds, peak memory (MB), hung or not."""
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    try:
        run = subprocess.run([*COPYTRACE, *args], capture_output=True, text=True, timeout=timeout)
        code, hung, stderr = run.returncode, False, run.stderr
    except subprocess.TimeoutExpired as err:
        code, hung, stderr = None, True, (err.stderr or b"").decode(errors="replace") if isinstance(err.stderr, bytes) else (err.stderr or "")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"exit": code, "hung": hung, "seconds": round(time.perf_counter() - started, 2),
            "peak_mb": round(peak / 1024) if peak > before else None, "stderr_tail": stderr[-500:] if code else ""}


# --- fuzz ---------------------------------------------------------------------------------------


class Expected:
    """What each fuzzed input must become: documents by id, and rejects by (file, line, outcome)."""

    def __init__(self):
        self.documents: set[str] = set()
        self.rejects: list[tuple[str, int | None, str, str]] = []  # file, line, outcome, kind

    def doc(self, doc_id: str) -> None:
        self.documents.add(doc_id)

    def reject(self, path: Path, line: int | None, kind: str, outcome: str = "skipped") -> None:
        self.rejects.append((str(path), line, outcome, kind))


def _bad_lines(texts: list[str], rng: random.Random) -> list:
    """Line makers: each takes ``(n, good_id)`` and gives ``(bytes, outcome)`` where outcome is
    ``("doc", id)``, ``("skip", kind)`` or ``("kept", id, kind)``."""
    def good(text):
        return lambda n, _: (json.dumps({"id": f"g{n}", "text": text}).encode(), ("doc", f"g{n}"))

    def record(obj, outcome):
        return json.dumps(obj).encode(), outcome

    return [
        ("not JSON", lambda n, _: (b"{not json at all", ("skip", "not JSON"))),
        ("truncated", lambda n, _: (json.dumps({"id": f"t{n}", "text": rng.choice(texts)}).encode()[:60], ("skip", "truncated"))),
        ("array", lambda n, _: (b"[1, 2, 3]", ("skip", "array"))),
        ("string", lambda n, _: (b'"just a string"', ("skip", "string"))),
        ("no id", lambda n, _: record({"text": rng.choice(texts)}, ("skip", "no id"))),
        ("no text", lambda n, _: record({"id": f"nt{n}"}, ("skip", "no text"))),
        ("text a number", lambda n, _: record({"id": f"tn{n}", "text": 42}, ("skip", "text a number"))),
        ("id an object", lambda n, _: record({"id": {"a": 1}, "text": rng.choice(texts)}, ("skip", "id an object"))),
        ("id true", lambda n, _: record({"id": True, "text": rng.choice(texts)}, ("skip", "id true"))),
        ("empty text", lambda n, _: record({"id": f"e{n}", "text": ""}, ("skip", "empty text"))),
        ("blank text", lambda n, _: record({"id": f"b{n}", "text": " \n\t "}, ("skip", "blank text"))),
        ("repeated id", lambda n, prev: record({"id": prev, "text": rng.choice(texts)}, ("skip", "repeated id"))),
        ("over max_chars", lambda n, _: record({"id": f"o{n}", "text": "word " * (FUZZ_MAX_CHARS // 4)}, ("skip", "over max_chars"))),
        ("huge record", lambda n, _: record({"id": f"h{n}", "text": "x" * 10, "pad": "y" * (8 * FUZZ_MAX_CHARS + 10)}, ("skip", "huge record"))),
        ("100,000-character id", lambda n, _: record({"id": "i" * 100_000, "text": rng.choice(texts)}, ("skip", "100,000-character id"))),
        ("deep nesting", lambda n, _: (b'{"id": "d%d", "text": "x", "n": ' % n + b"[" * 2000 + b"]" * 2000 + b"}", ("skip", "deep nesting"))),
        ("raw NUL", lambda n, _: (b'{"id": "z%d", "text": "a\x00b"}' % n, ("skip", "raw NUL"))),
        ("bad UTF-8", lambda n, _: (json.dumps({"id": f"u{n}", "text": "\u00e9" + rng.choice(texts)}).encode().replace(b"\\u00e9", b"\xe9\xff", 1),
                                    ("kept", f"u{n}", "bad UTF-8"))),
        ("bad date", lambda n, _: record({"id": f"bd{n}", "text": rng.choice(texts), "date": "next Tuesday"}, ("kept", f"bd{n}", "bad date"))),
        ("bad lang", lambda n, _: record({"id": f"bl{n}", "text": rng.choice(texts), "lang": "klingon!"}, ("kept", f"bl{n}", "bad lang"))),
        ("41-digit id", lambda n, _: (b'{"id": %d, "text": %s}' % (10**40 + n, json.dumps(rng.choice(texts)).encode()),
                                      ("doc", str(10**40 + n)))),
        ("decimal id", lambda n, _: (b'{"id": %d.50, "text": %s}' % (n, json.dumps(rng.choice(texts)).encode()), ("doc", f"{n}.50"))),
    ], good


def build_fuzz(folder: Path, seed: int = 5, files: int = 10, lines_per_file: int = 1_100) -> Expected:
    """The fuzz folder and what each of its inputs must become."""
    rng = random.Random(seed)
    articles = load_reuters(limit=3000)
    texts = [a.text for a in articles if len(a.text) > 300]
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    want = Expected()
    kinds, good = _bad_lines(texts, rng)
    n = 0
    for f in range(files):
        path = folder / f"records-{f:02d}.jsonl"
        lines, last_good = [], "g0"
        for line in range(1, lines_per_file + 1):
            n += 1
            if rng.random() < 0.3:
                kind, make = kinds[n % len(kinds)]
                data, outcome = make(n, last_good)
            else:
                data, outcome = good(texts[n % len(texts)] + f"\n\nItem {n}.")(n, None)
            lines.append(data)
            if outcome[0] == "doc":
                want.doc(outcome[1])
                last_good = outcome[1]
            elif outcome[0] == "skip":
                want.reject(path, line, outcome[1])
            else:
                want.doc(outcome[1])
                want.reject(path, line, outcome[2], "kept")
        path.write_bytes(b"\n".join(lines) + b"\n")
    whole = [json.dumps({"id": f"w{i}", "text": texts[i]}) for i in range(3)]
    (folder / "bom.jsonl").write_bytes(b"\xef\xbb\xbf" + "\n".join(whole).encode())
    for i in range(3):
        want.doc(f"w{i}")
    (folder / "utf16.jsonl").write_bytes("\n".join(w.replace('"w', '"v') for w in whole).encode("utf-16"))
    for i in range(3):
        want.doc(f"v{i}")
    (folder / "list.json").write_text(json.dumps([{"id": "j1", "text": texts[5]}, {"id": "j2"}, "nope"]))
    want.doc("j1")
    want.reject(folder / "list.json", 2, "JSON list element without text")
    want.reject(folder / "list.json", 3, "JSON list element not an object")
    (folder / "latin1.json").write_bytes(json.dumps({"id": "j3", "text": texts[6]}).encode().replace(b" the ", b" th\xe9 ", 1))
    want.doc("j3")
    want.reject(folder / "latin1.json", None, "invalid UTF-8 in JSON", "kept")
    (folder / "story.txt").write_text(texts[7])
    want.doc("story.txt")
    (folder / "binary.txt").write_bytes(bytes(rng.randrange(256) for _ in range(5000)))
    want.reject(folder / "binary.txt", None, "binary text file")
    for name in ("empty.jsonl", "empty.txt", "empty.json", "empty.warc", "empty.html"):
        (folder / name).write_bytes(b"")
        want.reject(folder / name, None, "empty file")
    (folder / "blank.jsonl").write_bytes(b"\n\n  \n")
    want.reject(folder / "blank.jsonl", None, "blank JSON Lines")
    (folder / "broken.jsonl.gz").write_bytes(gzip.compress("\n".join(whole).encode())[:-30])
    want.reject(folder / "broken.jsonl.gz", "any", "truncated gzip")  # (its whole records are read first)
    (folder / "notgzip.txt.gz").write_bytes(b"plain bytes, not gzip")
    want.reject(folder / "notgzip.txt.gz", None, "not gzip")
    (folder / "old.arc").write_bytes(b"filedesc://x 0.0.0.0 20000101 text/plain 1\n")
    want.reject(folder / "old.arc", None, "ARC")
    (folder / "data.xyz").write_text("x")
    want.reject(folder / "data.xyz", None, "unsupported type")
    warc = (SHARED_DATA / "web" / "warc" / "resiliparse-warc-testdata" / "warcfile.warc").read_bytes()
    for i in range(5):
        cut = rng.randrange(len(warc) // 10, len(warc) - 1000)
        (folder / f"cut-{i}.warc").write_bytes(warc[:cut])
        want.reject(folder / f"cut-{i}.warc", "any", "WARC cut short")
    at = warc.index(b"<html", len(warc) // 3) + 200
    (folder / "altered.warc").write_bytes(warc[:at] + bytes([warc[at] ^ 0x20]) + warc[at + 1 :])
    want.reject(folder / "altered.warc", "any", "WARC altered")
    (folder / "garbage.warc").write_bytes(bytes(rng.randrange(256) for _ in range(4000)))
    want.reject(folder / "garbage.warc", 0, "garbage WARC")
    clipped = SHARED_DATA / "web" / "warc" / "resiliparse-warc-testdata" / "clipped.warc.gz"
    shutil.copy(clipped, folder / "clipped.warc.gz")
    want.reject(folder / "clipped.warc.gz", "any", "clipped WARC")
    odd = folder / "odd"
    odd.mkdir()
    (odd / os.fsdecode(b"caf\xe9.txt")).write_text(texts[8])
    (odd / "dangling.txt").symlink_to("nowhere.txt")
    (odd / "self.txt").symlink_to("self.txt")
    (odd / "a.txt").symlink_to("b.txt")
    (odd / "b.txt").symlink_to("a.txt")
    (odd / "folder-link").symlink_to("..")
    os.mkfifo(odd / "pipe.txt")
    for name in ("caf\\xe9.txt", "dangling.txt", "self.txt", "a.txt", "b.txt", "folder-link", "pipe.txt", "sock.txt"):
        want.reject(odd / name, None, f"odd entry {name}")
    return want


def fuzz(work: Path) -> dict:
    """Scan the fuzz folder; every input accounted for."""
    folder = work / "fuzz-in"
    want = build_fuzz(folder)
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "odd" / "sock.txt"))  # (a socket lives while its process does)
    workspace = work / "fuzz-ws"
    shutil.rmtree(workspace, ignore_errors=True)
    run = _scan(["scan", str(folder), "--out", str(workspace), "--max-chars", str(FUZZ_MAX_CHARS), "--quiet"], timeout=900)
    sock.close()
    for name in ("pipe.txt", "sock.txt"):  # (tools that walk the work folder would block opening a pipe)
        (folder / "odd" / name).unlink()
    import pyarrow.parquet as pq

    docs = set(pq.read_table(workspace / "documents", columns=["doc_id"]).column("doc_id").to_pylist()) if run["exit"] == 0 else set()
    rejects = pq.read_table(workspace / "rejects.parquet").to_pylist() if run["exit"] == 0 else []
    by_place = {}
    for r in rejects:
        by_place.setdefault((r["source"], r["line"], r["outcome"]), r)
        by_place.setdefault((r["source"], "any", r["outcome"]), r)
    missing = [(f, line, outcome, kind) for f, line, outcome, kind in want.rejects if (f, line, outcome) not in by_place]
    from copytrace.ingest.read import read_inputs

    crawl = {r.doc_id: r.text for r in read_inputs([SHARED_DATA / "web" / "warc" / "resiliparse-warc-testdata" / "warcfile.warc"]) if hasattr(r, "text")}
    from_crawls = {d for d in docs if d in crawl}  # the whole records of the cut and altered crawls
    texts = dict(zip(*pq.read_table(workspace / "documents", columns=["doc_id", "text"]).to_pydict().values())) if from_crawls else {}
    lost = sorted(want.documents - docs)
    let_in = sorted(docs - want.documents - from_crawls) + sorted(d for d in from_crawls if texts[d] != crawl[d])
    bad_reasons = [r["reason"][:80] for r in rejects if not r["reason"].isprintable() or len(r["reason"]) > 300]
    lines = sum(1 for p in folder.glob("records-*.jsonl") for _ in p.open("rb"))
    return {
        **run,
        "jsonl_lines": lines, "crawl_documents_whole": len(from_crawls), "inputs_expected_rejected": len(want.rejects), "good_documents": len(want.documents),
        "good_lost": len(lost), "lost_examples": lost[:5], "unexpected_documents": len(let_in), "unexpected_examples": let_in[:5],
        "bad_not_in_rejects": len(missing), "missing_examples": [list(m) for m in missing[:8]],
        "rejects_rows": len(rejects), "reasons_not_short_or_printable": len(bad_reasons),
        "kinds": sorted({kind for *_, kind in want.rejects}),
    }


# --- ids ------------------------------------------------------------------------------------------


def id_memory(work: Path) -> dict:
    """Peak memory of a scan with 4,950 pairs, by the length of its longest id."""
    from copytrace.ingest.read import MAX_ID_CHARS

    story = next(a for a in load_reuters(limit=500) if len(a.paragraphs) >= 6 and len(a.text) > 2000)
    out = {}
    for label, longest in (("short ids", 12), (f"one id of {MAX_ID_CHARS:,} characters", MAX_ID_CHARS), ("one id of 100,000 characters", 100_000)):
        path = work / f"ids-{longest}.jsonl"
        with path.open("w") as fh:
            for i in range(100):  # (a fingerprint in more than 100 documents is too common to pair them: max_df)
                doc_id = ("x" * longest) if i == 0 else f"copy-{i:05d}"
                text = story.text + f"\n\nCopy {i}, published by site {i}."
                fh.write(json.dumps({"id": doc_id, "text": text, "site": f"site{i}.example"}) + "\n")
        workspace = work / f"ids-ws-{longest}"
        shutil.rmtree(workspace, ignore_errors=True)
        run = _scan_in_child(path, workspace)
        out[label] = run
    return out


def _scan_in_child(path: Path, workspace: Path) -> dict:
    """A scan in a fresh process of its own, its own peak memory measured (RUSAGE_CHILDREN keeps
    the largest child so far, so each measure needs a process that starts no other)."""
    code = (
        "import json, resource, sys, copytrace; r = copytrace.scan([sys.argv[1]], sys.argv[2]); "
        "print(json.dumps({'pairs': sum(r.pairs.values()), 'documents': r.documents, 'rejected': r.rejects_skipped, "
        "'peak_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))"
    )
    run = subprocess.run([sys.executable, "-c", code, str(path), str(workspace)], capture_output=True, text=True, timeout=900)
    return json.loads(run.stdout) if run.returncode == 0 else {"exit": run.returncode, "stderr": run.stderr[-500:]}


# --- kills ----------------------------------------------------------------------------------------


def kills(work: Path, random_kills: int = 20, seed: int = 3) -> dict:
    """Every step of a scan and an add of the sample corpus, then ``random_kills`` kill -9 at
    random moments of scans and adds of a larger one (Reuters with planted copies): runs that
    end before their kill are counted and tried again."""
    sample = (ROOT / "examples" / "sample.jsonl").read_text().splitlines(keepends=True)
    old, new = work / "kills-old.jsonl", work / "kills-new.jsonl"
    old.write_text("".join(sample[:100]))
    new.write_text("".join(sample[100:]))
    every = kill_scan_and_add([str(old)], [str(new)], work / "kills-steps")

    from .planted import build

    planted = build(load_reuters(limit=8000), per_kind=10, seed=seed, include_all=True)
    docs = planted.documents
    big_old, big_new = work / "kills-big-old.jsonl", work / "kills-big-new.jsonl"
    half = len(docs) * 9 // 10
    big_old.write_text("".join(json.dumps(d) + "\n" for d in docs[:half]))
    big_new.write_text("".join(json.dumps(d) + "\n" for d in docs[half:]))
    reference = work / "kills-reference"
    shutil.rmtree(reference, ignore_errors=True)
    timed = {}
    started = time.perf_counter()
    _scan(["scan", str(big_old), "--out", str(reference), "--quiet"])
    timed["scan"] = time.perf_counter() - started
    scanned = work / "kills-scanned"
    shutil.rmtree(scanned, ignore_errors=True)
    shutil.copytree(reference, scanned)
    started = time.perf_counter()
    _scan(["add", str(reference), str(big_new), "--quiet"])
    timed["add"] = time.perf_counter() - started
    want = {"scan": workspace_state(scanned), "add": workspace_state(reference)}
    rng = random.Random(seed)
    found = {"killed": 0, "finished_before_the_kill": 0, "readable": 0, "resumed_equal": 0, "problems": []}
    k = 0
    while found["killed"] < random_kills and k < 3 * random_kills:  # until that many runs were killed
        k += 1
        job = ("scan", "add")[found["killed"] % 2]
        trial = work / "kills-trial"
        shutil.rmtree(trial, ignore_errors=True)
        if job == "add":
            shutil.copytree(scanned, trial)
        args = ["scan", str(big_old), "--out", str(trial), "--quiet"] if job == "scan" else ["add", str(trial), str(big_new), "--quiet"]
        process = subprocess.Popen([*COPYTRACE, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 0.95 * timed[job]))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            found["killed"] += 1
        else:
            found["finished_before_the_kill"] += 1
        process.wait()
        problem = readable(trial)
        found["readable"] += problem is None
        if problem:
            found["problems"].append(f"{job} #{k}: unreadable: {problem}")
        _scan(args)
        diff = differences(workspace_state(trial), want[job])
        found["resumed_equal"] += not diff
        if diff:
            found["problems"].append(f"{job} #{k}: {'; '.join(diff[:4])}")
    return {"every_step": every, "random": {"tries": k, "documents": len(docs), "seconds_uninterrupted": {name: round(v, 1) for name, v in timed.items()}, **found}}


# --- payloads -------------------------------------------------------------------------------------

#: Injections in every field an article brings; each would run or alter the page if not escaped.
PAYLOADS = (
    "<script>window.__pwned='script'</script>",
    "<img src=x onerror=window.__pwned='img'>",
    "<svg onload=window.__pwned='svg'>",
    "<iframe src=\"javascript:window.__pwned='iframe'\"></iframe>",
    "\"><script>window.__pwned='attr-break'</script>",
    "'><img src=x onerror=window.__pwned='quote-break'>",
    "</textarea><script>window.__pwned='textarea'</script>",
    "</title><script>window.__pwned='title-break'</script>",
    "<a href=\"javascript:window.__pwned='link'\">x</a>",
    "<body onload=window.__pwned='body'>",
    "<style>@import 'https://evil.example/x.css';</style>",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\">",
    "<base href=\"https://evil.example/\">",
    "<form action=\"https://evil.example/\"><button>x</button></form>",
    "<object data=\"javascript:window.__pwned='object'\"></object>",
    "<details open ontoggle=window.__pwned='details'>",
    "<math><mtext></mtext><mglyph><svg><mtext><style><img src=x onerror=window.__pwned='mxss'></style></mtext></svg></mglyph></math>",
    "<!--<script>window.__pwned='comment'</script>-->",
    "<![CDATA[<script>window.__pwned='cdata'</script>]]>",
    "<script>/*</script><script>window.__pwned='split'//*/</script>",
)


def payloads(work: Path) -> dict:
    """Pages of the report and the app, with every payload in titles, sites, URLs and texts: a
    page is let in when a payload appears in it unescaped."""
    from fastapi.testclient import TestClient

    import copytrace
    from copytrace.present.report import write_report
    from copytrace.present.serve import create_app
    from copytrace.present.views import Views, key_of

    stories = [a for a in load_reuters(limit=600) if len(a.paragraphs) >= 4][: len(PAYLOADS) * 2]
    records = []
    for i, payload in enumerate(PAYLOADS):
        source, other = stories[2 * i], stories[2 * i + 1]
        text = "\n\n".join([source.paragraphs[0], payload, *source.paragraphs[1:]])
        records.append({"id": f"src-{i}{payload}", "text": text, "title": payload + " " + source.title, "site": f"wire{i}.example",
                        "url": f"https://wire{i}.example/{i}?q={payload}", "date": "2024-03-01T08:00:00+00:00"})
        records.append({"id": f"copy-{i}", "text": text + f"\n\nSource: wire{i}.example {payload}", "title": source.title,
                        "site": f"copy{i}.example", "url": f"javascript:{payload}", "date": "2024-03-01T12:00:00+00:00"})
        records.append({"id": f"other-{i}", "text": other.text, "title": payload, "site": f"other{i}.example", "date": "2024-03-02"})
    inputs = work / "payloads.jsonl"
    inputs.write_text("".join(json.dumps(r) + "\n" for r in records))
    workspace = work / "payloads-ws"
    shutil.rmtree(workspace, ignore_errors=True)
    copytrace.scan([inputs], workspace)
    site = work / "payloads-report"
    shutil.rmtree(site, ignore_errors=True)
    write_report(workspace, site)
    pages = {str(p.relative_to(site)): p.read_text(encoding="utf-8") for p in site.rglob("*.html")}
    views = Views(workspace)
    client = TestClient(create_app(workspace), base_url="http://127.0.0.1")
    urls = ["/", "/sites", "/cascades", "/pairs", "/search?q=" + PAYLOADS[0]]
    urls += [f"/pair/{key_of(p['a_id'], p['b_id'])}" for p in views.pairs]
    urls += [f"/doc/{key_of(d)}" for d in views.docs]
    urls += [f"/site/{key_of(s)}" for s in views.sites]
    urls += [f"/cascade/{c}" for c in views.cascades]
    for url in urls:
        pages["app " + url[:60]] = client.get(url).text
    unescaped = sorted({name for name, html in pages.items() for p in PAYLOADS if p in html})
    return {"payloads": len(PAYLOADS), "report_pages": sum(not n.startswith("app ") for n in pages), "app_pages": len(urls),
            "pages_with_a_payload_unescaped": len(unescaped), "examples": unescaped[:5], "pairs": len(views.pairs)}


# --- serve ----------------------------------------------------------------------------------------


def _request(port: int, path: str, host: str = "127.0.0.1", method: str = "GET", body: bytes | None = None, timeout: float = 120):
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", host)
        if body is not None:
            connection.putheader("Content-Type", "application/json")
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.read()
    except OSError as err:
        return None, repr(err).encode()
    finally:
        connection.close()


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def serve(workspace: Path, clients: int = 100, requests_per_client: int = 20, seed: int = 1) -> dict:
    """Start ``copytrace serve`` on ``workspace``; check hosts and limits; load it."""
    from copytrace.store.workspace import Workspace
    from copytrace.present.views import key_of

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.perf_counter()
    process = subprocess.Popen([*COPYTRACE, "serve", str(workspace), "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while _request(port, "/api/sites?x=1", timeout=5)[0] != 200:
            if process.poll() is not None or time.perf_counter() - started > 600:
                return {"workspace": str(workspace), "error": "did not start", "stderr": process.stderr.read().decode()[-800:]}
            time.sleep(0.1)
        startup = time.perf_counter() - started
        rss_started = _rss_mb(process.pid)
        ws = Workspace(workspace)
        pairs = ws.table("pairs", columns=["a_id", "b_id"]).slice(0, 2000).to_pylist()
        docs = [p["a_id"] for p in pairs[:1000]]
        sites = ws.table("sites", columns=["site"]).column("site").to_pylist()[:200] if ws.has("sites") else []
        cascades = ws.table("cascades", columns=["cascade_id"]).column("cascade_id").to_pylist()[:500] if ws.has("cascades") else []
        rng = random.Random(seed)

        def pick() -> str:
            kind = rng.randrange(10)
            if kind == 0:
                return rng.choice(["/", "/api/overview"])
            if kind == 1:
                return rng.choice(["/sites", "/api/sites", "/cascades", "/api/cascades", "/pairs", "/api/pairs?page=1"])
            if kind == 2 and sites:
                return rng.choice(["/site/", "/api/sites/"]) + key_of(rng.choice(sites))
            if kind == 3 and cascades:
                return rng.choice(["/cascade/", "/api/cascades/"]) + str(rng.choice(cascades))
            if kind in (4, 5, 6) and pairs:
                p = rng.choice(pairs)
                return rng.choice(["/pair/", "/api/pairs/"]) + key_of(p["a_id"], p["b_id"])
            if docs:
                return rng.choice(["/doc/", "/api/documents/"]) + key_of(rng.choice(docs))
            return "/"

        plan = [[pick() for _ in range(requests_per_client)] for _ in range(clients)]
        for path in ("/", "/api/overview", "/sites", "/cascades", "/pairs"):  # the first of each view: caches warmed
            _request(port, path)
        checks = {
            "foreign_host": _request(port, "/", host="evil.example")[0],
            "foreign_host_api": _request(port, "/api/overview", host="evil.example:8000")[0],
            "search_30000_cyrillic": _request(port, "/api/search?q=" + "%D0%96" * 30_000)[0],
            "search_100000_ascii": _request(port, "/api/search?q=" + "a" * 100_000)[0],
            "search_300000_ascii": _request(port, "/api/search?q=" + "a" * 300_000)[0],
            "address_over_limit": _request(port, "/search?q=" + "%D0%96" * 210_000)[0],
            "body_over_limit": _request(port, "/api/compare", method="POST", body=b"{" + b" " * 9_000_000 + b"}")[0],
        }
        latencies: list[tuple[str, float]] = []
        errors: list[str] = []
        lock = threading.Lock()

        def client(paths: list[str]) -> None:
            for path in paths:
                t = time.perf_counter()
                status, body = _request(port, path)
                took = time.perf_counter() - t
                with lock:
                    latencies.append((path, took))
                    if status != 200:
                        errors.append(f"{path}: {status} {body[:80]!r}")

        threads = [threading.Thread(target=client, args=(paths,)) for paths in plan]
        load_started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - load_started
        times = sorted(x for _, x in latencies)
        pages = sorted(x for p, x in latencies if not p.startswith("/api/"))
        api = sorted(x for p, x in latencies if p.startswith("/api/"))

        def pct(values, q):
            return round(1000 * values[min(len(values) - 1, int(q * len(values)))], 1) if values else None

        by_view: dict[str, list[float]] = {}
        for path, x in latencies:
            view = path.split("?")[0].rsplit("/", 1)[0] if path.count("/") > 1 else path.split("?")[0]
            by_view.setdefault(view or "/", []).append(x)
        return {
            "workspace": str(workspace), "documents": ws.table("documents", columns=["chars"]).num_rows,
            "startup_seconds": round(startup, 2), "rss_mb_started": round(rss_started), "rss_mb_after_load": round(_rss_mb(process.pid)),
            "checks": checks, "clients": clients, "requests": len(latencies), "errors": len(errors), "error_examples": errors[:5],
            "requests_per_second": round(len(latencies) / wall, 1),
            "ms_median": pct(times, 0.5), "ms_p99": pct(times, 0.99), "pages_ms_p99": pct(pages, 0.99), "api_ms_p99": pct(api, 0.99),
            "ms_median_by_view": {k: round(1000 * statistics.median(v), 1) for k, v in sorted(by_view.items())},
        }
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


def _generated_workspace(size: int) -> Path:
    """The workspace of the generated corpus of ``size`` documents (scanned on first use)."""
    import copytrace

    from .generated import corpus

    workspace = WORK / f"serve-{size}"
    if not (workspace / "manifest.json").exists() or "provenance" not in json.loads((workspace / "manifest.json").read_text()):
        path, _ = corpus(size, WORK)
        copytrace.scan([path], workspace)
    return workspace


def filtered_report(workspace: Path, work: Path) -> dict:
    """``copytrace report --site`` of the site most copied, in a process of its own: seconds,
    peak memory, pages; beside the same for the whole workspace when it is small enough."""
    from copytrace.store.workspace import Workspace

    sites = Workspace(workspace).table("sites", columns=["site", "copied_by_others"]).sort_by([("copied_by_others", "descending")])
    site = sites.column("site")[0].as_py()
    out = work / "report-one-site"
    shutil.rmtree(out, ignore_errors=True)
    run = _scan_peak(["report", str(workspace), "--out", str(out), "--site", site, "--quiet"])
    return {"workspace": str(workspace), "site": site, **run, "pages": sum(1 for _ in out.rglob("*.html"))}


def _scan_peak(args: list[str]) -> dict:
    """``copytrace ARGS`` in a process whose own peak memory is read (GNU time)."""
    started = time.perf_counter()
    run = subprocess.run(["/usr/bin/time", "-f", "%M", *COPYTRACE, *args], capture_output=True, text=True, timeout=3600)
    peak_kb = int(run.stderr.strip().splitlines()[-1]) if run.stderr.strip() else 0
    return {"exit": run.returncode, "seconds": round(time.perf_counter() - started, 1), "peak_mb": round(peak_kb / 1024)}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=["fuzz", "ids", "kills", "payloads", "serve"])
    parser.add_argument("--serve-workspace", nargs="+", type=Path, default=[], help="workspaces to serve under load (default: the sample's)")
    parser.add_argument("--serve-sizes", nargs="+", type=int, default=[],
                        help="also serve the generated corpora of these sizes (benchmarks.generated), scanned once into benchmarks/work/serve-N")
    args = parser.parse_args(argv)
    work = WORK / "reliability"
    work.mkdir(parents=True, exist_ok=True)
    out_path = RESULTS / "reliability.json"
    result = json.loads(out_path.read_text()) if out_path.exists() else {}
    chosen = args.only or ["fuzz", "ids", "kills", "payloads", "serve"]
    if "fuzz" in chosen:
        result["fuzz"] = fuzz(work)
    if "ids" in chosen:
        result["ids"] = id_memory(work)
    if "kills" in chosen:
        result["kills"] = kills(work)
    if "payloads" in chosen:
        result["payloads"] = payloads(work)
    if "serve" in chosen:
        targets = list(args.serve_workspace)
        for size in args.serve_sizes:
            targets.append(_generated_workspace(size))
        if not targets:
            import copytrace

            copytrace.scan([ROOT / "examples" / "cascades.jsonl"], work / "serve-sample")
            targets = [work / "serve-sample"]
        result["serve"] = [serve(t) for t in targets]
        result["report_one_site"] = [filtered_report(t, work) for t in targets]
    out_path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: result[k] for k in chosen}, indent=2, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main()
