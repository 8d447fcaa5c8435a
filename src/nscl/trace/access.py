"""Who is asking: an API key (`Authorization: Bearer <key>`), a logged-in user, or the command line;
the enterprises they act for and the events they may see. The decisions themselves are in
accounts/roles.py; this module only gathers the facts they need from the database."""
from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from nscl.accounts import roles
from nscl.enterprises.models import Enterprise

from .models import ApiKey, Share, hash_secret

LAST_USED_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often per key


class Unauthenticated(Exception):
    """A bearer key that is unknown, malformed or revoked (401)."""


@dataclass
class Actor:
    """What the capture and query services need to know about the caller."""

    user: object = None
    key: ApiKey | None = None
    enterprises: list = field(default_factory=list)  # the enterprises acted for (own, and branches of own)
    sees_all: bool = False  # officers, administrators, the command line
    source: str = "api"

    @property
    def enterprise(self):
        """The enterprise an event is recorded for when its location does not say (the first one)."""
        return self.enterprises[0] if self.enterprises else None

    @property
    def enterprise_ids(self) -> set[int]:
        return {e.pk for e in self.enterprises}

    def key_location_ids(self) -> set[int] | None:
        """The locations an API key is limited to (None: every location of its enterprise)."""
        if self.key is None:
            return None
        ids = set(self.key.locations.values_list("pk", flat=True))
        return ids or None

    def visible_owner_ids(self) -> set[int] | None:
        """Owners whose events this caller may read (None: all): its own and those shared with it."""
        if self.sees_all:
            return None
        own = self.enterprise_ids
        shared = set(Share.objects.filter(partner_id__in=own).values_list("owner_id", flat=True))
        return own | shared


def bearer(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def key_actor(token: str) -> Actor:
    parts = token.split("_", 2)  # the secret itself may contain "_"
    if len(parts) != 3:
        raise Unauthenticated
    key = ApiKey.objects.select_related("owner").filter(prefix=parts[1]).first()
    if key is None or not hmac.compare_digest(key.secret_hash, hash_secret(token)) or not roles.can_use_api_key(key):
        raise Unauthenticated
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_EVERY:
        try:  # a nicety: a database that cannot write (a full disk) must not refuse a read
            with transaction.atomic():
                ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)  # not an audited change
        except OperationalError:
            pass
    return Actor(key=key, enterprises=[key.owner], user=key.created_by, source="api")


def user_actor(user, source="web") -> Actor | None:
    """The actor for a logged-in user; None when the user may not use the event repository."""
    if roles.can_see_all_trace(user):
        return Actor(user=user, sees_all=True, source=source)
    if not roles.can_use_trace(user):
        return None
    enterprises = list(roles.visible_enterprises(user, Enterprise.objects.order_by("tax_code")))
    return Actor(user=user, enterprises=enterprises, source=source) if enterprises else None


def request_actor(request) -> Actor | None:
    """The API key's actor when a bearer key is sent (Unauthenticated when it is bad), else the
    logged-in user's, else None."""
    token = bearer(request)
    if token is not None:
        return key_actor(token)
    if request.user.is_authenticated:
        return user_actor(request.user, source="api")
    return None


def cli_actor(tax_code: str | None = None) -> Actor:
    """The command line: acts for the enterprise given (its rules apply), or sees everything."""
    if tax_code:
        enterprise = Enterprise.objects.filter(tax_code=tax_code).first()
        if enterprise is None:
            raise LookupError(tax_code)
        return Actor(enterprises=[enterprise], source="cli")
    return Actor(sees_all=True, source="cli")


def owner_filter(actor: Actor, field_name: str = "owner_id") -> Q:
    """A Q selecting the rows (events) the actor may read."""
    owners = actor.visible_owner_ids()
    return Q() if owners is None else Q(**{f"{field_name}__in": owners})
