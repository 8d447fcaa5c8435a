"""Illustrative programme data ("Dữ liệu minh họa") for 2021-2025: every record is flagged is_demo and
`remove()` deletes exactly those. Nothing here is a real activity of the province."""
import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from stdnum.vn import mst

from nscl.accounts.models import Profile, Role
from nscl.audit.api import acting_as
from nscl.enterprises.dossiers import Dossier, DossierStep, Status
from nscl.enterprises.models import Enterprise, SupportContent
from nscl.geo.models import AdministrativeUnit, units_valid_on

from .models import (KIND_MODELS, Activity, CatalogueItem, CertificationBodySupport, CommunicationCampaign,
                     EducationTraining, ExpertCertification, InnovationProject, TestingCapacityInvestment,
                     TrainingClass, Unit)

DEMO_PASSWORD = "minhhoa-2025"
DEMO_OFFICER = "canbo"  # the programme officer who records (and, in the TFP demo, publishes) the illustrative data
DEMO_USERS = [
    ("admin", Role.ADMIN, "skhcn", None),
    ("canbo", Role.OFFICER, "skhcn", None),
    ("phoihop", Role.PARTNER, "sct", None),
    ("doanhnghiep", Role.ENTERPRISE, None, 0),
    ("xem", Role.VIEWER, None, None),
]
COMPANY_WORDS = ["Nhãn lồng Phố Hiến", "Cơ khí Như Quỳnh", "Dệt may Mỹ Hào", "Thực phẩm Văn Lâm", "Nhựa Yên Mỹ",
                 "Bao bì Khoái Châu", "Điện tử Phố Nối", "Gốm sứ Kim Động", "Chè Tiên Lữ", "Thủy sản Thái Thụy",
                 "Gạo Hưng Hà", "Dược liệu Vũ Thư", "Vật liệu Đông Hưng", "Đồ gỗ Kiến Xương", "Nước mắm Tiền Hải",
                 "Cơ điện Quỳnh Phụ", "Bánh cáy Làng Nguyễn", "Chế biến Ân Thi", "Sữa Phù Cừ", "Linh kiện Văn Giang",
                 "Thép Phố Nối", "Hóa chất Thăng Long", "In ấn Hồng Châu", "Giấy Lạc Đạo", "Nông sản Tân Hưng"]


def demo_tax_code(i: int) -> str:
    """A syntactically valid 10-digit MST for demo enterprise i (prefix 09: registered in Hưng Yên)."""
    n = 0
    while True:
        base = f"0990{i:03d}{n:02d}"
        check = mst.calc_check_digit(base)
        if len(check) == 1:
            return base + check
        n += 1


def _location(rng, day):
    qs = units_valid_on(day, AdministrativeUnit.Level.COMMUNE).order_by("code")
    ids = list(qs.values_list("pk", flat=True)[:400])
    return AdministrativeUnit.objects.get(pk=rng.choice(ids)) if ids else None


SUPPORTED_CONTENTS = ["tccs", "hop-chuan", "hop-quy", "iso-9001", "iso-22000", "vietgap", "5s", "kaizen", "lean"]


def _dossier(rng, enterprise, content, year, user, status=Status.CLOSED):
    """A support dossier that went through the workflow's steps up to `status` (closed: accepted in
    `year`, so it counts toward MT5)."""
    applied = datetime.date(year, rng.randint(1, 4), rng.randint(1, 28))
    cost = rng.randint(6, 40) * 5_000_000
    amount = min(cost // 2, 50_000_000)
    done = status == Status.CLOSED
    d = Dossier.objects.create(
        enterprise=enterprise, content=content, title=f"Hỗ trợ {content.name} — {enterprise.name}", status=status,
        applied_on=applied, total_cost=cost, requested_amount=amount, proposed_amount=amount if done else None,
        approved_amount=amount if done else None, paid_amount=amount if done else None,
        decision_number=f"{rng.randint(100, 999)}/QĐ-SKHCN" if done else "",
        decision_date=applied + datetime.timedelta(days=30) if done else None,
        decision_body="Sở Khoa học và Công nghệ tỉnh Hưng Yên" if done else "",
        provider="Trung tâm Năng suất (minh họa)" if done else "", contract_number=f"HĐ-{year}-{rng.randint(10, 99)}" if done else "",
        contract_date=applied + datetime.timedelta(days=45) if done else None,
        accepted_on=applied + datetime.timedelta(days=rng.randint(120, 200)) if done else None,
        closed_on=applied + datetime.timedelta(days=220) if done else None, created_by=user, is_demo=True)
    path = [("apply", "", Status.APPLIED)] + ([("appraise", Status.APPLIED, Status.APPRAISED),
                                               ("approve", Status.APPRAISED, Status.APPROVED),
                                               ("implement", Status.APPROVED, Status.IMPLEMENTING),
                                               ("accept", Status.IMPLEMENTING, Status.ACCEPTED),
                                               ("close", Status.ACCEPTED, Status.CLOSED)] if done else [])
    for transition, source, target in path:
        DossierStep.objects.create(dossier=d, transition=transition, from_status=source, to_status=target, by=user)
    return d


@transaction.atomic
def load(seed=2025) -> dict:
    if Activity.objects.filter(is_demo=True).exists():
        return {"skipped": "already loaded"}
    rng = random.Random(seed)
    units = {u.code: u for u in Unit.objects.all()}
    orgs = []
    for i, word in enumerate(COMPANY_WORDS):
        org, _ = Enterprise.objects.get_or_create(
            tax_code=demo_tax_code(i), defaults={"name": f"Công ty TNHH {word} (minh họa)", "is_demo": True})
        orgs.append(org)
    User = get_user_model()
    users = {}
    for username, role, unit, org in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(DEMO_PASSWORD)
        user.is_superuser = user.is_staff = role == Role.ADMIN
        user.save()
        Profile.objects.update_or_create(user=user, defaults={
            "role": role, "unit": units.get(unit), "enterprise": orgs[org] if org is not None else None, "is_demo": True})
        users[username] = user
    officer = users[DEMO_OFFICER]
    with acting_as(officer):  # the records are the officer's, in the audit log too
        topics = list(CatalogueItem.objects.exclude(group="award"))
        n = 0

        def add(model, year, title, unit="skhcn", confirmed=True, status=Activity.Status.COMPLETED, **own):
            nonlocal n
            n += 1
            month = rng.randint(2, 11)
            start = datetime.date(year, month, rng.randint(1, 20))
            end = start + datetime.timedelta(days=rng.randint(1, 40))
            planned = rng.randint(3, 40) * 5_000_000
            obj = model(title=title, start_date=start, end_date=end if status == Activity.Status.COMPLETED else None,
                        status=status, responsible_unit=units[unit], location=_location(rng, start),
                        budget_planned=planned, budget_spent=planned - rng.randint(0, 3) * 1_000_000 if status == "completed" else 0,
                        fund_source=rng.choice(["provincial", "provincial", "central", "enterprise"]), is_demo=True,
                        created_by=officer if unit == "skhcn" else users["phoihop"], **own)
            if confirmed:
                obj.confirmed_at = timezone.now()
                obj.confirmed_by = officer
            obj.save()
            return obj

        add(ExpertCertification, 2022, "Chứng nhận chuyên gia năng suất chất lượng (khóa Trung ương)", person="Nguyễn Văn An",
            field="pq", course_organiser="Viện Năng suất Việt Nam", certificate_number="CG-NS-0142", certificate_date=datetime.date(2022, 11, 5))
        add(ExpertCertification, 2024, "Chứng nhận chuyên gia năng suất chất lượng", person="Trần Thị Bình", field="pq",
            course_organiser="Viện Năng suất Việt Nam", certificate_number="CG-NS-0388", certificate_date=datetime.date(2024, 12, 2))
        add(ExpertCertification, 2023, "Đào tạo chuyên gia đánh giá chứng nhận hệ thống quản lý", person="Lê Minh Cường",
            field="assessment", course_organiser="Trung tâm Chứng nhận Phù hợp", certificate_number="DG-2023-077")
        add(EducationTraining, 2022, "Đưa học phần năng suất chất lượng vào chương trình cao đẳng", institution="Trường Cao đẳng Cộng đồng Hưng Yên",
            programme="Quản lý sản xuất", cohort="K15", trainees=64)
        add(EducationTraining, 2024, "Tập huấn năng suất chất lượng cho sinh viên", institution="Trường Đại học Sư phạm Kỹ thuật Hưng Yên",
            programme="Kỹ thuật công nghiệp", cohort="K20", trainees=120)
        classes = 0
        for year, count in ((2021, 3), (2022, 5), (2023, 4), (2024, 5), (2025, 4)):
            for _ in range(count):
                topic = rng.choice(topics)
                people = rng.randint(25, 80)
                add(TrainingClass, year, f"Lớp tập huấn {topic.name} năm {year}", topic=topic, participants=people,
                    hours=rng.choice([8, 16, 24]), participant_list="\n".join(
                        f"Học viên {k + 1}; {rng.choice(orgs).name}" for k in range(3)))
                classes += 1
        # two classes recorded by a partner unit, waiting for the officer's confirmation
        for _ in range(2):
            topic = rng.choice(topics)
            add(TrainingClass, 2025, f"Lớp tập huấn {topic.name} (Sở Công Thương)", unit="sct", confirmed=False,
                topic=topic, participants=40, hours=8)
        for year, ch, reach in ((2021, "Báo Hưng Yên; Đài PT-TH tỉnh", 120000), (2023, "Cổng thông tin điện tử tỉnh; mạng xã hội", 85000),
                                (2025, "Hội nghị; tờ rơi; Zalo OA", 40000)):
            add(CommunicationCampaign, year, f"Tuyên truyền năng suất chất lượng năm {year}", unit="svhttdl", channels=ch, reach=reach)
        contents = list(SupportContent.objects.filter(code__in=SUPPORTED_CONTENTS).order_by("code"))
        for i, org in enumerate(orgs[:24]):
            _dossier(rng, org, contents[i % len(contents)], 2021 + i % 5, officer)
        # one application waiting for appraisal, as the enterprise user sent it
        _dossier(rng, orgs[0], contents[1], 2026, users["doanhnghiep"], status=Status.APPLIED)
        add(CertificationBodySupport, 2023, "Hỗ trợ tổ chức chứng nhận đạt công nhận ISO/IEC 17065",
            body_name="Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng Hưng Yên", accreditation_sought="ISO/IEC 17065 (BoA)",
            accreditation_obtained="VICAS (minh họa)")
        add(TestingCapacityInvestment, 2024, "Đầu tư thiết bị phòng thử nghiệm thực phẩm",
            beneficiary="Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng Hưng Yên", equipment="Máy sắc ký khí GC-MS",
            amount=2_400_000_000)
        for i, (ptype, org) in enumerate((("science", orgs[3]), ("innovation", orgs[7]), ("green", orgs[12]))):
            add(InnovationProject, 2022 + i, f"Nhiệm vụ {ptype} tại {org.name}", project_type=ptype, organisation_name=org.name)
        add(InnovationProject, 2025, "Nhiệm vụ năng suất xanh (đang thực hiện)", status=Activity.Status.ONGOING,
            project_type="green", organisation_name=orgs[20].name)
    return {"activities": Activity.objects.filter(is_demo=True).count(), "organisations": len(orgs), "users": len(users),
            "classes_confirmed": classes}


@transaction.atomic
def remove() -> dict:
    """Delete exactly the illustrative records of the programme: activities, organisations, users.
    Apps above (stats) remove theirs first: `nscl demo --remove` does both."""
    counts = {"activities": 0}
    for model in KIND_MODELS.values():
        for obj in model.objects.filter(is_demo=True):
            obj.delete()
            counts["activities"] += 1
    demo_profiles = Profile.objects.filter(is_demo=True).select_related("user")
    users = [p.user for p in demo_profiles]
    counts["users"] = len(users)
    for p in demo_profiles:
        p.delete()
    for u in users:
        u.delete()
    Dossier.objects.filter(is_demo=True).delete()
    orgs = Enterprise.objects.filter(is_demo=True)
    counts["organisations"] = orgs.count()
    orgs.delete()
    return counts
