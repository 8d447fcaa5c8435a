"""Trace back and forward through EPCIS events, pure: the caller supplies ``fetch``.

Edges always point the way the goods went (source upstream, target downstream):

- ``transformed_into``: an input of a TransformationEvent → each output (also across events that
  share a transformationID); ``input_of``: an input → the transformationID when no output is known;
- ``aggregated_into``: a child → its parent (AggregationEvent/AssociationEvent/TransactionEvent
  ADD or OBSERVE: packed onto a pallet);
- ``contains``: a parent → a child taken out of it (DELETE: unpacked);
- ``same_object``: an LGTIN lot → a serial of that lot (the serial's ILMD lotNumber, or a Digital
  Link naming both lot and serial).

Back follows edges upstream: a transformation's inputs, a container's contents, the earlier
container a child was unpacked from, a serial's lot. Forward follows them downstream: outputs, the
later container, the contents a container was unpacked into, a lot's serials. A container reached
as somebody's container is not opened further (no jump to the other cases on the same pallet).
Breadth-first with a visited set, so shared pallets and cycles end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from nscl.traceability import keys
from nscl.traceability.epcis import event_epcs
from nscl.traceability.hashing import canonical_timestamp, event_hash_id

Direction = Literal["back", "forward"]
RELATIONS = ("input_of", "aggregated_into", "contains", "transformed_into", "same_object")
_PARTY_TYPES = ("owning_party", "possessing_party")
_CONTAINMENT = ("AggregationEvent", "AssociationEvent", "TransactionEvent")


@dataclass
class TraceResult:
    """The traced graph. nodes: {epc, kind, first_seen, last_seen, locations, owners}; edges:
    {source, target, relation, event_id} (relation in RELATIONS); events: eventIDs in time order;
    locations: readPoint/bizLocation and location-typed source/destination IDs; parties: owning and
    possessing parties from sourceList/destinationList. IDs are keys.normalise'd."""

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


def _norm(value) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return keys.normalise(value)
    except keys.InvalidKey:
        return value.strip()


def _kind(identifier: str) -> str:
    try:
        return keys.parse(identifier).kind
    except keys.InvalidKey:
        return "other"


def event_id_of(event: dict) -> str:
    """The event's eventID, or its Event Hash ID when it has none."""
    value = event.get("eventID")
    return value if isinstance(value, str) and value else event_hash_id(event)


def _ilmd_lot(event: dict) -> str | None:
    ilmd = event.get("ilmd")
    if not isinstance(ilmd, dict):
        return None
    for key, value in ilmd.items():
        local = key.replace("}", ":").replace("#", ":").rsplit(":", 1)[-1]
        if local == "lotNumber" and isinstance(value, (str, int)):
            return str(value)
    return None


def lots_of_instances(event: dict) -> dict[str, str]:
    """SGTIN (normalised) → its LGTIN (normalised), from the ILMD lotNumber of the event or from
    Digital Links that name both lot and serial."""
    lot = _ilmd_lot(event)
    out: dict[str, str] = {}
    for field_name in ("epcList", "outputEPCList", "childEPCs", "inputEPCList"):
        for raw in event.get(field_name) or []:
            try:
                key = keys.parse(raw, keys.DEFAULT_COMPANY_PREFIX_LENGTH) if isinstance(raw, str) else None
            except keys.InvalidKey:
                continue
            if key is None or key.kind != "sgtin":
                continue
            lot_here = key.lot if key.lot is not None else lot
            if lot_here is not None:
                out[key.epc_urn] = keys.Key("lgtin", gtin=key.gtin, lot=lot_here).epc_urn
    return out


_lots_of_instances = lots_of_instances  # the name nscl.trace imported before it was public


def match_keys(event: dict) -> set[str]:
    """Every normalised identifier under which ``fetch`` must return this event: what
    epcis.event_epcs lists in any role, its transformationID, and the LGTIN lot of each serial it
    commissions with an ILMD lotNumber (so a lot query also finds its instances)."""
    found = {i for ids in event_epcs(event).values() for i in ids}
    tid = _norm(event.get("transformationID"))
    if tid:
        found.add(tid)
    return found | set(lots_of_instances(event).values())


class _Tracer:
    def __init__(self, start: str, direction: str, fetch, max_depth, key=None):
        self.key = key or event_id_of
        self.direction = direction
        self.fetch = fetch
        self.max_depth = max_depth
        self.start = _norm(start)
        self.visited: set[str] = {self.start}
        self.container_only: set[str] = set()  # reached as a container: not opened further
        self.events: dict = {}  # key → event
        self.processed: set[tuple] = set()
        self.edges: dict[tuple, dict] = {}
        self.transformations: dict[str, dict[str, set]] = {}
        self.read: dict = {}  # key → (roles, lots): each event read once

    def roles_and_lots(self, key, event: dict) -> tuple[dict, dict]:
        if key not in self.read:
            self.read[key] = (event_epcs(event), lots_of_instances(event))
        return self.read[key]

    def run(self) -> TraceResult:
        frontier = {self.start}
        depth = 0
        while frontier:
            found: set[str] = set()
            for event in self.fetch(set(frontier)) or []:
                if isinstance(event, dict):
                    found |= self.visit(event, frontier)
            self.link_transformations()
            if self.max_depth is not None and depth >= self.max_depth:
                break
            frontier = found - self.visited
            self.visited |= frontier
            depth += 1
        return self.result()

    def edge(self, source: str, target: str, relation: str, event_id: str) -> None:
        self.edges.setdefault((source, target, relation, event_id),
                              {"source": source, "target": target, "relation": relation,
                               "event_id": event_id})

    def visit(self, event: dict, frontier: set[str]) -> set[str]:
        """Record the event for every frontier node it touches; return the identifiers to follow."""
        eid, key = event_id_of(event), self.key(event)
        roles, lots = self.roles_and_lots(key, event)
        touched = {i for ids in roles.values() for i in ids}
        tid = _norm(event.get("transformationID"))
        here = [n for n in frontier if n in touched or n in lots.values() or (tid and n == tid)]
        if not here:
            return set()
        self.events.setdefault(key, event)
        follow: set[str] = set()
        for node in here:
            if (key, node) in self.processed:
                continue
            self.processed.add((key, node))
            follow |= self.step(node, event, eid, roles, tid, lots)
        return follow

    def step(self, node, event, eid, roles, tid, lots) -> set[str]:
        back = self.direction == "back"
        follow: set[str] = set()
        inputs = roles["input"] + roles["input_class"]
        outputs = roles["output"] + roles["output_class"]
        if event.get("type") == "TransformationEvent":
            if tid:
                group = self.transformations.setdefault(tid, {"in": set(), "out": set(), "eid": {}})
                group["in"].update(inputs)
                group["out"].update(outputs)
                for o in outputs:
                    group["eid"].setdefault(o, eid)
                follow.add(tid)  # the other events of the same transformation
            for i in inputs:
                for o in outputs:
                    self.edge(i, o, "transformed_into", eid)
            if back and (node in outputs or node == tid):
                follow |= set(inputs)
            if not back and (node in inputs or node == tid):
                follow |= set(outputs)
        parent = roles["parent"][0] if roles["parent"] else None
        children = roles["child"] + roles["epc_class"] if event.get("type") != "ObjectEvent" else []
        if event.get("type") == "TransactionEvent":
            children = roles["epc"] + roles["epc_class"]
        if parent and event.get("type") in _CONTAINMENT and children:
            if event.get("action") == "DELETE":
                for c in children:
                    self.edge(parent, c, "contains", eid)
                if back and node in children:
                    follow.add(parent)
                    self.container_only.add(parent)
                if not back and node == parent and node not in self.container_only:
                    follow |= set(children)
            else:
                for c in children:
                    self.edge(c, parent, "aggregated_into", eid)
                if back and node == parent and node not in self.container_only:
                    follow |= set(children)
                if not back and node in children:
                    follow.add(parent)
                    self.container_only.add(parent)
        for serial, lot in lots.items():
            if node in (serial, lot):
                self.edge(lot, serial, "same_object", eid)
                if back and node == serial:
                    follow.add(lot)
                if not back and node == lot:
                    follow.add(serial)
        return follow - {node}

    def link_transformations(self) -> None:
        for tid, group in self.transformations.items():
            for i in group["in"]:
                if not group["out"]:
                    self.edge(i, tid, "input_of", "")
                for o in group["out"]:
                    self.edge(i, o, "transformed_into", group["eid"].get(o, ""))

    def result(self) -> TraceResult:
        ordered = sorted(self.events.items(),
                         key=lambda kv: (canonical_timestamp(str(kv[1].get("eventTime", ""))),
                                         event_id_of(kv[1]), str(kv[0])))
        ids = self.visited - set(self.transformations)
        nodes = {i: {"epc": i, "kind": _kind(i), "first_seen": None, "last_seen": None,
                     "locations": [], "owners": []} for i in [self.start] + sorted(ids - {self.start})}
        locations: list[str] = []
        parties: list[str] = []
        for key, event in ordered:
            when = canonical_timestamp(str(event.get("eventTime", ""))) or None
            places = _places(event)
            owners = _parties(event)
            _extend(locations, places)
            _extend(parties, owners)
            roles, lots = self.roles_and_lots(key, event)
            touched = {i for ids_ in roles.values() for i in ids_} | set(lots.values())
            for i in touched & nodes.keys():
                n = nodes[i]
                n["first_seen"] = n["first_seen"] or when
                n["last_seen"] = when
                _extend(n["locations"], places)
                _extend(n["owners"], owners)
        edges = [e for e in self.edges.values() if e["source"] in nodes and (
            e["target"] in nodes or e["relation"] == "input_of" and not any(
                x["source"] == e["source"] and x["relation"] == "transformed_into"
                for x in self.edges.values()))]
        return TraceResult(self.start, self.direction, list(nodes.values()),
                           sorted(edges, key=lambda e: (e["event_id"], e["source"], e["target"])),
                           [event_id_of(event) for _, event in ordered], locations, parties)


def _extend(target: list, values) -> None:
    for v in values:
        if v and v not in target:
            target.append(v)


def _places(event: dict) -> list[str]:
    out = []
    for name in ("readPoint", "bizLocation"):
        place = event.get(name)
        if isinstance(place, dict):
            out.append(_norm(place.get("id")))
    for name, item in (("sourceList", "source"), ("destinationList", "destination")):
        for element in event.get(name) or []:
            if isinstance(element, dict) and str(element.get("type", "")).endswith("location"):
                out.append(_norm(element.get(item)))
    return [p for p in out if p]


def _parties(event: dict) -> list[str]:
    out = []
    for name, item in (("sourceList", "source"), ("destinationList", "destination")):
        for element in event.get(name) or []:
            if isinstance(element, dict) and str(element.get("type", "")).endswith(_PARTY_TYPES):
                out.append(_norm(element.get(item)))
    return [p for p in out if p]


def trace(
    start: str,
    direction: Direction,
    fetch: Callable[[set[str]], list[dict]],
    max_depth: int | None = None,
    key: Callable[[dict], object] | None = None,
) -> TraceResult:
    """Trace from ``start`` (any identifier; normalised with keys.normalise, so a URN and a
    Digital Link are the same start). ``fetch(ids)`` returns the EPCIS events (each with its
    eventID) touching any of ``ids`` as epc, parent, child, input, output or the epcClass of a
    quantity element — for an LGTIN class also the events of its instances — and, for an ID that is
    a transformationID, the events carrying it. ``max_depth`` limits the hops (None: any depth).
    ``key(event)`` is what makes two fetched events the same one (default: the eventID); a
    repository where an eventID is unique per owner passes one that tells owners apart.
    Raises InvalidKey for a malformed GS1 start identifier and ValueError for a bad direction."""
    if direction not in ("back", "forward"):
        raise ValueError(f"direction must be 'back' or 'forward', not {direction!r}")
    keys.normalise(start)  # a malformed GS1 identifier is an error, not an empty trace
    return _Tracer(start, direction, fetch, max_depth, key).run()


def _parsed(identifier: str) -> dict:
    try:
        key = keys.parse(identifier)
    except keys.InvalidKey:
        return {"id": identifier}
    out = {"id": identifier, "digital_link": key.digital_link()}
    for name in ("gtin", "lot", "serial", "sscc", "gln", "extension"):
        if getattr(key, name) is not None:
            out[name] = getattr(key, name)
    return out


def recall(result: TraceResult) -> dict:
    """The recall answer from a (forward) trace: every affected lot, serial, container and product
    class, with their GS1 numbers, every location (with its GLN) and every party."""
    by_kind: dict[str, list[dict]] = {}
    for node in result.nodes:
        by_kind.setdefault(node["kind"], []).append(_parsed(node["epc"]))
    return {
        "start": result.start,
        "direction": result.direction,
        "lots": by_kind.get("lgtin", []),
        "serials": by_kind.get("sgtin", []),
        "containers": by_kind.get("sscc", []),
        "products": by_kind.get("gtin", []),
        "other": by_kind.get("other", []),
        "locations": [_parsed(i) for i in result.locations],
        "parties": [_parsed(i) for i in result.parties],
        "events": list(result.events),
    }
