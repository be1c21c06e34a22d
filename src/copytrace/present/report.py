"""``copytrace report``: the workspace as a self-contained static site.

Every page links to the others by relative paths and loads only ``assets/``, so the folder opens
from disk with no server and can be zipped and shared. Layout::

    index.html  sites.html  cascades.html  pairs.html (pairs-2.html, ...)
    site/KEY.html  cascade/ID.html  doc/KEY.html  pair/KEY.html (KEY-2.html, ... for long pairs)
    assets/report.css  assets/report.js
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from copytrace.explain.edits import KINDS
from copytrace.present.pages import ASSET_FILES, ASSETS, Links, environment
from copytrace.progress import Progress, Silent
from copytrace.present.views import PAGE_CHARS, PairFilter, Views


@dataclass
class ReportResult:
    out: str
    pages: int
    bytes: int
    seconds: float

    def to_dict(self) -> dict:
        return {"out": self.out, "pages": self.pages, "bytes": self.bytes, "seconds": round(self.seconds, 3)}


def write_report(workspace: str | os.PathLike, out: str | os.PathLike, progress: Progress | None = None,
                 page_chars: int = PAGE_CHARS, pair_filter: PairFilter | None = None) -> ReportResult:
    """Write the static report of ``workspace`` into the folder ``out`` (created; pages already
    there are replaced). Each page is written to a temporary name and renamed into place. With
    ``pair_filter``, only the pairs it keeps, and their documents, cascades and sites, are written:
    part of a large workspace, published in bounded memory."""
    started = time.perf_counter()
    progress = progress or Silent()
    out = Path(out)
    views = Views(workspace, pair_filter)
    env = environment()
    written = [0, 0]
    title = f"{views.name} ({views.pair_filter.describe()})" if views.pair_filter else views.name

    def render(path: str, template: str, depth: int, **context) -> None:
        html = env.get_template(template).render(links=Links(True, depth), workspace=title, kinds=KINDS, **context)
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_text(html, encoding="utf-8")
        os.replace(temporary, target)
        written[0] += 1
        written[1] += len(html.encode("utf-8"))

    progress.stage("overview", total=4, unit="pages")
    (out / "assets").mkdir(parents=True, exist_ok=True)
    for name in ASSET_FILES:
        with (ASSETS / name).open("rb") as source, open(out / "assets" / name, "wb") as target:
            shutil.copyfileobj(source, target)
    render("index.html", "overview.html", 0, view=views.overview())
    progress.advance()
    render("sites.html", "sites.html", 0, view=views.site_list())
    progress.advance()
    cascades = views.cascade_list()
    render("cascades.html", "cascades.html", 0, view=cascades)
    progress.advance()
    page, pages = 1, 1
    while page <= pages:
        rows, pages = views.pair_list(page)
        render("pairs.html" if page == 1 else f"pairs-{page}.html", "pairs.html", 0, view=rows, page=page, pages=pages, total=len(views.pairs))
        page += 1
    progress.advance()

    progress.stage("sites", total=len(views.site_key), unit="pages")
    for key in views.site_key:
        render(f"site/{key}.html", "site.html", 1, view=views.site(key))
        progress.advance()
    progress.stage("cascades", total=len(cascades), unit="pages")
    for c in cascades:
        render(f"cascade/{c['cascade_id']}.html", "cascade.html", 1, view=views.cascade(c["cascade_id"]))
        progress.advance()
    in_pairs = [d for d in views.pairs_of if d in views.docs]
    progress.stage("documents", total=len(in_pairs), unit="pages")
    for doc_id in in_pairs:
        key = views.doc_summary(doc_id)["key"]
        render(f"doc/{key}.html", "document.html", 1, view=views.document(key))
        progress.advance()
    progress.stage("pairs", total=len(views.pair_key), unit="pairs")
    views.keep_texts(len(in_pairs))
    views.texts(in_pairs)  # every pair's texts in one pass over the row groups that hold them
    for key in views.pair_key:
        first = views.pair(key, 1, page_chars)
        render(f"pair/{key}.html", "pair.html", 1, view=first)
        for page in range(2, first["pages"] + 1):
            render(f"pair/{key}-{page}.html", "pair.html", 1, view=views.pair(key, page, page_chars))
        progress.advance()
    return ReportResult(str(out), written[0], written[1], time.perf_counter() - started)
