"""The migration of the old support register (issue 11): organisations become enterprises, an
enterprise user's profile follows its organisation, support records become dossiers with their
evidence, MT5 keeps its count, and the old tables are gone.

A database at the schema before the change (programme 0003, accounts 0001, enterprises 0002) is
built in a separate process, filled through the historical models, then migrated to the latest
schema; it is a new SQLite file, or a new PostgreSQL database when the suite runs on PostgreSQL."""
import os
import pathlib
import subprocess
import sys
import uuid

import pytest

OLD = [("audit", "0002_plural_names"), ("accounts", "0001_initial"), ("programme", "0003_plural_names"),
       ("enterprises", "0002_labels")]

FILL = r'''
import datetime, json
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

executor = MigrationExecutor(connection)
apps = executor.loader.project_state([("programme", "0003_plural_names"), ("accounts", "0001_initial"),
                                      ("enterprises", "0002_labels")]).apps
User = apps.get_model("auth", "User")
Unit = apps.get_model("programme", "Unit")
Organisation = apps.get_model("programme", "Organisation")
Support = apps.get_model("programme", "EnterpriseSupport")
Evidence = apps.get_model("programme", "Evidence")
Profile = apps.get_model("accounts", "Profile")
Enterprise = apps.get_model("enterprises", "Enterprise")
unit = Unit.objects.create(code="skhcn", name="Sở KH&CN")
a = Organisation.objects.create(tax_code="0100109106", name="Công ty A")
branch = Organisation.objects.create(tax_code="0100109106-001", name="Công ty A, chi nhánh")
b = Organisation.objects.create(tax_code="0100112437", name="Công ty B", is_demo=True)
Enterprise.objects.create(tax_code="0100112437", name="Công ty B (đã có trong sổ doanh nghiệp)")
user = User.objects.create(username="dn")
Profile.objects.create(user=user, role="enterprise", organisation=a)

def support(org, status, confirmed, content, year, amount):
    start = datetime.date(year, 3, 1)
    return Support.objects.create(kind="support", title=f"Hỗ trợ {org.name} {year}", start_date=start,
        end_date=start + datetime.timedelta(days=90) if status == "completed" else None, status=status,
        responsible_unit=unit, count_year=year, budget_planned=amount, budget_spent=amount - 1,
        confirmed_at=timezone.now() if confirmed else None, organisation=org, content=content, amount=amount,
        is_demo=org.is_demo)

done = support(a, "completed", True, "system", 2022, 60_000_000)
support(branch, "completed", True, "tccs", 2023, 20_000_000)
support(b, "completed", False, "hop_quy", 2024, 30_000_000)
support(b, "cancelled", False, "tool", 2024, 10_000_000)
Evidence.objects.create(activity_id=done.pk, type="decision", file="evidence/1/x/qd.pdf", size=10)
print(json.dumps({"done": done.pk}))
'''

CHECK = r'''
import json
from django.db import connection
from nscl.accounts.models import Profile
from nscl.enterprises.dossiers import Dossier
from nscl.enterprises.models import Enterprise
from nscl.enterprises.services import support_counting_rows
from nscl.audit.models import AuditEntry

tables = connection.introspection.table_names()
with connection.cursor() as cur:
    cur.execute("SELECT COUNT(*) FROM programme_activity")
    activities = cur.fetchone()[0]
out = {
    "old_tables": [t for t in ("programme_organisation", "programme_enterprisesupport") if t in tables],
    "activities": activities,
    "enterprises": {e.tax_code: [e.name, e.parent.tax_code if e.parent else None, e.is_demo]
                    for e in Enterprise.objects.all()},
    "profile": Profile.objects.get(user__username="dn").enterprise.tax_code,
    "dossiers": sorted([d.enterprise.tax_code, d.content.code, d.status, str(d.accepted_on),
                        int(d.approved_amount or 0), d.attachments.count(), d.steps.count(), d.is_demo]
                       for d in Dossier.objects.all()),
    "note": Dossier.objects.get(status="implementing").steps.get().notes,
    "counted": sorted(support_counting_rows(2021, 2025)),
    "audited": AuditEntry.objects.filter(model="enterprises.Dossier").count(),
}
print(json.dumps(out))
'''


def _run(env, *args, code=None):
    cmd = [str(pathlib.Path(sys.executable).parent / "nscl"), *args] if code is None else [sys.executable, "-c", (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'nscl.settings'); django.setup()\n" + code)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


@pytest.fixture
def fresh_database(tmp_path):
    """A DATABASE_URL of a new, empty database of the engine this suite runs on."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path}/migration.sqlite3"
        return
    import psycopg

    name = f"nscl_migration_{uuid.uuid4().hex[:8]}"
    admin = url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)[0] + "/postgres"  # the suite's may not exist
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_support_register_moves_to_dossiers(fresh_database, tmp_path):
    import json

    env = dict(os.environ, DATABASE_URL=fresh_database, NSCL_VAR_DIR=str(tmp_path))
    # one process migrates each app to its old schema, then fills it (each Django process costs
    # seconds); the upgrade runs as a deployment runs it, `nscl manage migrate`
    _run(env, code="from django.core.management import call_command\n"
                   + "".join(f"call_command('migrate', {app!r}, {name!r}, verbosity=0)\n" for app, name in OLD) + FILL)
    _run(env, "manage", "migrate", "--verbosity", "0")
    got = json.loads(_run(env, code=CHECK).strip().splitlines()[-1])

    assert got["old_tables"] == []
    # every organisation is an enterprise; an enterprise already registered keeps its own name;
    # the branch hangs under its parent
    assert got["enterprises"] == {
        "0100109106": ["Công ty A", None, False],
        "0100109106-001": ["Công ty A, chi nhánh", "0100109106", False],
        "0100112437": ["Công ty B (đã có trong sổ doanh nghiệp)", None, False],
    }
    assert got["profile"] == "0100109106"
    # confirmed and completed → closed, accepted on the end date (counts); completed but not
    # confirmed → waits for acceptance; cancelled → withdrawn; the evidence file follows
    assert got["dossiers"] == [
        ["0100109106", "management-system", "closed", "2022-05-30", 60_000_000, 1, 1, False],
        ["0100109106-001", "tccs", "closed", "2023-05-30", 20_000_000, 0, 1, False],
        ["0100112437", "hop-quy", "implementing", "None", 30_000_000, 0, 1, True],
        ["0100112437", "improvement-tool", "withdrawn", "None", 10_000_000, 0, 1, True],
    ]
    assert "chờ cán bộ nghiệm thu" in got["note"]
    # MT5 as before: A in 2022 and again (through its branch) in 2023 — one enterprise
    assert got["counted"] == [[2022, got["counted"][0][1]], [2023, got["counted"][0][1]]]
    assert got["audited"] == 4  # each dossier created, by the audit signals (user "system")
    assert got["activities"] == 0  # the support records' activity rows are gone with them
