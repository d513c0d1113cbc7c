"""Coverage figures of the catalog: per node, per venue, per year, and how complete records are."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .catalog import Catalog
from .ids import first_public
from .model import Paper
from .taxonomy import FRAMEWORKS

MIN_PER_LEAF = 8  # what a reader expects under every leaf


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
        extra = f" (and {len(catalog.frameworks)} frameworks in frameworks.yaml)" if title.endswith("[frameworks]") else ""
        out.append(f"  {indent}{title}: {direct} / {cov.records}; authors {cov.with_authors}, code {cov.with_code}, "
                   f"arXiv {cov.with_arxiv}, results {cov.with_results}{extra}")
    out += ["", "per venue:"]
    for venue, n in sorted(Counter(p.venue for p in papers).items(), key=lambda kv: (-kv[1], kv[0].lower())):
        out.append(f"  {venue}: {n}")
    out += ["", "per year of the venue (or preprint):"]
    for year, n in sorted(Counter(p.year for p in papers).items(), reverse=True):
        out.append(f"  {year}: {n}")
    out += ["", "per year of first public version (arXiv id, else the id's year):"]
    for year, n in sorted(Counter(first_public(p.id, p.arxiv)[0] for p in papers).items(), reverse=True):
        out.append(f"  {year}: {n}")
    thin = thin_leaves(catalog)
    out += ["", f"leaves with fewer than {MIN_PER_LEAF} papers: " + (", ".join(f"{i} ({n})" for i, n in thin) or "none")]
    return "\n".join(out) + "\n"


def thin_leaves(catalog: Catalog) -> list[tuple[str, int]]:
    """Leaves with fewer than MIN_PER_LEAF papers; the frameworks leaf counts frameworks.yaml's entries."""
    out = []
    for node in catalog.taxonomy.ordered():
        if not node.is_leaf:
            continue
        n = len(catalog.frameworks) if node.id == FRAMEWORKS else len(catalog.papers_in(node.id))
        if n < MIN_PER_LEAF:
            out.append((node.id, n))
    return out
