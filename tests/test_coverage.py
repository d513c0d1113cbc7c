"""Every paper of the survey's lists is in the catalog, exactly once."""

from __future__ import annotations

import re

import pytest
from conftest import DATA, REPO

from effdiff_catalog.catalog import Catalog
from effdiff_catalog.text import normalize_title
from effdiff_catalog.urls import arxiv_id, url_key

ENTRY = re.compile(r"^\s*[-*]\s+\*\*\[[^\]]+\]\*\*\s*(?P<rest>.*)$")
LINK = re.compile(r"\[\[?[^\[\]]+\]\]?\(([^()\s]+)\)")


def list_entries(name: str) -> list[tuple[int, str, list[str]]]:
    out = []
    in_code = False
    for number, line in enumerate((DATA / "lists" / name).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip().startswith("```"):
            in_code = not in_code
        m = None if in_code else ENTRY.match(line)
        if m:
            rest = m.group("rest")
            first = LINK.search(rest)
            title = (rest[: first.start()] if first else rest).replace("**", "")
            out.append((number, title, LINK.findall(rest)))
    return out


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(REPO)


def matches(catalog: Catalog, title: str, links: list[str]) -> set[str]:
    arxiv_ids = {a for a in (arxiv_id(u) for u in links) if a}
    urls = {url_key(links[0])} if links else set()  # the [Paper] link; code links are not the paper
    key = normalize_title(title)
    found = set()
    for paper in catalog.papers.values():
        record_urls = {url_key(u) for k, u in paper.links.model_dump(exclude_none=True).items() if k != "code"}
        if (paper.arxiv and paper.arxiv in arxiv_ids) or normalize_title(paper.title) == key or record_urls & urls:
            found.add(paper.id)
    return found


@pytest.mark.parametrize("name, unique", [("survey-list-2025-06.md", 113), ("survey-list-2024-10.md", None)])
def test_every_list_entry_is_exactly_one_record(catalog: Catalog, name: str, unique: int | None):
    entries = list_entries(name)
    assert entries, name
    seen = set()
    for number, title, links in entries:
        found = matches(catalog, title, links)
        assert len(found) == 1, f"{name}:{number}: {title!r} matches {sorted(found) or 'no record'}"
        seen |= found
    if unique is not None:
        assert len(entries) == 115 and len(seen) == unique


def test_no_two_records_are_the_same_paper(catalog: Catalog):
    keys: dict[tuple[str, str], str] = {}
    for paper in catalog.sorted_papers():
        for key in [("arxiv", paper.arxiv), ("doi", (paper.doi or "").lower()), ("title", normalize_title(paper.title)),
                    # the paper's own pages; a project page or repository may serve a paper and its sequel
                    *(("url", url_key(u)) for k, u in paper.links.model_dump(exclude_none=True).items()
                      if k in ("paper", "pdf", "openreview"))]:
            if key[1]:
                assert keys.setdefault(key, paper.id) == paper.id, f"{paper.id} and {keys[key]} share {key}"
