"""The catalog this repository ships."""

from __future__ import annotations

from effdiff_catalog.catalog import Catalog
from conftest import REPO


def test_shipped_catalog_has_no_error():
    catalog = Catalog.load(REPO)
    assert [p.format() for p in catalog.errors] == []
    assert len(catalog.papers) >= 113
    assert len(catalog.frameworks) >= 17


def test_every_file_is_in_canonical_form():
    from effdiff_catalog.store import dump_record, record_path

    catalog = Catalog.load(REPO)
    for paper in catalog.papers.values():
        assert record_path(REPO, paper.id).read_text(encoding="utf-8") == dump_record(paper), paper.id
