import datetime

import pytest

from nscl.accounts.models import Role
from nscl.enterprises.models import Enterprise, SupportContent

from ..mailserver import smtp, smtp_down  # noqa: F401  (fixtures)

PARENT, BRANCH, OTHER = "0100109106", "0100109106-001", "0314409058"


@pytest.fixture
def firms(db):
    from nscl.enterprises.reference import load_reference

    load_reference()  # the support catalogue
    parent = Enterprise.objects.create(tax_code=PARENT, name="Công ty Cổ phần Phố Hiến", name_en="Pho Hien JSC")
    branch = Enterprise.objects.create(tax_code=BRANCH, name="Chi nhánh Phố Hiến 1", parent=parent)
    other = Enterprise.objects.create(tax_code=OTHER, name="Công ty TNHH Khác")
    return {"parent": parent, "branch": branch, "other": other}


@pytest.fixture
def people(make_user, firms, units):
    """Who could be told: each with an e-mail address of their own."""
    def user(role, name, **kw):
        u = make_user(role, username=name, **kw)
        u.email = f"{name}@example.vn"
        u.save()
        return u

    return {
        "actor": user(Role.OFFICER, "canbo-xuly"), "officer": user(Role.OFFICER, "canbo-khac"),
        "admin": user(Role.ADMIN, "quantri"), "partner": user(Role.PARTNER, "phoihop", unit=units["sct"]),
        "viewer": user(Role.VIEWER, "xem"), "owner": user(Role.ENTERPRISE, "dn-phohien", enterprise=firms["parent"]),
        "branch": user(Role.ENTERPRISE, "dn-chinhanh", enterprise=firms["branch"]),
        "stranger": user(Role.ENTERPRISE, "dn-khac", enterprise=firms["other"]),
    }


@pytest.fixture
def dossier(firms):
    from nscl.enterprises.dossiers import Dossier

    return Dossier.objects.create(enterprise=firms["parent"], content=SupportContent.objects.get(code="iso-9001"),
                                  title="Áp dụng ISO 9001", applied_on=datetime.date(2026, 9, 1),
                                  total_cost=80_000_000, requested_amount=40_000_000)
