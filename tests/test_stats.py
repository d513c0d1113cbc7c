from __future__ import annotations

from pathlib import Path

from conftest import DATA

from effdiff_catalog.catalog import Catalog
from effdiff_catalog.cli import main
from effdiff_catalog.importers.markdown import import_markdown


def test_stats_counts_nodes_venues_years(empty_root: Path, capsys):
    import_markdown(DATA / "lists" / "venue_variants.md", Catalog.load(empty_root))
    assert main(["stats", "--root", str(empty_root)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("records: 8\n  with authors: 0   with code: 5   with arXiv id: 3   with results: 0\n")
    assert "    Training Tricks [algorithm.efficient_training.training_tricks]: 0 / 5;" in out
    assert "      Noise Schedule [algorithm.efficient_training.training_tricks.noise_schedule]: 5 / 5;" in out
    assert "\nper venue:\n  arXiv: 3\n  NeurIPS: 2\n" in out
    assert "\nper year of the venue (or preprint):\n  2024: 6\n  2023: 1\n  2021: 1\n" in out
    assert "\nper year of first public version (arXiv id, else the id's year):\n  2024: 6\n  2023: 1\n  2021: 1\n" in out
    assert "leaves with fewer than 8 papers: algorithm.efficient_training.latent_diffusion (0)," in out


def test_first_public_year_is_the_arxiv_id_not_the_venue(empty_root: Path, capsys):
    from conftest import VALID_RECORD, write_record

    # an ICLR 2025 paper first posted in October 2024, and a venue paper without an arXiv id
    write_record(empty_root, "sana-2024", VALID_RECORD.format(id="sana-2024", title="Sana").replace(
        "year: 2020", "year: 2025\narxiv: '2410.10629'"))
    write_record(empty_root, "old-paper-2020", title="An Old Paper")
    assert main(["stats", "--root", str(empty_root)]) == 0
    out = capsys.readouterr().out
    assert "\nper year of the venue (or preprint):\n  2025: 1\n  2020: 1\n" in out
    assert "\nper year of first public version (arXiv id, else the id's year):\n  2024: 1\n  2020: 1\n" in out


def test_help_works_like_dash_h(capsys):
    import pytest

    for flag in ("-h", "--help"):
        with pytest.raises(SystemExit) as exit_info:
            main(["validate", flag])
        assert exit_info.value.code == 0
    assert "Example: effdiff validate --strict" in capsys.readouterr().out
