"""The controlled lists every record is checked against: the taxonomy and the venues."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .taxonomy import Taxonomy
from .venues import Venues

TAXONOMY_FILE = "taxonomy.yaml"
VENUES_FILE = "venues.yaml"


@dataclass
class Vocab:
    """What records are checked against: the taxonomy and the venue list."""

    taxonomy: Any
    venues: Any


def load_vocab(root: Path) -> Vocab:
    """taxonomy.yaml and venues.yaml of a catalog root (ConfigError, with locations, when broken)."""
    return Vocab(Taxonomy.load(root / TAXONOMY_FILE), Venues.load(root / VENUES_FILE))
