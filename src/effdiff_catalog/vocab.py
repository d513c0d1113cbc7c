"""The controlled lists every record is checked against: the taxonomy, the venues, and the
benchmarks, metrics and base models of structured results."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .benchmarks import ResultVocab, load_result_vocab
from .taxonomy import Taxonomy
from .venues import Venues

TAXONOMY_FILE = "taxonomy.yaml"
VENUES_FILE = "venues.yaml"


@dataclass
class Vocab:
    """What records are checked against: the taxonomy, the venue list and the result vocabularies."""

    taxonomy: Any
    venues: Any
    results: ResultVocab = field(default_factory=ResultVocab)


def load_vocab(root: Path) -> Vocab:
    """taxonomy.yaml, venues.yaml, and benchmarks.yaml, metrics.yaml, models.yaml where present, of a
    catalog root (ConfigError, with locations, when broken)."""
    taxonomy = Taxonomy.load(root / TAXONOMY_FILE)
    return Vocab(taxonomy, Venues.load(root / VENUES_FILE), load_result_vocab(root, taxonomy))
