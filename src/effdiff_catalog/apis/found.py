"""What one source says about a paper, and the small text rules every parser shares."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Optional

from ..model import DOI_RE
from ..urls import is_arxiv_doi


@dataclass
class Found:
    """What one source says about a paper (None: it does not say)."""

    source: str
    title: Optional[str] = None
    authors: Optional[list[str]] = None
    doi: Optional[str] = None
    arxiv: Optional[str] = None
    venue: Optional[str] = None  # as the source spells it; mapped through venues.yaml before use
    venue_aliases: list[str] = field(default_factory=list)
    year: Optional[int] = None  # the year at that venue
    stars: Optional[int] = None
    last_commit: Optional[dt.date] = None
    abstract: Optional[str] = None  # arXiv's; scored to suggest a node, never written into a record


def squash(text: str | None) -> str | None:
    text = " ".join((text or "").split())
    return text or None


def clean_doi(text: str | None) -> str | None:
    if not text:
        return None
    doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", text.strip(), flags=re.I)
    if not DOI_RE.match(doi) or is_arxiv_doi(doi):
        return None
    return doi
