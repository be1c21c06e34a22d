"""Bad input never crashes a run and never disappears."""

import gzip
import json

import pyarrow.parquet as pq

import copytrace
from copytrace.ingest.records import Document, Reject
from copytrace.ingest.read import read_inputs


def records(paths, **kw):
    return list(read_inputs(paths, **kw))


def test_text_folder_and_jsonl(tmp_path, reuters):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_text(reuters[0].text)
    (tmp_path / "a" / "two.txt.gz").write_bytes(gzip.compress(reuters[1].text.encode()))
    lines = [
        {"id": "r2", "text": reuters[2].text, "url": "https://francais.rt.com/x/1", "date": "1987-02-26"},
        {"id": 3, "text": reuters[3].text, "series": "Reuters.com"},
    ]
    (tmp_path / "b.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n\n")
    out = records([tmp_path / "a", tmp_path / "b.jsonl"])
    assert all(isinstance(r, Document) for r in out)
    assert [d.doc_id for d in out] == ["one.txt", "two.txt", "r2", "3"]
    assert out[1].text == reuters[1].text
    assert out[2].site == "rt.com" and out[2].date == "1987-02-26" and out[2].line == 1
    assert out[3].site == "reuters.com"


def test_every_bad_record_is_named_with_file_and_line(tmp_path, reuters):
    good = reuters[0].text
    lines = [
        json.dumps({"id": "ok", "text": good}),
        "{not json",
        json.dumps({"id": "no-text"}),
        json.dumps({"text": good}),
        json.dumps({"id": "empty", "text": "   \n "}),
        json.dumps({"id": "ok", "text": reuters[1].text}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "bad-date", "text": reuters[2].text, "date": "last Tuesday"}),
    ]
    (tmp_path / "c.jsonl").write_text("\n".join(lines) + "\n")
    out = records([tmp_path / "c.jsonl"])
    rejects = [r for r in out if isinstance(r, Reject)]
    docs = [r for r in out if isinstance(r, Document)]
    assert [d.doc_id for d in docs] == ["ok", "bad-date"]
    by_line = {r.line: r for r in rejects}
    assert "not valid JSON" in by_line[2].reason
    assert "missing required field 'text'" in by_line[3].reason
    assert "missing required field 'id'" in by_line[4].reason
    assert "empty article" in by_line[5].reason
    assert "duplicate id 'ok'" in by_line[6].reason and "c.jsonl:1" in by_line[6].reason
    assert "not a JSON object" in by_line[7].reason
    assert by_line[8].outcome == "kept" and "not an ISO 8601 date" in by_line[8].reason
    assert all(r.source.endswith("c.jsonl") for r in rejects)


def test_a_folder_gives_its_article_files_and_lists_the_rest(tmp_path, reuters):
    """A collection as it is downloaded: articles beside its README, licence, notes and a .git."""
    folder = tmp_path / "collection"
    (folder / ".git").mkdir(parents=True)
    (folder / "one.txt").write_text(reuters[0].text)
    (folder / "LICENSE").write_text("MIT License\n\nPermission is hereby granted, free of charge, to any person")
    (folder / "README.md").write_text("# The collection\n\nArticles of 1987, one per file.")
    (folder / "NOTES").write_text(reuters[1].text)
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main")
    out = records([folder])
    assert [d.doc_id for d in out if isinstance(d, Document)] == ["one.txt"]
    rejects = {r.source.rsplit("/", 1)[-1]: r.reason for r in out if isinstance(r, Reject)}
    assert set(rejects) == {"LICENSE", "README.md", "NOTES", ".DS_Store", ".git"}
    assert "README, licence" in rejects["LICENSE"] and "no file extension" in rejects["NOTES"] and "hidden folder" in rejects[".git"]
    assert [d.doc_id for d in records([folder / "NOTES"]) if isinstance(d, Document)] == ["NOTES"]  # named: read as text
    summary = copytrace.scan([folder], tmp_path / "ws")
    assert summary.documents == 1 and summary.not_articles == 5 and summary.rejects_skipped == 5


def test_undecodable_binary_huge_and_unknown_files(tmp_path, reuters):
    latin = reuters[0].text.replace("the", "th\xe9")  # é written as latin-1 below
    (tmp_path / "latin1.txt").write_bytes(latin.encode("latin-1"))
    (tmp_path / "image.txt").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "huge.txt").write_bytes(b"word " * 10_500_000)  # 52 MB
    (tmp_path / "page.html").write_text("<html><body></body></html>")
    (tmp_path / "crawl.warc").write_bytes(b"WARC/1.0\r\n")
    (tmp_path / "old.arc").write_bytes(b"filedesc://old.arc 0.0.0.0 20010101000000 text/plain 0\n")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    out = records([tmp_path])
    docs = [r for r in out if isinstance(r, Document)]
    rejects = {r.source.rsplit("/", 1)[-1]: r for r in out if isinstance(r, Reject)}
    assert [d.doc_id for d in docs] == ["latin1.txt"]
    assert "\ufffd" in docs[0].text and docs[0].text.startswith(reuters[0].text[:5])
    assert rejects["latin1.txt"].outcome == "kept" and "not valid UTF-8" in rejects["latin1.txt"].reason
    assert "binary" in rejects["image.txt"].reason
    assert "over" in rejects["huge.txt"].reason and rejects["huge.txt"].outcome == "skipped"
    assert "no article text found" in rejects["page.html"].reason
    assert "without a WARC-Type header" in rejects["crawl.warc"].reason
    assert "ARC input is not supported yet" in rejects["old.arc"].reason
    assert "unsupported file type" in rejects["notes.docx"].reason


def test_huge_jsonl_record_is_rejected_and_the_rest_is_read(tmp_path, reuters):
    path = tmp_path / "d.jsonl"
    with open(path, "w") as fh:
        fh.write(json.dumps({"id": "big", "text": "x " * 26_000_000}) + "\n")
        fh.write(json.dumps({"id": "after", "text": reuters[0].text}) + "\n")
    out = records([path])
    assert isinstance(out[0], Reject) and out[0].line == 1 and "limit" in out[0].reason
    assert isinstance(out[1], Document) and out[1].doc_id == "after"


def test_scan_goes_on_and_fills_the_rejects_table(tmp_path, reuters):
    (tmp_path / "in").mkdir()
    for n, article in enumerate(reuters[:20]):
        (tmp_path / "in" / f"{n:02d}.txt").write_text(article.text)
    (tmp_path / "in" / "empty.txt").write_text("")
    (tmp_path / "in" / "bad.jsonl").write_text('{"id": "x"\n{"id": "y", "text": 5}\n')
    result = copytrace.scan([tmp_path / "in", tmp_path / "missing"], tmp_path / "ws")
    assert result.documents == 20
    assert result.rejects_skipped == 4
    rejects = pq.read_table(tmp_path / "ws" / "rejects.parquet").to_pylist()
    assert {(r["source"].rsplit("/", 1)[-1], r["line"]) for r in rejects} == {
        ("empty.txt", None),
        ("bad.jsonl", 1),
        ("bad.jsonl", 2),
        ("missing", None),
    }


def test_site_is_the_registered_domain_or_the_host_as_asked(tmp_path, reuters):
    from copytrace.ingest.read import read_inputs

    urls = ["https://www.rt.com/news/1", "https://rt.com/news/2", "https://francais.rt.com/3", "https://news.bbc.co.uk/4"]
    lines = [json.dumps({"id": str(n), "text": reuters[n].text, "url": url}) for n, url in enumerate(urls)]
    lines.append(json.dumps({"id": "given", "text": reuters[9].text, "url": urls[2], "site": "RT-France"}))
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n")
    by_domain = [d.site for d in read_inputs([tmp_path / "a.jsonl"])]
    by_host = [d.site for d in read_inputs([tmp_path / "a.jsonl"], site_by="host")]
    assert by_domain == ["rt.com", "rt.com", "rt.com", "bbc.co.uk", "rt-france"]
    assert by_host == ["rt.com", "rt.com", "francais.rt.com", "news.bbc.co.uk", "rt-france"]


def test_the_one_step_record_reader_agrees_with_the_general_one(reuters):
    """The fast path for plain JSON records gives what the general path gives, or steps aside."""
    import json

    from copytrace.ingest.read import _plain_record, _record

    base = {"id": "r1", "text": reuters[0].text, "url": "https://www.Reuters.com/a", "title": reuters[0].title, "date": reuters[0].date}
    variants = [
        base,
        {**base, "site": "Reuters.COM"},
        {**base, "series": "wire", "url": ""},
        {**base, "date": "1987-02-26", "crawled_at": "1987-02-27T10:00:00Z"},
        {**base, "date": "26 Feb 1987"},  # not ISO: the general path keeps it with a reject
        {**base, "id": 17},  # a number: the general path makes it a string
        {**base, "title": 5},
        {**base, "text": "   "},
        {**base, "text": reuters[1].text, "html": "<p>ignored</p>"},
        ["not", "an", "object"],
    ]
    taken = 0
    for n, value in enumerate(variants):
        raw = json.dumps(value).encode()
        general = list(_record(raw, "f.jsonl", n + 1, 2_000_000))
        fast = _plain_record(raw, "f.jsonl", n + 1, 2_000_000)
        if fast is not None:
            taken += 1
            assert general == [fast]
    assert taken == 5


def test_every_odd_folder_entry_is_a_reject_never_a_crash_or_a_hang(tmp_path, reuters):
    """Names that are not UTF-8, links to nothing, link loops, a link to a folder, a named pipe
    (opening it would wait for ever), a socket and a device: each listed with its reason, the
    article beside them read, and a scan of the folder finishes with a readable workspace."""
    import os
    import socket

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(reuters[0].text)
    (folder / os.fsdecode(b"caf\xe9.txt")).write_text(reuters[1].text)  # Latin-1 bytes in the name
    (folder / "dangling.txt").symlink_to("nowhere.txt")
    (folder / "self.txt").symlink_to("self.txt")
    (folder / "a.txt").symlink_to("b.txt")
    (folder / "b.txt").symlink_to("a.txt")
    (folder / "loop").symlink_to(".")
    (folder / "null.txt").symlink_to(os.devnull)
    os.mkfifo(folder / "pipe.txt")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "sock.txt"))
    out = records([folder])
    assert [d.doc_id for d in out if isinstance(d, Document)] == ["good.txt"]
    reasons = {r.source.rsplit("/", 1)[-1]: r.reason for r in out if isinstance(r, Reject)}
    assert reasons == {
        "loop": "a symbolic link to a folder, not followed (name the folder itself to read it); not read as an article",
        "a.txt": "a symbolic link in a loop (it never reaches a file)",
        "b.txt": "a symbolic link in a loop (it never reaches a file)",
        "caf\\xe9.txt": "the file name is not valid UTF-8; rename the file to read it",
        "dangling.txt": "a symbolic link to nothing (nowhere.txt is not there)",
        "null.txt": "a device, not a file; not read",
        "pipe.txt": "a named pipe, not a file; not read",
        "self.txt": "a symbolic link in a loop (it never reaches a file)",
        "sock.txt": "a socket, not a file; not read",
    }
    result = copytrace.scan([folder, folder / "pipe.txt"], tmp_path / "ws")
    sock.close()
    assert result.documents == 1 and result.rejects_skipped == 10
    rejects = pq.read_table(tmp_path / "ws" / "rejects.parquet").column("source").to_pylist()
    assert str(folder / "caf\\xe9.txt") in rejects  # stored: the bytes written as escapes


def test_ids_are_kept_exactly_and_bounded_in_length(tmp_path, reuters):
    """A 41-digit id stays those digits (a float would make different ids collide), a decimal id
    keeps its trailing zero, and an id past the bound is a clear reject, not a memory sink."""
    from copytrace.ingest.read import MAX_ID_CHARS

    text = json.dumps(reuters[0].text)
    lines = [
        '{"id": 12345678901234567890123456789012345678901, "text": %s}' % text,
        '{"id": 12345678901234567890123456789012345678902, "text": %s}' % text,
        '{"id": 1.50, "text": %s}' % text,
        json.dumps({"id": "x" * (MAX_ID_CHARS + 1), "text": reuters[1].text}),
        json.dumps({"id": "y" * MAX_ID_CHARS, "text": reuters[1].text}),
    ]
    (tmp_path / "ids.jsonl").write_text("\n".join(lines))
    (tmp_path / "ids.json").write_text('[{"id": 1e3, "text": %s}]' % text)
    out = records([tmp_path / "ids.jsonl", tmp_path / "ids.json"])
    ids = [d.doc_id for d in out if isinstance(d, Document)]
    assert ids == ["12345678901234567890123456789012345678901", "12345678901234567890123456789012345678902", "1.50", "y" * MAX_ID_CHARS, "1e3"]
    (long,) = [r for r in out if isinstance(r, Reject)]
    assert long.line == 4 and long.reason.startswith(f"id is {MAX_ID_CHARS + 1:,} characters, over the limit of {MAX_ID_CHARS:,} ('xxx")
    assert len(long.reason) < 200


def test_encodings_are_read_alike_in_every_format(tmp_path, reuters):
    """Byte-order marks, UTF-16 (with or without a mark) and bytes that are not UTF-8, in text,
    JSON Lines and JSON alike: read, or repaired and reported the same way; empty files listed."""
    first, second = reuters[0].text, reuters[1].text
    jsonl = json.dumps({"id": "one", "text": first}) + "\n" + json.dumps({"id": "two", "text": second}, ensure_ascii=False) + "\n"
    (tmp_path / "bom.jsonl").write_bytes(b"\xef\xbb\xbf" + jsonl.encode())
    (tmp_path / "utf16.jsonl").write_bytes(jsonl.replace('"one"', '"u1"').replace('"two"', '"u2"').encode("utf-16"))
    (tmp_path / "utf16le.jsonl").write_bytes(jsonl.replace('"one"', '"l1"').replace('"two"', '"l2"').encode("utf-16-le"))
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + json.dumps({"id": "j1", "text": first}).encode())
    (tmp_path / "utf16.json").write_bytes(json.dumps({"id": "j2", "text": first}).encode("utf-16"))
    broken = json.dumps(first).encode().replace(b" the ", b" th\xe9 ", 1)  # a Latin-1 byte in UTF-8 text
    (tmp_path / "broken.json").write_bytes(b'{"id": "j3", "text": ' + broken + b"}")
    (tmp_path / "broken.jsonl").write_bytes(b'{"id": "l3", "text": ' + broken + b"}\n")
    (tmp_path / "broken.txt").write_bytes(first.encode().replace(b" the ", b" th\xe9 ", 1))
    for name in ("empty.jsonl", "empty.json", "empty.txt", "empty.html"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "blank.jsonl").write_bytes(b"\n \n")
    damaged = json.dumps({"id": "l4", "text": second}).encode("utf-16-le")
    (tmp_path / "damaged16.jsonl").write_bytes(damaged[:60] + b"\x00\xd8" + damaged[60:])  # a lone surrogate
    out = records([tmp_path])
    docs = {d.doc_id: d.text for d in out if isinstance(d, Document)}
    assert docs["one"] == docs["u1"] == docs["l1"] == docs["j1"] == docs["j2"] == first
    assert docs["two"] == docs["u2"] == docs["l2"] == second
    assert docs["j3"] == docs["l3"] == docs["broken.txt"] != first and "th\ufffd" in docs["j3"]
    repaired = {r.source.rsplit("/", 1)[-1]: r for r in out if isinstance(r, Reject) and r.outcome == "kept"}
    assert repaired.pop("damaged16.jsonl").reason == "not valid UTF-16: 1 undecodable byte sequence(s) replaced by U+FFFD"
    assert "l4" in docs and "\ufffd" in docs["l4"]
    assert set(repaired) == {"broken.json", "broken.jsonl", "broken.txt"}
    assert all(r.reason.startswith("not valid UTF-8: 1 undecodable byte sequence(s) replaced by U+FFFD") for r in repaired.values())
    skipped = {r.source.rsplit("/", 1)[-1]: r.reason for r in out if isinstance(r, Reject) and r.outcome == "skipped"}
    assert skipped == {
        "blank.jsonl": "no articles in this file (nothing but blank lines or records that are not pages)",
        "empty.html": "an empty file (0 bytes)",
        "empty.json": "an empty file (0 bytes)",
        "empty.jsonl": "an empty file (0 bytes)",
        "empty.txt": "an empty file (0 bytes)",
    }
