"""Labelled edits and credit on real Reuters articles edited the way copy sites edit them."""

import json
import random
from collections import Counter

import copytrace
from benchmarks.edits import build, make_copy
from benchmarks.planted import independent
from copytrace.explain.credit import (
    CREDIT_REMOVED,
    CREDITED,
    SAME_SITE,
    UNCREDITED,
    pair_credit,
    parse_aliases,
)
from copytrace.explain.edits import KINDS


def test_each_planted_edit_is_labelled_where_it_is(reuters):
    """Copies with recorded edits (benchmarks.edits): the kind and place of most come back, and
    every reported edit's text is the text at its offsets."""
    documents, truth, _ = build(reuters, 24, seed=5)
    text = {d["id"]: d for d in documents}
    found = hits = 0
    for source_id, copy_id in {(t.source, t.copy) for t in truth}:
        a, b = text[source_id], text[copy_id]
        result = copytrace.compare_texts(a["text"], b["text"])
        for e in result.edits:
            if e.a_start is not None:
                assert e.a_text == a["text"][e.a_start : e.a_end]
            if e.b_start is not None and e.kind != "headline_changed":
                assert e.b_text == b["text"][e.b_start : e.b_end]
        for t in truth:
            if (t.source, t.copy) != (source_id, copy_id) or t.kind in ("headline_changed", "boilerplate_added"):
                continue  # titles and learned templates are not known to compare_texts
            found += 1
            side = t.b if t.kind.endswith("_added") else t.a
            starts = [(e.b_start, e.b_end) if t.kind.endswith("_added") else (e.a_start, e.a_end) for e in result.edits if e.kind == t.kind]
            hits += any(s is not None and s - 2 <= side[1] and side[0] <= e + 2 for s, e in starts)
    assert found >= 60 and hits / found >= 0.85


def test_scan_writes_edits_and_credit(tmp_path, reuters):
    documents, truth, credit_truth = build(reuters, 16, seed=3)
    path = tmp_path / "copies.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in documents) + "\n")
    summary = copytrace.scan([path], tmp_path / "ws")
    ws = copytrace.Workspace(tmp_path / "ws")
    texts = {d["doc_id"]: d["text"] for d in ws.table("documents").to_pylist()}
    edits = ws.table("edits").to_pylist()
    assert summary.credit == Counter(credit_truth.values()) and sum(summary.edits.values()) == len(edits)
    assert {"moved", "boilerplate_added"} <= {e["kind"] for e in edits} <= set(KINDS)
    assert all(e["a_text"] == texts[e["a_id"]][e["a_start"] : e["a_end"]] for e in edits if e["a_start"] is not None)
    pairs = {(p["a_id"], p["b_id"]): p for p in ws.table("pairs").to_pylist()}
    for (source, copy), expected in credit_truth.items():
        pair = pairs.get((source, copy)) or pairs[(copy, source)]
        assert pair["credit"] == expected
        if expected != UNCREDITED:
            evidence = texts[pair["credit_id"]][pair["credit_start"] : pair["credit_end"]]
            assert "Reuters" in evidence and pair["credit_evidence"] == evidence.strip()
        assert 0 <= pair["own_b" if pair["b_id"] == copy else "own_a"] < 0.5


def test_credit_names_brands_domains_and_aliases(reuters):
    article = independent(reuters[:300])[0].text
    assert pair_credit(article, "rt.com", "Source: www.RT.com\n" + article, "copy.net").status == CREDITED
    assert pair_credit(article, "rt.com", "As RT reported,\n" + article, "copy.net").status == CREDITED
    # short brands only in capitals, as whole words: "art" or "start" are not RT
    assert pair_credit(article, "rt.com", "Source: the start of smart art.\n" + article, "copy.net").status == UNCREDITED
    aliases = parse_aliases(["rt.com=Russia Today"])
    assert pair_credit(article, "rt.com", "according to Russia Today\n" + article, "copy.net", aliases).status == CREDITED
    # the source credits itself, the copy drops it
    removed = pair_credit("(Reuters) - " + article, "reuters.com", article, "copy.net", source=0)
    assert removed.status == CREDIT_REMOVED and removed.doc == 0 and removed.evidence.startswith("(Reuters) -")
    assert removed.kind == "dateline"
    assert pair_credit(article, "a.com", article, "a.com").status == SAME_SITE


def test_credit_comes_from_attribution_statements_not_mentions(reuters):
    """The cases seen on real pages: outlet names that are not the domain, mentions that are not
    credit, a photo credit, a statement inside a quotation."""
    article = independent(reuters[:300])[0].text
    kept_mention = "It was contracted by Reuters to analyse the data.\n"
    source = "(Reuters) - " + kept_mention + article
    copy = kept_mention + article  # the dateline dropped, the sentence kept
    passages = ([(12, len(source))], [(0, len(copy))])
    assert pair_credit(source, "reuters.com", copy, "copy.net", source=0, copied=passages).status == CREDIT_REMOVED
    ap = pair_credit(article, "apnews.com", article + "\nSource: AP News", "copy.net", source=0)
    assert (ap.status, ap.kind, ap.evidence) == (CREDITED, "source", "Source: AP News")
    guardian = pair_credit(article, "theguardian.com", article + "\nThis article was originally published by The Guardian.", "copy.net")
    assert (guardian.status, guardian.doc, guardian.kind) == (CREDITED, 1, "published_by")
    photo = pair_credit(article, "rt.com", "Photo: www.rt.com\n" + article, "copy.net", source=0)
    assert (photo.status, photo.kind, photo.evidence) == (UNCREDITED, "photo", "Photo: www.rt.com")
    quoted = pair_credit(article, "reuters.com", '"Source: Reuters," he said.\n' + article, "copy.net", source=0)
    assert quoted.status == UNCREDITED
    # "according to" inside the copied text was the source's own wording, not the copier's credit
    said = "Prices rose, according to Reuters data.\n"
    inside = pair_credit(said + article, "reuters.com", said + article, "copy.net", source=0, copied=([(0, 9999)], [(0, 9999)]))
    assert inside.status == UNCREDITED
    assert pair_credit(article, "tass.com", article + "\n© 2024 TASS", "copy.net", source=0).kind == "copyright"


def test_compare_lists_what_each_side_credits_without_sites(reuters):
    article = independent(reuters[:300])[0].text
    result = copytrace.compare_texts(article, "Photo: www.rt.com\n" + article + "\nSource: Daily Planet")
    assert result.credit.status == "unknown"
    found = result.to_dict()["attributions"]["b"]
    assert [(f["kind"], f["name"], f["sites"]) for f in found] == [("photo", "www.rt.com", ["rt.com"]), ("source", "Daily Planet", [])]


def test_odd_texts_give_fewer_labels_never_wrong_offsets(reuters):
    """Unbalanced quotation marks, quotes spanning paragraphs, a script without capitals."""
    article = independent(reuters[:300])[1]
    rng = random.Random(2)
    copy_text, _, _ = make_copy(article, independent(reuters[:300])[2], "newsfront24.com/0", rng, ["alpha", "beta"], "uncredited")
    odd = [
        ('He said "this never closes.\n\n' + article.text, '"He said this never closes.\n\n' + copy_text),
        ("“" + article.text.replace("\n\n", "\n\n“"), copy_text.replace("\n\n", "”\n\n")),
        ("東京の会社は新しい工場を建設すると発表した。" * 8, "東京の会社は新しい工場を建設すると発表しました。" * 8),
    ]
    for a, b in odd:
        result = copytrace.compare_texts(a, b)
        for e in result.edits:
            assert e.a_start is None or e.a_text == a[e.a_start : e.a_end]
            assert e.b_start is None or e.b_text == b[e.b_start : e.b_end]
    cjk = copytrace.compare_texts(odd[2][0], odd[2][1])
    assert not [e for e in cjk.edits if e.kind == "name_changed"]


def test_scan_without_edits_leaves_them_out(tmp_path, reuters):
    documents, _, _ = build(reuters, 4, seed=3)
    path = tmp_path / "copies.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in documents) + "\n")
    copytrace.scan([path], tmp_path / "ws", copytrace.Settings(edits=False))
    ws = copytrace.Workspace(tmp_path / "ws")
    assert ws.table("pairs").num_rows == 4 and ws.table("edits").num_rows == 0
    assert set(ws.table("pairs").column("credit").to_pylist()) == {None}


def test_a_link_to_the_source_is_credit(tmp_path):
    """A real saved page that links to the source's site credits it, though its text never names it."""
    import gzip

    from benchmarks.extraction import pages
    from copytrace.jobs.compare import load_document
    from copytrace.ingest.records import Document

    page, _, _ = pages(limit=3)[2]
    html = gzip.decompress(page.read_bytes()).decode("utf-8", "replace")
    linked = tmp_path / "copy.html"
    body = html.index(">", html.index("<body")) + 1  # a link right at the start of the body
    linked.write_text(html[:body] + '<a href="https://www.example-source.org/story/1">source</a>' + html[body:])
    plain = tmp_path / "plain.html"
    plain.write_text(html)
    results = {}
    for name, path in (("linked", linked), ("plain", plain)):
        copy, _ = load_document(path)
        copy.site = "copy-news.net"
        source = Document("source", copy.text, "<source>", site="example-source.org")
        results[name] = copytrace.compare(source, copy).credit
    assert results["linked"].status == CREDITED and results["linked"].evidence == "a link to example-source.org"
    assert results["linked"].doc == 1 and results["plain"].status == UNCREDITED


def test_a_page_teaches_the_name_its_site_goes_by(tmp_path):
    """A real saved page names its own site (og:site_name): a copy crediting that name credits it,
    though the name is not the domain's and not in the built-in table."""
    import gzip

    from benchmarks.page_times import FUNDUS
    from copytrace.jobs.compare import load_document
    from copytrace.ingest.records import Document

    page = FUNDUS / "us" / "RollingStone_2024_04_25.html.gz"
    (tmp_path / "source.html").write_bytes(gzip.decompress(page.read_bytes()))
    source, _ = load_document(tmp_path / "source.html")
    source.site = "rollingstone.com"
    assert source.site_name == "Rolling Stone"
    copy = Document("copy", source.text + "\n\nSource: Rolling Stone", "<copy>", site="copy-news.net")
    credit = copytrace.compare(source, copy).credit
    assert (credit.status, credit.doc, credit.kind) == ("credited", 1, "source")
    unnamed = Document("source", source.text, "<source>", site="rollingstone.com")
    assert copytrace.compare(unnamed, copy).credit.status == "uncredited"  # the domain alone does not say it
