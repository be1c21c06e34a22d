"""Per-site boilerplate: a footer two sites share is not reuse; a real copy between them still is."""

import json

import copytrace
from benchmarks.planted import independent

# A footer of the kind news sites carry (three lines, each long enough to make a passage alone).
FOOTER = (
    "If you like this story, share it with a friend and follow us on social media for more news every day.\n"
    "Subscribe to our newsletter to receive the most important stories of the day directly in your inbox.\n"
    "All rights reserved. Reproduction of the materials of this site is permitted only with a link to the source."
)


def write_sites(tmp_path, articles, copy_from=None):
    """Six pages on each of two sites, every page ending with the same footer; optionally one page
    of the second site republishes the first site's first article."""
    rows = []
    for n, article in enumerate(articles[:12]):
        site = "first-news.com" if n < 6 else "second-news.org"
        text = article.text
        if copy_from is not None and n == 11:
            text = articles[copy_from].text
        rows.append({"id": f"{site}/{n}", "text": text + "\n\n" + FOOTER, "url": f"https://{site}/{n}"})
    path = tmp_path / "pages.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def test_a_footer_two_sites_share_makes_no_pair(tmp_path, reuters):
    articles = independent(reuters[:300])
    path = write_sites(tmp_path, articles)
    summary = copytrace.scan([path], tmp_path / "ws")
    ws = copytrace.Workspace(tmp_path / "ws")
    assert ws.table("pairs").num_rows == 0, ws.table("pairs").to_pylist()
    learned = ws.table("boilerplate").to_pylist()
    assert {r["site"] for r in learned} == {"first-news.com", "second-news.org"}
    assert all(r["pages_seen"] == 6 and r["text_block"] in FOOTER for r in learned)
    assert summary.documents == 12
    # where it stands on each page: the footer, from its first word to its last
    texts = {d["doc_id"]: d["text"] for d in ws.table("documents").to_pylist()}
    spans = ws.table("boilerplate_spans").to_pylist()
    assert sorted(s["doc_id"] for s in spans) == sorted(texts)
    assert all(texts[s["doc_id"]][s["start"] : s["end"]] == FOOTER.rstrip(".") for s in spans)


def test_a_copy_between_the_two_sites_is_still_found(tmp_path, reuters):
    articles = independent(reuters[:300])
    path = write_sites(tmp_path, articles, copy_from=0)
    copytrace.scan([path], tmp_path / "ws")
    pairs = copytrace.Workspace(tmp_path / "ws").table("pairs").to_pylist()
    assert [(p["a_id"], p["b_id"], p["verdict"]) for p in pairs] == [("first-news.com/0", "second-news.org/11", "copy")]


def test_built_in_patterns_apply_to_two_documents_alone(reuters):
    articles = independent(reuters[:300])
    footer = FOOTER.split("\n")[0]
    a, b = articles[0].text + "\n\n" + footer, articles[1].text + "\n\n" + footer
    result = copytrace.compare_texts(a, b)
    assert result.verdict == "none" and not result.passages
    shown = result.to_dict()["boilerplate"]  # every view shows the template for what it is
    assert [a[s["start"] : s["end"]] for s in shown["a"]] == [footer.rstrip(".")]
    assert [b[s["start"] : s["end"]] for s in shown["b"]] == [footer.rstrip(".")]


def test_compare_view_shows_the_boilerplate_as_text(tmp_path, reuters):
    from typer.testing import CliRunner

    from copytrace.cli import app

    article = independent(reuters[:300])[3]
    (tmp_path / "a.txt").write_text(article.text)
    (tmp_path / "b.txt").write_text(article.text + "\n\n" + FOOTER.split("\n")[0] + " <script>alert(1)</script>")
    out = CliRunner().invoke(app, ["compare", str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], env={"COLUMNS": "200"})
    assert out.exit_code == 0
    assert "boilerplate" in out.stdout and "share it with a friend" in out.stdout and "<script>alert(1)</script" in out.stdout  # as text, to its last word


def test_built_in_patterns_leave_the_article_alone(reuters):
    """A copy that carries a footer: the article is found whole, the footer is not part of it."""
    article = independent(reuters[:300])[2]
    copy = article.text + "\n\n" + FOOTER
    result = copytrace.compare_texts(article.text, copy)
    assert result.verdict == "copy" and result.coverage_a > 0.95
    assert all(p.b_end <= len(article.text) + 3 for p in result.passages)


def test_line_runs_learn_the_template_of_all_their_documents_together(tmp_path, reuters):
    """The template learned from line counts kept in runs (a scan's, then each add's) is the one
    learned from counting all the documents at once; a workspace's single saved file of line
    counts (written before runs) is read as the first run."""
    import numpy as np

    from copytrace.match.boilerplate import (
        MIN_PAGES_SEEN,
        LineCounts,
        LineRuns,
        _learned,
        count_lines,
        learn_template,
        site_pages,
    )
    from copytrace.match.fingerprint import Words

    articles = independent(reuters[:400])
    texts = [a.text + ("\n\n" + FOOTER if n % 3 else "") for n, a in enumerate(articles[:240])]
    sites = np.arange(len(texts)) % 4  # four sites, a footer on two thirds of their pages
    pages = site_pages(sites, 4)
    whole = learn_template(count_lines(Words.build(texts, 4), sites), pages, 5, 0.3)
    assert len(whole.keys) >= 4
    runs = LineRuns(tmp_path / "lines")
    for number, (lo, hi) in enumerate([(0, 100), (100, 200), (200, 240)]):
        runs.write(number, count_lines(Words.build(texts[lo:hi], 4), sites[lo:hi], lo))
    last = count_lines(Words.build(texts[200:], 4), sites[200:], 200)
    for learned in (runs.template(pages, 5, 0.3), runs.template(pages, 5, 0.3, runs=2, extra=last)):
        for name in LineCounts.__dataclass_fields__:
            assert np.array_equal(getattr(learned, name), getattr(whole, name)), name
    # Before runs: one file of all the counts, read as run 0.
    counts = count_lines(Words.build(texts, 4), sites)
    # Learned lines, though only lines seen MIN_PAGES_SEEN times are looked at, are those of the rule.
    # (Also with a share so small that lines seen on just MIN_PAGES_SEEN pages are learned.)
    site_pages_of = pages[counts.site]
    for share, line_pages in ((0.3, counts.pages), (0.02, np.random.default_rng(1).integers(1, 6, len(counts.pages)))):
        rule = (site_pages_of >= 5) & (line_pages >= np.maximum(MIN_PAGES_SEEN, np.ceil(share * site_pages_of)))
        assert np.array_equal(_learned(counts.site, line_pages, pages, 5, share), rule) and 4 <= rule.sum() < len(rule)
    (tmp_path / "old").mkdir()
    np.savez(tmp_path / "old" / "lines.npz", **{k: getattr(counts, k) for k in LineCounts.__dataclass_fields__})
    legacy = LineRuns(tmp_path / "old" / "lines")
    assert [p.name for p in legacy.runs()] == ["run-000"] and not (tmp_path / "old" / "lines.npz").exists()
    assert np.array_equal(legacy.template(pages, 5, 0.3).keys, whole.keys)


def _shared_footer_corpus(tmp_path, articles, footer_every=4, viral=None):
    """Eight sites of ten pages, each page its own article with its site's footer; every
    ``footer_every``-th page of every site also ends with a footer the sites' network shares (a
    minority of each site's pages: no site alone learns it). ``viral``: an article carried by a
    page of every site, three times by the first."""
    network = "Subscribe to our Telegram channel to get the news that the mainstream media will never show you, every day and for free."
    rows, n = [], 0
    for s in range(8):
        site = f"copysite{s}.net"
        for p in range(10):
            text = articles[n].text + f"\n\nCopy Site {s}: write to desk@{site}"
            n += 1
            if p % footer_every == 0:
                text += "\n\n" + network
            rows.append({"id": f"{site}/{p}", "text": text, "site": site})
        if viral is not None:
            for copy in range(3 if s == 0 else 1):
                rows.append({"id": f"{site}/viral-{copy}", "text": viral.text + "\n\n" + network, "site": site})
    path = tmp_path / "network.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path, network


def test_a_footer_a_network_of_sites_shares_is_template_though_no_site_learns_it(tmp_path, reuters):
    articles = independent(reuters[:400])
    path, network = _shared_footer_corpus(tmp_path, articles)
    copytrace.scan([path], tmp_path / "ws")
    ws = copytrace.Workspace(tmp_path / "ws")
    assert ws.table("pairs").num_rows == 0, ws.table("pairs").to_pylist()[:3]  # 24 pages carry it: 276 false pairs before
    learned = ws.table("boilerplate").to_pylist()
    # (a line's text runs from its first word to its last: without the final full stop)
    assert {r["site"] for r in learned if r["text_block"] == network.rstrip(".")} == {f"copysite{s}.net" for s in range(8)}
    docs = {d["doc_id"]: d["text"] for d in ws.table("documents").to_pylist()}
    spans = [(r["doc_id"], r["start"], r["end"]) for r in ws.table("boilerplate_spans").to_pylist()]
    assert any(network.rstrip(".") in docs[d][s:e] for d, s, e in spans)  # shown as boilerplate


def test_an_article_many_sites_carry_is_not_their_template(tmp_path, reuters):
    """A story republished by every site (three times by one) shares whole articles: reuse."""
    articles = independent(reuters[:400])
    path, network = _shared_footer_corpus(tmp_path, articles[1:], viral=articles[0])
    copytrace.scan([path], tmp_path / "ws")
    pairs = copytrace.Workspace(tmp_path / "ws").table("pairs").to_pylist()
    viral = {f"copysite{s}.net/viral-0" for s in range(8)} | {"copysite0.net/viral-1", "copysite0.net/viral-2"}
    found = {frozenset((p["a_id"], p["b_id"])) for p in pairs if p["verdict"] == "copy"}
    assert len(found) == len(viral) * (len(viral) - 1) // 2  # every pair of its ten pages
    assert all(set(p) <= viral for p in found)


def test_lines_the_web_never_writes_in_articles_are_template_everywhere(reuters):
    article = independent(reuters[:300])[0].text
    noise = "Your browser does not support the audio element."
    result = copytrace.compare_texts(article[:300] + "\n" + noise, "Other words here entirely.\n" + noise)
    assert result.verdict == "none"
    assert result.boilerplate["b"] and result.boilerplate["b"][0][1] - result.boilerplate["b"][0][0] == len(noise) - 1


def test_kept_lines_and_fingerprints_mask_as_the_words_do(tmp_path, reuters):
    """The fingerprint stage works from the lines and fingerprints the read stage kept (saved and
    loaded again): what they give is what masking the words themselves gives, spans and
    fingerprints, with learned and built-in boilerplate both present."""
    import numpy as np

    from copytrace.jobs.scan import find_words, fingerprint_words
    from copytrace.match.boilerplate import boilerplate_spans, count_lines, learn_template, mask_template, site_pages
    from copytrace.match.fingerprint import Words
    from copytrace.match.kept_words import BlockWords, KeptWords
    from copytrace.settings import Settings

    articles = independent(reuters[:400])
    texts = [a.text + ("\n\n" + FOOTER if n % 3 else "") for n, a in enumerate(articles[:200])]
    texts += ["", "Read more: " + articles[201].text]  # a document with no words; a small site's
    sites = np.append(np.arange(200) % 4, [4, -1])  # four sites learn a template; one is too small
    pages = site_pages(sites, 5)
    template = learn_template(count_lines(Words.build(texts, 4), sites), pages, 5, 0.3)
    settings = Settings()

    words = find_words(texts, settings)
    masked = mask_template(words, sites, template.keys, pages, settings.boilerplate_min_pages)
    assert 0 < masked.sum() < len(masked)
    spans = boilerplate_spans(words, masked)
    words.exclude(masked)
    hashes, docs = words.fingerprints(settings.ngram, settings.window)

    kept = KeptWords(tmp_path / "words", settings.ngram, settings.window)
    kept.add(BlockWords.of(find_words(texts, settings)))
    kept.finish()
    assert KeptWords.blocks(tmp_path / "words", len(texts) + 1, settings.ngram, settings.window) is None  # not these documents
    assert KeptWords.blocks(tmp_path / "words", len(texts), settings.ngram, settings.window + 1) is None  # not this window
    [(first, block)] = list(KeptWords.blocks(tmp_path / "words", len(texts), settings.ngram, settings.window))
    found = fingerprint_words(block, sites, template, pages, settings, lambda ds: [texts[d] for d in ds.tolist()])
    assert first == 0 and len(found.span_docs) > 0 and texts[found.span_docs[-1]].startswith("Read more")
    for mine, theirs in zip((found.span_docs, found.span_starts, found.span_ends, found.hashes, found.docs), (*spans, hashes, docs)):
        assert np.array_equal(mine, theirs)
