"""Each bad input of the validate checklist, with the exact file:line:column and message."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from conftest import DATA, write_record

from effdiff_catalog.catalog import Catalog
from effdiff_catalog.cli import main

INVALID = DATA / "invalid"


def _expected() -> dict[str, list[str]]:
    """expected.txt holds validate's output for each fixture validated on its own."""
    blocks: dict[str, list[str]] = defaultdict(list)
    current = None
    for line in (INVALID / "expected.txt").read_text(encoding="utf-8").splitlines():
        if not line.startswith(" "):
            current = line.split(":", 1)[0].removeprefix("papers/")
        blocks[current].append(line)
    return blocks


EXPECTED = _expected()
FIXTURES = sorted(p.name for p in INVALID.glob("*.yaml"))


def test_every_fixture_has_an_expectation():
    assert sorted(EXPECTED) == FIXTURES


@pytest.mark.parametrize("name", FIXTURES)
def test_invalid_fixture_reports_exact_location_and_message(empty_root: Path, name: str):
    shutil.copy(INVALID / name, empty_root / "papers" / name)
    catalog = Catalog.load(empty_root)
    lines = "\n".join(p.format() for p in catalog.problems).splitlines()
    assert lines == EXPECTED[name]


def test_oversized_file_is_refused_without_parsing(empty_root: Path):
    path = empty_root / "papers" / "huge-2020.yaml"
    path.write_text("id: huge-2020\nnotes: '" + "x" * 1_100_000 + "'\n", encoding="utf-8")
    [problem] = Catalog.load(empty_root).problems
    assert problem.format().startswith("papers/huge-2020.yaml:1:1: error: file is 1,100,024 bytes; a record must be under 1,000,000 bytes")


def test_billion_laughs_is_refused_quickly(empty_root: Path):
    bomb = "a: &a ['x','x','x','x','x','x','x','x','x']\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n"
        for i in range(8))
    write_record(empty_root, "bomb-2020", bomb)
    problems = Catalog.load(empty_root).problems
    assert problems and all("anchor" in p.message or "alias" in p.message for p in problems)


def test_a_bad_file_never_stops_the_check_of_the_others(empty_root: Path):
    write_record(empty_root, "broken-2020", "id: broken-2020\ntitle: [unclosed\n")
    write_record(empty_root, "also-broken-2020", b"\xff\xfe".decode("latin-1"))
    write_record(empty_root, "good-paper-2020", title="A Perfectly Good Paper")
    catalog = Catalog.load(empty_root)
    assert list(catalog.papers) == ["good-paper-2020"]
    assert {p.path for p in catalog.errors} == {"papers/broken-2020.yaml", "papers/also-broken-2020.yaml"}


def test_unquoted_arxiv_id_keeps_its_trailing_zero(empty_root: Path):
    text = (write_record(empty_root, "trailing-zero-2023", title="Trailing Zero").read_text()
            .replace("year: 2020", "year: 2023\narxiv: 2310.03270"))
    write_record(empty_root, "trailing-zero-2023", text)
    catalog = Catalog.load(empty_root)
    assert catalog.papers["trailing-zero-2023"].arxiv == "2310.03270"


def _with(root: Path, record_id: str, title: str, extra: str = "", paper: str | None = None) -> None:
    text = (Path(write_record(root, record_id, title=title)).read_text())
    if paper:
        text = text.replace(f"https://openreview.net/forum?id={record_id}", paper)
    write_record(root, record_id, text.replace("added:", extra + "added:") if extra else text)


def test_same_paper_twice_across_files(empty_root: Path):
    # the copy is the record added later; it alone gets the error
    _with(empty_root, "ddpm-2020", "Denoising Diffusion Probabilistic Models", "arxiv: '2006.11239'\n")
    _with(empty_root, "ddpm-copy-2020", "A Different Title Entirely", "arxiv: '2006.11239'\n")
    later = empty_root / "papers" / "ddpm-copy-2020.yaml"
    later.write_text(later.read_text().replace("added: 2026-11-23", "added: 2026-12-01"))
    _with(empty_root, "aaai-paper-2024", "Some AAAI Paper", "doi: 10.1609/aaai.v38i5.28226\n")
    _with(empty_root, "aaai-paper-again-2024", "Another Title For It", "doi: 10.1609/AAAI.V38I5.28226\n")
    older = empty_root / "papers" / "aaai-paper-again-2024.yaml"
    older.write_text(older.read_text().replace("added: 2026-11-23", "added: 2025-01-01"))
    # added the same day: both files, each naming the other
    _with(empty_root, "url-one-2021", "First URL Paper", paper="https://arxiv.org/abs/2101.02388")
    _with(empty_root, "url-two-2021", "Second URL Paper", paper="http://arxiv.org/pdf/2101.02388v2.pdf")
    _with(empty_root, "title-one-2021", "Denoising Diffusion Implicit Models")
    _with(empty_root, "title-two-2021", "Denoising diffusion implicit models.")
    _with(empty_root, "near-one-2019", "Generative Modeling by Estimating Gradients of the Data Distribution")
    _with(empty_root, "near-two-2019", "Generative Modelling by Estimating Gradients of the Data Distribution")
    problems = Catalog.load(empty_root).problems
    lines = [p.format().splitlines()[0] for p in problems]
    assert lines == [
        "papers/aaai-paper-2024.yaml:10:6: error: doi: same DOI as papers/aaai-paper-again-2024.yaml: this paper is already in the catalog",
        "papers/ddpm-copy-2020.yaml:10:8: error: arxiv: same arXiv id as papers/ddpm-2020.yaml: this paper is already in the catalog",
        "papers/near-two-2019.yaml:2:8: warning: title: title is nearly the same as in papers/near-one-2019.yaml (similarity 99%)",
        "papers/title-one-2021.yaml:2:8: error: title: same title as papers/title-two-2021.yaml: this paper is already in the catalog",
        "papers/title-two-2021.yaml:2:8: error: title: same title as papers/title-one-2021.yaml: this paper is already in the catalog",
        "papers/url-one-2021.yaml:7:10: error: links.paper: same paper URL as papers/url-two-2021.yaml: this paper is already in the catalog",
        "papers/url-two-2021.yaml:7:10: error: links.paper: same paper URL as papers/url-one-2021.yaml: this paper is already in the catalog",
    ]
    hints = {p.path: p.hint for p in problems if p.severity == "error"}
    assert hints["papers/ddpm-copy-2020.yaml"] == "merge what this record adds into papers/ddpm-2020.yaml and delete this file"
    assert hints["papers/url-one-2021.yaml"].startswith("keep the record that was there first")


def test_cli_exit_codes_and_summary(empty_root: Path, capsys):
    write_record(empty_root, "good-paper-2020", title="A Good Paper")
    assert main(["validate", "--root", str(empty_root)]) == 0
    assert capsys.readouterr().out.strip().endswith("1 record(s) checked: 0 error(s), 0 warning(s)")
    shutil.copy(INVALID / "inner-node-2020.yaml", empty_root / "papers")
    assert main(["validate", "--root", str(empty_root)]) == 0
    assert main(["validate", "--root", str(empty_root), "--strict"]) == 1
    shutil.copy(INVALID / "unknown-venue-2020.yaml", empty_root / "papers")
    assert main(["validate", "--root", str(empty_root)]) == 1


def test_cli_json_format(empty_root: Path, capsys):
    shutil.copy(INVALID / "unknown-category-2020.yaml", empty_root / "papers")
    assert main(["validate", "--root", str(empty_root), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data[0] == {
        "path": "papers/unknown-category-2020.yaml", "line": 9, "column": 3, "severity": "error",
        "field": "categories[0]",
        "message": "category 'algorithm.efficient_sampling.efficient_solver.ode_solvr' is not in taxonomy.yaml",
        "hint": "did you mean 'algorithm.efficient_sampling.efficient_solver.ode_solver'?",
    }
    assert len(data) == 3


def test_validate_given_paths_only(empty_root: Path, capsys):
    shutil.copy(INVALID / "unknown-venue-2020.yaml", empty_root / "papers")
    good = write_record(empty_root, "good-paper-2020", title="A Good Paper")
    assert main(["validate", "--root", str(empty_root), str(good)]) == 0


def test_broken_taxonomy_is_reported_not_raised(empty_root: Path):
    (empty_root / "taxonomy.yaml").write_text("nodes:\n- id: algorithm\n  title: A\n  title: B\n", encoding="utf-8")
    problems = Catalog.load(empty_root).problems
    assert problems[0].format().startswith("taxonomy.yaml:4:3: error: nodes[0].title: duplicate key 'title'")


# -- near-equal titles at scale ----------------------------------------------------------------------

WORDS = ["diffusion", "diffusions", "model", "models", "fast", "the", "a", "of", "x", "sampling", "samplers", "1", "2",
         "for efficient high resolution image synthesis with latent diffusion models"]


def _brute_near_pairs(titles: list[str], same_block=lambda a, b: True) -> list[tuple[int, int, float]]:
    from rapidfuzz import fuzz

    return sorted((i, j, fuzz.ratio(titles[i], titles[j])) for i in range(len(titles)) for j in range(i + 1, len(titles))
                  if titles[i] != titles[j] and same_block(titles[i], titles[j])
                  and fuzz.ratio(titles[i], titles[j], score_cutoff=95))


def _share_an_end(a: str, b: str) -> bool:
    return a.split()[:3] == b.split()[:3] or a.split()[-3:] == b.split()[-3:]


TITLES = st.lists(st.lists(st.sampled_from(WORDS), max_size=9).map(" ".join), max_size=40)


@given(TITLES)
@settings(max_examples=300, deadline=None)
def test_near_titles_are_the_pairs_of_a_block_compared_one_by_one(titles: list[str]):
    from effdiff_catalog import checks as validate

    expected = _brute_near_pairs(titles, _share_an_end)
    assert validate.near_title_pairs(titles) == expected
    small, validate.SMALL_BLOCK = validate.SMALL_BLOCK, 1  # every block through the index
    try:
        assert validate.near_title_pairs(titles) == expected
    finally:
        validate.SMALL_BLOCK = small


@given(TITLES)
@settings(max_examples=300, deadline=None)
def test_the_index_of_a_large_block_finds_what_comparing_every_pair_finds(titles: list[str]):
    from effdiff_catalog.checks import _block_pairs

    if titles:  # a block has members
        assert sorted(_block_pairs(titles)) == _brute_near_pairs(titles)


def _heads(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ner", "tu", "vo", "zan", "qui", "bel", "dor", "fy", "gra", "hos", "jun", "pex", "rid"]
    words = ["".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(5000)]
    return [" ".join(rng.choice(words) for _ in range(rng.randint(4, 6))) for _ in range(n)]


def test_many_titles_sharing_one_ending_are_checked_in_bounded_memory():
    import tracemalloc

    from effdiff_catalog.checks import duplicate_problems
    from effdiff_catalog.yamlsrc import YamlDoc

    ending = " for Efficient High-Resolution Image Synthesis with Latent Diffusion Models"
    titles = [head.capitalize() + ending for head in _heads(4000, 5)]
    titles[1234] = titles[77].replace(" for ", " for an ")  # one near-duplicate pair
    docs = [(f"papers/t{i:04d}-2024.yaml", YamlDoc({"title": t, "added": "2026-11-23"}, f"title: {t}\n"))
            for i, t in enumerate(titles)]
    tracemalloc.start()
    try:
        problems = duplicate_problems(docs)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [p.format().splitlines()[0] for p in problems] == [
        "papers/t1234-2024.yaml:1:8: warning: title: title is nearly the same as in papers/t0077-2024.yaml (similarity 99%)"]
    # comparing the pairs of one block of 4,000 held 8 million pairs (918 MB in all for validate)
    assert peak < 64 * 2**20, f"{peak / 2**20:.0f} MiB"
