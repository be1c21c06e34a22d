"""Publication times from pages: to the minute where a page states them, never a copyright year."""

import gzip

import lxml.html

from benchmarks.page_times import agreement, fundus_pages
from copytrace.ingest.dates import moment, precedes
from copytrace.ingest.extract import extract_html
from copytrace.ingest.page_dates import choose_date, iso_time, page_times
from copytrace.ingest.records import Document, Reject
from copytrace.ingest.read import read_inputs


def _times(head: str, body: str = "") -> tuple:
    times = page_times(lxml.html.fromstring(f"<html><head>{head}</head><body>{body}<p>x</p></body></html>"))
    return times.published, times.modified, times.notes


def test_real_pages_keep_their_publication_time_to_the_minute():
    pages = [p for p in fundus_pages() if p[2]]  # 13 pages of as many publishers in 9 countries (tests/data)
    kept = 0
    for path, url, truth in pages:
        found = extract_html(gzip.open(path).read(), url)
        kept += agreement(truth, found.date) == "minute"
    assert kept >= 0.85 * len(pages), kept  # the day only, before: 6 of 258 pages to the minute


def test_structured_times_in_their_order_of_trust():
    og = '<meta property="article:published_time" content="2024-08-05T19:49:50Z">'
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-08-05T21:00:18+01:00", "dateModified": "2024-08-06T08:00:00+01:00"}</script>'
    assert _times(og + ld)[:2] == ("2024-08-05T21:00:18+01:00", "2024-08-06T08:00:00+01:00")  # the article's JSON-LD first
    assert _times(og)[0] == "2024-08-05T19:49:50+00:00"
    graph = '<script type="application/ld+json">{"@graph": [{"@type": "WebPage", "datePublished": "2025-01-28T02:39:19+00:00"}, {"@type": ["NewsArticle"], "datePublished": "2025-01-28T11:30:00+00:00"}]}</script>'
    assert _times(graph)[0] == "2025-01-28T11:30:00+00:00"  # the article's, not the page object's
    related = '<script type="application/ld+json">{"@type": "ItemList", "datePublished": "2020-01-01"}</script>'
    assert _times(related)[0] is None
    assert _times("", '<time pubdate datetime="2023-04-28T19:20">Fri</time>')[0] == "2023-04-28T19:20:00"
    assert _times("", '<span itemprop="datePublished" content="2024-08-04T13:23:00Z"></span>')[0] == "2024-08-04T13:23:00+00:00"
    assert _times('<meta name="article:published:time" content="2024-10-23T15:48:15+00:00">')[0] == "2024-10-23T15:48:15+00:00"


def test_sources_that_disagree_are_noted_and_the_most_trusted_is_used():
    head = ('<meta property="article:published_time" content="2024-08-01T10:00:00Z">'
            '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-08-05T19:49:50Z"}</script>')
    published, _, notes = _times(head)
    assert published == "2024-08-05T19:49:50+00:00"
    assert notes and "meta article:published_time says 2024-08-01T10:00:00+00:00" in notes[0]


def test_a_publication_time_restamped_at_each_update_gives_way_to_the_earliest():
    """A live blog whose metadata states its last update as its publication, and the real one elsewhere."""
    head = ('<meta property="article:published_time" content="2024-08-05T19:49:50Z">'
            '<meta property="article:modified_time" content="2024-08-05T19:49:50Z">')
    body = '<div itemprop="datePublished" content="2024-08-04T13:23:00Z"></div>'
    published, modified, notes = _times(head, body)
    assert (published, modified) == ("2024-08-04T13:23:00+00:00", "2024-08-05T19:49:50+00:00")
    assert any("last update" in n for n in notes)
    same_day = _times(head, '<div itemprop="datePublished" content="2024-08-05T08:00:00Z"></div>')
    assert same_day[0] == "2024-08-05T19:49:50+00:00"  # within a day: an ordinary disagreement, the first kept


def test_written_and_odd_forms_of_a_time():
    assert iso_time("Fri Apr 28 19:20:36 CEST 2023", written=True) == ("2023-04-28T19:20:36+02:00", None)
    assert iso_time("Fri, 28 Apr 2023 19:20:36 +0200", written=True) == ("2023-04-28T19:20:36+02:00", None)
    assert iso_time("Fri, 28 Apr 2023 19:20:36 +0200") == (None, None)  # JSON records: ISO 8601 only
    assert iso_time("2025-05-29T20:00:27+0200") == ("2025-05-29T20:00:27+02:00", None)
    assert iso_time("04/05/2023", written=True) == (None, None)  # day or month first: not guessed
    assert iso_time("not a date") == (None, None)
    value, note = iso_time("2024-08-05T19:49:50+15:00")  # no place is 15 hours east of UTC
    assert value == "2024-08-05T19:49:50" and "no place's" in note
    assert moment(value).precision == "no_zone"


def test_copies_made_hours_apart_on_one_day_are_ordered_by_their_times():
    original, copy = moment("2024-08-05T08:10:00+02:00"), moment("2024-08-05T14:30:00+01:00")
    assert precedes(original, copy) == 1.0
    assert precedes(moment("2024-08-05"), moment("2024-08-05")) == 0.5  # days alone cannot


def test_a_copyright_year_is_not_a_publication_date():
    page = "<html><body><p>x</p><footer>© 2024 Example News</footer></body></html>"
    assert choose_date(None, "2024-01-01", page) == (None, "date 2024-01-01 is only the year of a copyright line; not used")
    assert choose_date(None, "2024-03-05", page) == ("2024-03-05", None)
    assert choose_date("2024-01-01T09:00:00+00:00", "2024-01-01", page)[0] == "2024-01-01T09:00:00+00:00"


def test_an_undated_page_with_a_copyright_footer_gets_no_date(tmp_path):
    path, url, _ = fundus_pages()[0]
    page = gzip.open(path).read().decode("utf-8")
    # the same real article with its dates taken out, as a copy site would serve it
    import re

    stripped = re.sub(r"<script[^>]*ld\+json.*?</script>|<meta[^>]*(?:time|date)[^>]*>|<time[^>]*>", "", page, flags=re.S | re.I)
    stripped = re.sub(r"20\d\d", "", stripped).replace("</body>", "<footer>© 2024 Copy Site</footer></body>")
    (tmp_path / "copy.html").write_text(stripped, encoding="utf-8")
    records = list(read_inputs([tmp_path]))
    doc = next(r for r in records if isinstance(r, Document))
    assert doc.date is None
    notes = [r for r in records if isinstance(r, Reject)]
    assert notes and notes[0].outcome == "kept" and "copyright" in notes[0].reason and notes[0].doc_id == "copy.html"


def test_jsonl_dates_with_an_impossible_zone_are_kept_as_local_times(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"id": "a", "text": "Some words here.", "date": "2024-08-05T19:49:50+15:00"}\n')
    records = list(read_inputs([tmp_path]))
    doc = next(r for r in records if isinstance(r, Document))
    assert doc.date == "2024-08-05T19:49:50"
    reject = next(r for r in records if isinstance(r, Reject))
    assert reject.outcome == "kept" and reject.line == 1 and "no place's" in reject.reason


def test_an_update_stated_before_the_publication_is_a_drafts_time_not_kept():
    """A real scheduled post: its article:modified_time is days before its article:published_time."""
    page = next(p for p in fundus_pages() if p[0].name == "TheNation_2023_05_15.html.gz")
    found = extract_html(gzip.open(page[0]).read(), page[1])
    assert found.date == "2023-05-15T09:00:37+00:00" and found.date_updated is None  # modified 2023-05-12
    assert any("before the publication" in note for note in found.notes)
