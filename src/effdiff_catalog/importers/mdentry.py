"""Reading one awesome-list entry, whatever its format: links, venue and year, title.

Formats seen in real lists:
    - **[NeurIPS 2023]** Title. [[Paper]](u) [[Code]](u)
    - [Title](u) - text                          * [Title](u), CVPR 2023
    **Title** [[paper]](u) [[code]](u)           Title, <ins>ICLR, 2024</ins> [[pdf](u)]
    | [Title](u) | CVPR | 2023 | [Code](u) |     <a href="u">Title</a> (ICLR'24)
and blocks of lines (title, authors, venue, links) that this module reads as one text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..urls import arxiv_id, is_project_site
from ..venues import Venues, kind_from_text

# [label](url) [[label]](url) [[label](url)] ; url may hold one level of parentheses
MD_LINK = re.compile(r"\[\[?\s*((?:[^\[\]]|\[[^\[\]]*\])*?)\s*\]\]?\(\s*<?([^()\s<>]*(?:\([^()\s]*\)[^()\s<>]*)*)>?(?:\s+\"[^\"]*\")?\s*\)\]?")
HTML_LINK = re.compile(r"<a\s[^>]*?href\s*=\s*[\"']([^\"']+)[\"'][^>]*>(.*?)</a>", re.I | re.S)
AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
BARE_URL = re.compile(r"(?<![(\"'<=\[])\bhttps?://[^\s)\]>\"']+")
TAGS = re.compile(r"<[^>]+>")
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F]")

PAPER_LABELS = {"paper", "pdf", "arxiv", "openreview", "abs", "abstract", "link", "url", "article", "preprint",
                "proceedings", "doi", "acm", "ieee", "springer", "paper link", "[paper]", "cvf", "nips", "neurips",
                "iclr", "icml", "cvpr", "iccv", "eccv", "aaai"}
CODE_LABELS = {"code", "github", "official code", "repo", "repository", "src", "source", "official", "pytorch", "jax", "implementation"}
PROJECT_LABELS = {"project", "project page", "page", "website", "homepage", "home", "blog", "demo", "web", "site"}
OTHER_LABELS = {"video", "slides", "poster", "bibtex", "bib", "citation", "talk", "youtube", "zhihu", "dataset", "data",
                "model", "models", "weights", "checkpoint", "huggingface", "hf", "colab", "notes", "review", "supp",
                "supplementary", "star", "stars", "tweet", "twitter", "news", "other resources", "other resource"}
PAPER_HOSTS = re.compile(
    r"(arxiv\.org/(abs|pdf|html)|openreview\.net/(forum|pdf)|openaccess\.thecvf\.com|proceedings\.neurips\.cc|papers\.nips\.cc"
    r"|neurips\.cc/(paper|virtual)|proceedings\.mlr\.press|aclanthology\.org|doi\.org/|dl\.acm\.org/doi|ieeexplore\.ieee\.org"
    r"|link\.springer\.com|ojs\.aaai\.org|ecva\.net/papers|jmlr\.org/papers|proceedings\.mlsys\.org|usenix\.org/(conference|system)"
    r"|sciencedirect\.com/science|nature\.com/articles|huggingface\.co/papers|semanticscholar\.org/paper|aclweb\.org/anthology"
    r"|ijcai\.org/proceedings|\.pdf(\?|#|$))", re.I)


@dataclass
class Link:
    label: str
    url: str
    start: int
    end: int

    @property
    def kind(self) -> str:
        return link_kind(self.label, self.url)


def code_or_page(url: str) -> str:
    """What a link a list calls code is: a static site ('[Code](https://x.github.io/y/)') is a project page."""
    return "project" if is_project_site(url) else "code"


def link_kind(label: str, url: str) -> str:
    """paper | code | project | other | anchor | title (a link whose label is the paper's title)."""
    if url.startswith("#"):
        return "anchor"
    low = re.sub(r"[^\w\s\[\]]", " ", EMOJI.sub("", html.unescape(label))).strip().lower()
    low = re.sub(r"\s+", " ", low).strip("[] ")
    if low in PAPER_LABELS or low.startswith(("paper", "pdf", "arxiv")):
        return "paper"
    if low in CODE_LABELS or low.startswith(("code", "github")):
        return code_or_page(url)
    if low in PROJECT_LABELS or low.startswith("project"):
        return "project"
    if low in OTHER_LABELS or re.match(r"^(star|img|image|badge|stars|visitors|license|views)\b", low) or label.strip().startswith("!"):
        return "other"
    if not low:
        return "code" if "github.com" in url else ("paper" if PAPER_HOSTS.search(url) else "other")
    if len(low.split()) >= 2 or len(low) > 12:
        return "title"
    return "code" if "github.com" in url else ("paper" if PAPER_HOSTS.search(url) else "other")


# a linked badge: [![arXiv](https://img.shields.io/...)](https://arxiv.org/abs/...): the link is the outer one,
# its label the image's alt text
BADGE_LINK = re.compile(r"\[!\[([^\[\]]*)\]\([^()\s]*\)\]\(\s*<?([^()\s<>]*(?:\([^()\s]*\)[^()\s<>]*)*)>?\s*\)")


def find_links(text: str) -> list[Link]:
    badges = [Link(m.group(1), m.group(2), m.start(), m.end()) for m in BADGE_LINK.finditer(text)]
    if badges:  # the badge's image is not a link of its own
        for b in reversed(badges):
            text = text[: b.start] + " " * (b.end - b.start) + text[b.end:]
    links = badges + [Link(m.group(1), m.group(2), m.start(), m.end()) for m in MD_LINK.finditer(text)]
    links += [Link(TAGS.sub("", m.group(2)).strip(), html.unescape(m.group(1)), m.start(), m.end()) for m in HTML_LINK.finditer(text)]
    links += [Link("", m.group(1), m.start(), m.end()) for m in AUTOLINK.finditer(text)]
    taken = [(l.start, l.end) for l in links]
    for m in BARE_URL.finditer(text):
        if not any(s <= m.start() < e for s, e in taken):
            links.append(Link("", m.group(0).rstrip(".,;"), m.start(), m.end()))
    # images ![alt](src) are badges, not links
    links = [l for l in links if not (l.start > 0 and text[l.start - 1] == "!")]
    return sorted(links, key=lambda l: l.start)


def is_paper_url(url: str) -> bool:
    """A link to a paper: a publisher's or proceedings' page, or any page urls.arxiv_id reads an arXiv
    id from (alphaXiv, Cool Papers, ar5iv, ...; the importers link the abstract page instead)."""
    return bool(PAPER_HOSTS.search(url)) or (url.lower().startswith(("http://", "https://")) and arxiv_id(url) is not None)


@lru_cache(maxsize=8)
def venue_pattern(spellings: tuple[str, ...]) -> re.Pattern:
    names = "|".join(re.escape(s) for s in sorted(spellings, key=len, reverse=True))
    return re.compile(rf"(?<![\w/.-])(?P<venue>{names})(?:\s*(?:workshops?|oral|spotlight|poster|findings|main|long|short))*"
                      rf"[\s,'’`:\-]*(?P<year>(?:19|20)\d\d|'?\d\d)(?:[.\-/](?P<month>0?[1-9]|1[0-2]))?(?!\w|\.\d)", re.I)


@dataclass
class Venue:
    name: str
    year: int
    month: int | None
    start: int
    end: int
    new: Any = None  # venues.Venue: a venue venues.yaml lacks, proposed for it
    corrected: str | None = None  # the misspelling Venues.resolve corrected


# a venue tag: '<ins>NeurlPS, 2023</ins>', '**[ARITH 2023]**', '[AutoML 2024]' at the start of an entry
TAG = re.compile(r"<ins>\s*(?P<ins>[^<]{2,60}?)\s*</ins>|^\s*(?:\*\*|__)?\s*[\[(]\s*(?P<br>[A-Za-z][^\[\]()]{1,50}?)\s*[\])]", re.I)
TAG_PARTS = re.compile(r"^(?P<venue>.*?)[\s,'’`:\-]*(?P<year>(?:19|20)\d\d)(?:[.\-/](?P<month>\d{1,2}))?$")


def find_tag(text: str, venues: Venues) -> Venue | None:
    """A venue tag with a year whose venue the spelling list misses: misspelt ('NeurlPS', corrected
    by Venues.resolve) or not in venues.yaml ('ARITH', proposed as a new venue)."""
    for m in TAG.finditer(text):
        inner = plain(m.group("ins") or m.group("br") or "")
        parts = TAG_PARTS.match(inner.strip())
        if not parts or not parts.group("venue").strip(" ,'"):
            continue
        name_text = parts.group("venue").strip(" ,'")
        year = int(parts.group("year"))
        month = int(parts.group("month")) if parts.group("month") and 1 <= int(parts.group("month")) <= 12 else None
        found = venues.resolve(name_text)
        if found:
            return Venue(found.name, year, month, m.start(), m.end(), corrected=found.corrected)
        # only what looks like a venue's name: 'ARITH', 'AutoML', 'ACL Demo', '... Symposium', not 'Feb' or 'Update'
        looks = sum(c.isupper() for c in name_text) >= 2 or re.search(
            r"\b(conference|symposium|workshop|journal|transactions|letters)\b", name_text, re.I)
        proposal = venues.propose(name_text, kind_from_text(name_text)) if looks else None
        if proposal is not None and len(name_text.split()) <= 6:
            return Venue(proposal.name, year, month, m.start(), m.end(), new=proposal)
    return None


def find_venue(text: str, venues: Venues) -> Venue | None:
    """The first 'Venue Year' in the text whose venue is a known spelling (venues.yaml), else a
    venue tag (find_tag)."""
    spellings = tuple(sorted({s for v in venues.by_name.values() for s in (v.name, *v.aliases) if len(s) <= 40}))
    for m in venue_pattern(spellings).finditer(text):
        found = venues.resolve(m.group("venue"))
        name = found.name if found else None
        if not name:
            continue
        raw_year = m.group("year").lstrip("'")
        year = int(raw_year) if len(raw_year) == 4 else 2000 + int(raw_year)
        if not 1950 <= year <= 2100:
            continue
        month = int(m.group("month")) if m.group("month") else None
        if re.search(r"workshop", m.group(0) + text[m.end():m.end() + 12], re.I):
            workshop = venues.resolve(name + " Workshop")  # 'NeurIPS 2021 Workshop' -> NeurIPSW
            name = workshop.name if workshop else name
        return Venue(name, year, month, m.start(), m.end())
    return find_tag(text, venues)


# emphasis marks; an underscore between two letters or digits is a character, not markup
# (CommonMark: '_1-1_Quantization', 'snake_case'), so it stays
MARKUP = re.compile(r"[*`~]+|(?<![^\W_])_+|_+(?![^\W_])")


def plain(text: str) -> str:
    """Markdown and HTML markup removed: the words a reader sees."""
    text = html.unescape(TAGS.sub(" ", text))
    text = MARKUP.sub("", text)
    text = EMOJI.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


BULLET_PREFIX = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
SEPARATORS = re.compile(r"\s+[-–—|]\s+|\s*<br\s*/?>\s*|,\s*<ins>|\s*<ins>")


@dataclass
class Extracted:
    title: str = ""
    links: dict[str, str] = field(default_factory=dict)
    venue: Venue | None = None
    notes: list[str] = field(default_factory=list)
    has_paper_link: bool = False


def extract(text: str, venues: Venues) -> Extracted:
    """Title, links and venue of an entry written in any of the common formats."""
    out = Extracted()
    body = BULLET_PREFIX.sub("", text, count=1)
    links = find_links(body)
    title_link = next((l for l in links if l.kind == "title"), None)
    for link in links:
        kind = link.kind
        if kind in ("anchor", "other"):
            continue
        key = "paper" if kind == "title" else kind
        if kind == "title" and "github.com" in link.url:
            key = "code"  # '[Title](github repo)': the title links the code, not the paper
        if kind == "code" and "github.com" not in link.url and is_paper_url(link.url):
            key = "paper"
        if key in out.links:
            if kind != "title":
                out.notes.append(f"second {key} link not imported: {link.url}")
            continue
        out.links[key] = link.url
    if "paper" not in out.links:
        # an unlabelled or oddly labelled link to a paper host is the paper
        for link in links:
            if link.kind in ("other", "project") and is_paper_url(link.url) and not link.url.startswith("#"):
                out.links["paper"] = link.url
                break
    out.has_paper_link = "paper" in out.links
    # the venue: look outside link targets (an arXiv URL holds digits that look like years)
    masked = body
    for link in reversed(links):
        masked = masked[: link.start] + " " * (link.end - link.start) + masked[link.end:]
    out.venue = find_venue(masked, venues)
    if out.venue is None:
        # '[[NeurIPS](url)] Title': the venue is the label of the paper link
        for link in links:
            named = venues.resolve(plain(link.label)) if link.kind == "paper" else None
            if named and named.name != "arXiv" and not named.corrected:
                out.venue = Venue(named.name, 0, None, link.start, link.start)  # year 0: the caller may know it
                break
    # the title
    if title_link is not None:
        out.title = plain(title_link.label)
    else:
        first_link = links[0].start if links else len(body)
        head = masked[:first_link]
        if out.venue and out.venue.start < first_link:
            # drop a venue tag: '[CVPR 2023] Title', '**[CVPR 2023]** Title', 'Title, <ins>CVPR, 2023</ins>'
            before, after = head[: out.venue.start], head[out.venue.end:]
            head = before if len(plain(before)) >= len(plain(after)) else after
        head = SEPARATORS.split(head)[0]
        if not plain(head).strip(" ([])|") and links:
            # '[[arXiv](u)] Title. [[code](u)]': the title follows the first link
            first = links[0]
            nxt = next((l.start for l in links[1:]), len(body))
            head = masked[first.end:nxt]
            head = SEPARATORS.split(head)[0]
        quoted = re.search(r"[\"“”]([^\"“”]{8,})[\"“”]", head)
        bold = re.search(r"\*\*(.+?)\*\*|__(.+?)__|<b>(.+?)</b>|<strong>(.+?)</strong>", head)
        out.title = plain(head)
        if quoted:
            out.title = plain(quoted.group(1))  # '[**DDPM**] "Denoising Diffusion ..."': the quoted part
            bold = None
        if bold:
            inner = plain(next(g for g in bold.groups() if g))
            rest = plain(head[: bold.start()] + " " + head[bold.end():])
            if len(rest.split()) < 3 and len(inner.split()) >= 2:
                out.title = inner  # '**Title** [[paper]](u)': the bold part is the title
    out.title = clean_title_text(out.title, venues)
    return out


_PAIRS = {"[": "]", "(": ")"}
_OPENERS = {close: open_ for open_, close in _PAIRS.items()}
_TITLE_EDGE = " .,;:-–—\"'：，；。"  # ASCII and full-width (CJK) punctuation
AFFILIATION = re.compile(r"\s*\(@[^()]*\)?\s*$")
TRAILING_SHORT_NAME = re.compile(r"\s*\((?=[^()\s]*[A-Z])[^()\s]{2,20}\)\s*$")
SHORT_NAME = re.compile(r"^\s*\[(?!Re\])[^\[\]]{1,40}\]\s*[:\-–]?\s*")


def clean_title_text(title: str, venues: Venues) -> str:
    title = re.sub(r"^\s*\[\d{1,4}\]\s*", "", title)  # '[12] Title': a list's numbering
    title = re.sub(r"^\s*\d{1,3}\.\s+(?=[A-Z])", "", title)  # '3. Title': a list's numbering
    title = re.sub(r"^[\[\(]?\s*(?:19|20)\d\d(?:[./-]\d{1,2}){0,2}\s*[\]\)]?\s*", "", title)  # a leading '2023.05' date
    title = re.sub(r"^\s*[\[\(][^\]\)]{1,30}[\]\)]\s*[:\-–]?\s*", lambda m: "" if find_venue(m.group(0), venues) else m.group(0), title)
    title = AFFILIATION.sub("", title)  # 'Title(@UC Berkeley)', 'Title (@SJTU)': the authors' lab, not the title
    label = SHORT_NAME.match(title)
    if label and len(title[label.end():].split()) >= 3:
        title = title[label.end():]  # '[PNDM] Pseudo Numerical Methods ...': the list's short name for the method
    name = TRAILING_SHORT_NAME.search(title)
    if name and len(title[: name.start()].split()) >= 3:
        title = title[: name.start()]  # 'Latent Consistency Models (LCM)': the list's short name for the method
    title = _strip_unpaired(title.strip(_TITLE_EDGE))
    title = re.sub(r"\s+", " ", title)
    m = trailing_venue(title, venues)
    if m:
        title = title[: m.start()].strip(" .,;")
    return title


def _strip_unpaired(title: str) -> str:
    """Brackets cut off the ends of a title, keeping the ones that close a pair inside it ('Models (Almost)');
    a title wholly inside one pair ('[Title]') loses that pair."""
    while title:
        head, tail = title[0], title[-1]
        if _PAIRS.get(head) == tail and _closes_at_end(title):
            title = title[1:-1]
        elif head in _OPENERS or (head in _PAIRS and title.count(head) > title.count(_PAIRS[head])):
            title = title[1:]
        elif tail in _PAIRS or (tail in _OPENERS and title.count(tail) > title.count(_OPENERS[tail])):
            title = title[:-1]
        else:
            break
        title = title.strip(_TITLE_EDGE)
    return title


def _closes_at_end(text: str) -> bool:
    """Whether the bracket that opens text is the one that closes it: '[a (b) c]' yes, '(a) b (c)' no."""
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == text[0]
        depth -= ch == text[-1]
        if depth == 0:
            return i == len(text) - 1
    return False


def trailing_venue(title: str, venues: Venues) -> re.Match[str] | None:
    """A venue written after the title, as in '..., ACL 24' or '... (CVPR 2023)': the one rule that cuts
    it off a title."""
    m = re.search(r"[,(]\s*([A-Za-z]+)\s*'?(\d{2}|\d{4})\)?$", title)
    return m if m and venues.resolve(m.group(1)) else None
