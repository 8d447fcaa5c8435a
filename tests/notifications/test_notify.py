"""`notify` as the reminders of issue 23 and the recalls of issue 19 will call it: each user's choice
per kind, once per dedupe key, texts in the reader's language, the e-mail's outcome recorded."""
import datetime

import pytest
from django.utils import translation

from nscl.notifications import kinds, services
from nscl.notifications.models import EmailStatus, Notification, Preference

pytestmark = pytest.mark.django_db

DUE = {"enterprise": services.both("Công ty Cổ phần Phố Hiến", "Pho Hien JSC"), "duty": "Số liệu năm 2026",
       "due": datetime.date(2027, 3, 31)}


def send(users, kind=kinds.REPORTING_DUE, params=DUE, key=None, capture=None):
    with capture(execute=True):
        return services.notify(users, kind, params, "/enterprises/mine/", dedupe_key=key)


def test_preferences_off_means_nothing_of_that_kind(people, smtp, django_capture_on_commit_callbacks):
    owner = people["owner"]
    Preference.objects.create(user=owner, kind=kinds.REPORTING_DUE, in_app=False, email=False)
    assert send([owner], capture=django_capture_on_commit_callbacks) == []
    assert Notification.objects.count() == 0 and smtp.wait(1, 0.3) == []
    # other kinds still reach the user
    send([owner], kinds.DOSSIER_MOVED, {"title": "T", "enterprise": "E", "move": "m", "status": "s"},
         capture=django_capture_on_commit_callbacks)
    assert Notification.objects.filter(user=owner).count() == 1 and len(smtp.wait(1)) == 1


def test_email_only_or_inbox_only(people, smtp, django_capture_on_commit_callbacks):
    by_mail, in_app = people["owner"], people["officer"]
    Preference.objects.create(user=by_mail, kind=kinds.REPORTING_DUE, in_app=False, email=True)
    Preference.objects.create(user=in_app, kind=kinds.REPORTING_DUE, in_app=True, email=False)
    send([by_mail, in_app], capture=django_capture_on_commit_callbacks)
    assert [m["to"] for m in smtp.wait(1)] == [["dn-phohien@example.vn"]]
    mailed = Notification.objects.get(user=by_mail)
    assert not mailed.in_app and mailed.email_status == EmailStatus.SENT  # recorded, not in the inbox
    assert services.unread_count(by_mail) == 0
    shown = Notification.objects.get(user=in_app)
    assert shown.in_app and shown.email_status == EmailStatus.NONE and services.unread_count(in_app) == 1


def test_a_dedupe_key_notifies_once(people, smtp, django_capture_on_commit_callbacks):
    users = [people["owner"], people["officer"]]
    first = send(users, key="duty:7:due", capture=django_capture_on_commit_callbacks)
    again = send(users, key="duty:7:due", capture=django_capture_on_commit_callbacks)  # the daily run, twice
    assert len(first) == 2 and again == []
    assert Notification.objects.count() == 2 and len(smtp.wait(2)) == 2
    assert len(smtp.wait(3, 0.3)) == 2
    # a new user since is told once too; another key is another notice
    assert len(send(users + [people["branch"]], key="duty:7:due", capture=django_capture_on_commit_callbacks)) == 1
    assert len(send(users, key="duty:7:overdue", capture=django_capture_on_commit_callbacks)) == 2


def test_no_address_no_backend_and_inactive_users(people, settings, smtp, django_capture_on_commit_callbacks):
    owner, officer, viewer = people["owner"], people["officer"], people["viewer"]
    owner.email = ""
    owner.save()
    viewer.is_active = False
    viewer.save()
    send([owner, officer, viewer], capture=django_capture_on_commit_callbacks)
    assert Notification.objects.get(user=owner).email_status == EmailStatus.SKIPPED
    assert not Notification.objects.filter(user=viewer).exists()
    assert len(smtp.wait(1)) == 1
    # production without NSCL_EMAIL_HOST: nothing sent, each marked, the action unaffected
    settings.NSCL_EMAIL_ENABLED = False
    send([officer], key="x", capture=django_capture_on_commit_callbacks)
    n = Notification.objects.get(dedupe_key="x")
    assert n.email_status == EmailStatus.SKIPPED and "NSCL_EMAIL_HOST" in n.email_error
    assert len(smtp.wait(2, 0.3)) == 1


def test_unknown_kind_and_foreign_url_refused(people):
    with pytest.raises(ValueError):
        services.notify([people["owner"]], "nonsense", {}, "/")
    n = services.notify([people["owner"]], kinds.REPORTING_DUE, DUE, "https://evil.example/x")[0]
    assert n.url == ""  # the inbox links only to this site


def test_texts_are_rendered_at_display_in_each_language(people):
    n = services.notify([people["owner"]], kinds.REPORTING_DUE, DUE, "/")[0]
    n.refresh_from_db()
    assert n.params["due"] == {"d": "2027-03-31"}  # stored as data, not as a sentence
    assert kinds.render(n.kind, n.params, "vi") == "Công ty Cổ phần Phố Hiến: “Số liệu năm 2026”, hạn gửi 31/03/2027."
    assert kinds.render(n.kind, n.params, "en") == "Pho Hien JSC: “Số liệu năm 2026”, report due 31/03/2027."
    with translation.override("en"):
        html = kinds.render(n.kind, n.params, html=True)
    assert html == ('<span translate="no">Pho Hien JSC</span>: “<span translate="no">Số liệu năm 2026</span>”, '
                    'report due 31/03/2027.')
    # labels are stored by their catalogue id and translated when read
    from nscl.enterprises.dossiers import Status

    m = services.notify([people["owner"]], kinds.DOSSIER_MOVED, {"title": "<b>x</b>", "enterprise": "E",
                                                                "move": Status.APPROVED.label, "status": Status.APPROVED.label}, "/")[0]
    m.refresh_from_db()
    assert m.params["status"] == {"t": "Đã phê duyệt"}
    assert kinds.render(m.kind, m.params, "en").endswith("new status: Approved.")
    assert "&lt;b&gt;x&lt;/b&gt;" in kinds.render(m.kind, m.params, "vi", html=True)  # data escaped


def test_recall_reaches_the_enterprises_downstream_only(people, firms, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = services.notify_recall([firms["parent"]], recall_key="urn:uuid:1", product="Long nhãn sấy",
                                         lots=["PH260720", "PH260721"], reason="Nhiễm khuẩn",
                                         declared_by=services.both("Hợp tác xã Long nhãn", "Longan Cooperative"),
                                         url="/trace/recall/")
        again = services.notify_recall(["0100109106"], recall_key="urn:uuid:1", product="x", lots="y", reason="z",
                                       declared_by="w")
    assert {n.user.username for n in created} == {"dn-phohien"} and again == []
    body = smtp.wait(1)[0]["body"]
    assert "Hợp tác xã Long nhãn thu hồi Long nhãn sấy, lô PH260720, PH260721. Lý do: Nhiễm khuẩn." in body
    assert "Longan Cooperative is recalling Long nhãn sấy, lots PH260720, PH260721. Reason: Nhiễm khuẩn." in body


def test_a_kind_no_longer_defined_still_shows():
    """A stored notification of a kind since removed is shown as a generic notice, not a 500."""
    assert kinds.render("removed_kind", {"x": 1}, "vi") == "Thông báo của hệ thống"
    assert kinds.render("removed_kind", {"x": 1}, "en") == "System notification"
    assert kinds.subject("removed_kind", "en") == "System notification"
