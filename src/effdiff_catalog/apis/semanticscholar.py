"""The Semantic Scholar Graph API: a paper object, parsed."""

from __future__ import annotations

from ..model import ARXIV_RE
from .found import Found, clean_doi, squash

S2_FIELDS = "title,authors,venue,publicationVenue,year,externalIds"


def parse_s2_paper(paper: dict) -> Found:
    """A Semantic Scholar Graph API paper object (fields as in S2_FIELDS)."""
    ids = paper.get("externalIds") or {}
    pv = paper.get("publicationVenue") or {}
    names = [n for n in [pv.get("name"), paper.get("venue"), *(pv.get("alternate_names") or [])] if n]
    arxiv = ids.get("ArXiv")
    return Found("semanticscholar", title=squash(paper.get("title")),
                 authors=[n for n in (squash(a.get("name")) for a in paper.get("authors") or []) if n] or None,
                 doi=clean_doi(ids.get("DOI")), arxiv=arxiv if arxiv and ARXIV_RE.match(arxiv) else None,
                 venue=names[0] if names else None, venue_aliases=names[1:],
                 year=paper.get("year") if isinstance(paper.get("year"), int) else None)
