"""`effdiff build` as a command: the steps, --check, --no-site, --out, refusing an invalid catalog."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO, write_record

from effdiff_catalog.cli import main


def test_no_site_renders_the_readme_in_named_steps(small_root: Path, capsys):
    assert main(["build", "--root", str(small_root), "--no-site"]) == 0
    out = capsys.readouterr().out
    steps = [line.split(":")[0] for line in out.splitlines()]
    assert steps == ["load and validate the catalog", "render README", "sync contributor files"]
    assert "6 papers, 2 frameworks" in out and "README.md differs" in out
    assert (small_root / "README.md").read_text(encoding="utf-8").startswith("<!-- This file is generated")
    assert not (small_root / "site").exists()


def test_check_fails_naming_the_readme_when_it_differs(small_root: Path, capsys):
    readme = small_root / "README.md"
    assert main(["build", "--root", str(small_root), "--check"]) == 1  # not written yet
    assert "README.md is out of date" in capsys.readouterr().out
    assert not readme.exists()  # --check writes nothing
    assert main(["build", "--root", str(small_root), "--no-site"]) == 0
    assert main(["build", "--root", str(small_root), "--check"]) == 0
    assert "README.md is up to date" in capsys.readouterr().out
    readme.write_text(readme.read_text(encoding="utf-8").replace("FastSampler", "Hand-edited"), encoding="utf-8")
    capsys.readouterr()
    assert main(["build", "--root", str(small_root), "--check"]) == 1
    assert "README.md is out of date" in capsys.readouterr().out
    assert "Hand-edited" in readme.read_text(encoding="utf-8")


def test_a_new_record_makes_the_readme_out_of_date(small_root: Path, capsys):
    assert main(["build", "--root", str(small_root), "--no-site"]) == 0
    write_record(small_root, "ode-solver-2020", title="A Brand New ODE Solver")
    assert main(["build", "--root", str(small_root), "--check"]) == 1
    assert main(["build", "--root", str(small_root), "--no-site"]) == 0
    assert "- **[ICLR 2020]** A Brand New ODE Solver." in (small_root / "README.md").read_text(encoding="utf-8")


def test_an_invalid_catalog_is_refused_with_the_validate_errors(small_root: Path, capsys):
    (small_root / "papers" / "tinyquant-2024.yaml").write_text(
        (small_root / "papers" / "tinyquant-2024.yaml").read_text(encoding="utf-8").replace("venue: arXiv", "venue: NIPS"),
        encoding="utf-8")
    assert main(["build", "--root", str(small_root)]) == 1
    err = capsys.readouterr().err
    assert "papers/tinyquant-2024.yaml:5:8: error: venue: venue 'NIPS' is not in venues.yaml" in err
    assert "hint: 'NIPS' is a spelling of NeurIPS: write venue: NeurIPS" in err
    assert "fix it (effdiff validate) before building" in err
    assert not (small_root / "README.md").exists() and not (small_root / "site").exists()


def test_full_build_into_out(small_root: Path, tmp_path: Path, capsys):
    out = tmp_path / "public"
    assert main(["build", "--root", str(small_root), "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines[:6]] == [
        "load and validate the catalog", "render README", "sync contributor files", "write site sources", "write data files",
        "run the site build"]
    assert lines[-1] == f"site built in {out.resolve()}"
    assert (out / "index.html").is_file() and (out / "papers" / "speechdistill-2025" / "index.html").is_file()
    assert (small_root / "site" / "build" / "mkdocs.yml").is_file()


def test_help_ends_with_an_example(capsys):
    import pytest

    for command, example in (("build", "Example: effdiff build --no-site"),
                             ("export-bib", "Example: effdiff export-bib dpm-solver-2022 --out refs.bib")):
        with pytest.raises(SystemExit):
            main([command, "-h"])
        assert example in capsys.readouterr().out


def test_shipped_readme_is_up_to_date(capsys):
    """What CI checks: README.md is what the shipped data renders (run effdiff build after editing papers/)."""
    assert main(["build", "--root", str(REPO), "--check"]) == 0, capsys.readouterr().out
