"""Article text and metadata from saved HTML pages.

The text, title and canonical URL (``<link rel=canonical>`` / ``og:url``) come from trafilatura,
with its cross-document deduplication off: it drops text it has seen on earlier pages, which is
exactly the copied text copytrace looks for. The publication and update times come from the page's
structured metadata to the minute where it states them (:mod:`copytrace.ingest.page_dates`), else from
htmldate, asked twice: once for the original publication date, once for the last update, so the two
stay apart.
trafilatura decodes the page bytes itself, by the declared charset or by detection.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from functools import cache

from copytrace.ingest.page_dates import PageTimes, choose_date, page_times


@dataclass
class Extracted:
    """What a page holds, as far as the extractor can tell."""

    text: str
    title: str | None
    url: str | None  # the canonical URL the page declares
    site_name: str | None  # the name the site gives itself (``og:site_name``...): how others credit it
    date: str | None  # original publication date, ISO 8601 (a date-time where the page states one)
    date_updated: str | None  # last update, when the page gives one later than ``date``
    extractor: str  # which extractor and version produced the text
    links: list[str]  # registered domains the page links to (credit by hyperlink)
    notes: tuple[str, ...] = ()  # dates set aside or repaired, for the rejects table (kept)


@cache
def extractor_name() -> str:
    """``trafilatura <version>`` (recorded with every extracted document)."""
    import trafilatura

    return f"trafilatura {trafilatura.__version__}"


def extract_html(html: bytes | str, url: str | None = None) -> Extracted | str:
    """The article in a page, or the reason there is none (a message for the rejects table)."""
    import htmldate
    import trafilatura

    # trafilatura and htmldate log and warn about every odd page; the caller reports what matters.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            found = trafilatura.bare_extraction(
                html, url=url, with_metadata=True, deduplicate=False, include_comments=False, include_tables=True
            )
        except Exception as err:  # noqa: BLE001 - a page that breaks the parser is a bad record, not a crash
            return f"HTML could not be parsed: {type(err).__name__}: {err}"
        if found is None or not (found.text or "").strip():
            return "no article text found in the page (an index page, or an empty body?)"
        try:
            original = htmldate.find_date(html, url=url, original_date=True, extensive_search=False)
            updated = htmldate.find_date(html, url=url, original_date=False, extensive_search=False)
        except Exception:  # noqa: BLE001 - an unreadable date leaves the date empty
            original = updated = None
    tree = _tree(html)
    stated = page_times(tree) if tree is not None else PageTimes()
    published, note = choose_date(stated.published, original or found.date or None, html)
    updated = stated.modified or updated
    notes = [*stated.notes, *([note] if note else [])]
    if updated and published and _ends_before(updated, published):
        # Scheduled posts keep the time their draft was last saved as the "modified" time.
        notes.append(f"last update {updated} is before the publication {published} (a draft saved before a scheduled publication?); not kept")
        updated = None
    return Extracted(
        text=found.text,
        title=found.title or None,
        url=found.url or None,
        site_name=(found.sitename or "").strip() or None,
        date=published,
        date_updated=updated if updated and not _same_time(updated, published) else None,
        extractor=extractor_name(),
        links=linked_sites(tree),
        notes=tuple(notes),
    )


def _ends_before(a: str, b: str) -> bool:
    """Whether time ``a`` surely ends before time ``b`` begins (as the intervals they stand for)."""
    from copytrace.ingest.dates import moment

    ma, mb = moment(a), moment(b)
    return ma is not None and mb is not None and ma.hi < mb.lo


def _same_time(a: str, b: str | None) -> bool:
    """Whether two ISO dates name one time: the same day when either is a day only, else the same
    minute."""
    if b is None:
        return False
    if len(a) == 10 or len(b) == 10:
        return a[:10] == b[:10]
    return a[:16] == b[:16]


def _tree(html: bytes | str):
    """The page as an lxml tree, or None when it cannot be parsed."""
    import lxml.html

    try:
        return lxml.html.fromstring(html)
    except (ValueError, TypeError, lxml.etree.ParserError):
        return None


#: Links read from one page at most (a page of thousands of links is a directory, not an article).
MAX_LINKS = 2000


def linked_sites(tree) -> list[str]:
    """The registered domains the ``<a href>`` links of a page's lxml tree point to, sorted (none
    for None: an unparsable page)."""
    from copytrace.ingest.sites import site_of_url

    if tree is None:
        return []
    found = set()
    for href in tree.xpath("//a/@href")[:MAX_LINKS]:
        if href.startswith(("http://", "https://", "//")):
            site = site_of_url(href)
            if site:
                found.add(site)
    return sorted(found)
