import datetime
import itertools

import pytest

from nscl.enterprises.models import Enterprise, IndustryCode, SupportContent
from nscl.enterprises.reference import load_reference
from nscl.geo.models import AdministrativeUnit

PARENT, BRANCH, OTHER = "0100109106", "0100109106-001", "0314409058"


@pytest.fixture
def catalogue(db):
    load_reference()
    return {c.code: c for c in SupportContent.objects.all()}


@pytest.fixture
def new_commune(db):
    return AdministrativeUnit.objects.get(level="commune", code="11953", valid_from=datetime.date(2025, 7, 1))


@pytest.fixture
def make_enterprise(db):
    def make(tax_code=PARENT, name=None, **kw):
        # an enterprise user's fixture may have registered the tax code already
        e, _ = Enterprise.objects.update_or_create(tax_code=tax_code, defaults={"name": name or f"Công ty {tax_code}", **kw})
        return e
    return make


@pytest.fixture
def enterprises(make_enterprise):
    parent = make_enterprise(PARENT, "Công ty Cổ phần Phố Hiến", sector_group="industry_construction")
    branch = make_enterprise(BRANCH, "Chi nhánh Phố Hiến 1", parent=parent)
    other = make_enterprise(OTHER, "Công ty TNHH Khác", sector_group="trade_services")
    IndustryCode.objects.create(enterprise=parent, version="2025", code="10790", is_primary=True)
    return {"parent": parent, "branch": branch, "other": other}


_seq = itertools.count(1)


@pytest.fixture
def quick_user(django_user_model):
    """A user with a role and no password (hashing one costs ~0.3 s; the permission tests make hundreds)."""
    from nscl.accounts.models import Profile

    def make(role, enterprise=None, unit=None):
        user = django_user_model.objects.create(username=f"q-{role}-{next(_seq)}", is_superuser=role == "admin")
        user.set_unusable_password()
        user.save()
        Profile.objects.create(user=user, role=role, enterprise=enterprise, unit=unit)
        return user
    return make


@pytest.fixture
def org_user(quick_user):
    """An enterprise user acting for the enterprise with this tax code (registered if it is not yet)."""
    from nscl.accounts.models import Role
    from nscl.enterprises.models import Enterprise

    def make(tax_code):
        ent, _ = Enterprise.objects.get_or_create(tax_code=tax_code, defaults={"name": f"Tổ chức {tax_code}"})
        return quick_user(Role.ENTERPRISE, enterprise=ent)
    return make
