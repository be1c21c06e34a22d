"""Small workspaces for the report and web-app tests, made from real Reuters stories: a copy whose
source article carries script, link and attribute injections in its text, title, site and URL, and
a long pair (thirty stories run together, copied with cuts) that the pair pages must paginate."""

from __future__ import annotations

import json
from pathlib import Path

import copytrace
from copytrace.settings import Settings

#: Every payload sets ``window.__pwned`` if it ever runs; a page is inert when it stays undefined.
PAYLOADS = (
    "<script>window.__pwned = 'script'</script>",
    '<img src=x onerror="window.__pwned = \'img\'">',
    '<a href="javascript:window.__pwned = \'link\'">read more</a>',
    '" onmouseover="window.__pwned = \'attribute\'" x="',
)
EVIL_TITLE = "<script>window.__pwned = 'title'</script> Chrysler deal <b>leaves</b> AMC workers in doubt"
EVIL_URL = "javascript:window.__pwned = 'url'"
COPY_URL = 'https://copy.example/story" onmouseover="window.__pwned = \'copy-url\''


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def malicious_workspace(long_articles, folder: Path) -> Path:
    """A workspace whose reused article is booby-trapped: payloads between its real paragraphs,
    in its title, site and URL; its copy drops one paragraph and credits the source."""
    story = long_articles[0]
    paragraphs = list(story.paragraphs)
    evil = [paragraphs[0], PAYLOADS[0] + " " + PAYLOADS[1], *paragraphs[1:3], PAYLOADS[2] + " " + PAYLOADS[3], *paragraphs[3:]]
    source_text = EVIL_TITLE + "\n\n" + "\n\n".join(evil)
    copy_text = story.title + "\n\n" + "\n\n".join(p for i, p in enumerate(evil) if i != 2) + "\n\nSource: evil-news.example"
    records = [
        {"id": "evil-source", "text": source_text, "title": EVIL_TITLE, "url": EVIL_URL, "site": "evil-news.example",
         "date": "2024-03-01T08:00:00+00:00"},
        {"id": "evil-copy", "text": copy_text, "title": story.title, "url": COPY_URL, "site": "<i>copier</i>.example",
         "date": "2024-03-01T12:30:00+00:00"},
    ]
    records += [{"id": f"other-{i}", "text": a.text, "title": a.title, "url": f"https://other.example/{i}", "date": "2024-03-02"}
                for i, a in enumerate(long_articles[1:9])]
    inputs = write_jsonl(folder / "evil.jsonl", records)
    copytrace.scan([inputs], folder / "ws", Settings())
    return folder / "ws"


def long_pair_workspace(long_articles, folder: Path) -> Path:
    """Thirty stories run together (about 90,000 characters) and a copy that cuts every fifth
    paragraph: one pair long enough to need several pages."""
    paragraphs = [p for a in long_articles[10:40] for p in (a.title, *a.paragraphs)]
    source = "\n\n".join(paragraphs)
    copy = "\n\n".join(p for i, p in enumerate(paragraphs) if i % 5 != 3)
    inputs = write_jsonl(folder / "long.jsonl", [
        {"id": "long-source", "text": source, "title": "Digest", "url": "https://wire.example/digest", "date": "2024-01-01T00:10:00+00:00"},
        {"id": "long-copy", "text": copy, "title": "Digest", "url": "https://copy.example/digest", "date": "2024-01-02T00:10:00+00:00"},
    ])
    copytrace.scan([inputs], folder / "ws", Settings())
    return folder / "ws"
