"""CITATION.cff, the README's citation block and the site's Citation section: one source (the survey's
record and the catalog's metadata), and a CITATION.cff that cffconvert validates."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from effdiff_catalog.build import build
from effdiff_catalog.catalog import Catalog
from effdiff_catalog.render.citation import SURVEY_ID, SURVEY_KEY, citation, citation_cff
from effdiff_catalog.render.common import Resources
from effdiff_catalog.render.readme import render_readme
from conftest import CFFCONVERT, REPO, installed_tool


def validate_cff(path: Path) -> subprocess.CompletedProcess:
    tool = installed_tool(CFFCONVERT, "cffconvert")
    return subprocess.run([str(tool), "--validate", "--infile", str(path)], capture_output=True, text=True, timeout=120)


def test_the_shipped_citation_cff_validates():
    result = validate_cff(REPO / "CITATION.cff")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid according to schema version 1.2.0" in result.stdout


def test_the_shipped_citation_cff_is_what_the_data_renders():
    catalog = Catalog.load_valid(REPO)
    assert (REPO / "CITATION.cff").read_text(encoding="utf-8") == citation_cff(catalog, citation(catalog, Resources.find(REPO)))


def test_cffconvert_refuses_a_broken_file(tmp_path: Path):
    """The validation can fail: CFF requires authors."""
    data = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    del data["authors"]
    broken = tmp_path / "CITATION.cff"
    broken.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert validate_cff(broken).returncode != 0


def test_preferred_citation_is_the_survey_record():
    catalog = Catalog.load_valid(REPO)
    survey = catalog.papers[SURVEY_ID]
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    preferred = cff["preferred-citation"]
    assert preferred["title"] == survey.title and preferred["year"] == survey.year
    assert [f"{a['given-names']} {a['family-names']}" for a in preferred["authors"]] == survey.authors
    assert preferred["journal"] == "Transactions on Machine Learning Research" and preferred["type"] == "article"
    assert preferred["url"] == survey.links.paper
    assert preferred["identifiers"] == [{"type": "url", "value": "https://arxiv.org/abs/2502.06805",
                                         "description": "arXiv:2502.06805"}]
    # the catalog itself: its repository, site and licence
    assert cff["title"] == "Efficient Diffusion Models: A Curated Catalog" and cff["license"] == "MIT"
    assert cff["repository-code"] == "https://github.com/effdiff/effdiff-catalog"
    assert cff["url"] == yaml.safe_load((REPO / "site" / "mkdocs.yml").read_text(encoding="utf-8"))["site_url"]


def _bibtex_block(text: str) -> str:
    return re.search(r"```bibtex\n(.*?)\n```", text, re.S).group(1)


def test_readme_site_and_cff_change_together_with_the_survey_record(shipped_root: Path):
    """Edit the survey's record: the README's block, the site's Citation section and CITATION.cff all follow."""
    record = shipped_root / "papers" / f"{SURVEY_ID}.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("- Mi Zhang\n", "- Mi Zhang\n- Ada Lovelace\n"),
                      encoding="utf-8")
    build(shipped_root, log=lambda message: None)
    readme_block = _bibtex_block((shipped_root / "README.md").read_text(encoding="utf-8"))
    home = (shipped_root / "site" / "build" / "docs" / "index.md").read_text(encoding="utf-8")
    assert _bibtex_block(home) == readme_block
    assert readme_block.startswith(f"@article{{{SURVEY_KEY},") and "and Mi Zhang and Ada Lovelace}" in readme_block
    cff = yaml.safe_load((shipped_root / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["preferred-citation"]["authors"][-1] == {"family-names": "Lovelace", "given-names": "Ada"}
    built = (shipped_root / "site" / "public" / "index.html").read_text(encoding="utf-8")
    assert "Ada Lovelace" in built


def test_a_catalog_without_the_survey_record_cites_the_packaged_one(small_root: Path):
    catalog = Catalog.load_valid(small_root)
    assert SURVEY_ID not in catalog.papers
    cite = citation(catalog, Resources.find(small_root))
    assert cite.survey == Catalog.load_valid(REPO).papers[SURVEY_ID]
    assert _bibtex_block(render_readme(catalog)) == cite.bibtex.rstrip("\n")
    path = small_root / "CITATION.cff"
    path.write_text(citation_cff(catalog, cite), encoding="utf-8")
    assert validate_cff(path).returncode == 0
