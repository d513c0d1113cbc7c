"""The id rule: the method's short name, or the first significant title words, and a year.

`DPM-Solver: A Fast ODE Solver ...` (2022) -> `dpm-solver-2022`;
`Denoising Diffusion Implicit Models` (2021) -> `denoising-diffusion-implicit-2021`.
The year is that of the paper's first public version (its arXiv id's year when it has one), so
an id does not change when a preprint is later published at a venue.
"""

from __future__ import annotations

from typing import Container, Iterator

from .model import ARXIV_RE, arxiv_year
from .text import slug_words, slugify

STOPWORDS = frozenset(
    "a an the of for and or in on to with via by from is are be as at its it your you we our all can do does "
    "how what when why towards toward using through into than more less not no one".split()
)
MAX_SHORT_NAME = 24


def short_name(title: str) -> str | None:
    """The method's name when the title starts with one: 'Q-Diffusion: ...' -> 'q-diffusion'."""
    if ":" not in title:
        return None
    head = title.split(":", 1)[0].strip()
    if len(head.split()) > 2:
        return None
    slug = slugify(head)
    if slug and len(slug) <= MAX_SHORT_NAME:
        return slug
    return None


def significant_words(title: str) -> list[str]:
    words = slug_words(title)
    return [w for w in words if w not in STOPWORDS and not w.isdigit()] or words


def id_year(year: int, arxiv: str | None) -> int:
    first = arxiv_year(arxiv) if arxiv else None
    return first or year


def arxiv_month(arxiv: str | None) -> tuple[int, int] | None:
    """(year, month) an arXiv id was posted: '2407.01425' -> (2024, 7); None for no id."""
    m = ARXIV_RE.match(arxiv) if arxiv else None
    if not m:
        return None
    yy, month = int(m.group(1) or m.group(3)), int(m.group(2) or m.group(4))
    return (1900 if yy >= 91 else 2000) + yy, month


def id_name(record_id: str) -> str:
    """The name an id gives before its year: 'teacache-2024' -> 'teacache', 't-gate-2024' -> 't-gate'."""
    return record_id[:-5]


def first_public(record_id: str, arxiv: str | None) -> tuple[int, int]:
    """(year, month) of a paper's first public version: its arXiv id's month when it has one, else the
    year its id carries (the id rule puts the first public year there) and month 0 (not known)."""
    return arxiv_month(arxiv) or (int(record_id[-4:]), 0)


def make_id(title: str, year: int, arxiv: str | None = None, taken: Container[str] = (),
            parts: tuple[str | None, list[str]] | None = None, counters: dict[str, int] | None = None) -> str:
    """A new id that is not in `taken`: more title words are added until it is unique; when every
    name is taken, the longest is numbered from 2 (`-2`, `-3`, ...).
    `parts` is id_parts(title), when the caller has it already. `counters` (a dict the caller keeps
    across calls, for a `taken` that only grows) remembers per numbered stem the first number not yet
    seen taken, so that numbering many titles that differ only by a number stays linear; the ids are
    the same as without it."""
    y = id_year(year, arxiv)
    name, words = parts if parts is not None else id_parts(title)
    for candidate in _names(name, words):
        record_id = f"{candidate}-{y}"
        if record_id not in taken:
            return record_id
    base = "-".join(words)  # every name is taken: number the longest
    stem = f"{base}-{y}"
    n = counters.get(stem, 2) if counters is not None else 2
    while f"{base}-{n}-{y}" in taken:
        n += 1
    if counters is not None:
        counters[stem] = n  # every number below n is taken, and stays so; n itself may not be used after all
    return f"{base}-{n}-{y}"


def id_parts(title: str) -> tuple[str | None, list[str]]:
    """What an id is made of: the method's short name (or None) and the significant title words."""
    return short_name(title), significant_words(title) or ["paper"]


def _names(name: str | None, words: list[str]) -> Iterator[str]:
    """The names an id may take, in order of preference: the short name, then the first 3, 4, ...
    significant words (all of them, when there are fewer than 3)."""
    if name:
        yield name
    if len(words) < 3:
        yield "-".join(words)
        return
    for n in range(3, len(words) + 1):
        yield "-".join(words[:n])

