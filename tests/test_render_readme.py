"""README.md rendered from the catalog: the awesome-list format, order, counts, escaping."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import markdown
import pytest

from effdiff_catalog.catalog import Catalog
from effdiff_catalog.render.common import REPO_URL, md_text, md_url, venue_label
from effdiff_catalog.render.readme import LINK_LABELS, Slugger, _cells, align_tables, entry_line, home_nodes, render_readme
from conftest import NODE_MODULES, REPO, installed_tool, make_catalog, node_command


def readme(root: Path) -> str:
    return render_readme(Catalog.load_valid(root))


def section(text: str, heading: str) -> list[str]:
    """The entry lines under a heading, up to the next heading."""
    lines = text.splitlines()
    start = lines.index(heading) + 1
    out = []
    for line in lines[start:]:
        if line.startswith("#"):
            break
        if line.startswith("- "):
            out.append(line)
    return out


def test_entries_have_the_awesome_list_format(small_root: Path):
    text = readme(small_root)
    # the survey list's format, with the brackets that are not links escaped
    assert section(text, "##### ODE Solver") == [
        r"- **\[NeurIPS 2023\]** FastSampler: Few-Step ODE Solving for Latent Diffusion. "
        r"[\[Paper\]](https://arxiv.org/abs/2305.01234) [\[Code\]](https://github.com/example/fastsampler) "
        r"[\[Project\]](https://example.org/fastsampler)"
    ]
    # a preprint shows the year and month of its arXiv id
    assert section(text, "##### Post-Training Quantization") == [
        r"- **\[arXiv 2024.07\]** TinyQuant: 4-Bit Post-Training Quantization of Diffusion Transformers. "
        r"[\[Paper\]](https://arxiv.org/abs/2407.04321) [\[Code\]](https://github.com/example/tinyquant)"
    ]


def test_a_paper_on_two_nodes_has_its_links_once(small_root: Path):
    """cachenet-2024 is filed under caching, then early exit: listed in full under the node its record
    names first, named under the other (awesome-lint's double-link rule: every link once), even
    though early exit comes first in the README."""
    text = readme(small_root)
    full = (r"- **\[CVPR 2024\]** CacheNet: Reusing Features Across Denoising Steps. "
            r"[\[Paper\]](https://example.org/cachenet.pdf)")
    assert [line for line in section(text, "### Caching Technique") if "CacheNet" in line] == [full]
    assert [line for line in section(text, "##### Early Exit") if "CacheNet" in line] == [
        r"- **\[CVPR 2024\]** CacheNet: Reusing Features Across Denoising Steps. Listed with its links under Caching Technique."]
    assert text.count("https://example.org/cachenet.pdf") == 1


def test_newest_first_then_title(hostile_root: Path):
    entry = re.compile(r"- \*\*\\\[(.*?)\\\]\*\* (.*?)\. \[")
    labels = [entry.match(line).groups() for line in section(readme(hostile_root), "#### Pruning")]
    assert labels == [
        ("arXiv 2024.03", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("ICLR 2024", "Evil\\](javascript:alert(1))"),
        ("CVPRW 2023", "Structured Pruning for Diffusion U-Nets"),
    ]


def test_sections_follow_the_taxonomy_and_skip_empty_nodes(small_root: Path):
    text = readme(small_root)
    headings = [line for line in text.splitlines() if re.match(r"#{2,6} ", line)]
    # the table of contents is the first section (awesome-lint), the leaderboards next, the citation the last
    assert headings[:4] == ["## Contents", "## Leaderboards", "## Algorithm-Level Optimization", "### Efficient Fine-tuning"]
    assert headings[-1] == "## Citation"
    # the catalog has nothing on training, latent diffusion, parallel computing: no section for them
    for empty in ("Efficient Training", "Latent Diffusion", "Parallel Computing", "Hardware-Software Co-Design"):
        assert not any(h.endswith(" " + empty) for h in headings), empty
    # sub-leaves get their own, deeper, headings
    assert "##### Generator Distillation" in headings
    order = [h.split(" ", 1)[1] for h in headings]
    assert order.index("Algorithm-Level Optimization") < order.index("System-Level Optimization") < order.index("Frameworks")


def test_contents_counts_papers_per_node(small_root: Path):
    text = readme(small_root)
    assert "- [Algorithm-Level Optimization](#algorithm-level-optimization) (6)\n" in text
    # two levels of list; the deeper sections follow their second-level section on its line
    assert ("  - [Compression](#compression) (2): [Quantization](#quantization) (1): "
            "[Post-Training Quantization](#post-training-quantization) (1) · [Pruning](#pruning) (1)\n") in text
    assert "  - [Caching Technique](#caching-technique) (1)\n" in text
    # a paper filed in two places counts once per node, and the anchors are GitHub's
    assert "- [System-Level Optimization](#system-level-optimization) (1)\n" in text


def test_contents_lists_every_section_heading_in_order(small_root: Path):
    """What awesome-lint's awesome-toc checks, in Python: the contents link the headings after it, in
    order, with GitHub's anchors (all but the sub-headings of Working with this repository); two
    levels of list, the deeper sections inline."""
    text = readme(small_root)
    start = text.index("## Contents\n")
    toc = text[start:text.index("\n## ", start + 1)]
    slugger = Slugger()
    headings = [(m.group(2), slugger.slug(m.group(2))) for m in re.finditer(r"^(#{1,6}) (.*)$", text, re.M)]
    expected = [h for h in headings[2:] if h[0] not in ("Quick start", "Exit codes", "Adding a paper")]
    assert re.findall(r"\[([^\]]+)\]\(#([^)]+)\)", toc) == expected
    assert [line.index("- ") for line in toc.splitlines() if "- [" in line] == [0, 0, 2, 2, 2, 0, 2, 0, 0, 0]  # Leaderboards first


def test_survey_bibtex_and_generated_comment(small_root: Path):
    """A catalog without the survey's record (this one) cites it from the record that comes with the package."""
    text = readme(small_root)
    assert text.startswith("<!-- This file is generated by `effdiff build`")
    assert "[Efficient Diffusion Models: A Survey](https://arxiv.org/abs/2502.06805)" in text
    assert "Hui Shen, Jingxuan Zhang," in text and "Mi Zhang." in text
    block = re.search(r"```bibtex\n(.*?)\n```", text, re.S).group(1)
    assert block.startswith("@article{shen2025efficient,\n  title = {Efficient Diffusion Models: A Survey},")
    assert "author = {Hui Shen and Jingxuan Zhang and " in block and " and Mi Zhang},\n" in block
    assert "journal = {Transactions on Machine Learning Research}" in block and "year = 2025" in block


def test_the_only_rule_off_is_awesome_list_item_and_the_template_says_why():
    template = (REPO / "templates" / "README.md.j2").read_text(encoding="utf-8")
    assert re.findall(r"<!--\s*lint (\w+) ([\w-]+)\s*-->", template) == [("disable", "awesome-list-item")]
    comment = template[:template.index("<!--lint disable")]
    assert "awesome-list-item" in comment and "**[Venue Year]** Title. [[Paper]](url) [[Code]](url)" in comment


def test_frameworks_table_marks_unknown_fine_tuning(small_root: Path):
    text = readme(small_root)
    rows = [_cells(line) for line in text.splitlines() if line.startswith("| FastLib") or line.startswith("| ServeDiff")]
    assert rows == [
        [r"FastLib [\[Code\]](https://github.com/example/fastlib)", "✅", "❌", "✅", "Fused attention kernels"],
        [r"ServeDiff [\[Code\]](https://github.com/example/servediff) [\[Docs\]](https://example.org/servediff/docs)",
         "❌", "—", "✅", ""],
    ]


def test_tables_are_padded_so_the_pipes_line_up(small_root: Path):
    text = readme(small_root)
    for table in re.findall(r"(?:^\|.*\n)+", text, re.M):
        lines = table.splitlines()
        pipes = [[i for i, c in enumerate(line.encode("utf-16-le").decode("utf-16-le")) if c == "|" and line[i - 1:i] != "\\"]
                 for line in lines]
        assert len({tuple(p) for p in pipes}) == 1, table


def test_align_tables_centres_and_counts_as_remark_does():
    text = "x\n\n| a | b | c |\n|:-|:-:|--:|\n| 😀 long | ✅ | 1 |\n| esc \\| pipe | — | 22 |\n\n```\n| not | a |\n|-|-|\n```\n"
    assert align_tables(text) == (
        "x\n\n"
        "| a           |  b  |   c |\n"
        "| :---------- | :-: | --: |\n"
        "| 😀 long     |  ✅  |   1 |\n"  # the emoji counts two (UTF-16), as remark counts it
        "| esc \\| pipe |  —  |  22 |\n"
        "\n```\n| not | a |\n|-|-|\n```\n")


def test_working_with_the_repository_has_exactly_the_two_quick_start_commands(small_root: Path):
    text = readme(small_root)
    part = text[text.index("## Working with this repository"):]
    commands = re.findall(r"```sh\n(.*?)\n```", part, re.S)
    assert commands == [
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/effdiff build",
        "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest",
    ]
    assert "### Adding a paper" in part and "effdiff validate" in part


def test_hostile_titles_render_as_visible_text(hostile_root: Path):
    html = markdown.markdown(readme(hostile_root), extensions=["tables"])
    assert "<script" not in html and "javascript:" not in [a for a in re.findall(r'href="([^"]*)"', html)]
    assert not any(href.lower().startswith("javascript") for href in re.findall(r'href="([^"]*)"', html))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;." in html
    assert "Evil](javascript:alert(1))." in html
    # every paper is one list item with exactly its own links
    items = re.findall(r"<li><strong>\[(.*?)\]</strong> (.*?)</li>", html)
    assert len(items) == 9  # cachenet-2024 is filed in two places
    evil = next(rest for label, rest in items if label == "ICLR 2024")
    assert re.findall(r'href="([^"]*)"', evil) == ["https://example.org/evil_%281%29"]


def test_markdown_escaping_defuses_every_construct():
    assert md_text("a *b* _c_ `d` [e](f) <g> & |h| ~i~ ![j] #k") == (
        r"a \*b\* \_c\_ \`d\` \[e\](f) &lt;g&gt; &amp; \|h\| \~i\~ \!\[j\] \#k")
    assert md_text("see https://x.org and www.x.org") == r"see https\://x.org and www\.x.org"


def test_slugs_match_github():
    s = Slugger()
    assert [s.slug(t) for t in ("Hardware-Software Co-Design", "Efficient Fine-tuning", "Citation", "Citation")] == [
        "hardware-software-co-design", "efficient-fine-tuning", "citation", "citation-1"]


def test_preprint_without_matching_arxiv_year_shows_the_year(small_root: Path):
    catalog = Catalog.load_valid(small_root)
    paper = catalog.papers["tinyquant-2024"].model_copy(update={"arxiv": None})
    assert venue_label(catalog, paper) == "arXiv 2024"


def test_shipped_readme_is_what_the_data_renders():
    """The README at the root is generated; CI fails when it is edited by hand or out of date."""
    assert (REPO / "README.md").read_text(encoding="utf-8") == render_readme(Catalog.load_valid(REPO))


def test_extension_nodes_are_marked_in_contents_and_sections(small_root: Path):
    from conftest import VALID_RECORD, write_record

    write_record(small_root, "meanflow-2025", VALID_RECORD.format(id="meanflow-2025", title="Mean Flows").replace(
        "algorithm.efficient_sampling.efficient_solver.ode_solver",
        "algorithm.efficient_training.loss_formulation.few_step_objectives"))
    text = readme(small_root)
    contents = text[text.index("## Contents"):]
    assert "[Few-Step Training Objectives](#few-step-training-objectives) (1) ⁺" in contents
    # a survey node carries no mark
    assert re.search(r"\[ODE Solver\]\(#ode-solver\) \(\d+\)(?! ⁺)", contents)
    body = text.split("##### Few-Step Training Objectives\n", 1)[1]
    assert body.lstrip().startswith("> ⁺ The catalog's extension of the survey's taxonomy: Objectives that train")
    assert "Sections marked ⁺ are the catalog's extensions" in text


def test_site_sources_mark_extension_nodes(small_root: Path, tmp_path: Path):
    from effdiff_catalog.render.common import Resources
    from effdiff_catalog.render.site import SitePaths, write_site_sources

    catalog = Catalog.load_valid(small_root)
    paths = SitePaths.for_root(small_root, tmp_path / "out")
    write_site_sources(catalog, Resources.find(small_root), paths)
    node = (paths.docs / "taxonomy/foundations/index.md").read_text(encoding="utf-8")
    assert 'class="effdiff-extension"' in node and "catalog extension" in node
    survey_node = (paths.docs / "taxonomy/system/caching/index.md").read_text(encoding="utf-8")
    assert "effdiff-extension" not in survey_node


# -- GitHub and awesome-lint ------------------------------------------------------------------------


def _unescaped_entry(catalog: Catalog, paper) -> str:
    """An entry as the README wrote it before the escapes: `**[V]** Title. [[Paper]](url)`."""
    title = md_text(paper.title) + ("" if re.search(r"[.?!]$", paper.title) else ".")
    links = " ".join(f"[[{label}]]({md_url(url)})" for key, label in LINK_LABELS if (url := getattr(paper.links, key)))
    return f"- **[{md_text(venue_label(catalog, paper))}]** {title} {links}".rstrip()


@pytest.mark.parametrize("names", [(), ("small", "hostile")], ids=["shipped", "hostile"])
def test_github_renders_every_entry_as_before_the_escapes(names, tmp_path: Path):
    """cmark-gfm (GitHub's renderer) gives the same HTML for every entry line, escaped or not: the
    escapes only stop linters from reading `[ICLR 2023]` and `[Paper]` as references."""
    cmarkgfm = pytest.importorskip("cmarkgfm")
    catalog = Catalog.load_valid(make_catalog(tmp_path / "c", *names) if names else REPO)
    text = render_readme(catalog)
    home = home_nodes(catalog)
    checked = 0
    for paper in catalog.papers.values():
        line = entry_line(catalog, paper)
        assert line in text.splitlines()
        before, after = (cmarkgfm.github_flavored_markdown_to_html(s) for s in (_unescaped_entry(catalog, paper), line))
        assert after == before, paper.id
        labels = [label for key, label in LINK_LABELS if getattr(paper.links, key)]
        assert re.findall(r"<a [^>]*>([^<]*)</a>", after) == [f"[{label}]" for label in labels]
        checked += 1
        for node in paper.categories:
            if node != home[paper.id]:  # named without links under its other nodes
                assert f"Listed with its links under {catalog.taxonomy[home[paper.id]].title}." in text
    assert checked == len(catalog.papers)


def awesome_lint(readme_text: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """awesome-lint on a README, as in a clone of the repository: a git work tree with a GitHub
    remote and CONTRIBUTING.md beside it; offline, so the rule that asks GitHub's API has nothing to say."""
    cli = installed_tool(NODE_MODULES / "awesome-lint" / "cli.js", "awesome-lint (npm)")
    work = tmp_path / "clone"
    work.mkdir()
    (work / "README.md").write_text(readme_text, encoding="utf-8")
    shutil.copy(REPO / "CONTRIBUTING.md", work / "CONTRIBUTING.md")
    for args in (["init", "-q", "-b", "main"], ["remote", "add", "origin", f"{REPO_URL}.git"],
                 ["config", "branch.main.remote", "origin"]):
        subprocess.run(["git", *args], cwd=work, check=True, capture_output=True)
    return subprocess.run([*node_command(cli), "README.md"], cwd=work, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"})


def test_awesome_lint_accepts_the_shipped_readme(tmp_path: Path):
    result = awesome_lint((REPO / "README.md").read_text(encoding="utf-8"), tmp_path)
    report = result.stdout + result.stderr
    assert result.returncode == 0 and "✖" not in report.replace("✖ Linting", ""), report
    assert "Linting" in report  # it ran


def test_awesome_lint_accepts_hostile_titles(hostile_root: Path, tmp_path: Path):
    result = awesome_lint(readme(hostile_root), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_awesome_lint_finds_what_the_escapes_prevent(small_root: Path, tmp_path: Path):
    """The test can fail: the entry format before the escapes breaks the rules the issue named."""
    text = readme(small_root).replace(r"**\[", "**[").replace(r"\]**", "]**").replace(r"[\[", "[[").replace(r"\]](", "]](")
    result = awesome_lint(text, tmp_path)
    assert result.returncode == 1 and "no-undefined-references" in result.stdout + result.stderr


def test_readme_leaderboards_rank_only_the_papers_own_methods(small_root: Path):
    """A baseline a paper quotes (here made better than every proposed row) heads neither the README's
    summary nor takes a place in it; the site's board keeps it, marked as a baseline."""
    from effdiff_catalog.render.leaderboards import board_context, boards
    record = small_root / "papers" / "fastsampler-2023.yaml"
    text = record.read_text(encoding="utf-8")
    assert "    fid: 15.7\n" in text
    record.write_text(text.replace("    fid: 15.7\n", "    fid: 1.2\n"), encoding="utf-8")
    catalog = Catalog.load_valid(small_root)
    text = render_readme(catalog)
    block = text[text.index("## Leaderboards\n"):text.index("\n## ", text.index("## Leaderboards\n"))]
    table = [line for line in block.splitlines() if line.startswith("| ") and not line.startswith(("| Method", "| :"))]
    assert table, block
    assert not any("Euler" in line for line in table)
    assert table[0].startswith("| FastSampler, NFE 10 ") and "| 3.1 |" in table[0]
    # each paper once, with its best row: FastSampler's NFE 5 row (6.4) is on the board, not in the summary
    papers = [line.split("|")[2] for line in table]
    assert len(papers) == len(set(papers)), table
    assert not any("NFE 5" in line for line in table)
    board = next(b for b in boards(catalog) if b.benchmark.id == "cifar10-32-uncond")
    ranked = [r for s in board_context(board, catalog, "../")["sections"] for g in s["groups"] for r in g["rows"]]
    assert ranked[0]["role"] == "baseline" and "Euler" in ranked[0]["method"]
