"""The committed JSON Schema is what the model generates, it knows the vocabularies, and an
independent validator (check-jsonschema) agrees with `effdiff validate` on every record and fixture."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from effdiff_catalog.catalog import Catalog
from effdiff_catalog.cli import main
from effdiff_catalog.schema import SCHEMA_PATH, dump_schema
from effdiff_catalog.vocab import load_vocab
from conftest import DATA, REPO


def test_committed_schema_is_fresh():
    assert (REPO / SCHEMA_PATH).read_text(encoding="utf-8") == dump_schema(load_vocab(REPO)), \
        "schema/paper.schema.json is stale: run effdiff schema --out"


def test_schema_has_enums_and_descriptions():
    schema = json.loads(dump_schema(load_vocab(REPO)))
    props = schema["properties"]
    assert "algorithm.efficient_sampling.efficient_solver.ode_solver" in props["categories"]["items"]["enum"]
    assert "NeurIPS" in props["venue"]["enum"] and "NIPS" not in props["venue"]["enum"]
    assert props["modality"]["items"]["enum"][0] == "image"
    assert schema["additionalProperties"] is False
    assert all(p.get("description") for name, p in props.items()), "every field is described"
    assert set(schema["required"]) == {"id", "title", "venue", "year", "links", "categories", "added"}


def test_every_record_points_editors_at_the_schema():
    for path in sorted((REPO / "papers").glob("*.yaml")):
        assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=../schema/paper.schema.json\n"), path


def test_schema_check(empty_root, capsys):
    tmp_path = empty_root
    assert main(["schema", "--root", str(tmp_path), "--out", "schema/paper.schema.json", "--check"]) == 1
    assert main(["schema", "--root", str(tmp_path), "--out", "schema/paper.schema.json"]) == 0
    assert main(["schema", "--root", str(tmp_path), "--out", "schema/paper.schema.json", "--check"]) == 0


# -- an independent validator (check-jsonschema, as editors' YAML language servers read the schema) --

CATALOG_FIXTURES = sorted((DATA / "catalogs").glob("*/papers/*.yaml"))
INVALID_FIXTURES = sorted((DATA / "invalid").glob("*.yaml"))
# Fixtures validate refuses and the schema accepts: validate checks more than one file's shape.
VALIDATE_CHECKS_MORE = {
    "anchors-aliases-2020.yaml": "validate's YAML reader refuses anchors and aliases; the schema sees the values they stand for",
    "id-mismatch-2020.yaml": "the id must equal the file name, which a schema does not see",
}
# Fixtures both accept, on which validate warns (and `validate --strict` refuses): rules a schema cannot state.
VALIDATE_WARNS = {
    "inner-node-2020.yaml": "a taxonomy leaf is asked for: an inner node is a valid id",
    "year-contradicts-arxiv-2020.yaml": "the year disagrees with the arXiv id's",
}


def check_jsonschema(files: list[Path]) -> dict[str, list[str]]:
    """check-jsonschema on the files against schema/paper.schema.json: {file: its errors}. Any
    request it made would go to a closed port on 127.0.0.1: the check runs offline."""
    offline = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile", str(REPO / SCHEMA_PATH), "--output-format", "json",
         *map(str, files)], capture_output=True, text=True, timeout=300, env={**os.environ, **offline})
    report = json.loads(result.stdout)
    out: dict[str, list[str]] = {str(f): [] for f in files}
    for error in report.get("errors", []) + report.get("parse_errors", []):
        out[error["filename"]].append(error.get("message") or error.get("path") or "unreadable")
    assert (result.returncode == 0) == (report["status"] == "ok") == (not any(out.values())), result.stdout + result.stderr
    return out


def test_every_shipped_record_and_catalog_fixture_passes_the_schema():
    files = sorted((REPO / "papers").glob("*.yaml")) + CATALOG_FIXTURES
    assert len(files) > 600
    assert {f: e for f, e in check_jsonschema(files).items() if e} == {}


def _validate_alone(root: Path, fixture: Path) -> list:
    for old in (root / "papers").glob("*"):
        old.unlink()
    shutil.copy(fixture, root / "papers" / fixture.name)
    return Catalog.load(root).problems


def test_the_schema_and_validate_accept_and_reject_the_same_fixtures(empty_root: Path):
    schema_errors = check_jsonschema(INVALID_FIXTURES)
    verdicts = {}
    for fixture in INVALID_FIXTURES:
        problems = _validate_alone(empty_root, fixture)
        validate_ok = not any(p.severity == "error" for p in problems)
        verdicts[fixture.name] = (not schema_errors[str(fixture)], validate_ok)
        if fixture.name in VALIDATE_WARNS:
            assert any(p.severity == "warning" for p in problems), fixture.name
    disagree = {name: v for name, v in verdicts.items() if v[0] != v[1]}
    # where they disagree, the schema accepts and validate refuses, for the reasons listed
    assert disagree == {name: (True, False) for name in VALIDATE_CHECKS_MORE}
    assert all(verdicts[name] == (True, True) for name in VALIDATE_WARNS)
    assert sum(1 for schema_ok, _ in verdicts.values() if not schema_ok) >= 20  # the schema refuses the rest


def test_duplicates_across_files_are_for_validate_alone(shipped_root: Path):
    """Two records of the same paper each pass the schema; validate refuses the pair."""
    source = shipped_root / "papers" / "dpm-solver-2022.yaml"
    copy = shipped_root / "papers" / "dpm-solver-copy-2022.yaml"
    copy.write_text(source.read_text(encoding="utf-8").replace("id: dpm-solver-2022", "id: dpm-solver-copy-2022"),
                    encoding="utf-8")
    assert check_jsonschema([source, copy]) == {str(source): [], str(copy): []}
    errors = [p for p in Catalog.load(shipped_root).errors if p.path == "papers/dpm-solver-copy-2022.yaml"]
    assert errors and any("dpm-solver-2022.yaml" in p.message for p in errors)
