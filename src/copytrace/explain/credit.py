"""Credit: does a copy name its source?

Credit is read from **attribution statements**, not from any mention of a name: a copy that keeps
a sentence "…contracted by Reuters to analyse…" from the article has not credited Reuters. The
statements found (:func:`attributions`), each with its kind:

- ``source``: a line ``Source: X`` (``Sources:``, ``Quelle:``, ``Fuente:``, ``Fonte:``, ``Источник:``);
- ``published_by``: "originally published by / in / on X", "first appeared on X", "republished
  (with permission) from X", "reprinted from X", "courtesy of X", "this article is from X";
- ``dateline``: ``(Reuters) -``, ``MOSCOW (AP) —`` near the start of a line;
- ``copyright``: ``© X``, ``(c) X``, ``Copyright 2024 X``;
- ``photo``: ``Photo: X``, ``Image: X``, ``Photo by X``: a picture's credit, not the text's;
- ``via``, ``according_to`` ("according to X", "as X reported"): ordinary words as often as credit,
  so they count only when X is a known outlet or one of the pair's sites, and only in the copy's
  own text (outside the passages it shares with the source, where they were the source's words).

A statement inside a quotation ("Source: Reuters," he said) is not one. X resolves to sites
(registered domains) by a domain written in it (``www.rt.com``), the built-in table of outlets
(:mod:`copytrace.explain.outlets`: ``AP News`` → ``apnews.com``), a site's brand (its domain's first
label: ``Reuters``; three letters or fewer only in capitals), the names the pair's own pages give
their sites (:func:`page_names`: ``og:site_name``, a title suffix) and the ``--alias`` names. A photo
credit ``Photo: Reuters/John Smith`` names Reuters too (each part of X split at ``/`` is tried).

For a pair of documents from two sites, the source is the earlier one when their dates decide it
(:func:`copytrace.ingest.dates.first_by_dates`; untrusted dates are left out); otherwise either may be,
and the first reading that finds evidence wins:

- ``credited``: the copy carries a statement naming the source's site (``kind``: what statement),
  or its page links to the source's site (``link``; no offsets, links are not part of the text);
- ``credit_removed``: the copy does not, but the source carries a statement naming its own site
  outside its template (``(Reuters) -``, ``Source: rt.com``): a credit the copy dropped;
- ``uncredited``: neither; ``kind`` is ``photo`` when the copy credits only a picture to the source;
- ``same_site`` when both are of one site, ``unknown`` when a site is not known.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from copytrace.explain.outlets import OUTLETS

CREDITED, CREDIT_REMOVED, UNCREDITED, SAME_SITE, UNKNOWN = "credited", "credit_removed", "uncredited", "same_site", "unknown"

SOURCE, PUBLISHED_BY, DATELINE, COPYRIGHT, PHOTO, VIA, ACCORDING_TO, LINK = (
    "source", "published_by", "dateline", "copyright", "photo", "via", "according_to", "link",
)
#: Statements a source makes about itself when it signs its text (a copy dropping one removed it).
SIGNING = frozenset({SOURCE, PUBLISHED_BY, DATELINE, COPYRIGHT})
#: Statements that count only in the copy's own text and only for a name known to be an outlet.
WEAK = frozenset({VIA, ACCORDING_TO})


@dataclass(frozen=True)
class Credit:
    """A pair's credit status, and the line that shows it (in document ``doc``: 0 for A, 1 for B),
    with the ``kind`` of statement it is."""

    status: str
    doc: int | None = None
    start: int | None = None
    end: int | None = None
    evidence: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class Attribution:
    """One attribution statement: its kind, the name it credits as written, where the name
    starts and ends, and the line holding it (character offsets, end exclusive)."""

    kind: str
    name: str
    start: int
    end: int
    line_start: int
    line_end: int


def page_names(site: str | None, site_name: str | None, title: str | None) -> dict[str, tuple[str, ...]]:
    """The names a page gives its own site, as aliases of it: its ``og:site_name`` (``Rolling
    Stone``, ``Associated Press``) and a title suffix (``Headline | The Mirror``, ``... - CNBC``)."""
    if not site:
        return {}
    names = [site_name.strip()] if site_name and 2 <= len(site_name.strip()) <= 60 else []
    if title:
        suffix = re.split(r"\s[|–—-]\s", title)
        if len(suffix) > 1 and 1 <= len(suffix[-1].split()) <= 5 and suffix[-1].strip()[:1].isupper():
            names.append(suffix[-1].strip())
    return {site: tuple(dict.fromkeys(names))} if names else {}


def with_page_names(aliases: dict[str, tuple[str, ...]], *pages: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """``aliases`` and the names pages give their own sites (:func:`page_names`) together."""
    out = dict(aliases)
    for names in pages:
        for site, more in names.items():
            out[site] = tuple(dict.fromkeys((*out.get(site, ()), *more)))
    return out


def pair_names(a, b, aliases: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """``aliases`` and the names documents ``a`` and ``b`` (with ``site``, ``site_name``,
    ``title``) give their own sites."""
    return with_page_names(aliases, page_names(a.site, a.site_name, a.title), page_names(b.site, b.site_name, b.title))


def documents_credit(a, b, names: dict[str, tuple[str, ...]], source: int | None, boilerplate, passages) -> Credit:
    """:func:`pair_credit` of two documents (with ``text``, ``site``, ``links``) and the passages
    they share (with ``a_start``... offsets); ``names``: :func:`pair_names`."""
    copied = ([(p.a_start, p.a_end) for p in passages], [(p.b_start, p.b_end) for p in passages])
    return pair_credit(a.text, a.site, b.text, b.site, names, source, boilerplate, (a.links, b.links), copied)


def parse_aliases(specs: tuple[str, ...] | list[str]) -> dict[str, tuple[str, ...]]:
    """``["rt.com=RT,Russia Today"]`` → ``{"rt.com": ("RT", "Russia Today")}``; raises ValueError."""
    aliases: dict[str, tuple[str, ...]] = {}
    for spec in specs:
        site, sep, names = spec.partition("=")
        names_list = tuple(n.strip() for n in names.split(",") if n.strip())
        if not sep or not site.strip() or not names_list:
            raise ValueError(f"an alias is SITE=NAME[,NAME...], got {spec!r}")
        aliases[site.strip().lower()] = aliases.get(site.strip().lower(), ()) + names_list
    return aliases


# --- finding statements -----------------------------------------------------------------------------

_LEADS = (
    (SOURCE, r"^[^\w\n]{0,3}(?:sources?|quelle|quellen|fuente|fuentes|fonte|источник)\s*[:：]\s*"),
    (PUBLISHED_BY, r"\b(?:(?:originally|first)\s+(?:published|appeared|posted|ran|printed)\s+(?:by|in|on|at)"
                   r"|republished\s+(?:with\s+(?:the\s+)?permission\s+)?(?:from|by)|reprinted\s+(?:with\s+(?:the\s+)?permission\s+)?(?:from|by)"
                   r"|(?:published|reproduced)\s+with\s+(?:the\s+)?permission\s+(?:of|from)|courtesy\s+of"
                   r"|this\s+(?:article|story|report)\s+(?:is|was)\s+(?:from|by))\s+"),
    (COPYRIGHT, r"(?:©|\(c\)(?=\s*\d{4})|\bcopyright\b)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?,?\s*)?"),
    (PHOTO, r"\b(?:photos?|images?|pictures?|foto|photograph|video|illustration)(?:\s*credits?)?\s*(?:[:：]|\bby\b|\bcourtesy\s+of\b)\s*"),
    (VIA, r"\bvia\s+"),
    (ACCORDING_TO, r"\baccording\s+to\s+"),
)
#: Every lead-in, the dateline and "as X reported" in one pattern: one pass over a text.
_STATEMENT = re.compile(
    "|".join(f"(?P<{kind}>{lead})" for kind, lead in _LEADS)
    + r"|(?P<dateline>\(\s*[^()\n]{2,40}?\s*\)\s*[-–—])"
    + r"|\bas\s+(?P<as_reported>[^\n,.;]{2,40}?)\s+(?:reported|reports|wrote|writes|noted)\b",
    re.IGNORECASE | re.MULTILINE,
)
_QUOTES = re.compile(r"[\"“”«»„]")
#: Lower-case strings one of which every statement contains: only the lines holding one are read.
_NEEDLES = ("source", "quell", "fuente", "fonte", "источник", "published", "appeared", "posted", "ran ", "printed", "permission",
            "courtesy", "this article", "this story", "this report", "©", "(c)", "copyright", "photo", "image", "picture", "foto",
            "video", "illustration", "via ", "according", ") -", ")-", ") —", ")—", ") –", ")–", "reported", "reports", "wrote",
            "writes", "noted")


@functools.lru_cache(maxsize=4096)
def attributions(text: str) -> tuple[Attribution, ...]:
    """Every attribution statement of ``text`` (see the module's description), in text order."""
    lowered = text.lower()
    present = [needle for needle in _NEEDLES if needle in lowered]
    if not present:
        return ()
    lines, start = [], 0  # (start, end) of each line holding a needle (lower-casing may change lengths: not the offsets)
    for line in text.split("\n"):
        if any(needle in line.lower() for needle in present):
            lines.append((start, start + len(line)))
        start += len(line) + 1
    found: list[Attribution] = []

    def add(kind: str, start: int, end: int) -> None:
        line_start = text.rfind("\n", 0, start) + 1
        if len(_QUOTES.findall(text, line_start, start)) % 2:  # inside a quotation
            return
        line_end = text.find("\n", start)
        line_end = len(text) if line_end < 0 else line_end
        found.append(Attribution(kind, text[start:end].strip(), start, end, line_start, line_end))

    for m in (m for lo, hi in lines for m in _STATEMENT.finditer(text, lo, hi)):
        kind = m.lastgroup
        if kind == "dateline":
            if m.start() - (text.rfind("\n", 0, m.start()) + 1) <= 80:
                inner = text.index("(", m.start()) + 1
                add(DATELINE, inner, text.rindex(")", inner, m.end()))
        elif kind == "as_reported":
            add(ACCORDING_TO, m.start(kind), m.end(kind))
        else:
            end = text.find("\n", m.end())
            add(kind, m.end(), min(len(text) if end < 0 else end, m.end() + 80))
    return tuple(found)


# --- what a name names ------------------------------------------------------------------------------

_DOMAIN = re.compile(r"(?i)^(?:https?://)?(?:www\.)?((?:[a-z0-9-]+\.)+[a-z]{2,})\b")


def _name_pattern(name: str) -> str:
    """A name at the start of a credited text, whole words; short names only as written."""
    escaped = re.escape(name).replace(r"\ ", r"\s+")
    if len(name) <= 3:
        return rf"(?:the\s+)?{escaped}(?![\w-])"
    return rf"(?i:(?:the\s+)?{escaped})(?![\w-])"


@functools.lru_cache(maxsize=1)
def _outlet_patterns() -> tuple[tuple[re.Pattern, frozenset[str]], ...]:
    """The table's names, longest first, each with the sites it names."""
    sites_of: dict[str, set[str]] = {}
    for site, names in OUTLETS.items():
        for name in names:
            sites_of.setdefault(name, set()).add(site)
    return tuple((re.compile(_name_pattern(n)), frozenset(s)) for n, s in sorted(sites_of.items(), key=lambda kv: -len(kv[0])))


def _heads(name: str) -> list[str]:
    """The parts of a credited text a name may start: the whole, and each part after a ``/``."""
    return [part.strip(" \t-–—:,") for part in name.split("/")]


@functools.lru_cache(maxsize=16384)
def named_sites(name: str) -> frozenset[str]:
    """The sites a credited text names by a domain written in it or the built-in outlet table."""
    from copytrace.ingest.sites import site_of_url

    found: set[str] = set()
    for head in _heads(name):
        domain = _DOMAIN.match(head)
        if domain:
            site = site_of_url(f"http://{domain[1].lower()}")
            if site:
                found.add(site)
                continue
        for pattern, sites in _outlet_patterns():
            if pattern.match(head):
                found |= sites
                break
    return frozenset(found)


@functools.lru_cache(maxsize=4096)
def _site_pattern(site: str, aliases: tuple[str, ...]) -> re.Pattern:
    """A credited text that starts with ``site``'s domain, brand or aliases."""
    brand = site.lower().split(".")[0]
    names = [*aliases, *((brand.upper() if len(brand) <= 3 else brand,) if len(brand) >= 2 else ())]
    parts = [rf"(?i:(?:https?://)?(?:www\.)?{re.escape(site.lower())})(?![\w-])", *(_name_pattern(n) for n in names)]
    return re.compile("|".join(parts))


def names_site(name: str, site: str, aliases: dict[str, tuple[str, ...]] | None = None) -> bool:
    """Whether a credited text names ``site``."""
    if site in named_sites(name):
        return True
    pattern = _site_pattern(site, (aliases or {}).get(site, ()))
    return any(pattern.match(head) for head in _heads(name))


def credited_sites(text: str, aliases: dict[str, tuple[str, ...]] | None = None) -> list[dict]:
    """What a text credits, whatever the sites of a pair: each statement with the sites it names
    (known outlets and written domains; none for a name copytrace does not know)."""
    out = []
    for a in attributions(text):
        sites = sorted(named_sites(a.name) | {s for s in (aliases or {}) if names_site(a.name, s, aliases)})
        if a.kind in WEAK and not sites:
            continue
        out.append({"kind": a.kind, "name": _shown(a.name), "sites": sites, "start": a.line_start, "end": a.line_end})
    return out


def _shown(name: str) -> str:
    """A credited text as far as a name goes (up to the first sentence punctuation)."""
    return re.split(r"[|;,(]|\s[-–—]\s|\.\s", name, maxsplit=1)[0].strip().rstrip(".:")[:60]


# --- a pair's credit --------------------------------------------------------------------------------


def _inside(start: int, end: int, ranges) -> bool:
    return any(s <= start and end <= e for s, e in ranges)


def _credit_line(text: str, site: str, aliases, copied=(), skip=(), kinds=None) -> Attribution | None:
    """The first statement of ``text`` naming ``site``, of the ``kinds`` given (all by default);
    weak statements only outside ``copied``, none inside ``skip`` (the template)."""
    for a in attributions(text):
        if kinds is not None and a.kind not in kinds:
            continue
        if a.kind in WEAK and _inside(a.start, a.end, copied):
            continue
        if skip and any(s < a.end and a.start < e for s, e in skip):
            continue
        if names_site(a.name, site, aliases):
            return a
    return None


def pair_credit(
    text_a: str, site_a: str | None, text_b: str, site_b: str | None, aliases: dict[str, tuple[str, ...]] | None = None,
    source: int | None = None, boilerplate: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], []),
    links: tuple[list[str], list[str]] = ([], []), copied: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], []),
) -> Credit:
    """The credit status of a pair of documents that share text (see the module's description).
    ``source``: which one is the source (0: A, 1: B) when known, from dates; ``boilerplate``: each
    one's template ranges, where a site naming itself is branding, not a credit line; ``links``:
    the sites each one's page links to; ``copied``: each one's ranges inside shared passages."""
    aliases = aliases or {}
    if not site_a or not site_b:
        return Credit(UNKNOWN)
    if site_a == site_b:
        return Credit(SAME_SITE)
    texts, sites = (text_a, text_b), (site_a, site_b)

    def evidence(status: str, doc: int, a: Attribution) -> Credit:
        return Credit(status, doc, a.line_start, a.line_end, texts[doc][a.line_start : a.line_end].strip(), a.kind)

    not_photo = SIGNING | WEAK
    sources = (source,) if source is not None else (0, 1)
    for src in sources:  # the copy names its source, or links to it
        named = _credit_line(texts[1 - src], sites[src], aliases, copied[1 - src], kinds=not_photo)
        if named:
            return evidence(CREDITED, 1 - src, named)
        if sites[src] in links[1 - src]:
            return Credit(CREDITED, 1 - src, None, None, f"a link to {sites[src]}", LINK)
    for src in sources:  # the source signs its text outside its template; the copy does not
        own = _credit_line(texts[src], sites[src], aliases, skip=boilerplate[src], kinds=SIGNING)
        if own:
            return evidence(CREDIT_REMOVED, src, own)
    for src in sources:  # only a picture is credited
        photo = _credit_line(texts[1 - src], sites[src], aliases, kinds={PHOTO})
        if photo:
            return evidence(UNCREDITED, 1 - src, photo)
    return Credit(UNCREDITED)
