"""The arXiv API (export.arxiv.org/api/query): its Atom feed, parsed."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..errors import EnvironmentProblem
from ..urls import arxiv_id
from .found import Found, clean_doi, squash

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV_NS = "{http://arxiv.org/schemas/atom}"


def _venue_and_year(text: str | None) -> tuple[str | None, int | None]:
    """A journal reference such as 'NeurIPS 2022' -> ('NeurIPS', 2022); the venue part is only
    used if it maps exactly to venues.yaml."""
    if not text:
        return None, None
    years = re.findall(r"\b((?:19|20)\d\d)\b", text)
    name = re.sub(r"\(.*?\)|\b\d+\b|[,:;]", " ", text)
    return squash(name), int(years[-1]) if years else None


def parse_arxiv_atom(text: str) -> Found | None:
    """The first entry of an arXiv API Atom feed; None for an empty feed or the API's Error entry."""
    try:
        feed = ET.fromstring(text)
    except ET.ParseError as exc:
        raise EnvironmentProblem(f"arXiv answered something that is not an Atom feed: {text[:80]!r}") from exc
    for entry in feed.findall(f"{ATOM}entry"):
        entry_id = entry.findtext(f"{ATOM}id") or ""
        title = squash(entry.findtext(f"{ATOM}title"))
        if "/api/errors" in entry_id or title == "Error":
            return None
        arxiv = arxiv_id(entry_id)
        if not arxiv:
            continue
        authors = [n for n in (squash(a.findtext(f"{ATOM}name")) for a in entry.findall(f"{ATOM}author")) if n]
        venue, year = _venue_and_year(squash(entry.findtext(f"{ARXIV_NS}journal_ref")))
        return Found("arxiv", title=title, authors=authors or None, doi=clean_doi(entry.findtext(f"{ARXIV_NS}doi")),
                     arxiv=arxiv, venue=venue, year=year if venue else None)
    return None
