"""A dossier's move tells its enterprise's users and the officers, in the application and by e-mail
through a real SMTP server (issue 20, item 6). Before: nothing told anyone, and the code sent no
e-mail at all."""
import pytest
from django.db import transaction

from nscl.enterprises import workflow
from nscl.enterprises.dossiers import Dossier
from nscl.notifications.models import EmailStatus, Notification

pytestmark = pytest.mark.django_db


def appraise(dossier, user):
    return workflow.perform(dossier, "appraise", user, proposed_amount=20_000_000)


def told(kind="dossier_moved"):
    return set(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def test_the_enterprise_and_the_officers_are_told_by_inbox_and_email(people, dossier, smtp,
                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appraise(dossier, people["actor"])
    # the enterprise's own user and the other officer; not whoever moved it, nor anyone else
    assert told() == {"dn-phohien", "canbo-khac"}
    assert smtp.wait(2) and sorted(a for m in smtp.messages for a in m["to"]) == ["canbo-khac@example.vn",
                                                                                  "dn-phohien@example.vn"]
    mail = smtp.to("dn-phohien@example.vn")[0]
    assert mail["subject"] == "[NSCL] Hồ sơ hỗ trợ chuyển bước / Support dossier moved"
    assert mail["from"] == "nscl@sokhcn.hungyen.gov.vn"
    body = mail["body"]
    # Vietnamese first, then English; names kept, English name where the enterprise has one
    vi = "Hồ sơ “Áp dụng ISO 9001” của Công ty Cổ phần Phố Hiến: Thẩm định; trạng thái mới: Đã thẩm định."
    en = "Dossier “Áp dụng ISO 9001” of Pho Hien JSC: Appraise; new status: Appraised."
    assert vi in body and en in body and body.index(vi) < body.index(en)
    assert f"https://nscl.hungyen.gov.vn/enterprises/dossiers/{dossier.pk}/" in body
    assert "https://nscl.hungyen.gov.vn/notifications/preferences/" in body
    for n in Notification.objects.all():
        assert n.in_app and n.read_at is None and n.url == f"/enterprises/dossiers/{dossier.pk}/"
        assert n.email_status == EmailStatus.SENT and n.email_at is not None and n.email_error == ""


def test_a_branch_dossier_tells_the_branch_and_its_parent(people, firms, dossier, smtp,
                                                          django_capture_on_commit_callbacks):
    Dossier.objects.filter(pk=dossier.pk).update(enterprise=firms["branch"])
    with django_capture_on_commit_callbacks(execute=True):
        appraise(dossier, people["actor"])
    assert told() == {"dn-phohien", "dn-chinhanh", "canbo-khac"}
    assert len(smtp.wait(3)) == 3


def test_an_enterprise_move_tells_the_officers(people, dossier, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(dossier, "withdraw", people["owner"])
    assert told() == {"canbo-xuly", "canbo-khac"}
    assert "Rút hồ sơ; trạng thái mới: Đã rút hồ sơ." in smtp.wait(2)[0]["body"]


def test_a_refused_move_tells_no_one(people, dossier, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(workflow.WorkflowError):
        workflow.perform(dossier, "accept", people["actor"], accepted_on=None)  # out of order
    assert Notification.objects.count() == 0 and smtp.messages == []


def test_a_mail_server_down_does_not_fail_the_move_and_the_error_is_kept(people, dossier, smtp_down, client,
                                                                         django_capture_on_commit_callbacks):
    client.force_login(people["actor"])
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(f"/enterprises/dossiers/{dossier.pk}/transition/",
                           {"transition": "appraise", "proposed_amount": "20000000", "notes": ""})
    assert resp.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == "appraised"
    rows = list(Notification.objects.all())
    assert len(rows) == 2
    for n in rows:
        assert n.email_status == EmailStatus.FAILED and n.email_at is not None
        assert "Connection refused" in n.email_error or "ConnectionRefusedError" in n.email_error, n.email_error
    # the inbox still has them
    client.force_login(people["owner"])
    assert "Áp dụng ISO 9001" in client.get("/notifications/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_email_goes_after_the_commit_and_never_for_a_rolled_back_move(people, dossier, smtp):
    """Real transactions (no test wrapper): a move whose transaction rolls back leaves no notification
    and sends nothing; a committed one sends at its commit."""
    class Undo(Exception):
        pass

    with pytest.raises(Undo):
        with transaction.atomic():
            appraise(dossier, people["actor"])
            assert Notification.objects.count() == 2  # written in the transaction...
            assert smtp.messages == []  # ...and nothing sent before the commit
            raise Undo
    dossier.refresh_from_db()
    assert dossier.status == "applied" and Notification.objects.count() == 0
    import time

    time.sleep(0.3)
    assert smtp.messages == []
    appraise(dossier, people["actor"])  # autocommit: sent once committed
    assert len(smtp.wait(2)) == 2
    assert set(Notification.objects.values_list("email_status", flat=True)) == {EmailStatus.SENT}
