"""Hostile inputs and faults: one bad file never stops the others, no command prints a traceback,
and nothing the user owns is lost (build --out, export-bib --out, schema --out, --report)."""

from __future__ import annotations

import json
import math
import os
import shutil
from pathlib import Path

import pytest
from conftest import DATA, VALID_RECORD, write_record
from hypothesis import given, settings
from hypothesis import strategies as st

from effdiff_catalog.catalog import Catalog
from effdiff_catalog.cli import main

BIB_DIR = DATA / "bibtex"

GOOD = "good-paper-2020"


def _cli(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err, out + err
    return code, out, err


def _deep_block(n: int) -> str:
    return "id: deep-block-2020\ntitle: x\nnotes:\n" + "".join("  " * (i + 1) + "a:\n" for i in range(n)) + "  " * (n + 1) + "b\n"


@pytest.mark.parametrize("name, text, message", [
    ("deep-block-2020", _deep_block(700), "values are nested more than 32 levels deep"),
    ("deep-flow-2020", "id: deep-flow-2020\ntitle: x\nnotes: " + "[" * 900 + "]" * 900 + "\n",
     "values are nested more than 32 levels deep"),
    ("bigint-2020", "id: bigint-2020\ntitle: x\nyear: " + "9" * 5000 + "\n", "year: number with 5,000 digits"),
])
def test_one_bad_file_is_reported_and_the_others_are_checked(empty_root: Path, capsys, name: str, text: str, message: str):
    write_record(empty_root, GOOD, title="A Good Paper")
    write_record(empty_root, name, text)
    code, out, _ = _cli(capsys, "validate", "--root", str(empty_root))
    assert code == 1
    line = next(line for line in out.splitlines() if message in line)
    assert line.startswith(f"papers/{name}.yaml:") and ": error: " in line
    assert "2 record(s) checked" in out
    assert GOOD in Catalog.load(empty_root).papers  # the good record was read


def _with_value(value: str) -> str:
    return VALID_RECORD.format(id="figures-2020", title="Figures") + (
        f"results:\n- benchmark: other\n  method: Figures\n  role: proposed\n  metrics:\n    fid: {value}\n  source:\n    table: Table 1\n")


@pytest.mark.parametrize("value", [".nan", ".NaN", ".inf", "-.inf", "1.0e+400"])
def test_non_finite_numbers_are_rejected_with_file_and_line(empty_root: Path, capsys, value: str):
    write_record(empty_root, "figures-2020", _with_value(value))
    code, out, _ = _cli(capsys, "validate", "--root", str(empty_root))
    assert code == 1 and "papers/figures-2020.yaml:16:10: error: results[0].metrics.fid: " in out and "not a finite number" in out


@settings(max_examples=60, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True) | st.integers(-10**30, 10**30))
def test_every_accepted_number_makes_json_that_parses(value):
    """Property: validate accepts exactly the finite numbers, and papers.json of those parses strictly."""
    from pydantic import ValidationError

    from effdiff_catalog.model import Paper

    data = {"id": "figures-2020", "title": "Figures", "venue": "ICLR", "year": 2020, "added": "2026-11-30",
            "links": {"paper": "https://example.org/p"}, "categories": ["system.caching"],
            "results": [{"benchmark": "other", "method": "M", "role": "proposed", "metrics": {"fid": value},
                         "source": {"table": "Table 1"}}]}
    finite = not (isinstance(value, float) and not math.isfinite(value))
    try:
        paper = Paper.model_validate(data)
    except ValidationError:
        assert not finite
        return
    assert finite

    def strict(token):
        raise ValueError(f"non-standard JSON number {token}")

    text = json.dumps(paper.model_dump(mode="json"))
    assert json.loads(text, parse_constant=strict)["results"][0]["metrics"]["fid"] == value


def test_build_out_never_deletes_foreign_files(small_root: Path, tmp_path: Path, capsys):
    home = tmp_path / "home"
    (home / "docs").mkdir(parents=True)
    (home / "notes.txt").write_text("precious", encoding="utf-8")
    code, _, err = _cli(capsys, "build", "--root", str(small_root), "--out", str(home))
    assert code == 2 and f"--out {home} holds files that effdiff build did not write (docs, notes.txt)" in err
    assert (home / "notes.txt").read_text(encoding="utf-8") == "precious"
    # a file where a folder is expected, and a symbolic link, are refused too
    code, _, err = _cli(capsys, "build", "--root", str(small_root), "--out", str(home / "notes.txt"))
    assert code == 2 and "is a file, not a folder" in err
    (tmp_path / "link").symlink_to(home)
    code, _, err = _cli(capsys, "build", "--root", str(small_root), "--out", str(tmp_path / "link"))
    assert code == 2 and "is a symbolic link" in err
    assert sorted(p.name for p in home.iterdir()) == ["docs", "notes.txt"]


def test_build_out_replaces_only_its_own_output(small_root: Path, tmp_path: Path, capsys):
    site = tmp_path / "site"
    assert _cli(capsys, "build", "--root", str(small_root), "--out", str(site))[0] == 0
    assert (site / ".effdiff-site").exists() and (site / "index.html").exists()
    stale = site / "papers" / "gone-2020"
    stale.mkdir()
    assert _cli(capsys, "build", "--root", str(small_root), "--out", str(site))[0] == 0
    assert not stale.exists() and (site / "index.html").exists()  # the previous output was replaced whole
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]  # no staging folder left behind
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _cli(capsys, "build", "--root", str(small_root), "--out", str(empty))[0] == 0


@pytest.mark.parametrize("command", [["export-bib"], ["schema"]])
def test_file_outputs_refuse_folders_links_and_devices(small_root: Path, tmp_path: Path, capsys, command):
    folder = tmp_path / "folder"
    folder.mkdir()
    target = tmp_path / "real.txt"
    target.write_text("mine", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    for out, message in ((folder, "is a folder"), (link, "is a symbolic link"), (Path(os.devnull), "not a regular file"),
                         (target / "x.bib", "is a file, not a folder")):
        code, _, err = _cli(capsys, *command, "--root", str(small_root), "--out", str(out))
        assert code == 2 and message in err, (out, err)
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "mine" and Path(os.devnull).is_char_device()


def test_import_report_into_a_folder_is_refused_before_anything_is_written(small_root: Path, tmp_path: Path, capsys):
    before = sorted(p.name for p in (small_root / "papers").iterdir())
    report = tmp_path / "report"
    report.mkdir()
    code, _, err = _cli(capsys, "import-bib", str(BIB_DIR / "jabref.bib"), "--root", str(small_root),
                        "--category", "system.caching", "--report", str(report))
    assert code == 2 and f"--report {report} is a folder" in err
    assert sorted(p.name for p in (small_root / "papers").iterdir()) == before


def test_an_import_that_stops_while_writing_still_reports(small_root: Path, tmp_path: Path, capsys, monkeypatch):
    from effdiff_catalog.importers import merge

    calls = {"n": 0}
    real = merge.write_record

    def flaky(root, paper, overwrite=False):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        return real(root, paper, overwrite=overwrite)

    monkeypatch.setattr(merge, "write_record", flaky)
    report = tmp_path / "report.json"
    code, out, err = _cli(capsys, "import-bib", str(BIB_DIR / "jabref.bib"), "--root", str(small_root),
                          "--category", "system.caching", "--report", str(report))
    assert code == 3 and "effdiff: error: the import stopped while writing" in err
    assert "STOPPED: the import stopped while writing" in out and "not written: the import stopped before this record" in out
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["stopped"].startswith("the import stopped while writing")


def test_readme_folder_and_missing_template_are_errors_not_tracebacks(small_root: Path, capsys):
    (small_root / "README.md").mkdir()
    code, _, err = _cli(capsys, "build", "--root", str(small_root), "--no-site")
    assert code == 1 and "the README" in err and "is a folder" in err
    (small_root / "README.md").rmdir()
    from conftest import REPO

    shutil.copytree(REPO / "templates", small_root / "templates")
    (small_root / "templates" / "README.md.j2").unlink()
    code, _, err = _cli(capsys, "build", "--root", str(small_root), "--no-site")
    assert code == 3 and "README.md.j2" in err


def test_fmt_reports_a_file_it_cannot_rewrite_and_goes_on(small_root: Path, capsys, monkeypatch):
    from effdiff_catalog import fmt

    for path in (small_root / "papers").glob("*.yaml"):
        path.write_text(path.read_text(encoding="utf-8").replace("\n", "\n\n", 1), encoding="utf-8")  # not canonical
    real = fmt.write_text_atomic

    def read_only(path, text):
        if path.name.startswith("cachenet"):
            raise PermissionError(13, "Permission denied")
        real(path, text)

    monkeypatch.setattr(fmt, "write_text_atomic", read_only)
    code, out, err = _cli(capsys, "fmt", "--root", str(small_root))
    assert code == 1 and "papers/cachenet-2024.yaml:1:1: error: cannot rewrite the file: Permission denied" in out + err
    assert "5 file(s) reformatted" in out + err


def test_writing_commands_sweep_temp_files_a_killed_writer_left(small_root: Path, capsys):
    import time

    papers = small_root / "papers"
    stale = papers / ".cachenet-2024.yaml.k3j9x_2a.tmp"
    fresh = papers / ".cachenet-2024.yaml.zz81pq0b.tmp"  # a writer that may still be running
    other = papers / ".my-notes.tmp"  # not write_text_atomic's pattern: never touched
    for path in (stale, fresh, other):
        path.write_text("half", encoding="utf-8")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    assert _cli(capsys, "fmt", "--root", str(small_root))[0] == 0
    assert not stale.exists() and fresh.exists() and other.exists()
