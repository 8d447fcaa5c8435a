"""PostgreSQL only: the event store partitioned by record time (see nscl.trace.partitions). SQLite keeps
the plain table; the models and queries are the same on both."""
from django.db import migrations


def forward(apps, schema_editor):
    from nscl.trace import partitions

    partitions.convert(schema_editor)
    if schema_editor.connection.vendor == "postgresql":
        partitions.ensure(months_ahead=3, connection=schema_editor.connection)


def backward(apps, schema_editor):
    from nscl.trace import partitions

    partitions.unconvert(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("trace", "0001_initial")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
