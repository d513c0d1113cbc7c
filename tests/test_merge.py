"""The merge rules (importers/merge.py): every imported entry is created, merged, a conflict or
skipped with a reason; never a duplicate, never a silent overwrite."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from effdiff_catalog.catalog import Catalog
from effdiff_catalog.importers import merge
from effdiff_catalog.importers.merge import Candidate, Planner, match_keys, place
from conftest import VALID_RECORD, write_record

ADDED = dt.date(2026, 11, 30)
NODE = "system.caching"
DDIM = {"title": "Denoising Diffusion Implicit Models", "venue": "ICLR", "year": 2021, "arxiv": "2010.02502",
        "links": {"paper": "https://arxiv.org/abs/2010.02502"}}


@pytest.fixture
def catalog(empty_root: Path) -> Catalog:
    write_record(empty_root, "ddim-2020", VALID_RECORD.format(id="ddim-2020", title="Denoising Diffusion Implicit Models")
                 .replace("year: 2020", "year: 2021\narxiv: '2010.02502'").replace(
                     "paper: https://openreview.net/forum?id=ddim-2020", "paper: https://arxiv.org/abs/2010.02502"))
    return Catalog.load(empty_root)


def plan_one(catalog: Catalog, data: dict, **kw) -> tuple[Planner, merge.Outcome]:
    planner = Planner(catalog, added=ADDED, prefer=kw.pop("prefer", "catalog"), new_venues=kw.pop("new_venues", True))
    return planner, planner.add(Candidate(1, data, kw.pop("label", "entry"), kw.pop("category", NODE), **kw))


def test_match_keys_are_arxiv_doi_url_and_title():
    keys = match_keys({**DDIM, "doi": "10.1/ABC"})
    assert keys == [("arxiv", "2010.02502"), ("doi", "10.1/abc"), ("url", "arxiv.org/abs/2010.02502"),
                    ("title", "denoising diffusion implicit models")]


@pytest.mark.parametrize("variant", [
    {"arxiv": "2010.02502"},
    {"links": {"paper": "https://arxiv.org/pdf/2010.02502v4.pdf"}},  # another form of the same link
    {"title": "DENOISING diffusion implicit models"},  # the same title, another case
])
def test_any_shared_key_is_the_same_paper(catalog: Catalog, variant: dict):
    data = {"title": "Another Title Entirely", "venue": "ICLR", "year": 2021, "links": {"paper": "https://example.org/x"}}
    data.update(variant)
    _, outcome = plan_one(catalog, data)
    assert outcome.status in ("merged", "conflict") and outcome.record == "ddim-2020"


def test_a_new_paper_is_created_with_a_fresh_id(catalog: Catalog):
    planner, outcome = plan_one(catalog, {"title": "Fast Caching for Diffusion", "venue": "ICML", "year": 2024,
                                          "links": {"paper": "https://example.org/fc"}})
    assert (outcome.status, outcome.record) == ("created", "fast-caching-diffusion-2024")
    assert planner.planned[outcome.record].paper.categories == [NODE]


def test_merge_fills_what_the_record_lacks_and_keeps_what_it_has(catalog: Catalog):
    planner, outcome = plan_one(catalog, {**DDIM, "doi": "10.1234/ddim", "links": {"paper": DDIM["links"]["paper"],
                                                                                 "code": "https://github.com/ermongroup/ddim"}})
    assert (outcome.status, outcome.fields) == ("merged", ["doi", "links.code"])
    paper = planner.planned["ddim-2020"].paper
    assert paper.doi == "10.1234/ddim" and paper.authors == ["Ada Lovelace", "Alan Turing"]


def test_a_different_value_is_a_conflict_and_the_record_stays(catalog: Catalog):
    planner, outcome = plan_one(catalog, {**DDIM, "authors": ["Jiaming Song", "Chenlin Meng", "Stefano Ermon"]})
    assert outcome.status == "conflict" and outcome.conflicts == [
        {"field": "authors", "record": ["Ada Lovelace", "Alan Turing"], "import": ["Jiaming Song", "Chenlin Meng", "Stefano Ermon"]}]
    assert "ddim-2020" not in planner.planned
    planner, outcome = plan_one(catalog, {**DDIM, "authors": ["Jiaming Song"]}, prefer="import")
    assert outcome.status == "merged" and planner.planned["ddim-2020"].paper.authors == ["Jiaming Song"]


def test_a_preprint_citation_keeps_the_published_venue(catalog: Catalog):
    _, outcome = plan_one(catalog, {**DDIM, "venue": "arXiv", "year": 2020})
    assert outcome.status == "merged" and outcome.conflicts == []
    assert "the record keeps the published venue (ICLR 2021)" in outcome.notes[0]


def test_another_landing_page_is_a_note_not_a_conflict(catalog: Catalog):
    _, outcome = plan_one(catalog, {**DDIM, "links": {"paper": "https://openreview.net/forum?id=St1giarCHLP"}})
    assert outcome.status == "merged" and outcome.conflicts == []
    assert outcome.notes == ["the record keeps its paper link https://arxiv.org/abs/2010.02502; the entry links "
                             "https://openreview.net/forum?id=St1giarCHLP"]


@pytest.mark.parametrize("data, reason", [
    ({"title": "T", "year": 2024, "links": {"paper": "https://e.org/a"}}, "new paper without venue"),
    ({"title": "T", "venue": "ICML", "links": {"paper": "https://e.org/a"}}, "new paper without year"),
    ({"title": "T", "venue": "ICML", "year": 2024}, "new paper without a URL, DOI or arXiv id to link to"),
    ({"title": "T", "venue": "arXiv", "year": 2024, "links": {"paper": "https://e.org/a"}}, "preprint without an arXiv id"),
    ({"title": "T", "venue": "ICML", "year": 2999, "links": {"paper": "https://e.org/a"}}, "year: year 2999 is in the future"),
    ({"title": "T", "venue": "Journal of Nowhere", "year": 2024, "links": {"paper": "https://e.org/a"}},
     "venue 'Journal of Nowhere' is not in venues.yaml"),
])
def test_every_skip_says_why(catalog: Catalog, data: dict, reason: str):
    _, outcome = plan_one(catalog, data)
    assert outcome.status == "skipped" and outcome.reason.startswith(reason), outcome.reason


def test_no_node_no_record(catalog: Catalog):
    _, outcome = plan_one(catalog, {"title": "T", "venue": "ICML", "year": 2024, "links": {"paper": "https://e.org/a"}},
                          category=None)
    assert outcome.reason.startswith("new paper without a taxonomy node")


def test_a_new_venue_is_planned_once_for_all_its_entries(catalog: Catalog):
    venue = catalog.venues.propose("Journal of Vision", "journal")
    planner = Planner(catalog, added=ADDED)
    for i in range(3):
        planner.add(Candidate(i, {"title": f"Vision Paper {i} Here", "venue": venue.name, "year": 2024,
                                  "links": {"paper": f"https://e.org/{i}"}}, f"k{i}", NODE, new_venue=venue))
    assert [(v.name, entries) for v, entries in planner.new_venues.values()] == [("Journal of Vision", ["k0", "k1", "k2"])]
    refused = Planner(catalog, added=ADDED, new_venues=False).add(
        Candidate(1, {"title": "Vision Paper", "venue": venue.name, "year": 2024, "links": {"paper": "https://e.org/v"}},
                  "k", NODE, new_venue=venue))
    assert refused.reason == "venue 'Journal of Vision' is not in venues.yaml (new venues refused by --no-new-venues)"


def test_two_entries_of_one_paper_in_one_import_make_one_record(catalog: Catalog):
    planner = Planner(catalog, added=ADDED)
    first = planner.add(Candidate(1, {"title": "Fast Caching for Diffusion", "venue": "ICML", "year": 2024,
                                      "links": {"paper": "https://example.org/fc"}}, "a", NODE))
    second = planner.add(Candidate(2, {"title": "Fast caching for diffusion", "venue": "ICML", "year": 2024,
                                       "links": {"paper": "https://example.org/fc"}, "doi": "10.1234/fc"}, "b", NODE))
    assert first.status == "created" and (second.status, second.record, second.fields) == ("merged", first.record, ["doi"])
    assert planner.planned[first.record].status == "created"


def test_place_refines_and_never_duplicates():
    leaf = "algorithm.efficient_sampling.efficient_solver.ode_solver"
    assert place(["algorithm.efficient_sampling"], leaf) == [leaf]  # a sub-node replaces its ancestor
    assert place([leaf], "algorithm.efficient_sampling") == [leaf]  # an ancestor adds nothing
    assert place([leaf], leaf) == [leaf]
    assert place([leaf], NODE) == [leaf, NODE]
