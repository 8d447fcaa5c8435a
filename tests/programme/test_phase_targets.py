"""Targets of a phase (issue 20, item 3): a draft is saved at any time; publishing, amending and
withdrawing ask first; an amendment cites a new document and the history says which document
(number, date) set which values, when and by whom; wording naming the previous phase is flagged;
numbers are shown as numbers; each kind of target shows only its own numbers.

Before: saving a draft without its document was refused ("Chưa lưu"), "Công bố" published at once,
a published phase could be neither amended nor withdrawn and kept no history, a copied "giai đoạn
2021-2025" went unremarked, the admin showed 20.00 and a tolerance of 7,25% was drawn 7,2%, and
every target showed the maximum and tolerance boxes whatever its kind."""
import datetime
import re
from decimal import Decimal

import pytest

from nscl.accounts.models import Role
from nscl.audit.models import AuditEntry
from nscl.programme.models import Phase, ProgrammeDocument, Target, TargetRevision
from nscl.programme.wording import other_phase_mentions

from .test_phase_setup import formset_post

pytestmark = pytest.mark.django_db
URL = "/phases/2026-2030/targets/"
DOC_A = {"number": "12/QĐ-UBND", "title": "Chỉ tiêu năng suất chất lượng 2026-2030", "issued_on": "15/03/2026",
         "issuer": "UBND tỉnh Hưng Yên"}
DOC_B = {"number": "45/QĐ-UBND", "title": "Sửa đổi chỉ tiêu năng suất chất lượng 2026-2030", "issued_on": "02/09/2026",
         "issuer": "UBND tỉnh Hưng Yên"}


@pytest.fixture
def admin(client, make_user):
    user = make_user(Role.ADMIN)
    client.force_login(user)
    return user


@pytest.fixture
def phase(client, admin):
    client.post(URL, {"action": "copy"})
    return Phase.objects.get(code="2026-2030")


def _publish(client, phase, changes=None, doc=DOC_A):
    client.post(URL, formset_post(phase, "publish_confirmed", changes, doc))
    phase.refresh_from_db()
    return phase


def test_a_draft_is_saved_without_its_document(client, phase):
    resp = client.post(URL, formset_post(phase, "save", {"MT3": {"min_value": "24"}}), follow=True)
    assert "Đã lưu bản nháp." in resp.content.decode()
    assert Target.objects.get(phase=phase, code="MT3").min_value == 24 and phase.targets_document is None
    # a document begun must be whole: nothing is written, and the page says what is missing
    resp = client.post(URL, formset_post(phase, "save", {"MT3": {"min_value": "26"}}, {"number": "12/QĐ-UBND"}))
    html = resp.content.decode()
    assert "Chưa lưu: kiểm tra các ô báo lỗi." in html and "Cần ghi trích yếu của văn bản ban hành chỉ tiêu." in html
    assert Target.objects.get(phase=phase, code="MT3").min_value == 24 and not ProgrammeDocument.objects.filter(
        number="12/QĐ-UBND").exists()
    # the whole document with the draft: kept, and shown again on the page
    client.post(URL, formset_post(phase, "save", None, DOC_A))
    phase.refresh_from_db()
    assert phase.targets_document.number == "12/QĐ-UBND" and not phase.targets_published
    assert 'value="12/QĐ-UBND"' in client.get(URL).content.decode()


def test_publishing_asks_first_and_starts_the_history(client, admin, phase):
    ask = client.post(URL, formset_post(phase, "publish", {"MT3": {"min_value": "25"}}, DOC_A))
    html = ask.content.decode()
    assert "Công bố chỉ tiêu giai đoạn 2026-2030?" in html and 'value="publish_confirmed"' in html
    assert "12/QĐ-UBND ngày 15/03/2026" in html and "≈ 25 (±10%) lớp" in html
    phase.refresh_from_db()
    assert not phase.targets_published and Target.objects.get(phase=phase, code="MT3").min_value == 20
    assert not phase.revisions.exists() and not ProgrammeDocument.objects.filter(number="12/QĐ-UBND").exists()
    # "Quay lại sửa": the typed values come back, still nothing written
    back = client.post(URL, formset_post(phase, "edit", {"MT3": {"min_value": "25"}}, DOC_A)).content.decode()
    assert re.search(r'name="t-\d+-min_value" value="25"', back) and not Phase.objects.get(pk=phase.pk).targets_published

    _publish(client, phase, {"MT3": {"min_value": "25"}})
    assert phase.targets_published and phase.targets_published_by == admin
    (rev,) = phase.revisions.all()
    assert (rev.action, rev.document.number, rev.document.issued_on, rev.by) == (
        "publish", "12/QĐ-UBND", datetime.date(2026, 3, 15), admin)
    assert rev.values["MT3"]["min_value"] == "25" and rev.values["MT3"]["tolerance_pct"] == "10"
    assert rev.values["MT1a"]["max_value"] == "2" and rev.values["MT3"]["max_value"] is None
    assert AuditEntry.objects.filter(model="programme.Phase", action="confirm", object_id=str(phase.pk)).exists()


def test_an_amendment_cites_a_new_document_and_keeps_the_old_values(client, admin, make_user, phase):
    _publish(client, phase, {"MT3": {"min_value": "25"}})
    page = client.get(URL + "?amend=1").content.decode()
    assert "Văn bản sửa đổi chỉ tiêu" in page and 'name="d-number"' in page and 'value="12/QĐ-UBND"' not in page
    assert re.search(r'name="t-\d+-code"[^>]*disabled', page)  # a published target keeps its code

    changes = {"MT3": {"min_value": "30"}}
    # the document that already set these targets is not a new one
    resp = client.post(URL, formset_post(phase, "amend_confirmed", changes, DOC_A) | {"reason": "x"})
    assert "đã ban hành chỉ tiêu giai đoạn này; sửa đổi cần văn bản mới" in resp.content.decode()
    assert Target.objects.get(phase=phase, code="MT3").min_value == 25 and phase.revisions.count() == 1
    # without a document nothing is asked, nothing written
    resp = client.post(URL, formset_post(phase, "amend", changes))
    assert "Cần ghi số, ký hiệu của văn bản ban hành chỉ tiêu." in resp.content.decode()
    # nothing changed: nothing to amend
    resp = client.post(URL, formset_post(phase, "amend", None, DOC_B))
    assert "Không có chỉ tiêu nào thay đổi" in resp.content.decode()

    ask = client.post(URL, formset_post(phase, "amend", changes, DOC_B) | {"reason": "Điều chỉnh theo kết quả 2026"})
    html = ask.content.decode()
    assert "Sửa đổi chỉ tiêu giai đoạn 2026-2030?" in html and "≈ 25 (±10%) lớp" in html and "≈ 30 (±10%) lớp" in html
    assert 'data-target="MT4"' not in html  # only what changes is listed
    assert Target.objects.get(phase=phase, code="MT3").min_value == 25
    client.post(URL, formset_post(phase, "amend_confirmed", changes, DOC_B) | {"reason": "Điều chỉnh theo kết quả 2026"})
    phase.refresh_from_db()
    assert Target.objects.get(phase=phase, code="MT3").min_value == 30 and phase.targets_published
    assert phase.targets_document.number == "45/QĐ-UBND"
    first, amend = phase.revisions.order_by("at", "id")
    assert (amend.action, amend.document.number, amend.changed, amend.by, amend.reason) == (
        "amend", "45/QĐ-UBND", ["MT3"], admin, "Điều chỉnh theo kết quả 2026")
    assert first.values["MT3"]["min_value"] == "25" and amend.values["MT3"]["min_value"] == "30"
    assert ProgrammeDocument.objects.get(number="12/QĐ-UBND").issued_on == datetime.date(2026, 3, 15)  # untouched

    # the target's page: which document and date set which value, when, by whom
    detail = client.get("/progress/2026-2030/MT3/").content.decode()
    history = detail[detail.index('id="history"'):detail.index("</table>", detail.index('id="history"'))]
    assert history.index("12/QĐ-UBND") < history.index("45/QĐ-UBND")
    assert "ngày 15/03/2026" in history and "ngày 02/09/2026" in history
    assert "≈ 25 (±10%) lớp" in history and "≈ 30 (±10%) lớp" in history and admin.username in history
    mt4 = client.get("/progress/2026-2030/MT4/").content.decode()
    assert "45/QĐ-UBND" in mt4 and "2–4 đợt <span class=\"muted\">(không đổi)</span>" in mt4
    client.force_login(make_user(Role.VIEWER))
    public = client.get("/progress/2026-2030/MT3/").content.decode()
    assert "45/QĐ-UBND" in public and admin.username not in public  # who recorded it: staff only
    assert client.get("/api/v1/targets?phase=2026-2030&year=2026").json()[3]["min"] == 30


def test_withdrawing_asks_first_and_needs_a_reason(client, admin, make_user, phase):
    _publish(client, phase)
    ask = client.post(URL, {"action": "unpublish"}).content.decode()
    assert "Thu hồi công bố chỉ tiêu giai đoạn 2026-2030?" in ask and 'value="unpublish_confirmed"' in ask
    assert Phase.objects.get(pk=phase.pk).targets_published
    resp = client.post(URL, {"action": "unpublish_confirmed", "reason": "  "}, follow=True)
    assert "Cần ghi lý do thu hồi công bố." in resp.content.decode() and Phase.objects.get(pk=phase.pk).targets_published
    client.post(URL, {"action": "unpublish_confirmed", "reason": "Văn bản 12/QĐ-UBND bị thay thế"})
    phase.refresh_from_db()
    assert not phase.targets_published and phase.targets_published_by is None
    assert [(r.action, r.reason) for r in phase.revisions.all()] == [
        ("publish", ""), ("unpublish", "Văn bản 12/QĐ-UBND bị thay thế")]
    assert AuditEntry.objects.filter(model="programme.Phase", action="reopen", object_id=str(phase.pk)).exists()
    client.force_login(make_user(Role.VIEWER))
    assert client.get("/api/v1/targets?phase=2026-2030").json() == []
    # a draft again: saved and published anew, the history goes on
    client.force_login(admin)
    assert "Lưu bản nháp" in client.get(URL).content.decode()
    _publish(client, phase, {"MT3": {"min_value": "22"}}, DOC_B)
    assert [r.action for r in phase.revisions.all()] == ["publish", "unpublish", "publish"]


def test_wording_copied_from_the_previous_phase_is_flagged(client, phase):
    html = client.get(URL).content.decode()
    mt6 = html[html.index('data-target="MT6"'):html.index("</fieldset>", html.index('data-target="MT6"'))]
    assert "Câu chữ còn nhắc “giai đoạn 2021-2025” của giai đoạn khác: xem lại trước khi công bố." in mt6
    mt3 = html[html.index('data-target="MT3"'):html.index("</fieldset>", html.index('data-target="MT3"'))]
    assert "wording-warning" not in mt3  # "ISO 9001, ISO 14001, 22000, 17025" names no phase
    assert "chỉ tiêu còn nhắc năm của giai đoạn khác" in html
    # the confirmation page repeats it; rewriting the words (and the English) removes it
    ask = client.post(URL, formset_post(phase, "publish", None, DOC_A)).content.decode()
    assert "Còn nhắc “giai đoạn 2021-2025”: xem lại" in ask
    mt6_text = {"description": "Thực hiện đo lường, tính toán mức đóng góp của TFP hàng năm, giai đoạn 2026-2030",
                "description_en": "Measure the contribution of TFP every year, 2026-2030"}
    client.post(URL, formset_post(phase, "save", {"MT6": mt6_text}))
    Target.objects.filter(phase=phase, code="MT6").update(condition="Một lần đo cho mỗi năm 2026-2030",
                                                         condition_en="One measurement for each year 2026-2030")
    html = client.get(URL).content.decode()
    mt6 = html[html.index('data-target="MT6"'):html.index("</fieldset>", html.index('data-target="MT6"'))]
    assert "wording-warning" not in mt6


@pytest.mark.parametrize("text, start, end, found", [
    ("Thực hiện đo lường TFP của tỉnh hàng năm, giai đoạn 2021-2025", 2026, 2030, ["giai đoạn 2021-2025"]),
    ("Một lần đo cho mỗi năm 2021-2025", 2026, 2030, ["2021-2025"]),
    ("every year, 2021 – 2025", 2026, 2030, ["2021 – 2025"]),
    ("giai đoạn 2026-2030, đến năm 2030", 2026, 2030, []),
    ("TFP about 45% by 2025 and 50% by 2030", 2026, 2030, ["by 2025"]),
    ("TCVN ISO 9001:2015, ISO 14001, 22000, 17025", 2026, 2030, []),
    ("giai đoạn 2021-2025", 2021, 2025, []),
])
def test_other_phase_mentions_by_hand(text, start, end, found):
    assert other_phase_mentions(text, start, end) == found


def test_numbers_are_numbers_and_each_kind_shows_its_own(client, admin, phase):
    Target.objects.filter(phase=phase, code="MT3").update(min_value=Decimal("2.5"), tolerance_pct=Decimal("7.25"))
    html = client.get(URL).content.decode()

    def rows(code):
        box = html[html.index(f'data-target="{code}"'):html.index("</fieldset>", html.index(f'data-target="{code}"'))]
        return {m.group(2): m.group(1) for m in re.finditer(
            r'<div class="form-row"([^>]*)><label for="id_t-\d+-(\w+)"', box)}
    mt3, mt4, mt2 = rows("MT3"), rows("MT4"), rows("MT2")  # about, range, at least
    assert "hidden" in mt3["max_value"] and "hidden" not in mt3["tolerance_pct"]
    assert "hidden" not in mt4["max_value"] and "hidden" in mt4["tolerance_pct"]
    assert "hidden" in mt2["max_value"] and "hidden" in mt2["tolerance_pct"]
    assert re.search(r'data-value-label>Ít nhất:</label><div><input type="text" name="t-\d+-min_value" value="1"', html)
    assert re.search(r'name="t-\d+-tolerance_pct" value="7,25"', html)
    _publish(client, phase)
    page = client.get(URL).content.decode()
    assert "≈ 2,5 (±7,25%) lớp" in page and "20.00" not in page
    # the admin: read-only once published (amendments keep the history), numbers as typed
    admin.is_staff = admin.is_superuser = True
    admin.save()
    mt3 = Target.objects.get(phase=phase, code="MT3")
    change = client.get(f"/quan-tri/programme/target/{mt3.pk}/change/").content.decode()
    assert "7,25" in change and "7.25" not in change and 'name="min_value"' not in change
    draft = Target.objects.get(phase__code="2021-2025", code="MT3")
    Phase.objects.filter(code="2021-2025").update(targets_published_at=None)
    form = client.get(f"/quan-tri/programme/target/{draft.pk}/change/").content.decode()
    assert re.search(r'name="min_value" value="20"', form) and re.search(r'name="tolerance_pct" value="10"', form)
    listing = client.get("/quan-tri/programme/target/?phase__id__exact=%d" % phase.pk).content.decode()
    assert '<td class="field-plan_min">2,5</td>' in listing


def test_a_repeated_init_keeps_an_amended_target(client, admin):
    from nscl.cli import load_reference

    phase = Phase.objects.get(code="2021-2025")
    assert phase.revisions.filter(action="publish", document__number="101/KH-UBND").exists()
    client.post("/phases/2021-2025/targets/", formset_post(phase, "amend_confirmed", {"MT3": {"min_value": "22"}}, DOC_B))
    assert Target.objects.get(phase=phase, code="MT3").min_value == 22
    load_reference()
    assert Target.objects.get(phase=phase, code="MT3").min_value == 22
    assert TargetRevision.objects.filter(phase=phase).count() == 2
