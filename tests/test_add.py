"""effdiff add: from arXiv and Crossref (loopback servers in their real formats), BibTeX and by hand."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from conftest import DATA

from effdiff_catalog.catalog import Catalog
from effdiff_catalog.cli import main

APIS = DATA / "apis"
ODE = "algorithm.efficient_sampling.efficient_solver.ode_solver"


def serve_arxiv(httpserver, monkeypatch, arxiv_id: str):
    """The arXiv API on the loopback server, answering for one id with its recorded answer."""
    body = (APIS / f"arxiv_{arxiv_id}.xml").read_text(encoding="utf-8")
    httpserver.expect_request("/arxiv/api/query", query_string={"id_list": arxiv_id, "max_results": "1"}).respond_with_data(
        body, content_type="application/atom+xml")
    monkeypatch.setenv("EFFDIFF_ARXIV_API", httpserver.url_for("/arxiv/api/query"))
    return httpserver


@pytest.fixture
def arxiv_api(httpserver, monkeypatch):
    return serve_arxiv(httpserver, monkeypatch, "2206.00927")


@pytest.fixture
def no_terminal(monkeypatch):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)


def test_add_from_arxiv(empty_root: Path, arxiv_api, no_terminal, capsys):
    assert main(["add", "--root", str(empty_root), "--arxiv", "2206.00927", "--category", ODE,
                 "--code", "https://github.com/LuChengTHU/dpm-solver", "--venue", "NeurIPS", "--year", "2022"]) == 0
    out = capsys.readouterr().out
    assert "wrote papers/dpm-solver-2022.yaml" in out and "papers/dpm-solver-2022.yaml: 0 error(s), 0 warning(s)" in out
    paper = Catalog.load(empty_root).papers["dpm-solver-2022"]
    assert paper.title == "DPM-Solver: A Fast ODE Solver for Diffusion Probabilistic Model Sampling in Around 10 Steps"
    assert paper.authors[:2] == ["Cheng Lu", "Yuhao Zhou"] and len(paper.authors) == 6
    assert (paper.venue, paper.year, paper.arxiv, paper.links.paper, paper.categories) == (
        "NeurIPS", 2022, "2206.00927", "https://arxiv.org/abs/2206.00927", [ODE])
    assert (empty_root / "papers" / "dpm-solver-2022.yaml").read_text().startswith("# yaml-language-server: $schema=")
    assert len(arxiv_api.log) == 1


def test_a_paper_already_there_is_refused_by_name(shipped_root: Path, arxiv_api, no_terminal, capsys):
    tmp_path = shipped_root
    before = sorted(p.name for p in (tmp_path / "papers").iterdir())
    assert main(["add", "--root", str(tmp_path), "--arxiv", "2206.00927", "--category", ODE]) == 1
    assert "error: this paper is already in the catalog: papers/dpm-solver-2022.yaml" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "papers").iterdir()) == before


def test_without_a_terminal_the_missing_flag_is_named_with_a_suggestion(empty_root: Path, arxiv_api, no_terminal, capsys):
    # an empty catalog: the classifier learns from taxonomy.yaml's own node texts only
    assert main(["add", "--root", str(empty_root), "--arxiv", "2206.00927"]) == 1
    err = capsys.readouterr().err
    assert f"error: missing --category (suggested: {ODE}, 0." in err and f"e.g. --category {ODE}" in err
    assert list((empty_root / "papers").iterdir()) == []


def test_without_a_terminal_and_without_a_title_the_flag_is_named(empty_root: Path, no_terminal, capsys):
    assert main(["add", "--root", str(empty_root), "--offline", "--venue", "ICLR", "--year", "2024", "--paper", "https://example.org/p"]) == 1
    assert "error: missing --title, --category (no terminal to ask on)" in capsys.readouterr().err


PTQ = "algorithm.compression.quantization.post_training_quantization"


@pytest.fixture
def hif8_api(httpserver, monkeypatch):
    """arXiv's answer for 2606.00957, a paper the shipped catalog has; the tests remove its record."""
    return serve_arxiv(httpserver, monkeypatch, "2606.00957")


def test_add_from_arxiv_suggests_the_node_the_catalog_would_give(shipped_root: Path, hif8_api, no_terminal, capsys):
    (shipped_root / "papers" / "boundary-protection-hif8-2026.yaml").unlink()
    assert main(["add", "--root", str(shipped_root), "--arxiv", "2606.00957"]) == 1
    assert f"error: missing --category (suggested: {PTQ}, 0." in capsys.readouterr().err


def test_on_a_terminal_the_pick_list_starts_with_the_suggestions(shipped_root: Path, hif8_api, monkeypatch, capsys):
    (shipped_root / "papers" / "boundary-protection-hif8-2026.yaml").unlink()
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    answers = iter(["1"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    assert main(["add", "--root", str(shipped_root), "--arxiv", "2606.00957"]) == 0
    out = capsys.readouterr().out
    assert "suggested taxonomy nodes (from the catalog's classifier):" in out
    assert f"  1. {PTQ}  (Post-Training Quantization)  0." in out
    paper = Catalog.load(shipped_root).papers["boundary-protection-w8a8-2026"]
    assert (paper.categories, paper.venue, paper.authors) == ([PTQ], "arXiv", ["Yiming Zhao"])
    assert paper.notes is None  # the abstract is only scored, never written


def test_on_a_terminal_it_asks_with_a_fuzzy_pick_list(empty_root: Path, arxiv_api, monkeypatch, capsys):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    answers = iter(["ode solver", "1"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    assert main(["add", "--root", str(empty_root), "--arxiv", "2206.00927"]) == 0
    assert "1. algorithm.efficient_sampling.efficient_solver.ode_solver  (ODE Solver)" in capsys.readouterr().out
    paper = Catalog.load(empty_root).papers["dpm-solver-2022"]
    assert (paper.venue, paper.year, paper.categories) == ("arXiv", 2022, [ODE])


def test_add_from_crossref(empty_root: Path, httpserver, monkeypatch, no_terminal):
    body = (APIS / "crossref_work_aaai.v38i5.28226.json").read_text(encoding="utf-8")
    httpserver.expect_request("/crossref/works/10.1609/aaai.v38i5.28226").respond_with_data(body, content_type="application/json")
    monkeypatch.setenv("EFFDIFF_CROSSREF_API", httpserver.url_for("/crossref"))
    assert main(["add", "--root", str(empty_root), "--doi", "10.1609/aaai.v38i5.28226",
                 "--category", "algorithm.efficient_fine_tuning.adapter"]) == 0
    [paper] = Catalog.load(empty_root).papers.values()
    assert (paper.venue, paper.year, paper.doi, paper.links.paper) == (
        "AAAI", 2024, "10.1609/aaai.v38i5.28226", "https://doi.org/10.1609/aaai.v38i5.28226")
    assert paper.title.startswith("T2I-Adapter")


def test_add_from_bibtex_on_stdin_needs_no_network(empty_root: Path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO((DATA / "bibtex" / "jabref.bib").read_text().split("@InProceedings{Zhao2023")[0]))
    assert main(["add", "--root", str(empty_root), "--bibtex", "-", "--category", ODE]) == 0
    paper = Catalog.load(empty_root).papers["denoising-diffusion-implicit-2021"]
    assert (paper.venue, paper.year, paper.authors) == ("ICLR", 2021, ["Jiaming Song", "Chenlin Meng", "Stefano Ermon"])


def test_add_offline_by_hand_and_dry_run(empty_root: Path, no_terminal, capsys):
    args = ["add", "--root", str(empty_root), "--offline", "--title", "Q-Diffusion: Quantizing Diffusion Models", "--venue", "ICCV",
            "--year", "2023", "--paper", "https://arxiv.org/abs/2302.04304", "--authors", "Xiuyu Li; Yijiang Liu",
            "--category", "algorithm.compression.quantization.post_training_quantization"]
    assert main([*args, "--dry-run"]) == 0
    assert "dry run: papers/q-diffusion-2023.yaml was not written" in capsys.readouterr().out
    assert list((empty_root / "papers").iterdir()) == []
    assert main(args) == 0
    assert Catalog.load(empty_root).papers["q-diffusion-2023"].authors == ["Xiuyu Li", "Yijiang Liu"]
    assert main(args) == 1  # the second time it is a duplicate
    assert "already in the catalog: papers/q-diffusion-2023.yaml" in capsys.readouterr().err


def test_a_source_is_needed_and_arxiv_is_a_fact_with_bibtex(empty_root: Path, no_terminal, capsys, tmp_path: Path):
    assert main(["add", "--root", str(empty_root), "--category", ODE]) == 2
    assert "say where the facts come from" in capsys.readouterr().err
    bib = tmp_path / "unipc.bib"  # as Google Scholar exports it (NeurIPS 2023 appears as volume 36, year 2024)
    bib.write_text("@article{zhao2024unipc,\n  title={Unipc: A unified predictor-corrector framework for fast sampling of diffusion models},\n"
                   "  author={Zhao, Wenliang and Bai, Lujia and Rao, Yongming and Zhou, Jie and Lu, Jiwen},\n"
                   "  journal={Advances in Neural Information Processing Systems},\n  volume={36},\n  year={2024}\n}\n", encoding="utf-8")
    assert main(["add", "--root", str(empty_root), "--bibtex", str(bib), "--arxiv", "2302.04867", "--year", "2023",
                 "--category", ODE]) == 0
    paper = Catalog.load(empty_root).papers["unipc-2023"]
    assert (paper.venue, paper.year, paper.arxiv, paper.links.paper) == ("NeurIPS", 2023, "2302.04867", "https://arxiv.org/abs/2302.04867")


def test_add_reads_a_latin1_or_utf16_entry(empty_root: Path, no_terminal, capsys, tmp_path: Path):
    entry = ("@inproceedings{muller2023,\n  title={Sch\u00f6n Sampling for Diffusion},\n  author={M\u00fcller, J\u00fcrgen},\n"
             "  booktitle={NeurIPS},\n  year={2023},\n  url={https://example.org/schoen}\n}\n")
    for i, encoding in enumerate(("latin-1", "utf-16")):
        bib = tmp_path / f"entry-{i}.bib"
        bib.write_bytes(entry.replace("muller2023", f"muller2023{i}").replace("Diffusion", f"Diffusion {i}")
                        .replace("schoen", f"schoen-{i}").encode(encoding))
        assert main(["add", "--root", str(empty_root), "--bibtex", str(bib), "--category", ODE]) == 0, capsys.readouterr().err
    papers = Catalog.load(empty_root).papers.values()
    assert sorted((p.title, tuple(p.authors)) for p in papers) == [
        ("Schön Sampling for Diffusion 0", ("Jürgen Müller",)), ("Schön Sampling for Diffusion 1", ("Jürgen Müller",))]


def test_build_without_a_title_names_what_is_missing(empty_root: Path):
    """build() is called after complete(); called on its own with no title, it used to fail inside
    make_id with a TypeError (found by mypy) instead of saying what is missing."""
    import datetime as dt

    from effdiff_catalog.add import AddError, Facts, build

    facts = Facts(venue="arXiv", year=2022, arxiv="2206.00927", categories=[ODE])
    with pytest.raises(AddError, match="no title or year to make the id from"):
        build(facts, Catalog.load(empty_root), None, dt.date(2026, 1, 1))
