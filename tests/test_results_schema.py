"""Structured results: the schema, the vocabularies (benchmarks.yaml, metrics.yaml, models.yaml) and
the checks validate runs, each problem located at file:line:column."""

from __future__ import annotations

import pytest
from conftest import VALID_RECORD, write_record

from effdiff_catalog.benchmarks import load_result_vocab
from effdiff_catalog.catalog import Catalog
from effdiff_catalog.cli import main
from effdiff_catalog.yamlsrc import ConfigError

RESULT = """\
results:
- benchmark: cifar10-32-uncond
  method: Rows (Ours)
  role: proposed
{body}  source:
    table: Table 2
"""


def record(body: str, category: str = "algorithm.efficient_sampling.knowledge_distillation.generator_distillation") -> str:
    text = VALID_RECORD.format(id="rows-2020", title="Rows").replace(
        "algorithm.efficient_sampling.efficient_solver.ode_solver", category)
    return text + RESULT.format(body=body)


def problems(root, body: str, **kw) -> list[str]:
    write_record(root, "rows-2020", record(body, **kw))
    return [p.format() for p in Catalog.load(root).problems]


def test_a_valid_row_loads(empty_root):
    assert problems(empty_root, "  metrics:\n    fid: 3.2\n    nfe: 4\n") == []


def validate_output(root, body: str, capsys) -> str:
    """What `effdiff validate` prints for a record with these result lines (it must refuse them)."""
    write_record(root, "rows-2020", record(body))
    assert main(["validate", "--root", str(root)]) == 1
    return capsys.readouterr().out


def test_latency_without_hardware_is_refused_at_its_line(empty_root, capsys):
    out = validate_output(empty_root, "  metrics:\n    fid: 3.2\n    latency_s: 0.5\n", capsys)
    assert "papers/rows-2020.yaml:17:5: error: results[0].metrics.latency_s: a latency needs the hardware it was measured on" in out
    assert "hint: add hardware: {gpu: A100, count: 1}" in out


def test_speedup_without_basis_is_refused_at_its_line(empty_root, capsys):
    out = validate_output(empty_root, "  speedup:\n    value: 2.8\n    vs: Baseline\n", capsys)
    assert "papers/rows-2020.yaml:16:5: error: results[0].speedup.basis: required field 'basis' is missing" in out
    assert "latency, throughput, flops, macs or nfe" in out


def test_a_latency_based_speedup_needs_hardware(empty_root):
    found = problems(empty_root, "  speedup:\n    value: 2.8\n    basis: latency\n    vs: Baseline\n")
    assert any("results[0].speedup.basis: a latency-based speed-up needs the hardware" in p for p in found), found
    assert problems(empty_root, "  speedup:\n    value: 2.8\n    basis: nfe\n    vs: Baseline\n") == []


@pytest.mark.parametrize("body, message", [
    ("  metrics:\n    fdi: 3.2\n", "metric 'fdi' is not in metrics.yaml\n    hint: did you mean 'fid'?"),
    ("  metrics:\n    fid: -1\n", "FID -1 is below 0"),
    ("  metrics:\n    weight_bits: 40\n", "Weight bits 40 bits is above 32"),
    ("  metrics:\n    geneval: 74\n", "GenEval overall 74 is above 1"),
    ("  metrics:\n    latency_s: {value: 3, unit: hours}\n  hardware: {gpu: A100}\n", "Latency is not given in 'hours'"),
    ("  metrics:\n    speedup: 2\n", "a speed-up is not a metric of the row"),
    ("  metrics: {}\n", "the result has no metrics and no speedup"),
])
def test_metric_checks(empty_root, body, message):
    found = "\n".join(problems(empty_root, body))
    assert message in found


def test_values_in_another_unit_are_converted_and_ranged(empty_root):
    assert problems(empty_root, "  metrics:\n    latency_s: {value: 120, unit: ms}\n  hardware: {gpu: A100}\n") == []
    assert problems(empty_root, "  metrics:\n    clip_score: {value: 0.31, unit: fraction}\n") == []
    found = "\n".join(problems(empty_root, "  metrics:\n    clip_score: 0.31\n    vbench_total: 0.8\n"))
    assert found == ""  # both in range as printed; a 0-1 value of a 0-100 metric is the contributor's to mark
    found = "\n".join(problems(empty_root, "  metrics:\n    clip_score: {value: 31, unit: fraction}\n"))
    assert "CLIP score 3100 is above 100" in found


@pytest.mark.parametrize("label", ["Ours", "ours", "Our method", "Proposed", "Ours, NFE 10", "Ours (L_simple)", "Ours-Tiny"])
def test_a_row_must_name_its_method(empty_root, capsys, label):
    write_record(empty_root, "rows-2020", record("  metrics:\n    fid: 3\n").replace("method: Rows (Ours)", f"method: '{label}'"))
    assert main(["validate", "--root", str(empty_root)]) == 1
    out = capsys.readouterr().out
    assert f"papers/rows-2020.yaml:13:11: error: results[0].method: '{label}' does not say which method the row is" in out
    assert "hint: begin with the method's name and keep the paper's word, e.g. 'DeepCache (Ours), N=5'" in out
    # the paper's word after the name, and names that only begin with the letters, are fine
    for fine in ("Rows (Ours)", "Rows (Ours), NFE 10", "Rows (Ours-Tiny)", "OursNet", "Proposal-Free DiT"):
        write_record(empty_root, "rows-2020", record("  metrics:\n    fid: 3\n").replace("method: Rows (Ours)", f"method: {fine}"))
        assert [p.format() for p in Catalog.load(empty_root).problems] == [], fine


def test_unknown_benchmark_and_base_model_have_did_you_mean(empty_root):
    write_record(empty_root, "rows-2020", record("  metrics:\n    fid: 3\n").replace(
        "benchmark: cifar10-32-uncond", "benchmark: cifar10-32-uncnd\n  base_model: sd15"))
    found = "\n".join(p.format() for p in Catalog.load(empty_root).problems)
    assert "papers/rows-2020.yaml:12:14: error: results[0].benchmark: benchmark 'cifar10-32-uncnd' is not in benchmarks.yaml" in found
    assert "did you mean 'cifar10-32-uncond'?" in found
    assert "base model 'sd15' is not in models.yaml" in found and "did you mean 'sd-1.5'?" in found


def test_caching_results_must_name_their_base_model(empty_root):
    found = problems(empty_root, "  metrics:\n    fid: 3\n", category="system.caching")
    assert any("results[0].benchmark: this paper's method runs on a pretrained model: the result needs base_model" in p for p in found)
    # baselines and rows on `other` may leave it out
    write_record(empty_root, "rows-2020", record("  metrics:\n    fid: 3\n", category="system.caching").replace(
        "role: proposed", "role: baseline"))
    assert [p.format() for p in Catalog.load(empty_root).problems] == []


def test_the_base_model_rule_follows_the_main_category(empty_root):
    """A trained model (main node: training) that names caching second reports its own model's numbers:
    no base model needed. A caching method (main node) with a second node still needs one."""
    body = "  metrics:\n    fid: 3\n"
    training = "algorithm.efficient_training.training_tricks.extra_loss_supervision"
    two = record(body, category=training).replace(f"- {training}\n", f"- {training}\n- system.caching\n")
    assert "- system.caching\n" in two
    write_record(empty_root, "rows-2020", two)
    assert [p.format() for p in Catalog.load(empty_root).problems] == []
    swapped = record(body, category="system.caching").replace("- system.caching\n", f"- system.caching\n- {training}\n")
    assert f"- {training}\n" in swapped
    write_record(empty_root, "rows-2020", swapped)
    assert any("the result needs base_model" in p.format() for p in Catalog.load(empty_root).problems)


def test_a_source_names_a_table_or_a_repository_file(empty_root):
    base = record("  metrics:\n    fid: 3\n")
    write_record(empty_root, "rows-2020", base.replace("    table: Table 2\n", "    repository: https://github.com/a/b\n"))
    found = "\n".join(p.format() for p in Catalog.load(empty_root).problems)
    assert "a repository source needs repository, commit and path" in found
    write_record(empty_root, "rows-2020", base.replace("    table: Table 2\n", "    repository: https://github.com/a/b\n"
                                                       f"    commit: {'a' * 40}\n    path: README.md\n"))
    assert [p.format() for p in Catalog.load(empty_root).problems] == []
    write_record(empty_root, "rows-2020", base.replace("    table: Table 2\n", "    table: Table 2\n    version: second\n"))
    assert "is not an arXiv version" in "\n".join(p.format() for p in Catalog.load(empty_root).problems)
    # a README table is named by its heading, quoted; a phrase that names no table is refused
    write_record(empty_root, "rows-2020", base.replace("    table: Table 2\n", "    table: 'Table \"Pretrained LDMs\"'\n"))
    assert [p.format() for p in Catalog.load(empty_root).problems] == []
    write_record(empty_root, "rows-2020", base.replace("    table: Table 2\n", "    table: our experiments\n"))
    assert "source 'our experiments' does not name a table or figure" in "\n".join(
        p.format() for p in Catalog.load(empty_root).problems)


def test_an_old_free_text_result_gets_a_hint(empty_root):
    text = VALID_RECORD.format(id="old-2020", title="Old") + "results:\n- metric: FID\n  value: 3.1\n  setting: CIFAR-10\n  source: Table 2\n"
    write_record(empty_root, "old-2020", text)
    found = "\n".join(p.format() for p in Catalog.load(empty_root).problems)
    assert "papers/old-2020.yaml:12:3: error: results[0].metric: this result is in the old free-text form" in found


def test_broken_vocabulary_entries_are_located(tmp_path):
    (tmp_path / "metrics.yaml").write_text(
        "metrics:\n  - {id: fid, label: FID, unit: '', direction: lower, kind: quality}\n"
        "  - {id: nfe, label: NFE, unit: '', direction: fewer, kind: cost}\n"
        "  - {id: fid, label: FID again, unit: '', direction: lower, kind: quality}\n", encoding="utf-8")
    (tmp_path / "benchmarks.yaml").write_text(
        "benchmarks:\n  - {id: b-1, title: B, task: t, dataset: d, split: s, resolution: '', conditioning: none, modality: image,"
        " quality: nfe}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_result_vocab(tmp_path)
    text = "\n".join(p.format() for p in info.value.problems)
    assert "metrics.yaml:3:48: error: metrics[1].direction: Input should be 'lower' or 'higher'" in text
    assert "metrics.yaml:4:10: error: metrics[2].id: id 'fid' is listed twice" in text
    assert "benchmarks.yaml:2:118: error: benchmarks[0].quality: 'nfe' is not a quality metric of metrics.yaml" in text


def test_the_shipped_vocabularies_load_and_agree(repo_root):
    from effdiff_catalog.vocab import load_vocab

    vocab = load_vocab(repo_root).results
    assert len(vocab.benchmarks) >= 18 and {"cifar10-32-uncond", "imagenet-256-class-cond", "vbench-t2v"} <= set(vocab.benchmarks)
    assert {"fid", "lpips", "nfe", "latency_s", "weight_bits", "speedup"} <= set(vocab.metrics)
    assert {"sd-1.5", "flux-1-dev", "hunyuanvideo", "wan2.1-t2v-14b", "dit-xl-2"} <= set(vocab.models)
    assert all(vocab.metrics[b.quality].kind == "quality" for b in vocab.benchmarks.values())
