"""Logging: a refusal is one line, an error keeps its traceback."""
import logging

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404

REFUSALS = (PermissionDenied, SuspiciousOperation, Http404)


class RefusalsOneLine(logging.Filter):
    """Drop the traceback of a refusal (403 permission denied, 400 suspicious request, 404) logged by
    django.request or django.security.*: the message line ("Forbidden (Permission denied): /path")
    says all; a 500's traceback stays."""

    def filter(self, record):
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, REFUSALS) and (record.name == "django.request" or record.name.startswith("django.security")):
            record.exc_info = None
            record.exc_text = None
        return True
