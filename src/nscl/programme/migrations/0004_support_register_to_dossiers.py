"""The simple support register is replaced by the registry's support dossiers (issue 11).

Each EnterpriseSupport record becomes a Dossier of the same enterprise (matched on the normalised
tax code carried over by enterprises' migration 0003), with its evidence files as attachments and
one step saying where it came from; then the old records and the Organisation table are dropped.
Statuses: completed and confirmed → closed (accepted and closed on the end date, so MT5 keeps its
count); completed but not confirmed → implementing (an officer accepts it, as the register's
confirmation did); ongoing → implementing; planned → applied; cancelled → withdrawn."""
from django.db import migrations

# old register content → catalogue code; the last three had no standard recorded, so they go to
# general catalogue entries (also in enterprises.reference.CATALOGUE)
CONTENT = {"tccs": "tccs", "hop_chuan": "hop-chuan", "hop_quy": "hop-quy", "system": "management-system",
           "tool": "improvement-tool", "sync": "integrated-solution"}
GENERAL = {
    "tccs": ("Xây dựng, áp dụng tiêu chuẩn cơ sở (TCCS)", "Company standards", "conformity"),
    "hop-chuan": ("Chứng nhận hợp chuẩn", "Certification of conformity to standards", "conformity"),
    "hop-quy": ("Chứng nhận hợp quy", "Certification of conformity to technical regulations", "conformity"),
    "management-system": ("Hệ thống quản lý (chưa ghi tiêu chuẩn cụ thể)", "Management system (standard not recorded)", "system"),
    "improvement-tool": ("Công cụ cải tiến năng suất (chưa ghi công cụ cụ thể)", "Improvement tool (tool not recorded)", "tool"),
    "integrated-solution": ("Giải pháp đồng bộ nâng cao năng suất chất lượng", "Integrated productivity-quality solution", "tool"),
}


def forwards(apps, schema_editor):
    EnterpriseSupport = apps.get_model("programme", "EnterpriseSupport")
    Evidence = apps.get_model("programme", "Evidence")
    Enterprise = apps.get_model("enterprises", "Enterprise")
    SupportContent = apps.get_model("enterprises", "SupportContent")
    Dossier = apps.get_model("enterprises", "Dossier")
    DossierStep = apps.get_model("enterprises", "DossierStep")
    DossierAttachment = apps.get_model("enterprises", "DossierAttachment")
    records = list(EnterpriseSupport.objects.select_related("organisation").order_by("pk"))
    if not records:
        return
    contents = {}
    for old, code in CONTENT.items():
        name, name_en, group = GENERAL[code]
        contents[old], _ = SupportContent.objects.get_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "group": group})
    for rec in records:
        digits = "".join(ch for ch in rec.organisation.tax_code if ch.isdigit())
        code = f"{digits[:10]}-{digits[10:]}" if len(digits) == 13 else digits
        enterprise = Enterprise.objects.filter(tax_code__in=[code, rec.organisation.tax_code]).first()
        completed, confirmed = rec.status == "completed", rec.confirmed_at is not None
        status = {"planned": "applied", "ongoing": "implementing", "cancelled": "withdrawn"}.get(
            rec.status, "closed" if confirmed else "implementing")
        amount = rec.amount or 0
        dossier = Dossier.objects.create(
            enterprise=enterprise, content=contents[rec.content], title=rec.title, status=status,
            applied_on=rec.start_date, total_cost=max(amount, rec.budget_planned or 0), requested_amount=amount,
            approved_amount=amount if status != "applied" else None,
            paid_amount=amount if status == "closed" else None,  # the support paid (budget_spent may include the enterprise's own money)
            accepted_on=rec.end_date if status == "closed" else None,
            closed_on=rec.end_date if status == "closed" else None,
            created_by=rec.created_by, is_demo=rec.is_demo)
        note = (f"Chuyển từ sổ hỗ trợ doanh nghiệp (hoạt động #{rec.pk}, trạng thái “{rec.status}”"
                + (", đã xác nhận" if confirmed else "") + ")."
                + (" Hoàn thành nhưng chưa xác nhận: chờ cán bộ nghiệm thu." if completed and not confirmed else "")
                + (f" Ghi chú cũ: {rec.notes}" if rec.notes else ""))
        DossierStep.objects.create(dossier=dossier, transition="migrate", from_status="", to_status=status,
                                   by=rec.confirmed_by or rec.created_by, notes=note)
        for ev in Evidence.objects.filter(activity_id=rec.pk):
            DossierAttachment.objects.create(dossier=dossier, file=ev.file.name, original_name=ev.file.name.rsplit("/", 1)[-1],
                                             description=f"Minh chứng ({ev.type}) từ sổ hỗ trợ", uploaded_by=ev.uploaded_by)
    # the files now belong to the attachments: delete the rows only (the file-deleting receiver is
    # connected to the real Evidence class, not to this migration's). The audit signals do fire for
    # migration models, so every dossier, step and attachment created here is in the audit log.
    Evidence.objects.filter(activity_id__in=[r.pk for r in records]).delete()
    EnterpriseSupport.objects.filter(pk__in=[r.pk for r in records]).delete()
    apps.get_model("programme", "Activity").objects.filter(kind="support").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("programme", "0003_plural_names"),
        ("enterprises", "0003_from_programme_organisations"),
        ("accounts", "0002_profile_enterprise"),
        ("audit", "0002_plural_names"),
    ]
    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.DeleteModel(name="EnterpriseSupport"),
        migrations.DeleteModel(name="Organisation"),
    ]
