"""Coverage figures of the catalog: per node, per venue, per year, and how complete records are."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .catalog import Catalog
from .model import Paper


@dataclass
class Coverage:
    records: int
    with_authors: int
    with_code: int
    with_arxiv: int
    with_results: int

    @classmethod
    def of(cls, papers: list[Paper]) -> "Coverage":
        return cls(
            len(papers),
            sum(1 for p in papers if p.authors),
            sum(1 for p in papers if p.links.code),
            sum(1 for p in papers if p.arxiv),
            sum(1 for p in papers if p.results),
        )


def node_rows(catalog: Catalog) -> list[tuple[str, str, int, Coverage]]:
    """(indent, title, papers directly on the node, coverage of the node and its descendants)."""
    rows = []
    for node in catalog.taxonomy.ordered():
        direct = len(catalog.papers_in(node.id))
        rows.append(("  " * node.depth, f"{node.title} [{node.id}]", direct, Coverage.of(catalog.papers_in(node.id, recursive=True))))
    return rows


def format_stats(catalog: Catalog) -> str:
    papers = catalog.sorted_papers()
    total = Coverage.of(papers)
    out = [
        f"records: {total.records}",
        f"  with authors: {total.with_authors}   with code: {total.with_code}   with arXiv id: {total.with_arxiv}   "
        f"with results: {total.with_results}",
        f"frameworks: {len(catalog.frameworks)}",
        "",
        "per taxonomy node (direct / with sub-nodes; authors, code, arXiv, results of all):",
    ]
    for indent, title, direct, cov in node_rows(catalog):
        out.append(f"  {indent}{title}: {direct} / {cov.records}; authors {cov.with_authors}, code {cov.with_code}, "
                   f"arXiv {cov.with_arxiv}, results {cov.with_results}")
    out += ["", "per venue:"]
    for venue, n in sorted(Counter(p.venue for p in papers).items(), key=lambda kv: (-kv[1], kv[0].lower())):
        out.append(f"  {venue}: {n}")
    out += ["", "per year:"]
    for year, n in sorted(Counter(p.year for p in papers).items(), reverse=True):
        out.append(f"  {year}: {n}")
    return "\n".join(out) + "\n"
