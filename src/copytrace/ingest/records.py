"""What reading gives: documents, rejects, and pages waiting for their article to be extracted.

Shared by every reader (:mod:`copytrace.ingest.read` for files, :mod:`copytrace.ingest.warc` for
crawls) and by the stages that take documents in (:mod:`copytrace.store.blocks`, the jobs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from copytrace.ingest.page_dates import iso_time

#: Bytes read from an input file at a time.
READ_BLOCK = 1 << 20
#: Pages larger than this many bytes per allowed article character are not parsed.
HTML_BYTES_PER_CHAR = 16


@dataclass(slots=True)
class Document:
    """One article: its text exactly as read, and what is known about it."""

    doc_id: str
    text: str
    source: str  # the file it came from
    line: int | None = None  # its line in that file (JSON Lines) or its index (a JSON list)
    url: str | None = None
    site: str | None = None
    title: str | None = None
    date: str | None = None  # ISO 8601 as given (a date or a date-time)
    crawled_at: str | None = None
    date_updated: str | None = None  # last update, when a page gives one apart from ``date``
    site_name: str | None = None  # the name the site gives itself on the page (``og:site_name``), for credit
    extractor: str | None = None  # what turned HTML into this text (None: text was given)
    lang: str | None = None  # ISO 639-1, or "und" (copytrace.ingest.languages); None until identified
    flags: list[str] = field(default_factory=list)  # extraction artifacts found (copytrace.match.artifacts)
    links: list[str] = field(default_factory=list)  # sites a page links to (HTML inputs)

    @property
    def chars(self) -> int:
        return len(self.text)

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line is not None else self.source


@dataclass
class Reject:
    """An input that could not be used as given, and why."""

    source: str
    line: int | None
    reason: str
    outcome: str = "skipped"  # "skipped": not used; "kept": used after the repair named in reason
    doc_id: str | None = None

    def __post_init__(self) -> None:
        self.reason = short_reason(self.reason)

    def row(self) -> dict:
        """The reject as a row of the ``rejects`` table."""
        return {"source": self.source, "line": self.line, "reason": self.reason, "outcome": self.outcome, "doc_id": self.doc_id}

    def message(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.reason}" + (" (kept)" if self.outcome == "kept" else "")


@dataclass
class PendingPage:
    """A page whose article is still to be extracted, perhaps in another process: its HTML and URL,
    and what turns the extractor's answer into records (``after``: steps applied to those records,
    in order, such as a JSON record's own fields or a crawl's capture time)."""

    html: bytes | str
    doc_id: str
    source: str
    line: int | None
    url: str | None
    max_chars: int
    after: list[Callable[[list], list]] = field(default_factory=list)

    def records(self, found) -> list[Document | Reject]:
        """The records the page gives, from :func:`copytrace.ingest.extract.extract_html`'s answer."""
        results = _page_records(found, self.doc_id, self.source, self.line, self.url, self.max_chars)
        for step in self.after:
            results = step(results)
        return results


def _page_records(found, doc_id: str, source: str, line: int | None, url: str | None, max_chars: int) -> list[Document | Reject]:
    if isinstance(found, str):
        return [Reject(source, line, found, doc_id=doc_id)]
    url = url or found.url
    doc = Document(
        doc_id=doc_id,
        text=found.text,
        source=source,
        line=line,
        url=url,
        title=found.title,
        date=_date_or_none(found.date),
        date_updated=_date_or_none(found.date_updated),
        site_name=found.site_name,
        extractor=found.extractor,
        links=found.links,
    )
    checked = _checked(doc, source, line, max_chars)
    if isinstance(checked, Reject):
        return [checked]
    return [*(Reject(source, line, note, "kept", doc_id) for note in found.notes), checked]


def _date_or_none(value: str | None) -> str | None:
    try:
        return parse_date(value)
    except ValueError:
        return None


def _checked(doc: Document, source: str, line: int | None, max_chars: int) -> Document | Reject:
    if not doc.text or doc.text.isspace():  # (no stripped copy of every text)
        return Reject(source, line, "empty article text", doc_id=doc.doc_id)
    if len(doc.text) > max_chars:
        return Reject(
            source, line, f"article is {len(doc.text):,} characters, over the limit of {max_chars:,} (max_chars)", doc_id=doc.doc_id
        )
    return doc


#: The longest reason a reject gives, in characters (a broken record's own bytes can be quoted).
MAX_REASON_CHARS = 300


def short_reason(reason: str) -> str:
    """A reason as one short printable line: cut to :data:`MAX_REASON_CHARS`, and characters that
    are not printable (controls, raw bytes of a binary file) written as escapes."""
    cut = reason[: MAX_REASON_CHARS + 1]
    if not cut.isprintable():
        cut = "".join(c if c.isprintable() else repr(c)[1:-1] for c in cut)
    return cut if len(cut) <= MAX_REASON_CHARS else cut[: MAX_REASON_CHARS - 3] + "..."


def parse_date(value: str | None) -> str | None:
    """An ISO 8601 date or date-time, normalized; raises ValueError for anything else."""
    if value is None:
        return None
    iso, zone_note = iso_time(value)
    if iso is None:
        raise ValueError(f"not an ISO 8601 date: {value!r}")
    if zone_note:
        raise ValueError(zone_note)
    return iso
