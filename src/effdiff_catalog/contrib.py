"""Files for contributors that follow the data: the GitHub issue form's node and venue lists."""

from __future__ import annotations

import json

from .vocab import Vocab

ISSUE_FORM_PATH = ".github/ISSUE_TEMPLATE/add-paper.yml"


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def issue_form(vocab: Vocab) -> str:
    """The 'Add a paper' issue form; its node dropdown lists every taxonomy node that takes papers."""
    nodes = [f"{n.id} ({' > '.join([a.title for a in n.ancestors()] + [n.title])})" for n in vocab.taxonomy.ordered() if n.takes_papers]
    venues = vocab.venues.names()
    lines = [
        "# Generated from taxonomy.yaml and venues.yaml by `effdiff build`; do not edit by hand.",
        "name: Add a paper",
        "description: Suggest a paper for the catalog (or open a pull request with its record, see CONTRIBUTING.md).",
        "title: \"[paper] \"",
        "labels: [add-paper]",
        "body:",
        "  - type: markdown",
        "    attributes:",
        "      value: Give facts from the paper's own page (arXiv, OpenReview, proceedings). CONTRIBUTING.md explains each field.",
        "  - type: input",
        "    id: title",
        "    attributes:",
        "      label: Title",
        "      description: The full title as published.",
        "    validations:",
        "      required: true",
        "  - type: input",
        "    id: paper",
        "    attributes:",
        "      label: Paper link",
        "      description: arXiv abstract page, OpenReview, or the proceedings page.",
        "      placeholder: https://arxiv.org/abs/2206.00927",
        "    validations:",
        "      required: true",
        "  - type: input",
        "    id: code",
        "    attributes:",
        "      label: Official code",
        "      placeholder: https://github.com/owner/repo",
        "  - type: dropdown",
        "    id: venue",
        "    attributes:",
        "      label: Venue",
        "      description: Where it was published (arXiv for a preprint). Missing? Say so below.",
        "      options:",
        *[f"        - {_q(v)}" for v in venues],
        "    validations:",
        "      required: true",
        "  - type: input",
        "    id: year",
        "    attributes:",
        "      label: Year",
        "    validations:",
        "      required: true",
        "  - type: dropdown",
        "    id: node",
        "    attributes:",
        "      label: Taxonomy node",
        "      description: The deepest node that fits; pick several if the paper belongs in several places.",
        "      multiple: true",
        "      options:",
        *[f"        - {_q(n)}" for n in nodes],
        "    validations:",
        "      required: true",
        "  - type: textarea",
        "    id: notes",
        "    attributes:",
        "      label: Anything else",
        "      description: Authors, reported speed-ups with their table or figure, corrections. Your own words, not the abstract.",
    ]
    return "\n".join(lines) + "\n"
