"""The plan's reference data: documents, phases, units, catalogue and the 2021-2025 targets.

Loaded by `nscl init` (idempotent: codes are keys; an unchanged row is not written, so not audited).
Target texts are the plan's own words (seed: ke-hoach-nscl-hung-yen.vi.txt) with the English
rendering of the seed README.
"""
import datetime

from django.db import transaction
from django.utils import timezone

from nscl.common.upsert import upsert

from .models import CatalogueItem, Phase, ProgrammeDocument, Target, TargetRevision, Unit

DOCUMENTS = [
    ("1322/QĐ-TTg", datetime.date(2020, 8, 31), "Thủ tướng Chính phủ",
     "Phê duyệt Chương trình quốc gia hỗ trợ doanh nghiệp nâng cao năng suất và chất lượng sản phẩm, hàng hóa giai đoạn 2021-2030",
     "National Programme to support enterprises to improve productivity and quality of products and goods, 2021-2030"),
    ("36/QĐ-TTg", datetime.date(2021, 1, 11), "Thủ tướng Chính phủ",
     "Ban hành Kế hoạch tổng thể nâng cao năng suất dựa trên nền tảng khoa học, công nghệ và đổi mới sáng tạo giai đoạn 2021-2030",
     "Master plan to raise productivity based on science, technology and innovation, 2021-2030"),
    ("101/KH-UBND", datetime.date(2021, 6, 30), "UBND tỉnh Hưng Yên",
     "Kế hoạch hỗ trợ tổ chức, doanh nghiệp nâng cao năng suất và chất lượng sản phẩm, hàng hóa giai đoạn 2021-2030 trên địa bàn tỉnh Hưng Yên",
     "Plan to support organisations and enterprises in Hưng Yên to raise productivity and quality, 2021-2030 "
     "(number as reported by provincial news; the plan's text gives none)"),
]

UNITS = [
    ("skhcn", "Sở Khoa học và Công nghệ", "Department of Science and Technology"),
    ("sct", "Sở Công Thương", "Department of Industry and Trade"),
    ("snnmt", "Sở Nông nghiệp và Môi trường", "Department of Agriculture and Environment"),
    ("sgddt", "Sở Giáo dục và Đào tạo", "Department of Education and Training"),
    ("svhttdl", "Sở Văn hóa, Thể thao và Du lịch", "Department of Culture, Sports and Tourism"),
    ("ctk", "Thống kê tỉnh Hưng Yên", "Provincial Statistics Office"),
    ("hiephoi-dn", "Hiệp hội Doanh nghiệp tỉnh", "Provincial Business Association"),
]

CATALOGUE = [
    # code, name, name_en, group, reference, edition
    ("5s", "5S", "5S", "tool", "", ""),
    ("kaizen", "Kaizen", "Kaizen", "tool", "", ""),
    ("lean", "Lean / Lean Six Sigma", "Lean / Lean Six Sigma", "tool", "", ""),
    ("six-sigma", "Six Sigma", "Six Sigma", "tool", "", ""),
    ("tpm", "Duy trì năng suất toàn diện (TPM)", "Total productive maintenance (TPM)", "tool", "", ""),
    ("kpi", "Chỉ số đánh giá hiệu suất (KPI)", "Key performance indicators (KPI)", "tool", "", ""),
    ("bsc", "Thẻ điểm cân bằng (BSC)", "Balanced scorecard (BSC)", "tool", "", ""),
    ("qcc", "Nhóm kiểm soát chất lượng (QCC)", "Quality control circles (QCC)", "tool", "", ""),
    ("tqm", "Quản lý chất lượng toàn diện (TQM)", "Total quality management (TQM)", "tool", "", ""),
    ("7qc", "7 công cụ thống kê (7 QC tools)", "7 QC tools", "tool", "", ""),
    ("pdca", "Chu trình PDCA", "PDCA cycle", "tool", "", ""),
    ("jit", "JIT / Kanban", "JIT / Kanban", "tool", "", ""),
    ("vsm", "Sơ đồ chuỗi giá trị (VSM)", "Value stream mapping (VSM)", "tool", "", ""),
    ("smed", "SMED", "SMED", "tool", "", ""),
    ("poka-yoke", "Poka-yoke", "Poka-yoke", "tool", "", ""),
    ("benchmarking", "Đối sánh (Benchmarking)", "Benchmarking", "tool", "", ""),
    ("green-productivity", "Năng suất xanh", "Green productivity", "tool", "", ""),
    ("mfca", "Hạch toán chi phí dòng nguyên liệu (MFCA)", "Material flow cost accounting (MFCA)", "tool", "ISO 14051", "2011"),
    ("iso-9001", "Hệ thống quản lý chất lượng", "Quality management system", "system", "TCVN ISO 9001", "2015"),
    ("iso-14001", "Hệ thống quản lý môi trường", "Environmental management system", "system", "TCVN ISO 14001", "2015"),
    ("iso-22000", "Hệ thống quản lý an toàn thực phẩm", "Food safety management system", "system", "TCVN ISO 22000", "2018"),
    ("haccp", "HACCP", "HACCP", "system", "TCVN 5603", "2023"),
    ("fssc-22000", "FSSC 22000", "FSSC 22000", "system", "FSSC 22000", "6"),
    ("iso-17025", "Năng lực phòng thử nghiệm và hiệu chuẩn", "Competence of testing and calibration laboratories", "system", "TCVN ISO/IEC 17025", "2017"),
    ("iso-50001", "Hệ thống quản lý năng lượng", "Energy management system", "system", "TCVN ISO 50001", "2018"),
    ("iso-45001", "Hệ thống quản lý an toàn, sức khỏe nghề nghiệp", "Occupational health and safety", "system", "TCVN ISO 45001", "2018"),
    ("iso-27001", "Hệ thống quản lý an toàn thông tin", "Information security management", "system", "TCVN ISO/IEC 27001", "2019"),
    ("iso-13485", "Hệ thống quản lý chất lượng trang thiết bị y tế", "Medical devices QMS", "system", "ISO 13485", "2016"),
    ("gmp", "Thực hành sản xuất tốt (GMP)", "Good manufacturing practice (GMP)", "system", "", ""),
    ("vietgap", "VietGAP", "VietGAP", "system", "TCVN 11892-1", "2017"),
    ("globalgap", "GlobalGAP", "GlobalG.A.P.", "system", "", ""),
    ("tccs", "Xây dựng tiêu chuẩn cơ sở", "Base standards (TCCS)", "conformity", "", ""),
    ("hop-chuan", "Chứng nhận hợp chuẩn", "Certification of conformity to standards", "conformity", "TCVN", ""),
    ("hop-quy", "Chứng nhận hợp quy", "Certification of conformity to technical regulations", "conformity", "QCVN", ""),
    ("traceability", "Truy xuất nguồn gốc sản phẩm", "Product traceability", "trace", "TCVN 12850", "2019"),
    ("nqa", "Giải thưởng Chất lượng Quốc gia", "National Quality Award", "award", "", ""),
]

# code, objective, kind, min, max, every_year, activity kind, criteria, distinct_by, unit, unit_en,
# description (plan text), description_en, condition, condition_en, responsible unit
TARGETS_2021_2025 = [
    ("MT1a", 1, "range", 1, 2, False, "expert", {"field": "pq"}, "", "chuyên gia", "experts",
     "Đào tạo, chứng nhận đạt tiêu chuẩn cho 1-2 chuyên gia năng suất chất lượng",
     "Train and certify 1-2 productivity-quality experts",
     "Khi có đơn vị ở Trung ương mở khóa đào tạo chuyên gia về năng suất chất lượng",
     "When central agencies open such expert courses", "skhcn"),
    ("MT1b", 1, "range", 1, 2, False, "expert", {"field": "assessment"}, "", "chuyên gia", "experts",
     "Đào tạo, chứng nhận đạt tiêu chuẩn cho 1-2 chuyên gia đánh giá, chứng nhận sản phẩm, chứng nhận hệ thống quản lý",
     "Train and certify 1-2 experts in assessing and certifying products and management systems",
     "Khi có đơn vị ở Trung ương mở khóa đào tạo chuyên gia về năng suất chất lượng",
     "When central agencies open such expert courses", "skhcn"),
    ("MT2", 2, "at_least", 1, None, False, "education", {}, "institution", "cơ sở giáo dục", "institutions",
     "Triển khai chương trình đào tạo, tập huấn về năng suất chất lượng cho ít nhất 01 trường đại học, cao đẳng, "
     "trung cấp, trung tâm giáo dục nghề nghiệp trên địa bàn tỉnh",
     "Run productivity-quality training at at least 1 university, college, intermediate school or vocational "
     "education centre in the province", "", "", "sgddt"),
    ("MT3", 3, "about", 20, None, False, "class", {}, "", "lớp", "classes",
     "Tổ chức khoảng 20 lớp tập huấn, hướng dẫn xây dựng công cụ cải tiến năng suất chất lượng, áp dụng hệ thống "
     "quản lý chất lượng theo tiêu chuẩn quốc gia TCVN ISO 9001, ISO 14001, 22000, 17025, tiêu chuẩn Vietgap,...; "
     "hướng dẫn triển khai hệ thống truy xuất nguồn gốc sản phẩm phù hợp với tiêu chuẩn quốc gia, tiêu chuẩn quốc tế "
     "cho các tổ chức, đơn vị trên địa bàn tỉnh",
     "Hold about 20 training classes on productivity-quality improvement tools and on applying management systems "
     "to TCVN ISO 9001, ISO 14001, ISO 22000, ISO/IEC 17025, VietGAP, …; guide organisations to deploy product "
     "traceability systems conforming to national and international standards", "", "", "skhcn"),
    ("MT4", 4, "range", 2, 4, False, "campaign", {}, "", "đợt", "campaigns",
     "Tổ chức 2-4 đợt tuyên truyền, phổ biến về năng suất chất lượng, nâng cao năng suất dựa trên nền tảng khoa học, "
     "công nghệ và đổi mới sáng tạo cho các đơn vị liên quan",
     "Hold 2-4 communication campaigns on productivity-quality and on productivity based on science, technology and "
     "innovation", "", "", "svhttdl"),
    ("MT5", 5, "range", 20, 30, False, "support", {}, "organisation", "tổ chức, doanh nghiệp", "organisations",
     "Hỗ trợ các giải pháp nâng cao năng suất chất lượng cho 20-30 tổ chức, doanh nghiệp với các nội dung hỗ trợ: "
     "Xây dựng tiêu chuẩn cơ sở, chứng nhận hợp chuẩn, chứng nhận hợp quy, xây dựng và áp dụng các hệ thống quản lý, "
     "công cụ cải tiến chất lượng, áp dụng đồng bộ các giải pháp nâng cao năng suất, chất lượng trong tổ chức, doanh nghiệp",
     "Support 20-30 organisations/enterprises with productivity-quality solutions: building base standards (TCCS), "
     "certification of conformity to standards (hợp chuẩn) and to technical regulations (hợp quy), building and "
     "applying management systems and quality improvement tools, applying productivity-quality solutions together",
     "", "", "skhcn"),
    ("MT6", 6, "exact", 5, None, True, "tfp", {}, "count_year", "năm có kết quả đo", "years measured",
     "Thực hiện đo lường, tính toán mức đóng góp của năng suất các nhân tố tổng hợp (TFP) vào tăng trưởng kinh tế "
     "của tỉnh hàng năm, giai đoạn 2021-2025",
     "Measure and calculate the contribution of TFP to the province's economic growth every year, 2021-2025",
     "Một lần đo cho mỗi năm 2021-2025", "One measurement for each year 2021-2025", "ctk"),
    ("MT7", 7, "exact", 1, None, False, "body", {}, "body_name", "tổ chức", "organisations",
     "Tiếp tục hỗ trợ xây dựng 01 tổ chức tư vấn hoặc đánh giá chứng nhận hệ thống quản lý chất lượng được công nhận",
     "Continue supporting 1 consulting or management-system certification organisation to become accredited",
     "", "", "skhcn"),
    ("MT8", 8, "at_least", 1, None, False, "lab", {}, "beneficiary", "đơn vị", "units",
     "Hỗ trợ ít nhất 01 đơn vị đầu tư cơ sở vật chất, trang thiết bị theo quy định để nâng cao năng lực về thử nghiệm, "
     "kiểm nghiệm, giám định, chứng nhận cho các tổ chức đánh giá sự phù hợp, phấn đấu đạt chuẩn quốc gia và quốc tế",
     "Support at least 1 unit to invest in facilities and equipment for testing, inspection, assessment and "
     "certification (conformity-assessment bodies), aiming at national and international standards", "", "", "skhcn"),
    ("MT9", 9, "at_least", 3, None, False, "project", {}, "organisation_name", "tổ chức, doanh nghiệp", "organisations",
     "Hỗ trợ ít nhất 03 tổ chức, doanh nghiệp khoa học và công nghệ, doanh nghiệp tham gia nghiên cứu ứng dụng tiến bộ "
     "khoa học, đổi mới sáng tạo thúc đẩy năng suất của doanh nghiệp; các nhiệm vụ nghiên cứu, triển khai ứng dụng giải "
     "pháp năng suất xanh và phát triển cộng đồng nhằm nâng cao năng suất và chất lượng",
     "Support at least 3 science-and-technology organisations/enterprises, or enterprises doing research that applies "
     "science, technology and innovation to raise productivity, and research tasks applying green productivity and "
     "community-development solutions", "", "", "skhcn"),
]


@transaction.atomic
def load_plan():
    docs = {}
    for number, issued, issuer, title, title_en in DOCUMENTS:
        docs[number], *_ = upsert(ProgrammeDocument, {"issued_on": issued, "issuer": issuer, "title": title,
                                                      "title_en": title_en}, number=number)
    units = {}
    for code, name, name_en in UNITS:
        units[code], *_ = upsert(Unit, {"name": name, "name_en": name_en}, code=code)
    for code, name, name_en, group, ref, edition in CATALOGUE:
        upsert(CatalogueItem, {"name": name, "name_en": name_en, "group": group, "reference": ref, "edition": edition},
               code=code)
    p1, *_ = upsert(Phase, {"start_year": 2021, "end_year": 2025, "document": docs["101/KH-UBND"]}, code="2021-2025")
    upsert(Phase, {"start_year": 2026, "end_year": 2030, "document": docs["101/KH-UBND"]}, code="2026-2030")
    # a target amended by a later document keeps the values that document set
    amended = {code for changed in p1.revisions.filter(action=TargetRevision.Action.AMEND).values_list("changed", flat=True)
               for code in changed}
    for order, row in enumerate(TARGETS_2021_2025, 1):
        (code, objective, kind, mn, mx, every_year, akind, criteria, distinct_by, unit, unit_en,
         desc, desc_en, cond, cond_en, resp) = row
        if code in amended:
            continue
        upsert(Target, dict(
            objective=objective, kind=kind, min_value=mn, max_value=mx, every_year=every_year, activity_kind=akind,
            criteria=criteria, distinct_by=distinct_by, unit=unit, unit_en=unit_en, description=desc,
            description_en=desc_en, condition=cond, condition_en=cond_en, responsible_unit=units[resp], order=order,
        ), phase=p1, code=code)
    # the plan's own targets are published with it, once: its history then starts (an administrator
    # who withdrew them later is not overruled by the next `nscl init`)
    if not p1.revisions.exists():
        from .services import target_values

        if p1.targets_published_at is None:
            p1.targets_published_at, p1.targets_document = timezone.now(), docs["101/KH-UBND"]
            p1.save(update_fields=["targets_published_at", "targets_document"])

        values = {t.code: target_values(t) for t in p1.targets.order_by("order", "code")}
        TargetRevision.objects.create(phase=p1, action=TargetRevision.Action.PUBLISH, document=p1.targets_document,
                                      values=values, changed=list(values), at=p1.targets_published_at,
                                      by=p1.targets_published_by)
    return {"documents": len(docs), "units": len(units), "catalogue": len(CATALOGUE), "targets": len(TARGETS_2021_2025)}

