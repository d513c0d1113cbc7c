"""Benchmark: how well the catalog-trained classifier suggests leaves, and where the relevance
threshold of `effdiff discover` falls.

Run by hand:  python benchmarks/bench_classify.py [--step N]
Goal: leave-one-out top-3 accuracy >= 85% on the leaves of the shipped catalog (a hit: one of the
record's leaves among the first k suggestions; each record is left out of training, vocabulary and
IDF included, and scored on the text it was trained on: title, notes, tags, modality).

Relevance: every record's leave-one-out relevance (its best similarity to an efficiency leaf) is
compared with held-out papers that are not efficiency work: the catalog's foundations records
(leave-one-out) and benchmarks/data/relevance.yaml's negatives (title and abstract, as discover
scores them). The threshold chosen is, among those that keep at least 90% of the efficiency records
above it, the one with the best Youden index (share of records kept minus share of negatives, both
kinds pooled, let through); ties go to the lower threshold. The table shows what each lets through.
"""

from __future__ import annotations

import argparse
import time

import yaml
from common import REPO

from effdiff_catalog.catalog import Catalog
from effdiff_catalog.classify import NOT_EFFICIENCY, RELEVANCE_THRESHOLD, Classifier, paper_text, relevance_of

DATA = REPO / "benchmarks" / "data" / "relevance.yaml"
RECALL_GOAL = 0.90


def leave_one_out(catalog: Catalog, step: int) -> tuple[list[tuple[str, list[str], list[str], float]], float]:
    """(id, leaves, top-3 suggested, relevance) for every step-th record, each scored by a classifier trained without it."""
    papers = catalog.sorted_papers()
    rows = []
    start = time.perf_counter()
    for i in range(0, len(papers), step):
        paper = papers[i]
        model = Classifier.train(papers[:i] + papers[i + 1:], catalog.taxonomy)
        ranked = model.rank(paper_text(paper))
        rows.append((paper.id, paper.categories, [s.node for s in ranked[:3]], relevance_of(ranked)))
    return rows, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--step", type=int, default=1, help="score every N-th record only (default: all)")
    args = parser.parse_args()
    catalog = Catalog.load_valid(REPO)
    rows, seconds = leave_one_out(catalog, args.step)
    n = len(rows)
    top1 = sum(top[0] in cats for _, cats, top, _ in rows)
    top3 = sum(bool(set(top) & set(cats)) for _, cats, top, _ in rows)
    print(f"leave-one-out over {n} of {len(catalog.papers)} records, {len({c for _, cats, _, _ in rows for c in cats})} leaves "
          f"({seconds:.0f} s)")
    print(f"top-1 accuracy: {top1 / n:.1%} ({top1}/{n})")
    print(f"top-3 accuracy: {top3 / n:.1%} ({top3}/{n})  (goal >= 85%)")

    per_leaf: dict[str, list[int]] = {}
    for _, cats, top, _ in rows:
        for c in cats:
            per_leaf.setdefault(c, [0, 0])
            per_leaf[c][0] += c in top
            per_leaf[c][1] += 1
    print("\nweakest leaves (top-3 hits / records):")
    for leaf, (hit, total) in sorted(per_leaf.items(), key=lambda kv: kv[1][0] / kv[1][1])[:6]:
        print(f"  {hit:3d}/{total:<3d} {leaf}")

    positives = sorted(r for _, cats, _, r in rows if not set(cats) & set(NOT_EFFICIENCY))
    foundations = [(r, pid) for pid, cats, _, r in rows if set(cats) & set(NOT_EFFICIENCY)]
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    full = Classifier.from_catalog(catalog)
    negatives = [(full.relevance(d["title"], d.get("abstract")), d["title"]) for d in data["negatives"]]
    held_positives = []
    for d in data["positives"]:
        model = Classifier.train([p for p in catalog.papers.values() if p.id != d.get("record")], catalog.taxonomy)
        held_positives.append((model.relevance(d["title"], d.get("abstract")), d["title"]))

    grid = [t / 100 for t in range(5, 41)]
    pooled = [r for r, _ in negatives] + [r for r, _ in foundations]

    def youden(t: float) -> float:
        return sum(r >= t for r in positives) / len(positives) - sum(r >= t for r in pooled) / len(pooled)

    allowed = [t for t in grid if sum(r >= t for r in positives) / len(positives) >= RECALL_GOAL]
    chosen = min(allowed, key=lambda t: (-round(youden(t), 9), t))
    print(f"\nrelevance (best similarity to an efficiency leaf); {len(positives)} efficiency records (leave-one-out), "
          f"{len(foundations)} foundations records (leave-one-out), {len(negatives)} held-out negatives, "
          f"{len(held_positives)} held-out efficiency papers (title and abstract)")
    print("threshold  records kept  foundations passed  negatives passed  held-out efficiency kept  Youden")
    for t in grid:
        if t < 0.08 or t > 0.26:
            continue
        kept = sum(r >= t for r in positives) / len(positives)
        found = sum(r >= t for r, _ in foundations)
        neg = sum(r >= t for r, _ in negatives)
        held = sum(r >= t for r, _ in held_positives)
        mark = "  <- chosen" if abs(t - chosen) < 1e-9 else ""
        print(f"  {t:.2f}     {kept:6.1%}        {found:2d}/{len(foundations):<2d}              {neg:2d}/{len(negatives):<2d}"
              f"              {held}/{len(held_positives)}              {youden(t):.3f}{mark}")
    print(f"\nchosen: {chosen:.2f} (best Youden index among thresholds keeping >= {RECALL_GOAL:.0%} of the efficiency records); "
          f"classify.RELEVANCE_THRESHOLD is {RELEVANCE_THRESHOLD:.2f}")
    print("negatives above it:", [title for r, title in negatives if r >= chosen] or "none")
    print("held-out efficiency papers below it:", [title for r, title in held_positives if r < chosen] or "none")


if __name__ == "__main__":
    main()
