"""Writing frameworks.yaml in canonical form."""

from __future__ import annotations

import yaml

from ..model import Framework, FrameworkList
from ..store import _CanonicalDumper

HEADER = """\
# Frameworks for efficient diffusion: one entry per library or engine.
# training / fine_tuning / inference: what it serves; features: one line in our own words.
"""


def dump_frameworks(frameworks: list[Framework]) -> str:
    data = FrameworkList(frameworks=frameworks).model_dump(mode="python", exclude_none=True)
    for fw in data["frameworks"]:
        if not fw.get("listed_in"):
            fw.pop("listed_in", None)
    body = yaml.dump(data, Dumper=_CanonicalDumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100_000)
    return HEADER + body
