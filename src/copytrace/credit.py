"""Credit: does a copy name its source?

A site is named by its domain (``rt.com``, ``www.rt.com``), by its brand (the domain's name,
``RT``, ``Reuters``) and by any aliases the user gives (``rt.com=RT,Russia Today``). Short brands
(three letters or fewer) must match in capitals as whole words (``RT``, not "rt" inside "start");
longer ones match in any case as whole words (``© Reuters``, ``according to Sputnik``).

For a pair of documents from two sites, the source is the earlier one when their dates decide it
(:func:`copytrace.dates.first_by_dates`; untrusted dates are left out); otherwise either may be,
and the first reading that finds evidence wins:

- ``credited``: the copy names the source's site (the evidence is that line);
- ``credit_removed``: the copy does not, but the source carries a line naming its own site
  outside its template (``(Reuters) -``, ``Source: rt.com``): a credit the copy dropped;
- ``uncredited``: neither names the other, and neither names itself;
- ``same_site`` when both are of one site, ``unknown`` when a site is not known.

A page's links count too: a copy whose page links to the source's site credits it (the evidence
is then "a link to rt.com", with no offsets, as the link is not part of the text).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

CREDITED, CREDIT_REMOVED, UNCREDITED, SAME_SITE, UNKNOWN = "credited", "credit_removed", "uncredited", "same_site", "unknown"


@dataclass(frozen=True)
class Credit:
    """A pair's credit status, and the line that shows it (in document ``doc``: 0 for A, 1 for B)."""

    status: str
    doc: int | None = None
    start: int | None = None
    end: int | None = None
    evidence: str | None = None


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


@functools.lru_cache(maxsize=4096)
def site_pattern(site: str, aliases: tuple[str, ...] = ()) -> re.Pattern:
    """What names ``site`` in a text: its domain, its brand, its aliases."""
    domain = re.escape(site.lower())
    brand = site.lower().split(".")[0]
    names = [brand, *aliases] if len(brand) >= 2 else list(aliases)
    parts = [rf"(?i:(?<![\w.-])(?:www\.)?{domain}\b)"]
    for name in names:
        escaped = re.escape(name).replace(r"\ ", r"\s+")
        if len(name) <= 3:  # short brands: capitals, whole word
            parts.append(rf"(?<![\w-]){re.escape(name.upper()) if name.islower() else escaped}(?![\w-])")
        else:
            parts.append(rf"(?i:(?<![\w-]){escaped}(?![\w-]))")
    return re.compile("|".join(parts))


def _line_of(text: str, start: int, end: int) -> tuple[int, int]:
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", end)
    return lo, hi if hi >= 0 else len(text)


@functools.lru_cache(maxsize=4096)
def _needles(site: str, aliases: tuple[str, ...]) -> tuple[str, ...]:
    """Lower-case strings one of which any mention of ``site`` contains (a fast first test)."""
    brand = site.lower().split(".")[0]
    return tuple({brand if len(brand) >= 2 else site.lower()} | {a.lower().split()[0] for a in aliases})


@functools.lru_cache(maxsize=256)
def _lower(text: str) -> str:
    return text.lower()


def _mention(text: str, site: str, aliases: dict[str, tuple[str, ...]], skip: list[tuple[int, int]] = ()) -> tuple[int, int] | None:
    """The first line of ``text`` naming ``site`` (outside the ``skip`` ranges), if any."""
    own = aliases.get(site, ())
    lowered = _lower(text)
    if not any(needle in lowered for needle in _needles(site, own)):
        return None
    for found in site_pattern(site, own).finditer(text):
        if not any(s < found.end() and found.start() < e for s, e in skip):
            return _line_of(text, *found.span())
    return None


def pair_credit(
    text_a: str, site_a: str | None, text_b: str, site_b: str | None, aliases: dict[str, tuple[str, ...]] | None = None,
    source: int | None = None, boilerplate: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], []),
    links: tuple[list[str], list[str]] = ([], []),
) -> Credit:
    """The credit status of a pair of documents that share text (see the module's description).
    ``source``: which one is the source (0: A, 1: B) when known, from dates; ``boilerplate``: each
    one's template ranges, where a site naming itself is branding, not a credit line; ``links``:
    the sites each one's page links to."""
    aliases = aliases or {}
    if not site_a or not site_b:
        return Credit(UNKNOWN)
    if site_a == site_b:
        return Credit(SAME_SITE)
    texts, sites = (text_a, text_b), (site_a, site_b)

    def evidence(status: str, doc: int, span: tuple[int, int]) -> Credit:
        return Credit(status, doc, span[0], span[1], texts[doc][span[0] : span[1]].strip())

    sources = (source,) if source is not None else (0, 1)
    for src in sources:  # the copy names its source, or links to it
        named = _mention(texts[1 - src], sites[src], aliases)
        if named:
            return evidence(CREDITED, 1 - src, named)
        if sites[src] in links[1 - src]:
            return Credit(CREDITED, 1 - src, None, None, f"a link to {sites[src]}")
    for src in sources:  # the source names itself outside its template; the copy does not
        own = _mention(texts[src], sites[src], aliases, boilerplate[src])
        if own:
            return evidence(CREDIT_REMOVED, src, own)
    return Credit(UNCREDITED)
