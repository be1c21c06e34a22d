"""HTML pages as input: real saved news pages (tests/data/web) and copies built from them."""

import gzip
import html
import json

import copytrace
from benchmarks.extraction import pages, token_prf
from copytrace.ingest.records import Document, Reject
from copytrace.ingest.read import read_inputs
from copytrace.ingest.sites import site_of_url

PAGES = pages(limit=6)


def test_real_pages_give_the_article_text_title_url_and_date(tmp_path):
    for path, _, _ in PAGES[:3]:
        (tmp_path / path.name).write_bytes(path.read_bytes())  # gzip-compressed, as saved
    first = PAGES[3][0]
    (tmp_path / first.name.removesuffix(".gz")).write_bytes(gzip.decompress(first.read_bytes()))
    docs = {d.doc_id: d for d in read_inputs([tmp_path]) if isinstance(d, Document)}
    assert len(docs) == 4
    f1s = []
    for path, expected, url in PAGES[:4]:
        doc = docs[path.name.removesuffix(".gz")]
        precision, recall, f1 = token_prf(doc.text, expected)
        assert recall > 0.9, (path.name, precision, recall)  # the whole article is there
        f1s.append(f1)
        assert doc.title and doc.extractor.startswith("trafilatura ")
        assert doc.url and site_of_url(doc.url) == site_of_url(url)  # the canonical URL the page declares
        assert doc.site == site_of_url(url)
    assert sum(f1s) / len(f1s) > 0.85  # some pages carry extra text (trafilatura's average: 0.958)
    assert any(d.date for d in docs.values())


def test_jsonl_records_may_give_html_instead_of_text(tmp_path):
    path, expected, url = PAGES[4]
    page = gzip.decompress(path.read_bytes()).decode("utf-8")
    lines = [
        {"id": "page-1", "html": page, "url": url, "date": "2019-01-02"},
        {"id": "page-2", "html": "<html><head><title>Index</title></head><body></body></html>"},
    ]
    source = tmp_path / "pages.jsonl"
    source.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    out = list(read_inputs([source]))
    doc = next(r for r in out if isinstance(r, Document))
    assert doc.doc_id == "page-1" and doc.url == url and doc.date == "2019-01-02"
    assert token_prf(doc.text, expected)[2] > 0.8
    reject = next(r for r in out if isinstance(r, Reject))
    assert reject.line == 2 and "no article text" in reject.reason


def test_oversized_and_truncated_pages_are_rejected_and_the_rest_is_read(tmp_path):
    path = PAGES[0][0]
    data = path.read_bytes()
    (tmp_path / "a-truncated.html.gz").write_bytes(data[: len(data) // 2])
    (tmp_path / "b-good.html.gz").write_bytes(data)
    (tmp_path / "c-huge.html").write_bytes(gzip.decompress(data) * 40)
    out = list(read_inputs([tmp_path], max_chars=100_000))  # pages over 1.6 MB are not parsed
    rejects = {r.source.rsplit("/", 1)[-1]: r.reason for r in out if isinstance(r, Reject)}
    assert "cannot read file" in rejects["a-truncated.html.gz"]
    assert "page is over" in rejects["c-huge.html"]
    assert [d.doc_id for d in out if isinstance(d, Document)] == ["b-good.html"]


def test_a_page_republishing_an_article_is_found_as_a_copy(tmp_path):
    """A copy site's page, built around the text of a real article, is matched with the original page."""
    path, expected, _ = PAGES[5]
    (tmp_path / "original.html.gz").write_bytes(path.read_bytes())
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in expected.split("\n") if p.strip())
    copy = (
        "<html><head><title>Breaking news</title><link rel='canonical' href='https://copysite.example/story'></head>"
        f"<body><header><a href='/'>Copy Site</a></header><article><h1>Breaking news</h1>{paragraphs}</article>"
        "<footer>If you like this story, share it with a friend!</footer></body></html>"
    )
    (tmp_path / "copy.html").write_text(copy, encoding="utf-8")
    result = copytrace.compare(tmp_path / "original.html.gz", tmp_path / "copy.html")
    assert result.verdict == "copy", (result.coverage_a, result.coverage_b)
    assert result.coverage_b > 0.8


def test_scan_of_pages_fills_the_documents_table(tmp_path):
    pages_dir = tmp_path / "pages"
    pages_dir.mkdir()
    for path, _, _ in PAGES[:3]:
        (pages_dir / path.name).write_bytes(path.read_bytes())
    (pages_dir / "index.html").write_text("<html><head><title>Index</title></head><body></body></html>")
    summary = copytrace.scan([pages_dir], tmp_path / "ws")
    documents = copytrace.Workspace(tmp_path / "ws").table("documents").to_pylist()
    assert summary.documents == 3 and summary.rejects_skipped == 1
    assert all(d["extractor"].startswith("trafilatura ") and d["url"] and d["site"] for d in documents)
    assert {d["doc_id"] for d in documents} == {p.name.removesuffix(".gz") for p, _, _ in PAGES[:3]}
