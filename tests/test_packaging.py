"""A non-editable install carries the templates, the base site config and the survey's record
(setup.py copies them into the wheel), so `effdiff build` works on a catalog root that has none of its own."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from conftest import REPO, new_root

from effdiff_catalog.build import build
from effdiff_catalog.render import common


def _setup_module():
    spec = importlib.util.spec_from_file_location("effdiff_setup", REPO / "setup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # setup() itself only runs as __main__
    return module


SURVEY_RECORD = "papers/efficient-diffusion-models-2025.yaml"


def test_the_build_hook_copies_every_template_the_site_config_and_the_survey_record(tmp_path: Path):
    written = _setup_module().copy_resources(REPO, tmp_path / "effdiff_catalog")
    got = sorted(p.relative_to(tmp_path / "effdiff_catalog" / "_resources").as_posix() for p in written)
    want = sorted([p.relative_to(REPO).as_posix() for p in (REPO / "templates").rglob("*") if p.is_file()]
                  + ["site/mkdocs.yml", SURVEY_RECORD])
    assert got == want and "templates/site/overrides/main.html" in got
    assert (tmp_path / "effdiff_catalog" / "_resources" / "site" / "mkdocs.yml").read_bytes() == (REPO / "site" / "mkdocs.yml").read_bytes()


def test_the_sdist_manifest_names_the_same_resources():
    manifest = (REPO / "MANIFEST.in").read_text(encoding="utf-8").splitlines()
    assert "graft templates" in manifest and "include site/mkdocs.yml" in manifest and f"include {SURVEY_RECORD}" in manifest
    assert _setup_module().RESOURCES == ("templates", "site/mkdocs.yml", SURVEY_RECORD)
    assert common.SURVEY_RECORD == SURVEY_RECORD


def test_a_root_without_templates_builds_with_the_installed_ones(tmp_path: Path, monkeypatch):
    packaged = tmp_path / "site-packages" / "effdiff_catalog"
    _setup_module().copy_resources(REPO, packaged)
    monkeypatch.setattr(common, "_PACKAGED", packaged / "_resources")
    monkeypatch.setattr(common, "_PACKAGE_CHECKOUT", tmp_path / "no-checkout")  # as in a wheel: no repository around
    root = new_root(tmp_path / "catalog", shipped=True)
    assert not (root / "templates").exists()
    resources = common.Resources.find(root)
    assert resources.templates == packaged / "_resources" / "templates"
    build(root, log=lambda *_: None)
    assert (root / "README.md").read_bytes() == (REPO / "README.md").read_bytes()
    assert (root / "CITATION.cff").read_bytes() == (REPO / "CITATION.cff").read_bytes()
    home = (root / "site" / "public" / "index.html").read_text(encoding="utf-8")
    assert 'type="application/atom+xml"' in home  # the theme override came along
