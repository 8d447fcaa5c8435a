import pytest

from nscl.accounts.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def public(settings):
    settings.NSCL_PUBLIC_PROGRESS = True


def test_targets_of_the_phase(client, public, make_activity):
    for _ in range(19):
        make_activity("class", 2023)
    resp = client.get("/api/v1/targets?phase=2021-2025")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/json"
    data = {t["code"]: t for t in resp.json()}
    assert list(data) == ["MT1a", "MT1b", "MT2", "MT3", "MT4", "MT5", "MT6", "MT7", "MT8", "MT9"]
    for t in data.values():
        assert {"code", "description", "unit", "kind", "min", "max", "actual", "status"} <= set(t)
    assert {k: data["MT3"][k] for k in ("kind", "min", "max", "actual", "status")} == \
        {"kind": "about", "min": 20, "max": 20, "actual": 19, "status": "met"}
    assert {k: data["MT9"][k] for k in ("kind", "min", "max")} == {"kind": "at_least", "min": 3, "max": None}
    assert {k: data["MT5"][k] for k in ("kind", "min", "max", "actual", "status")} == \
        {"kind": "range", "min": 20, "max": 30, "actual": 0, "status": "not_met"}
    assert {k: data["MT7"][k] for k in ("kind", "min", "max")} == {"kind": "exact", "min": 1, "max": 1}
    assert data["MT3"]["description"].startswith("Tổ chức khoảng 20 lớp")
    by_year = {y["year"]: y for y in data["MT3"]["by_year"]}
    assert by_year[2023]["actual"] == 19 and by_year[2022]["status"] == "not_started"


def test_year_and_language(client, public, make_activity):
    make_activity("campaign", 2022)
    make_activity("campaign", 2024)
    t = {x["code"]: x for x in client.get("/api/v1/targets?phase=2021-2025&year=2022&lang=en").json()}["MT4"]
    assert t["actual"] == 1 and t["status"] == "on_track" and t["description"].startswith("Hold 2-4 communication")
    assert t["unit"] == "campaigns"


@pytest.mark.parametrize("query,status,param", [
    ("phase=1999-2000", 404, "phase"),
    ("phase=2021-2025&year=2030", 400, "year"),
    ("phase=2021-2025&year=abc", 400, "year"),
    ("phase=2021-2025&unit=nope", 400, "unit"),
])
def test_bad_parameters_are_rfc7807_problems(client, public, query, status, param):
    resp = client.get(f"/api/v1/targets?{query}")
    assert resp.status_code == status
    assert resp["Content-Type"] == "application/problem+json"
    body = resp.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert body["invalid_params"][0]["name"] == param


def test_private_unless_public_setting(client, settings, make_user):
    settings.NSCL_PUBLIC_PROGRESS = False
    resp = client.get("/api/v1/targets?phase=2021-2025")
    assert resp.status_code == 401 and resp.json()["status"] == 401
    client.force_login(make_user(Role.VIEWER))
    assert client.get("/api/v1/targets?phase=2021-2025").status_code == 200


def test_openapi_schema_documents_the_endpoint(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    op = schema["paths"]["/api/v1/targets"]["get"]
    assert {p["name"] for p in op["parameters"]} >= {"phase", "year"}
    target = schema["components"]["schemas"]["Target"]
    assert target["properties"]["kind"]["enum"] == ["exact", "range", "at_least", "about"]
    assert set(target["required"]) == {"code", "description", "unit", "kind", "min", "max", "actual", "status"}


def test_api_responses_match_the_schema(client, public, make_activity):
    import jsonschema

    make_activity("class", 2023)
    schema = client.get("/api/v1/openapi.json").json()
    item = dict(schema["components"]["schemas"]["Target"])
    jsonschema.validate(client.get("/api/v1/targets?phase=2021-2025").json(), {"type": "array", "items": item})


def test_unknown_api_path_is_a_problem(client):
    resp = client.get("/api/v1/nothing")
    assert resp.status_code == 404 and resp["Content-Type"] == "application/problem+json"
