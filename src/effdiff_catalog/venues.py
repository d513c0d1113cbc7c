"""Canonical venue names (venues.yaml) and the spellings that map to them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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


class Venues:
    def __init__(self, venues: list[Venue]):
        self.by_name = {v.name: v for v in venues}
        self._lookup: dict[str, str] = {}
        for v in venues:
            for spelling in (v.name, v.full, *v.aliases):
                self._lookup.setdefault(_key(spelling), v.name)

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

    def normalize(self, text: str) -> str | None:
        """The canonical name for a spelling ('NIPS' -> 'NeurIPS'), or None if unknown."""
        return self._lookup.get(_key(text))

    def suggest(self, text: str) -> str | None:
        exact = self.normalize(text)
        if exact:
            return exact
        match = process.extractOne(text, list(self.by_name), scorer=fuzz.WRatio, score_cutoff=75)
        return match[0] if match else None
