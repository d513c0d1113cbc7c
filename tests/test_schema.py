"""The committed JSON Schema is what the model generates, and it knows the vocabularies."""

from __future__ import annotations

import json

from conftest import REPO

from effdiff_catalog.cli import main
from effdiff_catalog.schema import SCHEMA_PATH, dump_schema
from effdiff_catalog.vocab import load_vocab


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
