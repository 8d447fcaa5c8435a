"""An enterprise user's profile points at the registry's enterprise (was programme.Organisation),
matched on the normalised tax code that enterprises' migration 0003 carried over."""
import django.db.models.deletion
from django.db import migrations, models


def forwards(apps, schema_editor):
    Profile = apps.get_model("accounts", "Profile")
    Enterprise = apps.get_model("enterprises", "Enterprise")
    for profile in Profile.objects.exclude(organisation=None).select_related("organisation", "user"):
        digits = "".join(ch for ch in profile.organisation.tax_code if ch.isdigit())
        code = f"{digits[:10]}-{digits[10:]}" if len(digits) == 13 else digits
        profile.enterprise = Enterprise.objects.filter(tax_code__in=[code, profile.organisation.tax_code]).first()
        profile.save(update_fields=["enterprise"])
        if profile.enterprise is None:  # cannot happen after enterprises 0003; said aloud, never silent
            print(f"\n  accounts 0002: tài khoản {profile.user.username} mất liên kết doanh nghiệp "
                  f"(mã số thuế {profile.organisation.tax_code} không có trong sổ doanh nghiệp)")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("enterprises", "0003_from_programme_organisations"),
    ]
    operations = [
        migrations.AddField(
            model_name="profile",
            name="enterprise",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="users", to="enterprises.enterprise", verbose_name="doanh nghiệp"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveField(model_name="profile", name="organisation"),
    ]
