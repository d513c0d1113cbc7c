"""Excerpts of real awesome lists (tests/data/lists/real/, sources in their first line)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DATA

from effdiff_catalog.catalog import Catalog
from effdiff_catalog.importers import mdentry
from effdiff_catalog.importers.markdown import parse
from effdiff_catalog.venues import Venues

REAL = DATA / "lists" / "real"
NODE = "algorithm.efficient_sampling"


def _parse(empty_root: Path, name: str):
    text = (REAL / name).read_text(encoding="utf-8")
    return text, parse(text, name, Catalog.load(empty_root), None, NODE)


def _entries(parsed) -> dict[int, tuple]:
    return {e.line: (e.title, e.venue, e.year, e.links.get("paper"), e.links.get("code")) for e in parsed.entries}


@pytest.mark.parametrize("name", sorted(p.name for p in REAL.glob("*.md")))
def test_every_line_with_a_paper_link_is_an_entry_or_has_a_reason(empty_root: Path, name: str):
    text, parsed = _parse(empty_root, name)
    lines = text.splitlines()
    assert lines[0].startswith("<!-- source: https://github.com/")
    by_line = {item.line: item for item in parsed.report.lines}
    assert sorted(by_line) == list(range(1, len(lines) + 1))
    for number, line in enumerate(lines, 1):
        if any(mdentry.is_paper_url(link.url) for link in mdentry.find_links(line)):
            item = by_line[number]
            assert item.kind == "entry" or (item.kind == "skipped" and item.reason), (number, line)


def test_bold_title_venue_and_blank_separated_links(empty_root: Path):
    _, parsed = _parse(empty_root, "diffusion_cache_bold_blocks.md")
    got = _entries(parsed)
    assert got[12] == ("DeepCache: Accelerating Diffusion Models for Free", "CVPR", 2024, "https://arxiv.org/abs/2312.00858",
                       "https://github.com/horseee/DeepCache")
    assert got[6][:3] == ("Accelerating Text-to-Image Editing via Cache-Enabled Sparse Diffusion Inference", "AAAI", 2024)
    assert got[24][:3] == ("Approximate Caching for Efficiently Serving Diffusion Models", "NSDI", 2024)


def test_html_table_rows(empty_root: Path):
    _, parsed = _parse(empty_root, "diffusion_quant_html_table.md")
    got = _entries(parsed)
    assert got[30] == ("Q-Diffusion: Quantizing Diffusion Models", "ICCV", 2023, "https://arxiv.org/abs/2302.04304",
                       "https://github.com/Xiuyu-Li/q-diffusion")
    assert len(got) == 4


def test_quoted_titles_in_nested_blocks(empty_root: Path):
    _, parsed = _parse(empty_root, "efficient_diffusion_blocks.md")
    got = _entries(parsed)
    assert got[7][:4] == ("Deep Unsupervised Learning using Nonequilibrium Thermodynamics", "ICML", 2015, "https://arxiv.org/abs/1503.03585")
    assert got[12][:3] == ("Denoising Diffusion Probabilistic Models", "NeurIPS", 2020)


def test_tables_under_year_headings_and_venue_link_labels(empty_root: Path):
    _, parsed = _parse(empty_root, "pruning_tables_year_headings.md")
    got = _entries(parsed)
    assert got[8] == ("HYDRA: Pruning Adversarially Robust Neural Networks", "NeurIPS", 2020, "https://arxiv.org/abs/2002.10509",
                      "https://github.com/inspire-group/hydra")
    _, parsed = _parse(empty_root, "quantization_venue_links.md")
    got = _entries(parsed)
    assert got[4] == ("Binarized Spectral Compressive Imaging", "NeurIPS", 2023, "https://arxiv.org/abs/2305.10299",
                      "https://github.com/caiyuanhao1998/BiSCI")


def test_ins_venue_and_backslash_blocks_and_badges(empty_root: Path):
    _, parsed = _parse(empty_root, "efficient_llm_ins.md")
    got = _entries(parsed)
    assert got[3] == ("SparseGPT: Massive Language Models Can Be Accurately Pruned in One-Shot", "ICML", 2023,
                      "https://arxiv.org/abs/2301.00774", "https://github.com/IST-DASLab/sparsegpt")
    _, parsed = _parse(empty_root, "diffusion_models_backslash_blocks.md")
    assert _entries(parsed)[2][:3] == ("Spiking Denoising Diffusion Probabilistic Models", "arXiv", 2023)
    _, parsed = _parse(empty_root, "video_diffusion_badges.md")
    assert _entries(parsed)[14][:4] == ("Causal Forcing: Autoregressive Diffusion Distillation Done Right for High-Quality Real-Time "
                                        "Interactive Video Generation", "arXiv", 2026, "https://arxiv.org/abs/2602.02214")


def test_undated_non_arxiv_papers_are_reported_not_guessed(empty_root: Path):
    _, parsed = _parse(empty_root, "knowledge_distillation_authors.md")
    skipped = [item for item in parsed.report.lines if item.kind == "skipped"]
    assert skipped and all(item.reason == "no venue and year found, and no arXiv link to date the paper" for item in skipped
                           if "](" in item.text and "arxiv" not in item.text)
    assert _entries(parsed)[13][:3] == ("Distilling the Knowledge in a Neural Network", "arXiv", 2015)


def test_linked_badges_in_a_table_are_the_paper_and_the_code(empty_root: Path):
    """[![arXiv](badge)](arxiv url) in a 'Paper' column, [![Star](badge)](repo) in 'Code/Project', the venue in
    a 'Publisher' column (minar09/awesome-autoregressive-video-diffusion-transformers)."""
    _, parsed = _parse(empty_root, "autoregressive_video_badge_table.md")
    got = _entries(parsed)
    assert len(got) == 7
    assert got[7] == ("Causal Forcing: Causal Autoregressive Video Diffusion", "arXiv", 2026,
                      "https://arxiv.org/abs/2602.02214", "https://github.com/thu-ml/Causal-Forcing")
    assert got[9][:4] == ("Stable Video Infinity: Infinite-Length Video Generation with Error Recycling", "ICLR", 2026,
                          "https://arxiv.org/abs/2510.09212")


def test_badge_lines_under_an_entry_belong_to_it(empty_root: Path):
    """Lines that hold only badges, right below a dated entry line (VILA-Lab/Awesome-DLMs) or indented under a
    bullet (showlab/Awesome-Video-Diffusion), are part of that entry; a Star badge gives its repository."""
    _, parsed = _parse(empty_root, "dlm_dated_lines_badges.md")
    got = _entries(parsed)
    assert got[7] == ("Flow Straight and Fast: Learning to Generate and Transfer Data with Rectified Flow", "ICLR", 2023,
                      "https://arxiv.org/abs/2209.03003", "https://github.com/gnobitab/RectifiedFlow")
    by_line = {item.line: item for item in parsed.report.lines}
    assert by_line[8].reason == by_line[9].reason == "part of the entry at line 7"
    _, parsed = _parse(empty_root, "video_diffusion_badges.md")
    helios = next(e for e in parsed.entries if e.title.startswith("Helios"))
    assert helios.links["code"] == "https://github.com/PKU-YuanGroup/Helios"


def test_short_name_labels_and_lab_names_are_not_part_of_the_title(empty_root: Path):
    """'🔥[**PNDM**] PSEUDO NUMERICAL ... MANIFOLDS(@)' and '... Cache System for Video Diffusion(@University of
    Waterloo)' (xlite-dev/Awesome-DiT-Inference): the bracketed short name before the title and the '(@lab)' after
    it are the list's, not the paper's. Before, the title came out as 'PNDM] PSEUDO ... MANIFOLDS(@', which matched
    no record and made a second PNDM."""
    _, parsed = _parse(empty_root, "dit_inference_short_names_labs.md")
    got = _entries(parsed)
    assert got[4][0] == "Denoising Diffusion Probabilistic Models"
    assert got[6][:4] == ("PSEUDO NUMERICAL METHODS FOR DIFFUSION MODELS ON MANIFOLDS", "arXiv", 2022,
                          "https://arxiv.org/abs/2202.09778")
    assert got[7][0] == "DPM-Solver: A Fast ODE Solver for Diffusion Probabilistic Model Sampling in Around 10 Steps"
    assert got[9][0] == "FlexCache: Flexible Approximate Cache System for Video Diffusion"
    assert got[14][0] == ("Accelerating Diffusion Transformer via Increment-Calibrated Caching with Channel-Aware "
                          "Singular Value Decomposition")
    assert got[15][0] == "FastCache: Fast Caching for Diffusion Transformer Through Learnable Linear Approximation"
    assert not any("@" in title or "]" in title for title, *_ in got.values())


def test_a_trailing_short_name_in_parentheses_is_the_lists(empty_root: Path):
    """'**Improved Techniques for Training Consistency Models (iCT)** [ICLR 2024]' (ustcchx/Awesome-One-Step-
    Generation): the title is what precedes '(iCT)'; it used to keep a dangling '(iCT'."""
    _, parsed = _parse(empty_root, "one_step_bold_short_names.md")
    got = _entries(parsed)
    assert got[2][:4] == ("Consistency Models", "ICML", 2023, "https://arxiv.org/abs/2303.01469")
    assert got[6][:4] == ("Improved Techniques for Training Consistency Models", "ICLR", 2024,
                          "https://arxiv.org/abs/2310.14189")
    assert got[12][0] == "Latent Consistency Models"
    assert got[16][:2] == ("Consistency Trajectory Models", "ICLR")
    assert got[20][0] == "SANA-Sprint: One-Step Diffusion with Continuous-Time Consistency Distillation"
    assert not any("(" in title or ")" in title for title, *_ in got.values())


@pytest.mark.parametrize(("raw", "title"), [
    ("[Q-Diffusion: Quantizing Diffusion Models]", "Q-Diffusion: Quantizing Diffusion Models"),
    ("Scaling Up (Almost) Everything", "Scaling Up (Almost) Everything"),
    ("(Almost) Free Lunch for Diffusion Sampling", "(Almost) Free Lunch for Diffusion Sampling"),
    ("Diffusion Models are Minimax Optimal (Extended Version)", "Diffusion Models are Minimax Optimal (Extended Version)"),
    ("[Re] Reproducing Progressive Distillation", "[Re] Reproducing Progressive Distillation"),
    ("[SD3] Scaling Rectified Flow Transformers(@Stability AI)", "Scaling Rectified Flow Transformers"),
    ("Token Merging for Fast Stable Diffusion (ToMe)", "Token Merging for Fast Stable Diffusion"),
    ("Token Merging for Fast Stable Diffusion (", "Token Merging for Fast Stable Diffusion"),
])
def test_title_cleaning_keeps_the_papers_own_brackets(raw: str, title: str):
    assert mdentry.clean_title_text(raw, Venues([])) == title


def test_a_table_row_without_its_closing_pipe_is_still_a_row(empty_root: Path):
    """GFM makes the outer pipes optional; the last row of ealicesora/Awesome-Autoregressive-Video-Diffusion has no
    closing '|' and came out as an entry titled '| 2025'."""
    _, parsed = _parse(empty_root, "autoregressive_video_open_row.md")
    got = _entries(parsed)
    assert got[5][:4] == ("Memory Forcing: Spatio-Temporal Memory for Consistent Scene Generation on Minecraft", "arXiv",
                          2025, "https://arxiv.org/abs/2510.03198")
    assert got[4][0].startswith("Rolling Sink: Bridging Limited-Horizon Training")


def test_brackets_inside_a_link_label_stay_in_the_title(empty_root: Path):
    """'[MAGE: All-[MASK] Block Already Knows Where to Look in Diffusion LLM](arxiv url)' (VILA-Lab/Awesome-DLMs):
    the title keeps its '[MASK]' and the line is one entry, not raw markdown; a badge whose only text is a URL is
    not an entry with a URL for a title."""
    _, parsed = _parse(empty_root, "dlm_brackets_in_titles.md")
    got = _entries(parsed)
    assert got[3][:4] == ("MAGE: All-[MASK] Block Already Knows Where to Look in Diffusion LLM", "arXiv", 2026,
                          "https://arxiv.org/abs/2602.14209")
    assert got[5][0] == "Diffusion LLM with Native Variable Generation Lengths: Let [EOS] Lead the Way"
    assert 2 not in got
    by_line = {item.line: item for item in parsed.report.lines}
    assert by_line[2].kind == "skipped" and "without a title" in by_line[2].reason


def test_a_numbered_bold_title_loses_its_number(empty_root: Path):
    """'**3. An Empirical Study of Qwen3 Quantization** [[Paper](u)]' (Efficient-ML/Awesome-Model-Quantization)."""
    _, parsed = _parse(empty_root, "quantization_numbered_bold.md")
    got = _entries(parsed)
    assert got[2][:4] == ("An Empirical Study of Qwen3 Quantization", "arXiv", 2025, "https://arxiv.org/abs/2505.02214")
    assert got[3][0] == "Low-bit Model Quantization for Deep Neural Networks: A Survey"
