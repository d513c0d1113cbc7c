"""effdiff fmt: canonical, idempotent, lossless."""

from __future__ import annotations

from pathlib import Path

from conftest import new_root, write_record
from hypothesis import HealthCheck, given, settings
from test_store import VOCAB, records

from effdiff_catalog.catalog import Catalog
from effdiff_catalog.cli import main
from effdiff_catalog.fmt import format_files
from effdiff_catalog.model import Paper
from effdiff_catalog.store import dump_record

MESSY = """\
title:   "Structural Pruning for Diffusion Models"
id: structural-pruning-diffusion-2023
year: 2023
venue: NeurIPS
categories: [algorithm.compression.pruning]
links: {code: "https://github.com/VainF/Diff-Pruning", paper: 'https://arxiv.org/abs/2305.10924'}
arxiv: 2305.10924
added: 2026-11-23
authors: [Gongfan Fang, Xinyin Ma, Xinchao Wang]
"""


def test_fmt_rewrites_canonically_and_keeps_the_data(empty_root: Path, capsys):
    path = write_record(empty_root, "structural-pruning-diffusion-2023", MESSY)
    before = Catalog.load(empty_root).papers["structural-pruning-diffusion-2023"]
    assert main(["fmt", "--check", "--root", str(empty_root)]) == 1
    assert "would reformat papers/structural-pruning-diffusion-2023.yaml" in capsys.readouterr().out
    assert path.read_text() == MESSY  # --check changes nothing
    assert main(["fmt", "--root", str(empty_root)]) == 0
    after = Catalog.load(empty_root).papers["structural-pruning-diffusion-2023"]
    assert after == before
    assert path.read_text() == dump_record(before)
    assert path.read_text().startswith("# yaml-language-server: $schema=../schema/paper.schema.json\nid: structural-pruning-diffusion-2023\n")
    assert main(["fmt", "--check", "--root", str(empty_root)]) == 0  # idempotent


def test_fmt_never_drops_a_comment_or_touches_an_invalid_file(empty_root: Path, capsys):
    commented = write_record(empty_root, "commented-2023", MESSY.replace("structural-pruning-diffusion-2023", "commented-2023")
                             .replace("Structural Pruning", "Commented Pruning") + "# TODO: check the venue page\n")
    broken = write_record(empty_root, "broken-2023", "id: broken-2023\ntitle: [\n")
    url_with_hash = write_record(empty_root, "hash-2023", MESSY.replace("structural-pruning-diffusion-2023", "hash-2023")
                                 .replace("Structural Pruning", "Hash Pruning").replace("2305.10924'", "2305.10924#page=2'")
                                 .replace("arxiv: 2305.10924\n", ""))
    before = commented.read_text(), broken.read_text()
    assert main(["fmt", "--root", str(empty_root)]) == 1
    err = capsys.readouterr().err
    assert "papers/commented-2023.yaml:10:1: error: comment on line(s) 10 would be lost" in err
    assert "papers/broken-2023.yaml" in err
    assert (commented.read_text(), broken.read_text()) == before
    assert url_with_hash.read_text().startswith("# yaml-language-server")  # a '#' inside a value is no comment


def test_fmt_is_a_no_op_on_the_shipped_catalog(shipped_root: Path):
    tmp_path = shipped_root
    result = format_files(tmp_path, check=True)
    assert (result.changed, result.problems) == ([], [])
    before = Catalog.load(tmp_path).papers
    format_files(tmp_path)
    assert Catalog.load(tmp_path).papers == before


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(records())
def test_fmt_lossless_and_idempotent_for_any_record(tmp_path_factory, data: dict):
    root = new_root(tmp_path_factory.mktemp("fmt"))
    paper = Paper.model_validate(data, context={"vocab": VOCAB})
    import yaml

    # the same data written the way a person might: flow style, keys shuffled
    text = yaml.safe_dump(dict(reversed(list(paper.model_dump(mode="json", exclude_none=True).items()))),
                          default_flow_style=True, allow_unicode=True, width=80)
    (root / "papers" / f"{paper.id}.yaml").write_text(text, encoding="utf-8")
    before = Catalog.load(root).papers  # what the file means (PyYAML's own writer is not always exact)
    assert list(before) == [paper.id]
    first = format_files(root)
    assert first.problems == []
    assert Catalog.load(root).papers == before  # lossless
    assert format_files(root, check=True).changed == []  # idempotent
