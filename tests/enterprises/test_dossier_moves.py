"""The dossier page guides each role through its own moves (issue 20, item 2).

Before: every user saw the officer's whole 12-field form under one "Bước" select; for an enterprise
user "Rút hồ sơ" came first, so "Thực hiện" withdrew at once, with no confirmation and no undo, and
said "Đã rút hồ sơ hồ sơ."; an officer learnt a step's fields by failing ("Cần nhập: số quyết định,
ngày quyết định, …"); a failed form, re-rendered at the POST's address with the select reset to the
first move, re-posted on reload; the lock was an emoji (🔒) that rendered as a tofu box; the same
application posted twice made two dossiers, the same move posted twice failed the second time."""
import datetime
import re
import uuid

import pytest
from django.db import IntegrityError, transaction

from nscl.accounts.models import Role
from nscl.audit.models import AuditEntry
from nscl.enterprises.dossiers import Dossier, DossierStep

from .conftest import OTHER
from .test_workflow import make_dossier

pytestmark = pytest.mark.django_db


def url(d, move=None):
    return f"/enterprises/dossiers/{d.pk}/" + (f"transition/?move={move}" if move else "")


def post(client, d, move, **values):
    return client.post(f"/enterprises/dossiers/{d.pk}/transition/", {"transition": move, **values})


def messages_of(resp):
    """The messages this response's request added (the redirects are not followed, so earlier ones wait)."""
    return [str(m) for m in resp.wsgi_request._messages._queued_messages]


@pytest.fixture
def owner(quick_user, enterprises):
    return quick_user(Role.ENTERPRISE, enterprise=enterprises["parent"])


@pytest.fixture
def officer(quick_user):
    return quick_user(Role.OFFICER)


def form_names(html):
    return set(re.findall(r'name="([a-z_]+)"', html))


# --- each role sees only its own moves -------------------------------------------------------------

def test_the_enterprise_user_sees_a_withdraw_button_not_the_officer_form(client, owner, enterprises, catalogue):
    d = make_dossier(enterprises["parent"], catalogue["iso-9001"])
    client.force_login(owner)
    page = client.get(url(d)).content.decode()
    assert f'href="{url(d, "withdraw")}"' in page and "Rút hồ sơ" in page
    assert '<select name="transition"' not in page
    officer_fields = {"proposed_amount", "decision_number", "decision_date", "decision_body", "approved_amount",
                      "accepted_on", "closed_on", "paid_amount"}
    assert not officer_fields & form_names(page)
    # approved: its own two moves, implementation with just its three fields, withdrawal behind a button
    d = make_dossier(enterprises["parent"], catalogue["iso-9001"], "approved")
    page = client.get(url(d)).content.decode()
    assert {"provider", "contract_number", "contract_date"} <= form_names(page)
    assert not officer_fields & form_names(page) and f'href="{url(d, "withdraw")}"' in page


def test_the_officer_sees_only_the_moves_of_the_status(client, officer, enterprises, catalogue):
    d = make_dossier(enterprises["parent"], catalogue["iso-9001"])
    client.force_login(officer)
    page = client.get(url(d)).content.decode()
    assert "proposed_amount" in form_names(page) and f'href="{url(d, "reject")}"' in page
    assert not {"decision_number", "approved_amount", "provider", "accepted_on", "closed_on"} & form_names(page)
    assert "move=withdraw" not in page  # the enterprise's move, not the officer's


# --- each step shows its fields and their rules before submitting ---------------------------------

def test_each_step_shows_its_required_fields_and_rules(client, officer, enterprises, catalogue):
    client.force_login(officer)
    d = make_dossier(enterprises["parent"], catalogue["iso-9001"], "appraised")
    page = client.get(url(d, "approve")).content.decode()
    assert form_names(page) >= {"decision_number", "decision_date", "decision_body", "approved_amount"}
    assert not {"proposed_amount", "provider", "accepted_on", "closed_on", "paid_amount"} & form_names(page)
    for name in ("decision_number", "decision_date", "decision_body", "approved_amount"):
        assert re.search(rf'name="{name}"[^>]*required', page), name
    # the rule in force: 50 % of 80.000.000 đ = 40.000.000 đ, cap 50.000.000 đ; requested 40.000.000 đ
    assert "tối đa 40.000.000 đ" in page and "không trước ngày nộp (01/09/2026)" in page
    d = make_dossier(enterprises["parent"], catalogue["iso-9001"])
    page = client.get(url(d, "appraise")).content.decode()
    assert re.search(r'name="proposed_amount"[^>]*required', page)
    assert "không vượt kinh phí đề nghị (40.000.000 đ)" in page
    d = make_dossier(enterprises["parent"], catalogue["iso-9001"], "accepted")
    page = client.get(url(d, "close")).content.decode()
    assert re.search(r'name="closed_on"[^>]*required', page) and not re.search(r'name="paid_amount"[^>]*required', page)
    assert "không vượt mức được duyệt (30.000.000 đ)" in page and "không trước ngày nghiệm thu (10/11/2026)" in page


def test_a_move_page_of_a_move_not_allowed_now_or_not_yours(client, owner, officer, enterprises, catalogue):
    d = make_dossier(enterprises["parent"], catalogue["iso-9001"])
    client.force_login(owner)
    assert client.get(url(d, "approve")).status_code == 403
    r = client.get(url(d, "implement"))  # the enterprise's move, but not from "applied"
    assert r.status_code == 302 and "đang ở trạng thái “Đã nộp hồ sơ”" in " ".join(messages_of(r))
    assert client.get(url(d, "explode")).status_code == 302
    assert client.get(f"/enterprises/dossiers/{d.pk}/transition/").status_code == 302


# --- irreversible moves ask first, and an officer can undo them with a reason ----------------------

def test_withdraw_asks_for_confirmation_first(client, owner, enterprises, catalogue):
    d = make_dossier(enterprises["parent"], catalogue["iso-9001"])
    client.force_login(owner)
    r = post(client, d, "withdraw", notes="Đổi kế hoạch")
    page = r.content.decode()
    assert r.status_code == 200 and "Xác nhận rút hồ sơ" in page and 'name="confirm"' in page
    assert Dossier.objects.get(pk=d.pk).status == "applied" and d.steps.count() == 0
    page = client.get(url(d, "withdraw")).content.decode()
    assert "Xác nhận rút hồ sơ" in page and "không tự mở lại được" in page
    r = post(client, d, "withdraw", notes="Đổi kế hoạch", confirm="1", from_status="applied")
    assert r.status_code == 302 and r["Location"] == url(d)
    assert Dossier.objects.get(pk=d.pk).status == "withdrawn"
    assert messages_of(r) == ["Đã rút hồ sơ."]
    assert d.steps.get().notes == "Đổi kế hoạch"


def test_reject_asks_for_confirmation_and_a_reason(client, officer, enterprises, catalogue):
    d = make_dossier(enterprises["parent"], catalogue["iso-9001"])
    client.force_login(officer)
    page = client.get(url(d, "reject")).content.decode()
    assert "Xác nhận không phê duyệt" in page and re.search(r'name="notes"[^>]*required', page)
    r = post(client, d, "reject", confirm="1")
    assert r.status_code == 400 and "Cần ghi rõ lý do." in r.content.decode()
    r = post(client, d, "reject", notes="Không đủ điều kiện")
    assert r.status_code == 200 and "Xác nhận không phê duyệt" in r.content.decode()
    assert Dossier.objects.get(pk=d.pk).status == "applied"
    r = post(client, d, "reject", notes="Không đủ điều kiện", confirm="1")
    assert r.status_code == 302 and Dossier.objects.get(pk=d.pk).status == "rejected"
    assert messages_of(r) == ["Đã ghi nhận không phê duyệt hồ sơ."]


def test_an_officer_reopens_a_withdrawn_dossier_with_a_reason(client, owner, officer, enterprises, catalogue):
    d = make_dossier(enterprises["parent"], catalogue["iso-9001"], "appraised")
    client.force_login(owner)
    assert post(client, d, "withdraw", confirm="1").status_code == 302
    assert "move=reopen" not in client.get(url(d)).content.decode()
    assert post(client, d, "reopen", notes="Bấm nhầm").status_code == 403
    client.force_login(officer)
    page = client.get(url(d)).content.decode()
    assert "Mở lại hồ sơ" in page and re.search(r'name="notes"[^>]*required', page)
    r = post(client, d, "reopen", notes="  ")
    assert r.status_code == 400 and "Cần ghi rõ lý do." in r.content.decode()
    assert Dossier.objects.get(pk=d.pk).status == "withdrawn"
    r = post(client, d, "reopen", notes="Doanh nghiệp rút nhầm (công văn 12/DN)")
    assert r.status_code == 302 and messages_of(r) == ["Đã mở lại hồ sơ."]
    d.refresh_from_db()
    assert d.status == "appraised"  # back where it was withdrawn from
    step = d.steps.order_by("pk").last()
    assert (step.transition, step.from_status, step.to_status, step.by, step.notes) == (
        "reopen", "withdrawn", "appraised", officer, "Doanh nghiệp rút nhầm (công văn 12/DN)")
    entry = AuditEntry.objects.filter(model="enterprises.Dossier", object_id=str(d.pk)).order_by("pk").last()
    assert entry.action == "reopen" and entry.after["status"] == "appraised"
    assert AuditEntry.objects.filter(model="enterprises.DossierStep", object_id=str(step.pk)).exists()


def test_a_rejected_dossier_reopens_to_where_it_was(client, officer, enterprises, catalogue):
    d = make_dossier(enterprises["parent"], catalogue["iso-9001"])
    client.force_login(officer)
    post(client, d, "reject", notes="Thiếu hồ sơ", confirm="1")
    post(client, d, "reopen", notes="Đã bổ sung")
    assert Dossier.objects.get(pk=d.pk).status == "applied"


# --- a failed form: only its move, its values and errors, no re-post on reload ---------------------

def test_a_failed_step_is_rerendered_alone_with_its_values_and_no_repost_trap(client, officer, enterprises, catalogue):
    d = make_dossier(enterprises["parent"], catalogue["iso-9001"], "appraised")
    client.force_login(officer)
    r = post(client, d, "approve", approved_amount="30.000.000", decision_date="01/10/2026", from_status="appraised")
    page = r.content.decode()
    assert r.status_code == 400 and "Cần nhập: số quyết định." in page and "Cần nhập: cơ quan ban hành." in page
    assert '<select name="transition"' not in page and 'name="transition" value="approve"' in page
    assert 'value="30.000.000"' in page and 'value="01/10/2026"' in page
    # a reload asks the move's page (GET), not the POST again
    assert f'history.replaceState(null, "", "{url(d, "approve")}")' in page
    d.refresh_from_db()
    assert d.status == "appraised" and d.decision_date is None and not d.steps.exists()


def test_the_same_move_posted_twice_makes_one_step(client, officer, enterprises, catalogue):
    d = make_dossier(enterprises["parent"], catalogue["iso-9001"])
    client.force_login(officer)
    first = post(client, d, "appraise", proposed_amount="20.000.000", from_status="applied")
    second = post(client, d, "appraise", proposed_amount="20.000.000", from_status="applied")
    assert (first.status_code, second.status_code) == (302, 302)
    assert d.steps.count() == 1 and Dossier.objects.get(pk=d.pk).status == "appraised"
    assert messages_of(first) == ["Đã thẩm định hồ sơ."]
    assert "đã được ghi nhận" in messages_of(second)[0]


def test_a_move_on_a_dossier_someone_else_moved_is_refused(client, officer, owner, enterprises, catalogue):
    d = make_dossier(enterprises["parent"], catalogue["iso-9001"])
    client.force_login(owner)
    post(client, d, "withdraw", confirm="1")
    client.force_login(officer)
    r = post(client, d, "appraise", proposed_amount="20.000.000", from_status="applied")
    assert r.status_code == 302 and "Hồ sơ vừa được cập nhật" in messages_of(r)[0]
    assert Dossier.objects.get(pk=d.pk).status == "withdrawn" and d.steps.count() == 1


def test_every_success_message_says_the_word_once(client, officer, owner, enterprises, catalogue):
    d = make_dossier(enterprises["parent"], catalogue["iso-9001"])
    client.force_login(officer)
    said = []
    for who, move, values in [
        (officer, "appraise", {"proposed_amount": "40.000.000"}),
        (officer, "approve", {"decision_number": "1/QĐ", "decision_date": "01/10/2026", "decision_body": "Sở KH&CN",
                              "approved_amount": "40.000.000"}),
        (owner, "implement", {"provider": "X", "contract_number": "HĐ-1", "contract_date": "15/10/2026"}),
        (officer, "accept", {"accepted_on": "10/11/2026"}),
        (officer, "close", {"closed_on": "20/11/2026"}),
    ]:
        client.force_login(who)
        r = post(client, d, move, **values)
        assert r.status_code == 302, r.content.decode()[:2000]
        said += messages_of(r)
    assert said == ["Đã thẩm định hồ sơ.", "Đã phê duyệt hồ sơ.", "Đã ghi nhận thực hiện hồ sơ.",
                    "Đã nghiệm thu hồ sơ.", "Đã kết thúc hồ sơ."]


def test_the_lock_is_text_not_an_emoji(client, officer, enterprises, catalogue):
    d = make_dossier(enterprises["parent"], catalogue["iso-9001"], "approved")
    client.force_login(officer)
    page = client.get(url(d)).content.decode()
    assert "🔒" not in page and "đã khóa" in page


# --- one application, however often it is posted --------------------------------------------------

def apply_form(client, e):
    page = client.get(f"/enterprises/{e.pk}/apply/").content.decode()
    key = re.search(r'name="submission_key" value="([0-9a-f-]+)"', page)
    assert key, page
    return key.group(1)


def application(content, key, **own):
    return {"content": content.pk, "title": "ISO 9001", "total_cost": "80.000.000", "requested_amount": "40.000.000",
            "applied_on": "01/11/2025", "submission_key": key, **own}


def test_the_same_application_posted_twice_makes_one_dossier(client, owner, enterprises, catalogue):
    e = enterprises["parent"]
    client.force_login(owner)
    key = apply_form(client, e)
    first = client.post(f"/enterprises/{e.pk}/apply/", application(catalogue["iso-9001"], key))
    second = client.post(f"/enterprises/{e.pk}/apply/", application(catalogue["iso-9001"], key))
    d = Dossier.objects.get()
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"] == url(d)
    assert messages_of(second) == ["Hồ sơ này đã được nộp."]
    assert d.steps.count() == 1 and str(d.submission_key) == key
    # a fresh form is a new application
    assert client.post(f"/enterprises/{e.pk}/apply/", application(catalogue["iso-9001"], apply_form(client, e))).status_code == 302
    assert Dossier.objects.count() == 2


def test_an_application_without_its_form_key_is_refused(client, owner, org_user, enterprises, catalogue):
    e = enterprises["parent"]
    client.force_login(owner)
    for key in ["", "not-a-uuid"]:
        r = client.post(f"/enterprises/{e.pk}/apply/", application(catalogue["5s"], key))
        page = r.content.decode()
        assert r.status_code == 400 and "tải lại trang" in page and "Trường ẩn" not in page
    assert not Dossier.objects.exists()
    # another enterprise's key does not lead to (or reveal) its dossier
    key = apply_form(client, e)
    client.post(f"/enterprises/{e.pk}/apply/", application(catalogue["5s"], key))
    client.force_login(org_user(OTHER))
    other = enterprises["other"]
    r = client.post(f"/enterprises/{other.pk}/apply/", application(catalogue["5s"], key))
    assert r.status_code == 400 and Dossier.objects.count() == 1
    assert Dossier.objects.get().enterprise == e


def test_the_database_refuses_a_second_dossier_with_the_same_key(enterprises, catalogue):
    key = uuid.uuid4()
    fields = dict(enterprise=enterprises["parent"], content=catalogue["5s"], title="5S",
                  applied_on=datetime.date(2025, 11, 1), total_cost=10, requested_amount=5, submission_key=key)
    Dossier.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Dossier.objects.create(**fields)
    Dossier.objects.create(**dict(fields, submission_key=None))
    Dossier.objects.create(**dict(fields, submission_key=None))  # imported and demo dossiers have none
    assert Dossier.objects.count() == 3 and DossierStep.objects.count() == 0
