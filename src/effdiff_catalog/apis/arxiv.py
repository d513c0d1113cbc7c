"""The arXiv API (export.arxiv.org/api/query): its Atom feed, parsed."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Optional

from ..errors import EnvironmentProblem
from ..urls import arxiv_id
from .found import Found, clean_doi, squash

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV_NS = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


class ArxivQueryError(EnvironmentProblem):
    """arXiv answered with its Error entry (a query or an id it cannot read)."""


@dataclass
class ArxivEntry:
    """One paper of an arXiv API feed, as arXiv describes it."""

    arxiv: str
    title: str
    authors: list[str] = field(default_factory=list)
    abstract: str = ""
    published: Optional[dt.date] = None  # the first version's date
    updated: Optional[dt.date] = None
    categories: list[str] = field(default_factory=list)  # primary first
    comment: Optional[str] = None
    journal_ref: Optional[str] = None
    doi: Optional[str] = None


@dataclass
class ArxivFeed:
    entries: list[ArxivEntry]
    total: int  # opensearch:totalResults
    start: int  # opensearch:startIndex


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def _entry(entry: ET.Element) -> ArxivEntry | None:
    arxiv = arxiv_id(entry.findtext(f"{ATOM}id") or "")
    if not arxiv:
        return None
    authors = [n for n in (squash(a.findtext(f"{ATOM}name")) for a in entry.findall(f"{ATOM}author")) if n]
    primary = entry.find(f"{ARXIV_NS}primary_category")
    term = primary.get("term") if primary is not None else None
    categories: list[str] = [term] if term else []
    categories += [t for t in (c.get("term") for c in entry.findall(f"{ATOM}category")) if t and t not in categories]
    return ArxivEntry(arxiv, squash(entry.findtext(f"{ATOM}title")) or "", authors, squash(entry.findtext(f"{ATOM}summary")) or "",
                      _date(entry.findtext(f"{ATOM}published")), _date(entry.findtext(f"{ATOM}updated")), categories,
                      squash(entry.findtext(f"{ARXIV_NS}comment")), squash(entry.findtext(f"{ARXIV_NS}journal_ref")),
                      clean_doi(entry.findtext(f"{ARXIV_NS}doi")))


def _feed_root(text: str) -> ET.Element:
    try:
        feed = ET.fromstring(text)
    except ET.ParseError as exc:
        raise EnvironmentProblem(f"arXiv answered something that is not an Atom feed: {text[:80]!r}") from exc
    if feed.tag != f"{ATOM}feed":
        raise EnvironmentProblem(f"arXiv answered something that is not an Atom feed: {text[:80]!r}")
    return feed


def parse_arxiv_feed(text: str) -> ArxivFeed:
    """Every entry of an arXiv API Atom feed, with the feed's paging. The API's Error entry raises
    ArxivQueryError with arXiv's explanation; an answer that is not an Atom feed raises EnvironmentProblem."""
    feed = _feed_root(text)
    entries = []
    for raw in feed.findall(f"{ATOM}entry"):
        if "/api/errors" in (raw.findtext(f"{ATOM}id") or "") or squash(raw.findtext(f"{ATOM}title")) == "Error":
            raise ArxivQueryError(f"arXiv could not answer the query: {squash(raw.findtext(f'{ATOM}summary')) or 'no reason given'}")
        entry = _entry(raw)
        if entry is not None:
            entries.append(entry)

    def number(name: str, default: int) -> int:
        value = (feed.findtext(f"{OPENSEARCH}{name}") or "").strip()
        return int(value) if value.isdigit() else default

    return ArxivFeed(entries, number("totalResults", len(entries)), number("startIndex", 0))


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
        entries = parse_arxiv_feed(text).entries
    except ArxivQueryError:
        return None
    return found_from_entry(entries[0]) if entries else None


def found_from_entry(entry: ArxivEntry) -> Found:
    venue, year = _venue_and_year(entry.journal_ref)
    return Found("arxiv", title=entry.title or None, authors=entry.authors or None, doi=entry.doi, arxiv=entry.arxiv,
                 venue=venue, year=year if venue else None, abstract=entry.abstract or None)
