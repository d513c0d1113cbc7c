"""Canonical venue names (venues.yaml) and the spellings that map to them.

`Venues.resolve(text)` is the one way any command turns a venue string (a list's tag, a BibTeX
booktitle or journal, a Crossref container title, a user's --venue) into a canonical venue.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from .problems import Problem
from .yamlsrc import ConfigError, load_plain

KINDS = ("conference", "journal", "workshop", "preprint")


@dataclass(frozen=True)
class Venue:
    name: str
    full: str
    kind: str
    aliases: tuple[str, ...] = field(default_factory=tuple)


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", " ", text.lower()).strip()


@dataclass(frozen=True)
class Resolution:
    """What `Venues.resolve` read in a venue string."""

    name: str  # the canonical venue (venues.yaml)
    year: int | None = None  # a year the string carries ('ICLR 2023', "NIPS'22", '... 2023 Proceedings')
    corrected: str | None = None  # the misspelling a fuzzy match corrected ('NeurlPS'), reported to the user


_LATEX = re.compile(r"\\([&%_#$])|[{}]|\\[a-zA-Z]+\s*|~")
_PREPRINT = re.compile(r"\barxiv\b|\bcorr\b|\bpreprint\b", re.I)
_YEAR4 = re.compile(r"(?<![\d])((?:19|20)\d\d)(?![\d])")
_YEAR2 = re.compile(r"(?<=[A-Za-z])\s*['’`](\d\d)\b|(?<=[A-Za-z])(\d\d)$")  # NIPS'22, ICLR’23, NeurIPS22
_WORKSHOP = re.compile(r"\bworkshops?\b|\bwksp\b|\bws\b", re.I)
_ORDINAL = re.compile(r"\b\d+(?:st|nd|rd|th)\b|\b(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[\s-]?)?"
                      r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
                      r"thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|"
                      r"thirtieth|fortieth)\b", re.I)
_VOLUME = re.compile(r"\b(?:vol(?:ume)?|no|issue|pp|pages?)\.?\s*\d+(?:\s*[-–]\s*\d+)?|\b\d+\b", re.I)
_PARENS = re.compile(r"\(([^()]*)\)")
_SHORT_TOKEN = re.compile(r"\b([A-Z][A-Za-z&]{1,11}[A-Z]W?)\b")  # CVPR, NeurIPS, ICCVW, ACM MM's MM
_WORD = re.compile(r"[a-z]+\.?|&")
# words that say nothing of which venue it is; left out on both sides when abbreviations are compared
_FILLER = frozenset("of the on and in for at a an & proceedings proc conference conf international int intl "
                    "annual ieee cvf acm usenix siam workshop workshops papers paper track main volume".split())


# words that tags and fields hold where a venue would be, but that name none
_MONTHS = ("jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august "
           "september october november december")
_NOT_VENUES = frozenset((_MONTHS + " workshop workshops conference journal symposium proceedings paper papers "
                         "preprint oral poster spotlight highlight accepted new update code project online misc "
                         "unpublished submitted under review in press technical report tech report thesis").split()
                        + ["under review", "in press", "technical report", "tech report"])


def kind_from_text(text: str, default: str = "conference") -> str:
    """The kind of venue its name says: 'Workshop' -> workshop; 'Journal', 'Transactions',
    'Letters' -> journal; else the default (the entry type's)."""
    if re.search(r"\bworkshops?\b", text, re.I):
        return "workshop"
    if re.search(r"\b(journal|transactions|trans\.|letters|magazine)\b", text, re.I):
        return "journal"
    return default


def clean_venue_text(text: str) -> str:
    """A venue string without BibTeX braces and commands, HTML entities and stray punctuation."""
    text = html.unescape(_LATEX.sub(lambda m: m.group(1) or " ", text))
    return " ".join(text.split()).strip(" ,;:'\"`*_[]")  # a final '.' may end an abbreviation


def _words(text: str) -> list[tuple[str, bool]]:
    """(word, abbreviated) for the words that name a venue: 'Proc. Comp. Vision' -> [('comp', True), ('vision', False)]."""
    out = []
    for raw in _WORD.findall(text.lower()):
        word = raw.rstrip(".")
        if word and word not in _FILLER:
            out.append((word, raw.endswith(".")))
    return out


class Venues:
    def __init__(self, venues: list[Venue]):
        self.by_name = {v.name: v for v in venues}
        self._lookup: dict[str, str] = {}
        for v in venues:
            for spelling in (v.name, v.full, *v.aliases):
                self._lookup.setdefault(_key(spelling), v.name)
        # the long names as word lists, for abbreviated forms ('Proc. Comp. Vision and Pattern Rec.')
        self._long: list[tuple[tuple[str, ...], str]] = []
        for v in venues:
            for spelling in {v.full, *v.aliases}:
                words = tuple(w for w, _ in _words(_WORKSHOP.sub(" ", spelling)))
                if len(words) >= 2:
                    self._long.append((words, v.name))
        # short spellings for the fuzzy match of misspelt names ('NeurlPS')
        self._short = {s.lower(): v.name for v in venues for s in (v.name, *v.aliases) if 4 <= len(s) <= 16 and " " not in s}
        self._resolve = lru_cache(maxsize=4096)(self._resolve_uncached)

    @classmethod
    def load(cls, path: Path) -> "Venues":
        doc = load_plain(path, path.name)
        venues, problems = [], []
        for i, raw in enumerate((doc.data or {}).get("venues") or []):
            line, col = doc.where(("venues", i))
            if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or raw.get("kind") not in KINDS:
                problems.append(Problem(path.name, line, col, "error", f"venues[{i}]",
                                        f"a venue needs a name and a kind ({', '.join(KINDS)})"))
                continue
            venues.append(Venue(raw["name"], str(raw.get("full") or raw["name"]), raw["kind"], tuple(raw.get("aliases") or ())))
        if problems:
            raise ConfigError(problems)
        return cls(venues)

    def __contains__(self, name: str) -> bool:
        return name in self.by_name

    def __getitem__(self, name: str) -> Venue:
        return self.by_name[name]

    def names(self) -> list[str]:
        return sorted(self.by_name, key=str.lower)

    def _exact(self, text: str) -> str | None:
        """The canonical name for an exact spelling ('NIPS' -> 'NeurIPS'), or None; see resolve."""
        return self._lookup.get(_key(text))

    def resolve(self, text: str | None) -> Resolution | None:
        """The canonical venue a venue string names, or None when venues.yaml knows no such venue.

        Reads proceedings titles with ordinals and years ('Proceedings of the 40th International
        Conference on Machine Learning', 'Advances in Neural Information Processing Systems 35'),
        bracketed short names ('... (CVPR)'), BibTeX braces and abbreviations ('{ACM} Trans. Graph.',
        'Proc. Comp. Vision and Pattern Rec.'), workshops ('... Workshops' -> CVPRW), years glued
        to names ('ICLR 2023', "NIPS'22"), and misspellings by a strict fuzzy match, which the
        result reports as `corrected` ('NeurlPS' -> NeurIPS).
        """
        return self._resolve(text) if text else None

    def _resolve_uncached(self, text: str) -> Resolution | None:
        clean = clean_venue_text(text)
        if not clean:
            return None
        years = _YEAR4.findall(clean)
        year: int | None = int(years[-1]) if years else None
        if year is None and (m := _YEAR2.search(clean)):
            year = 2000 + int(m.group(1) or m.group(2))
        if _PREPRINT.search(clean):
            return Resolution("arXiv", year)
        workshop = bool(_WORKSHOP.search(clean))
        name, corrected = self._name_of(clean, workshop)
        if name is None:
            return None
        if workshop and self.by_name[name].kind != "workshop":
            name = self._workshop_of(name)
            if name is None:
                return None  # a workshop of a venue whose workshops venues.yaml does not list
        return Resolution(name, year, corrected)

    def _name_of(self, clean: str, workshop: bool) -> tuple[str | None, str | None]:
        exact = self._exact(clean)
        if exact and (not workshop or self.by_name[exact].kind == "workshop"):
            return exact, None
        bare = _YEAR2.sub(" ", _YEAR4.sub(" ", clean))
        bare = _WORKSHOP.sub(" ", bare) if workshop else bare
        stripped = " ".join(_VOLUME.sub(" ", _ORDINAL.sub(" ", _PARENS.sub(" ", bare))).split()).strip(" ,;:-–")
        unprefixed = re.sub(r"^(?:in\s+)?(?:proceedings|proc\.?)\s+(?:of\s+)?(?:the\s+)?", "", stripped, flags=re.I)
        # '... Linguistics: Human Language Technologies': the name before a subtitle
        for candidate in (bare, stripped, unprefixed, unprefixed.split(":")[0]):
            found = self._exact(candidate) if candidate else None
            if found:
                return found, None
        # a short name in brackets, then any short name in the text ('... Recognition (CVPR)')
        for token in [*_PARENS.findall(bare), *_SHORT_TOKEN.findall(bare)]:
            found = self._exact(_YEAR4.sub("", token).strip())
            if found:
                return found, None
        found = self._abbreviated(stripped, workshop)
        if found:
            return found, None
        return self._misspelt(stripped)

    def _abbreviated(self, text: str, workshop: bool) -> str | None:
        """'Proc. Comp. Vision and Pattern Rec.' -> CVPR: each word, or its abbreviation, in order.
        The workshops of a conference share its words: the caller picks them by the word 'workshop'."""
        words = _words(text)
        if len(words) < 2:
            return None
        hits = {name for long, name in self._long if len(long) == len(words) and all(
            full == word or (abbreviated and full.startswith(word)) for (word, abbreviated), full in zip(words, long))}
        if len(hits) > 1:
            hits = {name for name in hits if (self.by_name[name].kind == "workshop") == workshop}
        return hits.pop() if len(hits) == 1 else None

    def _misspelt(self, text: str) -> tuple[str | None, str | None]:
        """A strict fuzzy match: one short name with a letter or two wrong ('NeurlPS'), or a long
        name with a typo; never between two real short names ('ICLR' is not 'ICML')."""
        if not text:
            return None, None
        lower = text.lower()
        if " " not in lower and 5 <= len(lower) <= 16:
            match = process.extractOne(lower, list(self._short), scorer=fuzz.ratio, score_cutoff=85)
            if match:
                return self._short[match[0]], text
            return None, None
        if len(lower) >= 20:
            spellings = {s: v.name for v in self.by_name.values() for s in (v.full, *v.aliases) if len(s) >= 20}
            long_match = process.extractOne(_key(lower), {s: _key(s) for s in spellings}, scorer=fuzz.ratio, score_cutoff=94)
            if long_match:
                return spellings[long_match[2]], text
        return None, None

    def _workshop_of(self, name: str) -> str | None:
        """The workshop venue of a conference: CVPR -> CVPRW, when venues.yaml lists it."""
        for candidate in (name + "W", name + " Workshops"):
            if candidate in self.by_name and self.by_name[candidate].kind == "workshop":
                return candidate
        return None

    def with_added(self, venues: list[Venue]) -> "Venues":
        """These venues and the given new ones (an import adds the venues its entries name)."""
        return Venues([*self.by_name.values(), *venues])

    def propose(self, text: str, kind: str) -> Venue | None:
        """A new venues.yaml entry for a real venue that `resolve` does not know ('Journal of
        Vision', 'Medical Image Computing and Computer Assisted Intervention (MICCAI)'): its name
        cleaned of braces, years and ordinals; the short name when the text gives one (then the rest
        is the full name); `kind` from the entry type. None for text that names no venue."""
        clean = clean_venue_text(text).rstrip(".")
        clean = _YEAR4.sub(" ", clean)
        clean = re.sub(r"^(?:in\s+)?(?:proceedings|proc\.)\s+(?:of\s+)?(?:the\s+)?", "", clean, flags=re.I)
        clean = " ".join(_ORDINAL.sub(" ", clean).split()).strip(" ,;:-–—'")
        if (not re.search(r"[A-Za-z]{2}", clean) or len(clean) > 150 or "://" in clean or kind not in KINDS
                or clean.lower().strip(" .") in _NOT_VENUES):
            return None
        short = next((t for t in _PARENS.findall(clean) if re.fullmatch(r"[A-Za-z][\w&+\- ]{1,14}", t.strip())), None)
        if short is None:
            tail = re.search(r"[\s–—-]([A-Z][A-Za-z]*[A-Z][A-Za-z]*)$", clean)  # '... Intervention – MICCAI'
            short = tail.group(1) if tail and len(clean.split()) > 2 else None
        full = " ".join(clean.replace(f"({short})", " ").split()).strip(" ,;:-–—") if short else clean
        if short:
            full = re.sub(rf"[\s–—-]+{re.escape(short)}$", "", full).strip(" ,;:-–—") or short
        name = (short or full).strip()
        if name in self.by_name:
            return None  # the name is taken by another venue: a person must decide
        return Venue(name, full or name, kind, (text.strip(),) if text.strip() not in (name, full) else ())

    def suggest(self, text: str) -> str | None:
        """A hint for a venue that is not a name ('did you mean ...?'): resolve, else a loose match."""
        found = self.resolve(text)
        if found:
            return found.name
        match = process.extractOne(text, list(self.by_name), scorer=fuzz.WRatio, score_cutoff=75)
        return match[0] if match else None
