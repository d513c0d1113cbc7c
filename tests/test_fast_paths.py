"""The shortcuts taken for speed give what the full rules (or the library) give.

import-bib reads BibTeX values, author lists and names, checks URLs and makes ids with shortcuts
for the common shapes (see benchmarks/bench_import.py); each property here compares a shortcut
with the slow path it stands for, on generated input that includes the shapes it must refuse.
"""

from __future__ import annotations

import unicodedata

import bibtexparser
import pytest
from bibtexparser.middlewares.names import split_multiple_persons_names
from conftest import DATA
from hypothesis import given, settings
from hypothesis import strategies as st

from effdiff_catalog import text as text_module
from effdiff_catalog.ids import id_parts, make_id
from effdiff_catalog.importers import latex
from effdiff_catalog.importers.bibtex import READ_FIELDS, field_value, person_name, person_name_by_rules, split_names
from effdiff_catalog.model import _PLAIN_URL, check_url, check_url_fully
from effdiff_catalog.text import fold, slug_words, slugify

NAME_CHARS = st.sampled_from(list("AaBbNnDdEeéü~$-{}\\,. \t\n") + ["and", "And", "AND", " and ", "\u0308", "Ø"])
WORD = st.sampled_from(["Lu", "Cheng", "van", "der", "Jean-Pierre", "A.", "Mu\u0308ller", "O~Brien", "{Google Research}",
                        "{\\\"o}", "$x$", "A--B", "and", "AND", "And", "aNd", "others", "Jr.", "É", "x-", ",", "\\&"])
SEP = st.sampled_from([" ", "  ", "\t", "\n", ", ", ",", ""])
NAMES = st.lists(st.tuples(WORD, SEP), max_size=12).map(lambda pairs: "".join(w + s for w, s in pairs))


@given(st.one_of(NAMES, st.lists(NAME_CHARS, max_size=40).map("".join)))
@settings(max_examples=500, deadline=None)
def test_author_list_split_is_bibtexparsers(text: str):
    assert split_names(text) == split_multiple_persons_names(text.strip(" \r\n\t"))


@given(st.one_of(NAMES, st.lists(NAME_CHARS, min_size=1, max_size=30).map("".join)))
@settings(max_examples=500, deadline=None)
def test_person_name_shortcut_is_the_rules(raw: str):
    person_name.cache_clear()
    assert person_name(raw) == person_name_by_rules(raw)


@pytest.mark.parametrize("raw, expected", [
    ("Lu, Cheng", "Cheng Lu"), ("Cheng  Lu", "Cheng Lu"), ("Knuth, Donald~E.", "Donald E. Knuth"),
    ("Dupont, Jean-Pierre", "Jean-Pierre Dupont"), ("Mu\u0308ller, Jo", "Jo Müller"), ("van der Berg, Jan", "Jan van der Berg"),
    ("Qiang Fu 0015", "Qiang Fu"), ("Fu 0015, Qiang", "Qiang Fu"), ("Pantelis 2018", "Pantelis"), ("{Team 2023}", "Team 2023"),
])
def test_person_name_examples(raw: str, expected: str):
    assert person_name(raw) == expected


VALUE = st.one_of(
    st.text(alphabet=st.sampled_from(list('ab {}"#\\ ,')), max_size=16),
    st.sampled_from(["{a}", "{a{b}c}", "{a} # {b}", '"a"', '"a" # "b"', '"a{"}b"', "{a\\}", "jan", "pami", "PAMI", "2023",
                     " {x} ", '{"}', "{}", '""', "{", '"'])
)


@given(VALUE, st.dictionaries(st.sampled_from(["pami", "jan", "x"]), st.sampled_from(["{P}", '"Q"', "R", "{a} # {b}"])))
@settings(max_examples=500, deadline=None)
def test_field_value_is_what_the_default_middlewares_give(raw: str, macros: dict):
    strings = "".join(f"@string{{{k} = {v}}}\n" for k, v in macros.items())
    text = f"{strings}@misc{{k, note = {raw}}}\n"
    whole = bibtexparser.parse_string(text)
    if whole.failed_blocks or len(whole.entries) != 1 or "note" not in whole.entries[0].fields_dict:
        return  # not a value bibtexparser reads: nothing to compare
    bare = bibtexparser.parse_string(text, parse_stack=[])
    lookup = {s.key.lower(): s.value for s in bare.strings}.get
    assert field_value(bare.entries[0].fields_dict["note"].value, lookup) == whole.entries[0].fields_dict["note"].value


@pytest.mark.parametrize("name", sorted(p.name for p in (DATA / "bibtex").glob("*.bib")))
def test_field_values_of_real_exports_are_the_middlewares(name: str):
    text = (DATA / "bibtex" / name).read_text(encoding="utf-8")
    whole = bibtexparser.parse_string(text)
    bare = bibtexparser.parse_string(text, parse_stack=[])
    lookup = {s.key.lower(): s.value for s in bare.strings}.get
    compared = 0
    for a, b in zip(whole.entries, bare.entries, strict=True):
        for f in b.fields:
            if f.key.lower() in READ_FIELDS:
                assert field_value(f.value, lookup) == a.fields_dict[f.key].value, (name, b.key, f.key)
                compared += 1
    assert compared > 10


URL = st.one_of(
    st.from_regex(_PLAIN_URL, fullmatch=True),
    st.lists(st.sampled_from(list("htps:/.aZ09-_?#@%[] \t\x00") + ["http://", "https://", "HTTP://"]), max_size=30).map("".join),
)


@given(URL)
@settings(max_examples=500, deadline=None)
def test_url_shortcut_only_takes_what_the_full_check_accepts(url: str):
    if _PLAIN_URL.fullmatch(url):
        assert check_url_fully(url) == url
        assert check_url(url) == url


TITLE = st.lists(st.sampled_from(list("ab cD:+-Δé") + ["ControlNet", "the", "of", "2023", "\uff0b"]), max_size=40).map("".join)


@given(TITLE, st.sets(st.sampled_from(["ab-2023", "ab-cd-2023", "controlnet-2023", "ab-2-2023", "paper-2023"])))
@settings(max_examples=300, deadline=None)
def test_id_from_parts_is_the_id_from_the_title(title: str, taken: set):
    assert make_id(title, 2023, taken=taken, parts=id_parts(title)) == make_id(title, 2023, taken=taken)


@given(st.one_of(TITLE, st.text(max_size=20)))
@settings(max_examples=300, deadline=None)
def test_text_helpers_agree(title: str):
    assert slug_words(title) == [w for w in slugify(title).split("-") if w]
    # fold translates Greek only when there is some: the same as translating always
    full = text_module._COMBINING.sub("", unicodedata.normalize("NFKD", title.translate(text_module._GREEK_TABLE))).lower()
    assert fold.__wrapped__(title) == (title.lower() if title.isascii() else full)


def test_fold_spells_out_greek_and_strips_accents():
    assert fold("Δ-DiT Schön ς µ") == "delta-dit schon sigma μ"


def _latex_every_step(value: str) -> str:
    """latex_to_text as it was before it skipped steps: every substitution, always."""
    text = latex.SYMBOL_ACCENT.sub(latex._accent, value)
    text = latex.LETTER_ACCENT.sub(latex._accent, text)
    text = latex.SPECIAL_LETTER.sub(lambda m: latex.LETTERS[m.group(1)], text)
    text = latex.STYLE.sub("", text)
    text = latex.NAMED.sub(latex._named, text)
    text = latex.ESCAPE.sub(lambda m: "\x00" + m.group(1), text)
    text = latex.SPACES.sub(" ", text)
    text = text.replace("---", "—").replace("--", "–")
    if "\\" in text:
        text = latex._FALLBACK.latex_to_text(value)
    text = text.replace("{", "").replace("}", "").replace("$", "").replace("\x00", "")
    return " ".join(unicodedata.normalize("NFC", text).split())


LATEX = st.lists(st.sampled_from(["\\", '"', "'", "o", "i", "\\i", "{", "}", "u", "v", "c", "ae", "ss", "textit", "emph",
                                  "alpha", "Delta", "times", "&", "_", "%", "~", "-", "--", "$", " ", "x", "\\\\", "\\,",
                                  "e\u0301", "S"]), max_size=14).map("".join)


@given(LATEX)
@settings(max_examples=1500, deadline=None)
def test_latex_skips_only_steps_with_nothing_to_do(value: str):
    assert latex.latex_to_text(value) == _latex_every_step(value)
