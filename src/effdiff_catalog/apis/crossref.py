"""Crossref's REST API (/works): a work, parsed."""

from __future__ import annotations

from .found import Found, clean_doi, squash


def _crossref_year(work: dict) -> int | None:
    for key in ("published-print", "published", "issued", "published-online"):
        parts = (work.get(key) or {}).get("date-parts") or []
        if parts and parts[0] and isinstance(parts[0][0], int):
            return parts[0][0]
    return None


def parse_crossref_work(work: dict) -> Found:
    """One Crossref work (the `message` of /works/{doi}, or an item of /works?query...)."""
    authors = []
    for a in work.get("author") or []:
        name = squash(" ".join(p for p in (a.get("given"), a.get("family")) if p)) or squash(a.get("name"))
        if name:
            authors.append(name)
    titles = work.get("title") or []
    containers = [c for c in (work.get("container-title") or []) if c]
    event = (work.get("event") or {}).get("name")
    preprint = work.get("type") == "posted-content"
    return Found("crossref", title=squash(titles[0]) if titles else None, authors=authors or None,
                 doi=clean_doi(work.get("DOI")), venue=None if preprint or not containers else squash(containers[0]),
                 venue_aliases=[] if preprint else [v for v in [*containers[1:], event] if v],
                 year=None if preprint else _crossref_year(work))
