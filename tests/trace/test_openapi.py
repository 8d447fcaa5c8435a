"""/epcis/openapi.json describes what the binding serves: every path resolves to a view, and every
query parameter the query module takes is documented (and nothing it does not take)."""
import pytest
from django.urls import resolve

from nscl.trace import query

pytestmark = pytest.mark.django_db


def test_the_description_matches_the_binding(client):
    resp = client.get("/epcis/openapi.json")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/json"
    doc = resp.json()
    assert doc["openapi"] == "3.1.0"
    for path in doc["paths"]:
        concrete = path.replace("{captureID}", "6e0a8f4c-1d7e-4b8e-9d2b-2f1c8a7e5b10").replace("{eventID}", "urn:uuid:x")
        assert resolve(concrete).url_name.startswith("epcis_"), path
    names = {p["name"] for p in doc["paths"]["/epcis/events"]["get"]["parameters"]}
    taken = {*query.MATCH_ROLES, *query.TIMES, *query.EQUALS, "eventType", "EQ_eventID", "EQ_bizTransaction_{type}",
             "perPage", "nextPageToken", "orderBy", "orderDirection"}
    assert names == taken
    for name in ("EQ_bizStep", "GE_eventTime", "LT_recordTime", "MATCH_anyEPCClass", "MATCH_parentID"):
        assert name in names  # the list
    assert "/epcis/openapi.json" in client.get("/api/v1/openapi.json").json()["info"]["description"]
