"""Who copied whom and whether the source was credited, on real news pages and their republications.

    python -m benchmarks.realpages [--seed 3]

The sources are real saved pages (the fundus test data in ``../shared/data/web``: pages of many
publishers, each with the body, title and publication time people checked). Each source is
republished as a web page on one of six made-up copy sites, and half of those copies are copied
again on another copy site (a copy of a copy). Copy sites have their own template (a navigation
bar, a site footer, a contact line) and share a network footer and a CMS line ("Your browser does
not support the audio element") on a minority of their pages, as networks of sites do; each also
carries articles of its own (other real bodies) with the same template. Copies drop a paragraph
or swap words, and credit their source in every form copytrace reads (``Source: X``, "This
article was originally published by X", ``© X``, a kept dateline, a link) or only a picture
(``Photo: www.x.com``) or not at all; some drop the source's own dateline. A few sources have a
paragraph lifted into another article of a copy site. Copies carry ``article:published_time``
to the second, 20 minutes to 8 hours after their parent, in several zones.

Figures: pair precision and recall (true pairs: every two pages of one copy tree, and each lifted
paragraph with its source); direction of every true pair; credit of every true pair (truth from
what was planted: the newer page's statement naming the older's outlet, or the older's own
dateline dropped); the parent of every copy; publication times kept to the minute (sources against
the people-checked time, copies against the planted one). Writes ``benchmarks/results/realpages.json``.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import random
import re
import shutil
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import copytrace

from .accuracy import RESULTS, WORK
from .page_times import FUNDUS, agreement
from .planted import SYNONYMS
from .reuters import require

ENGLISH = ("us/", "uk/", "ca/", "au/", "ind/", "za/")
COPY_SITES = {
    "dailytruthwire.com": "Daily Truth Wire",
    "patriotledger.net": "Patriot Ledger",
    "worldinsight.info": "World Insight",
    "newsfront-today.org": "NewsFront Today",
    "eastreport.online": "East Report",
    "freevoicepress.com": "Free Voice Press",
}
NETWORK_FOOTER = "Subscribe to our Telegram channel to get the news that the mainstream media will never show you, every day and for free."
CMS_LINE = "Your browser does not support the audio element."
CREDIT_FORMS = ("source", "published_by", "copyright", "link", "photo", "none")
WIRES = {"AP": "apnews.com", "Reuters": "reuters.com", "AFP": "afp.com"}
DATELINE = re.compile(r"^([^()\n]{0,60}?\((AP|Reuters|AFP)\)\s*[-–—]\s*)")


def _body(truth: dict) -> list[str]:
    return [p for section in truth["body"]["sections"] for p in section["paragraphs"] if p.strip()]


def _sources() -> list[dict]:
    """Real pages with their body, title, publication time, URL and the name their site gives itself."""
    import trafilatura

    index = json.loads((FUNDUS / "index.json").read_text(encoding="utf-8"))
    out = []
    for page, meta in sorted(index.items()):
        truth = json.loads((FUNDUS / meta["ground_truth_file"]).read_text(encoding="utf-8"))[meta["version_key"]]
        paragraphs = _body(truth)
        if len(paragraphs) < 4 or sum(len(p.split()) for p in paragraphs) < 150:
            continue
        raw = gzip.open(FUNDUS / page).read()
        found = trafilatura.bare_extraction(raw, with_metadata=True, deduplicate=False)
        out.append({
            "page": page, "raw": raw, "url": meta["url"], "title": truth.get("title") or "", "time": truth.get("publishing_date"),
            "paragraphs": paragraphs, "name": (getattr(found, "sitename", None) or "").strip() or None, "english": page.startswith(ENGLISH),
        })
    return out


def _swap(text: str, rng: random.Random, rate: float = 0.04) -> str:
    def one(m: re.Match) -> str:
        word = m.group(0)
        new = SYNONYMS.get(word.lower())
        if new is None or rng.random() > rate * 5:
            return word
        return new.capitalize() if word[0].isupper() else new

    return re.sub(r"[A-Za-z]{4,}", one, text)


def _page(site: str, slug: str, title: str, paragraphs: list[str], published: str, extra: list[str], links: list[str], footer_lines: list[str]) -> str:
    """A copy site's page: its template around the article, the time it states, its links."""
    name = COPY_SITES[site]
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs + extra)
    link_html = "".join(f'<p>Read the original <a href="{html.escape(u)}">here</a>.</p>' for u in links)
    footer = "\n".join(f"<p>{html.escape(line)}</p>" for line in footer_lines)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} | {html.escape(name)}</title>
<meta property="og:site_name" content="{html.escape(name)}">
<meta property="og:title" content="{html.escape(title)}">
<meta property="article:published_time" content="{published}">
<link rel="canonical" href="https://{site}/{slug}">
</head><body>
<header><nav><a href="https://{site}/">Home</a> <a href="https://{site}/world">World</a> <a href="https://{site}/politics">Politics</a></nav></header>
<main><article><h1>{html.escape(title)}</h1>
{body}
{link_html}
{footer}
</article></main>
<footer><p>© {name}. All rights reserved.</p></footer>
</body></html>"""


def _when(value: str, rng: random.Random) -> str:
    """An ISO time with a zone, written in one of a few zones as sites do."""
    moment = datetime.fromisoformat(value)
    zone = timezone(timedelta(hours=rng.choice((0, 1, 2, 3, -5, 8))))
    return moment.astimezone(zone).isoformat(timespec="seconds")


def _latest(value: str) -> datetime:
    """The latest instant a stated time can mean: a time without a zone may be as far west as
    UTC-12, and midnight is how sites that know only the day write it (the whole day)."""
    moment = datetime.fromisoformat(value)
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        moment += timedelta(days=1)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc) + timedelta(hours=12)


def build(seed: int, folder: Path) -> dict:
    """Write the corpus as saved pages into ``folder``; returns the truth."""
    rng = random.Random(seed)
    pages = _sources()
    english = [p for p in pages if p["english"] and p["time"]]
    others = [p for p in pages if p not in english]
    rng.shuffle(english)
    english.sort(key=lambda p: DATELINE.match(p["paragraphs"][0]) is None)  # sources that sign with a dateline first
    rng.shuffle(others)
    sources, hosts = english[:30], others[:8]
    own = others[8:44] + english[30:]
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "sources").mkdir(parents=True)
    (folder / "copies").mkdir()
    truth = {"parent": {}, "pairs": [], "credit": {}, "time": {}, "lifted": []}
    sites = sorted(COPY_SITES)
    site_pages: Counter[str] = Counter()

    def footer(site: str) -> list[str]:
        lines = [f"{COPY_SITES[site]}: write to the desk at desk@{site}", "Share this story with a friend!"]
        if rng.random() < 0.25:
            lines.append(NETWORK_FOOTER)
        if rng.random() < 0.2:
            lines.insert(0, CMS_LINE)
        return lines

    def write_copy(site: str, slug: str, title: str, paragraphs: list[str], published: str, extra=(), links=()) -> str:
        doc_id = f"copies/{site}/{slug}.html"
        (folder / doc_id).parent.mkdir(parents=True, exist_ok=True)
        (folder / doc_id).write_text(_page(site, slug, title, paragraphs, published, list(extra), list(links), footer(site)), encoding="utf-8")
        site_pages[site] += 1
        return doc_id

    def outlet(page: dict) -> str:
        domain = re.sub(r"^www\.", "", page["url"].split("/")[2])
        return page["name"] if page["name"] and rng.random() < 0.7 else f"www.{domain}"

    def credit_line(form: str, parent_outlet: str, parent_url: str) -> tuple[list[str], list[str]]:
        """Extra paragraphs and links a copy adds to credit its parent in ``form``."""
        return {
            "source": ([f"Source: {parent_outlet}"], []),
            "published_by": ([f"This article was originally published by {parent_outlet}."], []),
            "copyright": ([f"© {parent_outlet}"], []),
            "photo": ([f"Photo: {parent_outlet if '.' in parent_outlet else 'www.' + parent_url.split('/')[2].removeprefix('www.')}"], []),
            "link": ([], [parent_url]),
            "none": ([], []),
        }[form]

    for n, src in enumerate(sources):
        src_id = f"sources/{src['page'].replace('/', '_').removesuffix('.gz')}"
        (folder / src_id).write_bytes(src["raw"])
        truth["time"][src_id] = src["time"]
        paragraphs = list(src["paragraphs"])
        dateline = DATELINE.match(paragraphs[0])
        parent, parent_text, parent_url, parent_outlet = src_id, paragraphs, src["url"], outlet(src)
        parent_time = _latest(src["time"])
        lifted_at = max(range(1, len(paragraphs) - 1), key=lambda i: len(paragraphs[i])) if n < len(hosts) else None
        chain = [src_id]
        origin = list(range(len(paragraphs)))  # which source paragraph each paragraph of the copy is
        for depth in range(2 if n % 2 == 0 else 1):
            site = sites[(n + 3 * depth) % len(sites)]
            text = list(parent_text)
            if len(text) > 4 and rng.random() < 0.6:  # a paragraph dropped from the middle (not the one lifted)
                drop = rng.choice([i for i in range(1, len(text) - 1) if origin[i] != lifted_at])
                text.pop(drop)
                origin.pop(drop)
            text = [_swap(p, rng) for p in text]
            form = CREDIT_FORMS[(n + depth) % len(CREDIT_FORMS)]
            # the source signs its text only when the dateline names its own outlet (a paper's
            # "(AP) —" credits the wire, not the paper)
            own_dateline = dateline is not None and depth == 0 and WIRES[dateline.group(2)] in src["url"]
            if own_dateline:  # the copier cuts the source's dateline, and credits it no other way
                text[0] = text[0][dateline.end() :]
                form = "none"
            extra, links = credit_line(form, parent_outlet, parent_url)
            published = parent_time + timedelta(minutes=rng.randrange(20, 480))
            slug = f"story-{n:02d}-{depth}"
            title = src["title"] if rng.random() < 0.7 else src["title"].upper()
            doc_id = write_copy(site, slug, title, text, _when(published.isoformat(), rng), extra, links)
            truth["time"][doc_id] = published.isoformat()
            truth["parent"][doc_id] = parent
            kept_dateline = own_dateline and text[0].startswith(dateline.group(1))
            truth["credit"][f"{parent} ~ {doc_id}"] = (
                "credited" if form in ("source", "published_by", "copyright", "link") or kept_dateline
                else "credit_removed" if own_dateline
                else "uncredited"
            )
            for earlier in chain:
                truth["pairs"].append(sorted((earlier, doc_id)))
            chain.append(doc_id)
            parent, parent_text, parent_url, parent_outlet = doc_id, list(text), f"https://{site}/{slug}", COPY_SITES[site] if rng.random() < 0.5 else site
            parent_time = published
        if lifted_at is not None:  # a paragraph of the source lifted into another article (its copies keep it)
            host = hosts[n]
            lifted = paragraphs[lifted_at]
            body = list(host["paragraphs"])
            body.insert(len(body) // 2, lifted)
            site = sites[(n + 1) % len(sites)]
            published = _latest(src["time"]) + timedelta(hours=rng.randrange(2, 30))
            doc_id = write_copy(site, f"lifted-{n:02d}", host["title"] or "News", body, _when(published.isoformat(), rng))
            truth["time"][doc_id] = published.isoformat()
            truth["lifted"].append([src_id, doc_id])
            for member in chain:  # the copies carry the paragraph too: they share it with the host
                truth["pairs"].append(sorted((member, doc_id)))
    for n, page in enumerate(own):  # the copy sites' own articles, with their templates
        site = sites[n % len(sites)]
        published = datetime(2025, 3, 1, 8, 0, tzinfo=timezone.utc) + timedelta(hours=7 * n)
        doc_id = write_copy(site, f"own-{n:02d}", page["title"] or "News", page["paragraphs"], _when(published.isoformat(), rng))
        truth["time"][doc_id] = published.isoformat()
    truth["site_pages"] = dict(site_pages)
    return truth


def evaluate(truth: dict, workspace: Path) -> dict:
    ws = copytrace.Workspace(workspace)
    pairs = {tuple(sorted((p["a_id"], p["b_id"]))): p for p in ws.table("pairs").to_pylist()}
    true_pairs = {tuple(p) for p in truth["pairs"]}
    found = set(pairs)
    tp = len(true_pairs & found)
    parent_of = truth["parent"]

    def ancestors(doc: str) -> list[str]:
        out = []
        while doc in parent_of:
            doc = parent_of[doc]
            out.append(doc)
        return out

    lifted = {tuple(sorted(p)): p[0] for p in truth["lifted"]}
    direction = Counter()
    direction_misses = []
    hosts = {h for _, h in truth["lifted"]}
    for a, b in sorted(true_pairs & found):
        p = pairs[a, b]
        if (a in hosts or b in hosts) and (a, b) not in lifted:
            continue  # a copy and the host of a paragraph lifted from its source: neither copied the other
        first = lifted.get((a, b)) or (a if a in ancestors(b) else b)
        want = "a_to_b" if first == p["a_id"] else "b_to_a"
        got = p["direction"]
        direction["unknown" if got == "unknown" else "right" if got == want else "wrong"] += 1
        if got != want:
            direction_misses.append({"pair": f"{p['a_id']} ~ {p['b_id']}", "want": want, "got": got, "evidence": p["direction_evidence"], "detail": p["direction_detail"]})
    credit = Counter()
    credit_misses = []
    for key, want in sorted(truth["credit"].items()):
        parent, child = key.split(" ~ ")
        p = pairs.get(tuple(sorted((parent, child))))
        got = p["credit"] if p else "pair not found"
        credit["right" if got == want else "wrong"] += 1
        if got != want:
            credit_misses.append({"pair": key, "want": want, "got": got, "kind": p and p["credit_kind"], "evidence": p and p["credit_evidence"]})
    edges = {e["child"]: e for e in ws.table("edges").to_pylist()}
    parents = Counter()
    parent_misses = []
    for child, want in sorted(parent_of.items()):
        e = edges.get(child)
        got = e["parent"] if e else None
        parents["right" if got == want else "wrong"] += 1
        if got != want:
            parent_misses.append({"child": child, "want": want, "got": got, "evidence": e and e["evidence"], "parent_confidence": e and e["parent_confidence"]})
    dates = {d["doc_id"]: d["date"] for d in ws.table("documents", columns=["doc_id", "date"]).to_pylist()}
    times = Counter()
    time_misses = []
    for doc, want in sorted(truth["time"].items()):
        kind = agreement(want, dates.get(doc))
        times[kind] += 1
        if kind != "minute":
            time_misses.append({"doc": doc, "want": want, "got": dates.get(doc), "agreement": kind})
    return {
        "pairs": {
            "true": len(true_pairs), "reported": len(found), "true_positives": tp,
            "precision": round(tp / len(found), 4) if found else 0.0, "recall": round(tp / len(true_pairs), 4) if true_pairs else 0.0,
            "missed": sorted(" ~ ".join(p) for p in true_pairs - found),
            "false": [{"pair": " ~ ".join(k), "verdict": pairs[k]["verdict"], "coverage": [pairs[k]["coverage_a"], pairs[k]["coverage_b"]]} for k in sorted(found - true_pairs)],
        },
        "direction": {**direction, "accuracy": round(direction["right"] / max(1, sum(direction.values())), 4), "misses": direction_misses},
        "credit": {**credit, "accuracy": round(credit["right"] / max(1, sum(credit.values())), 4),
                   "truth": dict(Counter(truth["credit"].values())), "misses": credit_misses},
        "parents": {**parents, "accuracy": round(parents["right"] / max(1, sum(parents.values())), 4), "misses": parent_misses},
        "times": {**times, "minute_rate": round(times["minute"] / max(1, sum(times.values())), 4), "misses": time_misses},
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    require(FUNDUS)
    folder = WORK / f"realpages-{args.seed}"
    truth = build(args.seed, folder)
    started = time.perf_counter()
    summary = copytrace.scan([folder], WORK / f"realpages-{args.seed}-ws", copytrace.Settings())
    seconds = time.perf_counter() - started
    result = {
        "benchmark": "realpages", "command": f"python -m benchmarks.realpages --seed {args.seed}",
        "pages": summary.documents, "copy_site_pages": truth["site_pages"], "scan_seconds": round(seconds, 2),
        **evaluate(truth, WORK / f"realpages-{args.seed}-ws"),
    }
    out = args.out or RESULTS / ("realpages.json" if args.seed == 3 else f"realpages-seed{args.seed}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    for name in ("pairs", "direction", "credit", "parents", "times"):
        part = result[name]
        print(name, {k: v for k, v in part.items() if not isinstance(v, list)})
        for miss in next((v for k, v in part.items() if isinstance(v, list) and k in ("misses", "false", "missed")), [])[:12]:
            print("   ", miss)
        if name == "pairs":
            for miss in part["missed"][:12]:
                print("    missed", miss)
    return result


if __name__ == "__main__":
    main()
