"""The terminal's views: what ``copytrace`` prints, drawn with rich from the API's results.

The commands (:mod:`copytrace.cli`) parse options and call the API; everything they show is drawn
here: a comparison side by side, a scan's summary and progress bars, a copy tree, the sites table.
Text from the inputs is escaped before it meets rich's markup.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich import filesize
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.progress import BarColumn, Progress, ProgressColumn, SpinnerColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from copytrace.ingest.dates import UNTRUSTED_DATE, duration

if TYPE_CHECKING:
    from copytrace.jobs.compare import Comparison
    from copytrace.jobs.scan import ScanResult

out = Console()
err = Console(stderr=True)

VERDICT_STYLE = {"copy": "bold red", "partial": "bold yellow", "none": "bold green"}
#: Input problems printed above the progress bars; the rest are counted (all are in ``rejects``).
MAX_MESSAGES = 20


# --- compare ---------------------------------------------------------------------------------------


def show_comparison(result: Comparison, full: bool) -> None:
    header = Table.grid(padding=(0, 2))
    for side, doc, coverage in (("A", result.a, result.coverage_a), ("B", result.b, result.coverage_b)):
        header.add_row(f"[bold]{side}[/]", escape(doc.doc_id), escape(doc.lang or "und"), f"{doc.chars:,} chars", f"coverage {coverage:.0%}")
    style = VERDICT_STYLE[result.verdict]
    story = "" if result.story_similarity is None else f" · same story {result.story_similarity:.2f}"
    out.print(Panel(header, title=f"verdict: [{style}]{result.verdict}[/]{story}", title_align="left", expand=False))
    if not result.passages:
        out.print("No shared passages.")
    for n, p in enumerate(result.passages, 1):
        a_text = result.a.text[p.a_start : p.a_end]
        b_text = result.b.text[p.b_start : p.b_end]
        if p.match == "lexical":
            left, right = diff_words(a_text, b_text)
            how = f"similarity {p.similarity:.2f}"
        else:  # found by meaning: the words differ by definition, no word diff
            left, right = Text(a_text), Text(b_text)
            how = f"{p.match}, meaning similarity {p.similarity:.2f}"
        if not full:
            left, right = _shorten(left), _shorten(right)
        table = Table(
            title=f"passage {n}: A {p.a_start}–{p.a_end} ↔ B {p.b_start}–{p.b_end} · {how}",
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


# --- scan and add ---------------------------------------------------------------------------------


class AmountColumn(ProgressColumn):
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


class RichProgress:
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


def with_progress(quiet: bool, job, remaining: bool = True):
    """Run ``job(progress)`` under a progress bar (none, and no warnings, with ``quiet``);
    ``remaining``: show an estimate of the time left."""
    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), AmountColumn(), TimeElapsedColumn()]
    if remaining:
        columns.append(TimeRemainingColumn())
    with Progress(*columns, console=err, disable=quiet, transient=False) as bar:
        reporter = RichProgress(bar)
        if quiet:
            reporter.message = lambda text: None  # type: ignore[method-assign]
        result = job(reporter)
        reporter.close()
    return result


def show_summary(result: ScanResult) -> None:
    table = Table(title=f"copytrace scan → {escape(result.workspace)}", title_justify="left", show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("documents", f"{result.documents:,}")
    if result.already_added:
        from copytrace.jobs.scan import STAGES  # (loaded already: a job gave this result)

        nothing = result.resumed == list(STAGES)
        table.add_row("already added", f"{result.already_added:,} input files, unchanged, not read again" + ("; nothing to add" if nothing else ""))
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


# --- trace and sites -------------------------------------------------------------------------------


def show_trace(result: dict) -> None:
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


def site_rows(rows: list[dict], sort: str, ascending: bool = False, limit: int = 0) -> list[dict]:
    """Rows of the ``sites`` table sorted by ``sort`` (ties by site; empty values last), the first ``limit``."""
    present = sorted((r for r in rows if r[sort] is not None), key=lambda r: r["site"])
    present.sort(key=lambda r: r[sort], reverse=not ascending)  # stable: ties stay by site
    rows = present + [r for r in rows if r[sort] is None]
    return rows[:limit] if limit else rows


def show_sites(rows: list[dict], title: str) -> None:
    """The sites table: its key columns in 80, top sources and copiers too from 160 columns."""
    wide = out.width >= 160
    table = Table(
        title=title, title_justify="left", box=None, header_style="bold underline",
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


def show_stories(stories: list[dict], title: str, articles: int = 3) -> None:
    """The stories, largest first: size, sites, languages, first date and headline, then the
    first ``articles`` articles of each (earliest first)."""
    table = Table(title=title, title_justify="left", box=None, header_style="bold underline", padding=(0, 1), pad_edge=False)
    for name, justify in (("story", "right"), ("articles", "right"), ("sites", "right"), ("languages", "left"), ("first", "left"), ("headline / articles", "left")):
        table.add_column(name, justify=justify, overflow="fold")
    for s in stories:
        languages = " ".join(f"{lang} {n}" for lang, n in s["languages"].items())
        table.add_row(str(s["story"]), f"{len(s['articles']):,}", f"{s['sites']:,}", escape(languages), escape((s["first_date"] or "–")[:10]), escape(_clip(s["title"] or "–", 90)))
        for r in s["articles"][:articles]:
            table.add_row("", "", "", "", "", f"[dim]{escape(r['doc_id'])} · {escape(r['site'] or '–')} · {escape(r['lang'] or 'und')}[/]")
        if len(s["articles"]) > articles:
            table.add_row("", "", "", "", "", f"[dim]… {len(s['articles']) - articles:,} more (--json lists all)[/]")
    out.print(table)
