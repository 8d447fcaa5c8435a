"""`notify`, the one way to tell users something, and the recipient lists callers need.

Apps above call it from the service that makes the change (a dossier's move, an activity saved, a
recall declared), inside that change's transaction: the notification rows commit or roll back with
it, and e-mail goes out only after the commit (transaction.on_commit), so a rolled-back action
e-mails nobody and a slow or broken mail server never fails or holds the user's action. Each
e-mail's outcome (time, error) is written on its notification (nscl.notifications.mail).
"""
from __future__ import annotations

import logging
from functools import partial

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q

from nscl.accounts.models import Role

from . import kinds, mail
from .kinds import ACTIVITY_AWAITING, DOSSIER_MOVED, RECALL_DECLARED, REPORTING_DUE  # noqa: F401 (for callers)
from .models import EmailStatus, Notification, Preference

log = logging.getLogger("nscl.notifications")


def _safe_url(url) -> str:
    """Only a path of this site (the inbox links to it): never another host."""
    url = str(url or "")
    return url if url.startswith("/") and not url.startswith("//") and "\\" not in url else ""


def notify(users, kind: str, params: dict, url: str = "", dedupe_key: str | None = None) -> list[Notification]:
    """Tell each user about an event of `kind`: in the inbox and/or by e-mail, as each chose (both by
    default). With a `dedupe_key`, a user already told under that key is not told again (a daily
    reminder run twice sends once). Returns the notifications created."""
    if kind not in kinds.KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    stored = {name: kinds.store(value) for name, value in (params or {}).items()}
    url = _safe_url(url)
    recipients = {}
    for user in users:
        if user is not None and user.pk is not None and user.is_active:
            recipients.setdefault(user.pk, user)
    if not recipients:
        return []
    done = set()
    if dedupe_key is not None:
        done = set(Notification.objects.filter(dedupe_key=dedupe_key, user_id__in=recipients)
                   .values_list("user_id", flat=True))
    choices = {p.user_id: p for p in Preference.objects.filter(kind=kind, user_id__in=recipients)}
    created = []
    for pk, user in sorted(recipients.items()):
        choice = choices.get(pk)
        in_app, by_mail = (choice.in_app, choice.email) if choice else (True, True)
        if pk in done or not (in_app or by_mail):
            continue
        address = (user.email or "").strip() if by_mail else ""
        n = Notification(user=user, kind=kind, params=stored, url=url, dedupe_key=dedupe_key, in_app=in_app,
                         email_to=address, email_status=EmailStatus.PENDING if address else EmailStatus.NONE)
        if by_mail and not address:
            n.email_status, n.email_error = EmailStatus.SKIPPED, "no e-mail address"
        try:
            with transaction.atomic():  # a concurrent call with the same key: its row wins, this one is skipped
                n.save()
        except IntegrityError:
            if dedupe_key is None:
                raise
            continue
        created.append(n)
    pending = [n.pk for n in created if n.email_status == EmailStatus.PENDING]
    if pending:
        transaction.on_commit(partial(mail.send_pending, pending), robust=True)
    return created


def both(vi: str, en: str = "") -> dict:
    """A name with its English form (units, enterprises): shown in the reader's language."""
    return {"vi": vi or "", "en": en or ""}


def officers():
    """The programme's officers (active): they confirm records and handle dossiers."""
    return get_user_model().objects.filter(is_active=True, profile__role=Role.OFFICER)


def enterprise_users(enterprises):
    """The active users acting for these enterprises (objects with `tax_code`, or tax codes): a
    branch's users and its parent's, as roles lets a parent's users see its branches."""
    codes = {str(getattr(e, "tax_code", e) or "").strip() for e in enterprises} - {""}
    parents = {c[:10] for c in codes if len(c) > 10}
    if not codes:
        return get_user_model().objects.none()
    return get_user_model().objects.filter(
        Q(profile__enterprise__tax_code__in=codes | parents), is_active=True, profile__role=Role.ENTERPRISE)


def notify_recall(enterprises, *, recall_key: str, product, lots, reason, declared_by, url: str = "",
                  exclude=None) -> list[Notification]:
    """A recall was declared: tell the users of the enterprises downstream (objects with `tax_code`, or
    tax codes) once per recall (`recall_key`: the recall's identity, e.g. its EPCIS event id).
    `product`, `declared_by`: names (plain text or `both(vi, en)`); `lots`: a lot or a list of lots."""
    users = enterprise_users(enterprises)
    if exclude is not None and getattr(exclude, "pk", None):
        users = users.exclude(pk=exclude.pk)
    return notify(users, RECALL_DECLARED,
                  {"enterprise": declared_by, "product": product,
                   "lots": sorted(lots) if isinstance(lots, (set, frozenset)) else lots, "reason": reason},
                  url, dedupe_key=f"recall:{recall_key}")


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, in_app=True, read_at__isnull=True).count()
