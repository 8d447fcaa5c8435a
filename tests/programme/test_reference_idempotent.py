"""A repeated `nscl init` writes nothing (issue 18, item 5): the reference loaders compare values
as the database holds them (Decimal("20.00") is the plan's 20), so an up-to-date database gets no
audit "update" whose only change is a number's type, and no row is rewritten."""
import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nscl.audit.models import AuditEntry
from nscl.cli import load_reference
from nscl.programme.models import Target

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


def _row_counts():
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def test_a_second_load_writes_no_row_and_no_audit_entry():
    load_reference()
    entries, rows = AuditEntry.objects.count(), _row_counts()
    with CaptureQueriesContext(connection) as queries:
        out = load_reference()
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]
    assert writes == []
    assert AuditEntry.objects.count() == entries
    assert _row_counts() == rows
    assert out["targets"] == 10 and out["support_rules_created"] == 0


def test_a_real_change_is_written_back_once_and_audited():
    load_reference()
    Target.objects.filter(code="MT3").update(min_value=21, unit="lớp học")  # bypasses the audit signals
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    load_reference()
    new = list(AuditEntry.objects.filter(pk__gt=last))
    assert [(e.action, e.model, e.object_repr) for e in new] == [("update", "programme.Target", str(Target.objects.get(code="MT3")))]
    changed = {k: (new[0].before[k], new[0].after[k]) for k in new[0].after if new[0].before[k] != new[0].after[k]}
    assert changed == {"min_value": ("21.00", "20.00"), "unit": ("lớp học", "lớp")}
    target = Target.objects.get(code="MT3")
    assert (target.min_value, target.unit) == (20, "lớp")
