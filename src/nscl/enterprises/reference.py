"""Reference data of the enterprise registry: the support catalogue and the support amount rules
(data, never constants in code). `load_reference()` is idempotent and never overwrites a rule an
officer has edited: a content gets its provisional rule only while it has none."""
import datetime
from decimal import Decimal

from django.db import transaction

from nscl.common.upsert import upsert

from .models import SupportContent, SupportRule

C, S, T = SupportContent.Group.CONFORMITY, SupportContent.Group.SYSTEM, SupportContent.Group.TOOL
# code, name, English name, group, reference, edition, certifiable
CATALOGUE = [
    ("tccs", "Xây dựng, áp dụng tiêu chuẩn cơ sở (TCCS)", "Company standards", C, "TCVN 1-2:2008", "", False),
    ("hop-chuan", "Chứng nhận hợp chuẩn", "Certification of conformity to standards", C, "TCVN", "", True),
    ("hop-quy", "Chứng nhận hợp quy", "Certification of conformity to technical regulations", C, "QCVN", "", True),
    ("iso-9001", "Hệ thống quản lý chất lượng TCVN ISO 9001", "Quality management (ISO 9001)", S, "TCVN ISO 9001", "2015", True),
    ("iso-14001", "Hệ thống quản lý môi trường TCVN ISO 14001", "Environmental management (ISO 14001)", S, "TCVN ISO 14001", "2015", True),
    ("iso-22000", "Hệ thống quản lý an toàn thực phẩm ISO 22000", "Food safety management (ISO 22000)", S, "TCVN ISO 22000", "2018", True),
    ("haccp", "HACCP", "HACCP", S, "TCVN 5603", "2023", True),
    ("fssc-22000", "FSSC 22000", "FSSC 22000", S, "FSSC 22000", "6", True),
    ("iso-iec-17025", "Năng lực phòng thử nghiệm, hiệu chuẩn ISO/IEC 17025", "Testing and calibration laboratories (ISO/IEC 17025)", S, "TCVN ISO/IEC 17025", "2017", True),
    ("iso-50001", "Hệ thống quản lý năng lượng ISO 50001", "Energy management (ISO 50001)", S, "TCVN ISO 50001", "2018", True),
    ("iso-45001", "Hệ thống quản lý an toàn, sức khỏe nghề nghiệp ISO 45001", "Occupational health and safety (ISO 45001)", S, "TCVN ISO 45001", "2018", True),
    ("iso-iec-27001", "Hệ thống quản lý an toàn thông tin ISO/IEC 27001", "Information security (ISO/IEC 27001)", S, "TCVN ISO/IEC 27001", "2022", True),
    ("iso-13485", "Hệ thống quản lý chất lượng thiết bị y tế ISO 13485", "Medical devices quality (ISO 13485)", S, "ISO 13485", "2016", True),
    ("gmp", "Thực hành sản xuất tốt (GMP)", "Good manufacturing practice (GMP)", S, "GMP", "", True),
    ("vietgap", "VietGAP", "VietGAP", S, "TCVN 11892-1", "2017", True),
    ("globalgap", "GlobalG.A.P.", "GlobalG.A.P.", S, "GlobalG.A.P. IFA", "6", True),
    ("5s", "5S", "5S", T, "", "", False),
    ("kaizen", "Kaizen", "Kaizen", T, "", "", False),
    ("lean", "Lean / Lean Six Sigma", "Lean / Lean Six Sigma", T, "", "", False),
    ("six-sigma", "Six Sigma", "Six Sigma", T, "", "", False),
    ("tpm", "Duy trì năng suất toàn diện (TPM)", "Total productive maintenance (TPM)", T, "", "", False),
    ("kpi-bsc", "Chỉ số đánh giá hiệu quả (KPI), thẻ điểm cân bằng (BSC)", "KPI and balanced scorecard", T, "", "", False),
    ("qcc", "Nhóm kiểm soát chất lượng (QCC)", "Quality control circles (QCC)", T, "", "", False),
    ("tqm", "Quản lý chất lượng toàn diện (TQM)", "Total quality management (TQM)", T, "", "", False),
    ("7-qc-tools", "7 công cụ kiểm soát chất lượng", "The 7 QC tools", T, "", "", False),
    ("mfca", "Hạch toán chi phí dòng nguyên liệu (MFCA)", "Material flow cost accounting (MFCA)", T, "TCVN ISO 14051", "2011", False),
    ("green-productivity", "Năng suất xanh", "Green productivity", T, "", "", False),
    # general entries: the old support register recorded only a group for these (programme migration 0004)
    ("management-system", "Hệ thống quản lý (chưa ghi tiêu chuẩn cụ thể)", "Management system (standard not recorded)", S, "", "", False),
    ("improvement-tool", "Công cụ cải tiến năng suất (chưa ghi công cụ cụ thể)", "Improvement tool (tool not recorded)", T, "", "", False),
    ("integrated-solution", "Giải pháp đồng bộ nâng cao năng suất chất lượng", "Integrated productivity-quality solution", T, "", "", False),
]

PROVINCE_BASIS = "Thông tư 35/2021/TT-BTC; Nghị quyết HĐND tỉnh Hưng Yên về nội dung, mức chi (chưa xác định số)"
PROVISIONAL = ("Mức khởi tạo, CHƯA đối chiếu với nghị quyết của HĐND tỉnh Hưng Yên (chưa tìm thấy văn bản): "
               "cán bộ phải sửa tỷ lệ, mức tối đa và căn cứ theo văn bản trước khi phê duyệt hồ sơ.")
RULES_FROM = datetime.date(2021, 8, 1)
# group: (share of the cost in %, cap in đồng) — provisional values, see PROVISIONAL
PROVISIONAL_LEVELS = {C: (Decimal(50), Decimal(30_000_000)), S: (Decimal(50), Decimal(50_000_000)),
                      T: (Decimal(50), Decimal(50_000_000))}


@transaction.atomic
def load_reference() -> dict:
    contents = rules = 0
    for code, name, name_en, group, reference, edition, certifiable in CATALOGUE:
        obj, *_ = upsert(SupportContent, dict(name=name, name_en=name_en, group=group, reference=reference,
                                              edition=edition, certifiable=certifiable), code=code)
        contents += 1
        share, cap = PROVISIONAL_LEVELS[group]
        if not obj.rules.exists():  # a content's rules, once there, are the officers'
            SupportRule.objects.create(content=obj, valid_from=RULES_FROM, legal_basis=PROVINCE_BASIS,
                                       share_pct=share, cap=cap, note=PROVISIONAL)
            rules += 1
    return {"support_contents": contents, "support_rules_created": rules}
