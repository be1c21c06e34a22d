"""Read Reuters-21578 (SGML) into articles: id, title, date, text (title + reflowed paragraphs).

The SGML is not valid XML; it is read as latin-1 and picked apart with regular expressions.

The benchmarks read the collections in ``../shared/data`` beside the repository
(:data:`SHARED_DATA`; ``COPYTRACE_SHARED_DATA`` names another folder of the same layout); the
tests point it at the small subsets kept in ``tests/data``.
"""

from __future__ import annotations

import gzip
import html
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

SHARED_DATA = Path(os.environ.get("COPYTRACE_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
REUTERS_DIR = SHARED_DATA / "reuters21578"

_STORY = re.compile(r"<REUTERS[^>]*NEWID=\"(\d+)\"[^>]*>(.*?)</REUTERS>", re.S)
_FIELD = {name: re.compile(rf"<{name}>(.*?)</{name}>", re.S) for name in ("DATE", "TITLE", "BODY")}
_SIGNATURE = re.compile(r"\s*(Reuter|REUTER)\s*$")


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    date: str | None
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return self.title + "\n\n" + "\n\n".join(self.paragraphs)


def _clean(raw: str) -> str:
    return html.unescape(raw).replace("\x03", "").replace("\x02", "")


def _paragraphs(body: str) -> tuple[str, ...]:
    body = _SIGNATURE.sub("", _clean(body))
    parts = re.split(r"\n\s{3,}|\n\s*\n", body)
    return tuple(p for p in (" ".join(part.split()) for part in parts) if p)


def _date(raw: str) -> str | None:
    try:
        return datetime.strptime(raw.strip()[:20], "%d-%b-%Y %H:%M:%S").isoformat()
    except ValueError:
        return None


#: Years added to Reuters-21578's 1987 dates in generated corpora: dates before 1990 are not
#: trusted by copytrace (CMS defaults, epochs), and generated copies stand for today's news.
YEARS_FORWARD = 37


def modern(date: str | None) -> str | None:
    """A Reuters date moved :data:`YEARS_FORWARD` years forward (None stays None)."""
    return None if date is None else f"{int(date[:4]) + YEARS_FORWARD:04d}{date[4:]}"


def require(path: Path) -> Path:
    """``path``, or a clear exit when the shared data it is part of is not there."""
    if not path.exists():
        raise SystemExit(f"{path} is missing: the benchmarks read ../shared/data beside the repository (or the folder COPYTRACE_SHARED_DATA names)")
    return path


def load_reuters(directory: Path = REUTERS_DIR, limit: int | None = None) -> list[Article]:
    """Every story with a body, in file order (files ``reut2-NNN.sgm``, or gzip-compressed)."""
    articles: list[Article] = []
    for path in sorted(require(directory).glob("reut2-*.sgm*")):
        raw = path.read_bytes()
        data = (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("latin-1")
        for match in _STORY.finditer(data):
            story = match.group(2)
            body = _FIELD["BODY"].search(story)
            if not body:
                continue
            paragraphs = _paragraphs(body.group(1))
            if not paragraphs:
                continue
            title = _FIELD["TITLE"].search(story)
            date = _FIELD["DATE"].search(story)
            articles.append(
                Article(
                    id=f"reuters-{match.group(1)}",
                    title=" ".join(_clean(title.group(1)).split()) if title else "",
                    date=_date(date.group(1)) if date else None,
                    paragraphs=paragraphs,
                )
            )
            if limit and len(articles) >= limit:
                return articles
    return articles
