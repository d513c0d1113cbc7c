"""The catalog this repository ships."""

from __future__ import annotations

from conftest import REPO

from effdiff_catalog.catalog import Catalog


def test_shipped_catalog_has_no_error_and_no_warning():
    """What `effdiff validate --strict` checks in pr.yml: not a single warning (every record has its
    authors, sits on a leaf, has a year that agrees with its arXiv id)."""
    catalog = Catalog.load(REPO)
    assert [p.format() for p in catalog.problems] == []
    assert len(catalog.papers) >= 500
    assert len(catalog.frameworks) >= 17


def test_no_record_sits_on_an_inner_node():
    catalog = Catalog.load(REPO)
    inner = {(p.id, c) for p in catalog.papers.values() for c in p.categories if not catalog.taxonomy[c].is_leaf}
    assert inner == set()


def test_every_file_is_in_canonical_form():
    from effdiff_catalog.store import dump_record, record_path

    catalog = Catalog.load(REPO)
    for paper in catalog.papers.values():
        assert record_path(REPO, paper.id).read_text(encoding="utf-8") == dump_record(paper), paper.id
