"""EPCIS 2.0 JSON/JSON-LD: parse, validate (GS1 JSON Schema, Draft 7, with format checking, plus the
check digits the schema cannot check) and read the identifiers each event touches."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


class MalformedJSON(ValueError):
    """The text is not JSON (or not a JSON object); ``message_vi`` is the Vietnamese message."""

    def __init__(self, message: str, message_vi: str | None = None):
        super().__init__(message)
        self.message = message
        self.message_vi = message_vi or message


@dataclass(frozen=True)
class Problem:
    """One reason a document or event is invalid. ``path`` is a JSON pointer into the document
    (e.g. /epcisBody/eventList/3/eventTime) or into the event for validate_event."""

    event_index: int | None
    event_id: str | None
    path: str
    message: str


ROLES = ("epc", "parent", "child", "input", "output", "epc_class", "input_class", "output_class")


def parse_json(text_or_bytes: str | bytes) -> dict:
    """Parse a JSON document; raise MalformedJSON (a ValueError) with line/column when malformed."""
    raise NotImplementedError


def iter_events(doc: dict) -> Iterator[dict]:
    """The events of an EPCISDocument (epcisBody.eventList) or EPCISQueryDocument
    (epcisBody.queryResults.resultsBody.eventList), in document order."""
    body = doc.get("epcisBody") if isinstance(doc, dict) else None
    if not isinstance(body, dict):
        return
    events = body.get("eventList")
    if events is None:
        results = body.get("queryResults")
        results = results.get("resultsBody") if isinstance(results, dict) else None
        events = results.get("eventList") if isinstance(results, dict) else None
    if events is None and isinstance(body.get("event"), dict):
        events = [body["event"]]
    for event in events or []:
        if isinstance(event, dict):
            yield event


def validate_document(doc: dict) -> list[Problem]:
    """Every problem in an EPCIS 2.0 document (empty list when valid)."""
    raise NotImplementedError


def validate_event(event: dict) -> list[Problem]:
    """Every problem in one EPCIS 2.0 event (paths relative to the event)."""
    raise NotImplementedError


def event_epcs(event: dict) -> dict[str, list[str]]:
    """Every identifier the event touches by role (see ROLES), normalised with keys.normalise."""
    raise NotImplementedError
