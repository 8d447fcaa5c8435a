"""Rules that live in nscl.accounts.roles and nowhere else (issue 21 item 3: who may see progress
was decided in programme/views.py and api/views.py, each its own way)."""
import pytest
from django.contrib.auth.models import AnonymousUser

from nscl.accounts import roles
from nscl.accounts.models import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("public, signed_in, allowed", [
    (False, False, False), (False, True, True), (True, False, True), (True, True, True)])
def test_who_may_see_the_plans_progress(settings, make_user, public, signed_in, allowed):
    settings.NSCL_PUBLIC_PROGRESS = public
    user = make_user(Role.ENTERPRISE) if signed_in else AnonymousUser()
    assert roles.can_view_progress(user) is allowed


def test_the_api_asks_the_rule(client, settings, monkeypatch):
    settings.NSCL_PUBLIC_PROGRESS = True
    monkeypatch.setattr(roles, "can_view_progress", lambda user: False)
    assert client.get("/api/v1/targets").status_code == 401
