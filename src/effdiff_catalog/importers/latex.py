"""LaTeX in BibTeX fields to plain Unicode: accents, special letters, escapes, Greek, braces.

BibTeX files use a small part of LaTeX; this covers it with a few regular expressions and falls
back to pylatexenc (thorough, but some fifty times slower) only for commands it does not know.
"""

from __future__ import annotations

import re
import string
import unicodedata

from pylatexenc.latex2text import LatexNodes2Text

ACCENTS = {'"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304", ".": "\u0307",
           "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323", "b": "\u0331"}
LETTERS = {"o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "aa": "å", "AA": "Å", "l": "ł", "L": "Ł", "ss": "ß", "i": "ı",
           "j": "ȷ", "oe": "œ", "OE": "Œ"}
GREEK = {name: chr(code) for name, code in (
    ("alpha", 0x3B1), ("beta", 0x3B2), ("gamma", 0x3B3), ("delta", 0x3B4), ("epsilon", 0x3B5), ("varepsilon", 0x3B5),
    ("zeta", 0x3B6), ("eta", 0x3B7), ("theta", 0x3B8), ("iota", 0x3B9), ("kappa", 0x3BA), ("lambda", 0x3BB), ("mu", 0x3BC),
    ("nu", 0x3BD), ("xi", 0x3BE), ("pi", 0x3C0), ("rho", 0x3C1), ("sigma", 0x3C3), ("tau", 0x3C4), ("upsilon", 0x3C5),
    ("phi", 0x3C6), ("varphi", 0x3C6), ("chi", 0x3C7), ("psi", 0x3C8), ("omega", 0x3C9), ("Gamma", 0x393), ("Delta", 0x394),
    ("Theta", 0x398), ("Lambda", 0x39B), ("Xi", 0x39E), ("Pi", 0x3A0), ("Sigma", 0x3A3), ("Upsilon", 0x3A5), ("Phi", 0x3A6),
    ("Psi", 0x3A8), ("Omega", 0x3A9))}
SYMBOLS = {"times": "×", "infty": "∞", "approx": "≈", "leq": "≤", "geq": "≥", "pm": "±", "cdot": "·", "to": "→",
           "rightarrow": "→", "textendash": "–", "textemdash": "—", "textquoteright": "’", "ldots": "…", "dots": "…",
           "textregistered": "®", "texttrademark": "™", "copyright": "©", "S": "§", "dag": "†"}

_BASE = r"(\\[ij](?![A-Za-z])|[A-Za-z])"
SYMBOL_ACCENT = re.compile(r"\\([\"'`^~=.])\s*(?:\{\s*" + _BASE + r"\s*\}|" + _BASE + r")")
LETTER_ACCENT = re.compile(r"\\([uvHckrdb])(?:\s*\{\s*" + _BASE + r"\s*\}|\s+" + _BASE + r")")
SPECIAL_LETTER = re.compile(r"\\(ae|AE|aa|AA|oe|OE|ss|o|O|l|L|i|j)(?![A-Za-z])(?:\s*\{\})?\s?")
ESCAPE = re.compile(r"\\([&%$#_{}])")
STYLE = re.compile(r"\\(?:textit|textbf|textsl|emph|textrm|textsc|texttt|textsf|textup|textnormal|text|mathrm|mathbf|mathit|mathsf|mathtt|mathcal|mathbb|boldsymbol|bm|url|href\{[^}]*\})\s*(?=\{)")
NAMED = re.compile(r"\\([A-Za-z]+)(?![A-Za-z])\s?")
SPACES = re.compile(r"\\[,;:!> ]|~")
_AFTER_BACKSLASH = re.compile(r"\\(?=(.))", re.S)  # the character after every backslash, "\\\\" included
_SYMBOL_ACCENTS = frozenset("\"'`^~=.")
_LETTER_ACCENTS = frozenset("uvHckrdb")
_SPECIAL_STARTS = frozenset(name[0] for name in LETTERS)
_STYLE_STARTS = frozenset("tembuh")  # textit..., emph, math..., boldsymbol, bm, url, href
_LETTERS = frozenset(string.ascii_letters)
_ESCAPED = frozenset("&%$#_{}")
_MARKUP = re.compile(r"[\\{}$~]|--")
_FALLBACK = LatexNodes2Text(math_mode="text", strict_latex_spaces=False)


def _accent(m: re.Match) -> str:
    base = m.group(2) or m.group(3)
    if base.startswith("\\"):
        base = base[1:]  # \i and \j: the accent takes the place of the dot
    return base + ACCENTS[m.group(1)]


def _named(m: re.Match) -> str:
    name = m.group(1)
    if name in GREEK:
        return GREEK[name]
    if name in SYMBOLS:
        return SYMBOLS[name]
    return m.group(0)


_STEPS = (
    (_SYMBOL_ACCENTS, SYMBOL_ACCENT, _accent),
    (_LETTER_ACCENTS, LETTER_ACCENT, _accent),
    (_SPECIAL_STARTS, SPECIAL_LETTER, lambda m: LETTERS[m.group(1)]),
    (_STYLE_STARTS, STYLE, ""),
    (_LETTERS, NAMED, _named),
    (_ESCAPED, ESCAPE, lambda m: "\x00" + m.group(1)),  # protect escaped specials from the next steps
)


def latex_to_text(value: str) -> str:
    """'Sch{\\"o}n \\& {DPM}-Solver, $\\Delta$-DiT' -> 'Schön & DPM-Solver, Δ-DiT'."""
    if not _MARKUP.search(value):
        return " ".join(unicodedata.normalize("NFC", value).split())
    text = value
    if "\\" in text:
        # a step is skipped when no backslash is followed by a character its commands start with;
        # after a step that changed the text (a removal may join a backslash to a new character) look again
        after = set(_AFTER_BACKSLASH.findall(text))
        for chars, pattern, replace in _STEPS:
            if after & chars:
                changed = pattern.sub(replace, text)
                if changed != text:
                    text = changed
                    after = set(_AFTER_BACKSLASH.findall(text))
    if "\\" in text or "~" in text:
        text = SPACES.sub(" ", text)
    if "--" in text:
        text = text.replace("---", "—").replace("--", "–")
    if "\\" in text:  # a command this module does not know: let pylatexenc read the original
        try:
            text = _FALLBACK.latex_to_text(value)
        except Exception:  # pragma: no cover - pylatexenc is lenient; never lose the entry
            text = re.sub(r"\\[A-Za-z]+", "", text)
    text = text.replace("{", "").replace("}", "").replace("$", "").replace("\x00", "")
    return " ".join(unicodedata.normalize("NFC", text).split())
