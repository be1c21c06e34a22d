"""``copytrace stories``: a workspace's articles grouped into the stories they report, across
sites and languages, from the story similarity of the pairs that ``scan --meaning`` read."""

from __future__ import annotations

import json
import os
from collections import Counter

import numpy as np

from copytrace.match.stories import SAME_STORY, group_stories
from copytrace.store.workspace import Workspace, doc_numbers


class StoriesError(ValueError):
    """A workspace with no story links to group by (scanned without ``--meaning``)."""


def workspace_stories(ws: Workspace, min_similarity: float = SAME_STORY, min_articles: int = 2) -> list[dict]:
    """The stories of at least ``min_articles`` articles, largest first: each with its articles
    (earliest first: id, site, language, date, title), sites, languages and first date."""
    if not 0.0 <= min_similarity <= 1.0:
        raise StoriesError(f"min_similarity must be between 0 and 1, got {min_similarity}")
    if not ws.has("story_links"):
        raise StoriesError(f"{ws.path} has no story links: it was written by an older copytrace; scan it again with --meaning")
    links = ws.table("story_links")
    meaning = ws.has("settings") and any(r["name"] == "meaning" and json.loads(r["value"]) is True for r in ws.table("settings").to_pylist())
    if not links.num_rows and not meaning:
        raise StoriesError(f"{ws.path} was scanned without --meaning: stories are read from sentence vectors; scan with --meaning")
    documents = ws.table("documents", columns=["doc_id", "site", "lang", "date", "title"])
    ids = documents.column("doc_id")
    a, b = doc_numbers(links.column("a_id"), ids), doc_numbers(links.column("b_id"), ids)
    label = group_stories(a, b, links.column("story_similarity").to_numpy(), documents.num_rows, min_similarity)
    sizes = np.bincount(label, minlength=documents.num_rows)
    members = np.flatnonzero(sizes[label] >= min_articles)
    rows = documents.take(members).to_pylist()
    groups: dict[int, list[dict]] = {}
    for d, row in zip(members.tolist(), rows):
        groups.setdefault(int(label[d]), []).append(row)
    stories = []
    for articles in groups.values():
        articles.sort(key=lambda r: (r["date"] is None, r["date"] or "", r["doc_id"]))
        stories.append({
            "articles": articles,
            "sites": len({r["site"] for r in articles}),
            "languages": dict(Counter(r["lang"] or "und" for r in articles).most_common()),
            "first_date": articles[0]["date"],
            "title": next((r["title"] for r in articles if r["title"]), None),
        })
    stories.sort(key=lambda s: (-len(s["articles"]), s["first_date"] is None, s["first_date"] or ""))
    for n, story in enumerate(stories, 1):
        story["story"] = n
    return stories


def stories(workspace: str | os.PathLike | Workspace, min_similarity: float = SAME_STORY, min_articles: int = 2) -> list[dict]:
    """``copytrace stories`` as a function: the stories of a workspace (a path, or open), as
    :func:`workspace_stories` gives them."""
    return workspace_stories(workspace if isinstance(workspace, Workspace) else Workspace(workspace), min_similarity, min_articles)
