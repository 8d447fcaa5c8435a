"""Every create, update and delete of a model of an audited app becomes an AuditEntry.

Signals rather than calls in views, so no write path (form, API, command) can forget it. Which apps
are audited, and how an app names a special action, is the contract in `audit.api`.
Bulk operations bypass signals: the code uses them only for the benchmark's synthetic data.
"""
import datetime
import json
import operator

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .api import current_action
from .context import acting_user
from .models import AuditEntry

SKIP_FIELDS = {"updated_at", "password", "last_login"}


_RECORDED = {}  # model -> (field names, their values' getter, positions of file fields) of a snapshot


def _values(instance) -> dict:
    recorded = _RECORDED.get(type(instance))
    if recorded is None:
        fields = [f for f in instance._meta.concrete_fields if f.name not in SKIP_FIELDS]
        recorded = _RECORDED[type(instance)] = (
            [f.name for f in fields], operator.attrgetter(*[f.attname for f in fields]),  # Field.value_from_object
            [i for i, f in enumerate(fields) if isinstance(f, models.FileField)])
    names, get, files = recorded
    values = get(instance)
    values = list(values) if len(names) > 1 else [values]
    for i in files:  # a FieldFile is recorded by its name
        values[i] = values[i].name or None
    return dict(zip(names, values))


class _Encoder(DjangoJSONEncoder):
    """DjangoJSONEncoder that remembers its last conversion: the objects of an import share one
    creation time, converted once instead of 50,000 times."""

    _last = (None, None)

    def default(self, o):
        if not isinstance(o, datetime.datetime):  # immutable, unlike a lazy text's translation
            return super().default(o)
        last = self._last
        if o is last[0]:
            return last[1]
        text = super().default(o)
        self._last = (o, text)
        return text


_ENCODER = _Encoder()  # json.dumps(..., cls=DjangoJSONEncoder) makes an encoder for each call


def snapshot(instance) -> dict:
    return json.loads(_ENCODER.encode(_values(instance)))


def snapshot_text(instance) -> str:
    """`snapshot(instance)` as the JSON text the audit log stores (the same text: encoding the
    decoded snapshot again changes nothing), without decoding it: bulk recording of 100,000."""
    return _ENCODER.encode(_values(instance))


def _audited(sender) -> bool:
    config = apps.app_configs.get(sender._meta.app_label)
    return getattr(config, "audited", False) and not sender.__dict__.get("audit_skip", False)


def write(action, instance, before=None, after=None):
    user = acting_user.get()
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    AuditEntry.objects.create(
        user=user,
        username=user.get_username() if user else "system",
        action=action,
        model=instance._meta.label,
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        before=before,
        after=after,
    )


@receiver(pre_save)
def _remember_before(sender, instance, raw=False, **kwargs):
    if raw or not _audited(sender) or instance.pk is None:
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(old) if old else None


@receiver(post_save)
def _after_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _audited(sender):
        return
    before = None if created else getattr(instance, "_audit_before", None)
    after = snapshot(instance)
    if not created and before == after:
        return
    action = current_action.get() or (AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE)
    write(action, instance, before, after)


@receiver(post_delete)
def _after_delete(sender, instance, **kwargs):
    if not _audited(sender):
        return
    write(AuditEntry.Action.DELETE, instance, snapshot(instance), None)
