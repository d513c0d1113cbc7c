"""A contributor's pull request, end to end, in a temporary copy of the repository."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from conftest import REPO

from effdiff_catalog.cli import main

RECORD = """\
# yaml-language-server: $schema=../schema/paper.schema.json
id: unipc-2023
title: 'UniPC: A Unified Predictor-Corrector Framework for Fast Sampling of Diffusion Models'
authors:
- Wenliang Zhao
- Lujia Bai
- Yongming Rao
- Jie Zhou
- Jiwen Lu
venue: NeurIPS
year: 2023
arxiv: '{arxiv}'
links:
  paper: https://arxiv.org/abs/2302.04867
  code: https://github.com/wl-zhao/UniPC
categories:
- {category}
added: 2026-11-23
"""


def clone(tmp_path: Path) -> Path:
    target = tmp_path / "repo"
    if (REPO / ".git").exists():
        subprocess.run(["git", "clone", "--quiet", str(REPO), str(target)], check=True)
        # the working tree of this checkout, so the scenario tests the code and data under test
        for name in ("papers", "taxonomy.yaml", "venues.yaml", "benchmarks.yaml", "metrics.yaml", "models.yaml", "frameworks.yaml",
                     "templates", "schema", "README.md", ".github"):
            src = REPO / name
            if src.is_dir():
                shutil.rmtree(target / name, ignore_errors=True)
                shutil.copytree(src, target / name)
            elif src.exists():
                shutil.copy(src, target / name)
    else:
        shutil.copytree(REPO, target, ignore=shutil.ignore_patterns(".venv", "site", "__pycache__", ".hypothesis", ".pytest_cache"))
    return target


def test_contributor_adds_a_record_by_hand(tmp_path: Path, capsys):
    root = clone(tmp_path)
    record = root / "papers" / "unipc-2023.yaml"
    # a misspelled category and the arXiv id of a paper already in the catalog (DPM-Solver)
    record.write_text(RECORD.format(arxiv="2206.00927", category="algorithm.efficient_sampling.efficient_solver.ode_solvr"),
                      encoding="utf-8")
    assert main(["validate", "--root", str(root)]) == 1
    out = capsys.readouterr().out
    assert ("papers/unipc-2023.yaml:12:8: error: arxiv: same arXiv id as papers/dpm-solver-2022.yaml: "
            "this paper is already in the catalog") in out
    assert ("papers/unipc-2023.yaml:17:3: error: categories[0]: category 'algorithm.efficient_sampling.efficient_solver.ode_solvr' "
            "is not in taxonomy.yaml\n    hint: did you mean 'algorithm.efficient_sampling.efficient_solver.ode_solver'?") in out

    # the fixes the messages point to
    record.write_text(RECORD.format(arxiv="2302.04867", category="algorithm.efficient_sampling.efficient_solver.ode_solver"),
                      encoding="utf-8")
    assert main(["fmt", "--check", "--root", str(root)]) == 0
    assert main(["validate", "--root", str(root)]) == 0
    assert main(["build", "--check", "--root", str(root)]) == 1  # the README must be regenerated with the record
    assert "README.md is out of date" in capsys.readouterr().out
    assert main(["build", "--no-site", "--root", str(root)]) == 0
    assert main(["build", "--check", "--root", str(root)]) == 0
    assert "UniPC: A Unified Predictor-Corrector Framework" in (root / "README.md").read_text(encoding="utf-8")
