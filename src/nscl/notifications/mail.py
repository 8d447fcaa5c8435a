"""E-mail of notifications, run after the action's commit (services.notify schedules it).

One SMTP connection for the batch; each message's outcome is written on its notification (sent, or
failed with the error, and when). Nothing here raises: the action that notified has committed, and
a mail server that is down or refuses is the notification's record, not the user's error. A
message is claimed (pending -> sending) before it is sent, so two runs never send it twice.
Production without NSCL_EMAIL_HOST sends nothing: each message is marked skipped, with a warning.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from . import kinds
from .models import EmailStatus, Notification

log = logging.getLogger("nscl.notifications")
LANGUAGES = ("vi", "en")  # an e-mail carries Vietnamese first, then English
_warned = False


def enabled() -> bool:
    return getattr(settings, "NSCL_EMAIL_ENABLED", True)


def absolute(path: str) -> str:
    return settings.NSCL_SITE_URL.rstrip("/") + path if path else ""


def message(n: Notification) -> EmailMessage:
    subject = "[NSCL] " + " / ".join(dict.fromkeys(kinds.subject(n.kind, lang) for lang in LANGUAGES))
    parts = []
    for lang in LANGUAGES:
        with translation.override(lang):
            parts.append(render_to_string("notifications/email.txt", {
                "text": kinds.render(n.kind, n.params, lang), "link": absolute(n.url),
                "preferences": absolute(reverse("notification_preferences"))}).strip())
    return EmailMessage(subject, "\n\n-- \n\n".join(parts), settings.DEFAULT_FROM_EMAIL, [n.email_to],
                        headers={"Auto-Submitted": "auto-generated"})


def _record(pk, status, error=""):
    Notification.objects.filter(pk=pk).update(email_status=status, email_at=timezone.now(), email_error=error[:2000])


def _error(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}"


def send_pending(pks) -> None:
    try:
        _send(pks)
    except Exception:  # noqa: BLE001  (the database itself failing here: logged, never the user's error)
        log.exception("notification e-mail: %s", pks)


def _send(pks):
    global _warned
    if not enabled():
        if not _warned:
            log.warning("NSCL_EMAIL_HOST is not set: notifications are shown in the application only, not e-mailed")
            _warned = True
        Notification.objects.filter(pk__in=pks, email_status=EmailStatus.PENDING).update(
            email_status=EmailStatus.SKIPPED, email_at=timezone.now(), email_error="e-mail not configured (NSCL_EMAIL_HOST)")
        return
    claimed = [pk for pk in pks if Notification.objects.filter(pk=pk, email_status=EmailStatus.PENDING)
               .update(email_status=EmailStatus.SENDING)]
    if not claimed:
        return
    rows = list(Notification.objects.filter(pk__in=claimed).order_by("pk"))
    try:
        connection = get_connection(fail_silently=False)
        connection.open()
    except Exception as e:  # noqa: BLE001  (refused, unreachable, bad credentials...)
        log.warning("notification e-mail: cannot reach the mail server: %s", _error(e))
        for n in rows:
            _record(n.pk, EmailStatus.FAILED, _error(e))
        return
    try:
        for n in rows:
            try:
                sent = connection.send_messages([message(n)])
            except Exception as e:  # noqa: BLE001
                log.warning("notification %s: e-mail to %s failed: %s", n.pk, n.email_to, _error(e))
                _record(n.pk, EmailStatus.FAILED, _error(e))
            else:
                _record(n.pk, *((EmailStatus.SENT,) if sent else (EmailStatus.FAILED, "not accepted by the mail server")))
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001
            pass
