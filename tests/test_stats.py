from __future__ import annotations

from pathlib import Path

from effdiff_catalog.catalog import Catalog
from effdiff_catalog.cli import main
from effdiff_catalog.importers.markdown import import_markdown
from conftest import DATA


def test_stats_counts_nodes_venues_years(empty_root: Path, capsys):
    import_markdown(DATA / "lists" / "venue_variants.md", Catalog.load(empty_root))
    assert main(["stats", "--root", str(empty_root)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("records: 8\n  with authors: 0   with code: 5   with arXiv id: 3   with results: 0\n")
    assert "    Training Tricks [algorithm.efficient_training.training_tricks]: 0 / 5;" in out
    assert "      Noise Schedule [algorithm.efficient_training.training_tricks.noise_schedule]: 5 / 5;" in out
    assert "\nper venue:\n  arXiv: 3\n  NeurIPS: 2\n" in out
    assert "\nper year:\n  2024: 6\n  2023: 1\n  2021: 1\n" in out


def test_help_works_like_dash_h(capsys):
    import pytest

    for flag in ("-h", "--help"):
        with pytest.raises(SystemExit) as exit_info:
            main(["validate", flag])
        assert exit_info.value.code == 0
    assert "Example: effdiff validate --strict" in capsys.readouterr().out
