"""The validated, in-memory catalog: every record, the taxonomy, the venues and the frameworks."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .checks import check_cross_references, check_frameworks, check_record, duplicate_problems
from .errors import DataError
from .memory import pause_gc
from .model import RAW_TEXT_FIELDS, Framework, FrameworkList, Paper
from .problems import Problem, count, sort_problems
from .store import display_path, record_files
from .taxonomy import Taxonomy
from .venues import Venues
from .vocab import Vocab, load_vocab
from .yamlsrc import ConfigError, YamlDoc, read_yaml

FRAMEWORKS_FILE = "frameworks.yaml"


class CatalogError(DataError):
    """The catalog has errors; `problems` holds all of them (the CLI prints them before the message).
    `action` says what the errors stopped ('building'), for the message."""

    def __init__(self, problems: list[Problem], action: str = "using it"):
        self.problems = problems
        self.action = action
        super().__init__()

    def __str__(self) -> str:
        errors, _ = count(self.problems)
        return f"the catalog has {errors} error(s); fix it (effdiff validate) before {self.action}"



@dataclass
class Catalog:
    root: Path
    vocab: Vocab
    papers: dict[str, Paper] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)
    frameworks: list[Framework] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def taxonomy(self) -> Taxonomy:
        return self.vocab.taxonomy

    @property
    def venues(self) -> Venues:
        return self.vocab.venues

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @classmethod
    def load(cls, root: Path | str = ".", paths: Iterable[Path] | None = None) -> "Catalog":
        """Read and check every record (or the given files). Problems are collected, never raised,
        so one bad file never stops the check of the others."""
        with pause_gc():
            return cls._load(Path(root), paths)

    @classmethod
    def _load(cls, root: Path, paths: Iterable[Path] | None) -> "Catalog":
        try:
            vocab = load_vocab(root)
        except ConfigError as exc:
            catalog = cls(root, Vocab(None, None))
            catalog.problems = sort_problems(exc.problems)
            return catalog
        catalog = cls(root, vocab)
        problems: list[Problem] = []
        parsed: list[tuple[str, YamlDoc]] = []
        locations: dict[str, tuple[str, YamlDoc]] = {}
        for path in record_files(root, paths):
            display = display_path(path, root)
            doc, file_problems = read_yaml(path, display, RAW_TEXT_FIELDS)
            problems.extend(file_problems)
            if doc is None:
                continue
            parsed.append((display, doc))
            paper, record_problems = check_record(doc, display, path.stem, vocab)
            # a value the reader already refused (unsafe tag, alias) needs no second message
            refused = {(p.line, p.column) for p in file_problems}
            problems.extend(p for p in record_problems if (p.line, p.column) not in refused)
            if paper is not None and not file_problems:
                catalog.papers[paper.id] = paper
                catalog.paths[paper.id] = display
                locations[paper.id] = (display, doc)
        problems.extend(duplicate_problems(parsed))
        problems.extend(check_cross_references(catalog.papers, locations))
        catalog.frameworks, framework_problems = _load_frameworks(root)
        problems.extend(framework_problems)
        catalog.problems = sort_problems(problems)
        return catalog

    @classmethod
    def load_valid(cls, root: Path | str = ".") -> "Catalog":
        """Load and refuse a catalog with errors (what builds and exports use)."""
        catalog = cls.load(root)
        if catalog.errors:
            raise CatalogError(catalog.problems)
        return catalog

    def sorted_papers(self) -> list[Paper]:
        return sorted(self.papers.values(), key=lambda p: p.id)

    def papers_in(self, node_id: str, recursive: bool = False) -> list[Paper]:
        """Papers filed under a node (and, when recursive, under its descendants)."""
        if recursive:
            prefix = node_id + "."
            return [p for p in self.sorted_papers() if any(c == node_id or c.startswith(prefix) for c in p.categories)]
        return [p for p in self.sorted_papers() if node_id in p.categories]


def _load_frameworks(root: Path) -> tuple[list[Framework], list[Problem]]:
    path = root / FRAMEWORKS_FILE
    if not path.exists():
        return [], []
    doc, problems = read_yaml(path, FRAMEWORKS_FILE)
    if doc is None:
        return [], problems
    problems = problems + check_frameworks(doc, FRAMEWORKS_FILE)
    if problems:
        return [], problems
    return FrameworkList.model_validate(doc.data).frameworks, []
