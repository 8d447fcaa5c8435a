"""The parts of GS1's EPCIS 2.0 JSON-LD context (data/epcis-context.jsonld) that canonicalisation
needs without a JSON-LD processor: the namespace prefixes, and the bare CBV words each vocabulary
field accepts (``"bizStep": "shipping"`` means https://ref.gs1.org/cbv/BizStep-shipping)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

# (enclosing field, field) -> the context path of the term definitions that hold its bare words.
_VOCAB_FIELDS = {
    ("", "bizStep"): ("bizStep",),
    ("", "disposition"): ("disposition",),
    ("persistentDisposition", "set"): ("persistentDisposition",),
    ("persistentDisposition", "unset"): ("persistentDisposition",),
    ("bizTransactionList", "type"): ("bizTransactionList", "type"),
    ("sourceList", "type"): ("sourceList", "type"),
    ("destinationList", "type"): ("destinationList", "type"),
    ("errorDeclaration", "reason"): ("errorDeclaration", "reason"),
    ("sensorReport", "type"): ("sensorElementList", "sensorReport", "type"),
    ("sensorReport", "exception"): ("sensorElementList", "sensorReport", "exception"),
    ("sensorReport", "component"): ("sensorElementList", "sensorReport", "component"),
}
EXPANDED_PREFIXES = ("https://ref.gs1.org/cbv", "https://gs1.org/voc", "https://ref.gs1.org/voc")


@cache
def standard_context() -> dict:
    """GS1's EPCIS 2.0 JSON-LD context (the @context object)."""
    text = resources.files("nscl.traceability").joinpath("data/epcis-context.jsonld").read_text("utf-8")
    return json.loads(text)["@context"]


def _is_iri(value) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://", "urn:"))


@cache
def _standard_namespaces() -> dict[str, str]:
    return {k: v for k, v in standard_context().items() if _is_iri(v)}


def namespaces(context) -> dict[str, str]:
    """Prefix -> namespace IRI: the standard context's, overridden by a document's own."""
    out = dict(_standard_namespaces())
    for item in context if isinstance(context, list) else [context]:
        if isinstance(item, dict):
            out.update({k: v for k, v in item.items() if _is_iri(v) and not k.startswith("@")})
    return out


def _scoped(path: tuple[str, ...]) -> list[dict]:
    node: object = {"@context": standard_context()}
    for term in path:
        contexts = node.get("@context") if isinstance(node, dict) else None
        contexts = contexts if isinstance(contexts, list) else [contexts]
        node = next((c[term] for c in contexts if isinstance(c, dict) and term in c), None)
    ctx = node.get("@context") if isinstance(node, dict) else None
    return [c for c in (ctx if isinstance(ctx, list) else [ctx]) if isinstance(c, dict)]


@cache
def vocab_words(field: str, enclosing: str = "") -> dict[str, str]:
    """The bare words a vocabulary field accepts, each with its full IRI."""
    path = _VOCAB_FIELDS.get((enclosing, field))
    if path is None:
        return {}
    prefixes = _standard_namespaces()
    words: dict[str, str] = {}
    for ctx in _scoped(path):
        for word, curie in ctx.items():
            prefix, sep, local = curie.partition(":") if isinstance(curie, str) else ("", "", "")
            if sep and prefix in prefixes and not word.startswith("@"):
                words[word] = prefixes[prefix] + local
    return words


def expand_word(value: str, field: str, enclosing: str = "") -> str:
    """A bare CBV word in a vocabulary field as its IRI; anything else unchanged."""
    return vocab_words(field, enclosing).get(value, value)


def expanded_values(event, field: str = "", enclosing: str = "") -> set[str]:
    """The GS1 vocabulary IRIs an event's values expand to (as a JSON-LD expansion would give)."""
    found: set[str] = set()
    if isinstance(event, dict):
        for key, value in event.items():
            found |= expanded_values(value, key, field)
    elif isinstance(event, list):
        for value in event:
            found |= expanded_values(value, field, enclosing)
    elif isinstance(event, str):
        value = expand_word(event, field, enclosing)
        if value.startswith(EXPANDED_PREFIXES):
            found.add(value)
    return found
