"""Sources of records: awesome-list markdown (and later BibTeX and metadata APIs)."""
