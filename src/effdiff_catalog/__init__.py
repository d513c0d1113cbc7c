"""effdiff-catalog: the reference catalog of research on efficient diffusion models."""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/effdiff/effdiff-catalog"
