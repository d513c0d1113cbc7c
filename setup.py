"""Build hook: a wheel carries templates/, site/mkdocs.yml and the survey's record as effdiff_catalog/_resources/.

They live at the top of the repository (they are the catalog's, and contributors edit them there);
`effdiff build` uses a catalog root's own copies, and a non-editable install needs these defaults
for a root without them (the survey's record is what the README, the site and CITATION.cff cite).
Editable installs find them in the checkout. Everything else is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
RESOURCES = ("templates", "site/mkdocs.yml", "papers/efficient-diffusion-models-2025.yaml")


def copy_resources(source: Path, package_dir: Path) -> list[Path]:
    """Copy the resources from a source tree into <package_dir>/_resources; return the files written."""
    target = package_dir / "_resources"
    written = []
    for name in RESOURCES:
        src = source / name
        files = sorted(p for p in src.rglob("*") if p.is_file()) if src.is_dir() else [src]
        for f in files:
            dest = target / f.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, dest)
            written.append(dest)
    return written


class BuildWithResources(build_py):
    def run(self) -> None:
        super().run()
        if not getattr(self, "editable_mode", False):
            copy_resources(HERE, Path(self.build_lib) / "effdiff_catalog")


if __name__ == "__main__":
    setup(cmdclass={"build_py": BuildWithResources})
