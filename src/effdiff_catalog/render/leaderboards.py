"""The Leaderboards section of the site: one page per benchmark, and one per base model of a benchmark
where training-free methods report rows on it. A page shows comparable groups (results.group_comparable),
each as a sortable table and a quality-against-cost plot per cost metric, with the plot's data as a
table beside it. The data here is plain dicts for the templates (results are escaped there)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..benchmarks import Benchmark, Metric, ResultVocab
from ..catalog import Catalog
from ..results import (Group, Row, catalog_rows, describe_hardware, describe_protocol, describe_source, format_value,
                       group_comparable, leaderboard_exclusion, metric_heading, metric_text, pareto_front, sort_rows)
from .jsonexport import paper_page
from .plots import Point, scatter_svg

SECTION = "leaderboards/"
MIN_POINTS = 2  # a plot needs two points to show anything


def board_page(benchmark: str, base_model: str | None = None) -> str:
    """A leaderboard page relative to the site root: leaderboards/<benchmark>/[<base model>/]."""
    return f"{SECTION}{benchmark}/" + (f"{base_model}/" if base_model else "")


def row_url(row: Row, prefix: str) -> str:
    """The row on its paper's page."""
    return f"{prefix}{paper_page(row.paper.id)}#{row.anchor}"


@dataclass
class Board:
    """The rows of one benchmark on one base model (None: trained models, no base model)."""

    benchmark: Benchmark
    base_model: str | None
    rows: list[Row] = field(default_factory=list)
    excluded: list[tuple[Row, str]] = field(default_factory=list)

    @property
    def page(self) -> str:
        return board_page(self.benchmark.id, self.base_model)


def boards(catalog: Catalog) -> list[Board]:
    """Every (benchmark, base model) with rows, in benchmarks.yaml order, then trained models first,
    then base models in models.yaml order. Rows that stay out of leaderboards are kept as `excluded`."""
    vocab = catalog.vocab.results
    out: dict[tuple[str, str | None], Board] = {}
    for row in catalog_rows(catalog):
        bench = vocab.benchmarks.get(row.benchmark)
        if bench is None:
            continue
        board = out.setdefault((bench.id, row.result.base_model), Board(bench, row.result.base_model))
        why = leaderboard_exclusion(row)
        if why is None:
            board.rows.append(row)
        else:
            board.excluded.append((row, why))
    bench_order = {b: i for i, b in enumerate(vocab.benchmarks)}
    model_order = {m: i for i, m in enumerate(vocab.models)}
    return sorted(out.values(), key=lambda b: (bench_order[b.benchmark.id], b.base_model is not None,
                                               model_order.get(b.base_model or "", -1)))


def _metrics_of(rows: list[Row], vocab: ResultVocab, kinds: tuple[str, ...]) -> list[Metric]:
    present = {k for r in rows for k in r.values}
    return [m for m in vocab.metrics.values() if m.kind in kinds and m.id in present]


def _cell(row: Row, metric: Metric) -> dict:
    value = row.values.get(metric.id)
    return {"text": format_value(value) if value is not None else "", "value": "" if value is None else repr(value)}


def _plot(group: Group, quality: Metric, cost: Metric, vocab: ResultVocab, prefix: str, title: str) -> list[dict]:
    """The plots of a group against one cost metric: one per comparable sub-group (a latency splits by GPU)."""
    out = []
    for sub in group_comparable(group.rows, vocab.benchmarks, quality, cost):
        rows = sort_rows(sub.rows, quality)
        if len(rows) < MIN_POINTS:
            continue
        points = [Point(r.values[cost.id], r.values[quality.id],
                        f"{r.result.method} ({r.paper.id}): {metric_text(quality, r.values[quality.id])}, "
                        f"{metric_text(cost, r.values[cost.id])}",
                        row_url(r, prefix), r.result.role == "proposed") for r in rows]
        front = set(pareto_front([(p.x, p.y) for p in points], cost.lower_is_better, quality.lower_is_better))
        extra = [p.text for p in sub.key if p.field in ("hardware", "batch") and p.value]
        caption = f"{quality.label} against {cost.label}" + (f" ({', '.join(extra)})" if extra else "")
        out.append({
            "caption": caption,
            "svg": scatter_svg(points, cost, quality, f"{title}: {caption}"),
            "points": [{"method": r.result.method, "paper": r.paper.id, "url": row_url(r, prefix), "anchor": r.anchor,
                        "x": format_value(r.values[cost.id]), "y": format_value(r.values[quality.id]), "front": i in front}
                       for i, r in enumerate(rows)],
            "x_label": metric_heading(cost),
            "y_label": metric_heading(quality),
        })
    return out


def board_context(board: Board, catalog: Catalog, prefix: str) -> dict:
    """What leaderboard.md.j2 shows for one board."""
    vocab = catalog.vocab.results
    qualities = _metrics_of(board.rows, vocab, ("quality", "fidelity"))
    main = vocab.metrics[board.benchmark.quality]
    qualities.sort(key=lambda m: m.id != main.id)  # the benchmark's main metric first, then metrics.yaml order
    sections = []
    for n_metric, quality in enumerate(qualities):
        groups = group_comparable(board.rows, vocab.benchmarks, quality)
        blocks = []
        for n, group in enumerate(groups, 1):
            rows = sort_rows(group.rows, quality)
            quality_cols = [m for m in _metrics_of(rows, vocab, ("quality", "fidelity"))]
            quality_cols.sort(key=lambda m: m.id != quality.id)
            cost_cols = _metrics_of(rows, vocab, ("cost",))
            others = [g for g in groups if g is not group]
            differs = sorted({f for g in others for f in group.differs_from(g)})
            title = f"{board.benchmark.title}{f' on {board.base_model}' if board.base_model else ''}"
            blocks.append({
                "id": f"{quality.id}-group-{n}",
                "title": f"Group {n}",
                "description": group.description,
                "shared": [p.text for p in group.key],
                "differs": differs,
                "quality_cols": [{"label": metric_heading(m), "arrow": "↓" if m.lower_is_better else "↑"} for m in quality_cols],
                "cost_cols": [{"label": metric_heading(m), "arrow": "↓" if m.lower_is_better else "↑"} for m in cost_cols],
                "rows": [{
                    "rank": i, "method": r.result.method, "role": r.result.role, "paper": r.paper.id, "title": r.paper.title,
                    "url": row_url(r, prefix), "anchor": r.anchor,
                    "quality": [_cell(r, m) for m in quality_cols], "cost": [_cell(r, m) for m in cost_cols],
                    "speedup": (f"{format_value(r.result.speedup.value)}× ({r.result.speedup.basis}) vs {r.result.speedup.vs}"
                                if r.result.speedup else ""),
                    "protocol": describe_protocol(r.result), "hardware": describe_hardware(r.result),
                    "source": describe_source(r.result, r.paper.arxiv), "digitised": bool(r.result.digitised),
                } for i, r in enumerate(rows, 1)],
                "plots": [plot for cost in cost_cols for plot in _plot(group, quality, cost, vocab, prefix, title)],
            })
        sections.append({"metric": quality.label, "id": quality.id, "main": n_metric == 0 and quality.id == main.id,
                         "arrow": "lower is better" if quality.lower_is_better else "higher is better", "groups": blocks})
    return {
        "sections": sections,
        "excluded": [{"method": r.result.method, "paper": r.paper.id, "url": row_url(r, prefix), "why": why}
                     for r, why in board.excluded],
    }


def _best_per_paper(rows: list[Row]) -> list[Row]:
    """The first (best) of each paper's rows, in order: a summary names methods, not one paper's settings."""
    seen: set[str] = set()
    out = []
    for r in rows:
        if r.paper.id not in seen:
            seen.add(r.paper.id)
            out.append(r)
    return out


def best_rows(catalog: Catalog, limit: int = 3) -> list[dict]:
    """For the README: the best rows of each featured benchmark's largest comparable group on its main
    metric. Only the papers' own methods (`role: proposed`) are ranked here: a baseline that a paper
    quotes (a GAN, the teacher, another paper's method) would otherwise head the summary, once per paper
    that quotes it. Each paper appears once, with its best row. The site's boards keep every row,
    baselines marked."""
    vocab = catalog.vocab.results
    out = []
    rows = [r for r in catalog_rows(catalog) if leaderboard_exclusion(r) is None]
    for bench in vocab.benchmarks.values():
        if not bench.featured:
            continue
        metric = vocab.metrics[bench.quality]
        # the group is the benchmark's largest comparable one over all rows (its main protocol); its
        # proposed rows are ranked
        groups = [g for g in group_comparable([r for r in rows if r.benchmark == bench.id], vocab.benchmarks, metric)
                  if any(r.result.role == "proposed" for r in g.rows)]
        if not groups:
            continue
        group = groups[0]
        ranked = [r for r in group.rows if r.result.role == "proposed"]
        out.append({
            "benchmark": bench, "metric": metric, "page": board_page(bench.id, group.rows[0].result.base_model),
            "description": group.description, "count": sum(1 for r in rows if r.benchmark == bench.id),
            "rows": [{"method": r.result.method, "paper": r.paper.id, "value": format_value(r.values[metric.id]),
                      "cost": ", ".join(metric_text(m, r.values[m.id]) for m in vocab.metrics.values()
                                        if m.kind == "cost" and m.id in r.values),
                      "source": describe_source(r.result, r.paper.arxiv), "anchor": r.anchor}
                     for r in _best_per_paper(sort_rows(ranked, metric))[:limit]],
        })
    return out
