"""BibTeX in: real export shapes, every entry reported, merged never duplicated, never overwritten silently."""

from __future__ import annotations

import codecs
import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import DATA, REPO, base_catalog, make_catalog, new_root
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from effdiff_catalog.catalog import Catalog
from effdiff_catalog.cli import main
from effdiff_catalog.importers.bibtex import authors_of, import_bib, latex_to_text

BIB = DATA / "bibtex"
ADDED = dt.date(2026, 11, 23)
NODE = "algorithm.efficient_sampling.efficient_solver.ode_solver"


@pytest.fixture
def catalog_root(tmp_path: Path) -> Path:
    """A copy of the shipped catalog as of 2026-11-30 (tests/data/catalogs/base), to merge into."""
    return make_catalog(tmp_path / "base", "base")


def _run(root: Path, name: str, **kwargs):
    report, planned = import_bib([BIB / name], Catalog.load(root), added=ADDED, **kwargs)
    items: dict = {}
    for item in report.lines:
        items.setdefault(item.label, item)  # a duplicate key's second entry is reported after the first
    return items, planned


def test_latex_and_names():
    assert latex_to_text(r"Sch{\"o}dinger \& {DPM}-Solver") == "Schödinger & DPM-Solver"
    assert latex_to_text(r"Na{\"\i}ve {\O}ksendal $\Delta$-DiT") == "Naïve Øksendal Δ-DiT"
    authors, notes = authors_of(r"M{\"u}ller, J{\'e}r{\^o}me and {Google Research Team} and van der Berg, Jr., Jan and Lu, Cheng")
    assert authors == ["Jérôme Müller", "Google Research Team", "Jan van der Berg, Jr.", "Cheng Lu"] and notes == []
    assert authors_of("Doe, Jane and others") == (None, ["author list ends with 'and others': it is incomplete, so no authors were imported"])


def test_google_scholar_export_merges_into_existing_records(catalog_root: Path):
    items, planned = _run(catalog_root, "google_scholar.bib")
    assert {k: (v.status, v.record, v.fields) for k, v in items.items()} == {
        "lu2022dpm": ("merged", "dpm-solver-2022", []),
        "song2020denoising": ("merged", "denoising-diffusion-implicit-2020", []),
        "li2023q": ("merged", "q-diffusion-2023", []),
    }
    assert "the entry cites the arXiv preprint; the record keeps the published venue (ICLR 2021)" in items["song2020denoising"].notes
    assert planned == {}


def test_dblp_export_fills_missing_fields_and_creates_with_a_node(catalog_root: Path):
    before = (catalog_root / "papers" / "deepcache-2023.yaml").read_text()
    items, _ = _run(catalog_root, "dblp.bib", category=NODE)
    assert (items["DBLP:conf/cvpr/MaF024"].status, items["DBLP:conf/cvpr/MaF024"].fields) == ("merged", ["doi"])
    catalog = Catalog.load(catalog_root)
    assert catalog.errors == []
    assert catalog.papers["deepcache-2023"].doi == "10.1109/CVPR52733.2024.01492"
    assert catalog.papers["deepcache-2023"].categories == base_catalog().papers["deepcache-2023"].categories
    assert before != (catalog_root / "papers" / "deepcache-2023.yaml").read_text()
    plus = catalog.papers["dpm-solver-plus-plus-2022"]
    assert (plus.title, plus.venue, plus.year, plus.arxiv, plus.categories) == (
        "DPM-Solver++: Fast Solver for Guided Sampling of Diffusion Probabilistic Models", "arXiv", 2022, "2211.01095", [NODE])
    assert plus.authors == ["Cheng Lu", "Yuhao Zhou", "Fan Bao", "Jianfei Chen", "Chongxuan Li", "Jun Zhu"]
    assert plus.links.paper == "https://arxiv.org/abs/2211.01095"


def test_zotero_and_jabref_keywords_choose_the_node(catalog_root: Path):
    items, _ = _run(catalog_root, "jabref.bib")
    assert items["Song2021"].status == "merged"
    unipc = Catalog.load(catalog_root).papers[items["Zhao2023"].record]
    assert (unipc.venue, unipc.year, unipc.arxiv, unipc.categories) == ("NeurIPS", 2023, "2302.04867", [NODE])
    assert unipc.title == "UniPC: A Unified Predictor-Corrector Framework for Fast Sampling of Diffusion Models"
    items, _ = _run(catalog_root, "zotero.bib")
    assert items["lu_dpm-solver_2022"].status == "merged"
    created = Catalog.load(catalog_root).papers[items["zheng_fast_2023"].record]
    assert (created.title, created.venue, created.year) == ("Fast Sampling of Diffusion Models via Operator Learning", "ICML", 2023)


def test_tricky_file_reports_every_entry_with_its_line(catalog_root: Path):
    report, _ = import_bib([BIB / "tricky.bib"], Catalog.load(catalog_root), added=ADDED, category=NODE, dry_run=True)
    got = [(i.line, i.label, i.status, i.reason) for i in report.lines]
    assert got == [
        (7, "karras2022elucidating", "created", ""),
        (17, "salimans2022progressive", "merged", "already in the catalog; nothing new"),
        (26, "accents2023", "created", ""),
        (33, "gaussbridge2024", "created", ""),
        (41, "child2023", "created", ""),
        (54, "noyear", "skipped", "entry has no year"),
        (59, "notitle", "skipped", "entry has no title"),
        (64, "ftp2021", "skipped", "new paper without venue: a @misc entry with no journal or booktitle"),
        (70, "karras2022elucidating", "skipped", "duplicate entry key (the first entry with that key was kept)"),
        (75, "broken", "skipped", "not valid BibTeX: unbalanced braces or quotes, or a missing comma"),
    ]
    notes = {i.label: i.notes for i in report.lines}
    # a venue venues.yaml lacks is added with the record (its kind from its name), not a reason to lose the paper
    assert notes["gaussbridge2024"] == ["new venue 'Journal of Imaginary Results' (journal) for venues.yaml"]
    assert [(v.name, v.kind, v.entries) for v in report.new_venues] == [("Journal of Imaginary Results", "journal", ["gaussbridge2024"])]
    assert "url 'ftp://example.org/paper.pdf' is not an http(s) link; not imported" in notes["ftp2021"]
    assert list((catalog_root / "papers").glob("elucidating*")) == []  # dry run


def test_tricky_entries_become_clean_records(catalog_root: Path):
    items, _ = _run(catalog_root, "tricky.bib", category=NODE)
    papers = Catalog.load(catalog_root).papers
    edm = papers[items["karras2022elucidating"].record]
    assert (edm.title, edm.venue, edm.year, edm.arxiv) == (
        "Elucidating the Design Space of Diffusion-Based Generative Models", "NeurIPS", 2022, "2206.00364")
    accents = papers[items["accents2023"].record]
    assert accents.title == "Schödinger Bridges Beat Diffusion Models on Text-to-Speech Synthesis & More"
    assert (accents.authors, accents.venue, accents.arxiv) == (None, "arXiv", "2312.03491")
    cm = papers[items["child2023"].record]  # crossref: venue and year come from the proceedings entry
    assert (cm.venue, cm.year, cm.links.paper) == ("ICML", 2023, "https://proceedings.mlr.press/v202/song23a.html")


def test_conflict_leaves_the_record_unless_prefer_import(catalog_root: Path, tmp_path: Path):
    bib = tmp_path / "other.bib"
    bib.write_text("@inproceedings{q, title={Q-Diffusion: Quantizing Diffusion Models}, booktitle={ICCV}, year={2023},\n"
                   "  code={https://github.com/someone/fork}, author={Li, Xiuyu}}\n", encoding="utf-8")
    path = catalog_root / "papers" / "q-diffusion-2023.yaml"
    before = path.read_bytes()
    report, _ = import_bib([bib], Catalog.load(catalog_root), added=ADDED)
    [item] = report.lines
    assert item.status == "conflict"
    assert {c["field"] for c in item.conflicts} == {"authors", "links.code"}
    assert path.read_bytes() == before
    report, _ = import_bib([bib], Catalog.load(catalog_root), added=ADDED, prefer="import")
    assert (report.lines[0].status, report.lines[0].fields) == ("merged", ["authors", "links.code"])
    assert Catalog.load(catalog_root).papers["q-diffusion-2023"].links.code == "https://github.com/someone/fork"


def test_interrupted_import_leaves_every_record_whole(catalog_root: Path, monkeypatch):
    import os

    before = {p.name: p.read_bytes() for p in (catalog_root / "papers").iterdir()}
    calls = {"n": 0}
    real_replace = os.replace

    def flaky(src, dst):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    from effdiff_catalog.importers.report import ImportStopped

    with pytest.raises(ImportStopped) as stopped:
        import_bib([BIB / "tricky.bib"], Catalog.load(catalog_root), added=ADDED, category=NODE)
    assert stopped.value.report.stopped.startswith("the import stopped while writing (disk full)")
    monkeypatch.undo()
    catalog = Catalog.load(catalog_root)
    assert catalog.errors == []
    for name, data in before.items():
        assert (catalog_root / "papers" / name).read_bytes() == data
    assert not [p for p in (catalog_root / "papers").iterdir() if p.name.startswith(".")]


def test_not_bibtex_is_one_clear_error(catalog_root: Path, capsys):
    png = catalog_root / "figure.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert main(["import-bib", str(png), "--root", str(catalog_root)]) == 1
    assert "binary file, not BibTeX" in capsys.readouterr().err
    assert main(["import-bib", str(DATA / "lists" / "venue_variants.md"), "--root", str(catalog_root)]) == 1
    assert "no BibTeX entries" in capsys.readouterr().err
    macros = catalog_root / "strings.bib"
    macros.write_text("@string{pami = {IEEE TPAMI}}\n@comment{only macros here}\n", encoding="utf-8")
    assert main(["import-bib", str(macros), "--root", str(catalog_root)]) == 1
    assert "strings.bib: no BibTeX entries found" in capsys.readouterr().err
    assert main(["import-bib", str(BIB / "dblp.bib"), "--root", str(catalog_root), "--category", "algorithm.sampling.solvr"]) == 1
    assert "did you mean 'algorithm.efficient_sampling.efficient_solver'" in capsys.readouterr().err


def test_cli_dry_run_and_json_report(catalog_root: Path, tmp_path: Path, capsys):
    out = catalog_root / "report.json"
    assert main(["import-bib", str(BIB / "tricky.bib"), str(BIB / "jabref.bib"), "--root", str(catalog_root),
                 "--dry-run", "--report", str(out), "--category", NODE]) == 0
    data = json.loads(out.read_text())
    assert data["counts"] == {"created": 5, "merged": 2, "skipped": 5}
    assert [v["name"] for v in data["new_venues"]] == ["Journal of Imaginary Results"]
    assert {item["source"] for item in data["items"]} == {"tricky.bib", "jabref.bib"}
    text = capsys.readouterr().out
    assert "tricky.bib:54: skipped [noyear]: entry has no year" in text
    assert "dry run: nothing was written" in text
    assert Catalog.load(catalog_root).papers.keys() == Catalog.load(make_catalog(tmp_path / "fresh", "base")).papers.keys()


def test_export_of_the_whole_catalog_imports_as_all_merged(catalog_root: Path):
    """export-bib then import-bib: every entry is found in the catalog, nothing is created or changed."""
    from effdiff_catalog.render.bibtex import export_bibtex

    catalog = Catalog.load(catalog_root)
    bib = catalog_root / "papers.bib"
    bib.write_text(export_bibtex(catalog), encoding="utf-8")
    before = {p.name: p.read_bytes() for p in (catalog_root / "papers").iterdir()}
    report, planned = import_bib([bib], catalog, added=ADDED)
    assert planned == {}
    assert {item.status for item in report.lines} == {"merged"}
    assert len(report.lines) == len(catalog.papers)
    assert all(item.fields == [] for item in report.lines)
    assert {item.record for item in report.lines} == set(catalog.papers)
    assert {p.name: p.read_bytes() for p in (catalog_root / "papers").iterdir()} == before


def test_escaped_doi_is_read_back(empty_root: Path, tmp_path: Path):
    bib = tmp_path / "x.bib"
    bib.write_text("@inproceedings{x, title={ControlNet-XS}, booktitle={ECCV}, year={2024}, doi={10.1007/978-3-031-73223-2\\_20}}\n",
                   encoding="utf-8")
    report, _ = import_bib([bib], Catalog.load(empty_root), added=ADDED, category=NODE)
    [paper] = Catalog.load(empty_root).papers.values()
    assert paper.doi == "10.1007/978-3-031-73223-2_20"


_letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéüöñçåøßÉÖΔαβ"
_title_chars = _letters + "0123456789:-,.'()&?!+/%#_"  # words; BibTeX reads runs of spaces as one


@st.composite
def exportable(draw) -> dict:
    from effdiff_catalog.vocab import load_vocab

    vocab = load_vocab(REPO)
    venue = draw(st.sampled_from(sorted(vocab.venues.by_name)))
    year = draw(st.integers(1990, 2025))
    words = draw(st.lists(st.text(alphabet=_title_chars, min_size=1, max_size=12).map(str.strip).filter(
        lambda w: any(c.isalpha() for c in w)), min_size=2, max_size=10))
    first = lambda: draw(st.text(alphabet=_letters, min_size=2, max_size=9)).capitalize()  # noqa: E731
    data = {
        "id": f"paper-{year}", "title": " ".join(words), "venue": venue, "year": year, "added": "2026-11-23",
        "authors": [f"{first()} {first()}" for _ in range(draw(st.integers(1, 5)))],
        "links": {"paper": f"https://example.org/{draw(st.text(alphabet='abcdefxyz0123456789-', min_size=1, max_size=12))}"},
        "categories": [NODE],
    }
    if venue == "arXiv" or draw(st.booleans()):
        data["arxiv"] = f"{year % 100:02d}{draw(st.integers(1, 12)):02d}.{draw(st.integers(10000, 99999))}" if year >= 2015 else None
        if data["arxiv"] is None:
            data.pop("arxiv")
            if venue == "arXiv":
                data["venue"] = "ICLR"
    if draw(st.booleans()):
        data["doi"] = (f"10.{draw(st.integers(1000, 99999))}/{draw(st.sampled_from('abcxyz0123456789'))}"
                       f"{draw(st.text(alphabet='abcxyz0123456789._-', max_size=15))}")
    return data


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(exportable())
def test_export_then_import_gives_back_the_same_facts(tmp_path_factory, data: dict):
    from effdiff_catalog.model import Paper
    from effdiff_catalog.render.bibtex import export_bibtex
    from effdiff_catalog.store import write_record

    source = new_root(tmp_path_factory.mktemp("src"))
    catalog = Catalog.load(source)
    paper = Paper.model_validate(data, context={"vocab": catalog.vocab})
    write_record(source, paper)
    text = export_bibtex(Catalog.load(source))
    target = new_root(tmp_path_factory.mktemp("dst"))
    bib = target / "in.bib"
    bib.write_text(text, encoding="utf-8")
    report, _ = import_bib([bib], Catalog.load(target), added=ADDED, category=NODE)
    assert [item.status for item in report.lines] == ["created"], (text, report.lines)
    [back] = Catalog.load(target).papers.values()
    got = (back.title, back.authors, back.venue, back.year, back.arxiv, back.doi, back.links.paper)
    assert got == (paper.title, paper.authors, paper.venue, paper.year, paper.arxiv, paper.doi, paper.links.paper), text


def test_a_field_given_twice_keeps_its_first_value_as_in_bibtex(catalog_root: Path):
    """Zotero exports sometimes repeat a field; BibTeX warns and uses the first one, and so does the import."""
    from effdiff_catalog.importers.bibtex import parse

    catalog = Catalog.load(catalog_root)
    text = ("@inproceedings{twice,\n  title = {A Twice Told Sampler},\n  booktitle = {NeurIPS},\n  year = {2023},\n"
            "  doi = {10.1000/first},\n  url = {https://example.org/a},\n  doi = {10.1000/second}\n}\n"
            "@inproceedings{cases,\n  title = {A Sampler in Two Cases},\n  booktitle = {ICML},\n  YEAR = {2022},\n  year = {2021},\n"
            "  url = {https://example.org/b}\n}\n"
            "@proceedings{placeholder,\n  title = {Proceedings of Something},\n  year = {-1}\n}\n")
    parsed = parse(text, catalog.venues, catalog.taxonomy, NODE)
    got = {c.label: c for c in parsed.candidates}
    assert got["twice"].data["doi"] == "10.1000/first" and got["twice"].line == 1
    assert any("field 'doi' is given twice" in n and "10.1000/second" in n for n in got["twice"].notes)
    assert got["cases"].data["year"] == 2022
    assert [(s.label, s.reason) for s in parsed.skipped] == [("placeholder", "year '-1' is not a year")]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig", "latin-1"])
def test_encodings_of_real_tools_read_alike(catalog_root: Path, tmp_path: Path, encoding: str):
    """Windows tools write UTF-16 with a BOM, some editors a UTF-8 BOM, old exports Latin-1."""
    text = (BIB / "jabref.bib").read_text(encoding="utf-8")
    if encoding == "latin-1":
        text = text.encode("latin-1", errors="replace").decode("latin-1")
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    path = tmp_path / "export.bib"
    path.write_bytes(data)
    plain = tmp_path / "plain.bib"
    plain.write_text(text, encoding="utf-8")
    catalog = Catalog.load(catalog_root)
    got, want = (import_bib([p], catalog, category=NODE, dry_run=True, added=ADDED)[0] for p in (path, plain))
    assert [(i.line, i.status, i.record, i.reason) for i in got.lines] == [(i.line, i.status, i.record, i.reason) for i in want.lines]
    assert got.lines


def test_dblp_homonym_numbers_are_not_part_of_names(empty_root: Path):
    report, planned = import_bib([BIB / "dblp_numbers.bib"], Catalog.load(empty_root), category=NODE, dry_run=True, added=ADDED)
    papers = {item.paper.title: item.paper for item in planned.values()}
    assert papers["Does Deep Learning Learn to Abstract? A Systematic Probing Framework"].authors == [
        "Shengnan An", "Zeqi Lin", "Bei Chen", "Qiang Fu", "Nanning Zheng", "Jian-Guang Lou"]
    assert {p.links.paper for p in papers.values()} == {"https://openreview.net/forum?id=QB1dMPEXau5",
                                                         "https://openreview.net/forum?id=4C8ChYvMYBn"}
    assert {(p.venue, p.year) for p in papers.values()} == {("ICLR", 2023)}
    assert papers["The Curious Case of Benign Memorization"].links.pdf == \
        "https://openreview.net/pdf/b5c2c595ddc6b5eeb746a194f203db27519df7da.pdf"


def test_authors_written_with_commas_are_several_people(empty_root: Path):
    """'Pavan Kumar Anasosalu Vasu, Hadi Pouransari, Fartash Faghri, ...' (a real homepage bibliography) is five
    people, not one 'Last, First' name: it used to come out as 'Fartash Faghri Raviteja Vemulapalli Oncel Tuzel
    Pavan Kumar Anasosalu Vasu, Hadi Pouransari'. The candidate says how it was read."""
    from effdiff_catalog.importers.bibtex import parse

    catalog = Catalog.load(empty_root)
    text = (BIB / "comma_authors.bib").read_text(encoding="utf-8")
    got = {c.label: c for c in parse(text, catalog.venues, catalog.taxonomy, NODE).candidates}
    assert got["mobileclip2024"].data["authors"] == [
        "Pavan Kumar Anasosalu Vasu", "Hadi Pouransari", "Fartash Faghri", "Raviteja Vemulapalli", "Oncel Tuzel"]
    assert got["DANet"].data["authors"] == ["Haoxin Chen", "Hanjie Wu", "Nanxuan Zhao", "Sucheng Ren", "Shengfeng He"]
    assert "authors separated by commas instead of 'and': read as 5 names" in got["DANet"].notes


@pytest.mark.parametrize(("raw", "people"), [
    ("Smith, John and Doe, Jane", ["John Smith", "Jane Doe"]),
    ("van Beethoven, Jr., Ludwig", ["Ludwig van Beethoven, Jr."]),
    ("Knuth, Donald E.", ["Donald E. Knuth"]),
    ("{Google, Inc.}", ["Google, Inc."]),
    ("Alice Smith, Bob Jones, Carol White", ["Alice Smith", "Bob Jones", "Carol White"]),
])
def test_a_bibtex_name_keeps_its_commas_when_they_are_bibtexs(raw: str, people: list[str]):
    from effdiff_catalog.importers.bibtex import authors_of
    assert authors_of(raw)[0] == people


def test_biblatex_fields_name_the_venue(empty_root: Path):
    """Better BibTeX's BibLaTeX flavour writes journaltitle, eventtitle and date."""
    from effdiff_catalog.importers.bibtex import parse

    catalog = Catalog.load(empty_root)
    text = ("@article{a, title = {A Journal Sampler}, journaltitle = {Advances in Neural Information Processing Systems},\n"
            "  date = {2023-12-10}, url = {https://example.org/a}}\n"
            "@inproceedings{b, title = {An Event Sampler}, eventtitle = {International Conference on Machine Learning},\n"
            "  date = {2022}, url = {https://example.org/b}}\n"
            "@online{c, title = {A Preprint Sampler}, journaltitle = {arXiv preprint arXiv:2301.00001}, date = {2023}}\n")
    got = {c.label: (c.data["venue"], c.data["year"]) for c in parse(text, catalog.venues, catalog.taxonomy, NODE).candidates}
    assert got == {"a": ("NeurIPS", 2023), "b": ("ICML", 2022), "c": ("arXiv", 2023)}


def test_hostile_entries_are_reported_not_crashing(empty_root: Path):
    deep = "{" * 3000 + "Deep Braces" + "}" * 3000
    text = "\n\n".join([
        f"@misc{{deep, title = {{{deep}}}, year = 2023, booktitle = {{NeurIPS}}, url = {{https://e.org/1}}}}",
        "@misc{ctrl, title = {Bell\x07 Title}, year = 2023, booktitle = {NeurIPS}, url = {https://e.org/3}}",
        "@misc{js, title = {JS Link}, year = 2023, booktitle = {NeurIPS}, url = {javascript:alert(1)}}",
        "@misc{future, title = {From the Future}, year = 2999, booktitle = {NeurIPS}, url = {https://e.org/10}}",
        "@misc{old, title = {From the Past}, year = {1709}, booktitle = {NeurIPS}, url = {https://e.org/11}}",
        "@misc{many, title = {Many Authors}, author = {" + " and ".join(f"A{i}, B" for i in range(2000)) +
        "}, year = 2023, booktitle = {NeurIPS}, url = {https://e.org/8}}",
        "@misc{path, title = {../../etc/passwd}, year = 2023, booktitle = {NeurIPS}, url = {https://e.org/12}}",
    ]) + "\n"
    bib = empty_root / "hostile.bib"
    bib.write_text(text, encoding="utf-8")
    report, planned = import_bib([bib], Catalog.load(empty_root), category=NODE, added=ADDED)
    got = {item.label: (item.status, item.record, item.reason) for item in report.lines}
    assert got["deep"][:2] == ("created", "deep-braces-2023")
    assert got["ctrl"] == ("skipped", "", "title: must be one line without control characters")
    assert got["js"] == ("skipped", "", "new paper without a URL, DOI or arXiv id to link to")
    assert got["future"] == ("skipped", "", "year: year 2999 is in the future (give the year of the venue)")
    assert got["old"] == ("skipped", "", "year: year 1709 is before 1950 (give the year of the venue)")
    assert got["many"][:2] == ("created", "many-authors-2023") and len(planned["many-authors-2023"].paper.authors) == 2000
    assert got["path"][:2] == ("created", "etc-passwd-2023")
    assert sorted(p.name for p in (empty_root / "papers").iterdir()) == [
        "deep-braces-2023.yaml", "etc-passwd-2023.yaml", "many-authors-2023.yaml"]
    assert Catalog.load(empty_root).errors == []
