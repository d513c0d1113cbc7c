"""Links and the identifiers in them: the one place that knows URL shapes.

- `arxiv_id`: the arXiv id in any form a list or a BibTeX file writes it (abs, pdf, html, format
  and listing pages, versions, old ids such as cs/0112017, export.arxiv.org, ar5iv, alphaxiv,
  Cool Papers (papers.cool/arxiv/), Hugging Face paper pages, arXiv's DataCite DOIs 10.48550/arXiv.*, 'arXiv:2206.00927v3');
- `paper_url`: the default paper link of an arXiv id;
- `url_key`: the duplicate key of a URL (two links to one paper have one key);
- `github_repo`: the (owner, repository) of a GitHub link;
- `is_arxiv_doi`: whether a DOI is arXiv's own (it names the preprint, not a publication).

Importers, `add`, `enrich`, `check-links` and `validate`'s duplicate check all use these.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .model import ARXIV_RE

_NEW_ID = r"\d{4}\.\d{4,5}"
_OLD_ID = r"[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7}"
_ID = rf"(?P<id>{_NEW_ID}|{_OLD_ID})(?:v\d+)?"
# every shape an arXiv id is written in: hosts and paths that hold it, arXiv's DataCite DOI,
# 'arXiv:' or 'arXiv ' before it in citation text, DBLP's 'abs/' volume
_ARXIV_FORMS = re.compile(
    r"(?:"
    r"(?:^|[/.@])(?:export\.|www\.|ar5iv\.labs\.)?arxiv\.org/(?:abs|pdf|html|format|ps|src)/"
    r"|(?:^|[/.])ar5iv\.org/(?:abs|html)/"
    r"|(?:^|[/.])alphaxiv\.org/(?:abs|overview|pdf)/"
    r"|(?:^|[/.])huggingface\.co/papers/"
    r"|(?:^|[/.])papers\.cool/arxiv/"
    r"|(?:^|[/.])arxiv-export\d*\.library\.cornell\.edu/abs/"
    r"|10\.48550/arxiv\."
    r"|(?:^|[\s({\[,;])(?:arxiv|corr)(?::\s*|\s+)(?:abs/)?"
    r"|(?:^|\s)abs/"
    r")" + _ID + r"(?![\d])",
    re.I,
)
_BARE = re.compile(rf"^\s*{_ID}\s*$")
_ID_SHAPE = re.compile(r"\d{4}\.\d{4}|/\d{7}")  # what every arXiv id contains
_DATACITE_PREFIX = "10.48550/arxiv."


def arxiv_id(text: str | None) -> str | None:
    """The arXiv id a URL, DOI or citation text names ('https://arxiv.org/pdf/2206.00927v2.pdf',
    'https://doi.org/10.48550/arXiv.2305.18403', 'https://huggingface.co/papers/2407.14057',
    'arXiv:cs/0112017'), or a bare id with or without version; None when there is none."""
    if not text or not _ID_SHAPE.search(text):  # most texts hold no id at all: one cheap search says so
        return None
    m = _ARXIV_FORMS.search(text) or _BARE.match(text)
    if not m:
        return None
    found = m.group("id")
    if "/" in found:  # old ids: the archive is lowercase, the subject class upper case
        archive, _, number = found.partition("/")
        found = archive.lower() + "/" + number if "." not in archive else found
    return found if ARXIV_RE.match(found) else None


def paper_url(arxiv: str) -> str:
    """The default paper link of an arXiv id: its abstract page."""
    return f"https://arxiv.org/abs/{arxiv}"


def is_arxiv_doi(doi: str | None) -> bool:
    """arXiv's DataCite DOIs (10.48550/arXiv.*) name the preprint, not a publication."""
    return bool(doi and doi.strip().lower().startswith(_DATACITE_PREFIX))


_URL_SCHEME = re.compile(r"^https?://(www\.)?")
_OPENREVIEW_PAGE = re.compile(r"^openreview\.net/(?:pdf|forum|attachment)/?\?(?:[^#]*&)?id=([\w\-]+)[^#]*")
_ACL_PAGE = re.compile(r"^aclanthology\.org/([\w.\-]+?)(\.pdf)?/?$")
_DOI_URL = re.compile(r"^(?:dx\.)?doi\.org/(10\.\d{4,9}/\S+)$")


def url_key(url: str) -> str:
    """The duplicate key of a link: scheme, 'www.', case, a fragment, a trailing '/' or '?' ignored; every
    form of an arXiv link is its abstract page; OpenReview's pdf?id= and forum?id= are one paper;
    an ACL Anthology PDF is its page; a doi.org link is its DOI."""
    arxiv = arxiv_id(url)
    if arxiv:
        return f"arxiv.org/abs/{arxiv.lower()}"
    key = _URL_SCHEME.sub("", url.strip().lower(), count=1)
    key = _OPENREVIEW_PAGE.sub(r"openreview.net/forum?id=\1", key)
    key = _ACL_PAGE.sub(r"aclanthology.org/\1", key)
    key = _DOI_URL.sub(r"doi.org/\1", key)
    return key.split("#", 1)[0].rstrip("/?")


_GITHUB_HOSTS = frozenset({"github.com", "www.github.com"})


def github_repo(url: str | None) -> tuple[str, str] | None:
    """('owner', 'repo') of a github.com link (a repository or any page inside it), or None."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if (parts.hostname or "").lower() not in _GITHUB_HOSTS:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 2:
        return None
    repo = segments[1][:-4] if segments[1].endswith(".git") else segments[1]
    return segments[0], repo


# static-site hosts: a page there is a project page, never a repository ('[Code](https://x.github.io/y/)')
_PAGE_HOSTS = (".github.io", ".gitlab.io", ".pages.dev", ".netlify.app", ".vercel.app")


def is_project_site(url: str) -> bool:
    host = (urlsplit(url.strip()).hostname or "").lower()
    return host.endswith(_PAGE_HOSTS) or host == "sites.google.com"


def is_github(url: str) -> bool:
    return (urlsplit(url).hostname or "").lower() in _GITHUB_HOSTS


_REPOSITORY_URL = re.compile(r"https?://(?:www\.)?(?:github\.com|gitlab\.com|huggingface\.co|bitbucket\.org)/[\w.\-]+/[\w.\-]+", re.I)


def code_links(text: str | None) -> list[str]:
    """The repositories a text (an abstract, an arXiv comment) names, as https://host/owner/repo, in
    order and without repeats. A github.com link inside a repository is cut to the repository."""
    out: list[str] = []
    for m in _REPOSITORY_URL.finditer(text or ""):
        url = m.group(0).rstrip(".-")
        repo = github_repo(url)
        if repo:
            url = f"https://github.com/{repo[0]}/{repo[1].rstrip('.')}"
        url = re.sub(r"^http://", "https://", url, flags=re.I)
        if url not in out:
            out.append(url)
    return out
