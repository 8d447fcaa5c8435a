"""An enterprise user lands on "Doanh nghiệp của tôi" after login and is offered no menu that is
always empty for them (issue 20, item 7d). Before: every role landed on the programme dashboard and
"Sổ hoạt động" was shown to enterprise users, who have no activity records."""
import pytest
from django.core.cache import cache
from django.test import RequestFactory

from nscl.accounts import context
from nscl.accounts.models import Role

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def enterprise():
    from nscl.enterprises.models import Enterprise

    return Enterprise.objects.create(tax_code="0100109106", name="Công ty thử nghiệm")


def test_enterprise_user_lands_on_own_enterprise(client, make_user, enterprise):
    make_user(Role.ENTERPRISE, enterprise=enterprise, username="doanhnghiep")
    resp = client.post("/accounts/login/", {"username": "doanhnghiep", "password": PASSWORD})
    assert resp.status_code == 302 and resp["Location"] == "/enterprises/mine/"
    assert client.get(resp["Location"])["Location"] == f"/enterprises/{enterprise.pk}/"


def test_enterprise_user_sent_from_the_home_page_lands_on_own_enterprise(client, make_user, enterprise):
    """`?next=/` is what every visitor of the home page brings when progress is not public: for an
    enterprise user it means "no particular page", so they too land on their enterprise."""
    make_user(Role.ENTERPRISE, enterprise=enterprise, username="doanhnghiep")
    resp = client.post("/accounts/login/?next=/", {"username": "doanhnghiep", "password": PASSWORD})
    assert resp["Location"] == "/enterprises/mine/"
    client.post("/accounts/logout/")
    resp = client.post("/accounts/login/?next=/tfp/", {"username": "doanhnghiep", "password": PASSWORD})
    assert resp["Location"] == "/tfp/"  # a page asked for is kept


@pytest.mark.parametrize("role", [Role.OFFICER, Role.PARTNER, Role.VIEWER, Role.ADMIN])
def test_other_roles_land_on_the_dashboard(client, make_user, role):
    make_user(role, username="nguoidung")
    resp = client.post("/accounts/login/", {"username": "nguoidung", "password": PASSWORD})
    assert resp.status_code == 302 and resp["Location"] == "/"


def _flags(user):
    request = RequestFactory().get("/")
    request.user = user
    return context.role(request)


def test_menu_flag_hides_the_activity_registers_from_enterprise_users(make_user, enterprise):
    assert _flags(make_user(Role.ENTERPRISE, enterprise=enterprise))["nscl_can_registers"] is False
    for role in (Role.OFFICER, Role.PARTNER, Role.VIEWER, Role.ADMIN):
        assert _flags(make_user(role))["nscl_can_registers"] is True
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert context.role(request)["nscl_can_registers"] is False
