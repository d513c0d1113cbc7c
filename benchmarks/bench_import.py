"""Benchmark: `effdiff import-bib --dry-run` of a 5,000-entry file against a bare bibtexparser parse.

Run by hand:  python benchmarks/bench_import.py [--entries 5000] [--runs 7]
Goal: import-bib --dry-run <= 1.5 x bibtexparser.parse_string of the same file.
On a machine with two cores, a file this large is read in two parts at once (bibchunks); the
one-pass time (--jobs 1) is printed too. Both must give the same report.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
from pathlib import Path

import bibtexparser
from common import scratch_root, timed

from effdiff_catalog.catalog import Catalog
from effdiff_catalog.importers.bibchunks import workers_for
from effdiff_catalog.importers.bibtex import import_bib

WORDS = ("diffusion efficient fast sampling solver distillation quantization pruning latent caching parallel "
         "transformer consistency flow rectified score adaptive schedule retrieval training video image").split()
VENUES = ["Advances in Neural Information Processing Systems", "International Conference on Learning Representations",
          "Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition", "International Conference on Machine Learning"]


def synthetic_bib(n: int, seed: int = 3) -> str:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        title = " ".join(rng.choice(WORDS).capitalize() for _ in range(rng.randint(5, 10)))
        authors = " and ".join(f"Name{i}{j}, First{j}" for j in range(rng.randint(2, 7)))
        year = rng.randint(2019, 2025)
        if i % 4 == 0:
            out.append(f"@article{{key{i},\n  title={{{{{title}}} {i}}},\n  author={{{authors}}},\n"
                       f"  journal={{arXiv preprint arXiv:{year % 100:02d}{rng.randint(1, 12):02d}.{i:05d}}},\n  year={{{year}}}\n}}\n")
        else:
            out.append(f"@inproceedings{{key{i},\n  title={{{title} {i}: Sch{{\\\"o}}n {{DDIM}}}},\n  author={{{authors}}},\n"
                       f"  booktitle={{{rng.choice(VENUES)}}},\n  year={{{year}}},\n  url={{https://example.org/p/{i}}}\n}}\n")
    return "\n".join(out)




def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="effdiff-bench-import-"))
    try:
        scratch_root(tmp, with_papers=True)
        bib = tmp / "refs.bib"
        bib.write_text(synthetic_bib(args.entries), encoding="utf-8")
        text = bib.read_text(encoding="utf-8")
        catalog = Catalog.load(tmp)
        results = {}

        def run(jobs) -> None:
            results[jobs], _ = import_bib([bib], catalog, category="algorithm.efficient_sampling", dry_run=True, jobs=jobs)

        # interleaved, so that a machine that slows down or speeds up meanwhile weighs on all three alike
        times: dict[str, list[float]] = {"a": [], "b": [], "b1": []}
        for _ in range(args.runs):
            times["a"].append(timed(lambda: bibtexparser.parse_string(text)))
            times["b"].append(timed(lambda: run(None)))
            times["b1"].append(timed(lambda: run(1)))
        a, b, b1 = (min(times[k]) for k in ("a", "b", "b1"))
        med = {k: statistics.median(v) for k, v in times.items()}
        parts = workers_for(text, None)
        print(f"{args.entries} entries, {len(text):,} bytes; best (median) of {args.runs} interleaved runs")
        print(f"(a) bibtexparser.parse_string: {a:.3f} s ({med['a']:.3f})")
        print(f"(b) import-bib --dry-run (parse, convert, merge plan), default ({parts} part(s) at once): {b:.3f} s ({med['b']:.3f})")
        print(f"    the same with --jobs 1 (one pass): {b1:.3f} s ({med['b1']:.3f})")
        print(f"ratio (b)/(a): {b / a:.2f} (medians {med['b'] / med['a']:.2f}; goal <= 1.5); one pass: {b1 / a:.2f}")
        assert results[None].to_json() == results[1].to_json(), "the two ways gave different reports"
        print(f"outcomes: {results[None].counts()} (the same both ways)")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
