"""Canonical writing and reading back: lossless, ordered, atomic, never overwriting silently."""

from __future__ import annotations

import datetime as dt
import os
import string
from pathlib import Path

import pytest
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from effdiff_catalog.catalog import Catalog
from effdiff_catalog.checks import check_record
from effdiff_catalog.model import RAW_TEXT_FIELDS, Paper
from effdiff_catalog.store import RecordExists, dump_record, write_record
from effdiff_catalog.vocab import load_vocab
from effdiff_catalog.yamlsrc import parse_yaml

VOCAB = load_vocab(REPO)
CATEGORIES = sorted(n for n in VOCAB.taxonomy.nodes if VOCAB.taxonomy[n].takes_papers)  # frameworks holds frameworks.yaml
VENUES = sorted(VOCAB.venues.by_name)

# any printable one-line text, including YAML's special characters and non-ASCII
line_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\t\r\n\x85\ufeff"),
    min_size=1, max_size=60,
).map(str.strip).filter(bool)
words = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=8)
urls = st.builds(lambda host, path: f"https://{host}.org/{path}", words, st.text(alphabet=string.ascii_letters + string.digits + "-_/?=&.%", max_size=30))
numbers = st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False, width=64))
nonnegative = st.one_of(st.integers(0, 10**6), st.floats(0, 1e9, allow_nan=False, allow_infinity=False))
results = st.fixed_dictionaries(
    {"benchmark": st.just("other"), "method": line_text, "role": st.sampled_from(["proposed", "baseline"]),
     "metrics": st.fixed_dictionaries({"fid": nonnegative}, optional={
         "psnr": nonnegative, "tflops": nonnegative | st.fixed_dictionaries({"value": nonnegative, "unit": st.just("GFLOPs")})}),
     "source": st.fixed_dictionaries({"table": st.sampled_from(["Table 1", "Figure 3", "Table IV", "Section 5.2"])},
                                     optional={"version": st.sampled_from(["v1", "v2", "v12"])})},
    optional={"note": line_text, "protocol": st.fixed_dictionaries({}, optional={"steps": st.integers(1, 1000), "sampler": line_text,
                                                                               "guidance": st.sampled_from(["none", "cfg"])}),
              "speedup": st.fixed_dictionaries({"value": nonnegative, "basis": st.sampled_from(["nfe", "flops"]), "vs": line_text}),
              "digitised": st.just(True)},
)


@st.composite
def records(draw) -> dict:
    year = draw(st.integers(1950, 2025))
    venue = draw(st.sampled_from(VENUES))
    data = {
        "id": "-".join(draw(st.lists(words, min_size=1, max_size=3))) + f"-{year}",
        "title": draw(line_text),
        "venue": venue,
        "year": year,
        "links": draw(st.fixed_dictionaries({"paper": urls}, optional={"code": urls, "project": urls})),
        "categories": draw(st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=3, unique=True)),
        "added": draw(st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1))),
    }
    if venue == "arXiv" or draw(st.booleans()):
        data["arxiv"] = f"{year % 100:02d}{draw(st.integers(1, 12)):02d}.{draw(st.integers(1000, 99999)):05d}"
    if draw(st.booleans()):
        data["authors"] = draw(st.lists(line_text, min_size=1, max_size=4))
    if draw(st.booleans()):
        data["notes"] = draw(st.text(min_size=1, max_size=200).map(lambda t: "\n".join(x.strip() for x in t.replace("\r", "").split("\n")).strip()).filter(lambda t: t and all(ord(c) >= 32 or c == "\n" for c in t)))
    data["results"] = draw(st.lists(results, max_size=2))
    data["tags"] = draw(st.lists(words, max_size=3, unique=True))
    data["modality"] = draw(st.lists(st.sampled_from(VOCAB.taxonomy.facet_ids("modality")), max_size=2, unique=True))
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records())
def test_any_accepted_record_survives_write_and_read(data: dict):
    paper = Paper.model_validate(data, context={"vocab": VOCAB})
    text = dump_record(paper)
    doc, problems = parse_yaml(text.encode("utf-8"), "x.yaml", RAW_TEXT_FIELDS)
    assert problems == []
    back, problems = check_record(doc, "x.yaml", paper.id, VOCAB)
    assert [p for p in problems if p.severity == "error"] == []
    assert back == paper
    assert dump_record(back) == text  # canonical form is a fixed point


def test_canonical_form_follows_the_model_order(empty_root: Path):
    paper = Paper.model_validate({
        "categories": ["algorithm.compression.pruning"], "added": "2026-11-23", "links": {"code": "https://github.com/a/b", "paper": "https://x.org/p"},
        "year": 2023, "venue": "NeurIPS", "title": "Structural Pruning for Diffusion Models", "id": "diff-pruning-2023",
        "notes": "Two lines\nof notes.", "authors": ["Gongfan Fang", "Xinyin Ma", "Xinchao Wang"],
    }, context={"vocab": VOCAB})
    assert dump_record(paper) == (
        "# yaml-language-server: $schema=../schema/paper.schema.json\n"
        "id: diff-pruning-2023\n"
        "title: Structural Pruning for Diffusion Models\n"
        "authors:\n- Gongfan Fang\n- Xinyin Ma\n- Xinchao Wang\n"
        "venue: NeurIPS\nyear: 2023\n"
        "links:\n  paper: https://x.org/p\n  code: https://github.com/a/b\n"
        "categories:\n- algorithm.compression.pruning\n"
        "added: 2026-11-23\n"
        "notes: |-\n  Two lines\n  of notes.\n"
    )


def _paper(record_id: str = "q-diffusion-2023") -> Paper:
    return Paper.model_validate({"id": record_id, "title": "Q-Diffusion: Quantizing Diffusion Models", "venue": "ICCV", "year": 2023,
                                 "links": {"paper": "https://arxiv.org/abs/2302.04304"},
                                 "categories": ["algorithm.compression.quantization.post_training_quantization"], "added": "2026-11-23"},
                                context={"vocab": VOCAB})


def test_write_refuses_to_overwrite(empty_root: Path):
    path = write_record(empty_root, _paper())
    before = path.read_bytes()
    with pytest.raises(RecordExists, match="papers/q-diffusion-2023.yaml already exists"):
        write_record(empty_root, _paper())
    assert path.read_bytes() == before
    write_record(empty_root, _paper(), overwrite=True)
    assert Catalog.load(empty_root).papers["q-diffusion-2023"] == _paper()


def test_interrupted_write_leaves_the_old_file_and_no_debris(empty_root: Path, monkeypatch):
    path = write_record(empty_root, _paper())
    before = path.read_bytes()

    def crash(src, dst):
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        write_record(empty_root, _paper(), overwrite=True)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["q-diffusion-2023.yaml"]
