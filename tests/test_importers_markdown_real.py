"""Excerpts of real awesome lists (tests/data/lists/real/, sources in their first line)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import DATA

from effdiff_catalog.catalog import Catalog
from effdiff_catalog.importers import mdentry, merge
from effdiff_catalog.importers.markdown import import_markdown, parse
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


def test_underscored_numbered_headings_and_a_misspelt_one_map_to_their_nodes(empty_root: Path):
    """XiayanZhou/Papers-on-Efficient-Diffusion-Models writes headings as '## _1-1_Quantization' and
    '### _1-1-1_Post-Traning-Quantization'. The underscores are characters (CommonMark: an underscore between
    two letters or digits is no emphasis), not markup to delete: 'plain' made '1-1Quantization' of the first
    and every heading of the list mapped to no node. The misspelt one is read as its nearest node name, and
    the report says so."""
    _, parsed = _parse(empty_root, "efficient_diffusion_underscore_headings.md")
    by_line = {item.line: item for item in parsed.report.lines}
    assert by_line[4].record == "algorithm.compression.quantization"
    assert by_line[6].record == "algorithm.compression.quantization.post_training_quantization"
    assert "read as 'post training quantization'" in by_line[6].reason
    categories = {e.category for e in parsed.entries}
    assert categories == {"algorithm.compression.quantization.post_training_quantization"}
    assert len(parsed.entries) == 27


def test_a_row_whose_link_names_another_paper_than_its_title_merges_nothing(empty_root: Path, repo_root: Path):
    """The same list swaps the arXiv links of BitsFusion (2406.04333) and BI-DiffSR (2406.05723): each row
    pairs one paper's title with the other's link, code and project page. Matched by the arXiv id, the row
    would have put one paper's code and project page into the other's record (and, with --prefer import, its
    title): now it is a conflict that names both records, and nothing is written, even with --prefer import."""
    for record in ("bitsfusion-2024", "bi-diffsr-2024"):
        shutil.copy(repo_root / "papers" / f"{record}.yaml", empty_root / "papers" / f"{record}.yaml")
    before = {p.name: p.read_bytes() for p in (empty_root / "papers").iterdir()}
    report, _ = import_markdown(REAL / "efficient_diffusion_underscore_headings.md", Catalog.load(empty_root),
                                prefer="import")
    by_line = {item.line: item for item in report.lines}
    assert (by_line[24].status, by_line[24].record) == ("conflict", "bi-diffsr-2024")
    assert "arXiv id 2406.05723" in by_line[24].reason and "the title of bitsfusion-2024" in by_line[24].reason
    assert (by_line[25].status, by_line[25].record) == ("conflict", "bitsfusion-2024")
    assert {p.name: p.read_bytes() for p in (empty_root / "papers").iterdir() if p.name in before} == before


@pytest.mark.parametrize(("title", "other", "same"), [
    ("DeepCache", "DeepCache: Accelerating Diffusion Models for Free", True),
    ("From Slow Bidirectional to Fast Causal Video Generators",
     "From Slow Bidirectional to Fast Autoregressive Video Diffusion Models", True),
    ("PipeFusion: Displaced Patch Pipeline Parallelism for Inference of Diffusion Transformer Models",
     "PipeFusion: Patch-level Pipeline Parallelism for Diffusion Transformers Inference", True),
    ("BitsFusion: 1.99 bits Weight Quantization of Diffusion Model", "Binarized Diffusion Model for Image Super-Resolution",
     False),
    ("DPM-Solver: A Fast ODE Solver for Diffusion Probabilistic Model Sampling in Around 10 Steps",
     "Pseudo Numerical Methods for Diffusion Models on Manifolds", False),
    ("Our work", "Rethinking Token-wise Feature Caching: Accelerating Diffusion Transformers with Dual Feature Caching", False),
])
def test_names_same_paper_on_title_pairs_from_real_lists(title: str, other: str, same: bool):
    assert merge.names_same_paper(title, other) is same


@pytest.mark.parametrize(("raw", "text"), [
    ("_1-1-1_Post-Traning-Quantization", "1-1-1_Post-Traning-Quantization"),
    ("**Bold** and _italic_ words", "Bold and italic words"),
    ("__DeepCache__ in snake_case", "DeepCache in snake_case"),
])
def test_plain_removes_emphasis_but_not_underscores_inside_words(raw: str, text: str):
    assert mdentry.plain(raw) == text


def test_a_near_heading_needs_a_clear_lead_over_another_nodes_name(empty_root: Path):
    taxonomy = Catalog.load(empty_root).taxonomy
    assert taxonomy.near_heading("Knowledge Distilation") == ("algorithm.efficient_sampling.knowledge_distillation",
                                                             "knowledge distillation")
    assert taxonomy.near_heading("Post-Traning-Quantization")[0].endswith("post_training_quantization")
    assert taxonomy.near_heading("Tuning") is None  # too short to guess
    assert taxonomy.near_heading("Efficient Sampling Methods") is None  # not a typo of any name


def _import_with(root: Path, repo_root: Path, name: str, records: tuple[str, ...], **options):
    """Import an excerpt into a catalog holding copies of the shipped records it cites; nothing else."""
    for record in records:
        shutil.copy(repo_root / "papers" / f"{record}.yaml", root / "papers" / f"{record}.yaml")
    report, planned = import_markdown(REAL / name, Catalog.load(root), dry_run=True, **options)
    return {item.line: item for item in report.lines}, planned


def test_a_record_this_import_creates_is_named_as_such_in_a_later_conflict(empty_root: Path):
    """The list gives MPQ-DM (its row 27) the arXiv id of MPQ-Diff (row 24, created by the same import): the
    report must not read as if the catalog already held mpq-diff-2024."""
    report, planned = import_markdown(REAL / "efficient_diffusion_underscore_headings.md", Catalog.load(empty_root),
                                      dry_run=True)
    by_line = {item.line: item for item in report.lines}
    assert (by_line[33].status, by_line[33].record) == ("created", "mpq-diff-2024")
    assert by_line[36].status == "conflict" and "mpq-diff-2024 (created by this import from line 33)" in by_line[36].reason
    assert planned["mpq-diff-2024"].paper.title == "MPQ-Diff: Mixed Precision Quantization for Diffusion Models"


def test_chinese_column_headers_and_method_names_in_the_title_column(empty_root: Path, repo_root: Path):
    """leeguandong/Awesome-DIT-Cache: '| 方法 | 会议/年 | ... | arXiv | 代码 |' (method, venue/year, ..., code), the
    method column holding short names. The venue column was ignored (a CVPR paper read as a preprint), and every
    short name was a title conflict with the record its arXiv link names (41 false conflicts on the whole list)."""
    _, parsed = _parse(empty_root, "dit_cache_chinese_table.md")
    got = _entries(parsed)
    assert got[5] == ("DeepCache", "CVPR", 2024, "https://arxiv.org/abs/2312.00858", "https://github.com/horseee/DeepCache")
    assert got[6][1:3] == ("NeurIPS", 2024)
    by_line, _ = _import_with(empty_root, repo_root, "dit_cache_chinese_table.md",
                              ("deepcache-2023", "faster-diffusion-2023", "t-gate-2024", "fora-2024"), category="system.caching")
    assert [by_line[n].status for n in (5, 6, 7, 8)] == ["merged"] * 4
    assert not any(by_line[n].conflicts for n in (5, 6, 7, 8))


def test_a_bold_name_over_indented_field_lines_is_one_entry(empty_root: Path):
    """'* **HarmoniCa**：' over '  * 地址：<repo>' (address) and '  * 论文：[arXiv 2410.01723](...)' (paper): one
    entry named HarmoniCa with its code and paper, not an entry titled '论文：'. A '地址' that is a github.io site is
    not code."""
    _, parsed = _parse(empty_root, "dit_cache_bold_name_blocks.md")
    got = {e.line: e for e in parsed.entries}
    assert (got[3].title, got[3].links.get("paper"), got[3].links.get("code")) == (
        "HarmoniCa", "https://arxiv.org/abs/2410.01723", "https://github.com/ModelTC/HarmoniCa")
    assert got[8].title == "AdaCache" and "code" not in got[8].links
    assert got[17].title == "Skip-DiT"
    assert 13 not in got  # DBCache: a repository and no paper
    assert not any("论文" in e.title for e in parsed.entries)


def test_titles_that_name_another_record_or_nearly_a_records_title_create_nothing(empty_root: Path, repo_root: Path):
    """ChengYoghurt/awesome-dit-accelerations gives Sparse VideoGen2's title with Sparse VideoGen's arXiv id, and
    SVDQuant's title with 'Component' for 'Components' and no arXiv link (it links the ICLR poster page): the first
    would have merged SVG2 facts into SVG's record, the second created a second SVDQuant."""
    by_line, planned = _import_with(empty_root, repo_root, "dit_accelerations_misnamed_links.md",
                                    ("sparse-videogen-2025", "sparse-videogen-2-2025", "svdquant-2024"),
                                    category="algorithm.compression.quantization.post_training_quantization")
    assert (by_line[2].status, by_line[2].record) == ("conflict", "sparse-videogen-2025")
    assert "the title of sparse-videogen-2-2025" in by_line[2].reason
    assert (by_line[14].status, by_line[14].record) == ("conflict", "svdquant-2024")
    assert "nearly that of svdquant-2024" in by_line[14].reason
    assert not any(p.paper.title.startswith("SVDQuant") for p in planned.values())


def test_a_month_in_the_year_column_does_not_date_a_venue_named_without_its_year(empty_root: Path, repo_root: Path):
    """'| [Speculative Diffusion Decoding ...](arXiv) | 2024.08 | NAACL |': 2024.08 is when the preprint was
    posted; the paper is in NAACL 2025, and reading 'NAACL 2024' made a false year conflict."""
    _, parsed = _parse(empty_root, "dllm_month_column.md")
    entry = next(e for e in parsed.entries if e.line == 6)
    assert entry.venue == "arXiv" and any("'NAACL' given without its year" in n for n in entry.notes)
    by_line, _ = _import_with(empty_root, repo_root, "dllm_month_column.md", ("speculative-diffusion-decoding-2024",),
                              category="algorithm.efficient_diffusion_language_models.parallel_decoding")
    assert by_line[6].status == "merged" and not by_line[6].conflicts


def test_a_code_label_on_a_project_site_is_the_project_page(empty_root: Path):
    """joelulu/Awesome-Acceleration-GenAI: '[[Code](https://liewfeng.github.io/TeaCache/)]'."""
    _, parsed = _parse(empty_root, "genai_code_labels_on_pages.md")
    got = {e.line: e.links for e in parsed.entries}
    assert got[3].get("project") == "https://liewfeng.github.io/TeaCache/" and "code" not in got[3]
    assert mdentry.link_kind("Code", "https://github.com/ali-vilab/TeaCache") == "code"


def test_a_plus_plus_version_is_not_a_near_copy_of_its_predecessor():
    """Ruixxxx/Awesome-Vision-Mamba-Models lists MTMamba (ECCV 2024) and MTMamba++ (TPAMI 2025): normalized
    without their '+' signs the two titles were 97% alike, and the second was held back as a near-copy."""
    from rapidfuzz import fuzz

    a = merge.near_key("MTMamba: Enhancing Multi-Task Dense Scene Understanding by Mamba-Based Decoders")
    b = merge.near_key("MTMamba++: Enhancing Multi-Task Dense Scene Understanding via Mamba-Based Decoders")
    assert b.startswith("mtmamba plus plus") and fuzz.ratio(a, b) < 95
    assert fuzz.ratio(merge.near_key("SVDQuant: Absorbing Outliers by Low-Rank Component for 4-Bit Diffusion Models"),
                      merge.near_key("SVDQuant: Absorbing Outliers by Low-Rank Components for 4-Bit Diffusion Models")) >= 95


def test_a_new_entry_titled_by_a_method_name_gets_a_note(empty_root: Path):
    """leeguandong/Awesome-DIT-Cache names papers only by method ('**DeepCache**'): a record created from such a row
    would carry 'DeepCache' as its title, so the report says to put the paper's title in before committing."""
    report, planned = import_markdown(REAL / "dit_cache_chinese_table.md", Catalog.load(empty_root), dry_run=True,
                                      category="system.caching")
    by_line = {item.line: item for item in report.lines}
    assert by_line[5].status == "created" and planned[by_line[5].record].paper.title == "DeepCache"
    assert any("has only 1 word(s)" in note for note in by_line[5].notes)


def test_titles_without_links_match_records_by_their_exact_title_and_create_nothing(empty_root: Path, repo_root: Path):
    """lliai/Awesome-Efficient-Diffusion-Models names its papers by title alone ('- [CVPR] On Distillation of Guided
    Diffusion Models', no link, a venue without its year): the import stopped with 'found no list entries'. Each
    item now matches a record by its exact title (and files it under its heading's node), or says that no record
    has the title, naming a record with the same method name; it never creates a record."""
    records = ("distillation-guided-diffusion-2022", "catch-up-distillation-2023", "boot-2023", "q-diffusion-2023",
               "binarydm-2024", "quest-2024")
    by_line, planned = _import_with(empty_root, repo_root, "efficient_diffusion_titles_only.md", records)
    assert (by_line[2].kind, by_line[2].record) == ("heading", "algorithm.efficient_sampling.knowledge_distillation")
    assert (by_line[19].kind, by_line[19].record) == ("heading", "algorithm.compression.quantization")
    assert (by_line[8].status, by_line[8].record) == ("merged", "distillation-guided-diffusion-2022")
    assert "venue tag 'CVPR' without a year: not taken" in by_line[8].notes
    assert (by_line[14].status, by_line[14].fields) == ("merged", ["categories"])
    assert "algorithm.efficient_sampling.knowledge_distillation" in planned["catch-up-distillation-2023"].paper.categories
    assert (by_line[29].status, by_line[29].record, by_line[29].conflicts) == ("merged", "q-diffusion-2023", [])
    assert (by_line[36].status, by_line[36].record) == ("merged", "quest-2024")  # no venue tag at all
    assert by_line[10].status == "skipped" and by_line[10].reason.startswith("no record has this title: the list names")
    for line, record in ((12, "boot-2023"), (25, "binarydm-2024")):  # 'BOOT: ...', 'BinaryDM: Towards ...': renamed since
        assert (by_line[line].status, by_line[line].record) == ("skipped", record)
        assert "has the same method name: most likely the same paper under another title" in by_line[line].reason
    assert by_line[4].kind == "text"  # the section's prose
    assert not any(p.status == "created" for p in planned.values())
    assert set(planned) <= set(records)


def _import_text_with_q_diffusion(root: Path, repo_root: Path, text: str) -> dict:
    """Dry-run import of a small list into a catalog that holds only the shipped q-diffusion-2023."""
    shutil.copy(repo_root / "papers" / "q-diffusion-2023.yaml", root / "papers" / "q-diffusion-2023.yaml")
    source = root / "list.md"
    source.write_text(text, encoding="utf-8")
    report, _ = import_markdown(source, Catalog.load(root), dry_run=True)
    return {item.line: item for item in report.lines}


def test_a_title_alone_takes_its_year_from_the_heading_and_sub_items_are_not_titles(empty_root: Path, repo_root: Path):
    by_line = _import_text_with_q_diffusion(empty_root, repo_root, "## Quantization\n"
                                            "- [Q-Diffusion: Quantizing Diffusion Models](https://arxiv.org/abs/2302.04304)\n"
                                            "  - Authors Xiuyu Li and others\n"
                                            "  - Quantizes the noise estimation network to four bits\n"
                                            "### 2022\n"
                                            "- [ICCV] Q-Diffusion: Quantizing Diffusion Models\n"
                                            "- Code will be released soon.\n")
    assert (by_line[2].status, by_line[2].record) == ("merged", "q-diffusion-2023")
    assert by_line[3].kind == by_line[4].kind == by_line[7].kind == "text"
    assert (by_line[6].status, by_line[6].record) == ("conflict", "q-diffusion-2023")  # ICCV 2022 by the heading; the record has 2023
    assert by_line[6].conflicts == [{"field": "year", "record": 2023, "import": 2022}]
    assert "year 2022 from the heading" in by_line[6].notes


def test_a_heading_that_names_the_field_after_the_node_maps_to_the_node(empty_root: Path):
    taxonomy = Catalog.load(empty_root).taxonomy
    assert taxonomy.resolve_heading("Quantization for Diffusion Models") == "algorithm.compression.quantization"
    assert taxonomy.resolve_heading("Knowledge Distillation in Diffusion") == "algorithm.efficient_sampling.knowledge_distillation"
    assert taxonomy.resolve_heading("Pruning of DiTs") == "algorithm.compression.pruning"
    assert taxonomy.resolve_heading("Diffusion Models") is None
    assert taxonomy.resolve_heading("Quantization for Language Models") is None


def test_a_bold_venue_tag_without_a_link_is_a_title_alone_or_the_first_line_of_its_entry(empty_root: Path, repo_root: Path):
    """'- **[ICCV 2023]** Q-Diffusion: ...' with no link was skipped ('list item without a link') even when its
    links follow on the next, indented line; now the two lines are one entry, and the line alone is a title."""
    by_line = _import_text_with_q_diffusion(empty_root, repo_root, "## Quantization\n"
                                            "- **[ICCV 2023]** Q-Diffusion: Quantizing Diffusion Models\n"
                                            "  [[Paper](https://arxiv.org/abs/2302.04304)] "
                                            "[[Code](https://github.com/Xiuyu-Li/q-diffusion)]\n"
                                            "- **[ICCV 2023]** Q-Diffusion: Quantizing Diffusion Models\n")
    assert (by_line[2].status, by_line[2].record) == ("merged", "q-diffusion-2023")
    assert by_line[3].reason == "part of the entry at line 2"
    assert (by_line[4].status, by_line[4].record, by_line[4].conflicts) == ("merged", "q-diffusion-2023", [])


def test_a_link_to_an_arxiv_mirror_is_a_link_to_the_paper(empty_root: Path, repo_root: Path):
    """'[[pdf]](https://papers.cool/arxiv/2405.16005)': lists written in Chinese link Cool Papers; the entry was
    skipped as undated ('no arXiv link'). Every page urls.arxiv_id reads an id from is a paper link."""
    assert mdentry.is_paper_url("https://papers.cool/arxiv/2405.16005")
    assert mdentry.is_paper_url("https://www.alphaxiv.org/overview/2407.14057v2")
    assert not mdentry.is_paper_url("https://github.com/Xiuyu-Li/q-diffusion")
    by_line = _import_text_with_q_diffusion(empty_root, repo_root, "## Quantization\n"
                                            "- Q-Diffusion: Quantizing Diffusion Models [[pdf]](https://papers.cool/arxiv/2302.04304)\n")
    assert (by_line[2].status, by_line[2].record) == ("merged", "q-diffusion-2023")
    assert "link https://papers.cool/arxiv/2302.04304 -> https://arxiv.org/abs/2302.04304" in by_line[2].notes


def test_a_title_alone_that_prefixes_a_records_title_with_a_name_points_to_it(empty_root: Path, repo_root: Path):
    """lliai lists '[NeurIPS] Diff-Pruning: Structural Pruning for Diffusion Models'; the record's title is the part
    after the name. The report names the record; nothing is merged (a title alone proves too little)."""
    shutil.copy(repo_root / "papers" / "structural-pruning-diffusion-2023.yaml",
                empty_root / "papers" / "structural-pruning-diffusion-2023.yaml")
    source = empty_root / "list.md"
    source.write_text("## Pruning\n- [NeurIPS] Diff-Pruning: Structural Pruning for Diffusion Models\n", encoding="utf-8")
    report, planned = import_markdown(source, Catalog.load(empty_root), dry_run=True)
    item = next(i for i in report.lines if i.line == 2)
    assert (item.status, item.record) == ("skipped", "structural-pruning-diffusion-2023")
    assert "has the title that follows the method's name here" in item.reason
    assert not planned
