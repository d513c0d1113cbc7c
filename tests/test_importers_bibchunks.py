"""A BibTeX file read in two parts at once gives exactly what one pass gives."""

from __future__ import annotations

import multiprocessing
import os
import random
from functools import lru_cache, partial
from pathlib import Path

import pytest
from conftest import DATA, base_catalog
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from effdiff_catalog.catalog import Catalog
from effdiff_catalog.importers import bibchunks
from effdiff_catalog.importers.bibchunks import iter_parts, read_part, split_points, workers_for
from effdiff_catalog.importers.bibtex import READ_FIELDS, BibtexError, _convert, import_bib, parse

NODE = "algorithm.efficient_sampling.efficient_solver.ode_solver"


@lru_cache(maxsize=1)
def shipped() -> Catalog:
    """The shipped catalog as of 2026-11-30, frozen (tests/data/catalogs/base): what the parts merge into."""
    return base_catalog()


@pytest.fixture
def catalog() -> Catalog:
    return shipped()


def outcome(text: str, catalog: Catalog, jobs: int):
    try:
        parsed = parse(text, catalog.venues, catalog.taxonomy, NODE, jobs=jobs)
    except BibtexError as exc:
        return "error", str(exc)
    candidates = [(c.line, c.label, c.data, c.category, c.notes, c.keys, c.id_parts) for c in parsed.candidates]
    skipped = sorted((s.line, s.label, s.reason) for s in parsed.skipped)
    return candidates, skipped


def parts_of(text: str, catalog: Catalog, jobs: int = 2, convert=None) -> list:
    convert = convert or partial(_convert, venues=catalog.venues, taxonomy=catalog.taxonomy, category=NODE)
    return list(iter_parts(text, READ_FIELDS, convert, jobs))


WORDS = ["Fast", "Efficient", 'Sch{\\"o}n']


def entry(i: int, rng: random.Random, **fields) -> str:
    word = rng.choice(WORDS)
    base = {"title": f"{{{word} Sampler {i}: {{DDIM}} Steps}}",
            "author": f"{{Name{i}, First and Other{i}, A.~B.}}", "booktitle": "{Advances in Neural Information Processing Systems}",
            "year": "{2023}", "url": f"{{https://example.org/p/{i}}}"}
    base.update(fields)
    body = ",\n".join(f"  {k} = {v}" for k, v in base.items())
    return f"@inproceedings{{key{i},\n{body}\n}}\n"


def synthetic(n: int, seed: int = 5) -> str:
    rng = random.Random(seed)
    return "\n".join(entry(i, rng) for i in range(n))


def test_split_points_fall_on_block_starts():
    text = synthetic(40)
    points = split_points(text, (0.5, 0.5))
    assert len(points) == 2 and text[points[1]:].startswith("@inproceedings{") and text[points[1] - 1] == "\n"
    assert abs(points[1] - len(text) / 2) < len(text) / 20
    assert split_points("@misc{a, title={x}}", (0.5, 0.5)) == [0]  # nowhere to cut


@pytest.mark.parametrize("name", sorted(p.name for p in (DATA / "bibtex").glob("*.bib")))
def test_every_export_reads_the_same_in_two_parts(name: str, catalog: Catalog):
    text = (DATA / "bibtex" / name).read_text(encoding="utf-8")
    assert outcome(text, catalog, 2) == outcome(text, catalog, 1)


def test_a_large_file_is_read_in_two_parts_with_the_same_result(catalog: Catalog):
    text = synthetic(300)
    assert len(parts_of(text, catalog)) == 1 + bibchunks.WORKER_PIECES  # the parent's part and the worker's pieces
    two, one = outcome(text, catalog, 2), outcome(text, catalog, 1)
    assert two == one and len(one[0]) == 300


def test_macros_keys_and_case_across_the_cut(catalog: Catalog):
    rng = random.Random(1)
    first = [entry(i, rng) for i in range(30)]
    second = [entry(i, rng) for i in range(30, 60)]
    first[3] = entry(3, rng, url="homepage")  # a macro defined only in the second part
    first[4] = entry(4, rng, year="yr")  # defined in both parts, in two cases: the later one wins
    second[5] = entry(7, rng)  # key7 again: a duplicate of the first part's entry
    text = "@string{YR = {2021}}\n" + "\n".join(first + second[:10]) + "\n" + \
        "@string{homepage = {https://example.org/home}}\n@string{yr = {2022}}\n" + "\n".join(second[10:])
    parts = parts_of(text, catalog)
    macros_of = [{b[1] for b in part.blocks if isinstance(b, tuple)} for part in parts]
    assert macros_of[0] == {"YR"} and set().union(*macros_of[1:]) == {"homepage", "yr"}  # key3 and key4 are in the first part
    candidates, skipped = outcome(text, catalog, 2)
    assert (candidates, skipped) == outcome(text, catalog, 1)
    by_key = {c[1]: c for c in candidates}
    assert by_key["key3"][2]["links"]["paper"] == "https://example.org/home" and by_key["key4"][2]["year"] == 2022
    assert any(s[1] == "key7" and "duplicate" in s[2] for s in skipped)


def test_a_cut_inside_a_broken_block_reads_the_file_whole(catalog: Catalog):
    rng = random.Random(2)
    entries = [entry(i, rng) for i in range(40)]
    text = "\n".join(entries)
    cut = split_points(text, (1 - bibchunks.WORKER_SHARE, bibchunks.WORKER_SHARE))[1]
    broken_at = text.rfind("@inproceedings", 0, cut - 1)
    text = text[:broken_at] + text[broken_at:cut].replace("\n}\n", "\n\n", 1) + text[cut:]  # the block before the cut never closes
    cut = split_points(text, (1 - bibchunks.WORKER_SHARE, bibchunks.WORKER_SHARE))[1]
    assert read_part(text[:cut], 0, READ_FIELDS, None).cut
    parts = parts_of(text, catalog)
    assert len(parts) == 1  # read again in one pass
    candidates, skipped = outcome(text, catalog, 2)
    assert (candidates, skipped) == outcome(text, catalog, 1) and skipped and len(candidates) < 40


def _breaks_in_the_worker(parent: int, how: str, real, entry, lookup):
    if os.getpid() != parent and entry.key == "key250":
        if how == "raises":
            raise RuntimeError("the worker breaks")
        os._exit(3)  # as if the system killed it: no word on the queue
    return real(entry, lookup)


@pytest.mark.parametrize("how", ["raises", "is killed"])
def test_a_broken_worker_leaves_the_parent_to_read_the_rest(catalog: Catalog, how: str):
    text = synthetic(300)
    real = partial(_convert, venues=catalog.venues, taxonomy=catalog.taxonomy, category=NODE)
    broken = parts_of(text, catalog, convert=partial(_breaks_in_the_worker, os.getpid(), how, real))
    normal = parts_of(text, catalog)
    assert 2 < len(broken) < len(normal)  # some pieces came from the worker, then the parent read the rest

    def results(parts):
        return [result for part in parts for result, _ in part.converted.values()]

    assert results(broken) == results(normal) and len(results(normal)) == 300
    assert not multiprocessing.active_children()


def test_an_abandoned_read_stops_the_worker(catalog: Catalog):
    text = synthetic(200)
    convert = partial(_convert, venues=catalog.venues, taxonomy=catalog.taxonomy, category=NODE)
    parts = iter_parts(text, READ_FIELDS, convert, 2)
    next(parts)
    assert multiprocessing.active_children()
    parts.close()
    assert not multiprocessing.active_children()


def test_crossref_files_and_small_files_are_read_in_one_pass():
    assert workers_for("@misc{a, crossref = {b}}\n" * 50_000, None) == 1
    assert workers_for("@misc{a, CrossRef={b}}", 2) == 1
    assert workers_for("@misc{a, title = {b}}\n", None) == 1  # small
    assert workers_for("@misc{a, title = {b}}\n", 2) == 2


def test_import_report_is_the_same_in_two_parts(tmp_path: Path, catalog: Catalog):
    bib = tmp_path / "refs.bib"
    bib.write_text(synthetic(150), encoding="utf-8")
    reports = [import_bib([bib], catalog, category=NODE, dry_run=True, jobs=jobs)[0].to_json() for jobs in (1, 2)]
    assert reports[0] == reports[1] and '"created": 150' in reports[0]


def test_a_piece_of_the_worker_cut_inside_a_block_is_read_with_the_rest(catalog: Catalog):
    text = synthetic(300)
    start = split_points(text, (1 - bibchunks.WORKER_SHARE, bibchunks.WORKER_SHARE))[1]
    pieces = [start + p for p in split_points(text[start:], (1 / bibchunks.WORKER_PIECES,) * bibchunks.WORKER_PIECES)]
    cut = pieces[2]  # the end of the worker's second piece
    broken_at = text.rfind("@inproceedings", 0, cut - 1)
    text = text[:broken_at] + text[broken_at:cut].replace("\n}\n", "\n\n", 1) + text[cut:]
    assert split_points(text, (1 - bibchunks.WORKER_SHARE, bibchunks.WORKER_SHARE))[1] == start
    parts = parts_of(text, catalog)
    assert len(parts) == 1 + 1 + 1  # the parent's part, the first piece, then the rest in one
    assert outcome(text, catalog, 2) == outcome(text, catalog, 1)
    assert any("not valid BibTeX" in s[2] for s in outcome(text, catalog, 2)[1])


BLOCKS = st.one_of(
    st.builds(lambda i: entry(i, random.Random(i)), st.integers(0, 40)),  # keys repeat: duplicates
    st.builds(lambda i, m: entry(i, random.Random(i), booktitle=m), st.integers(0, 40), st.sampled_from(["nips", "NIPS", "pami"])),
    st.builds(lambda i: entry(i, random.Random(i)).replace("\n}\n", "\n\n", 1), st.integers(0, 40)),  # never closed
    st.builds(lambda i: entry(i, random.Random(i)).replace("title = {", "title = {{", 1), st.integers(0, 40)),  # unbalanced
    st.builds(lambda i: entry(i, random.Random(i), url="homepage", year="yr"), st.integers(0, 40)),  # macros, maybe undefined
    st.builds(lambda i: entry(i, random.Random(i)).replace("{key", "(key", 1).replace("\n}\n", "\n)\n", 1), st.integers(0, 40)),
    st.builds(lambda i: entry(i, random.Random(i)).replace("\n", "\r\n"), st.integers(0, 40)),  # CRLF
    st.sampled_from(["@string{homepage = {https://example.org/home}}\n", "@string(yr = \"2021\")\n", "@STRING{YR = {2022}}\n",
                     "@inproceedings{,\n  title = {No Key},\n  year = {2020}\n}\n", "@misc{x, title = {A}, title = {B}, year = 2020}\n",
                     "@string{nips = {Advances in Neural Information Processing Systems}}\n", "@string{NIPS = {NeurIPS}}\n",
                     "@string{pami = {IEEE TPAMI}}\n", "@comment{a comment}\n", "free text between entries\n",
                     "@preamble{\"\\newcommand{\\x}{y}\"}\n", "@misc{broken title = {x}}\n", "@misc{nokey}\n"]),
)


@given(st.lists(BLOCKS, min_size=2, max_size=40))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_file_reads_the_same_in_parts(blocks: list):
    text = "\n".join(blocks)
    assert outcome(text, shipped(), 2) == outcome(text, shipped(), 1)
