"""`effdiff results`: a leaderboard in the terminal, or the rows as CSV or JSON."""

from __future__ import annotations

import argparse
import sys

from ._common import Add


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def cmd_results(args: argparse.Namespace) -> int:
    """Print a leaderboard: the results of a benchmark (and base model) on one metric, best first by the
    metric's direction, in groups of comparable rows, each row with its cost, hardware and source.

    --format csv or json prints the selected rows in the tidy form of results.csv and results.json
    (one line per result and metric). Without --benchmark every benchmark's rows are listed.

    Example: effdiff results --benchmark imagenet-256-class-cond --metric fid
    """
    from ..catalog import Catalog, CatalogError
    from ..results import (describe_hardware, describe_protocol, describe_source, format_value, leaderboard, metric_heading,
                           results_csv, results_json, select_rows)

    try:
        catalog = Catalog.load_valid(args.root)
    except CatalogError as exc:
        exc.action = "listing results"
        raise
    vocab = catalog.vocab.results
    if args.format in ("csv", "json"):
        rows = select_rows(catalog, args.benchmark, args.base_model)
        if args.metric:
            rows = [r for r in rows if args.metric in r.values]
        sys.stdout.write(results_csv(rows, vocab.metrics) if args.format == "csv" else results_json(rows))
        return 0
    benchmarks = [args.benchmark] if args.benchmark else sorted({r.benchmark for r in select_rows(catalog, None, args.base_model)} - {"other"})
    shown = 0
    for bench_id in benchmarks:
        board = leaderboard(catalog, bench_id, args.base_model, args.metric)
        if not board.groups and not board.excluded:
            continue
        bench = board.benchmark
        metric = board.metric
        arrow = "lower is better" if metric.lower_is_better else "higher is better"
        print(f"{bench.title if bench else bench_id}: {metric.label} ({arrow})")
        for n, group in enumerate(board.groups, 1):
            print(f"\n  group {n}: {group.description} ({len(group.rows)} rows)")
            costs = [m for m in vocab.metrics.values() if m.kind == "cost" and any(m.id in r.values for r in group.rows)]
            headers = ["#", metric_heading(metric), "method", "role", "paper", *[metric_heading(c) for c in costs], "speed-up", "protocol",
                       "hardware", "source"]
            table = []
            for rank, row in enumerate(group.rows, 1):
                r = row.result
                speed = f"{format_value(r.speedup.value)}x {r.speedup.basis} vs {r.speedup.vs}" if r.speedup else ""
                table.append([str(rank), format_value(row.values[metric.id]), r.method, r.role, f"{row.paper.id}#{row.anchor}",
                              *[format_value(row.values[c.id]) if c.id in row.values else "" for c in costs], speed,
                              describe_protocol(r), describe_hardware(r), describe_source(r, row.paper.arxiv)])
            print("\n".join("    " + line for line in _table(headers, table).splitlines()))
            shown += len(group.rows)
        if board.excluded:
            print(f"\n  not on the leaderboard ({len(board.excluded)}):")
            for row, why in board.excluded:
                print(f"    {row.paper.id}#{row.anchor} {row.result.method}: {why}")
        print()
    if not shown:
        print("no comparable results" + (f" on {args.benchmark}" if args.benchmark else ""))
    return 0


def register(add: Add) -> None:
    p = add("results", cmd_results)
    p.add_argument("--benchmark", default=None, help="a benchmark id of benchmarks.yaml (default: every benchmark)")
    p.add_argument("--base-model", default=None, help="only rows on this base model (an id of models.yaml)")
    p.add_argument("--metric", default=None, help="the metric to rank by (default: the benchmark's main quality metric)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
