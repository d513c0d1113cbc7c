"""The result cache: a JSON file of results by URL, written atomically, reused for a TTL."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Callable

from ..store import write_text_atomic
from .collect import LinkResult


def parse_duration(text: str) -> float:
    """'1d', '12h', '30m', '45s', '2w' or plain seconds -> seconds."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", str(text))
    if not m:
        raise ValueError(f"'{text}' is not a duration: write e.g. 1d, 12h, 30m or 0")
    return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[m.group(2)]


class LinkCache:
    """Results by URL in a JSON file, reused for `ttl` seconds. Only lasting answers are kept: a
    timeout, a DNS or connection failure, a 429 or a 5xx may be gone on the next run. A result found with
    --allow-private is not reused without it."""

    VERSION = 1

    def __init__(self, path: Path | None, ttl: float, clock: Callable[[], float] = time.time):
        self.path, self.ttl, self.clock = path, ttl, clock
        self.entries: dict[str, dict] = {}
        if path is not None and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("version") == self.VERSION and isinstance(data.get("results"), dict):
                    self.entries = data["results"]
            except (OSError, ValueError, AttributeError):
                self.entries = {}  # a damaged cache is only a slower run

    def get(self, url: str, allow_private: bool) -> LinkResult | None:
        entry = self.entries.get(url)
        if not entry or self.ttl <= 0:
            return None
        if self.clock() - float(entry.get("checked", 0)) > self.ttl:
            return None
        if entry.get("allow_private") and not allow_private:
            return None
        return LinkResult(url, entry["status"], entry.get("detail", ""), entry.get("http_status"), entry.get("new_url"),
                          float(entry.get("checked", 0)), cached=True)

    def put(self, result: LinkResult, allow_private: bool) -> None:
        transient = result.http_status is None or result.http_status == 429 or result.http_status >= 500
        if transient or result.cached:
            return
        self.entries[result.url] = {"status": result.status, "detail": result.detail, "http_status": result.http_status,
                                    "new_url": result.new_url, "checked": result.checked, "allow_private": allow_private}

    def save(self) -> None:
        if self.path is None:
            return
        now = self.clock()
        keep = {u: e for u, e in sorted(self.entries.items()) if self.ttl <= 0 or now - float(e.get("checked", 0)) <= self.ttl}
        write_text_atomic(self.path, json.dumps({"version": self.VERSION, "results": keep}, indent=1, ensure_ascii=False) + "\n")


