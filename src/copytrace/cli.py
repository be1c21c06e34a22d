"""The ``copytrace`` command: a thin layer over the Python API."""

from __future__ import annotations

import enum
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich import filesize
from rich.progress import BarColumn, Progress, ProgressColumn, SpinnerColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from . import __version__
from .dates import UNTRUSTED_DATE, duration
from .settings import EXPORT_FORMATS as FORMATS, Settings

if TYPE_CHECKING:
    from .compare import Comparison
    from .scan import ScanResult
    from .workspace import Workspace

# Every command imports the engine it needs when it runs: `--help` and `--version` load none of it.

app = typer.Typer(
    help="Find where news text was copied, what was changed, and who copied whom.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
out = Console()
err = Console(stderr=True)

VERDICT_STYLE = {"copy": "bold red", "partial": "bold yellow", "none": "bold green"}
MAX_MESSAGES = 20


def _version(value: bool) -> None:
    if value:
        out.print(f"copytrace {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")] = None,
) -> None:
    """Find where news text was copied, what was changed, and who copied whom."""


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
) -> None:
    """Show the passages two articles share, side by side, with what changed inside them.

    Offsets are character offsets (end exclusive) into each text exactly as read.
    """
    try:
        settings = Settings(min_passage_words=min_words, aliases=tuple(alias or ()))
    except ValueError as error:
        raise _error(escape(str(error))) from None
    from .compare import InputError, compare as compare_files

    try:
        result = compare_files(a, b, settings)
    except InputError as error:
        raise _error(escape(str(error))) from None
    for note in result.notes:
        err.print(f"[yellow]warning:[/] {escape(note)}", soft_wrap=True)
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
        return
    _show_comparison(result, full)


def _show_comparison(result: Comparison, full: bool) -> None:
    header = Table.grid(padding=(0, 2))
    header.add_row("[bold]A[/]", escape(result.a.doc_id), f"{result.a.chars:,} chars", f"coverage {result.coverage_a:.0%}")
    header.add_row("[bold]B[/]", escape(result.b.doc_id), f"{result.b.chars:,} chars", f"coverage {result.coverage_b:.0%}")
    style = VERDICT_STYLE[result.verdict]
    out.print(Panel(header, title=f"verdict: [{style}]{result.verdict}[/]", title_align="left", expand=False))
    if not result.passages:
        out.print("No shared passages.")
    for n, p in enumerate(result.passages, 1):
        a_text = result.a.text[p.a_start : p.a_end]
        b_text = result.b.text[p.b_start : p.b_end]
        left, right = diff_words(a_text, b_text)
        if not full:
            left, right = _shorten(left), _shorten(right)
        table = Table(
            title=f"passage {n}: A {p.a_start}–{p.a_end} ↔ B {p.b_start}–{p.b_end} · similarity {p.similarity:.2f}",
            title_justify="left",
            expand=True,
            show_lines=False,
        )
        table.add_column("A", ratio=1)
        table.add_column("B", ratio=1)
        table.add_row(left, right)
        out.print(table)
    _show_edits(result)
    _show_boilerplate(result)
    if result.passages:
        out.print("[dim]red: only in A · green: only in B · --full shows whole passages · --json for offsets[/]")


EDIT_STYLE = {
    "quote_removed": "bold magenta", "quote_changed": "bold magenta", "number_changed": "bold yellow", "name_changed": "bold yellow",
    "words_changed": "yellow", "moved": "cyan", "headline_changed": "bold cyan",
}


def _show_edits(result: Comparison) -> None:
    """The labelled edits from A to B, one line each, and whether the copy credits its source."""
    if not result.passages:
        return
    if result.edits:
        table = Table(title="what changed from A to B", title_justify="left", expand=True)
        table.add_column("edit", no_wrap=True)
        table.add_column("A", ratio=1)
        table.add_column("B", ratio=1)
        for e in result.edits:
            style = EDIT_STYLE.get(e.kind, "red" if e.kind.endswith("_removed") else "green")
            table.add_row(Text(e.kind, style=style), Text(_clip(e.a_text)), Text(_clip(e.b_text)))
        out.print(table)
    c = result.credit
    where = f" — {'AB'[c.doc]}: {escape(_clip(c.evidence or ''))}" if c.doc is not None else ""
    kind = f" ({c.kind.replace('_', ' ')})" if c.kind else ""
    out.print(f"credit: [bold]{c.status}[/]{kind}{where}")
    for side in "ab":
        for found in result.attributions[side]:
            named = ", ".join(found["sites"]) or "an outlet copytrace does not know"
            photo = " (a picture only)" if found["kind"] == "photo" else ""
            out.print(f"[dim]{side.upper()} credits {escape(found['name'])}: {escape(named)}{photo} — {found['kind'].replace('_', ' ')}[/]")
    d = result.direction
    first = "undecided" if d.first is None else f"{'AB'[d.first]} first"
    out.print(f"direction: [bold]{first}[/] ({escape(d.evidence)}, confidence {d.confidence:.2f}) — {escape(d.detail)}")


def _clip(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit] + " …"


def _show_boilerplate(result: Comparison) -> None:
    """The template text of each side (share prompts, contact lines...), which is never reuse."""
    rows = [(side, doc, s, e) for side, doc in (("A", result.a), ("B", result.b)) for s, e in result.boilerplate[side.lower()]]
    if not rows:
        return
    table = Table(title="boilerplate (template text, not counted as reuse)", title_justify="left", expand=True, style="dim")
    table.add_column("", width=1)
    table.add_column("offsets", no_wrap=True)
    table.add_column("text", ratio=1)
    for side, doc, s, e in rows:
        text = doc.text[s:e]
        table.add_row(side, f"{s}–{e}", Text(text if len(text) <= 200 else text[:200] + " …", style="dim"))
    out.print(table)


_WORD_SPLIT = re.compile(r"\S+\s*")


def diff_words(a_text: str, b_text: str) -> tuple[Text, Text]:
    """Both passages as rich Text, words missing from the other side highlighted."""
    a_words = _WORD_SPLIT.findall(a_text)
    b_words = _WORD_SPLIT.findall(b_text)
    keys_a = [w.strip().lower() for w in a_words]
    keys_b = [w.strip().lower() for w in b_words]
    left, right = Text(), Text()
    from rapidfuzz.distance import Indel

    for op in Indel.opcodes(keys_a, keys_b):
        if op.tag == "equal":
            left.append("".join(a_words[op.src_start : op.src_end]))
            right.append("".join(b_words[op.dest_start : op.dest_end]))
        else:
            left.append("".join(a_words[op.src_start : op.src_end]), style="bold red")
            right.append("".join(b_words[op.dest_start : op.dest_end]), style="bold green")
    return left, right


def _shorten(text: Text, limit: int = 700) -> Text:
    if len(text) <= limit:
        return text
    short = text[:limit]
    short.append(f" … (+{len(text) - limit:,} chars)", style="dim")
    return short


# --- scan ------------------------------------------------------------------------------------------


class _AmountColumn(ProgressColumn):
    """What a stage has done: ``12.3/45.6 MB, 1,234 articles`` while reading, ``310/500 pairs``
    elsewhere."""

    def render(self, task) -> Text:
        unit = task.fields.get("unit", "")
        if unit == "bytes":
            total = filesize.decimal(int(task.total)) if task.total is not None else "?"
            text = f"{filesize.decimal(int(task.completed))}/{total}, {task.fields.get('records', 0):,} articles"
        elif task.total is None:
            text = ""
        else:
            text = f"{int(task.completed):,}/{int(task.total):,} {unit}"
        return Text(text, style="progress.download")


class _RichProgress:
    """Stage-by-stage progress bars on standard error, and warnings above them."""

    #: Items counted between two updates of the bar (updating it costs microseconds).
    COUNT_EVERY = 256

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = None
        self.messages = 0
        self.counted = 0

    def stage(self, name: str, total: int | None = None, unit: str = "") -> None:
        if self.task is not None:  # the previous stage is finished, even if it had nothing to do
            done = self.progress.tasks[self.task].total or 1
            self.progress.update(self.task, total=done, completed=done, records=self.counted)
        self.counted = 0
        self.task = self.progress.add_task(f"{name:12s}", total=total, unit=unit, records=0)

    def advance(self, n: int = 1) -> None:
        if self.task is not None:
            self.progress.advance(self.task, n)

    def count(self, n: int = 1) -> None:
        self.counted += n
        if self.task is not None and self.counted % self.COUNT_EVERY < n:
            self.progress.update(self.task, records=self.counted)

    def message(self, text: str) -> None:
        self.messages += 1
        if self.messages <= MAX_MESSAGES:
            self.progress.console.print(f"[yellow]warning:[/] {escape(text)}", soft_wrap=True)

    def close(self) -> None:
        self.stage("done", total=1)
        self.progress.advance(self.task, 1)
        if self.messages > MAX_MESSAGES:
            err.print(f"[yellow]… and {self.messages - MAX_MESSAGES:,} more input problems; all are in the rejects table.[/]")


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
            earliest_date=earliest_date, date_confidence=date_confidence, site_weight=site_weight,
        )
    except ValueError as error:
        raise _error(escape(str(error))) from None
    if master and engine is not EngineChoice.spark:
        raise _error("--master is for --engine spark")
    if engine is EngineChoice.spark:
        result = _spark_scan(inputs, out_dir, settings, quiet, master)
    else:
        from .scan import scan as run_scan

        result = _with_progress(quiet, lambda reporter: run_scan(inputs, out_dir, settings, progress=reporter))
    _show_result(result, as_json, quiet)


def _spark_scan(inputs: list[str], out_dir: Path, settings: Settings, quiet: bool, master: str | None):
    """A scan on the Spark engine; a clear error when pyspark or Java is missing."""
    from .scan import scan as run_scan
    from .spark import SparkEngine, SparkUnavailable

    try:
        with SparkEngine(master) as spark:
            return _with_progress(quiet, lambda reporter: run_scan(inputs, out_dir, settings, progress=reporter, engine=spark))
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
    from .add import AddError, add as run_add

    try:
        result = _with_progress(quiet, lambda reporter: run_add(workspace, inputs, settings, progress=reporter))
    except AddError as error:
        raise _error(escape(str(error))) from None
    _show_result(result, as_json, quiet)


def _with_progress(quiet: bool, job):
    """Run ``job(progress)`` under a progress bar (none with ``quiet``)."""
    columns = [
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        _AmountColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=err, disable=quiet, transient=False) as bar:
        reporter = _RichProgress(bar)
        if quiet:
            reporter.message = lambda text: None  # type: ignore[method-assign]
        result = job(reporter)
        reporter.close()
    return result


def _show_result(result: ScanResult, as_json: bool, quiet: bool = False) -> None:
    """The summary (``--json``: as one object; ``--quiet``: none, only errors)."""
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    elif not quiet:
        _show_summary(result)
    if result.documents == 0:
        raise _error("no documents could be read from the inputs", 1)


def _show_summary(result: ScanResult) -> None:
    table = Table(title=f"copytrace scan → {escape(result.workspace)}", title_justify="left", show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("documents", f"{result.documents:,}")
    table.add_row("rejected inputs", f"{result.rejects_skipped:,}" + (f" ({result.not_articles:,} files of the folders not articles: README, LICENSE...)" if result.not_articles else ""))
    table.add_row("repaired inputs", f"{result.rejects_kept:,}")
    table.add_row("candidate pairs", f"{result.candidates:,}")
    table.add_row("[red]copy[/] pairs", f"{result.pairs['copy']:,}")
    table.add_row("[yellow]partial[/] pairs", f"{result.pairs['partial']:,}")
    table.add_row("passages", f"{result.passages:,}")
    if result.credit:
        table.add_row("credit", ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in result.credit.items()))
    if result.edits:
        table.add_row("labelled edits", f"{sum(result.edits.values()):,}")
    if result.provenance:
        p = result.provenance
        table.add_row("cascades", f"{p.get('cascades', 0):,} ({p.get('inferred_upstream', 0):,} with an inferred upstream source)")
        table.add_row("directions", f"decided {p.get('directed', 0):,}, common source {p.get('common_source', 0):,}, unknown {p.get('unknown', 0):,}")
    table.add_row("seconds", f"{result.seconds:.1f}" + (f" (reused: {', '.join(result.resumed)})" if result.resumed else ""))
    out.print(table)
    if result.top_reused:
        top = Table(title="most reused documents", title_justify="left")
        top.add_column("document")
        top.add_column("site")
        top.add_column("pairs", justify="right")
        top.add_column("copies", justify="right")
        for row in result.top_reused:
            top.add_row(escape(row["doc_id"]), escape(row["site"] or "–"), str(row["pairs"]), str(row["copies"]))
        out.print(top)
    if result.rejects_skipped or result.rejects_kept:
        out.print(f"[dim]Input problems are listed in {escape(result.workspace)}/rejects.parquet[/]")
    if result.provenance.get("cascades"):
        out.print(f"[dim]Next: copytrace sites {escape(result.workspace)} · copytrace trace {escape(result.workspace)} DOC_ID · copytrace export {escape(result.workspace)} --format gexf[/]")


# --- provenance: trace, sites, export ----------------------------------------------------------------


def _open_workspace(path: Path, *tables: str) -> Workspace:
    from .workspace import Workspace

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
    from .trace import find_document, trace_document

    found = find_document(ws, document)
    if found is None:
        raise _error(f"no document with id or URL {escape(document)!r} in {escape(str(workspace))}")
    result = trace_document(ws, found)
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    _show_trace(result)


def _show_trace(result: dict) -> None:
    doc = result["document"]
    cascade = result["cascade"]
    if cascade is None:
        out.print(f"[bold]{escape(doc['doc_id'])}[/] is in no copy cascade (no other document is mostly a copy of it or it of them).")
    else:
        root = cascade["root"]
        title = f"cascade {cascade['cascade_id']}: {cascade['members']} documents on {cascade['sites']} sites, depth {cascade['depth']}"
        if cascade["inferred_upstream"]:
            title += " · source outside the corpus (inferred)"
        by_parent: dict[str, list[dict]] = {}
        for e in result["edges"]:
            by_parent.setdefault(e["parent"], []).append(e)
        info = {d["doc_id"]: d for d in result["members"]}

        def label(node: str, edge: dict | None) -> Text:
            text = Text()
            if node in info:
                d = info[node]
                text.append(node, style="bold reverse" if node == doc["doc_id"] else "bold")
                untrusted = " (untrusted)" if set(d.get("flags") or ()) & UNTRUSTED_DATE else ""
                text.append(f"  {d['site'] or '–'}  {d['date'] or 'no date'}{untrusted}", style="cyan")
            else:
                text.append(f"[{node}]", style="italic magenta")
            if edge is not None:
                sure = min(edge["confidence"], edge["parent_confidence"])
                style = "dim" if edge["evidence"] == "undetermined" else "green" if sure >= 0.9 else "yellow"
                text.append(f"  ← {edge['evidence']} {sure:.2f}", style=style)
                if edge["delay_seconds"] is not None:
                    text.append(f"  {'+' if edge['delay_seconds'] >= 0 else ''}{duration(edge['delay_seconds'])}")
                if edge["credit"]:
                    text.append(f"  credit: {edge['credit']}", style="dim")
            return text

        tree = Tree(label(root, None))

        def grow(node: str, branch: Tree) -> None:
            for e in sorted(by_parent.get(node, []), key=lambda e: e["child"]):
                grow(e["child"], branch.add(label(e["child"], e)))

        grow(root, tree)
        out.print(Panel(tree, title=escape(title), title_align="left"))
        own = next((e for e in result["edges"] if e["child"] == doc["doc_id"]), None)
        if own is not None:
            out.print(f"[bold]{escape(doc['doc_id'])}[/]: {escape(own['detail'])}")
    if result["pairs"]:
        table = Table(title="every document sharing text with it", title_justify="left", expand=True)
        widest = max(len(p["other"]) for p in result["pairs"])
        table.add_column("other", overflow="fold", ratio=1, min_width=min(widest, 30))  # an id is wrapped, never cut: users copy it
        for name in ("verdict", "direction", "evidence", "conf.", "credit"):
            table.add_column(name, no_wrap=True)
        for p in result["pairs"]:
            table.add_row(
                escape(p["other"]), p["verdict"], p["direction"], escape(p["direction_evidence"] or ""),
                f"{p['direction_confidence']:.2f}" if p["direction_confidence"] is not None else "–", p["credit"] or "–",
            )
        out.print(table)


#: Columns of `copytrace sites`: long and short headers (the short ones fit 80 columns).
SITE_COLUMNS = {
    "site": ("site", "site"), "articles": ("articles", "arts"), "originated": ("originated", "orig"),
    "first_carrier": ("first carrier", "first"), "copies_of_other_sites": ("copies of other sites", "copies"),
    "copied_share": ("share copying", "share"), "copied_by_others": ("copied by others", "copied"),
    "credit_rate": ("credit rate", "credit"), "delay_median_seconds": ("median delay", "delay"),
}
SITE_LEGEND = (
    "arts: articles · orig: cascades it originated · first: first carrier of a text from outside the corpus · "
    "copies: copies of other sites (share: of its articles) · copied: its articles copied by others · "
    "credit: copies naming their source · delay: median after the origin"
)


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
    rows = ws.table("sites").to_pylist()
    present = sorted((r for r in rows if r[sort] is not None), key=lambda r: r["site"])
    present.sort(key=lambda r: r[sort], reverse=not ascending)  # stable: ties stay by site
    rows = present + [r for r in rows if r[sort] is None]
    if limit:
        rows = rows[:limit]
    if as_json:
        for r in rows:
            sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")
        return
    wide = out.width >= 160
    table = Table(
        title=f"sites of {escape(str(workspace))}, by {SITE_COLUMNS[sort][0]}", title_justify="left", box=None, header_style="bold underline",
        padding=(0, 1), pad_edge=False,
    )
    longest = max((len(r["site"]) for r in rows), default=4)
    for name, (_, short) in SITE_COLUMNS.items():
        if name == "site":
            table.add_column(short, min_width=min(longest, 24), overflow="fold")
        else:
            table.add_column(short, justify="right", no_wrap=True)
    if wide:
        table.add_column("top sources", min_width=30)
        table.add_column("top copiers", min_width=30)
    for r in rows:
        cells = [
            escape(r["site"]), f"{r['articles']:,}", f"{r['originated']:,}", f"{r['first_carrier']:,}", f"{r['copies_of_other_sites']:,}",
            f"{r['copied_share']:.0%}", f"{r['copied_by_others']:,}", "–" if r["credit_rate"] is None else f"{r['credit_rate']:.0%}",
            duration(r["delay_median_seconds"]),
        ]
        if wide:
            cells += [escape(", ".join(r["top_sources"][:3])), escape(", ".join(r["top_copiers"][:3]))]
        table.add_row(*cells)
    out.print(table)
    if not wide:
        out.print(f"[dim]{SITE_LEGEND}; top sources and copiers: in a terminal 160 columns wide, or with --json[/]")
    else:
        out.print(f"[dim]{SITE_LEGEND}[/]")


@app.command("export")
def export_command(
    workspace: Annotated[Path, typer.Argument(help="A workspace written by `copytrace scan`.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"One of: {', '.join(FORMATS)}.")] = "graphml",
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Folder to write to (default: WORKSPACE/export).")] = None,
) -> None:
    """Write the site graph and the document graph (copy trees) for Gephi, networkx or notebooks."""
    _open_workspace(workspace, "documents", "edges", "cascades", "sites", "site_edges")
    try:
        from .export import export as run_export

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
) -> None:
    """Write a self-contained static HTML report: overview, sites, cascades, every pair side by side.

    The folder opens from disk with no server (start at index.html) and can be zipped and shared.
    """
    from .report import write_report

    _open_workspace(workspace, "documents", "pairs", "passages")
    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), _AmountColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=err, disable=quiet, transient=False) as bar:
        reporter = _RichProgress(bar)
        result = write_report(workspace, out_dir, progress=reporter)
        reporter.close()
    if not quiet:
        out.print(f"wrote {result.pages:,} pages ({filesize.decimal(result.bytes)}) in {result.seconds:.1f} s → {escape(str(out_dir / 'index.html'))}")


@app.command()
def serve(
    workspace: Annotated[Path, typer.Argument(help="A workspace written by `copytrace scan`.")],
    host: Annotated[str, typer.Option(help="Address to listen on. Anything but 127.0.0.1 exposes every article to the network.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Browse a workspace in a local web app: the report's views, search, compare, JSON API (/docs)."""
    from .serve import serve as run_server

    _open_workspace(workspace, "documents", "pairs", "passages")
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(f"[yellow]warning:[/] listening on {escape(host)}: anyone who can reach this machine can read the workspace", soft_wrap=True)
    out.print(f"copytrace serving {escape(str(workspace))} at http://{escape(host)}:{port}/ (API docs at /docs) · Ctrl+C stops")
    run_server(workspace, host, port)
