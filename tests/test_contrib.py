"""Contributor files: pre-commit hooks, the issue form, CONTRIBUTING."""

from __future__ import annotations

import yaml
from conftest import REPO

from effdiff_catalog.cli import build_parser
from effdiff_catalog.contrib import ISSUE_FORM_PATH, issue_form
from effdiff_catalog.vocab import load_vocab


def test_issue_form_is_in_sync_with_the_taxonomy():
    assert (REPO / ISSUE_FORM_PATH).read_text(encoding="utf-8") == issue_form(load_vocab(REPO))
    form = yaml.safe_load((REPO / ISSUE_FORM_PATH).read_text(encoding="utf-8"))
    node = next(item for item in form["body"] if item.get("id") == "node")
    ids = [option.split(" ", 1)[0] for option in node["attributes"]["options"]]
    taxonomy = load_vocab(REPO).taxonomy
    assert ids == [n.id for n in taxonomy.ordered() if n.id != "frameworks"]  # frameworks.yaml's node takes no papers
    assert len(ids) == len(list(taxonomy.ordered())) - 1
    assert {"type", "id"} <= set(node) and node["validations"]["required"] is True


def _commands(entry: str) -> list[str]:
    assert entry.startswith("effdiff ")
    return entry.split()[1:]


def test_pre_commit_hooks_are_valid_and_run_real_commands():
    from pre_commit.clientlib import load_config, load_manifest

    manifest = load_manifest(str(REPO / ".pre-commit-hooks.yaml"))
    assert {h["id"] for h in manifest} == {"effdiff-validate", "effdiff-fmt"}
    config = load_config(str(REPO / ".pre-commit-config.yaml"))
    parser = build_parser()
    for hook in [*manifest, *config["repos"][0]["hooks"]]:
        args = parser.parse_args(_commands(hook["entry"]))
        assert callable(args.func), hook["id"]


def test_contributing_explains_both_ways_the_id_rule_and_ci():
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for needle in ("effdiff add --arxiv", "By hand", "## The id rule", "## Choosing a node", "## What CI checks",
                   "file:line:column"):
        assert needle in text
