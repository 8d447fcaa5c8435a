"""A small library: four enterprises with accepted dossiers, in three communes and two industries.
  A "Cơ khí Phố Hiến" (5S, metal products 25110, commune 11953 Phố Hiến): consent with figures, published, model
  B "Thực phẩm Văn Lâm" (ISO 9001, food 10101, commune 11980 Hồng Châu): consent without figures, published
  C "Nhựa Bí Mật" (Lean, metal 25120, commune 11977 Tân Hưng): NO consent (published flag set by mistake)
  D "Gạo Đã Rút" (Kaizen, food 10102): consented, published, then revoked
Figures: A employed 50 with value added 5 bn in 2022 (100 M per person) and 40 with 6 bn in 2025 (150 M)."""
import datetime
import io

import pytest
from django.utils import timezone

from nscl.accounts.models import Profile, Role
from nscl.enterprises.dossiers import Dossier
from nscl.enterprises.models import Enterprise, IndustryCode, SupportContent, YearlyFigures
from nscl.geo.models import AdministrativeUnit, units_valid_on
from nscl.practices.models import CaseFile, Consent, Indicator, PracticeCase
from nscl.programme.demo import demo_tax_code

def png_bytes(size=(8, 8)):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(out, "PNG")
    return out.getvalue()


def _commune(code):
    """The commune of this code in force now (codes are reused across the 2025 reform)."""
    return units_valid_on(datetime.date(2026, 1, 1), AdministrativeUnit.Level.COMMUNE).get(code=code)


@pytest.fixture
def make_case(db, django_user_model):
    officer = django_user_model.objects.create(username="curator")
    Profile.objects.create(user=officer, role=Role.OFFICER)

    def make(i, name, content, vsic_code, commune, *, consent=None, published=True, amount=40_000_000, **case_fields):
        e = Enterprise.objects.create(tax_code=demo_tax_code(800 + i), name=name, commune=_commune(commune))
        IndustryCode.objects.create(enterprise=e, version="2025", code=vsic_code, is_primary=True)
        d = Dossier.objects.create(
            enterprise=e, content=SupportContent.objects.get(code=content), title=f"Hỗ trợ {name}", status="closed",
            applied_on=datetime.date(2023, 2, 1), total_cost=123_456_000, requested_amount=amount,
            approved_amount=amount, paid_amount=amount - 1_000_000, provider=f"Tư vấn {name}",
            accepted_on=datetime.date(2023, 9, 1), closed_on=datetime.date(2023, 10, 1))
        case = PracticeCase.objects.create(
            dossier=d, title=case_fields.pop("title", f"Điển hình {name}"),
            summary=case_fields.pop("summary", f"{name} đã áp dụng {content}."),
            status="published" if published else "draft", created_by=officer, **case_fields)
        if consent is not None:
            Consent.objects.create(case=case, figures_public=consent, given_by=officer, basis="Văn bản",
                                   given_at=timezone.now())
        return case
    make.officer = officer
    return make


@pytest.fixture
def library(make_case):
    a = make_case(1, "Cơ khí Phố Hiến", "5s", "25110", "11953", consent=True, model_enterprise=True,
                  model_reference="QĐ 2024")
    b = make_case(2, "Thực phẩm Văn Lâm", "iso-9001", "10101", "11980", consent=False)
    c = make_case(3, "Nhựa Bí Mật", "lean", "25120", "11977", consent=None, amount=77_777_000)
    d = make_case(4, "Gạo Đã Rút", "kaizen", "10102", "11953", consent=True)
    Consent.objects.filter(case=d).update(revoked_at=timezone.now())
    YearlyFigures.objects.create(enterprise=a.dossier.enterprise, year=2022, value_added=5_000_000_000, employees=50)
    YearlyFigures.objects.create(enterprise=a.dossier.enterprise, year=2024, value_added=5_200_000_000, employees=45)
    YearlyFigures.objects.create(enterprise=a.dossier.enterprise, year=2025, value_added=6_000_000_000, employees=40)
    for case in (a, b, c):
        Indicator.objects.create(case=case, name=f"Tỷ lệ lỗi {case.pk}", unit="%", before="4.0", after="3.0")
        CaseFile.objects.create(case=case, kind="photo", original_name="anh.png", is_public=True,
                                file=_upload(case, "anh.png"))
        CaseFile.objects.create(case=case, kind="document", original_name="noi-bo.docx", is_public=False,
                                file=_upload(case, "noi-bo.docx"))
    return {"a": a, "b": b, "c": c, "d": d}


def _upload(case, name):
    from django.core.files.base import ContentFile

    return ContentFile(png_bytes() if name.endswith(".png") else b"PK", name=name)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def enterprise_user(django_user_model):
    def make(enterprise, username=None):
        user = django_user_model.objects.create(username=username or f"dn-{enterprise.tax_code}")
        Profile.objects.create(user=user, role=Role.ENTERPRISE, enterprise=enterprise)
        return user
    return make


@pytest.fixture
def role_user(django_user_model):
    def make(role):
        user = django_user_model.objects.create(username=f"u-{role}", is_superuser=role == Role.ADMIN)
        Profile.objects.create(user=user, role=role)
        return user
    return make
