"""Publication times with their uncertainty, and the dates that cannot be trusted.

A date says less than it seems. ``2020-10-26`` is a whole day somewhere on Earth; a date-time
without a time zone is off by up to 14 hours; only a date-time with a zone is a point. A
:class:`Moment` is the interval of UTC times a document's publication may have happened in
(POSIX seconds), so two documents are ordered only as far as their intervals allow
(:func:`precedes`). A page's capture time (``crawled_at``) is an upper bound: it was published
before it was crawled.

Some dates are wrong rather than vague: a date after the scan or after the crawl, a date before
1990 (a CMS default, an epoch), a last update before the publication, or one time-stamp shared by a
whole batch of articles (an import time). :func:`date_problems` finds them; the scan flags those
documents, lists each problem in ``rejects`` (outcome ``kept``) and never uses such a date to
decide who copied whom.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

#: Time zones run from UTC-12 to UTC+14: a local time is this far from UTC at most.
EARLIEST_ZONE = timedelta(hours=14)
LATEST_ZONE = timedelta(hours=12)
DAY = 86_400.0

DATE_IN_FUTURE = "date_in_future"
DATE_AFTER_CRAWL = "date_after_crawl"
DATE_TOO_EARLY = "date_too_early"
UPDATED_BEFORE_PUBLISHED = "updated_before_published"
BATCH_TIMESTAMP = "batch_timestamp"
CRAWL_IN_FUTURE = "crawled_in_future"
#: Flags that make a document's ``date`` untrusted (its ``crawled_at`` may still bound it).
UNTRUSTED_DATE = frozenset({DATE_IN_FUTURE, DATE_AFTER_CRAWL, DATE_TOO_EARLY, UPDATED_BEFORE_PUBLISHED, BATCH_TIMESTAMP})


@dataclass(frozen=True)
class Moment:
    """When something happened: some UTC instant in ``[lo, hi]`` (POSIX seconds; ``-inf`` when
    only an upper bound is known). ``precision``: ``exact``, ``no_zone`` (a local time, zone
    unknown), ``day`` (a date only, or a date-time at midnight) or ``bound`` (only ``hi``)."""

    lo: float
    hi: float
    precision: str

    @property
    def middle(self) -> float | None:
        """The middle of the interval (None when it is unbounded)."""
        return (self.lo + self.hi) / 2 if math.isfinite(self.lo) else None

    def before(self, bound: Moment | None) -> Moment:
        """This moment, known to lie before ``bound`` ends (a capture time)."""
        if bound is None or bound.hi >= self.hi:
            return self
        return Moment(min(self.lo, bound.hi), bound.hi, self.precision)


def moment(value: str | None) -> Moment | None:
    """The interval an ISO 8601 date or date-time stands for; None for None or an unreadable value.

    A date-time at exactly midnight is read as a day: that is how most sites that know only the day
    write it."""
    if not value:
        return None
    try:
        if len(value) == 10:
            return _day(date.fromisoformat(value), None)
        parsed = datetime.fromisoformat(value)  # 3.11 reads a "Z" zone too
    except ValueError:
        return None
    if parsed.time() == time(0, 0):
        return _day(parsed.date(), parsed.tzinfo)
    if parsed.tzinfo is None:
        t = parsed.replace(tzinfo=UTC).timestamp()
        return Moment(t - EARLIEST_ZONE.total_seconds(), t + LATEST_ZONE.total_seconds(), "no_zone")
    t = parsed.timestamp()
    return Moment(t, t, "exact")


def _day(day: date, zone) -> Moment:
    start = datetime.combine(day, time(0, 0), tzinfo=zone or UTC).timestamp()
    if zone is None:
        return Moment(start - EARLIEST_ZONE.total_seconds(), start + DAY + LATEST_ZONE.total_seconds(), "day")
    return Moment(start, start + DAY, "day")


def publication(date_: str | None, crawled_at: str | None, trusted: bool = True) -> Moment | None:
    """When a document was published: its date (if ``trusted``) capped by its capture time; only
    the capture time as an upper bound when there is no usable date; None when nothing is known."""
    crawl = moment(crawled_at)
    published = moment(date_) if trusted else None
    if published is not None:
        return published.before(crawl)
    if crawl is not None:
        return Moment(-math.inf, crawl.hi, "bound")
    return None


def document_time(date_: str | None, crawled_at: str | None, flags: list[str] | tuple[str, ...] | None) -> Moment | None:
    """:func:`publication` of a document, its date left out when a flag says it is untrusted."""
    return publication(date_, crawled_at, not (set(flags or ()) & UNTRUSTED_DATE))


def first_by_dates(a: Moment | None, b: Moment | None, confidence: float) -> int | None:
    """Which of two documents was published first (0 or 1) when the dates say so with at least
    ``confidence``; None otherwise."""
    p = precedes(a, b)
    return 0 if p >= confidence else 1 if p <= 1 - confidence else None


def precedes(a: Moment | None, b: Moment | None) -> float:
    """The probability that ``a`` happened before ``b``, each uniform over its interval; 0.5 when
    either is unknown, or when an unbounded interval overlaps the other (no way to weigh it)."""
    if a is None or b is None:
        return 0.5
    if a.hi < b.lo:
        return 1.0
    if b.hi < a.lo:
        return 0.0
    if not (math.isfinite(a.lo) and math.isfinite(b.lo)):
        return 0.5
    if a.lo == a.hi and b.lo == b.hi:
        return 0.5  # the same instant
    if b.lo == b.hi:
        return (b.lo - a.lo) / (a.hi - a.lo)
    if a.lo == a.hi:
        return (b.hi - a.lo) / (b.hi - b.lo)
    # E[P(b > x)] for x uniform over a: P(b > x) is piecewise linear in x, with corners at b's ends,
    # so trapezoids between the corners are exact.
    points = sorted({a.lo, a.hi, *(p for p in (b.lo, b.hi) if a.lo < p < a.hi)})

    def later(x: float) -> float:
        return min(1.0, max(0.0, (b.hi - x) / (b.hi - b.lo)))

    area = sum((later(x0) + later(x1)) / 2 * (x1 - x0) for x0, x1 in itertools.pairwise(points))
    return area / (a.hi - a.lo)


@dataclass(frozen=True)
class DateProblem:
    """A date that will not be used: which document (by its index), the flag, and why."""

    index: int
    flag: str
    reason: str


def date_problems(
    dates: list[str | None], crawled: list[str | None], updated: list[str | None], groups: list[str],
    now: datetime, earliest: str = "1990-01-01", batch_min: int = 10,
) -> list[DateProblem]:
    """Every untrustworthy date among documents (given as parallel lists; ``groups``: where each
    document came from, such as its input file, for batch time-stamps), in document order."""
    problems: list[DateProblem] = []
    now_s = now.timestamp()
    floor = moment(earliest)
    floor_s = floor.lo if floor else -math.inf
    stamps: Counter[tuple[str, str]] = Counter()
    dated_in: Counter[str] = Counter()
    for i, (value, crawl_value, update_value) in enumerate(zip(dates, crawled, updated)):
        crawl = moment(crawl_value)
        if crawl is not None and crawl.lo > now_s:
            problems.append(DateProblem(i, CRAWL_IN_FUTURE, f"crawled_at {crawl_value} is after the time of this scan; not used"))
        published = moment(value)
        if published is None:
            continue
        dated_in[groups[i]] += 1
        if published.precision in ("exact", "no_zone"):
            stamps[groups[i], value] += 1
        if published.lo > now_s:
            problems.append(DateProblem(i, DATE_IN_FUTURE, f"date {value} is after the time of this scan; not trusted"))
        elif crawl is not None and crawl.lo <= now_s and published.lo > crawl.hi:
            problems.append(DateProblem(i, DATE_AFTER_CRAWL, f"date {value} is after the page was crawled ({crawl_value}); not trusted"))
        if published.hi < floor_s:
            problems.append(DateProblem(i, DATE_TOO_EARLY, f"date {value} is before {earliest}; not trusted"))
        update = moment(update_value)
        if update is not None and update.hi < published.lo:
            problems.append(DateProblem(i, UPDATED_BEFORE_PUBLISHED, f"last updated {update_value}, before its date {value}; not trusted"))
    batches = {key for key, n in stamps.items() if n >= batch_min and n >= 0.2 * dated_in[key[0]]}
    if batches:
        for i, value in enumerate(dates):
            if value and (groups[i], value) in batches:
                n = stamps[groups[i], value]
                problems.append(DateProblem(i, BATCH_TIMESTAMP, f"date {value} is shared by {n} articles of {groups[i]} (an import time?); not trusted"))
    problems.sort(key=lambda p: p.index)  # each document's problems together, in document order
    return problems


def check_dates(docs, earliest: str = "1990-01-01", batch_min: int = 10, now: datetime | None = None) -> list[DateProblem]:
    """:func:`date_problems` of documents (anything with ``date``, ``crawled_at``,
    ``date_updated`` and ``source``), as of ``now`` (default: this moment)."""
    return date_problems(
        [d.date for d in docs], [d.crawled_at for d in docs], [d.date_updated for d in docs], [d.source for d in docs],
        now or datetime.now(UTC), earliest, batch_min,
    )


def duration(seconds: float | None) -> str:
    """A delay as people read it: ``40 min``, ``3.5 h``, ``2.1 days``, ``–`` when unknown."""
    if seconds is None:
        return "–"
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    if seconds < 3600:
        return f"{sign}{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{sign}{seconds / 3600:.1f} h"
    return f"{sign}{seconds / 86400:.1f} days"
