"""The public metadata APIs, one module each (arxiv, crossref, semanticscholar, github), and the one
polite client they share (client.py). Each API module holds the pure parser of that API's documented
format; `found.Found` is what any source says about a paper."""

from .client import SOURCES, ApiConfig, ApiError, ApiResponse, MetadataClient
from .found import Found

__all__ = ["SOURCES", "ApiConfig", "ApiError", "ApiResponse", "Found", "MetadataClient"]
