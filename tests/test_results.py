"""results.py: the comparability rule (one function, one table of cases), the Pareto front (against a
brute-force front), leaderboards, `effdiff results` and the tidy exports."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from effdiff_catalog.catalog import Catalog
from effdiff_catalog.cli import main
from effdiff_catalog.errors import UsageError
from effdiff_catalog.model import Paper, Result
from effdiff_catalog.results import (Row, catalog_rows, comparability_key, group_comparable, leaderboard, pareto_front,
                                     result_values, results_csv, results_json, sort_rows)
from effdiff_catalog.vocab import load_vocab

VOCAB = load_vocab(REPO)
RV = VOCAB.results
PAPER = Paper.model_validate({"id": "x-2024", "title": "X", "venue": "ICLR", "year": 2024, "added": "2026-11-30",
                              "links": {"paper": "https://example.org/x"}, "categories": ["system.caching"]})


def row(benchmark="imagenet-256-class-cond", index=0, **fields) -> Row:
    data = {"benchmark": benchmark, "method": fields.pop("method", f"m{index}"), "role": "proposed",
            "metrics": fields.pop("metrics", {"fid": 3.0, "nfe": 10}), "source": {"table": "Table 1"}, **fields}
    result = Result.model_validate(data, context={"vocab": VOCAB})
    return Row(PAPER, index, result, result_values(result, RV.metrics))


FID, NFE, LATENCY, CLIP = (RV.metrics[m] for m in ("fid", "nfe", "latency_s", "clip_score"))


# the comparability rule: pairs of rows, and whether a leaderboard may put them on one axis
CASES = [
    ("same benchmark, defaults", {}, {}, FID, None, True),
    ("another benchmark", {}, {"benchmark": "imagenet-512-class-cond"}, FID, None, False),
    ("another base model", {"base_model": "dit-xl-2"}, {"base_model": "u-vit-h-2"}, FID, None, False),
    ("base model against a trained model", {"base_model": "dit-xl-2"}, {}, FID, None, False),
    ("FID with 10k samples against the default 50k", {}, {"protocol": {"samples": 10000}}, FID, None, False),
    ("FID with the default's samples written out", {}, {"protocol": {"samples": 50000}}, FID, None, True),
    ("FID against other reference statistics", {}, {"protocol": {"reference": "ImageNet validation set"}}, FID, None, False),
    ("FID of class-balanced samples against random ones", {}, {"protocol": {"sampling": "class-balanced, 50 per class"}}, FID, None,
     False),
    ("CFG on against off, class-conditional", {"protocol": {"guidance": "cfg"}}, {"protocol": {"guidance": "none"}}, FID, None, False),
    ("CFG against classifier guidance: both guided", {"protocol": {"guidance": "cfg"}}, {"protocol": {"guidance": "classifier"}},
     FID, None, True),
    ("CFG scale differs: still both guided", {"protocol": {"cfg_scale": 1.5}}, {"protocol": {"cfg_scale": 4}}, FID, None, True),
    ("CFG on against off, text-to-image: guidance is part of the sampler", {"benchmark": "coco2017-5k-t2i", "protocol": {"guidance": "cfg"}},
     {"benchmark": "coco2017-5k-t2i", "protocol": {"guidance": "none"}}, FID, None, True),
    ("CLIP score is no sample statistic: samples do not matter", {"benchmark": "coco2017-5k-t2i", "metrics": {"clip_score": 30}},
     {"benchmark": "coco2017-5k-t2i", "metrics": {"clip_score": 31}, "protocol": {"samples": 1000}}, CLIP, None, True),
    ("latency on the same GPU", {"hardware": {"gpu": "A100"}, "metrics": {"fid": 3, "latency_s": 1}},
     {"hardware": {"gpu": "NVIDIA A100"}, "metrics": {"fid": 4, "latency_s": 2}}, FID, LATENCY, True),
    ("latency on another GPU", {"hardware": {"gpu": "A100"}, "metrics": {"fid": 3, "latency_s": 1}},
     {"hardware": {"gpu": "H100"}, "metrics": {"fid": 4, "latency_s": 2}}, FID, LATENCY, False),
    ("latency on 8 GPUs against 1", {"hardware": {"gpu": "A100", "count": 8}, "metrics": {"fid": 3, "latency_s": 1}},
     {"hardware": {"gpu": "A100"}, "metrics": {"fid": 4, "latency_s": 2}}, FID, LATENCY, False),
    ("latency at another batch size", {"hardware": {"gpu": "A100"}, "protocol": {"batch": 8}, "metrics": {"fid": 3, "latency_s": 1}},
     {"hardware": {"gpu": "A100"}, "protocol": {"batch": 1}, "metrics": {"fid": 4, "latency_s": 2}}, FID, LATENCY, False),
    ("the GPU does not matter for FID against NFE", {"hardware": {"gpu": "A100"}}, {"hardware": {"gpu": "H100"}}, FID, NFE, True),
]


@pytest.mark.parametrize("name, a, b, quality, cost, comparable", CASES, ids=[c[0] for c in CASES])
def test_comparability_rule(name, a, b, quality, cost, comparable):
    rows = [row(index=0, **a), row(index=1, **b)]
    groups = group_comparable(rows, RV.benchmarks, quality, cost)
    assert (len(groups) == 1) == comparable, [g.description for g in groups]
    if not comparable and len(groups) == 2:
        assert groups[0].differs_from(groups[1])  # a page can say why


def test_the_key_says_what_rows_share():
    key = comparability_key(row(base_model="dit-xl-2", protocol={"guidance": "cfg"}), RV.benchmarks["imagenet-256-class-cond"], FID)
    assert [p.text for p in key] == ["ImageNet 256×256, class-conditional", "base model dit-xl-2", "50,000 samples",
                                     "reference: ADM reference batch (ImageNet 256x256 training set)", "with guidance (CFG or classifier)"]


def test_rows_without_the_metric_or_on_other_are_left_out():
    rows = [row(index=0), row(index=1, metrics={"nfe": 4}), row(benchmark="other", index=2)]
    assert [[r.index for r in g.rows] for g in group_comparable(rows, RV.benchmarks, FID)] == [[0]]


def brute_front(points, x_lower, y_lower):
    def better_or_equal(p, q):  # p at least as good as q on both axes
        return ((p[0] <= q[0]) if x_lower else (p[0] >= q[0])) and ((p[1] <= q[1]) if y_lower else (p[1] >= q[1]))

    return [i for i, p in enumerate(points)
            if not any(better_or_equal(q, p) and q != p for j, q in enumerate(points) if j != i)]


coords = st.one_of(st.integers(0, 6).map(float), st.floats(0.01, 1000, allow_nan=False))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(coords, coords), max_size=25), st.booleans(), st.booleans())
def test_pareto_front_equals_the_brute_force_front(points, x_lower, y_lower):
    assert pareto_front(points, x_lower, y_lower) == brute_front(points, x_lower, y_lower)


def test_pareto_front_examples():
    # FID (lower better) against NFE (lower better): (10, 2.0) and (4, 3.0) trade off; (10, 5.0) is dominated
    assert pareto_front([(10, 2.0), (4, 3.0), (10, 5.0), (4, 3.0)]) == [0, 1, 3]
    # CLIP score (higher better) against latency (lower better)
    assert pareto_front([(1.0, 30.0), (2.0, 31.0), (2.0, 29.0)], True, False) == [0, 1]


def test_sort_rows_follows_the_direction():
    rows = [row(index=i, metrics={"fid": v, "clip_score": 40 - v}) for i, v in enumerate([3.0, 1.0, 2.0])]
    assert [r.values["fid"] for r in sort_rows(rows, FID)] == [1.0, 2.0, 3.0]
    assert [r.values["clip_score"] for r in sort_rows(rows, CLIP)] == [39.0, 38.0, 37.0]


def test_values_are_converted_to_the_metric_unit():
    r = row(metrics={"latency_s": {"value": 250, "unit": "ms"}, "tflops": {"value": 37.3, "unit": "GFLOPs"}}, hardware={"gpu": "A100"})
    assert r.values == {"latency_s": 0.25, "tflops": pytest.approx(0.0373)}


def shipped() -> Catalog:
    return Catalog.load_valid(REPO)


def test_leaderboard_of_the_shipped_catalog_is_sorted_and_grouped():
    board = leaderboard(shipped(), "imagenet-256-class-cond", metric="fid")
    assert board.metric.id == "fid" and len(board.groups) >= 2
    for group in board.groups:
        values = [r.values["fid"] for r in group.rows]
        assert values == sorted(values)
        assert len({comparability_key(r, board.benchmark, board.metric) for r in group.rows}) == 1


def test_unknown_ids_are_usage_errors_with_did_you_mean():
    with pytest.raises(UsageError, match="did you mean 'imagenet-256-class-cond'"):
        leaderboard(shipped(), "imagenet-256-class-cnd")
    with pytest.raises(UsageError, match="did you mean 'fid'"):
        leaderboard(shipped(), "imagenet-256-class-cond", metric="fdi")


def test_cli_prints_a_sorted_sourced_leaderboard(capsys):
    assert main(["results", "--root", str(REPO), "--benchmark", "imagenet-256-class-cond", "--metric", "fid"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ImageNet 256×256, class-conditional: FID (lower is better)")
    assert "group 1: ImageNet 256×256, class-conditional; trained models (no base model); 50,000 samples" in out
    assert "diffusion-models-beat-2021#r3" in out and "Table 6" in out
    first_group = out.split("group 2:")[0]
    fids = [float(line.split()[1]) for line in first_group.splitlines() if line.strip()[:1].isdigit() and len(line.split()) > 2]
    assert fids == sorted(fids) and len(fids) >= 5


def test_cli_formats_csv_and_json(capsys):
    assert main(["results", "--root", str(REPO), "--benchmark", "cifar10-32-uncond", "--format", "csv"]) == 0
    records = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert records and {r["benchmark"] for r in records} == {"cifar10-32-uncond"}
    assert all(r["paper"] and r["result"].startswith("r") and r["metric"] and r["value"] and (r["source_table"] or r["source_repository"])
               for r in records)
    assert main(["results", "--root", str(REPO), "--benchmark", "cifar10-32-uncond", "--metric", "fid", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["count"] == len(data["results"]) > 0 and all("fid" in r["values"] for r in data["results"])


def test_tidy_csv_has_one_line_per_result_and_metric():
    catalog = shipped()
    rows = catalog_rows(catalog)
    text = results_csv(rows, RV.metrics)
    lines = list(csv.DictReader(io.StringIO(text)))
    assert len(lines) == sum(len(r.result.metrics) + (1 if r.result.speedup else 0) for r in rows)
    speed = next(line for line in lines if line["metric"] == "speedup")
    assert speed["speedup_basis"] and speed["speedup_vs"]
    ms = [line for line in lines if line["printed_unit"] == "min"]
    assert ms and all(float(line["value"]) == pytest.approx(float(line["printed_value"]) * 60) for line in ms)  # 46.23 min
    assert results_csv(rows, RV.metrics) == text and results_json(rows) == results_json(catalog_rows(shipped()))


def test_cli_refuses_an_unknown_benchmark(capsys):
    assert main(["results", "--root", str(REPO), "--benchmark", "cifar-10"]) == 2
    assert "benchmark 'cifar-10' is not in benchmarks.yaml" in capsys.readouterr().err


def test_text_benchmarks_of_diffusion_language_models_rank_by_accuracy(capsys):
    """dLLM acceleration papers report accuracy with tokens/s on GSM8K, MATH, HumanEval and MBPP at a generation
    length: text benchmarks of benchmarks.yaml, grouped by the base model, best (highest) accuracy first."""
    bench = RV.benchmarks["gsm8k-5shot-gen256"]
    assert bench.modality == "text" and bench.quality == "accuracy" and not RV.metrics["accuracy"].lower_is_better
    assert RV.metrics["tokens_per_s"].hardware
    assert main(["results", "--root", str(REPO), "--benchmark", "gsm8k-5shot-gen256", "--metric", "accuracy"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("GSM8K, 5-shot, generation length 256: Accuracy (higher is better)")
    groups = out.split("  group ")[1:]
    assert len(groups) >= 2 and all("; base model " in g.splitlines()[0] for g in groups)
    for group in groups:
        values = [float(line.split()[1]) for line in group.splitlines()[3:] if line.strip()[:1].isdigit()]
        assert values == sorted(values, reverse=True) and values
    assert "fast-dllm-2025#r" in out and "tokens/s" in out


def test_a_reader_that_stops_early_is_not_an_error():
    """`effdiff results ... | head`: when the reader closes the pipe, effdiff stops quietly with exit 0, no traceback
    and no 'error' line. The reader here closes before reading anything, so the first write already meets the
    closed pipe, whatever the size of the pipe's buffer."""
    proc = subprocess.Popen([sys.executable, "-m", "effdiff_catalog.cli", "results", "--root", str(REPO), "--benchmark",
                             "cifar10-32-uncond"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    assert err == ""


def test_units_are_printed_unless_the_label_names_them_as_a_word():
    """'Parameters' contains an 'm' but does not name the unit M: PixArt-α's page printed 'Parameters 12000' for 12 B."""
    from effdiff_catalog.results import metric_heading, metric_text

    metrics = RV.metrics
    assert metric_text(metrics["params_m"], 12000) == "Parameters 12000 M"
    assert metric_heading(metrics["params_m"]) == "Parameters (M)"
    assert metric_heading(metrics["min_ade"]) == "minADE (m)"
    assert metric_heading(metrics["latency_s"]) == "Latency (s)"
    # labels that do name their unit keep it once
    assert metric_heading(metrics["weight_bits"]) == "Weight bits"
    assert metric_text(metrics["train_epochs"], 800) == "Training epochs 800"
    assert metric_heading(metrics["tokens_per_s"]) == "Throughput (tokens/s)"
    assert metric_text(metrics["fid"], 3.2) == "FID 3.2"
