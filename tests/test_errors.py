"""One error story: every error class under EffdiffError, one CLI handler, the same exit codes for every command."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from conftest import write_record

import effdiff_catalog
from effdiff_catalog.cli import build_parser, main
from effdiff_catalog.errors import EXIT_DATA, EXIT_ENVIRONMENT, EXIT_USAGE, EffdiffError


def _modules():
    for info in pkgutil.walk_packages(effdiff_catalog.__path__, "effdiff_catalog."):
        if not info.name.endswith("__main__"):  # running it would run the CLI
            yield importlib.import_module(info.name)


def test_every_error_class_shares_the_base():
    found = []
    for module in _modules():
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == module.__name__:
                found.append(obj)
                if not name.startswith("_"):  # private control-flow exceptions stay inside their module
                    assert issubclass(obj, EffdiffError), f"{module.__name__}.{name} does not derive from EffdiffError"
    assert len(found) >= 10


def test_help_documents_the_exit_codes(capsys):
    for argv in (["--help"], ["validate", "--help"], ["import-bib", "--help"]):
        with pytest.raises(SystemExit):
            build_parser().parse_args(argv)
        out = capsys.readouterr().out
        assert "exit codes:" in out and "3  network or environment error" in out and "2  usage error" in out


def test_the_same_codes_for_every_command(empty_root: Path, tmp_path: Path, capsys):
    # 2: usage errors, from argparse and from the commands
    with pytest.raises(SystemExit) as exc:
        main(["validate", "--no-such-flag"])
    assert exc.value.code == EXIT_USAGE
    assert main(["add", "--root", str(empty_root), "--offline", "--bibtex", "x.bib"]) == EXIT_USAGE
    assert "effdiff: error: give --bibtex FILE or --offline, not both" in capsys.readouterr().err
    write_record(empty_root, "good-paper-2020", title="A Good Paper")
    assert main(["export-bib", "--root", str(empty_root), "good-paper-2021"]) == EXIT_USAGE
    assert main(["enrich", "--root", str(empty_root), "no-such-2020", "--dry-run"]) == EXIT_USAGE
    # 1: problems in the data or the input
    bad = tmp_path / "bad.bib"
    bad.write_bytes(b"\x00\x01binary")
    assert main(["import-bib", str(bad), "--root", str(empty_root), "--dry-run"]) == EXIT_DATA
    err = capsys.readouterr().err
    assert err.startswith("effdiff: error: ") and "Traceback" not in err
    write_record(empty_root, "broken-2020", "id: broken-2020\ntitle: [unclosed\n")
    assert main(["build", "--root", str(empty_root), "--no-site"]) == EXIT_DATA
    err = capsys.readouterr().err
    assert "papers/broken-2020.yaml:" in err and "effdiff: error: the catalog has" in err and "before building" in err
    # 2 again: an output path that cannot be a file (its folder is a file), refused before any work
    (empty_root / "papers" / "broken-2020.yaml").unlink()
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    assert main(["export-bib", "--root", str(empty_root), "--out", str(tmp_path / "a-file" / "refs.bib")]) == EXIT_USAGE
    # 3: the environment: a template the build needs is missing from the installation
    import shutil

    from conftest import REPO

    shutil.copytree(REPO / "templates", empty_root / "templates")
    (empty_root / "templates" / "README.md.j2").unlink()
    capsys.readouterr()
    assert main(["build", "--root", str(empty_root), "--no-site"]) == EXIT_ENVIRONMENT
    err = capsys.readouterr().err
    assert "effdiff: error: " in err and "README.md.j2" in err and "Traceback" not in err


def test_readme_documents_the_same_exit_codes():
    from conftest import REPO

    from effdiff_catalog.errors import EXIT_CODES

    text = (REPO / "templates" / "README.md.j2").read_text(encoding="utf-8")
    for code, meaning in EXIT_CODES:
        assert f"| {code} | {meaning}" in text
