"""Shared by the benchmarks: timing and a scratch catalog root."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]


def timed(func: Callable[[], object]) -> float:
    """Seconds one call of func() takes."""
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def best_of(runs: int, func: Callable[[], object]) -> float:
    """The fastest of `runs` timings of func(), in seconds."""
    return min(timed(func) for _ in range(runs))


def scratch_root(tmp: Path, with_papers: bool = False) -> Path:
    """A catalog root with the repository's taxonomy and venues (and its records if asked)."""
    for name in ("taxonomy.yaml", "venues.yaml", "frameworks.yaml"):
        shutil.copy(REPO / name, tmp / name)
    if with_papers:
        shutil.copytree(REPO / "papers", tmp / "papers")
    else:
        (tmp / "papers").mkdir(exist_ok=True)
    return tmp
