"""Every move of a support dossier, for every role and from every status: allowed exactly when the
role may make it (roles) and the status allows it (workflow); otherwise a Vietnamese refusal and
nothing saved. Approval checks the dated amount rule and locks the amounts."""
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from nscl.accounts.models import Role
from nscl.audit.models import AuditEntry
from nscl.enterprises import workflow
from nscl.enterprises.dossiers import Dossier, DossierStep, Status
from nscl.enterprises.models import SupportRule

from .conftest import OTHER, PARENT

pytestmark = pytest.mark.django_db
D = datetime.date

VALUES = {
    "appraise": {"proposed_amount": 20_000_000},
    "approve": {"decision_number": "123/QĐ-SKHCN", "decision_date": D(2026, 10, 1),
                "decision_body": "Sở Khoa học và Công nghệ Hưng Yên", "approved_amount": 30_000_000},
    "reject": {"notes": "Không đủ điều kiện"},
    "withdraw": {},
    "implement": {"provider": "Trung tâm Chứng nhận Phù hợp", "contract_number": "HĐ-01", "contract_date": D(2026, 10, 15)},
    "accept": {"accepted_on": D(2026, 11, 10)},
    "close": {"closed_on": D(2026, 11, 20), "paid_amount": 30_000_000},
    "reopen": {"notes": "Rút nhầm"},
}
SOURCES = {"appraise": {"applied"}, "approve": {"appraised"}, "reject": {"applied", "appraised"},
           "withdraw": {"applied", "appraised", "approved"}, "implement": {"approved"},
           "accept": {"implementing"}, "close": {"accepted"}, "reopen": {"withdrawn", "rejected"}}
TARGET = {"appraise": "appraised", "approve": "approved", "reject": "rejected", "withdraw": "withdrawn",
          "implement": "implementing", "accept": "accepted", "close": "closed",
          "reopen": "applied"}  # a reopened dossier with no step saying where it was goes back to applied
MAY = {  # who may make which move (the parent enterprise's own user; another enterprise's user none)
    "admin": {"appraise", "approve", "reject", "implement", "accept", "close", "reopen"},
    "officer": {"appraise", "approve", "reject", "implement", "accept", "close", "reopen"},
    "partner": set(), "viewer": set(), "own_enterprise": {"withdraw", "implement"}, "other_enterprise": set(),
}
ORDER = ["applied", "appraised", "approved", "implementing", "accepted", "closed"]


def make_dossier(enterprise, content, status="applied"):
    d = Dossier.objects.create(enterprise=enterprise, content=content, title="Áp dụng ISO 9001", applied_on=D(2026, 9, 1),
                               total_cost=80_000_000, requested_amount=40_000_000)
    fields = {"status": status}
    reached = ORDER.index(status) if status in ORDER else 0
    if reached >= 2:
        fields.update(approved_amount=30_000_000, decision_date=D(2026, 10, 1), decision_number="1/QĐ",
                      decision_body="Sở KH&CN", rule=SupportRule.objects.filter(content=content).first())
    if reached >= 3:
        fields.update(contract_date=D(2026, 10, 15), provider="X", contract_number="HĐ")
    if reached >= 4:
        fields["accepted_on"] = D(2026, 11, 10)
    Dossier.objects.filter(pk=d.pk).update(**fields)
    d.refresh_from_db()
    return d


@pytest.fixture
def actors(quick_user, org_user):
    return {"admin": quick_user(Role.ADMIN), "officer": quick_user(Role.OFFICER), "partner": quick_user(Role.PARTNER),
            "viewer": quick_user(Role.VIEWER), "own_enterprise": org_user(PARENT), "other_enterprise": org_user(OTHER)}


@pytest.mark.parametrize("status", [s.value for s in Status])
@pytest.mark.parametrize("move", list(VALUES))
@pytest.mark.parametrize("actor", list(MAY))
def test_every_move_for_every_role_from_every_status(actors, enterprises, catalogue, actor, move, status):
    d = make_dossier(enterprises["parent"], catalogue["iso-9001"], status)
    values = dict(VALUES[move])
    notes = values.pop("notes", "")
    ok = move in MAY[actor] and status in SOURCES[move]
    if ok:
        step = workflow.perform(d, move, actors[actor], notes=notes, **values)
        d.refresh_from_db()
        assert d.status == TARGET[move]
        assert (step.from_status, step.to_status, step.by) == (status, TARGET[move], actors[actor])
    else:
        with pytest.raises(workflow.WorkflowError) as e:
            workflow.perform(d, move, actors[actor], notes=notes, **values)
        d.refresh_from_db()
        assert d.status == status and not DossierStep.objects.filter(dossier=d).exists()
        if move not in MAY[actor]:
            assert "không có quyền" in str(e.value)
        else:
            assert "Không thể" in str(e.value) and "đang ở trạng thái" in str(e.value)


def test_a_branch_dossier_is_the_parents_users_to_withdraw(actors, enterprises, catalogue, org_user):
    d = make_dossier(enterprises["branch"], catalogue["5s"])
    workflow.perform(d, "withdraw", actors["own_enterprise"])
    assert Dossier.objects.get(pk=d.pk).status == "withdrawn"
    branch_user = org_user("0100109106-001")
    d2 = make_dossier(enterprises["parent"], catalogue["5s"])
    with pytest.raises(workflow.WorkflowError, match="không có quyền"):
        workflow.perform(d2, "withdraw", branch_user)


def test_full_path_with_rule_limits_and_lock(actors, enterprises, catalogue):
    officer = actors["officer"]
    d = make_dossier(enterprises["parent"], catalogue["iso-9001"])
    # provisional rule for management systems: 50 % of the cost, at most 50.000.000 đ
    # cost 80.000.000 → 40.000.000 by share; requested 40.000.000 → ceiling 40.000.000
    with pytest.raises(workflow.WorkflowError, match="vượt kinh phí đề nghị"):
        workflow.perform(d, "appraise", officer, proposed_amount=40_000_001)
    workflow.perform(d, "appraise", officer, proposed_amount=40_000_000)
    approve = dict(VALUES["approve"], approved_amount=40_000_001)
    with pytest.raises(workflow.WorkflowError, match=r"vượt mức tối đa 40\.000\.000 đ \(50% chi phí, không quá 50\.000\.000 đ"):
        workflow.perform(d, "approve", officer, **approve)
    with pytest.raises(workflow.WorkflowError, match="Cần nhập: số quyết định"):
        workflow.perform(d, "approve", officer, **dict(approve, decision_number=""))
    with pytest.raises(workflow.WorkflowError, match="không được trước ngày nộp"):
        workflow.perform(d, "approve", officer, **dict(approve, approved_amount=1, decision_date=D(2026, 8, 1)))
    workflow.perform(d, "approve", officer, **dict(approve, approved_amount=40_000_000))
    d.refresh_from_db()
    assert d.approved_amount == Decimal(40_000_000) and d.rule.content.code == "iso-9001" and d.is_locked
    d.approved_amount = 45_000_000
    with pytest.raises(ValidationError, match="không sửa được kinh phí đã duyệt"):
        d.save()
    d.refresh_from_db()
    workflow.perform(d, "implement", actors["own_enterprise"], **VALUES["implement"])
    workflow.perform(d, "accept", officer, **VALUES["accept"])
    with pytest.raises(workflow.WorkflowError, match=r"vượt mức được duyệt \(40\.000\.000 đ\)"):
        workflow.perform(d, "close", officer, closed_on=D(2026, 11, 20), paid_amount=40_000_001)
    workflow.perform(d, "close", officer, closed_on=D(2026, 11, 20), paid_amount=39_500_000)
    d.refresh_from_db()
    assert d.status == "closed" and d.paid_amount == 39_500_000
    assert list(d.steps.values_list("transition", flat=True)) == ["appraise", "approve", "implement", "accept", "close"]
    audited = AuditEntry.objects.filter(model="enterprises.Dossier", object_id=str(d.pk), action="update")
    assert [e.after["status"] for e in audited.order_by("pk")] == ["appraised", "approved", "implementing", "accepted", "closed"]
    assert AuditEntry.objects.filter(model="enterprises.DossierStep").count() == 5


def test_no_rule_in_force_refuses_approval(actors, enterprises, catalogue):
    d = make_dossier(enterprises["parent"], catalogue["iso-9001"], "appraised")
    Dossier.objects.filter(pk=d.pk).update(applied_on=D(2021, 3, 1))
    d.refresh_from_db()
    with pytest.raises(workflow.WorkflowError, match="Chưa có quy định mức hỗ trợ .* áp dụng ngày 01/04/2021"):
        workflow.perform(d, "approve", actors["officer"], **dict(VALUES["approve"], decision_date=D(2021, 4, 1)))
    assert Dossier.objects.get(pk=d.pk).status == "appraised"


def test_a_newer_rule_applies_from_its_date(actors, enterprises, catalogue):
    SupportRule.objects.create(content=catalogue["iso-9001"], valid_from=D(2026, 1, 1), share_pct=30, cap=20_000_000,
                               legal_basis="Nghị quyết thử")
    d = make_dossier(enterprises["parent"], catalogue["iso-9001"], "appraised")
    # 30 % of 80.000.000 = 24.000.000, capped at 20.000.000
    with pytest.raises(workflow.WorkflowError, match=r"20\.000\.000 đ"):
        workflow.perform(d, "approve", actors["officer"], **dict(VALUES["approve"], approved_amount=20_000_001))
    workflow.perform(d, "approve", actors["officer"], **dict(VALUES["approve"], approved_amount=20_000_000))
    assert Dossier.objects.get(pk=d.pk).rule.legal_basis == "Nghị quyết thử"


@pytest.mark.parametrize("values, message", [
    ({"proposed_amount": -1}, "không âm"), ({"proposed_amount": "abc"}, "không phải là số"),
    ({"proposed_amount": "1.5"}, "số đồng nguyên"),
])
def test_bad_amounts(actors, enterprises, catalogue, values, message):
    d = make_dossier(enterprises["parent"], catalogue["iso-9001"])
    with pytest.raises(workflow.WorkflowError, match=message):
        workflow.perform(d, "appraise", actors["officer"], **values)


def test_unknown_move_and_reload_of_reference_is_idempotent(actors, enterprises, catalogue):
    from nscl.enterprises.reference import load_reference

    d = make_dossier(enterprises["parent"], catalogue["iso-9001"])
    with pytest.raises(workflow.WorkflowError, match="Bước xử lý không hợp lệ"):
        workflow.perform(d, "explode", actors["admin"])
    rule = SupportRule.objects.get(content=catalogue["iso-9001"])
    rule.cap = 12_000_000
    rule.save()
    assert load_reference()["support_rules_created"] == 0
    assert SupportRule.objects.get(content=catalogue["iso-9001"]).cap == 12_000_000


def test_messages_follow_the_language(actors, enterprises, catalogue):
    """The workflow's refusals are in the user's language, amounts written as that language writes them."""
    from django.utils import translation

    d = make_dossier(enterprises["parent"], catalogue["iso-9001"])
    with translation.override("en"):
        with pytest.raises(workflow.WorkflowError, match="Invalid processing step"):
            workflow.perform(d, "explode", actors["admin"])
        with pytest.raises(workflow.WorkflowError) as e:
            workflow.perform(d, "appraise", actors["officer"])
        assert str(e.value) == "Required: proposed amount."
    with pytest.raises(workflow.WorkflowError) as e:
        workflow.perform(d, "appraise", actors["officer"])
    assert str(e.value) == "Cần nhập: mức đề xuất."
