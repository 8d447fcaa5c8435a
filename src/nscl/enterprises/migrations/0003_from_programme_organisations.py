"""Every programme.Organisation becomes an enterprise of the registry (same normalised tax code;
an existing enterprise keeps its data), a branch linked to its parent. Nothing is deleted here:
programme's migration 0004 moves the support records and then drops the old tables. The audit log
records each new enterprise: the audit signals fire for migration models too (user "system")."""
from django.db import migrations

from nscl.enterprises.models import fold


def normalise(tax_code: str) -> str | None:
    digits = "".join(ch for ch in tax_code or "" if ch.isdigit())
    if len(digits) == 10:
        return digits
    if len(digits) == 13:
        return f"{digits[:10]}-{digits[10:]}"
    return None


def forwards(apps, schema_editor):
    Organisation = apps.get_model("programme", "Organisation")
    Enterprise = apps.get_model("enterprises", "Enterprise")
    for org in Organisation.objects.order_by("pk"):
        code = normalise(org.tax_code)
        if code is None:  # the old register validated codes; a stray one is kept visible, not lost
            code = org.tax_code[:14]
        Enterprise.objects.get_or_create(tax_code=code, defaults={
            "name": org.name, "address": org.address, "is_demo": org.is_demo, "search_text": fold(org.name)[:520]})
    for ent in Enterprise.objects.filter(tax_code__contains="-", parent__isnull=True):
        parent = Enterprise.objects.filter(tax_code=ent.tax_code[:10]).first()
        if parent:
            ent.parent = parent
            ent.save(update_fields=["parent"])


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0002_labels"),
        ("programme", "0003_plural_names"),
        ("audit", "0002_plural_names"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
