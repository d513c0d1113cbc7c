"""urls.py: the arXiv id in every form a list or a .bib file writes it, URL duplicate keys, GitHub repositories."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from effdiff_catalog.urls import arxiv_id, github_repo, is_arxiv_doi, paper_url, url_key


@pytest.mark.parametrize("text, expected", [
    ("https://arxiv.org/abs/2206.00927", "2206.00927"),
    ("https://arxiv.org/abs/2206.00927v3", "2206.00927"),
    ("https://arxiv.org/pdf/2206.00927v2.pdf", "2206.00927"),
    ("https://arxiv.org/pdf/2206.00927", "2206.00927"),
    ("https://arxiv.org/html/2502.06805v3#S3", "2502.06805"),
    ("https://arxiv.org/format/2206.00927", "2206.00927"),
    ("http://export.arxiv.org/abs/2206.00927", "2206.00927"),
    ("https://www.arxiv.org/abs/2206.00927/", "2206.00927"),
    ("https://arxiv.org/abs/cs/0112017", "cs/0112017"),
    ("https://arxiv.org/abs/math.PR/0112017v2", "math.PR/0112017"),
    ("https://arxiv.org/abs/hep-th/9901001", "hep-th/9901001"),
    ("https://doi.org/10.48550/arXiv.2305.18403", "2305.18403"),
    ("10.48550/ARXIV.2305.18403", "2305.18403"),
    ("https://huggingface.co/papers/2407.14057", "2407.14057"),
    ("https://www.alphaxiv.org/abs/2407.14057", "2407.14057"),
    ("https://alphaxiv.org/overview/2407.14057v2", "2407.14057"),
    ("https://papers.cool/arxiv/2405.16005", "2405.16005"),  # Cool Papers, common in lists written in Chinese
    ("https://ar5iv.labs.arxiv.org/html/2206.00927", "2206.00927"),
    ("https://ar5iv.org/abs/2206.00927", "2206.00927"),
    ("arXiv:2206.00927v3", "2206.00927"),
    ("arXiv preprint arXiv:2206.00927", "2206.00927"),
    ("arXiv 2206.00927", "2206.00927"),
    ("abs/2206.00927", "2206.00927"),  # DBLP's CoRR volume
    ("CoRR abs/2206.00927", "2206.00927"),
    ("2206.00927", "2206.00927"),
    ("2206.00927v1", "2206.00927"),
    ("https://arxiv.org/abs/0704.0001", "0704.0001"),
    # not arXiv ids
    ("https://github.com/user/2206.00927", None),
    ("https://openreview.net/forum?id=2206.00927", None),
    ("https://arxiv.org/abs/2206.009271", None),
    ("https://arxiv.org/abs/2213.00927", None),  # month 13
    ("https://example.org/paper.pdf", None),
    ("", None),
    (None, None),
])
def test_arxiv_id_in_every_form(text, expected):
    assert arxiv_id(text) == expected


@pytest.mark.parametrize("url, key", [
    ("https://arxiv.org/pdf/2206.00927v2.pdf", "arxiv.org/abs/2206.00927"),
    ("http://www.arxiv.org/abs/2206.00927/", "arxiv.org/abs/2206.00927"),
    ("https://huggingface.co/papers/2206.00927", "arxiv.org/abs/2206.00927"),
    ("https://doi.org/10.48550/arXiv.2206.00927", "arxiv.org/abs/2206.00927"),
    ("https://openreview.net/pdf?id=abc", "openreview.net/forum?id=abc"),
    ("https://openreview.net/forum?id=abc&noteId=xyz", "openreview.net/forum?id=abc"),
    ("https://openreview.net/forum?id=abc#discussion", "openreview.net/forum?id=abc"),
    ("https://aclanthology.org/2023.acl-long.1.pdf", "aclanthology.org/2023.acl-long.1"),
    ("https://dx.doi.org/10.1109/CVPR.2023.1", "doi.org/10.1109/cvpr.2023.1"),
    ("https://example.org/Paper/", "example.org/paper"),
])
def test_url_keys(url: str, key: str):
    assert url_key(url) == key


def test_openreview_pdf_and_forum_are_one_paper():
    assert url_key("https://openreview.net/pdf?id=XVjTT1nw5z") == url_key("https://openreview.net/forum?id=XVjTT1nw5z")
    assert url_key("https://openreview.net/forum?id=A") != url_key("https://openreview.net/forum?id=B")


@given(st.from_regex(r"(0[7-9]|1\d|2[0-5])(0[1-9]|1[0-2])\.\d{5}", fullmatch=True), st.integers(1, 20))
def test_every_arxiv_form_has_one_key(arxiv: str, version: int):
    forms = [paper_url(arxiv), f"https://arxiv.org/pdf/{arxiv}v{version}.pdf", f"https://arxiv.org/html/{arxiv}v{version}",
             f"https://doi.org/10.48550/arXiv.{arxiv}", f"https://huggingface.co/papers/{arxiv}",
             f"https://www.alphaxiv.org/abs/{arxiv}"]
    assert {arxiv_id(f) for f in forms} == {arxiv}
    assert {url_key(f) for f in forms} == {f"arxiv.org/abs/{arxiv}"}


def test_arxiv_dois_and_github_repositories():
    assert is_arxiv_doi("10.48550/arXiv.2206.00927") and not is_arxiv_doi("10.1109/CVPR.2023.1") and not is_arxiv_doi(None)
    assert github_repo("https://github.com/LuChengTHU/dpm-solver") == ("LuChengTHU", "dpm-solver")
    assert github_repo("https://github.com/LuChengTHU/dpm-solver.git") == ("LuChengTHU", "dpm-solver")
    assert github_repo("https://www.github.com/a/b/tree/main/x") == ("a", "b")
    assert github_repo("https://github.com/a") is None and github_repo("https://gitlab.com/a/b") is None
