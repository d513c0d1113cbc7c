"""`effdiff schema`: the JSON Schema editors use, generated from the one pydantic model."""

from __future__ import annotations

import json
from typing import Any

from .model import Paper
from .vocab import Vocab

SCHEMA_PATH = "schema/paper.schema.json"


def paper_schema(vocab: Vocab) -> dict[str, Any]:
    """Paper.model_json_schema() with the taxonomy ids, venue names and facet values as enums."""
    schema = Paper.model_json_schema(mode="validation")
    props = schema["properties"]
    nodes = [n.id for n in vocab.taxonomy.ordered() if n.takes_papers]
    titles = {n.id: f"{n.title}: {n.description}" for n in vocab.taxonomy.ordered()}
    props["categories"]["items"] = {"type": "string", "enum": nodes,
                                    "markdownEnumDescriptions": [titles[n] for n in nodes]}
    props["venue"]["enum"] = vocab.venues.names()
    props["venue"]["markdownEnumDescriptions"] = [vocab.venues[n].full for n in vocab.venues.names()]
    for facet in ("modality", "strategies"):
        props[facet]["items"] = {"type": "string", "enum": vocab.taxonomy.facet_ids(facet)}
    results = getattr(vocab, "results", None)
    result = schema.get("$defs", {}).get("Result")
    if results is not None and result is not None:
        # the ids of benchmarks.yaml, models.yaml and metrics.yaml, for completion in editors
        rprops = result["properties"]
        rprops["benchmark"] = {**rprops["benchmark"], "enum": [*results.benchmarks, "other"]}
        rprops["base_model"] = {"description": rprops["base_model"].get("description", ""), "enum": list(results.models)}
        rprops["metrics"]["propertyNames"] = {"enum": [m for m in results.metrics if m != "speedup"]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://effdiff-catalog.github.io/schema/paper.schema.json",
        **schema,
    }


def dump_schema(vocab: Vocab) -> str:
    return json.dumps(paper_schema(vocab), indent=2, ensure_ascii=False) + "\n"
