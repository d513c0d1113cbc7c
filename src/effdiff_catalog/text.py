"""Small text helpers shared by validation, importers and renderers."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[^0-9a-z]+")
# Greek letters carry meaning in method names (Δ-DiT, α-blending): spell them out
_GREEK = dict(zip("αβγδεζηθικλμνξοπρστυφχψω", "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi "
                  "omicron pi rho sigma tau upsilon phi chi psi omega".split()))
_GREEK_TABLE = str.maketrans({**{k: v for k, v in _GREEK.items()}, **{k.upper(): v for k, v in _GREEK.items()}, "ς": "sigma"})


_GREEK_CHAR = re.compile("[\u0370-\u03ff]")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


@lru_cache(maxsize=1024)  # a title is folded for its match key and again for its id
def fold(text: str) -> str:
    """ASCII-fold and lowercase: 'Déjà Vu' -> 'deja vu'."""
    if text.isascii():
        return text.lower()
    if _GREEK_CHAR.search(text):
        text = text.translate(_GREEK_TABLE)
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).lower()


def normalize_title(title: str) -> str:
    """The key two titles of the same paper share: case, accents, punctuation and spacing removed."""
    return _NON_WORD.sub(" ", fold(title)).strip()


def normalize_heading(text: str) -> str:
    """Heading text without emoji, numbering, punctuation or case: '🔢 3.1 Algorithm-Level' -> 'algorithm level'."""
    text = _NON_WORD.sub(" ", fold(text)).strip()
    return re.sub(r"^(\d+ )+", "", text)


def slugify(text: str) -> str:
    """'ControlNet++: ...' -> 'controlnet-plus-plus', 'Δ-DiT' -> 'delta-dit'."""
    return "-".join(slug_words(text))


_WORD = re.compile(r"[0-9a-z]+")


def slug_words(text: str) -> list[str]:
    """The words of slugify(text): slug_words('ControlNet++: x') == ['controlnet', 'plus', 'plus', 'x']."""
    return _WORD.findall(fold(text.replace("+", " plus ")))
