from __future__ import annotations

import re

from conftest import REPO

from effdiff_catalog.taxonomy import Taxonomy

TAX = Taxonomy.load(REPO / "taxonomy.yaml")

# every node the survey's taxonomy names, down to the sub-leaves
SURVEY_TREE = """
algorithm
algorithm.efficient_training
algorithm.efficient_training.latent_diffusion
algorithm.efficient_training.loss_formulation
algorithm.efficient_training.loss_formulation.score_matching
algorithm.efficient_training.loss_formulation.rectified_flow
algorithm.efficient_training.training_tricks
algorithm.efficient_training.training_tricks.data_dependent_adaptive_priors
algorithm.efficient_training.training_tricks.extra_loss_supervision
algorithm.efficient_training.training_tricks.noise_schedule
algorithm.efficient_fine_tuning
algorithm.efficient_fine_tuning.low_rank_adaptation
algorithm.efficient_fine_tuning.adapter
algorithm.efficient_fine_tuning.controlnet
algorithm.efficient_sampling
algorithm.efficient_sampling.efficient_solver
algorithm.efficient_sampling.efficient_solver.sde_solver
algorithm.efficient_sampling.efficient_solver.ode_solver
algorithm.efficient_sampling.sampling_scheduling
algorithm.efficient_sampling.sampling_scheduling.parallel_sampling
algorithm.efficient_sampling.sampling_scheduling.timestep_schedule
algorithm.efficient_sampling.truncated_sampling
algorithm.efficient_sampling.truncated_sampling.early_exit
algorithm.efficient_sampling.truncated_sampling.retrieval_based
algorithm.efficient_sampling.knowledge_distillation
algorithm.efficient_sampling.knowledge_distillation.vector_field_distillation
algorithm.efficient_sampling.knowledge_distillation.generator_distillation
algorithm.compression
algorithm.compression.quantization
algorithm.compression.quantization.post_training_quantization
algorithm.compression.quantization.quantization_aware_training
algorithm.compression.pruning
system
system.hardware_software_co_design
system.parallel_computing
system.caching
frameworks
""".split()

# the nodes the catalog adds for work the survey does not cover, each marked extends_survey
EXTENSIONS = """
algorithm.efficient_training.loss_formulation.few_step_objectives
algorithm.efficient_sampling.truncated_sampling.truncated_diffusion
algorithm.efficient_sampling.knowledge_distillation.consistency_distillation
algorithm.efficient_sampling.knowledge_distillation.causal_video_distillation
algorithm.compression.token_reduction
algorithm.compression.compact_architecture
algorithm.efficient_attention
algorithm.efficient_attention.training_free_sparse_attention
algorithm.efficient_attention.trainable_sparse_attention
algorithm.efficient_attention.linear_attention
algorithm.efficient_attention.low_bit_attention
algorithm.efficient_diffusion_language_models
algorithm.efficient_diffusion_language_models.kv_caching
algorithm.efficient_diffusion_language_models.parallel_decoding
surveys
foundations
""".split()


def test_the_whole_survey_tree_in_order():
    assert [n.id for n in TAX.ordered() if not n.extends_survey] == SURVEY_TREE


def test_extensions_are_marked_and_have_no_survey_section():
    extensions = [n for n in TAX.ordered() if n.extends_survey]
    assert sorted(n.id for n in extensions) == sorted(EXTENSIONS)
    for node in extensions:
        assert node.section == "" and node.aliases, node.id
        # an extension never sits under... nothing of the survey's is below an extension
        assert all(c.extends_survey for c in node.walk()), node.id


def test_extends_survey_must_be_a_boolean(tmp_path):
    import pytest

    from effdiff_catalog.yamlsrc import ConfigError

    (tmp_path / "taxonomy.yaml").write_text(
        "nodes:\n  - id: a\n    title: A\n    description: d\n    extends_survey: 'yes'\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        Taxonomy.load(tmp_path / "taxonomy.yaml")
    assert "extends_survey must be true or false" in str(err.value)


def test_every_node_is_described():
    for node in TAX.ordered():
        assert re.fullmatch(r"[a-z_]+(\.[a-z_]+)*", node.id)
        assert node.title and node.description and isinstance(node.section, str)
        assert node.id.rsplit(".", 1)[0] == (node.parent.id if node.parent else node.id)


def test_old_headings_map_to_nodes():
    assert TAX.resolve_heading("Noise Schedule") == "algorithm.efficient_training.training_tricks.noise_schedule"
    assert TAX.resolve_heading("Efficient Scheduling") == "algorithm.efficient_sampling.sampling_scheduling"
    assert TAX.resolve_heading("Partial Sampling ") == "algorithm.efficient_sampling.truncated_sampling"
    assert TAX.resolve_heading("Low Rank Adaptation") == "algorithm.efficient_fine_tuning.low_rank_adaptation"
    assert TAX.resolve_heading("Solver") == "algorithm.efficient_sampling.efficient_solver"
    assert TAX.resolve_heading("Optimized Hardware-Software Co-Design") == "system.hardware_software_co_design"
    assert TAX.resolve_heading("🔢 Algorithm-Level Optimization") == "algorithm"
    assert TAX.resolve_heading("🧑‍💻 System-Level Optimization") == "system"
    assert TAX.resolve_heading("🔧 Frameworks") == "frameworks"
    assert TAX.resolve_heading("📣 Update News") is None


def test_no_alias_points_at_two_nodes():
    from effdiff_catalog.text import normalize_heading

    owner: dict[str, str] = {}
    for node in TAX.ordered():
        for alias in node.aliases + [node.title]:
            key = normalize_heading(alias)
            assert owner.setdefault(key, node.id) == node.id, f"{alias!r} is used by {owner[key]} and {node.id}"


def test_suggestions_for_wrong_categories():
    assert TAX.suggest("algorithm.sampling.solvr") == "algorithm.efficient_sampling.efficient_solver"
    assert TAX.suggest("ode_solver") == "algorithm.efficient_sampling.efficient_solver.ode_solver"
    assert TAX.suggest("algorithm.efficient_sampling.efficient_solver.ode_solvr") == "algorithm.efficient_sampling.efficient_solver.ode_solver"


def test_facets():
    assert {"image", "video", "3d", "audio", "text", "molecule_graph", "tabular"} <= set(TAX.facet_ids("modality"))
    strategies = TAX.facet_ids("strategies")
    assert {s for s in strategies if s.startswith("eps.")} == {"eps.training", "eps.noise_distribution", "eps.mixing", "eps.scheduling", "eps.retrieval"}
    assert len([s for s in strategies if s.startswith("eds.")]) == 10


def test_keywords_are_read_and_name_one_node_each():
    assert "feature caching" in TAX["system.caching"].keywords
    assert "post-training quantization" in TAX["algorithm.compression.quantization.post_training_quantization"].keywords
    pairs = TAX.keywords()
    assert len({k.lower() for k, _ in pairs}) == len(pairs)
    assert all(TAX[node].is_leaf or node == "surveys" for _, node in pairs)


def test_bad_keywords_are_errors(tmp_path):
    import pytest

    from effdiff_catalog.yamlsrc import ConfigError

    text = (REPO / "taxonomy.yaml").read_text(encoding="utf-8")
    bad = text.replace("keywords: [early exit,", 'keywords: [feature caching, "say \\"hi\\"",', 1)
    assert bad != text
    (tmp_path / "taxonomy.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        Taxonomy.load(tmp_path / "taxonomy.yaml")
    messages = [p.message for p in exc.value.problems]
    assert any("keyword 'feature caching' is also a keyword of system.caching" in m for m in messages) or any(
        "'feature caching' is also a keyword of algorithm.efficient_sampling.truncated_sampling.early_exit" in m for m in messages)
    assert any("must be a phrase of letters" in m for m in messages)
    assert all(p.path == "taxonomy.yaml" and p.line > 1 for p in exc.value.problems)
