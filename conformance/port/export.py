"""What the report's "find my layer" panel reads, as JSON: every source API's signature
(name pattern, positional order, defaults, aliases) and the parser's accepted forms, so the
page binds a pasted call exactly as ``signatures.Signature.bind`` does without a second,
hand-kept copy of 20 signatures."""

from __future__ import annotations

from .parse import ACCEPTED, SHAPE_CALLS
from .signatures import NEUTRAL
from .sources import ACCEPTED_APIS, SOURCES


def _js_pattern(pattern: str) -> str:
    """Python's named group ``(?P<d>`` is JavaScript's ``(?<d>``; the rest of these patterns is common syntax."""
    return pattern.replace("(?P<", "(?<")


def page_tables() -> dict:
    sources = []
    for pattern, signature, reader in SOURCES:
        sources.append({
            "pattern": _js_pattern(pattern),
            "reader": reader.__name__,
            "params": list(signature.params),
            "defaults": signature.defaults,
            "aliases": signature.aliases,
            "takes_attributes": signature.takes_attributes,
        })
    return {
        "sources": sources,
        "neutral": sorted(NEUTRAL),
        "accepted": ACCEPTED,
        "accepted_apis": ACCEPTED_APIS,
        "shape_calls": list(SHAPE_CALLS),
    }
