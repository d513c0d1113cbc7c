"""Benchmark: `effdiff validate` against a bare C-loader parse of the same files.

Run by hand:  python benchmarks/bench_validate.py [--records 10000]
Goal: validate / bare load <= 2.0 on 10,000 records; the shipped catalog validates in under 1 s.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from common import REPO, best_of, scratch_root

from effdiff_catalog.catalog import Catalog
from effdiff_catalog.model import Paper
from effdiff_catalog.store import dump_record
from effdiff_catalog.vocab import load_vocab

WORDS = ("diffusion efficient fast sampling solver distillation quantization pruning latent caching parallel "
         "transformer consistency flow rectified score adaptive schedule retrieval exit training video image "
         "one-step guided control adapter low-rank generation synthesis accelerating").split()


def synthetic_records(n: int, seed: int = 7) -> list[Paper]:
    rng = random.Random(seed)
    vocab = load_vocab(REPO)
    leaves = [node.id for node in vocab.taxonomy.ordered() if node.is_leaf]
    venues = ["NeurIPS", "ICLR", "ICML", "CVPR", "ICCV", "ECCV", "AAAI", "arXiv"]
    out = []
    for i in range(n):
        year = rng.randint(2019, 2025)
        venue = rng.choice(venues)
        arxiv = f"{year % 100:02d}{rng.randint(1, 12):02d}.{i:05d}"
        title = " ".join(rng.choice(WORDS).capitalize() for _ in range(rng.randint(5, 11))) + f" {i}"
        data = {
            "id": f"paper-{i}-{year}", "title": title, "venue": venue, "year": year, "arxiv": arxiv,
            "authors": [f"Author{j} Name{i}" for j in range(rng.randint(2, 8))],
            "links": {"paper": f"https://arxiv.org/abs/{arxiv}", "code": f"https://github.com/lab{i}/repo{i}"},
            "categories": rng.sample(leaves, rng.randint(1, 2)), "modality": ["image"], "tags": ["text-to-image"],
            "added": "2026-11-23",
        }
        if i % 3 == 0:
            data["results"] = [{"metric": "FID", "value": round(rng.uniform(1, 30), 2), "setting": "ImageNet 256x256, 10 NFE",
                                "source": f"Table {rng.randint(1, 9)}"}]
        out.append(Paper.model_validate(data))
    return out




def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="effdiff-bench-"))
    try:
        scratch_root(tmp)
        for paper in synthetic_records(args.records):
            (tmp / "papers" / f"{paper.id}.yaml").write_text(dump_record(paper), encoding="utf-8")
        files = sorted((tmp / "papers").glob("*.yaml"))

        def bare() -> None:
            for f in files:
                yaml.load(f.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)

        def validate() -> None:
            catalog = Catalog.load(tmp)
            assert not catalog.errors, catalog.errors[:3]

        a = best_of(args.runs, bare)
        b = best_of(args.runs, validate)
        print(f"{len(files)} records")
        print(f"(a) bare yaml.load(CSafeLoader) of every file: {a:.3f} s")
        print(f"(b) effdiff validate (Catalog.load, in process): {b:.3f} s")
        print(f"ratio (b)/(a): {b / a:.2f}  (goal <= 2.0)")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "effdiff_catalog.cli", "validate", "--root", str(tmp)], check=True,
                       stdout=subprocess.DEVNULL)
        print(f"effdiff validate as a command, {len(files)} records: {time.perf_counter() - start:.3f} s")
        shipped = best_of(args.runs, lambda: Catalog.load(REPO))
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "effdiff_catalog.cli", "validate", "--root", str(REPO)], check=False,
                       stdout=subprocess.DEVNULL)
        print(f"shipped catalog ({len(Catalog.load(REPO).papers)} records): {shipped:.3f} s in process, "
              f"{time.perf_counter() - start:.3f} s as a command (goal < 1 s)")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
