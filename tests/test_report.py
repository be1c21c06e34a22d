"""The static report and the web app: every view renders, untrusted text stays text, long pairs
are paginated, bad requests get clear errors. Browser checks are in test_browser.py."""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from copytrace.cli import app as cli
from copytrace.present.report import write_report
from copytrace.present.serve import create_app, server_config
from copytrace.present.views import PairFilter, Views, key_of
from copytrace.store.workspace import Workspace
from tests.report_corpus import (
    EVIL_TITLE,
    PAYLOADS,
    long_pair_workspace,
    malicious_workspace,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def evil_ws(long_articles, tmp_path_factory) -> Path:
    return malicious_workspace(long_articles, tmp_path_factory.mktemp("evil"))


@pytest.fixture(scope="module")
def long_ws(long_articles, tmp_path_factory) -> Path:
    return long_pair_workspace(long_articles, tmp_path_factory.mktemp("long"))


class _Elements(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict]]:
    parser = _Elements()
    parser.feed(html)
    return parser.tags


def _assert_inert(html: str) -> None:
    """No element a payload could have made: only our own script tag, no event-handler attribute,
    no javascript: link, no <img> or <i> from article text (the pages use neither)."""
    tags = _tags(html)
    scripts = [a for t, a in tags if t == "script"]
    assert all(a.get("src", "").endswith("assets/report.js") for a in scripts), scripts
    for tag, attrs in tags:
        assert tag not in ("img", "i"), tag  # our pages use neither; the payloads do
        assert not [k for k in attrs if k.startswith("on")], (tag, attrs)
        for k in ("href", "src"):
            assert not (attrs.get(k) or "").strip().lower().startswith("javascript:"), (tag, attrs)


def test_report_writes_every_view_and_keeps_article_text_inert(evil_ws, tmp_path):
    result = write_report(evil_ws, tmp_path / "site")
    site = tmp_path / "site"
    views = Views(evil_ws)
    pair = next(p for p in views.pairs if {p["a_id"], p["b_id"]} == {"evil-source", "evil-copy"})
    pair_page = site / "pair" / f"{key_of(pair['a_id'], pair['b_id'])}.html"
    expected = [site / "index.html", site / "sites.html", site / "cascades.html", site / "pairs.html", pair_page,
                site / "doc" / f"{key_of('evil-source')}.html", site / "site" / f"{key_of('evil-news.example')}.html"]
    for path in expected:
        assert path.is_file(), path
    pages = list(site.rglob("*.html"))
    assert result.pages == len(pages) and result.bytes == sum(p.stat().st_size for p in pages)
    for page in pages:
        _assert_inert(page.read_text(encoding="utf-8"))
    html = pair_page.read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__pwned = &#39;script&#39;&lt;/script&gt;" in html  # shown as text
    assert "javascript:" in html and 'href="javascript:' not in html
    doc_page = (site / "doc" / f"{key_of('evil-source')}.html").read_text(encoding="utf-8")
    assert '<span class="url">javascript:window.__pwned = &#39;url&#39;</span>' in doc_page  # a URL, not a link
    # Every link inside the report resolves to a file of the report (it opens from disk).
    for page in [site / "index.html", pair_page]:
        for tag, attrs in _tags(page.read_text(encoding="utf-8")):
            href = attrs.get("href") or attrs.get("src")
            if href and not href.startswith(("http://", "https://", "#")):
                assert (page.parent / href.split("#")[0]).resolve().is_file(), href


def test_pair_page_marks_exactly_the_aligned_passages_and_the_edits(evil_ws):
    views = Views(evil_ws)
    pair = next(p for p in views.pairs if {p["a_id"], p["b_id"]} == {"evil-source", "evil-copy"})
    view = views.pair(key_of(pair["a_id"], pair["b_id"]))
    from copytrace.present.pages import marked_text

    texts = Workspace(evil_ws).table("documents", ["doc_id", "text"]).to_pylist()
    full = {r["doc_id"]: r["text"] for r in texts}
    for side, doc_id in (("a", pair["a_id"]), ("b", pair["b_id"])):
        html = str(marked_text(view[f"text_{side}"], 0, side, view))
        # Pieces of passage n, unescaped and joined, are exactly its characters.
        for p in view["passages"]:
            pieces = re.findall(rf'<span class="[^"]*"[^>]*data-p="{p["n"]}"[^>]*>(.*?)</span>', html, re.DOTALL)
            joined = "".join(pieces).replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&")
            assert joined == full[doc_id][p[f"{side}_start"] : p[f"{side}_end"]]
        stripped = re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&")
        assert stripped == full[doc_id]  # nothing added, nothing lost
    kinds = {e["kind"] for e in view["edits"]}
    assert "paragraph_removed" in kinds or "sentence_removed" in kinds
    assert view["credit_span"]["status"] == "credited"


def test_long_pairs_are_paginated_and_the_pages_cover_both_texts(long_ws, tmp_path):
    views = Views(long_ws)
    (pair,) = views.pairs
    key = key_of(pair["a_id"], pair["b_id"])
    first = views.pair(key)
    assert first["pages"] >= 2
    texts = {r["doc_id"]: r["text"] for r in Workspace(long_ws).table("documents", ["doc_id", "text"]).to_pylist()}
    joined = {"a": "", "b": ""}
    for page in range(1, first["pages"] + 1):
        view = views.pair(key, page)
        assert max(len(view["text_a"]), len(view["text_b"])) <= 60_000 * 1.1
        for side in "ab":
            assert view["window"][side][0] == len(joined[side])  # pages follow each other without gaps
            joined[side] += view[f"text_{side}"]
    assert joined["a"] == texts[pair["a_id"]] and joined["b"] == texts[pair["b_id"]]
    write_report(long_ws, tmp_path / "site")
    assert (tmp_path / "site" / "pair" / f"{key}-{first['pages']}.html").is_file()


def test_report_command_on_the_bundled_sample(tmp_path):
    ws = tmp_path / "ws"
    assert CliRunner().invoke(cli, ["scan", str(ROOT / "examples" / "cascades.jsonl"), "--out", str(ws), "--quiet"]).exit_code == 0
    result = CliRunner().invoke(cli, ["report", str(ws), "--out", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output  # (with --quiet, nothing: test_scan.py)
    overview = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert '<svg id="network"' in overview and overview.count("<circle") >= 5
    cascades = Views(ws).cascade_list()
    assert all((tmp_path / "site" / "cascade" / f"{c['cascade_id']}.html").is_file() for c in cascades)
    missing = CliRunner().invoke(cli, ["report", str(tmp_path / "nothing"), "--out", str(tmp_path / "x")])
    assert missing.exit_code == 2 and "run `copytrace scan`" in missing.output


@pytest.fixture(scope="module")
def client(evil_ws) -> TestClient:
    return TestClient(create_app(evil_ws), base_url="http://127.0.0.1")


def test_app_serves_the_views_and_their_json(client, evil_ws):
    views = Views(evil_ws)
    pair = views.pairs[0]
    key = key_of(pair["a_id"], pair["b_id"])
    for url in ["/", "/sites", "/cascades", "/pairs", f"/pair/{key}", f"/doc/{key_of('evil-copy')}", "/search", "/compare", "/docs"]:
        response = client.get(url)
        assert response.status_code == 200, url
        if url != "/docs":
            _assert_inert(response.text)
            assert "default-src 'self'" in response.headers["content-security-policy"]
    api = client.get(f"/api/pairs/{key}").json()
    assert api["a"]["doc_id"] == pair["a_id"] and api["passages"] and api["text_a"]
    assert client.get("/api/overview").json()["counts"]["documents"] == 10
    spec = client.get("/openapi.json").json()
    assert {"/api/overview", "/api/sites/{key}", "/api/cascades/{cascade_id}", "/api/pairs/{key}", "/api/documents/{key}",
            "/api/search", "/api/compare"} <= set(spec["paths"])


def test_app_answers_unknown_ids_with_404_and_bad_parameters_with_422(client):
    for url in ["/pair/000000000000", "/doc/nope", "/site/nope", "/cascade/999999", "/pairs?page=99"]:
        response = client.get(url)
        assert response.status_code == 404 and "Not found" in response.text, url
    assert client.get("/api/pairs/nope").json() == {"detail": "no pair with key 'nope'"}
    for url in ["/pairs?page=abc", "/cascade/abc", "/api/pairs?page=0"]:
        response = client.get(url)
        assert response.status_code == 422, url
    assert "page" in client.get("/api/pairs?page=-1").json()["detail"][0]
    assert client.get("/api/search").status_code == 422
    assert client.post("/api/compare", json={"text_a": "only one"}).status_code == 422


def test_search_finds_where_a_paragraph_appears_earliest_first(client, long_articles):
    kept, dropped = long_articles[0].paragraphs[3], long_articles[0].paragraphs[1]  # the copy dropped the second paragraph
    found = client.get("/api/search", params={"q": kept}).json()["by_text"]
    ids = [r["doc_id"] for r in found["results"]]
    assert ids == ["evil-source", "evil-copy"] and found["earliest"] == "evil-source"  # earliest first
    assert all(kept[:40] in r["passages"][0]["text"] for r in found["results"])
    only_source = client.get("/api/search", params={"q": dropped}).json()["by_text"]
    assert [r["doc_id"] for r in only_source["results"]] == ["evil-source"]
    paragraph = kept
    by_url = client.get("/api/search", params={"url": "copy.example/story"}).json()["by_url"]
    assert [d["doc_id"] for d in by_url] == ["evil-copy"]
    by_title = client.get("/api/search", params={"title": "chrysler AMC"}).json()["by_title"]
    assert {d["doc_id"] for d in by_title} >= {"evil-source"}
    page = client.get("/search", params={"q": paragraph})
    assert page.status_code == 200 and 'id="text-results"' in page.text


def test_compare_page_takes_pasted_or_uploaded_text_and_refuses_binary(client, long_articles):
    story = long_articles[5]
    copy = story.text.replace(story.paragraphs[2], "")
    response = client.post("/compare", data={"text_a": story.text, "text_b": copy})
    assert response.status_code == 200 and 'class="badge v-copy"' in response.text and 'data-p="1"' in response.text
    uploaded = client.post("/compare", files={"file_a": ("a.txt", story.text.encode()), "file_b": ("b.txt", copy.encode())})
    assert uploaded.status_code == 200 and 'class="badge v-copy"' in uploaded.text
    binary = client.post("/compare", data={"text_a": story.text}, files={"file_b": ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")})
    assert binary.status_code == 422 and "photo.jpg" in binary.text and "not a text file" in binary.text
    latin = client.post("/compare", files={"file_a": ("a.txt", "café".encode("latin-1")), "file_b": ("b.txt", b"text")})
    assert latin.status_code == 422 and "not UTF-8" in latin.text
    empty = client.post("/compare", data={"text_a": story.text})
    assert empty.status_code == 422 and "give two texts" in empty.text
    api = client.post("/api/compare", json={"text_a": story.text, "text_b": copy}).json()
    assert api["verdict"] == "copy" and api["passages"]


def test_app_refuses_foreign_hosts_and_answers_oversized_requests_with_a_reason(evil_ws):
    """DNS rebinding: a page elsewhere that resolves its own name to 127.0.0.1 sends its own Host
    header, which is refused. Searches too long for the address, and bodies too large, get a 4xx
    that says why, not a dropped connection; every response carries the security headers."""
    from copytrace.present.search import MAX_QUERY_CHARS
    from copytrace.present.serve import MAX_BODY_BYTES, MAX_URL_BYTES, server_names

    app = create_app(evil_ws, hosts=server_names("127.0.0.1", ("news.example",)))
    for base in ("http://127.0.0.1:8000", "http://localhost", "http://[::1]:8000", "http://news.example"):
        response = TestClient(app, base_url=base).get("/api/overview")
        assert response.status_code == 200, base
    client = TestClient(app, base_url="http://127.0.0.1")
    for host in ("evil.example", "127.0.0.1.evil.example", "", "localhost.:80"):
        refused = client.get("/", headers={"Host": host})
        assert refused.status_code == 400 and "--allow-host" in refused.text, host
        assert refused.headers["x-frame-options"] == "DENY"
    assert server_names("0.0.0.0") == ("127.0.0.1", "localhost", "::1")
    for url in ("/", "/api/overview", "/assets/app.css", "/openapi.json", "/nope", "/docs"):
        headers = client.get(url).headers
        assert headers["x-content-type-options"] == "nosniff" and "frame-ancestors 'none'" in headers["content-security-policy"], url
    assert "'unsafe-inline'" in client.get("/docs").headers["content-security-policy"]
    assert "'unsafe-inline'" not in client.get("/").headers["content-security-policy"]
    body = client.post("/api/compare", content=b"{" + b" " * MAX_BODY_BYTES + b"}", headers={"content-type": "application/json"})
    assert body.status_code == 413 and "body is over" in body.text
    with running(server_config(evil_ws, "127.0.0.1", 0)) as port:  # long addresses: through uvicorn's own parser
        def get(target: str) -> tuple[int, str]:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", target)
            response = connection.getresponse()
            return response.status, response.read().decode()

        status, text = get("/api/search?q=" + quote("Ж" * 30_000))
        assert status == 200 and json.loads(text)["by_text"]["chars"] == 30_000
        assert get("/search?q=" + "a" * 100_000)[0] == 200
        status, text = get("/api/search?q=" + "a" * (MAX_QUERY_CHARS + 1))
        assert status == 422 and "200000" in text
        status, text = get("/search?q=" + "%D0%96" * (MAX_URL_BYTES // 6 + 1))
        assert status == 414 and "address is over" in text


@contextlib.contextmanager
def running(config):
    """A uvicorn server of ``config`` on a thread; yields its port."""
    import threading

    import uvicorn

    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.02)
    try:
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(10)


def test_titles_and_sites_from_articles_stay_text_in_every_page(client):
    page = client.get(f"/doc/{key_of('evil-source')}").text
    assert "&lt;script&gt;window.__pwned = &#39;title&#39;&lt;/script&gt;" in page
    assert EVIL_TITLE not in page
    sites = client.get("/sites").text
    assert "&lt;i&gt;copier&lt;/i&gt;.example" in sites
    assert PAYLOADS[3] not in client.get(f"/pair/{key_of('evil-source', 'evil-copy')}").text


def test_workspace_with_only_the_core_tables_still_reports(tmp_path):
    ws = tmp_path / "ws"
    assert CliRunner().invoke(cli, ["scan", str(ROOT / "examples" / "sample.jsonl"), "--out", str(ws), "--quiet", "--no-edits"]).exit_code == 0
    for table in ("edits", "edges", "cascades", "sites", "site_edges", "boilerplate_spans", "rejects"):  # only the contract's core
        Workspace(ws).table_path(table).unlink(missing_ok=True)
    result = write_report(ws, tmp_path / "site")
    overview = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "No cascades" in overview and result.pages >= 4 + len(Views(ws).pairs)
    client = TestClient(create_app(ws), base_url="http://127.0.0.1")
    assert client.get("/").status_code == 200 and client.get("/api/cascades").json() == []


def test_pair_views_read_from_source_to_copy(tmp_path, long_articles):
    """A pair whose source comes second in the input: the view puts it on the left, and every edit
    reads from source to copy, its offsets into the side it names."""
    import json

    import copytrace

    article = long_articles[6]
    paragraphs = list(article.paragraphs)
    copy_text = "\n\n".join(paragraphs[:2] + paragraphs[3:]) + "\n\nShare this story with a friend!"
    records = [  # the copy first
        {"id": "copy", "text": copy_text, "site": "copier.net", "date": "2024-03-05T12:00:00+00:00"},
        {"id": "source", "text": article.text, "site": "wire.com", "date": "2024-03-05T08:00:00+00:00"},
    ]
    path = tmp_path / "two.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    copytrace.scan([path], tmp_path / "ws")
    row = Workspace(tmp_path / "ws").table("pairs").to_pylist()[0]
    assert (row["a_id"], row["direction"]) == ("copy", "b_to_a")
    view = Views(tmp_path / "ws").pair(key_of("copy", "source"))
    assert (view["a"]["doc_id"], view["b"]["doc_id"], view["roles"], view["direction"]) == ("source", "copy", ("source", "copy"), "a_to_b")
    assert view["swapped"] and view["text_a"] == article.text and view["text_b"] == copy_text
    kinds = [e["kind"] for e in view["edits"]]
    assert "paragraph_removed" in kinds  # the copy dropped a paragraph of the source (the table: added, from copy to source)
    for e in view["edits"]:
        for side, text in (("a", view["text_a"]), ("b", view["text_b"])):
            if e[f"{side}_start"] is not None and e["kind"] != "headline_changed":
                assert text[e[f"{side}_start"] : e[f"{side}_end"]] == e[f"{side}_text"]
    for p in view["passages"]:
        assert 0 <= p["a_start"] < p["a_end"] <= len(article.text) and 0 <= p["b_start"] < p["b_end"] <= len(copy_text)


def test_a_site_page_shows_how_soon_its_copies_appear(tmp_path):
    from copytrace import scan

    scan([ROOT / "examples" / "cascades.jsonl"], tmp_path / "ws")
    views = Views(tmp_path / "ws")
    copier = max(views.sites.values(), key=lambda s: s["copies"])
    view = views.site(key_of(copier["site"]))
    assert [d["label"] for d in view["delays"]] == ["within 1 h", "1–6 h", "6–24 h", "1–7 days", "later"]
    assert [d["copies"] for d in view["delays"]] == list(copier["delay_histogram"]) and sum(copier["delay_histogram"]) > 0
    write_report(tmp_path / "ws", tmp_path / "site")
    page = (tmp_path / "site" / "site" / f"{key_of(copier['site'])}.html").read_text(encoding="utf-8")
    assert 'id="delay-histogram"' in page and page.count('<svg class="bar"') == 5


def _marks(svg: str, tag: str) -> list[dict]:
    """The attributes (and text) of every ``tag`` element of an SVG string."""
    found = []
    for m in re.finditer(rf"<{tag}\b([^>]*)>(?:([^<]*))?", svg):
        attrs = dict(re.findall(r'([\w:-]+)="([^"]*)"', m.group(1)))
        attrs["text"] = m.group(2) or ""
        found.append(attrs)
    return found


def _labels_apart(texts: list[dict], anchor_middle: bool) -> bool:
    """Whether no two labels of an axis overlap (widths as the charts reckon them)."""
    from copytrace.present.pages import CHAR_WIDTH

    spans = []
    for t in texts:
        x, w = float(t["x"]), CHAR_WIDTH * len(t["text"])
        spans.append((x - w / 2, x + w / 2) if anchor_middle else (x, x + w))
    spans.sort()
    return all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))


def test_charts_have_axes_and_their_labels_touch_nothing(tmp_path):
    """On the bundled cascades and on extremes: many bins, long site names, a one-minute cascade."""
    from copytrace import scan
    from copytrace.present.pages import CHAR_WIDTH, Links, time_chart, timeline_svg

    scan([ROOT / "examples" / "cascades.jsonl"], tmp_path / "ws")
    views = Views(tmp_path / "ws")
    many = {"unit": "day", "bins": [(f"2024-01-{d % 28 + 1:02d}", d % 7) for d in range(200)]}
    for series in (views.overview()["copies_over_time"], many):
        svg = str(time_chart(series))
        width = float(re.search(r'viewBox="0 0 ([\d.]+)', svg).group(1))
        texts, rects = _marks(svg, "text"), _marks(svg, "rect")
        assert any(line.get("class") == "axis" for line in _marks(svg, "line"))
        label = texts[0]
        assert label["text"].startswith("copies per") and all(float(r["y"]) > float(label["y"]) + 4 for r in rects)
        dates = [t for t in texts if "-" in t["text"]]
        assert len(dates) >= 2 and _labels_apart(dates, anchor_middle=False)
        assert all(float(t["x"]) + CHAR_WIDTH * len(t["text"]) <= width for t in dates)
    links = Links(static=True)
    timelines = [views.cascade(c)["timeline"] for c in sorted(views.cascades)[:20]]
    long_name = [{**timelines[0][0], "doc": {**timelines[0][0]["doc"], "site": "a-very-long-regional-news-site-name.example.com"}}]
    for timeline in [*timelines, long_name + timelines[0][1:]]:
        svg = str(timeline_svg(timeline, links))
        lines, texts = _marks(svg, "line"), _marks(svg, "text")
        axis = [line for line in lines if line.get("class") == "axis"]
        ticks = [t for t in texts if t.get("text-anchor") == "middle" and t["text"] != "undated"]
        if all(m["time"] is None for m in timeline):  # no dates: no time axis, every member undated
            assert axis == [] and ticks == []
            continue
        assert len(axis) == 1 and ticks and _labels_apart(ticks, anchor_middle=True)
        names = [t for t in texts if t.get("x") == "4"]
        assert len(names) == len(timeline) and all(4 + CHAR_WIDTH * len(t["text"]) <= float(axis[0]["x1"]) for t in names)


def test_report_filters_publish_part_of_a_workspace(tmp_path):
    """--site, --verdict, --min-coverage and dates: only the pairs every filter keeps are written,
    with their documents, cascades and sites; the pages say what was chosen."""
    ws = tmp_path / "ws"
    assert CliRunner().invoke(cli, ["scan", str(ROOT / "examples" / "cascades.jsonl"), "--out", str(ws), "--quiet"]).exit_code == 0
    everything = Views(ws)
    site = everything.site_list()[0]["site"]
    result = CliRunner().invoke(cli, ["report", str(ws), "--out", str(tmp_path / "one"), "--site", site.upper(), "--verdict", "copy", "--min-coverage", "0.5"])
    assert result.exit_code == 0, result.output
    chosen = [p for p in everything.pairs if p["verdict"] == "copy" and max(p["coverage_a"], p["coverage_b"]) >= 0.5
              and site in (everything.docs[p["a_id"]]["site"], everything.docs[p["b_id"]]["site"])]
    assert 0 < len(chosen) < len(everything.pairs)
    written = {p.stem for p in (tmp_path / "one" / "pair").glob("*.html")}
    assert written == {key_of(p["a_id"], p["b_id"]) for p in chosen}
    docs = {p.stem for p in (tmp_path / "one" / "doc").glob("*.html")}
    assert docs == {key_of(d) for p in chosen for d in (p["a_id"], p["b_id"])}
    assert f"site {site}" in (tmp_path / "one" / "index.html").read_text(encoding="utf-8")
    dates = sorted(d["date"][:10] for d in (everything.docs[i] for i in everything.pairs_of) if d["date"])
    dated = CliRunner().invoke(cli, ["report", str(ws), "--out", str(tmp_path / "day"), "--since", dates[0], "--until", dates[0]])
    assert dated.exit_code == 0, dated.output
    day = Views(ws, PairFilter(since=dates[0], until=dates[0]))
    assert 0 < len(day.pairs) <= len(everything.pairs)
    assert all(any((everything.docs[d]["date"] or "")[:10] == dates[0] for d in (p["a_id"], p["b_id"])) for p in day.pairs)
    bad = CliRunner().invoke(cli, ["report", str(ws), "--out", str(tmp_path / "x"), "--since", "yesterday"])
    assert bad.exit_code == 2 and "ISO date" in bad.output


def test_views_read_texts_on_demand_and_from_their_copy_once_made(evil_ws):
    """A pair page reads only its two texts (never the whole documents table); once the app's
    start-up thread has copied the texts of the documents in pairs, pages read them from there,
    the same texts."""
    views = Views(evil_ws)
    pair = views.pairs[0]
    first = views.pair(key_of(pair["a_id"], pair["b_id"]))
    assert len(views._texts.cache) == 2 and views._pair_texts.texts is None
    views.warm()
    copy = Workspace(evil_ws).path / "index" / "view-texts.arrow"
    assert copy.exists() and views._pair_texts.texts is not None
    again = Views(evil_ws)
    again.warm()
    assert again.pair(key_of(pair["a_id"], pair["b_id"])) == first and not again._texts.cache  # read from the copy
    assert again.docs.id_of_key(key_of("evil-copy")) == "evil-copy" and again.docs.id_of_key("nothex") is None
    assert "evil-copy" in again.docs and "nope" not in again.docs and again.docs.row_of(42) is None
