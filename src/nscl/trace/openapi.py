"""The OpenAPI 3.1 description of the EPCIS 2.0 REST binding this repository serves, at
/epcis/openapi.json. Its query parameters are read from `query` (the one place that defines them),
so the document cannot promise a parameter the query does not take. Paths, names and paging follow
GS1's EPCIS 2.0 OpenAPI; only the resources implemented here are described."""
from __future__ import annotations

from . import query

PROBLEM = {"$ref": "#/components/schemas/Problem"}
EPCIS_JSON = "application/ld+json"


def _problem(description):
    return {"description": description, "content": {"application/problem+json": {"schema": PROBLEM}}}


def query_parameters() -> list[dict]:
    text = {"type": "string"}
    params = [{"name": "eventType", "in": "query", "schema": {"type": "string", "enum": list(query.EVENT_TYPES)},
               "description": "One or more event types, “|”-separated or repeated"}]
    params += [{"name": n, "in": "query", "schema": {"type": "string", "format": "date-time"},
                "description": f"{field.replace('_', ' ')} {'≥' if op == 'gte' else '<'} this instant"}
               for n, (field, op) in query.TIMES.items()]
    params += [{"name": n, "in": "query", "schema": text, "description": f"{field.replace('_', ' ')} equals one of these "
                "(“|”-separated or repeated; CBV short names or URIs)"} for n, (field, _kind) in query.EQUALS.items()]
    params += [{"name": n, "in": "query", "schema": text, "description": "Identifiers (EPC URN, GS1 Digital Link or "
                f"pattern) in the role(s): {', '.join(roles)}"} for n, roles in query.MATCH_ROLES.items()]
    params += [
        {"name": "EQ_eventID", "in": "query", "schema": text, "description": "Event IDs, “|”-separated or repeated"},
        {"name": "EQ_bizTransaction_{type}", "in": "query", "schema": text,
         "description": "Business transaction of this type (e.g. EQ_bizTransaction_po) equals one of these"},
        {"name": "perPage", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": query.PER_PAGE_MAX,
                                                      "default": query.PER_PAGE_DEFAULT}},
        {"name": "nextPageToken", "in": "query", "schema": text,
         "description": "The token of the Link header rel=\"next\" of the previous page"},
        {"name": "orderBy", "in": "query", "schema": {"type": "string", "enum": list(query.ORDER_FIELDS)}},
        {"name": "orderDirection", "in": "query", "schema": {"type": "string", "enum": ["ASC", "DESC"]}},
    ]
    return params


def schema() -> dict:
    document = {"content": {EPCIS_JSON: {"schema": {"type": "object"}},
                            "application/json": {"schema": {"type": "object"}}}}
    auth = [{"apiKey": []}, {"session": []}]
    return {
        "openapi": "3.1.0",
        "info": {"title": "NSCL EPCIS 2.0 repository", "version": "2.0",
                 "description": "GS1 EPCIS 2.0 REST binding (capture, events, capture jobs). Documents are checked "
                                "against GS1's EPCIS JSON Schema with formats and GS1 check digits; events without "
                                "eventID get their canonical hash ID; an eventID is unique per owner (the "
                                "enterprise of the bizLocation, else of the readPoint, else the caller's); an "
                                "enterprise records at its own locations."},
        "externalDocs": {"url": "https://ref.gs1.org/standards/epcis/", "description": "GS1 EPCIS 2.0"},
        "security": auth,
        "paths": {
            "/epcis/capture": {"post": {
                "summary": "Capture an EPCIS document (all or nothing)", "requestBody": {"required": True, **document},
                "responses": {"202": {"description": "Captured; Location: the capture job"},
                              "400": _problem("Invalid document (the event index, eventID and field are named)"),
                              "401": _problem("No API key or session"), "403": _problem(
                                  "A location or product that is not the caller's, or a GTIN, GLN or SSCC outside "
                                  "its owner's verified GS1 company prefixes (the number and field are named)"),
                              "409": _problem("An eventID its owner already used for an event with other content "
                                              "(the event index is named); nothing stored"),
                              "413": _problem("Document over 10 MB")}}},
            "/epcis/capture/{captureID}": {"get": {
                "summary": "A capture job: status, counts, errors",
                "parameters": [{"name": "captureID", "in": "path", "required": True,
                                "schema": {"type": "string", "format": "uuid"}}],
                "responses": {"200": {"description": "The job", "content": {"application/json": {}}},
                              "404": _problem("No such job of the caller's")}}},
            "/epcis/events": {
                "post": {"summary": "Capture one event", "requestBody": {"required": True, **document},
                         "responses": {"201": {"description": "Stored; Location: the event"},
                                       "400": _problem("Invalid event"), "403": _problem("Not the caller's location, or a GS1 number "
                                                                        "outside its owner's verified prefixes"),
                                       "409": _problem("The owner already stored this eventID (the same event, "
                                                       "or another one: errors name the field)")}},
                "get": {"summary": "Query events (the caller's own and those shared with it)",
                        "parameters": query_parameters(),
                        "responses": {"200": {"description": "An EPCISQueryDocument; Link rel=\"next\" when more",
                                              "content": {EPCIS_JSON: {}}},
                                      "400": _problem("A parameter the query cannot take")}}},
            "/epcis/events/{eventID}": {"get": {
                "summary": "One event by its eventID (URL-encoded)",
                "parameters": [{"name": "eventID", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "The event", "content": {EPCIS_JSON: {}}},
                              "404": _problem("No such event visible to the caller")},
                "description": "Every event with this eventID the caller may read (unique per owner: an officer "
                               "or a partner of two owners may read two)."}},
        },
        "components": {
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer",
                                           "description": "An enterprise's API key (shown once when created)"},
                                "session": {"type": "apiKey", "in": "cookie", "name": "sessionid"}},
            "schemas": {"Problem": {"type": "object", "description": "RFC 7807 problem details", "properties": {
                "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                "detail": {"type": "string"}, "instance": {"type": "string"}}}},
        },
    }
