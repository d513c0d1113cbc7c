"""Table-driven: real venue strings through Venues.resolve and every path that reads a venue
(import-bib, import-markdown, add from an API answer and from --venue, enrich)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import DATA, REPO

from effdiff_catalog.add import Facts, complete, from_found
from effdiff_catalog.apis import Found
from effdiff_catalog.catalog import Catalog
from effdiff_catalog.enrich import map_venue
from effdiff_catalog.importers.bibtex import import_bib
from effdiff_catalog.importers.markdown import import_markdown
from effdiff_catalog.venues import Venues

ADDED = dt.date(2026, 11, 30)
ROWS = [tuple(line.split("\t")) for line in (DATA / "venues" / "real_venue_strings.tsv").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")]
VENUES = Venues.load(REPO / "venues.yaml")


def test_the_table_is_large_and_real():
    assert len(ROWS) >= 100 and all(len(row) == 2 for row in ROWS)
    assert len({text for text, _ in ROWS}) == len(ROWS)


@pytest.mark.parametrize("text, expected", ROWS)
def test_resolve(text: str, expected: str):
    found = VENUES.resolve(text)
    assert (found.name if found else "-") == expected


def _bib(rows) -> str:
    out = []
    for i, (text, _) in enumerate(rows):
        kind = "article" if any(w in text for w in ("Journal", "Trans", "J.", "Letters", "Surveys", "Nature", "Entropy")) else "inproceedings"
        field = "journal" if kind == "article" else "booktitle"
        out.append(f"@{kind}{{key{i},\n  title = {{A Paper Number {i} About Fast Sampling}},\n  author = {{Ada Lovelace}},\n"
                   f"  {field} = {{{text}}},\n  year = {{2023}},\n  url = {{https://example.org/paper-{i}}},\n"
                   + ("  eprint = {2301.00001},\n" if "arxiv" in text.lower() or text == "CoRR" else "") + "}\n")
    return "\n".join(out)


def test_import_bib_path(empty_root: Path):
    rows = [r for r in ROWS if not (r[1] == "arXiv")]  # a preprint entry needs its own arXiv id: tested below
    bib = empty_root / "venues.bib"
    bib.write_text(_bib(rows), encoding="utf-8")
    report, planned = import_bib([bib], Catalog.load(empty_root), category="system.caching", dry_run=True, added=ADDED)
    by_key = {item.label: item for item in report.lines}
    new_names = {v.name for v in report.new_venues}
    for i, (text, expected) in enumerate(rows):
        item = by_key[f"key{i}"]
        assert item.status == "created", (text, item.reason)
        venue = planned[item.record].paper.venue
        if expected == "-":
            assert venue not in VENUES and venue in new_names, (text, venue)
        else:
            assert venue == expected, text


def test_import_bib_new_venues_are_written_and_reported(empty_root: Path):
    bib = empty_root / "new.bib"
    bib.write_text(_bib([("Journal of Vision", "-"), ("Journal of Vision", "-"), ("2023 IEEE 30th Symposium on Computer Arithmetic (ARITH)", "-")])
                   .replace("key1,", "key1b,").replace("Number 1 About", "Number 1b About").replace("paper-1}", "paper-1b}"),
                   encoding="utf-8")
    before = (empty_root / "venues.yaml").read_text(encoding="utf-8")
    report, _ = import_bib([bib], Catalog.load(empty_root), category="system.caching", added=ADDED)
    assert [(v.name, v.kind, len(v.entries)) for v in report.new_venues] == [("ARITH", "conference", 1), ("Journal of Vision", "journal", 2)]
    text = report.format_text()
    assert "new venue 'Journal of Vision' (journal; Journal of Vision) added to venues.yaml, for 2 entries: key0, key1b" in text
    after = (empty_root / "venues.yaml").read_text(encoding="utf-8")
    assert after.startswith(before[: before.index("  - name: arXiv")])  # the file's own text is kept
    assert after.index("name: ARITH") < after.index("name: Journal of Vision") < after.index("name: arXiv")
    catalog = Catalog.load(empty_root)
    assert not catalog.errors and catalog.venues["ARITH"].full == "IEEE Symposium on Computer Arithmetic"
    # the same import again: nothing new
    report, _ = import_bib([bib], catalog, category="system.caching", dry_run=True, added=ADDED)
    assert report.new_venues == [] and report.counts() == {"merged": 3}


def test_no_new_venues_skips_with_a_true_reason(empty_root: Path):
    bib = empty_root / "new.bib"
    bib.write_text(_bib([("Journal of Vision", "-")]), encoding="utf-8")
    report, _ = import_bib([bib], Catalog.load(empty_root), category="system.caching", dry_run=True, added=ADDED, new_venues=False)
    assert report.lines[0].status == "skipped"
    assert report.lines[0].reason == "venue 'Journal of Vision' is not in venues.yaml (new venues refused by --no-new-venues)"


def test_import_markdown_path(empty_root: Path):
    rows = [r for r in ROWS if r[1] != "arXiv"]
    lines = ["## Caching Technique"]
    for i, (text, _) in enumerate(rows):
        lines.append(f"- **[{text}, 2023]** A Paper Number {i} About Fast Sampling. [[Paper]](https://example.org/paper-{i})")
    path = empty_root / "list.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report, planned = import_markdown(path, Catalog.load(empty_root), dry_run=True, added=ADDED)
    by_line = {item.line: item for item in report.lines}
    for i, (text, expected) in enumerate(rows):
        item = by_line[i + 2]
        assert item.status == "created", (text, item.reason)
        venue = planned[item.record].paper.venue
        assert venue == expected if expected != "-" else venue not in VENUES, (text, venue)


@pytest.mark.parametrize("text, expected", [r for r in ROWS if r[1] not in ("-", "arXiv")])
def test_add_and_enrich_paths(empty_root: Path, text: str, expected: str):
    catalog = Catalog.load(empty_root)
    facts = from_found(Found("crossref", title="A Paper", doi="10.1/x", venue=text, year=2023), catalog.venues)
    assert facts.venue == expected  # add --doi: the Crossref container title
    facts = Facts(title="A Paper", venue=text, year=2023, paper="https://example.org/p",
                  categories=["system.caching"])
    complete(facts, catalog, ask=None)  # add --venue TEXT
    assert facts.venue == expected
    assert map_venue(text, catalog.venues) == expected  # enrich
