"""Ingest: inputs into documents.

Files, folders, JSON Lines and crawls are read (:mod:`.read`, :mod:`.warc`) into
:class:`~copytrace.ingest.records.Document` records or rejects naming the file, line and reason;
saved pages have their article, dates and site name extracted (:mod:`.extract`, :mod:`.page_dates`);
:mod:`.dates` says how far a date can be trusted and :mod:`.sites` which site a URL belongs to.
"""
