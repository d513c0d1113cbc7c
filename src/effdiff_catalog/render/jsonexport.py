"""papers.json: every record as data, for downloads and the All papers page's filters."""

from __future__ import annotations

import json

from ..catalog import Catalog
from ..store import canonical_data
from .common import venue_label


def paper_page(paper_id: str) -> str:
    """The paper's page, relative to the site root."""
    return f"papers/{paper_id}/"


def papers_data(catalog: Catalog) -> dict:
    papers = []
    for paper in catalog.sorted_papers():
        data = canonical_data(paper)
        data["added"] = paper.added.isoformat()
        data["label"] = venue_label(catalog, paper)
        data["page"] = paper_page(paper.id)
        papers.append(data)
    return {
        "count": len(papers),
        "nodes": {n.id: n.title for n in catalog.taxonomy.ordered()},
        "papers": papers,
    }


def papers_json(catalog: Catalog) -> str:
    """One paper per line (diffs stay readable), keys in the model's order, UTF-8."""
    data = papers_data(catalog)
    dump = lambda value: json.dumps(value, ensure_ascii=False, separators=(",", ":"))  # noqa: E731
    lines = ",\n".join(dump(p) for p in data["papers"])
    return (f'{{"count":{data["count"]},\n"nodes":{dump(data["nodes"])},\n"papers":[\n{lines}\n]}}\n'
            if lines else f'{{"count":0,\n"nodes":{dump(data["nodes"])},\n"papers":[]}}\n')
