"""The knobs of a scan, in one place, with the reason for each default.

A workspace stores the settings it was made with (``manifest.json``), so every number in it can be
traced back to how it was produced.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from datetime import datetime

#: What ``copytrace export`` writes (kept here, with no import of the engine, for the CLI's help).
EXPORT_FORMATS = ("csv", "parquet", "jsonl", "graphml", "gexf")


#: Longest article that can be read: word offsets are 32-bit (a batch of text stays under 2**31).
MAX_CHARS_LIMIT = 1_000_000_000


#: The stage each setting shapes (the rest shape fingerprints, candidates, alignment and edits).
STAGE_OF = {
    **dict.fromkeys(("max_chars", "site_by", "sites", "since", "until", "earliest_date", "batch_timestamp_min"), "read"),
    # date_confidence also decides which side of a pair credit reads as the source: align stage.
    **dict.fromkeys(
        ("explain_tolerance", "min_own_chars", "date_weight", "credit_weight", "insert_weight", "delete_weight",
         "lost_weight", "site_weight", "upstream_cost", "min_confidence"),
        "provenance",
    ),
    **dict.fromkeys(("workers", "block_chars"), "execution"),
}


@dataclass(frozen=True)
class Settings:
    # --- fingerprints -------------------------------------------------------------------------
    #: Words per n-gram. Five words are rarely shared by chance outside set phrases.
    ngram: int = 5
    #: Winnowing window. With ngram=5 every shared run of ngram + window - 1 = 8 words is found.
    window: int = 4

    # --- candidates ---------------------------------------------------------------------------
    #: An n-gram found in more documents than this is a common phrase or template: dropped.
    #: A text republished by more sites than this is still found through its rarer n-grams
    #: only if some of them stay under the limit, so raise it for very viral corpora.
    max_df: int = 100
    #: Two documents become a candidate pair when they share at least this many fingerprints.
    min_shared: int = 2
    #: Count n-grams shared only by documents of one site (site templates) as reuse.
    same_site: bool = False

    # --- boilerplate ---------------------------------------------------------------------------
    #: A site needs this many pages before its own boilerplate is learned (smaller sites get the
    #: built-in patterns only).
    boilerplate_min_pages: int = 5
    #: A line on at least this share of a site's pages (and on 3 or more) is that site's boilerplate.
    boilerplate_share: float = 0.3

    # --- alignment ----------------------------------------------------------------------------
    #: Words per alignment seed (exact shared word k-grams between the two texts).
    seed: int = 4
    #: Seeds on one diagonal closer than this (in words) form one fragment: tolerates a few
    #: substituted words in a row.
    fragment_gap: int = 8
    #: Fragments whose ends are at most this many words apart on both sides are chained
    #: (small insertions, deletions and substitutions).
    chain_gap: int = 12
    #: Chains with at most this many unaligned words between them (both texts together) are merged
    #: into one passage when that text is not aligned elsewhere: up to about four sentences dropped
    #: from one side, or a sentence or quote rewritten on both.
    merge_gap: int = 100
    #: A passage needs at least this many matched words; shorter matches are incidental.
    min_passage_words: int = 15
    #: In a pair that has a passage of min_passage_words, shorter passages down to this many
    #: matched words are kept too (a repeated headline, a short paragraph moved elsewhere).
    min_extra_words: int = 5
    #: A passage's word-level similarity must reach this.
    min_similarity: float = 0.5
    #: Seeds whose k-gram occurs more often than this in either text are ignored (repetitions).
    max_seed_repeats: int = 8

    # --- verdicts -----------------------------------------------------------------------------
    #: ``copy`` when at least this share of one document lies inside aligned passages.
    copy_coverage: float = 0.5

    # --- edits and credit ---------------------------------------------------------------------
    #: Label the edits of every pair and its credit (the ``edits`` table, the credit columns of
    #: ``pairs``). Python per pair, 0.3–1 ms each: a scan of millions of pairs that only needs
    #: the pairs and passages may turn it off.
    edits: bool = True
    #: More names of sites, as ``"rt.com=RT,Russia Today"`` (a site's domain and the name made
    #: from it are always looked for).
    aliases: tuple[str, ...] = ()

    # --- provenance ----------------------------------------------------------------------------
    #: Dates decide who came first when they put one document first with at least this
    #: probability (times uniform over what each date can mean: a day, a local time of unknown
    #: zone, a capture time as an upper bound).
    date_confidence: float = 0.9
    #: Characters of a copy's text that a candidate parent may lack and still be its parent (edges
    #: of aligned passages differ by a word or two between pairs).
    explain_tolerance: int = 48
    #: Containment decides a direction when one document has at least this many characters of its
    #: own text that the other lacks (about a sentence), and the other a quarter as much at most.
    min_own_chars: int = 120
    #: Weights of the evidence in a copy tree's edge costs (see copytrace.explain.provenance.edge_costs):
    #: dates, per unit of -log(2p); credit, per credit line; text the copy would have inserted
    #: and deleted, per 100 characters; the child's text that others carry and the parent lacks,
    #: per 100 characters.
    date_weight: float = 1.0
    credit_weight: float = 1.0
    insert_weight: float = 1.0
    delete_weight: float = 0.5
    lost_weight: float = 3.0
    #: Weight of a site's history of publishing first (in pairs decided by dates or credit) for
    #: edges the other evidence leaves open; 0 turns it off.
    site_weight: float = 0.5
    #: The cost of inferring a source outside the corpus for a cascade (paid once; each of its
    #: first carriers then pays its edits from a version holding all the group's text). A
    #: cascade keeps one origin unless that tree costs more than this.
    upstream_cost: float = 1.5
    #: An edge whose direction is surer than this is reported; below, ``undetermined``.
    min_confidence: float = 0.6
    #: Dates before this are not trusted (CMS defaults, epochs).
    earliest_date: str = "1990-01-01"
    #: One full time-stamp shared by this many articles of one input file (and by a fifth of its
    #: dated articles) is an import time, not a publication time: not trusted.
    batch_timestamp_min: int = 10

    # --- meaning: translated and reworded copies ----------------------------------------------
    #: Align by meaning too, where words are not shared: copies reworded in the same language
    #: (``compare`` aligns two texts in different languages of the encoder by meaning always).
    meaning: bool = False
    #: Two sentences are aligned by meaning when each is the other's most similar and their cosine
    #: similarity is at least this: on professionally translated news (parallel-news, 6 language
    #: pairs) 0.55 keeps 91-97% of the sentences of a translation and aligns none of another article.
    meaning_similarity: float = 0.55
    #: An aligned sentence with no aligned neighbour needs this similarity: two reports of one
    #: event share facts a sentence at a time (0.56-0.62 on parallel-news), a translation keeps
    #: runs of sentences.
    meaning_lone_similarity: float = 0.65
    #: The same two thresholds for texts in one language (``rewrite``): sentences of one language
    #: that only report the same events score higher than across languages (MSRP pairs judged not
    #: to say the same thing, sharing no run of 4 words: median 0.62, a quarter above 0.70), so
    #: a rewording needs more (``benchmarks/rewrites.py``).
    rewrite_similarity: float = 0.65
    rewrite_lone_similarity: float = 0.7
    #: A pair aligned by meaning needs at least this many aligned sentences.
    meaning_min_sentences: int = 2

    # --- input limits -------------------------------------------------------------------------
    #: Longer articles are rejected: real news articles are far shorter; such inputs are
    #: usually concatenated dumps or binary data.
    max_chars: int = 2_000_000
    #: A document's site, when not given, is its URL's registered domain ("domain":
    #: francais.rt.com and www.rt.com are both rt.com) or its host ("host": they stay apart).
    site_by: str = "domain"
    #: Keep only the crawl responses (WARC) of these registered domains (empty: all).
    sites: tuple[str, ...] = ()
    #: Keep only crawl responses captured on or after this ISO date or date-time.
    since: str | None = None
    #: ... and on or before this one (a date includes the whole day).
    until: str | None = None

    # --- execution ----------------------------------------------------------------------------
    #: Threads for tokenizing and alignment, processes for extracting pages (0 = all cores).
    workers: int = 0
    #: Characters of text a scan works on at once (reading, fingerprinting, aligning): memory
    #: grows with this, not with the corpus. Results do not depend on it.
    block_chars: int = 64_000_000

    def to_dict(self) -> dict:
        return asdict(self)

    def table_rows(self) -> list[dict]:
        """The settings as rows of the ``settings`` table: name, JSON value, the stage they shape."""
        return [{"name": k, "value": json.dumps(v), "stage": STAGE_OF.get(k, "align")} for k, v in self.to_dict().items()]

    @classmethod
    def from_dict(cls, data: dict) -> "Settings":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def __post_init__(self) -> None:
        for name in ("ngram", "window", "max_df", "min_shared", "seed", "min_passage_words"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("since", "until", "earliest_date"):
            value = getattr(self, name)
            if value is not None:
                try:
                    datetime.fromisoformat(value)
                except ValueError:
                    raise ValueError(f"{name} must be an ISO 8601 date or date-time, got {value!r}") from None
        object.__setattr__(self, "sites", tuple(s.lower() for s in self.sites))
        object.__setattr__(self, "aliases", tuple(self.aliases))
        from copytrace.explain.credit import parse_aliases

        parse_aliases(self.aliases)  # raises ValueError for a malformed one
        if not 0 < self.max_chars <= MAX_CHARS_LIMIT:
            raise ValueError(f"max_chars must be between 1 and {MAX_CHARS_LIMIT:,}, got {self.max_chars}")
        if self.block_chars < 1:
            raise ValueError(f"block_chars must be at least 1, got {self.block_chars}")
        if self.site_by not in ("domain", "host"):
            raise ValueError(f"site_by must be 'domain' or 'host', got {self.site_by!r}")
        if not 0.5 < self.date_confidence <= 1.0:
            raise ValueError(f"date_confidence must be above 0.5 and at most 1, got {self.date_confidence}")
        if self.explain_tolerance < 0 or self.min_own_chars < 1 or self.batch_timestamp_min < 2:
            raise ValueError("explain_tolerance must be >= 0, min_own_chars >= 1 and batch_timestamp_min >= 2")
        weights = ("date_weight", "credit_weight", "insert_weight", "delete_weight", "lost_weight", "site_weight", "upstream_cost")
        if any(getattr(self, name) < 0 for name in weights):
            raise ValueError(f"{', '.join(weights)} must not be negative")
        if not 0.5 <= self.min_confidence < 1.0:
            raise ValueError(f"min_confidence must be at least 0.5 and below 1, got {self.min_confidence}")
        thresholds = ("meaning_similarity", "meaning_lone_similarity", "rewrite_similarity", "rewrite_lone_similarity")
        if not all(0.0 < getattr(self, name) < 1.0 for name in thresholds) or self.meaning_min_sentences < 1:
            raise ValueError(f"{', '.join(thresholds)} must be between 0 and 1, meaning_min_sentences at least 1")
        if not 0.0 <= self.min_similarity <= 1.0 or not 0.0 < self.copy_coverage <= 1.0:
            raise ValueError("min_similarity and copy_coverage are shares between 0 and 1")
