"""An eventID is unique per owner (nscl.trace.store says why): the registry gets its event's owner,
identifier columns widen to what capture lets through (1,024 characters)."""
import django.db.models.deletion
from django.db import migrations, models


def fill_owners(apps, schema_editor):
    """Each registry row takes its event's owner; a registry row without an event (none is expected:
    both are written in one transaction) is removed with its index rows, having no owner to keep."""
    with schema_editor.connection.cursor() as cur:
        if schema_editor.connection.vendor == "postgresql":  # join on record time: one partition a row
            cur.execute("UPDATE trace_eventid r SET owner_id = e.owner_id FROM trace_event e "
                        "WHERE e.id = r.id AND e.record_time = r.record_time")
        cur.execute("UPDATE trace_eventid SET owner_id = (SELECT e.owner_id FROM trace_event e "
                    "WHERE e.id = trace_eventid.id) WHERE owner_id IS NULL")
        orphans = "SELECT id FROM trace_eventid WHERE owner_id IS NULL"
        cur.execute(f"DELETE FROM trace_eventidentifier WHERE event_id IN ({orphans})")
        cur.execute(f"DELETE FROM trace_eventbiztransaction WHERE event_id IN ({orphans})")
        cur.execute("DELETE FROM trace_eventid WHERE owner_id IS NULL")


def wide(**kw):
    return models.CharField(max_length=1024, **kw)


class Migration(migrations.Migration):

    dependencies = [
        ('enterprises', '0003_from_programme_organisations'),
        ('trace', '0003_capture_job_labels'),
    ]

    operations = [
        migrations.AddField(
            model_name='eventid',
            name='owner',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name='+', to='enterprises.enterprise'),
        ),
        migrations.RunPython(fill_owners, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name='eventid',
            name='owner',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+',
                                    to='enterprises.enterprise'),
        ),
        migrations.AlterField(model_name='eventid', name='event_id', field=wide()),
        migrations.AddIndex(
            model_name='eventid',
            index=models.Index(fields=['event_id'], name='trace_eventid_id_idx'),
        ),
        migrations.AddConstraint(
            model_name='eventid',
            constraint=models.UniqueConstraint(fields=('owner', 'event_id'), name='trace_eventid_unique_per_owner'),
        ),
        migrations.AlterField(model_name='event', name='biz_location', field=wide(blank=True)),
        migrations.AlterField(model_name='event', name='biz_step', field=wide(blank=True)),
        migrations.AlterField(model_name='event', name='disposition', field=wide(blank=True)),
        migrations.AlterField(model_name='event', name='read_point', field=wide(blank=True)),
        migrations.AlterField(model_name='eventbiztransaction', name='type', field=wide(blank=True)),
        migrations.AlterField(model_name='eventbiztransaction', name='value', field=wide()),
        migrations.AlterField(model_name='eventidentifier', name='identifier', field=wide()),
    ]
