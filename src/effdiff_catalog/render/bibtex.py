"""BibTeX for the catalog: one entry per paper, key = record id, written with bibtexparser 2.

Entry type from the venue's kind (venues.yaml): conferences and workshops `@inproceedings` with
`booktitle`, journals `@article` with `journal`, preprints `@misc` with `eprint` and
`archivePrefix`. Values are LaTeX: non-ASCII letters as accent commands, specials escaped, and
words with inner capitals or digits (DDIM, ControlNet, 3D) protected with braces.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

import bibtexparser
from bibtexparser import model as bib

from ..catalog import Catalog
from ..model import Paper

# the fixed order of fields in every entry
FIELD_ORDER = ("title", "author", "booktitle", "journal", "year", "eprint", "archivePrefix", "primaryClass", "doi", "url")

# BibTeX counts every brace, escaped or not: a literal brace is a brace-free command, so a title
# with one brace (or one ending in a backslash) never ends its field early
_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
    "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
# letters and signs without a combining decomposition, and punctuation LaTeX spells in ASCII
_LETTERS = {
    "ß": r"{\ss}", "ø": r"{\o}", "Ø": r"{\O}", "æ": r"{\ae}", "Æ": r"{\AE}", "œ": r"{\oe}", "Œ": r"{\OE}",
    "ł": r"{\l}", "Ł": r"{\L}", "å": r"{\aa}", "Å": r"{\AA}", "ı": r"{\i}", "đ": r"{\dj}", "Đ": r"{\DJ}",
    "–": "--", "—": "---", "‘": "`", "’": "'", "“": "``", "”": "''", "…": r"\ldots{}", "\u00a0": "~",
    "×": r"$\times$", "·": r"$\cdot$", "°": r"$^\circ$", "±": r"$\pm$", "→": r"$\rightarrow$", "≤": r"$\leq$",
    "≥": r"$\geq$", "∞": r"$\infty$", "²": r"$^2$", "³": r"$^3$", "α": r"$\alpha$", "β": r"$\beta$",
    "γ": r"$\gamma$", "δ": r"$\delta$", "ε": r"$\epsilon$", "η": r"$\eta$", "θ": r"$\theta$", "λ": r"$\lambda$",
    "μ": r"$\mu$", "π": r"$\pi$", "σ": r"$\sigma$", "τ": r"$\tau$", "φ": r"$\phi$", "ω": r"$\omega$",
    "Δ": r"$\Delta$", "Σ": r"$\Sigma$", "Ω": r"$\Omega$",
}
# combining marks -> accent commands
_ACCENTS = {
    "\u0301": "'", "\u0300": "`", "\u0302": "^", "\u0308": '"', "\u0303": "~", "\u0304": "=", "\u0307": ".",
    "\u0327": "c", "\u030c": "v", "\u0306": "u", "\u030a": "r", "\u030b": "H", "\u0328": "k", "\u0323": "d",
}


def _latex_char(c: str) -> str:
    if c in _SPECIAL:
        return _SPECIAL[c]
    if c.isascii():
        return c
    if c in _LETTERS:
        return _LETTERS[c]
    decomposed = unicodedata.normalize("NFD", c)
    base, marks = decomposed[0], decomposed[1:]
    if base.isascii() and marks and all(m in _ACCENTS for m in marks):
        out = "i" if base == "i" and marks else base
        out = "\\i" if out == "i" else out
        for mark in marks:
            cmd = _ACCENTS[mark]
            out = f"\\{cmd}{{{out}}}" if cmd.isalpha() else f"\\{cmd}{out}" if len(out) == 1 else f"\\{cmd}{{{out}}}"
        return "{" + out + "}"
    # anything else stays UTF-8: LaTeX reads UTF-8 input by default since 2018
    return c


def latex(text: str) -> str:
    """Text as LaTeX: specials escaped, accented letters as accent commands; a literal '--' stays
    two hyphens ('-{}-': LaTeX would typeset '--' as a dash, and a dash is written as '–')."""
    out = []
    for i, c in enumerate(text):
        out.append(_latex_char(c))
        if c == "-" and text[i + 1:i + 2] == "-":
            out.append("{}")
    return "".join(out)


def _needs_braces(word: str) -> bool:
    """Acronyms and names with inner capitals or digits keep their case in any style: DDIM,
    ControlNet, LoRA, SDXL, 3D (checked per part of a hyphenated word, so 'Text-to-Image' is not)."""
    for part in re.split(r"[^A-Za-z0-9]+", unicodedata.normalize("NFD", word)):
        if len(part) > 1 and (any(c.isupper() for c in part[1:]) or (any(c.isdigit() for c in part) and any(c.isupper() for c in part))):
            return True
    return False


def latex_title(title: str) -> str:
    """A title for BibTeX: LaTeX-escaped, words whose capitals matter wrapped in braces."""
    return " ".join("{" + latex(word) + "}" if _needs_braces(word) else latex(word) for word in title.split(" "))


def _braced(value: str) -> str:
    return "{" + value + "}"


def _name(name: str) -> str:
    """An author for BibTeX's name list: a name holding a comma or the word 'and' (which BibTeX would
    read as 'Last, First' or as two people) is braced whole."""
    text = latex(name)
    return _braced(text) if "," in name or re.search(r"(?<!\S)and(?!\S)", name, re.I) else text


def paper_fields(catalog: Catalog, paper: Paper) -> tuple[str, dict[str, str]]:
    """(entry type, {field: raw BibTeX value}) in FIELD_ORDER."""
    venue = catalog.venues.by_name.get(paper.venue)
    kind = venue.kind if venue else "preprint"
    fields: dict[str, str] = {"title": _braced(latex_title(paper.title))}
    if paper.authors:
        fields["author"] = _braced(" and ".join(_name(a) for a in paper.authors))
    if venue is not None and kind in ("conference", "workshop"):
        entry_type = "inproceedings"
        fields["booktitle"] = _braced(latex(venue.full))
    elif venue is not None and kind == "journal":
        entry_type = "article"
        fields["journal"] = _braced(latex(venue.full))
    else:
        entry_type = "misc"
    fields["year"] = str(paper.year)
    if paper.arxiv:
        fields["eprint"] = _braced(paper.arxiv)
        fields["archivePrefix"] = "{arXiv}"
        # primaryClass is left out: records do not say which arXiv category a paper is in, and a
        # guessed one would be wrong for many (cs.CV, cs.LG, eess.AS ...).
    if paper.doi:
        # verbatim, as biblatex and the doi package read it; a brace (legal in a DOI) is percent-encoded
        fields["doi"] = _braced(paper.doi.replace("{", "%7B").replace("}", "%7D"))
    fields["url"] = _braced(paper.links.paper.replace("{", "%7B").replace("}", "%7D"))
    return entry_type, {k: fields[k] for k in FIELD_ORDER if k in fields}


def bibtex_library(catalog: Catalog, papers: Iterable[Paper], key: str | None = None) -> bibtexparser.Library:
    """The papers as entries keyed by record id (or, for a single paper, by `key`)."""
    library = bibtexparser.Library()
    for paper in papers:
        entry_type, fields = paper_fields(catalog, paper)
        library.add(bib.Entry(entry_type, key or paper.id, [bib.Field(k, v) for k, v in fields.items()]))
    return library


def _format() -> bibtexparser.BibtexFormat:
    fmt = bibtexparser.BibtexFormat()
    fmt.indent = "  "
    fmt.block_separator = "\n"
    return fmt


def _write(library: bibtexparser.Library) -> str:
    # values are already enclosed and escaped: an empty unparse stack writes them as they are
    text = bibtexparser.write_string(library, unparse_stack=[], bibtex_format=_format())
    return text.strip("\n") + "\n"


def export_bibtex(catalog: Catalog, ids: Iterable[str] | None = None) -> str:
    """BibTeX of the whole catalog (sorted by id) or of the given ids (in the order given)."""
    papers = catalog.sorted_papers() if ids is None else [catalog.papers[i] for i in ids]
    if not papers:
        return ""
    return _write(bibtex_library(catalog, papers))


def paper_bibtex(catalog: Catalog, paper: Paper, key: str | None = None) -> str:
    """One paper's entry, keyed by its id or by `key`; the paper need not be in the catalog (its
    venue is looked up in the catalog's venues)."""
    return _write(bibtex_library(catalog, [paper], key))
