"""Trace back and forward through EPCIS events, pure: the caller supplies ``fetch``.

Back = towards inputs and earlier containers/contents; forward = towards outputs, later containers
and customers. Breadth-first with a visited set, so cycles and shared pallets end."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

Direction = Literal["back", "forward"]


@dataclass
class TraceResult:
    """The traced graph. nodes: {epc, kind, first_seen, last_seen, locations, owners}; edges:
    {source, target, relation, event_id} with relation in 'input_of', 'aggregated_into',
    'contains', 'transformed_into', 'same_object'; events: eventIDs in time order."""

    start: str
    direction: str
    nodes: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    parties: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """What `nscl trace back|forward --format json` prints."""
        return {"nodes": self.nodes, "edges": self.edges, "events": self.events}


def trace(
    start: str,
    direction: Direction,
    fetch: Callable[[set[str]], list[dict]],
    max_depth: int | None = None,
) -> TraceResult:
    """Trace from ``start`` (any identifier; normalised). ``fetch(ids)`` returns the EPCIS events
    (each with its eventID) touching any of ``ids`` as epc, parent, child, input, output or the
    epcClass of a quantity element (for an LGTIN class also its instances)."""
    raise NotImplementedError


def recall(result: TraceResult) -> dict:
    """The recall answer: affected lots, serials, containers, locations (GLNs) and parties."""
    raise NotImplementedError
