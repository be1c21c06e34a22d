"""HTML of the views: Jinja2 templates with autoescaping, the marked-up pair texts and the SVG
charts. Shared by the static report and the web app; only the links differ (:class:`Links`).

Untrusted text stays text: every article text, title, URL and site name reaches the page through
``markupsafe.escape`` (autoescaping, or explicitly in :func:`marked_text`), and a URL becomes a link
only when it is ``http`` or ``https``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, datetime
from importlib.resources import files

import jinja2
from markupsafe import Markup, escape

from copytrace.ingest.dates import duration
from copytrace.explain.edits import KINDS
from copytrace.present.views import key_of

TEMPLATES = files("copytrace.present") / "templates"
ASSETS = files("copytrace.present") / "assets"
ASSET_FILES = ("report.css", "report.js")

#: Views put the source on the left (``a``) whenever the direction is known, so ``a_to_b`` is all
#: they show of a known direction.
DIRECTION_TEXT = {"a_to_b": "source → copy", "b_to_a": "B → A (B is the source)", "common_source": "both from a common source",
                  "unknown": "undecided"}


class Links:
    """Where each view lives: files of the static report (relative, so the folder can be moved and
    opened from disk) or routes of the web app."""

    def __init__(self, static: bool, depth: int = 0):
        self.static = static
        self.root = "../" * depth if static else "/"

    def __call__(self, view: str, key: str | int | None = None, page: int = 1) -> str:
        if self.static:
            if key is None:
                return f"{self.root}{view}.html" if page == 1 else f"{self.root}{view}-{page}.html"
            return f"{self.root}{view}/{key}.html" if page == 1 else f"{self.root}{view}/{key}-{page}.html"
        path = f"/{view}" if key is None else f"/{view}/{key}"
        if view == "index":
            path = "/"
        return path if page == 1 else f"{path}?page={page}"

    def asset(self, name: str) -> str:
        return f"{self.root}assets/{name}"


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update(
        pct=lambda v: "–" if v is None else f"{v:.0%}", num=lambda v: "–" if v is None else f"{v:,}", duration=duration,
        kind=lambda k: k.replace("_", " "), direction=lambda d: DIRECTION_TEXT.get(d or "unknown", d), key=key_of,
        conf=lambda v: "–" if v is None else f"{v:.2f}",
    )
    env.globals.update(safe_url=safe_url, time_chart=time_chart, network_svg=network_svg, timeline_svg=timeline_svg, marked_text=marked_text)
    return env


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) URL (safe as a link target), else None (shown as text only)."""
    if url and url.strip().lower().startswith(("http://", "https://")) and not any(c in url for c in "\"'<> \n\t"):
        return url.strip()
    return None


# --- pair texts ---------------------------------------------------------------------------------------


def marked_text(text: str, offset: int, side: str, view: dict) -> Markup:
    """``text`` (the page's window of one side, starting at ``offset``) as HTML: aligned passages,
    labelled edits, boilerplate and the credit line wrapped in spans that carry their numbers.

    The text is cut at every span boundary, so spans never nest and each piece is escaped once.
    A passage's pieces carry ``data-p``, an edit's ``data-e``; the first piece of each gets an
    ``id`` (``a-p3``, ``b-e7``) to link to. An edit with an empty range is a marker of where text
    was removed or added.
    """
    end = offset + len(text)
    starts: dict[int, list] = defaultdict(list)
    stops: dict[int, list] = defaultdict(list)
    markers: dict[int, list] = defaultdict(list)

    def add(layer: str, ident, s: int | None, e: int | None) -> None:
        if s is None or e is None or e < offset or s > end:
            return
        if s == e:
            markers[s].append((layer, ident))
        elif e > offset and s < end:
            starts[max(s, offset)].append((layer, ident))
            stops[min(e, end)].append((layer, ident))

    for p in view["passages"]:
        add("p", p["n"], p[f"{side}_start"], p[f"{side}_end"])
    for e in view["edits"]:
        add("e", (e["n"], e["kind"]), e[f"{side}_start"], e[f"{side}_end"])
    for s, e in view["boilerplate"].get(side, []):
        add("bp", 0, s, e)
    credit = view["credit_span"]
    if credit["side"] == side and credit["start"] is not None:
        add("cr", 0, credit["start"], credit["end"])

    points = sorted({offset, end, *starts, *stops, *markers})
    active: dict[str, dict] = {"p": {}, "e": {}, "bp": {}, "cr": {}}
    seen: set = set()
    out: list[str] = []
    for i, x in enumerate(points):
        for layer, ident in stops.get(x, ()):
            active[layer].pop(ident, None)
        for layer, ident in markers.get(x, ()):
            n, kind = ident
            out.append(f'<span class="gap {_kind_class(kind)}" id="{side}-e{n}" data-e="{n}" data-label="{escape(kind.replace("_", " "))}"></span>')
        for layer, ident in starts.get(x, ()):
            active[layer][ident] = True
        if i + 1 == len(points) or points[i + 1] == x:
            continue
        piece = escape(text[x - offset : points[i + 1] - offset])
        classes, attrs = [], []
        if active["p"]:
            n = min(active["p"])
            classes.append("p")
            attrs.append(f'data-p="{n}"')
            if ("p", n) not in seen:
                seen.add(("p", n))
                attrs.append(f'id="{side}-p{n}"')
        if active["e"]:
            edits = sorted(active["e"])
            classes += ["e", *{_kind_class(k) for _, k in edits}]
            attrs.append(f'data-e="{" ".join(str(n) for n, _ in edits)}"')
            first = [(n, k) for n, k in edits if ("e", n) not in seen]
            if first:
                n, k = first[0]
                seen.update(("e", m) for m, _ in first)
                classes.append("es")
                attrs += [f'id="{side}-e{n}"', f'data-label="{escape(k.replace("_", " "))}"']
        if active["bp"]:
            classes.append("bp")
        if active["cr"]:
            classes.append("cr")
        if classes:
            out.append(f'<span class="{" ".join(classes)}" {" ".join(attrs)}>{piece}</span>' if attrs else f'<span class="{" ".join(classes)}">{piece}</span>')
        else:
            out.append(str(piece))
    return Markup("".join(out))


def _kind_class(kind: str) -> str:
    return f"k-{kind}" if kind in KINDS else "k-other"


# --- charts -------------------------------------------------------------------------------------------------


#: Width of a character of the charts' 11 px labels, a little over the average (labels never touch).
CHAR_WIDTH = 6.8


def _count_ticks(top: int) -> list[int]:
    """Counts to mark on a bar chart's axis: 0, the top, and a round number between when there is one."""
    if top <= 1:
        return [0, max(top, 1)]
    step = 10 ** math.floor(math.log10(top))
    middle = round(top / 2 / step) * step if top >= 4 else None
    return sorted({0, top, *([middle] if middle and 0 < middle < top else [])})


def time_chart(series: dict, width: int = 720, height: int = 160) -> Markup:
    """Copies over time as an SVG bar chart (each bar titled with its date and count), with a count
    axis on the left and dates below; the chart's label sits above the bars, never on them."""
    bins = series["bins"]
    if not bins:
        return Markup('<p class="muted">No dated copies.</p>')
    top = max(n for _, n in bins) or 1
    ticks = _count_ticks(top)
    left = CHAR_WIDTH * len(str(top)) + 10
    head, foot = 22, 30  # room for the label above and the dates below
    plot_w, base = width - left - 4, head + height
    bar = plot_w / len(bins)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {head + height + foot}" role="img" aria-label="copies per {series["unit"]}">',
             f'<text x="0" y="12">copies per {escape(series["unit"])}</text>']
    for n in ticks:
        y = base - n / top * height
        parts.append(f'<line x1="{left - 4:.1f}" y1="{y:.1f}" x2="{width}" y2="{y:.1f}" class="{"axis" if n == 0 else "grid"}"/>'
                     f'<text x="{left - 7:.1f}" y="{y + 4:.1f}" text-anchor="end">{n}</text>')
    parts.append(f'<line x1="{left:.1f}" y1="{head}" x2="{left:.1f}" y2="{base}" class="axis"/>')
    for i, (label, n) in enumerate(bins):
        h = n / top * height
        parts.append(
            f'<rect x="{left + i * bar + 1:.1f}" y="{base - h:.1f}" width="{max(bar - 2, 1):.1f}" height="{h:.1f}">'
            f"<title>{escape(label)}: {n} cop{'y' if n == 1 else 'ies'}</title></rect>"
        )
    label_w = CHAR_WIDTH * max(len(label) for label, _ in bins) + 12
    step = max(1, math.ceil(label_w / bar))  # dates far enough apart never to overlap
    for i in range(0, len(bins), step):
        x = left + i * bar + 1
        if x + label_w - 12 > width:  # the last would run off the chart
            break
        parts.append(f'<line x1="{x:.1f}" y1="{base}" x2="{x:.1f}" y2="{base + 4}" class="axis"/>'
                     f'<text x="{x:.1f}" y="{base + 17}">{escape(bins[i][0])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def credit_colour(rate: float | None) -> str:
    """Red (never credits) through amber to green (always credits); grey when unknown."""
    if rate is None:
        return "#9aa0a6"
    hue = 120 * max(0.0, min(1.0, rate))
    return f"hsl({hue:.0f}, 65%, 42%)"


def network_svg(network: dict, links: Links, size: int = 760) -> Markup:
    """The site network: sites as circles sized by articles and coloured by the credit rate of their
    copies, arrows source → copier as wide as the log of the copies. Each site links to its page."""
    nodes, edges = network["nodes"], network["edges"]
    if not nodes:
        return Markup('<p class="muted">No copies between sites.</p>')
    pad, label_room = 40, 130  # site names are written to the right of their circles
    scale = size - 2 * pad - label_room
    most = max(max(n["articles"] for n in nodes), 1)
    xy = [(pad + n["x"] * scale, pad + n["y"] * scale) for n in nodes]
    radius = [3 + 14 * math.sqrt(n["articles"] / most) for n in nodes]
    parts = [
        f'<svg id="network" class="network" viewBox="0 0 {size} {size}" role="img" aria-label="site network">',
        ('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse">'
         '<path d="M 0 0 L 10 5 L 0 10 z" fill="#777"/></marker></defs><g class="viewport">'),
    ]
    for e in edges:
        (x1, y1), (x2, y2) = xy[e["source"]], xy[e["target"]]
        # Bend every arrow a little to its left, so A → B and B → A are two arcs, not one line.
        cx, cy = (x1 + x2) / 2 - (y2 - y1) * 0.12, (y1 + y2) / 2 + (x2 - x1) * 0.12
        r2 = radius[e["target"]] + 2
        dc = math.hypot(x2 - cx, y2 - cy) or 1
        x2, y2 = x2 - (x2 - cx) / dc * r2, y2 - (y2 - cy) / dc * r2
        width = 0.6 + 1.4 * math.log1p(e["copies"])
        rate = "–" if e["credit_rate"] is None else f"{e['credit_rate']:.0%}"
        title = f'{nodes[e["source"]]["site"]} → {nodes[e["target"]]["site"]}: {e["copies"]} copies, credit {rate}'
        parts.append(
            f'<path d="M {x1:.1f} {y1:.1f} Q {cx:.1f} {cy:.1f} {x2:.1f} {y2:.1f}" fill="none" stroke="{credit_colour(e["credit_rate"])}" '
            f'stroke-width="{width:.1f}" marker-end="url(#arrow)" data-s="{e["source"]}" data-t="{e["target"]}"><title>{escape(title)}</title></path>'
        )
    labelled = set(sorted(range(len(nodes)), key=lambda i: -(nodes[i]["copies"] + nodes[i]["copied_by_others"]))[:25])
    for i, n in enumerate(nodes):
        x, y = xy[i]
        rate = "–" if n["credit_rate"] is None else f"{n['credit_rate']:.0%}"
        title = f'{n["site"]}: {n["articles"]} articles, copies {n["copies"]} (credit {rate}), copied by others {n["copied_by_others"]}'
        label = f'<text x="{x + radius[i] + 2:.1f}" y="{y + 4:.1f}">{escape(n["site"])}</text>' if i in labelled else ""
        parts.append(
            f'<a href="{escape(links("site", n["key"]))}" data-i="{i}"><circle cx="{x:.1f}" cy="{y:.1f}" r="{radius[i]:.1f}" '
            f'fill="{credit_colour(n["credit_rate"])}"><title>{escape(title)}</title></circle>{label}</a>'
        )
    parts.append("</g></svg>")
    return Markup("".join(parts))


#: Steps a time axis may mark, in seconds: the smallest giving at most a handful of ticks is used.
TIME_STEPS = (60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 30 * 86400,
              91 * 86400, 365 * 86400)


def _time_ticks(lo: float, hi: float, most: int = 6) -> list[tuple[float, str]]:
    """Round times between ``lo`` and ``hi`` (UTC seconds) and their labels: hours within a day or
    two, dates beyond."""
    step = next((s for s in TIME_STEPS if (hi - lo) / s <= most), TIME_STEPS[-1] * math.ceil((hi - lo) / TIME_STEPS[-1] / most))
    first = math.ceil(lo / step) * step
    form = "%Y-%m-%d" if step >= 86400 else "%d %b %H:%M"
    return [(t, datetime.fromtimestamp(t, UTC).strftime(form)) for t in range(int(first), int(hi) + 1, int(step))]


def timeline_svg(timeline: list[dict], links: Links, width: int = 760) -> Markup:
    """A cascade's members in tree order, placed by publication time on a time axis (UTC); lines join
    each copy to its parent. Undated members sit in a column on the right. Names are cut to the room
    left of the axis, so that they never run into the marks."""
    if not timeline:
        return Markup("")
    names = [f'{"  " * m["depth"]}{m["doc"]["site"] or m["doc"]["doc_id"]}' for m in timeline]
    room = max(100, min(240, CHAR_WIDTH * max(map(len, names)) + 16))  # the names' column
    chars = int((room - 16) / CHAR_WIDTH)
    row, left, right, top = 26, room, 90, 40
    height = top + row * len(timeline) + 4
    times = [t for m in timeline if m["time"] is not None for t in (m["lo"], m["hi"])]
    lo, hi = (min(times), max(times)) if times else (0.0, 1.0)
    span = max(hi - lo, 1.0)
    undated_x = width - right / 2
    axis_end = width - right - 20

    def x_of(t: float | None) -> float:
        return undated_x if t is None else left + (t - lo) / span * (axis_end - left)

    position = {m["doc"]["doc_id"]: (x_of(m["time"]), top + 8 + i * row) for i, m in enumerate(timeline)}
    parts = [f'<svg class="timeline" viewBox="0 0 {width} {height}" role="img" aria-label="timeline">',
             f'<line x1="{undated_x - right / 2 + 5}" y1="10" x2="{undated_x - right / 2 + 5}" y2="{height}" class="rule"/>',
             f'<text x="{undated_x}" y="14" text-anchor="middle" class="muted">undated</text>']
    if times:
        parts.append(f'<line x1="{left}" y1="{top - 12}" x2="{axis_end}" y2="{top - 12}" class="axis"/>')
        ticks = _time_ticks(lo, hi) if hi > lo else [(lo, datetime.fromtimestamp(lo, UTC).strftime("%Y-%m-%d %H:%M"))]
        label_w = CHAR_WIDTH * max(len(label) for _, label in ticks)
        shown = -math.inf
        for t, label in ticks:
            x = x_of(t)
            parts.append(f'<line x1="{x:.1f}" y1="{top - 16}" x2="{x:.1f}" y2="{height}" class="grid"/>')
            if x - shown >= label_w + 8 and x - label_w / 2 >= 0 and x + label_w / 2 <= axis_end + 20:  # labels never overlap
                parts.append(f'<text x="{x:.1f}" y="{top - 20}" text-anchor="middle" class="muted">{label}</text>')
                shown = x
        parts.append(f'<text x="{axis_end + 3}" y="{top - 8}" class="muted">UTC</text>')
    for m in timeline:
        if m["parent"] in position:
            (x1, y1), (x2, y2) = position[m["parent"]], position[m["doc"]["doc_id"]]
            parts.append(f'<path d="M {x1:.1f} {y1:.1f} C {x1:.1f} {y2:.1f}, {x1:.1f} {y2:.1f}, {x2:.1f} {y2:.1f}" class="link"/>')
    for m, name in zip(timeline, names):
        x, y = position[m["doc"]["doc_id"]]
        doc = m["doc"]
        shown_name = name if len(name) <= chars else name[: chars - 1] + "…"
        label = f'<text x="4" y="{y + 4}" xml:space="preserve">{escape(shown_name)}<title>{escape(name.strip())}</title></text>'
        if m["time"] is not None and m["hi"] - m["lo"] > 60:  # a day or a zone unknown: the interval it stands for
            x1, x2 = x_of(m["lo"]), x_of(m["hi"])
            parts.append(f'<rect x="{x1:.1f}" y="{y - 3}" width="{max(x2 - x1, 1):.1f}" height="6" class="interval">'
                         f'<title>{escape(doc["date"] or "")}: somewhere in this interval</title></rect>')
        dot = f'<circle cx="{x:.1f}" cy="{y}" r="6" class="{"root" if m["depth"] == 0 else "copy"}"><title>{escape(doc["doc_id"])}</title></circle>'
        if doc["key"]:
            parts.append(f'<a href="{escape(links("doc", doc["key"]))}">{label}{dot}</a>')
        else:
            parts.append(label + dot)
    parts.append("</svg>")
    return Markup("".join(parts))
