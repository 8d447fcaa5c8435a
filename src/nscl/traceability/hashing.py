"""The canonical EPCIS Event Hash ID (``ni:///sha-256;<hex>?ver=CBV2.0``), following GS1's
algorithm as implemented by github.com/RalphTro/epcis-event-hash-generator: a pre-hash string of
the event's fields in a fixed order, identifiers normalised, user extensions sorted by namespace."""

from __future__ import annotations


def event_hash_id(event: dict, context: dict | list | None = None) -> str:
    """The Event Hash ID of one JSON/JSON-LD event; ``context`` is the document's @context (for
    expanding the namespace prefixes of user extensions)."""
    raise NotImplementedError


def document_hash_ids(doc: dict) -> list[str]:
    """The Event Hash ID of every event of a document, in document order."""
    raise NotImplementedError
