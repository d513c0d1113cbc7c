"""The node classifier: trained at run time from the catalog, deterministic, and used by discover and add.

Its accuracy is measured by hand (benchmarks/bench_classify.py), never asserted here."""

from __future__ import annotations

import random

import pytest
from conftest import REPO

from effdiff_catalog.catalog import Catalog
from effdiff_catalog.classify import Classifier, keyword_hits, leaves, node_text, paper_text
from effdiff_catalog.urls import code_links

OTCACHE_TITLE = "OTCache: Optimal Transport for Geometry-Aware Caching in Diffusion Models"
OTCACHE_ABSTRACT = ("We propose OTCache, a training-free framework for accelerating diffusion sampling via caching schedule "
                    "prediction. Code:https://github.com/UnicomAI/OTCache")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(REPO)


def test_the_same_catalog_gives_the_same_suggestions(catalog: Catalog):
    papers = list(catalog.papers.values())
    shuffled = papers[:]
    random.Random(3).shuffle(shuffled)
    a = Classifier.train(papers, catalog.taxonomy)
    b = Classifier.train(shuffled, catalog.taxonomy)
    for title, abstract in ((OTCACHE_TITLE, OTCACHE_ABSTRACT), ("Post-training quantization of video diffusion transformers", None)):
        assert a.rank(f"{title} . {abstract}") == b.rank(f"{title} . {abstract}")
        assert a.suggest(title, abstract) == b.suggest(title, abstract)
    assert a.classes == leaves(catalog.taxonomy) and "frameworks" not in a.classes and a.trained_on == len(papers)


def test_suggestions_and_relevance(catalog: Catalog):
    model = Classifier.train([p for p in catalog.papers.values() if p.id != "otcache-2026"], catalog.taxonomy)
    top = model.suggest(OTCACHE_TITLE, OTCACHE_ABSTRACT)
    assert len(top) == 3 and top[0].node == "system.caching" and top[0].score >= top[1].score >= top[2].score
    assert 0 < model.relevance(OTCACHE_TITLE, OTCACHE_ABSTRACT) <= 1


def test_records_train_on_title_notes_tags_and_modality(catalog: Catalog):
    paper = catalog.papers["dpm-solver-2022"]
    text = paper_text(paper)
    assert paper.title in text and paper.notes in text and "image" in text
    node = catalog.taxonomy["system.caching"]
    assert "feature caching" in node_text(node) and node.description in node_text(node)


def test_an_empty_catalog_still_suggests_from_the_taxonomy(catalog: Catalog):
    model = Classifier.train([], catalog.taxonomy)
    assert model.suggest("A fast ODE solver for diffusion probabilistic models")[0].node == (
        "algorithm.efficient_sampling.efficient_solver.ode_solver")


def test_keyword_hits_are_whole_words(catalog: Catalog):
    hits = keyword_hits(catalog.taxonomy, "Training-free feature caching and W8A8 post-training quantization; mambas aside")
    assert {"feature caching", "caching", "w8a8", "post-training quantization"} <= set(hits) and "mamba" not in hits


@pytest.mark.parametrize("text, links", [
    ("Code:https://github.com/UnicomAI/OTCache", ["https://github.com/UnicomAI/OTCache"]),
    ("Code is at https://github.com/owner/repo/tree/main/src. Models: https://huggingface.co/org/model.",
     ["https://github.com/owner/repo", "https://huggingface.co/org/model"]),
    ("see http://github.com/a/b and https://github.com/a/b.", ["https://github.com/a/b"]),
    ("no repository here (https://example.org/x/y)", []),
])
def test_code_links_named_in_an_abstract(text: str, links: list[str]):
    assert code_links(text) == links
