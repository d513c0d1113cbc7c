"""Structured results as rows that can be compared: values in each metric's unit, the comparability
rule (one function, `comparability_key`), the groups it makes, the Pareto front, leaderboards and the
tidy exports (results.csv, results.json).

A leaderboard never puts two incomparable rows together: rows are grouped by `comparability_key`,
and every group says what its rows share.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence

from .benchmarks import OTHER, Benchmark, Metric, ResultVocab
from .catalog import Catalog
from .errors import UsageError
from .model import Paper, Reading, Result


def anchor(index: int) -> str:
    """The anchor of a paper's result on its page: r1, r2, ... in the order of `results:`."""
    return f"r{index + 1}"


@dataclass(frozen=True)
class Row:
    """One result of one paper, with its values in each metric's unit."""

    paper: Paper
    index: int  # position in paper.results
    result: Result
    values: dict[str, float]  # metric id -> value in the metric's unit (speed-up under 'speedup')

    @property
    def anchor(self) -> str:
        return anchor(self.index)

    @property
    def benchmark(self) -> str:
        return self.result.benchmark

    @property
    def label(self) -> str:
        """The method as printed, and the paper when the row is a baseline of another paper's table."""
        return self.result.method


def result_values(result: Result, metrics: dict[str, Metric]) -> dict[str, float]:
    """The row's values converted to each metric's unit (values printed in another unit are converted
    with metrics.yaml's factors), and the speed-up."""
    out: dict[str, float] = {}
    for name, raw in result.metrics.items():
        metric = metrics.get(name)
        value, unit = (raw.value, raw.unit) if isinstance(raw, Reading) else (raw, None)
        out[name] = metric.to_unit(float(value), unit) if metric else float(value)
    if result.speedup is not None:
        out["speedup"] = float(result.speedup.value)
    return out


def catalog_rows(catalog: Catalog) -> list[Row]:
    """Every result of the catalog, by paper id and position."""
    metrics = catalog.vocab.results.metrics
    return [Row(paper, i, r, result_values(r, metrics)) for paper in catalog.sorted_papers() for i, r in enumerate(paper.results)]


def leaderboard_exclusion(row: Row) -> str | None:
    """Why a row stays out of every leaderboard, or None: its benchmark is `other`, or it was taken
    from another paper's table and not yet checked against the original."""
    if row.benchmark == OTHER:
        return "its benchmark could not be established (benchmark: other)"
    if row.result.reported_in and row.result.original_source is None:
        return f"taken from {row.result.reported_in} and not yet checked against the original paper"
    return None


# -- comparability -----------------------------------------------------------------------------------


def _norm(text: str | None) -> str:
    return re.sub(r"[^0-9a-z]+", " ", (text or "").lower().replace("nvidia", "").replace("geforce", "")).strip()


@dataclass(frozen=True)
class KeyPart:
    """One thing comparable rows share: a field, its value, and how a page says it."""

    field: str
    value: str
    text: str


def comparability_key(row: Row, bench: Benchmark, quality: Metric, cost: Metric | None = None) -> tuple[KeyPart, ...]:
    """What two rows must share to be compared on `quality` (and `cost`). The one rule:

    - the benchmark;
    - the base model (rows of training-free methods are compared on the model they run on; rows
      without one are trained models, compared among themselves);
    - for a sample statistic (FID, IS, precision, ...): the number of samples, the reference
      statistics (the row's protocol, else the benchmark's default) and how the samples were drawn
      (class-balanced sampling lowers FID);
    - on class-conditional benchmarks, guidance on or off (CFG and classifier guidance both count as on); on text-to-image and
      video benchmarks guidance is a part of the sampler (distilled models run without it), so it
      does not split rows;
    - for a metric that depends on the machine (latency, throughput, memory): the GPU, its count
      and the batch size.
    """
    r, proto, default = row.result, row.result.protocol, bench.protocol
    parts = [KeyPart("benchmark", bench.id, bench.title)]
    parts.append(KeyPart("base_model", r.base_model or "", f"base model {r.base_model}" if r.base_model else "trained models (no base model)"))
    if quality.reference or (cost is not None and cost.reference):
        samples = (proto.samples if proto and proto.samples else None) or default.samples
        reference = (proto.reference if proto and proto.reference else None) or default.reference
        parts.append(KeyPart("samples", str(samples or ""), f"{samples:,} samples" if samples else "samples not stated"))
        parts.append(KeyPart("reference", _norm(reference), f"reference: {reference}" if reference else "reference not stated"))
        sampling = proto.sampling if proto and proto.sampling else None
        if sampling:
            parts.append(KeyPart("sampling", _norm(sampling), f"sampling: {sampling}"))
    if bench.conditioning == "class":
        guidance = (proto.guidance if proto and proto.guidance else None) or default.guidance
        guided = "" if guidance is None else ("none" if guidance == "none" else "guided")
        parts.append(KeyPart("guidance", guided, {"none": "no guidance", "guided": "with guidance (CFG or classifier)"}.get(
            guided, "guidance not stated")))
    if any(m is not None and m.hardware for m in (quality, cost)):
        hw, batch = r.hardware, (proto.batch if proto else None)
        gpu = f"{hw.count}x {hw.gpu}" if hw and hw.count and hw.count > 1 else (hw.gpu if hw else "")
        # a count the paper does not state reads as one accelerator, as the page shows it
        parts.append(KeyPart("hardware", f"{(hw.count or 1) if hw else 0} {_norm(hw.gpu if hw else '')}",
                             f"on {gpu}" if gpu else "hardware not stated"))
        parts.append(KeyPart("batch", str(batch or ""), f"batch {batch}" if batch else "batch not stated"))
    return tuple(parts)


@dataclass
class Group:
    """Rows that may be compared: they share `key`."""

    key: tuple[KeyPart, ...]
    rows: list[Row] = field(default_factory=list)

    @property
    def description(self) -> str:
        return "; ".join(p.text for p in self.key)

    def differs_from(self, other: "Group") -> list[str]:
        """The fields whose values set this group apart from another."""
        mine, theirs = {p.field: p.value for p in self.key}, {p.field: p.value for p in other.key}
        fields = [p.field for p in self.key] + [p.field for p in other.key if p.field not in mine]
        return [f for f in fields if mine.get(f, "") != theirs.get(f, "")]


def group_comparable(rows: Iterable[Row], benchmarks: dict[str, Benchmark], quality: Metric,
                     cost: Metric | None = None) -> list[Group]:
    """The rows that report `quality` (and `cost`), grouped by comparability_key: largest group first,
    then by key. Rows of `other` or unknown benchmarks are left out."""
    groups: dict[tuple, Group] = {}
    for row in rows:
        bench = benchmarks.get(row.benchmark)
        if bench is None or quality.id not in row.values or (cost is not None and cost.id not in row.values):
            continue
        key = comparability_key(row, bench, quality, cost)
        groups.setdefault(tuple((p.field, p.value) for p in key), Group(key)).rows.append(row)
    return sorted(groups.values(), key=lambda g: (-len(g.rows), [(p.field, p.value) for p in g.key]))


# -- ordering and the Pareto front ---------------------------------------------------------------------


def sort_rows(rows: Iterable[Row], metric: Metric) -> list[Row]:
    """Best first by the metric's direction; ties by paper id and position."""
    sign = 1 if metric.lower_is_better else -1
    return sorted(rows, key=lambda r: (sign * r.values[metric.id], r.paper.id, r.index))


def pareto_front(points: Sequence[tuple[float, float]], x_lower_better: bool = True, y_lower_better: bool = True) -> list[int]:
    """Indices (ascending) of the points no other point dominates: none is at least as good on both
    axes and better on one. Equal points are all on the front. O(n log n)."""
    sx = 1 if x_lower_better else -1
    sy = 1 if y_lower_better else -1
    order = sorted(range(len(points)), key=lambda i: (sx * points[i][0], sy * points[i][1]))
    front: list[int] = []
    best = None
    last = None
    for i in order:
        x, y = sx * points[i][0], sy * points[i][1]
        if best is None or y < best:
            front.append(i)
            best, last = y, (x, y)
        elif (x, y) == last:
            front.append(i)
    return sorted(front)


# -- leaderboards -----------------------------------------------------------------------------------


@dataclass
class Leaderboard:
    """The rows of a benchmark (and base model) on one metric, in comparable groups, best first."""

    metric: Metric
    benchmark: Benchmark | None
    base_model: str | None
    groups: list[Group]
    excluded: list[tuple[Row, str]]  # rows of the benchmark kept out, and why


def _metric(vocab: ResultVocab, metric_id: str) -> Metric:
    metric = vocab.metrics.get(metric_id)
    if metric is None:
        guess = vocab.suggest("metric", metric_id)
        raise UsageError(f"metric '{metric_id}' is not in metrics.yaml" + (f"; did you mean '{guess}'?" if guess else ""))
    return metric


def select_rows(catalog: Catalog, benchmark: str | None = None, base_model: str | None = None) -> list[Row]:
    """The catalog's rows on a benchmark and base model (None: any). Unknown ids are usage errors
    with a did-you-mean."""
    vocab = catalog.vocab.results
    if benchmark is not None and benchmark not in vocab.benchmarks and benchmark != OTHER:
        guess = vocab.suggest("benchmark", benchmark)
        raise UsageError(f"benchmark '{benchmark}' is not in benchmarks.yaml" + (f"; did you mean '{guess}'?" if guess else ""))
    if base_model is not None and base_model not in vocab.models:
        guess = vocab.suggest("model", base_model)
        raise UsageError(f"base model '{base_model}' is not in models.yaml" + (f"; did you mean '{guess}'?" if guess else ""))
    return [r for r in catalog_rows(catalog)
            if (benchmark is None or r.benchmark == benchmark) and (base_model is None or r.result.base_model == base_model)]


def leaderboard(catalog: Catalog, benchmark: str | None = None, base_model: str | None = None,
                metric: str | None = None) -> Leaderboard:
    """The leaderboard of a benchmark (its main quality metric unless `metric` is given), optionally
    of one base model: comparable groups, each sorted by the metric's direction."""
    vocab = catalog.vocab.results
    rows = select_rows(catalog, benchmark, base_model)
    bench = vocab.benchmarks.get(benchmark) if benchmark else None
    if metric is None:
        if bench is None:
            raise UsageError("give --metric, or a --benchmark whose main metric is used")
        metric = bench.quality
    chosen = _metric(vocab, metric)
    kept, excluded = [], []
    for row in rows:
        why = leaderboard_exclusion(row)
        if why is None:
            kept.append(row)
        elif chosen.id in row.values:
            excluded.append((row, why))
    groups = group_comparable(kept, vocab.benchmarks, chosen)
    for g in groups:
        g.rows = sort_rows(g.rows, chosen)
    return Leaderboard(chosen, bench, base_model, groups, excluded)


# -- exports ---------------------------------------------------------------------------------------

CSV_COLUMNS = ("paper", "result", "benchmark", "base_model", "method", "role", "metric", "value", "unit",
               "printed_value", "printed_unit", "speedup_basis", "speedup_vs", "steps", "nfe", "sampler", "guidance",
               "cfg_scale", "samples", "reference", "sampling", "resolution", "precision", "batch", "gpu", "gpu_count",
               "source_table", "source_version", "source_repository", "source_commit", "source_path", "reported_in",
               "original_table", "digitised", "note")


def _number(value: float) -> str:
    """A value as text without float noise: 2.8, 1000, 0.01065."""
    return f"{value:.10g}"


def tidy_records(rows: Iterable[Row], metrics: dict[str, Metric]) -> list[dict[str, str]]:
    """One record per result and metric (the speed-up is one of them), every field as text."""
    out = []
    for row in rows:
        r = row.result
        p, hw, src = r.protocol, r.hardware, r.source
        common = {
            "paper": row.paper.id, "result": row.anchor, "benchmark": r.benchmark, "base_model": r.base_model or "",
            "method": r.method, "role": r.role,
            "steps": str(p.steps) if p and p.steps else "", "nfe": str(p.nfe) if p and p.nfe else "",
            "sampler": (p.sampler or "") if p else "", "guidance": (p.guidance or "") if p else "",
            "cfg_scale": _number(p.cfg_scale) if p and p.cfg_scale is not None else "",
            "samples": str(p.samples) if p and p.samples else "", "reference": (p.reference or "") if p else "",
            "sampling": (p.sampling or "") if p else "",
            "resolution": (p.resolution or "") if p else "", "precision": (p.precision or "") if p else "",
            "batch": str(p.batch) if p and p.batch else "",
            "gpu": hw.gpu if hw else "", "gpu_count": str(hw.count) if hw and hw.count else "",
            "source_table": src.table or "", "source_version": src.version or "", "source_repository": src.repository or "",
            "source_commit": src.commit or "", "source_path": src.path or "", "reported_in": r.reported_in or "",
            "original_table": (r.original_source.table or "") if r.original_source else "",
            "digitised": "true" if r.digitised else "", "note": r.note or "",
        }
        for name, raw in r.metrics.items():
            metric = metrics.get(name)
            printed, unit = (raw.value, raw.unit) if isinstance(raw, Reading) else (raw, "")
            out.append({**common, "metric": name, "value": _number(row.values[name]), "unit": metric.unit if metric else "",
                        "printed_value": _number(printed), "printed_unit": unit, "speedup_basis": "", "speedup_vs": ""})
        if r.speedup is not None:
            out.append({**common, "metric": "speedup", "value": _number(r.speedup.value), "unit": "x",
                        "printed_value": _number(r.speedup.value), "printed_unit": "", "speedup_basis": r.speedup.basis,
                        "speedup_vs": r.speedup.vs})
    return [{c: rec[c] for c in CSV_COLUMNS} for rec in out]


def results_csv(rows: Iterable[Row], metrics: dict[str, Metric]) -> str:
    """results.csv: tidy, one line per result and metric, UTF-8, '\\n' line ends."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(tidy_records(rows, metrics))
    return buffer.getvalue()


def result_data(row: Row) -> dict:
    """One result as JSON data: where it is, the record's fields, and the values in each metric's unit."""
    data = row.result.model_dump(mode="json", exclude_none=True)
    return {"paper": row.paper.id, "result": row.anchor, "page": f"papers/{row.paper.id}/#{row.anchor}", **data,
            "values": {k: row.values[k] for k in sorted(row.values)}}


def results_json(rows: Iterable[Row]) -> str:
    """results.json: one result per line, in paper and position order."""
    items = [json.dumps(result_data(r), ensure_ascii=False, separators=(",", ":"), sort_keys=False) for r in rows]
    body = ",\n".join(items)
    return f'{{"count":{len(items)},\n"results":[\n{body}\n]}}\n' if items else '{"count":0,\n"results":[]}\n'


def format_value(value: float) -> str:
    """A value for tables: at most 4 significant decimals, no trailing zeros."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.4g}" if abs(value) < 1e-3 else f"{round(value, 4):g}"


def _shown_unit(metric: Metric) -> str:
    """The unit to print after the label: none when the label already names it as a word ('Weight bits',
    'Throughput (tokens/s)'); a one-letter unit is not named by a word that merely contains the letter
    ('Parameters' with unit M, 'minADE' with unit m)."""
    if not metric.unit or re.search(rf"(?<!\w){re.escape(metric.unit)}(?!\w)", metric.label, re.IGNORECASE):
        return ""
    return metric.unit


def metric_heading(metric: Metric) -> str:
    """'FID', 'Latency (s)', 'Parameters (M)', 'Weight bits': the label, and the unit in brackets unless the label says it."""
    unit = _shown_unit(metric)
    return metric.label + (f" ({unit})" if unit else "")


def metric_text(metric: Metric, value: float) -> str:
    """'FID 3.2', 'Latency 0.5 s', 'Parameters 860 M', 'Training epochs 800': the label, the value, and the unit
    unless the label says it."""
    unit = _shown_unit(metric)
    return f"{metric.label} {format_value(value)}{' ' + unit if unit else ''}"


# How describe_protocol words each protocol field, in the order it names them (guidance goes between the two).
_PROTOCOL_BEFORE_GUIDANCE = (("nfe", "NFE {}"), ("steps", "{} steps"), ("sampler", "{}"))
_PROTOCOL_AFTER_GUIDANCE = (("samples", "{:,} samples"), ("reference", "vs {}"), ("sampling", "{}"), ("resolution", "{}"),
                            ("precision", "{}"), ("batch", "batch {}"))
_GUIDANCE_WORDS = {"none": "no guidance", "cfg": "CFG", "classifier": "classifier guidance"}


def describe_protocol(result: Result) -> str:
    """The row's protocol in a few words: 'NFE 10, DDIM, cfg 1.5, 10,000 samples'."""
    p = result.protocol
    if p is None:
        return ""

    def fields(table: tuple[tuple[str, str], ...]) -> list[str]:
        return [fmt.format(getattr(p, name)) for name, fmt in table if getattr(p, name)]

    scale = f" {format_value(p.cfg_scale)}" if p.cfg_scale is not None else ""
    guidance = ([_GUIDANCE_WORDS[p.guidance] + scale] if p.guidance
                else [f"guidance scale{scale}"] if scale else [])
    return ", ".join(fields(_PROTOCOL_BEFORE_GUIDANCE) + guidance + fields(_PROTOCOL_AFTER_GUIDANCE))


def describe_hardware(result: Result) -> str:
    hw = result.hardware
    return "" if hw is None else (f"{hw.count}× {hw.gpu}" if hw.count and hw.count > 1 else hw.gpu)


def describe_source(result: Result, arxiv: Optional[str] = None) -> str:
    """'Table 3 (arXiv v2)', 'README.md of github.com/x/y at 1a2b3c4', with 'reported in' where it applies."""
    s = result.source
    if s.repository:
        text = f"{s.path} of {re.sub(r'^https?://', '', s.repository)} at {(s.commit or '')[:7]}" + (f", {s.table}" if s.table else "")
    else:
        text = s.table or ""
        if s.version:
            text += f" (arXiv {arxiv + s.version if arxiv else s.version})"
    if result.reported_in:
        text += f", in {result.reported_in}"
        if result.original_source and result.original_source.table:
            text += f"; original: {result.original_source.table}"
    return text
