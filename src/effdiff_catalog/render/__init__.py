"""Renderers: the README, BibTeX, JSON, charts, the Atom feed and the site, all from a loaded catalog."""
