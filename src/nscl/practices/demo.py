"""Illustrative good-practice cases ("Dữ liệu minh họa"): four cases from accepted demo dossiers (made
here when none exist), three published with the enterprise's consent (one with figures private),
one WITHOUT consent that stays private whatever is marked public in it. `remove()` deletes the cases
with their consents, indicators and files, and the dossiers, certificates and enterprises made here
(marked DEMO_MARK). Yearly figures, a primary industry and a commune are added to a programme demo
enterprise only where it has none; they go with it (programme.demo.remove)."""
from __future__ import annotations

import datetime
import io

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from nscl.audit.api import acting_as
from nscl.enterprises.dossiers import COUNTED, Certificate, Dossier
from nscl.enterprises.models import Enterprise, IndustryCode, SupportContent, YearlyFigures
from nscl.enterprises.services import save_figures
from nscl.geo.models import AdministrativeUnit, units_valid_on

from .models import CaseFile, Consent, Indicator, PracticeCase

DEMO_MARK = "(minh họa — điển hình)"
OFFICER, ENTERPRISE_USER = "canbo", "doanhnghiep"
BASIS = "Công văn đồng ý công khai của doanh nghiệp (minh họa)"
# content code, title, what was done, results, model enterprise, consent (None: none; else figures public?),
# indicators (name, unit, before, after, lower is better)
CASES = [
    ("5s", "5S đưa xưởng cơ khí về trật tự và an toàn",
     "Thành lập ban 5S, đào tạo toàn bộ công nhân, sàng lọc và sắp xếp lại kho phôi và khu vực máy; đánh giá "
     "5S hằng tháng có chấm điểm theo tổ.", "Giảm thời gian tìm dụng cụ, sản phẩm lỗi giảm hơn một nửa.",
     True, True, [("Tỷ lệ sản phẩm lỗi", "%", "4.2", "1.8", True), ("Thời gian giao hàng", "ngày", "6", "4", True)]),
    ("iso-9001", "Áp dụng ISO 9001 trong chế biến thực phẩm",
     "Xây dựng hệ thống quản lý chất lượng theo TCVN ISO 9001:2015 với tổ chức tư vấn; kiểm soát quá trình "
     "và hồ sơ truy xuất theo lô.", "Được cấp chứng chỉ ISO 9001; khiếu nại của khách hàng giảm.",
     False, False, [("Khiếu nại của khách hàng", "vụ/năm", "14", "5", True)]),
    ("lean", "Lean giảm năng lượng trên mỗi sản phẩm",
     "Vẽ sơ đồ chuỗi giá trị (VSM), loại bỏ lãng phí chờ đợi, cân bằng chuyền; theo dõi điện năng theo ca.",
     "Điện năng trên mỗi sản phẩm giảm khoảng 17%.", False, True,
     [("Điện năng trên một đơn vị sản phẩm", "kWh/sản phẩm", "1.35", "1.12", True)]),
    ("kaizen", "Kaizen tại tổ đóng gói (chưa được doanh nghiệp đồng ý công khai)",
     "Nhóm cải tiến đề xuất 42 ý tưởng, áp dụng 18.", "Năng suất tổ đóng gói tăng.", False, None,
     [("Sản phẩm đóng gói mỗi giờ", "sản phẩm/giờ", "310", "365", False)]),
]


# where each case's enterprise works, set only when the enterprise has none (so the filters show)
PLACES = [("25110", "11953"), ("10102", "11980"), ("26190", "11977"), ("17021", "11983")]


def _place(e: Enterprise, k: int) -> None:
    code, commune = PLACES[k % len(PLACES)]
    if not e.industries.exists():
        IndustryCode.objects.create(enterprise=e, version="2025", code=code, is_primary=True)
    if e.commune_id is None:
        e.commune = units_valid_on(timezone.localdate(), AdministrativeUnit.Level.COMMUNE).filter(code=commune).first()
        e.save()


def _png(seed: int) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (640, 400), (230, 238, 247))
    draw = ImageDraw.Draw(img)
    for k in range(8):
        x = 40 + k * 70
        draw.rectangle([x, 360 - 30 * ((k * 3 + seed) % 9 + 1), x + 50, 360], fill=(31, 95, 168))
    draw.text((20, 16), "Du lieu minh hoa", fill=(120, 40, 40))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def _docx(title: str) -> bytes:
    import docx

    doc = docx.Document()
    doc.add_heading(title, 1)
    doc.add_paragraph("Báo cáo kết quả áp dụng (Dữ liệu minh họa).")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _dossier(code: str, used: set, officer, i: int) -> Dossier:
    """An accepted demo dossier of this content, of an enterprise not used yet, without a case; made
    here (for a demo enterprise, or one made here) when there is none."""
    d = (Dossier.objects.filter(is_demo=True, status__in=COUNTED, practice_case__isnull=True,
                                accepted_on__isnull=False, content__code=code)
         .exclude(enterprise_id__in=used).select_related("enterprise", "content")
         .order_by("enterprise__tax_code", "accepted_on").first())
    if d is not None:
        return d
    e = Enterprise.objects.filter(is_demo=True).exclude(pk__in=used).order_by("tax_code").first() or \
        Enterprise.objects.create(tax_code=_tax_code(i), name=f"Công ty TNHH Điển hình {i + 1} {DEMO_MARK}",
                                  is_demo=True)
    content = SupportContent.objects.get(code=code)
    return Dossier.objects.create(
        enterprise=e, content=content, title=f"Hỗ trợ {content.name} {DEMO_MARK}", status="closed",
        applied_on=datetime.date(2023, 2, 1), total_cost=120_000_000, requested_amount=50_000_000,
        proposed_amount=50_000_000, approved_amount=50_000_000, paid_amount=48_000_000,
        decision_number="12/QĐ-SKHCN", decision_date=datetime.date(2023, 3, 1),
        decision_body="Sở Khoa học và Công nghệ tỉnh Hưng Yên", provider="Trung tâm Năng suất (minh họa)",
        contract_number="HĐ-2023-01", contract_date=datetime.date(2023, 3, 15),
        accepted_on=datetime.date(2023, 9, 20), closed_on=datetime.date(2023, 10, 5), created_by=officer,
        is_demo=True)


def _tax_code(i: int) -> str:
    from stdnum.vn import mst

    base = f"098800{i:02d}0"
    for last in range(10):
        code = base[:-1] + str(last)
        if len(mst.calc_check_digit(code)) == 1:
            return code + mst.calc_check_digit(code)
    raise ValueError(i)


def _figures(d: Dossier, k: int) -> None:
    """Yearly figures around acceptance for an enterprise that has none (labour productivity before/after)."""
    e = d.enterprise
    if e.figures.exists():
        return
    year = d.accepted_on.year
    employees, per_person = 40 + 10 * k, 150_000_000 + 12_000_000 * k
    for y in range(year - 2, min(year + 3, 2026)):
        # 2 % a year before acceptance, 2 % + (4 + k) % a year after it
        growth = 1.02 ** (y - year + 2) * (1 + (0.04 + 0.01 * k) * max(0, y - year))
        va = int(employees * per_person * growth)
        save_figures(YearlyFigures(enterprise=e, year=y, revenue=va * 3, value_added=va,
                                            employees=employees, total_capital=va * 2))


@transaction.atomic
def load() -> dict:
    if PracticeCase.objects.filter(is_demo=True).exists():
        return {"skipped": "already loaded"}
    User = get_user_model()
    officer = User.objects.filter(username=OFFICER).first()
    owner = User.objects.filter(username=ENTERPRISE_USER).select_related("profile__enterprise").first()
    owner_code = getattr(getattr(getattr(owner, "profile", None), "enterprise", None), "tax_code", None)
    with acting_as(officer):
        made, used = {"practice_cases": 0, "practice_published": 0}, set()
        for k, (code, title, summary, results, model, consent, indicators) in enumerate(CASES):
            d = _dossier(code, used, officer, k)
            used.add(d.enterprise_id)
            _figures(d, k)
            _place(d.enterprise, k)
            case = PracticeCase.objects.create(
                dossier=d, title=title, summary=summary, results=results, model_enterprise=model,
                model_reference="Chương trình 1322: mô hình điểm năm 2024 (minh họa)" if model else "",
                created_by=officer, is_demo=True)
            for order, (name, unit, before, after, lower) in enumerate(indicators):
                Indicator.objects.create(case=case, name=name, unit=unit, before=before, after=after,
                                         lower_is_better=lower, period=f"{d.accepted_on.year - 1} so với "
                                         f"{d.accepted_on.year + 1}", order=order)
            CaseFile.objects.create(case=case, kind=CaseFile.Kind.PHOTO, file=ContentFile(_png(k), "anh.png"),
                                    original_name=f"anh-{k + 1}.png", caption="Hiện trường sau cải tiến (minh họa)",
                                    is_public=True, uploaded_by=officer)
            CaseFile.objects.create(case=case, kind=CaseFile.Kind.DOCUMENT, file=ContentFile(_docx(title), "bc.docx"),
                                    original_name=f"bao-cao-{k + 1}.docx", caption="Báo cáo kết quả (minh họa)",
                                    is_public=k == 0, uploaded_by=officer)
            if d.content.certifiable:
                Certificate.objects.get_or_create(
                    standard=d.content, body="Tổ chức chứng nhận (minh họa)", number=f"MH-DH-{d.pk}",
                    defaults={"enterprise": d.enterprise, "issued_on": d.accepted_on - datetime.timedelta(days=10),
                              "dossier": d, "scope": DEMO_MARK})
            made["practice_cases"] += 1
            if consent is None:
                continue  # no consent: stays private, even with a photo marked public
            by_owner = owner is not None and owner_code == d.enterprise.tax_code
            Consent.objects.create(case=case, figures_public=consent, given_by=owner if by_owner else officer,
                                   basis="" if by_owner else BASIS, given_at=timezone.now())
            case.status, case.published_at, case.published_by = PracticeCase.Status.PUBLISHED, timezone.now(), officer
            case.save()
            made["practice_published"] += 1
    return made


@transaction.atomic
def remove() -> dict:
    cases = PracticeCase.objects.filter(is_demo=True)
    n = 0
    for case in cases:
        for f in case.files.all():
            f.delete()
        case.delete()
        n += 1
    Certificate.objects.filter(body="Tổ chức chứng nhận (minh họa)", number__startswith="MH-DH-").delete()
    Dossier.objects.filter(is_demo=True, title__endswith=DEMO_MARK).delete()
    Enterprise.objects.filter(is_demo=True, name__endswith=DEMO_MARK).delete()
    return {"practice_cases": n}
