"""Benchmark: `effdiff validate` against a bare C-loader parse of the same files.

Run by hand:  python benchmarks/bench_validate.py [--records 10000]
Goal: validate / bare load <= 2.0 on 10,000 records; the shipped catalog validates in under 1 s.
Then the same number of records with realistic titles, one in 30 a near-duplicate of another
(what the near-title check must find): `effdiff validate`'s time and peak memory (its RSS), and the
near-title check alone.
"""

from __future__ import annotations

import argparse
import json
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
from effdiff_catalog.text import normalize_title

WORDS = ("diffusion efficient fast sampling solver distillation quantization pruning latent caching parallel "
         "transformer consistency flow rectified score adaptive schedule retrieval exit training video image "
         "one-step guided control adapter low-rank generation synthesis accelerating").split()


def realistic_titles(n: int, seed: int = 11) -> list[str]:
    """n different titles shaped like the shipped catalog's: a real title with its method name and
    some words swapped for others of the catalog's vocabulary, and one in 30 a near-duplicate of an
    earlier one (a plural, a dropped word, a typo), as imported lists bring in."""
    rng = random.Random(seed)
    real = [yaml.load(f.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)["title"]
            for f in sorted((REPO / "papers").glob("*.yaml"))]
    vocab = sorted({w for t in real for w in t.split() if w.isalpha() and len(w) > 3})
    out: list[str] = []
    keys: set[str] = set()
    while len(out) < n:
        if out and len(out) % 30 == 0:
            words = rng.choice(out).split()
            k = rng.randrange(len(words))
            edit = rng.choice(["plural", "drop", "typo"])
            if edit == "plural":
                words[k] += "s"
            elif edit == "drop" and len(words) > 4:
                del words[k]
            else:
                j = rng.randrange(len(words[k]))
                words[k] = words[k][:j] + rng.choice("aeiou") + words[k][j + 1:]
        else:
            words = rng.choice(real).split()
            for _ in range(rng.randint(1, 3)):
                words[rng.randrange(len(words))] = rng.choice(vocab)
            if ":" in words[0]:
                words[0] = "".join(rng.choice("ABCDEFGHKLMNPRSTVXZ") for _ in range(rng.randint(2, 4))) + rng.choice(["-", ""]) \
                    + rng.choice(vocab) + ":"
        title = " ".join(words)
        if normalize_title(title) not in keys:  # an exact duplicate is another check's error
            keys.add(normalize_title(title))
            out.append(title)
    return out


def synthetic_records(n: int, seed: int = 7, titles: list[str] | None = None) -> list[Paper]:
    rng = random.Random(seed)
    vocab = load_vocab(REPO)
    leaves = [node.id for node in vocab.taxonomy.ordered() if node.is_leaf]
    venues = ["NeurIPS", "ICLR", "ICML", "CVPR", "ICCV", "ECCV", "AAAI", "arXiv"]
    out = []
    for i in range(n):
        year = rng.randint(2019, 2025)
        venue = rng.choice(venues)
        arxiv = f"{year % 100:02d}{rng.randint(1, 12):02d}.{i:05d}"
        title = titles[i] if titles else " ".join(rng.choice(WORDS).capitalize() for _ in range(rng.randint(5, 11))) + f" {i}"
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
        realistic_case(tmp, args.records, args.runs)
        shipped = best_of(args.runs, lambda: Catalog.load(REPO))
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "effdiff_catalog.cli", "validate", "--root", str(REPO)], check=False,
                       stdout=subprocess.DEVNULL)
        print(f"shipped catalog ({len(Catalog.load(REPO).papers)} records): {shipped:.3f} s in process, "
              f"{time.perf_counter() - start:.3f} s as a command (goal < 1 s)")
    finally:
        shutil.rmtree(tmp)


def realistic_case(tmp: Path, n: int, runs: int) -> None:
    """`effdiff validate` on n records with realistic titles and near-duplicates: time and peak RSS."""
    from effdiff_catalog.checks import near_title_pairs

    shutil.rmtree(tmp / "papers")
    (tmp / "papers").mkdir()
    titles = realistic_titles(n)
    for paper in synthetic_records(n, titles=titles):
        (tmp / "papers" / f"{paper.id}.yaml").write_text(dump_record(paper), encoding="utf-8")
    keys = [normalize_title(t) for t in titles]
    near = best_of(runs, lambda: near_title_pairs(keys))
    # a fresh interpreter per run, so that its peak RSS is validate's own
    probe = ("import json, resource, sys, time; from effdiff_catalog.cli import main; t = time.perf_counter(); "
             "code = main(['validate', '--root', sys.argv[1]]); "
             "print(json.dumps([code, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss]), "
             "file=sys.stderr)")
    results = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", probe, str(tmp)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        results.append(json.loads(done.stderr.strip().splitlines()[-1]))
    warnings = sum(1 for line in done.stdout.splitlines() if ": warning: title: title is nearly the same" in line)
    code, seconds, rss = min(results, key=lambda r: r[1])
    print(f"{n} records with realistic titles, {warnings} near-duplicate warnings (exit {code}): "
          f"effdiff validate {seconds:.3f} s, peak RSS {max(r[2] for r in results) / 1024:.0f} MiB "
          f"(best time of {runs}); the near-title check alone {near:.3f} s")


if __name__ == "__main__":
    main()
