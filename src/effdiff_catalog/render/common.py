"""What every renderer shares: the survey's metadata, venue labels, ordering, escaping, resources."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..catalog import Catalog
from ..ids import arxiv_month
from ..model import Paper
from ..taxonomy import Node

# The project's repository; commands and links in the README and the site point there.
REPO_URL = "https://github.com/effdiff/effdiff-catalog"

_PACKAGE_CHECKOUT = Path(__file__).resolve().parents[3]  # an editable install: the repository
_PACKAGED = Path(__file__).resolve().parents[1] / "_resources"  # a wheel: copies made by setup.py


# the record of the survey whose taxonomy the catalog follows (render/citation.py cites it)
SURVEY_RECORD = "papers/efficient-diffusion-models-2025.yaml"


@dataclass(frozen=True)
class Resources:
    """Where the templates, the base site config and the survey's record are: the catalog root's
    own, else the ones installed with the package (a wheel), else the checkout's (an editable install)."""

    templates: Path
    site_config: Path
    survey_record: Path

    @classmethod
    def find(cls, root: Path) -> "Resources":
        bases = (root, _PACKAGED, _PACKAGE_CHECKOUT)

        def first(rel: str, is_dir: bool = False) -> Path:
            found = next((b / rel for b in bases if ((b / rel).is_dir() if is_dir else (b / rel).is_file())), None)
            if found is None:
                raise FileNotFoundError(f"no {rel}{'/ directory' if is_dir else ''} in {' or '.join(str(b) for b in bases)}")
            return found

        return cls(first("templates", is_dir=True), first("site/mkdocs.yml"), first(SURVEY_RECORD))


# -- venues, dates, ordering -------------------------------------------------------------------


def is_preprint(catalog: Catalog, paper: Paper) -> bool:
    venue = catalog.venues.by_name.get(paper.venue)
    return venue is not None and venue.kind == "preprint"


def venue_label(catalog: Catalog, paper: Paper) -> str:
    """'NeurIPS 2023'; preprints 'arXiv 2024.07' (year and month of the arXiv id)."""
    if is_preprint(catalog, paper):
        ym = arxiv_month(paper.arxiv)
        if ym and ym[0] == paper.year:
            return f"{paper.venue} {ym[0]}.{ym[1]:02d}"
    return f"{paper.venue} {paper.year}"


def newest_first(papers: Iterable[Paper]) -> list[Paper]:
    """Newest year first, then by title (case and accents ignored), then id: a total order."""
    from ..text import fold

    return sorted(papers, key=lambda p: (-p.year, fold(p.title), p.id))


def subtree_counts(catalog: Catalog) -> dict[str, int]:
    """Distinct papers filed on each node or under it."""
    members: dict[str, set[str]] = {n.id: set() for n in catalog.taxonomy.ordered()}
    for paper in catalog.papers.values():
        for category in paper.categories:
            node: Node | None = catalog.taxonomy.nodes.get(category)
            while node is not None:
                members[node.id].add(paper.id)
                node = node.parent
    return {k: len(v) for k, v in members.items()}


def direct_papers(catalog: Catalog) -> dict[str, list[Paper]]:
    """Papers filed directly on each node, newest first."""
    out: dict[str, list[Paper]] = {n.id: [] for n in catalog.taxonomy.ordered()}
    for paper in catalog.papers.values():
        for category in paper.categories:
            out[category].append(paper)
    return {k: newest_first(v) for k, v in out.items()}


def build_date(catalog: Catalog) -> dt.date:
    """The date the build speaks for: the newest `added`, so two builds of the same data agree."""
    return max((p.added for p in catalog.papers.values()), default=dt.date(2025, 1, 1))


# -- escaping ------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|~!])")


def md_text(text: str) -> str:
    """Data as literal GitHub Markdown text: it can never open a link, an image, an emphasis, a table
    cell or an HTML tag. Bare URLs are defused so GitHub does not autolink them."""
    text = html.escape(text, quote=False)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = text.replace("://", "\\://")
    return re.sub(r"(?i)\bwww\.", lambda m: m.group(0)[:-1] + "\\.", text)


_URL_UNSAFE = {c: f"%{ord(c):02X}" for c in "()<>\"' \\`[]|"}


def md_url(url: str) -> str:
    """A link destination that cannot end the Markdown link early."""
    return "".join(_URL_UNSAFE.get(c, c) for c in url)


def h(text: object) -> str:
    """HTML-escape text for element content and quoted attributes."""
    return html.escape(str(text), quote=True)
