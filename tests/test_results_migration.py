"""The migration of the 84 free-text results (frozen in tests/data/results/) to rows of tables: no
number is lost, and the corrections the issue names are made."""

from __future__ import annotations

import re

import yaml
from conftest import DATA, REPO

from effdiff_catalog.catalog import Catalog

OLD = yaml.safe_load((DATA / "results" / "old-results-2026-11-30.yaml").read_text(encoding="utf-8"))
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def numbers(text: str) -> set[float]:
    return {float(n) for n in NUMBER.findall(re.sub(r"(?<=\d),(?=\d{3})", "", text))}  # 2,000 is one number


def _catalog() -> Catalog:
    return Catalog.load(REPO)


def test_the_fixture_holds_the_84_old_results_of_33_papers():
    assert len(OLD) == 33 and sum(len(v) for v in OLD.values()) == 84


def test_no_number_of_an_old_result_is_lost():
    """Every number of an old result's value, setting and baseline is in the paper's new rows: a
    metric value as printed, a protocol field, the hardware, a speed-up, or the text of a method or note
    (the benchmark's title and the base model's id count, for '32x32' and 'v1.5')."""
    catalog = _catalog()
    vocab = catalog.vocab.results
    missing = {}
    for pid, old_results in OLD.items():
        paper = catalog.papers[pid]
        assert paper.results, pid
        text = yaml.safe_dump([r.model_dump(mode="json", exclude_none=True) for r in paper.results], allow_unicode=True)
        text += " ".join(vocab.benchmarks[r.benchmark].title + " " + vocab.benchmarks[r.benchmark].resolution
                         for r in paper.results if r.benchmark in vocab.benchmarks)
        have = numbers(text)
        for i, old in enumerate(old_results):
            wanted = {float(old["value"])} | numbers(str(old.get("setting", ""))) | numbers(str(old.get("baseline", "")))
            lost = sorted(wanted - have)
            if lost:
                missing[f"{pid}[{i}]"] = lost
    assert missing == {}


def test_every_old_value_is_a_structured_value_or_said_why_not():
    """The old `value` of each result is a metric value, a speed-up or a protocol number of a new row
    (not only a note), except where the row's hardware is unknown (latencies kept in the note)."""
    catalog = _catalog()
    unstructured = []
    for pid, old_results in OLD.items():
        values = set()
        for r in catalog.papers[pid].results:
            values |= {float(v.value if hasattr(v, "value") else v) for v in r.metrics.values()}
            if r.speedup:
                values.add(float(r.speedup.value))
        for i, old in enumerate(old_results):
            if float(old["value"]) not in values:
                unstructured.append(f"{pid}[{i}] {old['metric']} {old['value']}")
    assert sorted(unstructured) == [
        # latencies and latency speed-ups whose GPU the record does not name (validate would refuse them): in the note
        "deepcache-2023[1] speedup 2.15", "deepcache-2023[2] speedup 2.11",
        # the survey's 'inference time' without a unit: in the note
        "efficient-diffusion-models-2022[5] inference time 0.91782", "frido-2022[2] inference time 1.02865",
        "high-resolution-image-2021[7] inference time 0.82547",
        "leapfrog-diffusion-model-2023[0] latency 46", "leapfrog-diffusion-model-2023[1] latency 46",
        "learning-to-cache-2024[1] speedup 1.74",
        # faster training convergence: no inference basis (latency, throughput, FLOPs, MACs, NFE) fits; in the note
        "reconstruction-vs-generation-2025[1] speedup 21.8", "representation-alignment-generation-2024[1] speedup 17.5",
        "sana-sprint-2025[1] latency 0.21", "step-diffusion-distribution-2023[1] latency 0.09",
        "streamdiffusion-2023[0] latency 10.65", "streamdiffusion-2023[1] speedup 13.0", "streamdiffusion-2023[2] speedup 2.05",
    ]


def test_the_corrections_the_issue_names():
    catalog = _catalog()
    adm = catalog.papers["diffusion-models-beat-2021"].results
    fid_394 = [r for r in adm if r.metrics.get("fid") == 3.94]
    assert [r.source.table for r in fid_394] == ["Table 6"]  # not Table 5
    # the survey's Table III rows: ADM's 1.90 at 1000 steps and LDM's 2.95 at 200 steps are LSUN Bedrooms results
    survey = [r for p in ("diffusion-models-beat-2021", "high-resolution-image-2021") for r in catalog.papers[p].results
              if r.reported_in == "efficient-diffusion-models-2022"]
    by_fid = {r.metrics.get("fid"): r for r in survey if "fid" in r.metrics}
    assert by_fid[1.9].benchmark == by_fid[2.95].benchmark == "lsun-bedroom-256-uncond"
    # '1.9M parameters' for LDM cannot be right: kept as printed, on no benchmark
    params = [r for r in survey if "params_m" in r.metrics and r.metrics["params_m"] == 1.9]
    assert len(params) == 1 and params[0].benchmark == "other"


def test_rows_taken_from_another_paper_enter_no_leaderboard_unchecked():
    from effdiff_catalog.results import catalog_rows, leaderboard_exclusion

    for row in catalog_rows(_catalog()):
        if row.result.reported_in and row.result.original_source is None:
            assert leaderboard_exclusion(row) is not None, (row.paper.id, row.anchor)
