"""The ``copytrace`` command: a thin layer over the Python API. Each command parses its options,
calls the API and hands the result to :mod:`copytrace.present.terminal`, which draws it."""

from __future__ import annotations

import enum
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich import filesize
from rich.markup import escape

from copytrace import __version__
from copytrace.present.terminal import (
    SITE_COLUMNS, err, out, show_comparison, show_sites, show_stories, show_summary, show_trace, site_rows, with_progress,
)
from copytrace.settings import EXPORT_FORMATS as FORMATS, Settings

if TYPE_CHECKING:
    from copytrace.jobs.scan import ScanResult
    from copytrace.store.workspace import Workspace

# Every command imports the engine it needs when it runs: `--help` and `--version` load none of it.

app = typer.Typer(
    help="Find where news text was copied, what was changed, and who copied whom.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        out.print(f"copytrace {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")] = None,
) -> None:
    """Find where news text was copied, what was changed, and who copied whom."""
    _pyarrow_without_pandas()


def _pyarrow_without_pandas() -> None:
    """Keep pyarrow from importing pandas (0.4 s) in a command.

    The first time pyarrow converts a Python list it imports pandas, where it is installed, to see
    whether the list is a pandas object; no command passes it one. pyarrow is told once that
    pandas is absent (the same as where it is not installed), and pandas stays importable: pyarrow
    imports it again if a conversion to pandas is ever asked for.
    """
    if "pandas" in sys.modules:
        return
    import pyarrow as pa

    sys.meta_path.insert(0, _NoPandas)
    try:
        pa.array([0])
    finally:
        sys.meta_path.remove(_NoPandas)


class _NoPandas:
    """An import finder under which pandas cannot be imported."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == "pandas":
            raise ImportError("pandas is not used here")
        return None


# --- compare ---------------------------------------------------------------------------------------


def _error(message: str, code: int = 2) -> typer.Exit:
    """Print ``message`` (markup: anything from the input escaped) as an error; the exit to raise."""
    err.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    return typer.Exit(code)


@app.command()
def compare(
    a: Annotated[Path, typer.Argument(help="First article: a text file, a one-article JSON file or a saved HTML page.")],
    b: Annotated[Path, typer.Argument(help="Second article.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as one JSON object.")] = False,
    full: Annotated[bool, typer.Option("--full", help="Show whole passages instead of their first lines.")] = False,
    min_words: Annotated[int, typer.Option(help="Matched words a passage needs.")] = Settings.min_passage_words,
    alias: Annotated[Optional[list[str]], typer.Option("--alias", help="More names of a site, as SITE=NAME[,NAME] (repeatable).")] = None,
    meaning: Annotated[bool, typer.Option("--meaning", help="Also align sentences that say the same in other words (two articles in different languages are always aligned by meaning).")] = False,
) -> None:
    """Show the passages two articles share, side by side, with what changed inside them.

    Offsets are character offsets (end exclusive) into each text exactly as read.
    """
    try:
        settings = Settings(min_passage_words=min_words, aliases=tuple(alias or ()), meaning=meaning)
    except ValueError as error:
        raise _error(escape(str(error))) from None
    from copytrace.jobs.compare import InputError, compare as compare_files

    try:
        result = compare_files(a, b, settings)
    except InputError as error:
        raise _error(escape(str(error))) from None
    for note in result.notes:
        err.print(f"[yellow]warning:[/] {escape(note)}", soft_wrap=True)
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
        return
    show_comparison(result, full)


# --- scan ------------------------------------------------------------------------------------------


class EngineChoice(str, enum.Enum):
    """Where ``scan`` runs its stages."""

    local = "local"
    spark = "spark"


@app.command()
def scan(
    inputs: Annotated[list[str], typer.Argument(help="Files or folders: .txt articles, .jsonl (one article per line), .json, .html pages, .warc crawls (each also .gz); with --engine spark also URIs Hadoop reads (s3a://, hdfs://, file://).")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Workspace folder to write the tables to.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors: no progress bar, warnings or summary.")] = False,
    same_site: Annotated[bool, typer.Option("--same-site", help="Count text shared only within one site as reuse.")] = False,
    max_df: Annotated[int, typer.Option(help="Drop n-grams found in more documents than this (common phrases).")] = Settings.max_df,
    min_words: Annotated[int, typer.Option(help="Matched words a passage needs.")] = Settings.min_passage_words,
    max_chars: Annotated[int, typer.Option(help="Reject articles longer than this many characters.")] = Settings.max_chars,
    workers: Annotated[int, typer.Option(help="Threads for tokenizing and alignment, processes for extracting pages (0: all cores).")] = 0,
    block_chars: Annotated[int, typer.Option(help="Characters of text worked on at once: memory grows with this, not with the corpus.")] = Settings.block_chars,
    site_by: Annotated[str, typer.Option("--site-by", help="A document's site, when not given: its URL's registered 'domain' or its 'host'.")] = "domain",
    site: Annotated[Optional[list[str]], typer.Option("--site", help="Crawls: keep only responses from this registered domain (repeatable).")] = None,
    since: Annotated[Optional[str], typer.Option(help="Crawls: keep only responses captured on or after this ISO date.")] = None,
    until: Annotated[Optional[str], typer.Option(help="Crawls: keep only responses captured on or before this ISO date.")] = None,
    alias: Annotated[Optional[list[str]], typer.Option("--alias", help="More names of a site for credit, as SITE=NAME[,NAME] (repeatable).")] = None,
    edits: Annotated[bool, typer.Option("--edits/--no-edits", help="Label the edits and the credit of every pair, and trace who copied whom.")] = True,
    meaning: Annotated[bool, typer.Option("--meaning", help="Also find copies by meaning: translated into another language, or reworded (about 40 documents a second on 2 cores).")] = False,
    earliest_date: Annotated[str, typer.Option(help="Dates before this are not trusted (CMS defaults, epochs).")] = Settings.earliest_date,
    date_confidence: Annotated[float, typer.Option(help="Dates decide who came first when they do so with this probability.")] = Settings.date_confidence,
    site_weight: Annotated[float, typer.Option(help="Weight of each site's history of publishing first (0: not used).")] = Settings.site_weight,
    engine: Annotated[EngineChoice, typer.Option(help="Where the stages run: this machine, or Spark jobs (needs pyspark and Java 17+). Both write the same tables.")] = EngineChoice.local,
    master: Annotated[str | None, typer.Option(help="Spark master URL for --engine spark (default: the one spark-submit gives, else local[*]).")] = None,
) -> None:
    """Find all reuse in a corpus, trace who copied whom, and write the workspace tables."""
    try:
        settings = Settings(
            same_site=same_site, max_df=max_df, min_passage_words=min_words, max_chars=max_chars, workers=workers,
            block_chars=block_chars, sites=tuple(site or ()), since=since, until=until, site_by=site_by, aliases=tuple(alias or ()), edits=edits,
            earliest_date=earliest_date, date_confidence=date_confidence, site_weight=site_weight, meaning=meaning,
        )
    except ValueError as error:
        raise _error(escape(str(error))) from None
    if master and engine is not EngineChoice.spark:
        raise _error("--master is for --engine spark")
    if engine is EngineChoice.spark:
        result = _spark_scan(inputs, out_dir, settings, quiet, master)
    else:
        from copytrace.jobs.scan import scan as run_scan

        result = with_progress(quiet, lambda reporter: run_scan(inputs, out_dir, settings, progress=reporter))
    _show_result(result, as_json, quiet)


def _spark_scan(inputs: list[str], out_dir: Path, settings: Settings, quiet: bool, master: str | None):
    """A scan on the Spark engine; a clear error when pyspark or Java is missing."""
    from copytrace.jobs.scan import scan as run_scan
    from copytrace.jobs.spark import SparkEngine, SparkUnavailable

    try:
        with SparkEngine(master) as spark:
            return with_progress(quiet, lambda reporter: run_scan(inputs, out_dir, settings, progress=reporter, engine=spark))
    except SparkUnavailable as error:
        raise _error(escape(str(error))) from None


@app.command()
def add(
    workspace: Annotated[Path, typer.Argument(help="A workspace written by `copytrace scan`.")],
    inputs: Annotated[list[Path], typer.Argument(help="New files or folders, as `scan` reads them.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors: no progress bar, warnings or summary.")] = False,
    workers: Annotated[int, typer.Option(help="Threads for tokenizing and alignment, processes for extracting pages (0: all cores).")] = 0,
    block_chars: Annotated[int, typer.Option(help="Characters of text worked on at once: memory grows with this, not with the corpus.")] = Settings.block_chars,
) -> None:
    """Add new articles to a scanned workspace without reading the old ones again: the tables
    become those a scan of the old inputs and the new ones together would write (with the
    workspace's settings)."""
    try:
        settings = Settings(workers=workers, block_chars=block_chars)
    except ValueError as error:
        raise _error(escape(str(error))) from None
    from copytrace.jobs.add import AddError, add as run_add

    try:
        result = with_progress(quiet, lambda reporter: run_add(workspace, inputs, settings, progress=reporter))
    except AddError as error:
        raise _error(escape(str(error))) from None
    _show_result(result, as_json, quiet)


def _show_result(result: ScanResult, as_json: bool, quiet: bool = False) -> None:
    """The summary (``--json``: as one object; ``--quiet``: none, only errors)."""
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    elif not quiet:
        show_summary(result)
    if result.documents == 0:
        raise _error("no documents could be read from the inputs", 1)


# --- provenance: trace, sites, export ----------------------------------------------------------------


def _open_workspace(path: Path, *tables: str) -> Workspace:
    from copytrace.store.workspace import Workspace

    ws = Workspace(path)
    missing = [t for t in tables if not ws.has(t)]
    if missing:
        raise _error(f"{escape(str(path))} has no {', '.join(missing)} table: run `copytrace scan` into it first")
    return ws


@app.command()
def trace(
    workspace: Annotated[Path, typer.Argument(help="A workspace written by `copytrace scan`.")],
    document: Annotated[str, typer.Argument(help="A document id or URL.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the cascade as one JSON object.")] = False,
) -> None:
    """Show the copy tree of one article: its origin, who copied it from whom, with the evidence."""
    ws = _open_workspace(workspace, "documents", "pairs", "edges", "cascades")
    from copytrace.present.trace import find_document, trace_document

    found = find_document(ws, document)
    if found is None:
        raise _error(f"no document with id or URL {escape(document)!r} in {escape(str(workspace))}")
    result = trace_document(ws, found)
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    show_trace(result)


@app.command()
def sites(
    workspace: Annotated[Path, typer.Argument(help="A workspace written by `copytrace scan`.")],
    sort: Annotated[str, typer.Option(help=f"Column to sort by: {', '.join(SITE_COLUMNS)}.")] = "copied_by_others",
    ascending: Annotated[bool, typer.Option("--ascending/--descending", help="Sort order.")] = False,
    limit: Annotated[int, typer.Option(help="Rows to show (0: all).")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON Lines.")] = False,
) -> None:
    """Per-site statistics: who originates, who copies whom, credit rate, delay after the origin."""
    ws = _open_workspace(workspace, "sites")
    if sort not in SITE_COLUMNS:
        raise _error(f"--sort must be one of {', '.join(SITE_COLUMNS)}; got {escape(sort)!r}")
    rows = site_rows(ws.table("sites").to_pylist(), sort, ascending, limit)
    if as_json:
        for r in rows:
            sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")
        return
    show_sites(rows, f"sites of {escape(str(workspace))}, by {SITE_COLUMNS[sort][0]}")


@app.command()
def stories(
    workspace: Annotated[Path, typer.Argument(help="A workspace written by `copytrace scan --meaning`.")],
    min_similarity: Annotated[float, typer.Option(help="Story similarity that joins two articles into one story (0-1).")] = 0.8,
    min_articles: Annotated[int, typer.Option(help="Show stories of at least this many articles.")] = 2,
    limit: Annotated[int, typer.Option(help="Stories to show (0: all).")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="Print the stories as JSON Lines, every article listed.")] = False,
) -> None:
    """Group the articles into the stories they report, across sites and languages (needs `scan --meaning`)."""
    ws = _open_workspace(workspace, "documents")
    from copytrace.jobs.stories import StoriesError, workspace_stories

    try:
        found = workspace_stories(ws, min_similarity, max(1, min_articles))
    except StoriesError as e:
        raise _error(escape(str(e))) from None
    shown = found[:limit] if limit else found
    if as_json:
        for story in shown:
            sys.stdout.write(json.dumps(story, ensure_ascii=False) + "\n")
        return
    show_stories(shown, f"{len(found):,} stories of {max(1, min_articles)}+ articles in {escape(str(workspace))} (story similarity ≥ {min_similarity:g})")


@app.command("export")
def export_command(
    workspace: Annotated[Path, typer.Argument(help="A workspace written by `copytrace scan`.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"One of: {', '.join(FORMATS)}.")] = "graphml",
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Folder to write to (default: WORKSPACE/export).")] = None,
) -> None:
    """Write the site graph and the document graph (copy trees) for Gephi, networkx or notebooks."""
    _open_workspace(workspace, "documents", "edges", "cascades", "sites", "site_edges")
    try:
        from copytrace.store.export import export as run_export

        written = run_export(workspace, fmt, out_dir or workspace / "export")
    except ValueError as error:
        raise _error(escape(str(error))) from None
    for path in written:
        out.print(f"wrote {escape(str(path))}")


# --- report and serve ------------------------------------------------------------------------------


@app.command()
def report(
    workspace: Annotated[Path, typer.Argument(help="A workspace written by `copytrace scan`.")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the site to (created).")],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
    site: Annotated[str | None, typer.Option(help="Only pairs with a document of this site (and their documents, cascades and sites).")] = None,
    verdict: Annotated[str | None, typer.Option(help="Only pairs of this verdict: copy or partial.")] = None,
    min_coverage: Annotated[float, typer.Option(min=0.0, max=1.0, help="Only pairs covering at least this share of one side.")] = 0.0,
    since: Annotated[str | None, typer.Option(help="Only pairs with a document dated on or after this ISO date (published, else crawled).")] = None,
    until: Annotated[str | None, typer.Option(help="Only pairs with a document dated on or before this ISO date (a day or a month).")] = None,
) -> None:
    """Write a self-contained static HTML report: overview, sites, cascades, every pair side by side.

    The folder opens from disk with no server (start at index.html) and can be zipped and shared.
    The filters publish part of a large workspace (they combine: every one must hold).
    """
    from copytrace.present.report import write_report
    from copytrace.present.views import PairFilter

    if verdict not in (None, "copy", "partial"):
        raise _error(f"--verdict must be copy or partial, not {escape(verdict)!r}")
    for name, value in (("--since", since), ("--until", until)):
        if value is not None and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
            raise _error(f"{name} takes an ISO date (2024-03-01, or 2024-03 for a month), not {escape(value)!r}")
    chosen = PairFilter(site.lower() if site else None, verdict, min_coverage, since, until)
    _open_workspace(workspace, "documents", "pairs", "passages")
    result = with_progress(quiet, lambda reporter: write_report(workspace, out_dir, progress=reporter, pair_filter=chosen), remaining=False)
    if not quiet:
        out.print(f"wrote {result.pages:,} pages ({filesize.decimal(result.bytes)}) in {result.seconds:.1f} s → {escape(str(out_dir / 'index.html'))}")


@app.command()
def serve(
    workspace: Annotated[Path, typer.Argument(help="A workspace written by `copytrace scan`.")],
    host: Annotated[str, typer.Option(help="Address to listen on. Anything but 127.0.0.1 exposes every article to the network.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    allow_host: Annotated[list[str] | None, typer.Option("--allow-host", help="Another host name the app answers to (a name of this machine, or of a proxy in front of it); repeat for more.")] = None,
) -> None:
    """Browse a workspace in a local web app: the report's views, search, compare, JSON API (/docs).
    Requests naming any host but 127.0.0.1, localhost, --host and --allow-host are refused."""
    from copytrace.present.serve import serve as run_server

    _open_workspace(workspace, "documents", "pairs", "passages")
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(f"[yellow]warning:[/] listening on {escape(host)}: anyone who can reach this machine can read the workspace", soft_wrap=True)
        if host in ("0.0.0.0", "::") and not allow_host:
            err.print("[yellow]note:[/] other machines reach the app by a name or address of this one: give it with --allow-host (requests naming any other host are refused)", soft_wrap=True)
    out.print(f"copytrace serving {escape(str(workspace))} at http://{escape(host)}:{port}/ (API docs at /docs) · Ctrl+C stops")
    run_server(workspace, host, port, tuple(allow_host or ()))
