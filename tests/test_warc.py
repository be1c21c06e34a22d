"""WARC crawls as input: real crawl files (tests/data/web/warc) and WARCs built with warcio
from real saved news pages."""

import gzip
import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from benchmarks.extraction import pages, token_prf
from benchmarks.reuters import SHARED_DATA
from copytrace.ingest.records import Document, Reject
from copytrace.ingest.read import read_inputs
from copytrace.ingest.warc import CrawlFilter

WARCS = SHARED_DATA / "web" / "warc"
PAGES = pages(limit=4)
SITES = ["wsj.com", "example-news.net", "other-news.org", "copies-news.com"]


def build_warc(path: Path, dates: list[str]) -> list[int]:
    """A gzip WARC (one member per record) of the saved pages, each served from its own site;
    returns where each record starts."""
    starts = []
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for n, (page, _, _) in enumerate(PAGES):
            starts.append(out.tell())
            body = gzip.decompress(page.read_bytes())
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                f"https://www.{SITES[n]}/story/{n}", "response", payload=io.BytesIO(body),
                http_headers=headers, warc_headers_dict={"WARC-Date": dates[n]},
            )
            writer.write_record(record)
    return starts


def test_real_crawl_files_compressed_or_not_give_the_same_documents():
    found = {}
    other = [r.reason for r in read_inputs([WARCS / "warcio-testdata" / "post-test.warc.gz"])]
    assert other == ["3 responses that are not HTML (images, PDFs, scripts...) were not read"]  # counted, not dropped
    for name in ("warcfile.warc", "warcfile.warc.gz"):
        out = list(read_inputs([WARCS / "resiliparse-warc-testdata" / name]))
        docs = [r for r in out if isinstance(r, Document)]
        assert docs and all(d.url and d.crawled_at and d.doc_id.startswith("<urn:uuid:") for d in docs)
        # a footer's copyright year is not a publication date (htmldate's fallback: 1 January)
        assert all(isinstance(r, Document) or "no article text" in r.reason or "copyright" in r.reason for r in out)
        # every HTML response is a document or a reject, none disappears
        assert len([r for r in out if isinstance(r, Document) or r.outcome == "skipped"]) == 16
        found[name] = {d.doc_id: d.text for d in docs}
    assert found["warcfile.warc"] == found["warcfile.warc.gz"]


def test_a_broken_record_does_not_end_the_file_early(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    starts = build_warc(path, ["2024-05-0%dT10:00:00Z" % (n + 1) for n in range(len(PAGES))])
    data = bytearray(path.read_bytes())
    middle = starts[1] + 40
    data[middle : middle + 200] = b"\x00" * 200  # garble the second record's compressed bytes
    path.write_bytes(bytes(data))
    out = list(read_inputs([path]))
    docs = [r for r in out if isinstance(r, Document)]
    rejects = [r for r in out if isinstance(r, Reject)]
    assert [d.url for d in docs] == [f"https://www.{SITES[n]}/story/{n}" for n in (0, 2, 3)]
    assert len(rejects) == 1 and rejects[0].line == starts[1]
    for doc, n in zip(docs, (0, 2, 3)):
        assert doc.line == starts[n] and doc.crawled_at.startswith(f"2024-05-0{n + 1}")
        assert token_prf(doc.text, PAGES[n][1])[1] > 0.9


def test_sites_and_capture_dates_pick_the_responses(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    build_warc(path, ["2024-05-01T10:00:00Z", "2024-05-02T23:59:00Z", "2024-05-03T00:00:00Z", "2024-06-01T00:00:00Z"])
    def urls(keep):
        return [d.url for d in read_inputs([path], crawl_filter=keep) if isinstance(d, Document)]
    assert urls(CrawlFilter(sites=("example-news.net", "copies-news.com"))) == [
        "https://www.example-news.net/story/1", "https://www.copies-news.com/story/3"]
    assert urls(CrawlFilter(since="2024-05-02", until="2024-05-02")) == ["https://www.example-news.net/story/1"]
    notes = [r.reason for r in read_inputs([path], crawl_filter=CrawlFilter(since="2024-05-03")) if isinstance(r, Reject)]
    assert notes == ["2 HTML responses outside the --site/--since/--until choice were left out"]
    assert len(urls(CrawlFilter(since="2024-05-03"))) == 2


def test_broken_and_unusual_real_warcs_are_read_as_far_as_they_go():
    bad = list(read_inputs([WARCS / "warcio-testdata" / "example-wrong-chunks.warc.gz"]))
    assert any(isinstance(r, Reject) and "broken WARC record" in r.reason for r in bad)
    # one gzip member for the whole file instead of one per record: read as one stream
    whole = list(read_inputs([WARCS / "warcio-testdata" / "example-bad-non-chunked.warc.gz"]))
    assert len(whole) == 1 and (getattr(whole[0], "url", None) == "http://example.com/" or "example.com" in whole[0].reason)


def test_reading_a_crawl_reports_bytes_as_it_goes(tmp_path):
    """Progress of a crawl is in bytes of the file, record by record, up to its size."""
    path = tmp_path / "crawl.warc.gz"
    build_warc(path, ["2024-05-0%dT10:00:00Z" % (n + 1) for n in range(len(PAGES))])
    steps: list[int] = []
    docs = [r for r in read_inputs([path], on_bytes=steps.append) if isinstance(r, Document)]
    assert len(docs) == len(PAGES)
    assert sum(steps) == path.stat().st_size
    assert len(steps) >= len(PAGES)  # one step per record at least, not one for the whole file


def test_pages_extracted_on_two_processes_come_out_the_same(tmp_path):
    """A crawl, saved pages and JSON records with HTML: the same records in the same order whether
    pages are extracted inline or on worker processes."""
    import json

    crawl = tmp_path / "crawl.warc.gz"
    build_warc(crawl, ["2024-05-0%dT10:00:00Z" % (n + 1) for n in range(len(PAGES))])
    (tmp_path / "pages").mkdir()
    for page, _, _ in PAGES:
        (tmp_path / "pages" / page.name).write_bytes(page.read_bytes())
    records = [{"id": f"rec-{n}", "html": gzip.decompress(p.read_bytes()).decode("utf-8", "replace"), "site": "given.org"} for n, (p, _, _) in enumerate(PAGES)]
    records.append({"id": "empty", "html": "<html><body></body></html>"})
    (tmp_path / "records.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    inputs = [crawl, tmp_path / "pages", tmp_path / "records.jsonl"]

    def summary(workers):
        return [(type(r).__name__, getattr(r, "doc_id", None), getattr(r, "text", getattr(r, "reason", None)), r.line, getattr(r, "site", None))
                for r in read_inputs(inputs, workers=workers)]

    inline = summary(1)
    assert inline == summary(2)
    assert sum(kind == "Document" for kind, *_ in inline) == 3 * len(PAGES) and inline[-1][0] == "Reject"


def test_warcio_warnings_become_rejects_not_terminal_noise(capfd):
    """A record whose Content-Length is wrong: warcio writes a warning to the terminal; copytrace
    lists it with the record's offset instead."""
    out = list(read_inputs([WARCS / "warcio-testdata" / "example-trunc.warc"]))
    captured = capfd.readouterr()
    assert "WARNING" not in captured.err and "WARNING" not in captured.out
    warned = [r for r in out if isinstance(r, Reject) and "Content-Length may be wrong" in r.reason]
    assert warned and warned[0].outcome == "kept" and warned[0].line is not None


def test_a_cut_short_or_altered_record_is_a_reject_with_its_offset(tmp_path):
    """A crawl that ends inside a record (a download cut short), and a record whose bytes were
    changed after it was written (its digests no longer match): neither becomes a document with
    silently wrong text; each is a reject naming its offset."""
    whole = (WARCS / "resiliparse-warc-testdata" / "warcfile.warc").read_bytes()
    good = {r.doc_id: r for r in read_inputs([WARCS / "resiliparse-warc-testdata" / "warcfile.warc"]) if isinstance(r, Document)}
    cut = tmp_path / "cut.warc"
    cut.write_bytes(whole[: len(whole) // 2])
    out = list(read_inputs([cut]))
    last = out[-1]
    assert isinstance(last, Reject) and "ends after 853 of its 33,802 bytes (the file is cut short)" in last.reason and last.line == 273686
    assert all(good[d.doc_id].text == d.text for d in out if isinstance(d, Document))  # the records before are whole
    at = whole.index(b"<html", 200000) + 100
    altered = tmp_path / "altered.warc"
    altered.write_bytes(whole[:at] + b"X" + whole[at + 1 :])
    out = list(read_inputs([altered]))
    damaged = [r for r in out if isinstance(r, Reject) and "digest does not match" in r.reason]
    assert len(damaged) == 1 and damaged[0].line == 231052 and damaged[0].doc_id not in {d.doc_id for d in out if isinstance(d, Document)}
    assert "block and payload digest" in damaged[0].reason
    assert len([d for d in out if isinstance(d, Document)]) == len(good) - 1


def test_empty_and_garbage_crawls_are_listed_with_short_printable_reasons(tmp_path):
    (tmp_path / "empty.warc").write_bytes(b"")
    (tmp_path / "garbage.warc").write_bytes(bytes(range(256)) * 8)
    out = list(read_inputs([tmp_path / "empty.warc", tmp_path / "garbage.warc"]))
    assert [r.reason for r in out][0] == "an empty file (0 bytes)"
    assert all(isinstance(r, Reject) and r.reason.isprintable() and len(r.reason) <= 300 for r in out)
    assert any("broken WARC record at byte 0" in r.reason for r in out)
