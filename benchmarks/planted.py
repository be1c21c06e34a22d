"""Planted-copy corpora made from real Reuters articles, with the true passages recorded.

Each copy is made the way copy sites make them, one kind of edit per copy so that accuracy can be
reported per kind (``mixed`` applies them all at once, like the real pair in GUIDE.md):

- ``verbatim``          the whole article, headline repeated, the copy site's footer appended;
- ``reordered``         paragraphs moved (a late paragraph lifted to the top, like a pull quote);
- ``quotes_cut``        quoted speech removed from sentences (leaving "he said.");
- ``words_swapped``     about 6% of words replaced (synonyms where known);
- ``sentences_dropped`` one or two sentences removed from the middle;
- ``spaces_lost``       most spaces after full stops lost (``soldiers.The``);
- ``partial``           only the first half of the article, with footer;
- ``lifted_paragraph``  one paragraph inserted into an unrelated article (the host is not in the
                        corpus by itself);
- ``mixed``             headline repeated, footer, a paragraph moved to the top, words swapped, a
                        sentence dropped, a quote cut, spaces lost.

A *case* is one copied passage: a character range of the source and the range of the copy it became.
Consecutive copied sentences form one case as long as they stay in order; a dropped sentence or cut
quote inside the run stays inside the case (it is an edited passage, as in the PAN corpora). Sources
are drawn from Reuters articles that share no word 8-gram with any other Reuters article, so the
only reuse among sources and distractors is the reuse planted here.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from .reuters import Article, modern

KINDS = (
    "verbatim",
    "reordered",
    "quotes_cut",
    "words_swapped",
    "sentences_dropped",
    "spaces_lost",
    "partial",
    "lifted_paragraph",
    "mixed",
)

COPY_SITES = {
    "worldnewsdaily.net": "If you like this story, share it with a friend!\nWorld News Daily\nContact us: tips@worldnewsdaily.net",
    "theglobalpost.info": "Share this article on social media.\nThe Global Post - independent news since 2009\nWrite to the editors: editors@theglobalpost.info",
    "freepressnow.org": "Did you enjoy this story? Subscribe to our newsletter for daily updates.\nFree Press Now",
    "newsfront24.com": "Read more news on NewsFront24.\nAll rights reserved. Reproduction welcome with a link to newsfront24.com",
}

#: More copy sites for the shared-footer corpus (``build(shared_footers=True)``), each with a footer of its own.
MORE_COPY_SITES = {
    f"{name}.{tld}": f"{title}\nQuestions? Write to desk@{name}.{tld}"
    for name, tld, title in (
        ("truthmirror", "com", "Truth Mirror - news they hide"), ("patriotvoice", "net", "Patriot Voice"),
        ("reportglobe", "org", "Report Globe, your window on the world"), ("capitalherald", "info", "The Capital Herald"),
        ("dailyledger", "news", "The Daily Ledger"), ("eastwire", "online", "East Wire"), ("novostipress", "org", "Novosti Press"),
        ("freethinker", "news", "Free Thinker Daily"), ("worldinsight", "net", "World Insight"), ("citizenpost", "com", "Citizen Post"),
    )
}

#: Footers that copy sites of one network share, each on a minority of every site's pages (what
#: per-site template learning cannot see): ``build(shared_footers=True)`` appends one to a quarter
#: of the copies, whatever their site.
SHARED_FOOTERS = (
    "Subscribe to our Telegram channel to get the news that the mainstream media will never show you, every day and for free.",
    "This article was republished from our partner network. Opinions expressed by contributors are their own and do not necessarily reflect the views of the editors.",
    "Support independent journalism! Your donation, however small, keeps this site free from corporate and government influence.",
    "Share this story with your friends and family so that they too can learn the truth about what is really happening in the world today.",
    "Follow us on social media and turn on notifications so you never miss an important story from our team of independent reporters.",
)

SYNONYMS = {
    "said": "stated", "says": "states", "rose": "increased", "fell": "declined", "increase": "rise",
    "expected": "anticipated", "company": "firm", "companies": "firms", "government": "administration",
    "officials": "authorities", "reported": "announced", "added": "noted", "about": "around",
    "shares": "stocks", "big": "large", "major": "leading", "agreed": "consented", "plans": "intends",
    "buy": "purchase", "sell": "offload", "help": "assist", "told": "informed", "month": "period",
    "claims": "assertions", "also": "additionally", "because": "since", "however": "nevertheless",
    "market": "marketplace", "total": "overall", "week": "seven days", "year": "twelve months",
}

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"])|(?<=[.!?]\")\s+(?=[A-Z])")
_QUOTE = re.compile(r"\"[^\"]{3,}?\"[,.]?\s*")
_WORD = re.compile(r"[A-Za-z]{4,}")


@dataclass
class Case:
    kind: str
    source_id: str
    copy_id: str
    src_start: int
    src_end: int
    copy_start: int
    copy_end: int


@dataclass
class Planted:
    documents: list[dict]
    cases: list[Case]
    copy_kind: dict[str, str] = field(default_factory=dict)  # copy id -> kind
    copy_source: dict[str, str] = field(default_factory=dict)  # copy id -> source id

    def true_pairs(self) -> set[tuple[str, str]]:
        return {tuple(sorted((s, c))) for c, s in self.copy_source.items()}

    def cases_as_dicts(self) -> list[dict]:
        return [asdict(c) for c in self.cases]


@dataclass
class _Unit:
    """A sentence of the source and its character range there."""

    text: str
    start: int
    end: int
    paragraph: int


def sentences(article: Article) -> list[_Unit]:
    """The article's sentences with their offsets in ``article.text`` (title excluded)."""
    units, offset = [], len(article.title) + 2
    for p, para in enumerate(article.paragraphs):
        pos = 0
        for piece in _SENTENCE.split(para):
            at = para.index(piece, pos)
            units.append(_Unit(piece, offset + at, offset + at + len(piece), p))
            pos = at + len(piece)
        offset += len(para) + 2
    return units


def independent(articles: list[Article], n: int = 8) -> list[Article]:
    """Articles sharing no word n-gram with any other article (checked with plain Python sets)."""
    owner: dict[int, int] = {}
    shared: set[int] = set()
    for index, article in enumerate(articles):
        words = re.findall(r"\w+", article.text.lower())
        for gram in {hash(tuple(words[i : i + n])) for i in range(len(words) - n + 1)}:
            first = owner.setdefault(gram, index)
            if first != index:
                shared.update((first, index))
    return [a for i, a in enumerate(articles) if i not in shared]


class _CopyWriter:
    """Builds a copy's text piece by piece, remembering where each copied sentence went."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.spans: list[tuple[int, int, int, int]] = []  # src_start, src_end, copy_start, copy_end
        self.breaks: list[int] = []  # span indices before which a case must end (new text came)

    def new(self, text: str) -> None:
        if text.strip():
            self.breaks.append(len(self.spans))
        self.parts.append(text)
        self.length += len(text)

    def copied(self, text: str, src_start: int, src_end: int) -> None:
        self.spans.append((src_start, src_end, self.length, self.length + len(text)))
        self.parts.append(text)
        self.length += len(text)

    def text(self) -> str:
        return "".join(self.parts)

    def _copied_elsewhere(self, lo: int, hi: int) -> bool:
        """Whether source text between ``lo`` and ``hi`` went somewhere else in the copy."""
        return any(s0 < hi and s1 > lo for s0, s1, _, _ in self.spans)

    def cases(self, kind: str, source_id: str, copy_id: str) -> list[Case]:
        """Merge spans that follow each other in the source with only separators between them."""
        out: list[Case] = []
        breaks = set(self.breaks)
        for index, (s0, s1, c0, c1) in enumerate(self.spans):
            last = out[-1] if out else None
            if last and index not in breaks and s0 >= last.src_end and s0 - last.src_end < 400 and not self._copied_elsewhere(last.src_end, s0):
                last.src_end, last.copy_end = s1, c1
            else:
                out.append(Case(kind, source_id, copy_id, s0, s1, c0, c1))
        return out


def _swap_words(text: str, rng: random.Random, rate: float, vocabulary: list[str]) -> str:
    def replace(match: re.Match) -> str:
        word = match.group(0)
        if match.start() == 0 or rng.random() >= rate:
            return word
        new = SYNONYMS.get(word.lower()) or rng.choice(vocabulary)
        return new.capitalize() if word[0].isupper() else new

    return _WORD.sub(replace, text)


def _cut_quotes(text: str) -> str:
    cut = _QUOTE.sub("", text).strip()
    return cut if len(cut.split()) >= 3 else text


def make_copy(article: Article, kind: str, copy_id: str, site: str, rng: random.Random, vocabulary: list[str], footer: str | None = None) -> tuple[str, list[Case]]:
    """One copy of ``article`` with the edits of ``kind``, ending with ``footer`` (default: the
    site's own); returns its text and its true cases."""
    units = sentences(article)
    paragraphs: dict[int, list[_Unit]] = defaultdict(list)
    for u in units:
        paragraphs[u.paragraph].append(u)
    order = sorted(paragraphs)
    dropped: set[int] = set()
    swap_rate = {"words_swapped": 0.06, "mixed": 0.04}.get(kind, 0.0)
    lose_space = {"spaces_lost": 0.8, "mixed": 0.3}.get(kind, 0.0)
    cut_quotes = kind in ("quotes_cut", "mixed")

    if kind in ("reordered", "mixed") and len(order) >= 3:
        moved = order.pop(rng.randrange(len(order) // 2, len(order)))
        order.insert(0, moved)
        if kind == "reordered" and len(order) >= 5:
            second = order.pop(rng.randrange(1, 3))
            order.insert(rng.randrange(3, len(order)), second)
    if kind in ("sentences_dropped", "mixed"):
        middle = [i for i, u in enumerate(units) if 0 < i < len(units) - 1 and len(u.text.split()) <= 45]
        for i in rng.sample(middle, min(len(middle), 2 if kind == "sentences_dropped" else 1)):
            dropped.add(i)
    if kind == "partial":
        order = order[: max(2, len(order) // 2)]

    w = _CopyWriter()
    title = article.title.title()
    if kind in ("verbatim", "mixed", "partial"):
        w.copied(title, 0, len(article.title))  # the headline, repeated
        w.new("\n")
    w.copied(title, 0, len(article.title))
    w.new("\n\n")
    unit_index = {id(u): i for i, u in enumerate(units)}
    for n, p in enumerate(order):
        if n:
            w.new("\n\n")
        kept = [u for u in paragraphs[p] if unit_index[id(u)] not in dropped]
        for m, u in enumerate(kept):
            text = u.text
            if cut_quotes:
                text = _cut_quotes(text)
            if swap_rate:
                text = _swap_words(text, rng, swap_rate, vocabulary)
            if m:
                w.new("" if rng.random() < lose_space and text[:1].isupper() and kept[m - 1].text[-1:] in '.!?"' else " ")
            w.copied(text, u.start, u.end)
    w.new("\n\n" + (footer or COPY_SITES[site]))
    return w.text(), w.cases(kind, article.id, copy_id)


def make_lifted(source: Article, host: Article, copy_id: str, rng: random.Random) -> tuple[str, list[Case]]:
    """An unrelated article with one paragraph of ``source`` inserted in its middle."""
    offset = len(source.title) + 2
    spans = []
    for para in source.paragraphs:
        spans.append((para, offset))
        offset += len(para) + 2
    choices = [s for s in spans if len(s[0].split()) >= 25] or [max(spans, key=lambda s: len(s[0]))]
    para, start = rng.choice(choices)
    w = _CopyWriter()
    w.new(host.title.title() + "\n\n")
    at = max(1, len(host.paragraphs) // 2)
    for n, p in enumerate(host.paragraphs):
        if n == at:
            w.copied(para, start, start + len(para))
            w.new("\n\n")
        w.new(p + ("\n\n" if n < len(host.paragraphs) - 1 else ""))
    if at >= len(host.paragraphs):
        w.new("\n\n")
        w.copied(para, start, start + len(para))
    return w.text(), w.cases("lifted_paragraph", source.id, copy_id)


def _record(article: Article, site: str = "reuters.com") -> dict:
    return {
        "id": article.id,
        "url": f"https://www.{site}/article/{article.id}",
        "site": site,
        "title": article.title,
        "date": modern(article.date),
        "text": article.text,
    }


def build(
    articles: list[Article],
    per_kind: int = 40,
    distractors: int | None = None,
    seed: int = 7,
    pool: list[Article] | None = None,
    include_all: bool = False,
    shared_footers: bool = False,
) -> Planted:
    """A planted corpus: sources, their copies and distractors (or, with ``include_all``, every
    article in ``articles`` plus the copies).

    Sources and lifted-paragraph hosts come from ``pool`` (default: the independent articles).
    With ``shared_footers``, the copies are spread over 14 sites, and a quarter of them (lifted
    paragraphs too) end with one of :data:`SHARED_FOOTERS` after their site's own footer.
    """
    rng = random.Random(seed)
    pool = list(pool if pool is not None else independent(articles))
    rng.shuffle(pool)
    long_enough = [a for a in pool if len(a.paragraphs) >= 4 and 1200 <= len(a.text) <= 6000]
    with_quotes = [a for a in long_enough if a.text.count('"') >= 2]
    vocabulary = sorted({w.lower() for a in pool[:500] for w in _WORD.findall(a.text)})
    used: set[str] = set()

    def take(candidates: list[Article]) -> Article:
        for a in candidates:
            if a.id not in used:
                used.add(a.id)
                return a
        raise ValueError("not enough independent articles to plant copies from")

    planted = Planted([], [])
    sources: list[Article] = []
    copies: list[dict] = []
    footers = {**COPY_SITES, **(MORE_COPY_SITES if shared_footers else {})}
    sites = sorted(footers)
    footer_rng = random.Random(seed + 2)
    for kind in KINDS:
        for n in range(per_kind):
            source = take(with_quotes if kind in ("quotes_cut", "mixed") else long_enough)
            site = sites[(n + KINDS.index(kind)) % len(sites)]
            copy_id = f"{site.split('.')[0]}-{kind}-{n:03d}"
            if kind == "lifted_paragraph":
                text, cases = make_lifted(source, take(long_enough), copy_id, rng)
            else:
                text, cases = make_copy(source, kind, copy_id, site, rng, vocabulary, footers[site])
            if shared_footers and footer_rng.random() < 0.25:
                text += "\n\n" + footer_rng.choice(SHARED_FOOTERS)
            sources.append(source)
            copies.append({"id": copy_id, "url": f"https://{site}/{copy_id}", "site": site, "title": None, "date": None, "text": text})
            planted.cases += cases
            planted.copy_kind[copy_id] = kind
            planted.copy_source[copy_id] = source.id

    if include_all:
        base = [_record(a) for a in articles]
    else:
        rest = [a for a in pool if a.id not in used]
        base = [_record(a) for a in sources] + [_record(a) for a in rest[: distractors if distractors is not None else len(rest)]]
    mixed = base + copies
    random.Random(seed + 1).shuffle(mixed)
    planted.documents = mixed
    return planted
