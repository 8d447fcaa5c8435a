"""The OpenAPI 3.1 description of the public API, served at /api/v1/openapi.json."""
from nscl.programme.progress import STATUSES


def schema():
    problem = {"$ref": "#/components/schemas/Problem"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "NSCL API",
            "version": "1",
            "description": "Tiến độ Kế hoạch nâng cao năng suất chất lượng tỉnh Hưng Yên (chỉ đọc). "
                           "Public when NSCL_PUBLIC_PROGRESS is on; otherwise a logged-in session is needed. "
                           "The EPCIS 2.0 repository has its own description at /epcis/openapi.json.",
        },
        "paths": {
            "/api/v1/targets": {
                "get": {
                    "summary": "Targets of a phase with their computed actual and status",
                    "parameters": [
                        {"name": "phase", "in": "query", "schema": {"type": "string", "example": "2021-2025"},
                         "description": "Phase code; default: the latest phase with targets"},
                        {"name": "year", "in": "query", "schema": {"type": "integer"},
                         "description": "Cumulative up to the end of this year (within the phase)"},
                        {"name": "unit", "in": "query", "schema": {"type": "string"}, "description": "Responsible unit code"},
                        {"name": "lang", "in": "query", "schema": {"type": "string", "enum": ["vi", "en"]}},
                    ],
                    "responses": {
                        "200": {"description": "Targets", "content": {"application/json": {
                            "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Target"}}}}},
                        "400": {"description": "Invalid parameter", "content": {"application/problem+json": {"schema": problem}}},
                        "401": {"description": "Progress is not public", "content": {"application/problem+json": {"schema": problem}}},
                        "404": {"description": "Unknown phase", "content": {"application/problem+json": {"schema": problem}}},
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Target": {
                    "type": "object",
                    "required": ["code", "description", "unit", "kind", "min", "max", "actual", "status"],
                    "properties": {
                        "code": {"type": "string"},
                        "description": {"type": "string"},
                        "unit": {"type": "string"},
                        "kind": {"type": "string", "enum": ["exact", "range", "at_least", "about"]},
                        "min": {"type": "number", "description": "exact/about: N; range: lower bound; at_least: N"},
                        "max": {"type": ["number", "null"], "description": "null for at_least; N for about and exact"},
                        "actual": {"type": "number", "description": "computed from confirmed, completed records"},
                        "status": {"type": "string", "enum": list(STATUSES)},
                        "as_of_year": {"type": "integer"},
                        "tolerance_pct": {"type": ["number", "null"]},
                        "every_year": {"type": "boolean"},
                        "responsible_unit": {"type": ["string", "null"]},
                        "by_year": {"type": "array", "items": {"type": "object", "properties": {
                            "year": {"type": "integer"}, "actual": {"type": "number"},
                            "cumulative": {"type": "number"}, "status": {"type": "string", "enum": list(STATUSES)}}}},
                    },
                },
                "Problem": {
                    "type": "object",
                    "description": "RFC 7807 problem details",
                    "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                                   "detail": {"type": "string"}, "invalid_params": {"type": "array"}},
                },
            }
        },
    }
