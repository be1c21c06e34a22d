"""Read inputs into documents: text files, JSON Lines, one-article JSON.

Every input the user names ends up either as a :class:`Document` or as a :class:`Reject` naming the
file, the line and the reason; a bad record never stops the rest of the input from being read.
Repairs that keep a document usable (undecodable bytes replaced, an unreadable date left empty) are
reported too, as rejects with ``outcome="kept"``.

Supported:
- ``.txt`` (or no extension): one article per file, UTF-8 (a UTF-16 byte-order mark is honoured);
- ``.jsonl`` / ``.ndjson``: one JSON object per line with ``id`` and ``text`` (required) and ``url``,
  ``site`` (or passim's ``series``), ``title``, ``date``, ``crawled_at`` (optional);
- ``.json``: one such object, or a list of them;
- ``.html`` / ``.htm``: one saved page per file; the article text, title, canonical URL and dates
  are extracted (:mod:`copytrace.ingest.extract`). A JSON record may also give ``html`` instead of ``text``;
- ``.warc``: a crawl; its HTML responses are extracted the same way (:mod:`copytrace.ingest.warc`);
- any of these gzip-compressed (``.gz``);
- a folder: every file below it, in sorted order.
"""

from __future__ import annotations

import codecs
import collections
import contextlib
import errno
import functools
import gzip
import io
import json
import os
import re
import stat
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import orjson

from copytrace.ingest.page_dates import iso_time
from copytrace.ingest.records import HTML_BYTES_PER_CHAR, READ_BLOCK, Document, PendingPage, Reject, _checked, parse_date
from copytrace.ingest.sites import site_of_url

TEXT_SUFFIXES = {".txt", ".text", ""}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
JSON_SUFFIXES = {".json"}
HTML_SUFFIXES = {".html", ".htm"}
WARC_SUFFIXES = {".warc"}
NOT_YET = {".arc": "ARC"}


def _suffixes(path: Path) -> tuple[str, bool]:
    """The meaningful suffix of a file name, and whether it is gzip-compressed."""
    name = path.name.lower()
    gz = name.endswith(".gz")
    if gz:
        name = name[:-3]
    return os.path.splitext(name)[1], gz


#: How the reason of every file a folder walk leaves out ends (the summary counts them).
NOT_READ = "; not read as an article"
#: A language a record may give (``lang``): an ISO 639-1 code, or ``und``.
_LANGUAGE_CODE = re.compile(r"[a-z]{2}|und")
#: Names of files that travel with a collection but are not articles (in a folder, not read).
NOT_ARTICLES = re.compile(r"(?i)^(?:readme|license|licence|copying|notice|changelog|changes|authors|contributing|manifest)(?:\.\w+)*$")


def not_an_article(name: str) -> str | None:
    """Why a file met while walking a folder is not read as an article (None: it is read). Article
    files are ``.txt``/``.text``, ``.jsonl``/``.ndjson``, ``.json``, ``.html``/``.htm`` and
    ``.warc``, each also gzip-compressed; a file named explicitly is read whatever its name."""
    if name.startswith("."):
        return f"a hidden file{NOT_READ}"
    if NOT_ARTICLES.match(name):
        return f"a README, licence or similar file of the collection{NOT_READ}"
    suffix, _ = _suffixes(Path(name))
    if suffix == "":
        return f"no file extension (name it .txt to read it as text){NOT_READ}"
    return None


#: The longest document id taken, in characters: a URL or a file path fits with room to spare;
#: a longer id is a mistake in the input (a whole text in the id field) and would cost memory
#: in every table that holds ids.
MAX_ID_CHARS = 4096


def shown(value: str, limit: int = 80) -> str:
    """A value for a reject's reason: quoted, control characters escaped, cut to ``limit``
    characters (reasons stay one short printable line, whatever the input held)."""
    text = repr(value[:limit])
    return text + f" ... ({len(value):,} characters)" if len(value) > limit else text


def printable_path(path: str | os.PathLike) -> str:
    """A path as text that can be stored and shown: bytes of a file name that are not UTF-8 are
    written as ``\\xNN`` (Python keeps them as lone surrogates, which no table can hold)."""
    text = os.fspath(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def entry_problem(path: Path) -> tuple[str | None, os.stat_result | None]:
    """Why a folder entry or named path cannot be read as a file (None: it can), with its status.
    Names that are not UTF-8, links to nothing or in a loop, pipes, sockets and devices are turned
    away here, before anything opens them (opening a pipe would wait for a writer for ever)."""
    try:
        os.fspath(path).encode("utf-8")
    except UnicodeEncodeError:
        return "the file name is not valid UTF-8; rename the file to read it", None
    try:
        st = path.stat()
    except OSError as err:
        if path.is_symlink():
            if err.errno == errno.ELOOP:
                return "a symbolic link in a loop (it never reaches a file)", None
            return f"a symbolic link to nothing ({printable_path(os.readlink(path))} is not there)", None
        if err.errno == errno.ENOENT:
            return "no such file or folder", None
        return f"cannot read file: {_short_error(err)}", None
    mode = st.st_mode
    if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
        return None, st
    kind = {stat.S_IFIFO: "a named pipe", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device"}.get(
        stat.S_IFMT(mode), "not a regular file"
    )
    return f"{kind}, not a file; not read", None


def _short_error(err: Exception) -> str:
    """A reading error without the file name (the reject names the file already)."""
    return getattr(err, "strerror", None) or str(err) or type(err).__name__


def iter_files(inputs: Iterable[str | os.PathLike]) -> Iterator[tuple[Path, str, os.stat_result] | Reject]:
    """Every file named by ``inputs`` with its name relative to the folder given (the id of a text
    file) and its status; folders are walked in sorted order, their hidden folders, links to
    folders (not followed: they may loop), files that are not articles (:func:`not_an_article`)
    and entries that are not files (:func:`entry_problem`) left out as rejects, as are missing
    paths."""
    for item in inputs:
        path = Path(item)
        problem, st = entry_problem(path)
        if problem:
            yield Reject(printable_path(path), None, problem)
        elif stat.S_ISDIR(st.st_mode):
            unlisted: list[OSError] = []  # folders that could not be listed (os.walk would pass over them)
            for root, dirs, files in os.walk(path, onerror=unlisted.append):
                while unlisted:
                    err = unlisted.pop()
                    yield Reject(printable_path(err.filename or root), None, f"cannot list folder: {_short_error(err)}")
                for name in sorted(dirs):
                    folder = Path(root) / name
                    if name.startswith("."):
                        yield Reject(printable_path(folder), None, f"a hidden folder{NOT_READ}")
                    elif folder.is_symlink():
                        yield Reject(printable_path(folder), None, f"a symbolic link to a folder, not followed (name the folder itself to read it){NOT_READ}")
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (Path(root) / d).is_symlink())
                for name in sorted(files):
                    file = Path(root) / name
                    reason = not_an_article(name)
                    if not reason:
                        reason, st = entry_problem(file)
                    if reason:
                        yield Reject(printable_path(file), None, reason)
                        continue
                    yield file, file.relative_to(path).as_posix(), st
            yield from (Reject(printable_path(err.filename or path), None, f"cannot list folder: {_short_error(err)}") for err in unlisted)
        else:
            yield path, path.name, st


def read_inputs(
    inputs: Iterable[str | os.PathLike],
    max_chars: int = 2_000_000,
    crawl_filter=None,
    site_by: str = "domain",
    on_bytes: Callable[[int], None] | None = None,
    workers: int = 1,
    seen: dict[str, tuple[str, int | None]] | None = None,
    skip: set[str] | None = None,
) -> Iterator[Document | Reject]:
    """Documents and rejects from files, folders, JSON Lines, pages and crawls; document ids are
    unique. ``crawl_filter`` (a :class:`copytrace.ingest.warc.CrawlFilter`) picks the responses of crawls.
    A document whose site is not given gets its URL's registered domain (``site_by="host"``: its
    host). ``on_bytes(n)`` is told of every ``n`` bytes of the input files read, for progress.
    With ``workers`` > 1, pages are extracted on that many processes (records keep their order).
    ``seen`` maps ids already taken to where they were first seen (it is added to). Files and
    folder entries whose path is in ``skip`` are passed over (an ``add`` of files read before)."""
    seen = {} if seen is None else seen  # where each id was first seen (not the document: memory stays small)
    extraction = _Extraction(workers)

    def check(record) -> Document | Reject:
        if type(record) is Document:
            if len(record.doc_id) > MAX_ID_CHARS:
                return Reject(
                    record.source, record.line, f"id is {len(record.doc_id):,} characters, over the limit of {MAX_ID_CHARS:,} ({shown(record.doc_id)})"
                )
            first = seen.get(record.doc_id)
            if first is not None:
                where = Document(record.doc_id, "", *first).where
                return Reject(record.source, record.line, f"duplicate id {shown(record.doc_id)} (first seen at {where})")
            seen[record.doc_id] = (record.source, record.line)
            if record.site is None:
                record.site = site_of_url(record.url, site_by)
        return record

    try:
        for item in iter_files(inputs):
            if skip and (item.source if isinstance(item, Reject) else str(item[0])) in skip:
                continue
            if isinstance(item, Reject):
                yield from map(check, extraction.push(item))
                continue
            done = 0

            def reached(position: int) -> None:
                nonlocal done
                if on_bytes is not None and position > done:
                    on_bytes(position - done)
                    done = position

            for record in read_file(item[0], item[1], max_chars=max_chars, crawl_filter=crawl_filter, reached=reached):
                if extraction.idle and type(record) is not PendingPage:
                    yield check(record)  # the common case, without a list per record
                else:
                    yield from map(check, extraction.push(record))
            reached(item[2].st_size)  # the whole file is read
        yield from map(check, extraction.drain())
    finally:
        extraction.close()


class _Extraction:
    """Turns pending pages into records, in input order: inline, or on a pool of processes (the
    extractor is Python, so threads would not run it in parallel) with a bounded window of pages
    in flight."""

    WINDOW_PER_WORKER = 4
    #: Pages extracted inline before worker processes are started (starting them costs a second:
    #: not worth it for a handful of pages).
    INLINE_FIRST = 8

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool = None
        self.queue: collections.deque = collections.deque()  # (record or page, future or None)
        self.pages = 0

    def push(self, record) -> list:
        """Records ready to hand on, in order, now that ``record`` has come."""
        if isinstance(record, PendingPage):
            self.pages += 1
            if self.workers > 1 and (self.pool is not None or self.pages > self.INLINE_FIRST):
                if self.pool is None:
                    self.pool = _process_pool(self.workers)
                from copytrace.ingest.extract import extract_html

                self.queue.append((record, self.pool.submit(extract_html, record.html, record.url)))
                record.html = None  # sent; free the bytes here
                return self._ready(self.WINDOW_PER_WORKER * self.workers)
            records = self._resolve(record, None)
        else:
            records = [record]
        if not self.queue:
            return records
        self.queue.append((records, None))  # behind pages still in flight
        return self._ready(self.WINDOW_PER_WORKER * self.workers)

    @property
    def idle(self) -> bool:
        """Whether no page is in flight (a record can then be handed on at once)."""
        return not self.queue

    def drain(self) -> list:
        return self._ready(0)

    def _ready(self, keep: int) -> list:
        out = []
        while self.queue and (len(self.queue) > keep or self.queue[0][1] is None or self.queue[0][1].done()):
            item, future = self.queue.popleft()
            out += item if future is None else self._resolve(item, future)
        return out

    @staticmethod
    def _resolve(page: PendingPage, future) -> list:
        if future is None:
            from copytrace.ingest.extract import extract_html

            return page.records(extract_html(page.html, page.url))
        try:
            return page.records(future.result())
        except Exception as err:  # noqa: BLE001 - a worker that died on one page rejects that page
            return [Reject(page.source, page.line, f"page could not be extracted: {type(err).__name__}: {err}", doc_id=page.doc_id)]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)  # at most the pages in flight finish


def _process_pool(workers: int):
    """Worker processes started clean (forkserver where there is one: forking a process that runs
    threads is unsafe)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method))


def read_file(
    path: Path, name: str | None = None, max_chars: int = 2_000_000, crawl_filter=None, reached: Callable[[int], None] | None = None
) -> Iterator[Document | Reject | PendingPage]:
    """Documents, rejects and pages still to be extracted (:class:`PendingPage`, which
    :func:`read_inputs` resolves) from one file, by its type; ``name`` is a text file's document id
    (default: the file name). Readers that stream (JSON Lines, crawls) call ``reached(position)``
    with how far into the file they have read."""
    try:
        empty = path.stat().st_size == 0
    except OSError:
        empty = False  # the reader says why it cannot read the file
    if empty:  # listed, whatever the file type: an empty file never disappears without a word
        yield Reject(str(path), None, "an empty file (0 bytes)")
        return
    found = False
    for record in _read_by_type(path, name or path.name, max_chars, crawl_filter, reached):
        found = True
        yield record
    if not found:
        yield Reject(str(path), None, "no articles in this file (nothing but blank lines or records that are not pages)")


def _read_by_type(path: Path, name: str, max_chars: int, crawl_filter, reached) -> Iterator[Document | Reject | PendingPage]:
    suffix, gz = _suffixes(path)
    if path.name.startswith("."):
        yield Reject(str(path), None, "hidden file, not read")
    elif suffix in NOT_YET:
        yield Reject(str(path), None, f"{NOT_YET[suffix]} input is not supported yet; give text or JSON Lines")
    elif suffix in JSONL_SUFFIXES:
        yield from _read_jsonl(path, gz, max_chars, reached)
    elif suffix in JSON_SUFFIXES:
        yield from _read_json(path, gz, max_chars)
    elif suffix in WARC_SUFFIXES:
        from copytrace.ingest.warc import read_warc

        yield from read_warc(path, max_chars, crawl_filter, reached)
    elif suffix in HTML_SUFFIXES:
        yield from _read_html(path, name[:-3] if gz else name, gz, max_chars)
    elif suffix in TEXT_SUFFIXES:
        yield from _read_text(path, name[:-3] if gz else name, gz, max_chars)
    else:
        yield Reject(str(path), None, f"unsupported file type {suffix!r}; give .txt, .jsonl or .json")


def _open(path: Path, gz: bool):
    return gzip.open(path, "rb") if gz else open(path, "rb")


def _read_bytes(path: Path, gz: bool, limit: int) -> bytes:
    """Read at most ``limit + 1`` bytes (so an oversized file is noticed without loading it)."""
    with _open(path, gz) as fh:
        return fh.read(limit + 1)


def decode_text(data: bytes) -> tuple[str | None, str | None]:
    """Decode file content: ``(text, note)``. ``text`` is None for binary data.

    UTF-8 (with or without a byte-order mark) and UTF-16 (with a byte-order mark, or without one
    when the text starts with an ASCII character) are read; other bytes are replaced by U+FFFD and
    ``note`` says how many. Every input format decodes through here, so all report alike.
    """
    utf16 = utf16_encoding(data)
    if utf16:
        try:
            return data.decode(utf16), None
        except UnicodeDecodeError:
            pass
    head = data[:8192]
    controls = sum(head.count(bytes([b])) for b in range(32) if b not in (9, 10, 12, 13))
    if b"\x00" in head or (head and controls / len(head) > 0.1):
        return None, "binary data, not text"
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as err:
        text = data.decode("utf-8-sig", errors="replace")
        bad = text.count("\ufffd")
        return text, f"not valid UTF-8: {bad} undecodable byte sequence(s) replaced by U+FFFD (first at byte {err.start})"


def utf16_encoding(head: bytes) -> str | None:
    """The UTF-16 codec a file's first bytes show ("utf-16" reads the byte-order mark), or None.
    Without a mark, an ASCII first character beside a zero byte gives the byte order away (JSON
    starts with ``{`` or ``[``, which UTF-8 text never writes as ``{\\0``)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) >= 4 and head[1] == 0 == head[3] and 0 < head[0] < 128 and 0 < head[2] < 128:
        return "utf-16-le"
    if len(head) >= 4 and head[0] == 0 == head[2] and 0 < head[1] < 128 and 0 < head[3] < 128:
        return "utf-16-be"
    return None


def _read_text(path: Path, doc_id: str, gz: bool, max_chars: int) -> Iterator[Document | Reject]:
    source = str(path)
    try:
        data = _read_bytes(path, gz, 4 * max_chars)
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        yield Reject(source, None, f"cannot read file: {_short_error(err)}")
        return
    if len(data) > 4 * max_chars:
        yield Reject(source, None, f"file is over {4 * max_chars:,} bytes; articles longer than {max_chars:,} characters are not read (max_chars)")
        return
    text, note = decode_text(data)
    if text is None:
        yield Reject(source, None, note or "not text")
        return
    doc = _checked(Document(doc_id=doc_id, text=text, source=source), source, None, max_chars)
    if isinstance(doc, Reject):
        yield doc
        return
    if note:
        yield Reject(source, None, note, outcome="kept", doc_id=doc.doc_id)
    yield doc


def _read_html(path: Path, doc_id: str, gz: bool, max_chars: int) -> Iterator[Document | Reject]:
    source = str(path)
    limit = HTML_BYTES_PER_CHAR * max_chars
    try:
        data = _read_bytes(path, gz, limit)
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        yield Reject(source, None, f"cannot read file: {_short_error(err)}")
        return
    if len(data) > limit:
        yield Reject(source, None, f"page is over {limit:,} bytes; not parsed (max_chars x {HTML_BYTES_PER_CHAR})")
        return
    yield PendingPage(data, doc_id, source, None, None, max_chars)


#: A decoding error handler that replaces by U+FFFD, as "replace" does, and counts (in
#: ``_replaced.count``, per thread) so that a repaired UTF-16 file is reported like any other.
COUNTED_REPLACE = "copytrace.counted-replace"
_replaced = threading.local()


def _counted_replace(error: UnicodeError) -> tuple[str, int]:
    _replaced.count = getattr(_replaced, "count", 0) + 1
    return "\ufffd", error.end


codecs.register_error(COUNTED_REPLACE, _counted_replace)


def _read_jsonl(path: Path, gz: bool, max_chars: int, reached: Callable[[int], None] | None = None) -> Iterator[Document | Reject]:
    source = str(path)
    line_no = 0
    utf16 = None
    try:
        # Read in large blocks: every read call lets go of the GIL, and the threads finding words
        # would then keep this one waiting for it (4 KB blocks: 5,000 waits on the speed benchmark).
        with open(path, "rb", buffering=READ_BLOCK) as raw, (gzip.GzipFile(fileobj=raw) if gz else contextlib.nullcontext(raw)) as fh:
            head = fh.peek(4)[:4] if hasattr(fh, "peek") else b""
            lines = fh
            utf16 = utf16_encoding(head)
            if utf16:  # rare: read as UTF-8 lines, so the rest of the reader is the same
                _replaced.count = 0
                lines = (line.encode("utf-8") for line in io.TextIOWrapper(fh, utf16, errors=COUNTED_REPLACE, newline="\n"))
            for line_no, raw_line in enumerate(lines, start=1):
                if reached is not None and line_no % 256 == 0:
                    reached(raw.tell())  # of the file as stored: compressed bytes for .gz
                if line_no == 1 and raw_line.startswith(codecs.BOM_UTF8):
                    raw_line = raw_line[len(codecs.BOM_UTF8) :]  # a byte-order mark, not part of the record
                if not raw_line.strip():
                    continue
                doc = _plain_record(raw_line, source, line_no, max_chars)
                if doc is not None:
                    yield doc
                else:
                    yield from _record(raw_line, source, line_no, max_chars)
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        yield Reject(source, line_no + 1 if line_no else None, f"cannot read further: {_short_error(err)}")
    if utf16 and _replaced.count:
        yield Reject(source, None, f"not valid UTF-16: {_replaced.count} undecodable byte sequence(s) replaced by U+FFFD", outcome="kept")


def _read_json(path: Path, gz: bool, max_chars: int) -> Iterator[Document | Reject]:
    source = str(path)
    limit = 64 * max_chars
    try:
        data = _read_bytes(path, gz, limit)
        if len(data) > limit:
            yield Reject(source, None, f"file is over {limit:,} bytes; split it into JSON Lines (one article per line)")
            return
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        yield Reject(source, None, f"cannot read file: {_short_error(err)}")
        return
    try:
        value, note = orjson.loads(data), None  # the common case: UTF-8, parsed from the bytes
    except orjson.JSONDecodeError as err:
        text, note = decode_text(data)  # a byte-order mark, UTF-16, or bytes that are not UTF-8
        try:
            value = orjson.loads(text if text is not None else data)
        except orjson.JSONDecodeError as err2:
            yield Reject(source, None, f"not valid JSON: {err if text is None else err2}")
            return
        data = text
    if note:
        yield Reject(source, None, note, outcome="kept")
    exact = functools.cache(lambda: _numbers_as_given(data))
    if isinstance(value, list):
        for index, obj in enumerate(value, start=1):
            yield from _document_from(obj, source, index, max_chars, lambda i=index: exact()[i - 1].get("id"))
    else:
        yield from _document_from(value, source, None, max_chars, lambda: exact().get("id"))


def _plain_record(raw: bytes, source: str, line: int, max_chars: int) -> Document | None:
    """The common record in one step: valid JSON with a string ``id`` and ``text`` and optional
    string fields, all well formed. None for anything else, which :func:`_record` handles with its
    messages (the result is the same either way; this only skips the general path's checks)."""
    if len(raw) > 8 * max_chars:
        return None
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if type(obj) is not dict:
        return None
    get = obj.get
    if "site_name" in obj or "lang" in obj:  # rare: the general path reads them
        return None
    text, doc_id = get("text"), get("id")
    if type(text) is not str or type(doc_id) is not str or not doc_id or not text or len(text) > max_chars or text.isspace():
        return None
    url, site, title, date_, crawled = get("url"), get("site") or get("series"), get("title"), get("date"), get("crawled_at")
    for value in (url, site, title, date_, crawled):
        if value is not None and type(value) is not str:
            return None
    try:
        date_ = parse_date(date_) if date_ else None
        crawled = parse_date(crawled) if crawled else None
    except ValueError:
        return None
    return Document(doc_id, text, source, line, url or None, site.lower() if site else None, title or None, date_, crawled)


def _record(raw: bytes, source: str, line: int, max_chars: int) -> Iterator[Document | Reject]:
    if len(raw) > 8 * max_chars:
        yield Reject(source, line, f"record is {len(raw):,} bytes, over the limit for articles of {max_chars:,} characters (max_chars)")
        return
    note = None
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        # orjson insists on UTF-8; retry with undecodable bytes replaced before calling it broken.
        text = raw.decode("utf-8", errors="replace")
        if "\ufffd" not in text:
            yield Reject(source, line, f"not valid JSON: {err}")
            return
        try:
            obj = orjson.loads(text)
        except orjson.JSONDecodeError as err2:
            yield Reject(source, line, f"not valid JSON: {err2}")
            return
        note = f"not valid UTF-8: {text.count(chr(0xFFFD))} undecodable byte sequence(s) replaced by U+FFFD"
    results = _document_from(obj, source, line, max_chars, lambda: _numbers_as_given(text if note else raw).get("id"))
    if note:
        def noted(records: list) -> list:
            if isinstance(records[-1], Document):
                return [Reject(source, line, note, outcome="kept", doc_id=records[-1].doc_id), *records]
            return records

        if isinstance(results[-1], PendingPage):
            results[-1].after.append(noted)
        else:
            results = noted(results)
    yield from results


def _numbers_as_given(data: bytes | str):
    """JSON with every number kept as the text it was written as (the standard library can; orjson
    reads a 41-digit id as a float, ``1.2345678901234568e+40``, and different ids would collide)."""
    return json.loads(data, parse_int=str, parse_float=str)


def _optional_str(obj: dict, key: str) -> str | None:
    value = obj.get(key)
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def _document_from(obj, source: str, line: int | None, max_chars: int, id_as_given: Callable[[], str] | None = None) -> list[Document | Reject]:
    """A document from a JSON object with ``text`` or a page's ``html`` (last in the list), after
    any rejects it caused. The record's own fields win over what a page says. A number id is kept
    as written (``id_as_given`` reads it so when it is not a plain integer)."""
    if not isinstance(obj, dict):
        return [Reject(source, line, f"not a JSON object (got {type(obj).__name__})")]
    text, html = obj.get("text"), obj.get("html")
    if text is None and not isinstance(html, str):
        return [Reject(source, line, "missing required field 'text' (or 'html')")]
    if text is not None and not isinstance(text, str):
        return [Reject(source, line, f"field 'text' must be a string (got {type(text).__name__})")]
    raw_id = obj.get("id")
    if raw_id is None or raw_id == "" or isinstance(raw_id, (dict, list, bool)):
        return [Reject(source, line, "missing required field 'id' (a string or a number)")]
    if type(raw_id) is float and id_as_given is not None:
        raw_id = id_as_given()
    url = _optional_str(obj, "url")
    if text is None:
        page = PendingPage(html, str(raw_id), source, line, url, max_chars)
        page.after.append(lambda results: _apply_fields(obj, results, source, line))
        return [page]
    results = [_checked(Document(doc_id=str(raw_id), text=text, source=source, line=line, url=url), source, line, max_chars)]
    return _apply_fields(obj, results, source, line)


def _apply_fields(obj: dict, results: list, source: str, line: int | None) -> list[Document | Reject]:
    """A JSON record's own site, title and dates, over what a page said (the document is last)."""
    doc = results[-1]
    if not isinstance(doc, Document):
        return results
    site = _optional_str(obj, "site") or _optional_str(obj, "series")
    if site:
        doc.site = site.lower()
    doc.title = _optional_str(obj, "title") or doc.title
    doc.site_name = _optional_str(obj, "site_name") or doc.site_name
    lang = _optional_str(obj, "lang")
    if lang is not None:
        code = lang.strip().lower().replace("_", "-").split("-")[0]  # "en-GB", "pt_BR": the language
        if _LANGUAGE_CODE.fullmatch(code):
            doc.lang = code
        else:
            results.insert(-1, Reject(source, line, f"lang {lang!r} is not an ISO 639-1 code; identified from the text instead", "kept", doc.doc_id))
    for key in ("date", "crawled_at"):
        raw = _optional_str(obj, key)
        if raw is None:
            continue
        value, zone_note = iso_time(raw)
        if value is None:
            results.insert(-1, Reject(source, line, f"{key} {raw!r} is not an ISO 8601 date; ignored", "kept", doc.doc_id))
            continue
        setattr(doc, key, value)
        if zone_note:
            results.insert(-1, Reject(source, line, f"{key}: {zone_note}", "kept", doc.doc_id))
    return results
