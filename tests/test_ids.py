"""The id rule (ids.py): numbering titles that differ only by a number stays linear."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from effdiff_catalog.catalog import Catalog
from effdiff_catalog.ids import id_name, make_id
from effdiff_catalog.importers.merge import Candidate, Planner

NODE = "algorithm.efficient_sampling.efficient_solver.ode_solver"


class CountingDict(dict):
    """A dict that counts the membership tests made on it."""

    lookups = 0

    def __contains__(self, key):
        CountingDict.lookups += 1
        return super().__contains__(key)


@given(st.lists(st.sampled_from(["Paper 1", "Paper 2", "A Fast Solver 3", "A Fast Solver", "Fast: x", "Fast: y 9"]),
                max_size=40),
       st.sets(st.sampled_from(["paper-2023", "paper-3-2023", "fast-solver-2023", "fast-solver-2-2023", "fast-2023"])))
@settings(max_examples=300, deadline=None)
def test_the_counters_give_the_ids_counting_from_2_gives(titles: list[str], taken: set):
    slow, fast = set(taken), set(taken)
    counters: dict[str, int] = {}
    for title in titles:
        a = make_id(title, 2023, taken=slow)
        b = make_id(title, 2023, taken=fast, counters=counters)
        assert a == b
        slow.add(a)
        fast.add(b)


def test_titles_that_differ_only_by_a_number_are_numbered_in_linear_time(empty_root: Path):
    n = 3000
    planner = Planner(Catalog.load(empty_root), added=dt.date(2026, 11, 30))
    planner.papers = CountingDict(planner.papers)
    CountingDict.lookups = 0
    for i in range(n):
        cand = Candidate(i + 1, {"title": f"Paper {i}", "venue": "ICLR", "year": 2023,
                                 "links": {"paper": f"https://example.org/p/{i}"}}, category=NODE)
        assert planner.add(cand).status == "created"
    assert sorted(planner.planned)[:3] == ["paper-10-2023", "paper-100-2023", "paper-1000-2023"]
    assert "paper-2023" in planner.planned and f"paper-{n}-2023" in planner.planned
    # counting up from -2 for every entry tests n * n / 2 ids (4.5 million here)
    assert CountingDict.lookups < 5 * n


def test_id_name_is_the_id_without_its_year():
    assert id_name("t-gate-2024") == "t-gate"
    assert id_name("sana-1-5-2025") == "sana-1-5"
    assert id_name(make_id("TeaCache: Timestep Embedding Tells", 2024)) == "teacache"
