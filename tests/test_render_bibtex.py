"""BibTeX export: entry types from venue kinds, keys, fixed field order, LaTeX-safe values, re-parsed."""

from __future__ import annotations

import re
from pathlib import Path

import bibtexparser
import pybtex.database
from conftest import REPO

from effdiff_catalog.catalog import Catalog
from effdiff_catalog.cli import main
from effdiff_catalog.render.bibtex import FIELD_ORDER, export_bibtex, latex, latex_title


def entries(text: str) -> dict[str, bibtexparser.model.Entry]:
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    return {e.key: e for e in library.entries}


def test_entry_type_and_venue_field_follow_the_venue_kind(small_root: Path):
    got = entries(export_bibtex(Catalog.load_valid(small_root)))
    assert got["fastsampler-2023"].entry_type == "inproceedings"
    assert got["fastsampler-2023"]["booktitle"] == "Advances in Neural Information Processing Systems"
    assert got["structured-pruning-unets-2023"].entry_type == "inproceedings"  # workshop
    assert got["low-rank-video-2022"].entry_type == "article"
    assert got["low-rank-video-2022"]["journal"] == "Transactions on Machine Learning Research"
    assert got["low-rank-video-2022"]["doi"] == "10.1234/tmlr.2022.42"
    preprint = got["tinyquant-2024"]
    assert preprint.entry_type == "misc"
    assert (preprint["eprint"], preprint["archivePrefix"]) == ("2407.04321", "arXiv")
    # the records do not say the arXiv category: none is invented
    assert all("primaryClass" not in e.fields_dict for e in got.values())


def test_one_entry_per_paper_keyed_by_id_in_fixed_field_order(small_root: Path):
    catalog = Catalog.load_valid(small_root)
    got = entries(export_bibtex(catalog))
    assert list(got) == sorted(catalog.papers)
    for entry in got.values():
        keys = [f.key for f in entry.fields]
        assert keys == [k for k in FIELD_ORDER if k in keys]
        assert keys[0] == "title" and "year" in keys and "url" in keys


def test_exact_text_of_one_entry(small_root: Path):
    assert export_bibtex(Catalog.load_valid(small_root), ["fastsampler-2023"]) == (
        "@inproceedings{fastsampler-2023,\n"
        "  title = {{FastSampler:} Few-Step {ODE} Solving for Latent Diffusion},\n"
        '  author = {Ada Lovelace and Zo{\\"e} {\\AA}ngstr{\\"o}m},\n'
        "  booktitle = {Advances in Neural Information Processing Systems},\n"
        "  year = 2023,\n"
        "  eprint = {2305.01234},\n"
        "  archivePrefix = {arXiv},\n"
        "  url = {https://arxiv.org/abs/2305.01234}\n"
        "}\n"
    )


def test_latex_escaping_and_capital_protection():
    assert latex("Gödel & Łukasiewicz: 50% of $x_1$ #1 {a} ~^\\") == (
        r'G{\"o}del \& {\L}ukasiewicz: 50\% of \$x\_1\$ \#1 \textbraceleft{}a\textbraceright{} \textasciitilde{}\textasciicircum{}\textbackslash{}')
    assert latex("Ça–va — “ok” naïve") == r"{\c{C}}a--va --- ``ok'' na{\"{\i}}ve"
    assert latex_title("DDIM and ControlNet: LoRA for 3D U-Nets in SDXL, not Gaussian") == (
        "{DDIM} and {ControlNet:} {LoRA} for {3D} U-Nets in {SDXL,} not Gaussian")


def test_the_whole_shipped_catalog_reparses_with_bibtexparser_and_pybtex():
    catalog = Catalog.load_valid(REPO)
    text = export_bibtex(catalog)
    assert len(entries(text)) == len(catalog.papers)
    database = pybtex.database.parse_string(text, "bibtex")
    assert sorted(database.entries) == sorted(catalog.papers)
    # pybtex reads every author list as persons
    with_authors = [p for p in catalog.papers.values() if p.authors]
    for paper in with_authors:
        assert len(database.entries[paper.id].persons["author"]) == len(paper.authors)


def test_hostile_records_stay_inside_their_fields(hostile_root: Path):
    text = export_bibtex(Catalog.load_valid(hostile_root))
    got = entries(text)
    database = pybtex.database.parse_string(text, "bibtex")
    assert len(got) == len(database.entries) == 8
    assert got["script-alert-2024"]["title"] == "<script>alert(1)</script>"
    assert got["evil-javascript-alert-2024"]["title"] == "Evil](javascript:alert(1))"


def test_export_bib_command(small_root: Path, tmp_path: Path, capsys):
    assert main(["export-bib", "--root", str(small_root), "tinyquant-2024", "cachenet-2024"]) == 0
    out = capsys.readouterr().out
    assert re.findall(r"^@\w+\{([^,]+),", out, re.M) == ["tinyquant-2024", "cachenet-2024"]
    target = tmp_path / "refs.bib"
    assert main(["export-bib", "--root", str(small_root), "--out", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == export_bibtex(Catalog.load_valid(small_root))
    assert main(["export-bib", "--root", str(small_root), "tinyquant-2042"]) == 2  # a usage error: an id that names nothing
    assert "no record with id 'tinyquant-2042'; did you mean 'tinyquant-2024'?" in capsys.readouterr().err


# -- hostile text: every export parses back, field by field (issue: a title ending in '\}' broke out of its field)

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st

from effdiff_catalog.model import Paper  # noqa: E402

_HOSTILE = st.text(alphabet=st.sampled_from(list("ab Z9{}\\%#@$&_~^\"',=()") + ["é", "ø", "Δ", "—"]), min_size=1, max_size=40)


def _record(title: str, author: str, doi_tail: str) -> Paper:
    return Paper.model_validate({
        "id": "hostile-2024", "title": title, "authors": [author, "Ada Lovelace"], "venue": "ICLR", "year": 2024,
        "doi": f"10.1234/{doi_tail}", "links": {"paper": "https://example.org/p"},
        "categories": ["system.caching"], "added": "2026-11-30"})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=_HOSTILE.filter(lambda t: t.strip() == t and "  " not in t), author=_HOSTILE.filter(lambda t: t.strip() == t and "  " not in t) | st.sampled_from(["Smith, Jr.", "Q and A", "van der Berg, Jan"]),
       doi_tail=st.text(alphabet=st.sampled_from(list("ab9{}%#@()")), min_size=1, max_size=12))
def test_hostile_values_never_break_out_of_their_field(small_root: Path, title: str, author: str, doi_tail: str):
    from effdiff_catalog.render.bibtex import paper_fields

    catalog = Catalog.load_valid(small_root)
    paper = _record(title, author, doi_tail)
    catalog.papers = {paper.id: paper}
    text = export_bibtex(catalog)
    _, fields = paper_fields(catalog, paper)
    # bibtexparser reads one entry with every field, each value exactly as written
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == [] and [e.key for e in library.entries] == ["hostile-2024"]
    entry = library.entries[0]
    assert [f.key for f in entry.fields] == list(fields)
    for key, value in fields.items():
        assert entry[key] == (value[1:-1] if value.startswith("{") else value), key
    # pybtex reads the same entry: its title and both authors
    data = pybtex.database.parse_string(text, "bibtex")
    read = data.entries["hostile-2024"]
    assert read.fields["title"] == fields["title"][1:-1]
    assert len(read.persons["author"]) == 2
