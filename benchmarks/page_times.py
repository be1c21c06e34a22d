"""Publication times read from real news pages, against what people checked.

    python -m benchmarks.page_times

Pages and ground truth: the fundus test data in ``../shared/data/web`` (258 pages of 181 publishers
in 41 countries; each page's reviewed ``publishing_date``). A page's time is *kept to the minute*
when copytrace's ``date`` names the same minute (the same instant when both have a zone; when one
has none, the same minute at some zone's offset, since a time without a zone is some place's
wall-clock time); where the truth is a day only (midnight), the same day counts. Pages whose truth we read as wrong are listed, not dropped. Writes
``benchmarks/results/page_times.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from datetime import datetime, timezone
from pathlib import Path

from .accuracy import RESULTS
from .reuters import SHARED_DATA, require

FUNDUS = SHARED_DATA / "web" / "fundus-test-data"


def fundus_pages() -> list[tuple[Path, str, str | None]]:
    """``(page file, url, true publication time)`` of every fundus page, in a fixed order."""
    index = json.loads(require(FUNDUS / "index.json").read_text(encoding="utf-8"))
    out = []
    for page, meta in sorted(index.items()):
        truth = json.loads((FUNDUS / meta["ground_truth_file"]).read_text(encoding="utf-8"))[meta["version_key"]]
        out.append((FUNDUS / page, meta["url"], truth.get("publishing_date")))
    return out


def agreement(truth: str, got: str | None) -> str:
    """``minute`` (the same minute), ``day`` (the same day only), ``wrong`` or ``missing``."""
    if not got:
        return "missing"
    want, have = datetime.fromisoformat(truth), datetime.fromisoformat(got)
    day_only_truth = want.tzinfo is None and (want.hour, want.minute, want.second) == (0, 0, 0)
    if day_only_truth:
        return "minute" if have.date() == want.date() else "wrong"
    if len(got) > 10:
        if want.tzinfo is not None and have.tzinfo is not None:
            if abs((want - have).total_seconds()) < 60:
                return "minute"
        elif want.tzinfo is None and have.tzinfo is None:
            if abs((want - have).total_seconds()) < 60:
                return "minute"
        else:  # one without a zone: some place's wall-clock time, UTC-12 to UTC+14, in quarter hours
            local, exact = (want, have) if want.tzinfo is None else (have, want)
            apart = (local - exact.astimezone(timezone.utc).replace(tzinfo=None)).total_seconds()
            if -12 * 3600 - 60 <= apart <= 14 * 3600 + 60 and min(apart % 900, -apart % 900) < 60:
                return "minute"
    return "day" if have.date() == want.date() else "wrong"


def main(argv: list[str] | None = None) -> dict:
    from copytrace.ingest.extract import extract_html

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RESULTS / "page_times.json")
    args = parser.parse_args(argv)

    counts = {"minute": 0, "day": 0, "wrong": 0, "missing": 0}
    misses = []
    started = time.perf_counter()
    for path, url, truth in fundus_pages():
        if not truth:
            continue
        found = extract_html(gzip.open(path).read(), url)
        got = None if isinstance(found, str) else found.date
        kind = agreement(truth, got)
        counts[kind] += 1
        if kind != "minute":
            misses.append({"page": str(path.relative_to(FUNDUS)), "truth": truth, "date": got, "agreement": kind})
    total = sum(counts.values())
    result = {
        "pages": total, **counts, "minute_rate": round(counts["minute"] / total, 4),
        "seconds": round(time.perf_counter() - started, 1), "misses": misses,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "misses"}))
    for miss in misses:
        print(f"  {miss['agreement']:8} {miss['page']}: truth {miss['truth']}, copytrace {miss['date']}")
    return result


if __name__ == "__main__":
    main()
