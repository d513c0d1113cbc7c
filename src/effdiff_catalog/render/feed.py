"""An Atom feed of the papers added most recently (by `added`), newest first."""

from __future__ import annotations

from xml.sax.saxutils import escape

from ..catalog import Catalog
from ..model import Paper
from .common import build_date, venue_label
from .jsonexport import paper_page

FEED_SIZE = 50


def recent_papers(catalog: Catalog, n: int = FEED_SIZE) -> list[Paper]:
    return sorted(catalog.papers.values(), key=lambda p: (p.added, p.id), reverse=True)[:n]


def atom_feed(catalog: Catalog, site_url: str, title: str) -> str:
    """The feed; `updated` is the newest `added` date, so the same data gives the same bytes."""
    base = site_url.rstrip("/") + "/"
    updated = f"{build_date(catalog).isoformat()}T00:00:00Z"
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"  <title>{escape(title)}: recently added papers</title>",
        f'  <link rel="alternate" type="text/html" href="{escape(base)}"/>',
        f'  <link rel="self" type="application/atom+xml" href="{escape(base)}feed.xml"/>',
        f"  <id>{escape(base)}feed.xml</id>",
        f"  <updated>{updated}</updated>",
        "  <author><name>effdiff-catalog contributors</name></author>",
    ]
    for paper in recent_papers(catalog):
        url = base + paper_page(paper.id)
        authors = ", ".join(paper.authors or []) or "authors not recorded"
        summary = f"{venue_label(catalog, paper)}. {authors}."
        out += [
            "  <entry>",
            f"    <title>{escape(paper.title)}</title>",
            f'    <link rel="alternate" type="text/html" href="{escape(url)}"/>',
            f"    <id>{escape(url)}</id>",
            f"    <updated>{paper.added.isoformat()}T00:00:00Z</updated>",
            f"    <summary>{escape(summary)}</summary>",
            "  </entry>",
        ]
    out.append("</feed>")
    return "\n".join(out) + "\n"
