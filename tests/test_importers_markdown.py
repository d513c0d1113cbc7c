"""The survey list's markdown format, with every spelling the real lists use."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import DATA

from effdiff_catalog.catalog import Catalog
from effdiff_catalog.cli import main
from effdiff_catalog.importers.markdown import ImportError_, import_markdown

LISTS = DATA / "lists"
ADDED = dt.date(2026, 11, 23)


def _import(root: Path, name: str, dry_run: bool = False):
    return import_markdown(LISTS / name, Catalog.load(root), dry_run=dry_run, added=ADDED)


def test_venue_variants_and_link_styles(empty_root: Path):
    report, planned = _import(empty_root, "venue_variants.md")
    catalog = Catalog.load(empty_root)
    assert catalog.errors == []
    papers = catalog.papers
    resshift = papers["resshift-2024"]
    assert (resshift.title, resshift.venue, resshift.year) == (
        "ResShift: Efficient Diffusion Model for Image Super-resolution by Residual Shifting", "NeurIPS", 2024)
    assert resshift.links.code == "https://github.com/zsyOAOA/ResShift"
    immiscible = papers["immiscible-diffusion-2024"]
    assert (immiscible.venue, immiscible.arxiv, immiscible.links.paper) == ("arXiv", "2406.12303", "https://arxiv.org/abs/2406.12303")
    text = papers["text-diffusion-model-2024"]
    assert (text.title, text.venue) == ("Text Diffusion Model with Encoder-Decoder Transformers for Sequence-to-Sequence Generation", "ACL")
    assert papers["t2i-adapter-2024"].links.code == "https://github.com/TencentARC/T2I-Adapter"
    assert papers["pipefusion-2024"].links.code == "https://github.com/PipeFusion/PipeFusion"
    assert papers["t2i-adapter-2024"].categories == ["algorithm.efficient_fine_tuning.adapter"]


def test_a_paper_listed_twice_is_one_record_with_both_places(empty_root: Path):
    _import(empty_root, "venue_variants.md")
    papers = Catalog.load(empty_root).papers
    ddim = papers["denoising-diffusion-implicit-2021"]
    assert ddim.categories == ["algorithm.efficient_training.training_tricks.noise_schedule",
                               "algorithm.efficient_sampling.efficient_solver"]
    assert [p for p in papers if p.startswith("structural-pruning")] == ["structural-pruning-diffusion-2023"]
    assert len(papers) == 8


def test_every_line_is_accounted_for(empty_root: Path):
    report, _ = _import(empty_root, "venue_variants.md", dry_run=True)
    lines = (LISTS / "venue_variants.md").read_text(encoding="utf-8").splitlines()
    assert [item.line for item in report.lines if item.line] == list(range(1, len(lines) + 1))
    by_line = {item.line: item for item in report.lines}
    for number, line in enumerate(lines, 1):
        if "](" in line:  # a line with a link is an entry or skipped with a reason
            item = by_line[number]
            assert item.kind == "entry" or (item.kind == "skipped" and item.reason), (number, line)
    skipped = {item.line: item.reason for item in report.lines if item.kind == "skipped"}
    assert skipped == {
        18: "empty list item",
        27: "tagged as an arXiv preprint but links no arXiv page, so its arXiv id is unknown; add the record by hand",
        32: "venue tag [Workshop 2024] names no venue",
        35: "table-of-contents link to a section of the page",
        36: "entry under a heading that maps to no taxonomy node (add the heading to --map, or give --category)",
    }
    notes = {item.line: item.notes for item in report.lines if item.notes}
    assert notes[5] == ["link https://arxiv.org/pdf/2407.03297 -> https://arxiv.org/abs/2407.03297"]  # tag agrees with the id
    assert notes[7] == ["link https://arxiv.org/pdf/2406.12303 -> https://arxiv.org/abs/2406.12303"]
    assert "dropped 'ACL 24' after the title" in notes[8]
    by_line_status = {item.line: (item.status, item.record, item.fields) for item in report.lines if item.kind == "entry"}
    # DDIM's second listing spells the title in lower case: the same paper, merged (its Solver place added)
    assert by_line_status[16] == ("merged", "denoising-diffusion-implicit-2021", ["categories"])


def test_arxiv_tag_that_disagrees_with_the_id_uses_the_id(empty_root: Path):
    list_md = empty_root / "list.md"
    list_md.write_text("## Caching Technique\n- **[Arxiv 2024.09]** PeRFlow: Piecewise Rectified Flow as Universal Plug-and-Play Accelerator. "
                       "[[Paper]](https://arxiv.org/pdf/2405.07510)\n", encoding="utf-8")
    report, planned = import_markdown(list_md, Catalog.load(empty_root), added=ADDED)
    [paper] = Catalog.load(empty_root).papers.values()
    assert (paper.id, paper.year, paper.arxiv) == ("perflow-2024", 2024, "2405.07510")
    assert report.lines[1].notes[-1] == "tag says 2024.09 but arXiv id 2405.07510 was posted 2024.05; using 2024"


def test_dry_run_writes_nothing_and_reimport_changes_nothing(empty_root: Path):
    _import(empty_root, "venue_variants.md", dry_run=True)
    assert list((empty_root / "papers").iterdir()) == []
    _import(empty_root, "venue_variants.md")
    before = {p.name: p.read_bytes() for p in (empty_root / "papers").iterdir()}
    report, planned = _import(empty_root, "venue_variants.md")
    assert planned == {}
    assert {p.name: p.read_bytes() for p in (empty_root / "papers").iterdir()} == before
    assert report.counts()["merged"] == 10
    assert all(item.fields == [] for item in report.lines if item.status == "merged")


def test_seed_list_merges_into_the_official_one(empty_root: Path):
    _import(empty_root, "survey-list-2025-06.md")
    first = Catalog.load(empty_root)
    assert len(first.papers) == 112  # the 113th (Δ-DiT) links no arXiv page and is reported
    report, planned = _import(empty_root, "survey-list-2024-10.md")
    catalog = Catalog.load(empty_root)
    assert catalog.errors == []
    assert len(catalog.papers) == 112
    merged = [item for item in report.lines if item.status == "merged"]
    assert len(merged) == 30 and len([m for m in merged if m.fields == ["categories"]]) == 9
    assert catalog.papers["resshift-2024"].categories == ["algorithm.efficient_training.training_tricks.noise_schedule"]
    assert {f.name for f in catalog.frameworks} >= {"FlashAttention", "xFormers", "DeepSpeed", "OneFlow", "Stable-Fast", "Onediff",
                                                    "DeepCache", "TGATE", "xDiT", "Diffusers", "DALL-E", "LiteGen", "InvokeAI",
                                                    "ComfyUI-Docker", "Grate", "Versatile Diffusion", "UniDiffuser"}
    assert len(catalog.frameworks) == 17  # OneDiff is in both tables


def test_not_markdown_gets_one_clear_error(empty_root: Path, capsys):
    binary = empty_root / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(ImportError_, match="not a UTF-8 text file"):
        import_markdown(binary, Catalog.load(empty_root))
    prose = empty_root / "notes.md"
    prose.write_text("# My notes\nNothing to import here.\n", encoding="utf-8")
    assert main(["import-markdown", str(prose), "--root", str(empty_root)]) == 1
    assert "found no list entries" in capsys.readouterr().err


def test_cli_report_json(empty_root: Path, capsys):
    out = empty_root / "report.json"
    assert main(["import-markdown", str(LISTS / "venue_variants.md"), "--root", str(empty_root), "--dry-run",
                 "--report", str(out), "--added", "2026-11-23"]) == 0
    data = json.loads(out.read_text())
    assert data["counts"]["created"] == 8
    assert "dry run: nothing was written" in capsys.readouterr().out
    assert list((empty_root / "papers").iterdir()) == []


def test_other_list_formats(empty_root: Path):
    from effdiff_catalog.importers.markdown import load_heading_map

    catalog = Catalog.load(empty_root)
    heading_map = load_heading_map(LISTS / "format_samples.map.yaml", catalog.taxonomy)
    report, _ = import_markdown(LISTS / "format_samples.md", catalog, added=ADDED, heading_map=heading_map)
    papers = Catalog.load(empty_root).papers
    got = {p.id: (p.title, p.venue, p.year, p.links.paper, p.links.code) for p in papers.values()}
    assert got == {
        "dpm-solver-2022": ("DPM-Solver: A Fast ODE Solver for Diffusion Probabilistic Model Sampling in Around 10 Steps", "NeurIPS", 2022,
                            "https://arxiv.org/abs/2206.00927", None),
        "gaussian-mixture-solvers-2023": ("Gaussian Mixture Solvers for Diffusion Models", "NeurIPS", 2023,
                                          "https://papers.nips.cc/paper_files/paper/2023/file/51373b6499708b6fcc38f1e8f8f5b376-Paper-Conference.pdf",
                                          "https://github.com/Guohanzhong/GMS"),
        "fast-sampling-diffusion-2023": ("Fast Sampling of Diffusion Models with Exponential Integrator", "ICLR", 2023,
                                         "https://openreview.net/pdf?id=Loek7hfb46P", "https://github.com/qsh-zh/deis"),
        "denoising-mcmc-accelerating-2023": ("Denoising MCMC for Accelerating Diffusion-Based Generative Models", "ICML", 2023,
                                             "https://proceedings.mlr.press/v202/kim23z/kim23z.pdf", None),
        "deepcache-2023": ("DeepCache: Accelerating Diffusion Models for Free", "CVPR", 2024, "https://arxiv.org/abs/2312.00858", None),
        "ptqd-2023": ("PTQD: Accurate Post-Training Quantization for Diffusion Models", "NeurIPS", 2023, "https://arxiv.org/abs/2305.10657", None),
        "q-diffusion-2023": ("Q-Diffusion: Quantizing Diffusion Models", "ICCV", 2023, "https://arxiv.org/abs/2302.04304",
                             "https://github.com/Xiuyu-Li/q-diffusion"),
        "structural-pruning-diffusion-2023": ("Structural Pruning for Diffusion Models", "NeurIPS", 2023, "https://arxiv.org/abs/2305.10924",
                                              "https://github.com/VainF/Diff-Pruning"),
        "ld-pruner-2024": ("LD-Pruner", "CVPRW", 2024, "https://arxiv.org/abs/2404.10586", None),
    }
    assert papers["q-diffusion-2023"].categories == ["algorithm.efficient_sampling.efficient_solver"]
    assert papers["ld-pruner-2024"].categories == ["algorithm.compression.pruning"]
    kinds = {item.line: (item.kind, item.reason) for item in report.lines}
    assert kinds[1] == ("heading", "heading maps to no taxonomy node (add it to --map); its entries are skipped")
    assert kinds[10] == ("entry", "part of the entry at line 9")


def test_heading_map_errors_name_the_line(empty_root: Path, tmp_path: Path):
    from effdiff_catalog.importers.markdown import load_heading_map

    bad = tmp_path / "map.yaml"
    bad.write_text("Samplers: algorithm.sampling.solvr\n", encoding="utf-8")
    with pytest.raises(ImportError_, match=r"map.yaml:1:11: 'Samplers' maps to 'algorithm.sampling.solvr', which is not in taxonomy.yaml; did you mean"):
        load_heading_map(bad, Catalog.load(empty_root).taxonomy)


def test_setext_headings(empty_root: Path, tmp_path: Path):
    md = tmp_path / "setext.md"
    md.write_text("Samplers\n========\n- [DPM-Solver: A Fast ODE Solver for Diffusion Probabilistic Model Sampling in Around 10 Steps]"
                  "(https://arxiv.org/abs/2206.00927) - NeurIPS 2022\n\nNot a list\n---\n", encoding="utf-8")
    report, _ = import_markdown(md, Catalog.load(empty_root), added=ADDED, heading_map={"Samplers": "algorithm.efficient_sampling"})
    kinds = [(item.line, item.kind, item.status) for item in report.lines]
    assert kinds[:3] == [(1, "heading", ""), (2, "text", ""), (3, "entry", "created")]
    assert Catalog.load(empty_root).papers["dpm-solver-2022"].categories == ["algorithm.efficient_sampling"]


def test_a_list_whose_headings_map_to_nothing_is_reported_not_refused(empty_root: Path, capsys):
    assert main(["import-markdown", str(DATA / "lists" / "real" / "pruning_tables_year_headings.md"), "--root", str(empty_root),
                 "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "entries are under headings that map to no taxonomy node: map the headings with --map FILE, or give --category NODE" in out
    assert "skipped: entry under a heading that maps to no taxonomy node" in out


def test_one_rule_dates_a_preprint_in_every_entry_format(empty_root: Path):
    """The venue tag of `**[Arxiv 2024.09]** Title` and of `[Arxiv 2024.09] Title` go through the same
    rule (markdown.preprint_year): the arXiv id's year wins, and the note says so in the same words."""
    from effdiff_catalog.importers.markdown import parse

    text = ("## Caching Technique\n"
            "- **[Arxiv 2024.09]** PeRFlow: Piecewise Rectified Flow as Universal Plug-and-Play Accelerator. "
            "[[Paper]](https://arxiv.org/pdf/2405.07510)\n"
            "- [Arxiv 2024.09] PeRFlow: Piecewise Rectified Flow as Universal Plug-and-Play Accelerator. "
            "[Paper](https://arxiv.org/abs/2405.07510)\n")
    parsed = parse(text, "list.md", Catalog.load(empty_root))
    notes = [[n for n in e.notes if n.startswith("tag says")] for e in parsed.entries]
    assert notes == [["tag says 2024.09 but arXiv id 2405.07510 was posted 2024.05; using 2024"]] * 2
    assert {(e.venue, e.year) for e in parsed.entries} == {("arXiv", 2024)}


def _large_list(n: int) -> str:
    words = "diffusion efficient fast sampling solver distillation quantization pruning latent caching".split()
    lines = []
    for i in range(n):
        if i % 200 == 0:
            lines.append("\n## Efficient Sampling\n")
        title = " ".join(words[(i * 7 + k) % len(words)].capitalize() for k in range(5 + i % 5)) + f" {i}"
        lines.append(f"- **[NeurIPS {2019 + i % 6}]** {title}. [[Paper]](https://example.org/papers/{i}.pdf) "
                     f"[[Code]](https://github.com/lab{i}/repo{i})")
    return "\n".join(lines) + "\n"


def test_a_large_list_is_imported_in_a_small_multiple_of_its_size(empty_root: Path, tmp_path: Path):
    import tracemalloc

    path = tmp_path / "large.md"
    path.write_text(_large_list(12_000), encoding="utf-8")
    size = path.stat().st_size
    catalog = Catalog.load(empty_root)
    tracemalloc.start()
    try:
        report, planned = import_markdown(path, catalog, dry_run=True, added=dt.date(2026, 11, 30))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.counts()["created"] == 12_000 and len(planned) == 12_000
    assert planned["diffusion-efficient-fast-2019"].paper.links.code == "https://github.com/lab0/repo0"
    # every entry kept as a model and a copy of the input held twice made it 30 times the input; the
    # index of titles by their ends, which keeps a near-copy of a title from becoming a second record,
    # adds about 1 (11.9 -> 12.9 on this list)
    assert peak < 13.5 * size, f"peak {peak / size:.1f} times the input ({size:,} bytes)"
