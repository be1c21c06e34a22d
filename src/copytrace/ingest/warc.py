"""WARC crawls as input: HTML responses streamed record by record, each extracted into an article.

A crawl file is never loaded whole: warcio reads one record at a time (``.warc``, ``.warc.gz`` with
one gzip member per record as Common Crawl writes them, and whole-file gzip too). Only HTTP
responses whose content type is HTML become documents: ``url`` is the record's target URI,
``crawled_at`` its capture time (``WARC-Date``) and ``doc_id`` its ``WARC-Record-ID``. Documents
and rejects carry the record's byte offset in ``line``. A broken record becomes a reject naming its
offset, and reading resumes at the next record that starts cleanly, so one bad record never ends
the file early. Responses passed over (not HTML, or outside the crawl filter) are counted in one
reject per file.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from copytrace.ingest.records import (
    HTML_BYTES_PER_CHAR,
    READ_BLOCK,
    Document,
    PendingPage,
    Reject,
    parse_date,
)
from copytrace.ingest.sites import site_of_url

#: How far past a broken record to look for the next one.
RESYNC_WINDOW = 1 << 20


@dataclass(frozen=True)
class CrawlFilter:
    """Which responses of a crawl to keep: sites (a registered domain takes in all its hosts, a host
    name only itself), and a capture-time range (ISO dates, inclusive; ``until`` may be a date,
    meaning the whole day)."""

    sites: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None

    def keeps(self, url: str | None, crawled_at: str | None) -> bool:
        if self.sites and site_of_url(url) not in self.sites and site_of_url(url, "host") not in self.sites:
            return False
        if crawled_at and self.since and crawled_at < self.since:
            return False
        if crawled_at and self.until and crawled_at[: len(self.until)] > self.until:
            return False
        return True


def read_warc(path: Path, max_chars: int, keep: CrawlFilter | None = None, reached=None) -> Iterator[PendingPage | Reject]:
    """The HTML responses of one WARC file, as pages to extract, and rejects for what could not be
    read; ``reached(position)`` is told how far into the file reading has gone after each record."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    keep = keep or CrawlFilter()
    source = str(path)
    gz = path.name.lower().endswith(".gz")
    start: int | None = 0
    whole_gzip = False
    passed_over = {NOT_HTML: 0, FILTERED: 0}
    while start is not None:
        offset = start
        resume = None
        with open(path, "rb", buffering=READ_BLOCK) as raw, _stream(raw, whole_gzip) as fh:
            fh.seek(start)
            records = _quiet_iterator(ArchiveIterator)(fh, check_digests=True)
            try:
                for record in records:
                    # warcio knows a record's offset and length only once it is read (asking
                    # earlier reads it to the end), so each offset comes from the record before.
                    results = _from_record(record, source, max_chars, keep)
                    at = records.get_record_offset()  # where the file was opened counts: absolute
                    offset = at + records.get_record_length()  # (reads the record to its end)
                    damage = _damage(record)
                    if damage:
                        url = record.rec_headers.get_header("WARC-Target-URI")
                        doc_id = record.rec_headers.get_header("WARC-Record-ID")
                        results = [Reject(source, None, f"{record.rec_type or 'WARC'} record{f' for {url}' if url else ''}: {damage}; not read", doc_id=doc_id)]
                    elif isinstance(results, str):
                        passed_over[results] += 1
                        results = []
                    for result in results:
                        result.line = at  # for a crawl, the record's byte offset
                    if reached is not None:
                        reached(raw.tell())  # bytes of the file as stored (whole-gzip: offsets are not)
                    yield from results
                    yield from (Reject(source, at, reason, "kept") for reason in records.take_warnings())
                if not whole_gzip and os.path.getsize(path) - offset > 4:  # more than trailing line breaks
                    yield Reject(source, offset, f"data from byte {offset} is not a readable WARC record; ignored")
                    resume = _next_record(path, offset + 1, gz)
            except ArchiveLoadFailed as err:
                if gz and not whole_gzip and "non-chunked gzip" in str(err):
                    whole_gzip = True  # one gzip member for the whole file: read it as one stream
                    resume = 0
                else:
                    yield Reject(source, offset, f"broken WARC record at byte {offset}: {_first_line(err)}; skipped to the next record")
                    resume = None if whole_gzip else _next_record(path, offset + 1, gz)
            except (OSError, EOFError, ValueError) as err:
                yield Reject(source, offset, f"cannot read further at byte {offset}: {err}")
                resume = None if whole_gzip else _next_record(path, offset + 1, gz)
        start = resume
    if passed_over[NOT_HTML]:
        yield Reject(source, None, f"{passed_over[NOT_HTML]:,} responses that are not HTML (images, PDFs, scripts...) were not read")
    if passed_over[FILTERED]:
        yield Reject(source, None, f"{passed_over[FILTERED]:,} HTML responses outside the --site/--since/--until choice were left out")


NOT_HTML, FILTERED = "not HTML", "filtered"


def _quiet_iterator(base):
    """warcio's ``ArchiveIterator`` with the warnings it writes to the terminal (a record not
    followed by a blank line: its Content-Length may be wrong) kept as reasons for the rejects
    table instead."""

    class QuietIterator(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._warnings: list[str] = []

        def _consume_blanklines(self):
            caught = io.StringIO()
            with contextlib.redirect_stderr(caught):  # no yield inside: nothing else is silenced
                result = super()._consume_blanklines()
            if caught.getvalue().strip():
                found = re.search(r"Offset: (\d+)", caught.getvalue())
                where = f" (at byte {found[1]})" if found else ""
                self._warnings.append(f"a record is not followed by a blank line{where}: its Content-Length may be wrong; read on from there")
            return result

        def take_warnings(self) -> list[str]:
            taken, self._warnings = self._warnings, []
            return taken

    return QuietIterator


@contextlib.contextmanager
def _stream(raw, whole_gzip: bool):
    if whole_gzip:
        with gzip.open(raw) as fh:
            yield fh
    else:
        yield raw


def _from_record(record, source: str, max_chars: int, keep: CrawlFilter) -> list[Document | Reject] | str:
    """What one record gives: documents and rejects, or NOT_HTML / FILTERED for a response passed
    over (counted, and reported once per file)."""
    if record.format.startswith("warc") and not record.rec_headers.get_header("WARC-Type"):
        return [Reject(source, None, "WARC record without a WARC-Type header (truncated?); skipped")]
    if record.rec_type != "response":
        return []  # requests, metadata, warcinfo: not pages
    content_type = (record.http_headers.get_header("Content-Type") or "") if record.http_headers else ""
    if "html" not in content_type.lower():
        return NOT_HTML
    url = record.rec_headers.get_header("WARC-Target-URI")
    try:
        crawled_at = parse_date(record.rec_headers.get_header("WARC-Date"))
    except ValueError:
        crawled_at = None
    if not keep.keeps(url, crawled_at):
        return FILTERED
    doc_id = record.rec_headers.get_header("WARC-Record-ID") or f"{source}:{url}"
    limit = HTML_BYTES_PER_CHAR * max_chars
    body = _read_up_to(record.content_stream(), limit + 1)
    if len(body) > limit:
        return [Reject(source, None, f"response for {url} is over {limit:,} bytes; not parsed", doc_id=doc_id)]
    page = PendingPage(body, doc_id, source, None, url, max_chars)

    def captured(results: list) -> list:
        doc = results[-1]
        if isinstance(doc, Document):
            doc.crawled_at = crawled_at
        elif isinstance(doc, Reject):
            doc.reason = f"response for {url}: {doc.reason}"
        return results

    page.after.append(captured)
    return [page]


def _damage(record) -> str | None:
    """How a record read to its end is damaged (None: it is whole): shorter than its
    Content-Length (the file ends inside it, or was cut), or its digests do not match what it
    holds (the bytes were altered; a payload digest alone failing while the block's matches is a
    writer's quirk, not damage). Such a record's text would be silently wrong, so it is not read."""
    missing = getattr(record.raw_stream, "limit", 0)
    if missing:
        return f"ends after {record.length - missing:,} of its {record.length:,} bytes (the file is cut short)"
    checker = getattr(record, "digest_checker", None)
    if checker is None or checker.passed is not False:
        return None
    failed = list(dict.fromkeys(problem.split(" digest")[0] for problem in checker.problems))
    if failed == ["payload"] and record.rec_headers.get_header("WARC-Block-Digest"):
        # The whole block matches its digest, so no byte is wrong: some writers (ClueWeb's WARC
        # 0.18) put the block's digest in the payload's place too.
        return None
    return f"its {' and '.join(failed)} digest does not match its content (damaged or altered)"


def _read_up_to(stream, limit: int) -> bytes:
    """At most ``limit`` bytes of a stream (its reads may return less than asked)."""
    parts, size = [], 0
    while size < limit:
        part = stream.read(min(1 << 16, limit - size))
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def _next_record(path: Path, after: int, gz: bool) -> int | None:
    """Where the next record that starts cleanly begins, at or after byte ``after`` (None: none)."""
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        position = after
        while position < size:
            fh.seek(position)
            window = fh.read(RESYNC_WINDOW)
            marker = b"\x1f\x8b\x08" if gz else b"WARC/1."
            at = 0
            while (at := window.find(marker, at)) >= 0:
                if not gz or _gzip_member_is_warc(path, position + at):
                    return position + at
                at += 1
            position += max(1, len(window) - len(marker))
    return None


def _gzip_member_is_warc(path: Path, offset: int) -> bool:
    with open(path, "rb") as fh:
        fh.seek(offset)
        try:
            with gzip.GzipFile(fileobj=io.BufferedReader(fh)) as member:
                return member.read(7) == b"WARC/1."
        except (OSError, EOFError):
            return False


def _first_line(err: Exception) -> str:
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    return " ".join(lines[:2]) if lines else type(err).__name__
