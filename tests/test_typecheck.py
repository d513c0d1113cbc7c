"""The package type-checks: mypy with the configuration in pyproject.toml ([tool.mypy]: every function
annotated, Optional values guarded before use) finds no error in src/effdiff_catalog."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_mypy_finds_no_error_in_the_package():
    result = subprocess.run([sys.executable, "-m", "mypy", "src/effdiff_catalog"], cwd=REPO, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, f"mypy failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
