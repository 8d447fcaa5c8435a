"""A small chain built by hand for the repository tests: a farm (A) and a packer (B) that A shares
its events with, and an unrelated enterprise (C); each with one location (GLN) and one product
(GTIN), company prefixes 8931111, 8932222, 8933333 (invented), each verified for its enterprise."""
import datetime
import itertools
import json

import pytest
from django.test import Client

from nscl.accounts.models import Profile, Role
from nscl.enterprises.models import Enterprise
from nscl.trace.models import ApiKey, CompanyPrefix, Location, Product, Share
from nscl.traceability import keys

CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]
TZ = datetime.timezone(datetime.timedelta(hours=7))
_seq = itertools.count(1)


def gtin(prefix):
    return keys.with_check_digit("0" + prefix + "00001")


def gln(prefix):
    return keys.with_check_digit(prefix + "00001")


def lgtin(prefix, lot):
    return keys.Key("lgtin", gtin=gtin(prefix), lot=lot).epc_urn


def sgtin(prefix, serial):
    return keys.Key("sgtin", gtin=gtin(prefix), serial=serial).epc_urn


def sscc(prefix, n):
    return keys.Key("sscc", sscc=keys.with_check_digit("0" + prefix + f"{n:09d}")).epc_urn


def sgln(prefix):
    return keys.Key("sgln", gln=gln(prefix), extension="0").epc_urn


def event(kind="ObjectEvent", when="2026-07-01T08:00:00+07:00", place=None, step="commissioning",
          disposition="active", **fields):
    """An EPCIS 2.0 event; `place` (an SGLN) is its readPoint and bizLocation."""
    e = {"type": kind, "eventTime": when, "eventTimeZoneOffset": "+07:00"}
    if kind != "TransformationEvent":
        e["action"] = fields.pop("action", "OBSERVE")
    if step:
        e["bizStep"] = step
    if disposition:
        e["disposition"] = disposition
    if place:
        e["readPoint"] = {"id": place}
        e["bizLocation"] = {"id": place}
    e.update(fields)
    return e


def document(*events):
    return {"@context": CONTEXT, "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": "2026-07-01T09:00:00+07:00", "epcisBody": {"eventList": list(events)}}


def body(doc) -> bytes:
    return json.dumps(doc).encode()


@pytest.fixture
def chain(db):
    firms = {}
    for key, prefix, code in (("A", "8931111", "0100109106"), ("B", "8932222", "0314409058"),
                              ("C", "8933333", "0101243150")):
        e = Enterprise.objects.create(tax_code=code, name=f"Doanh nghiệp {key}", address=f"Địa chỉ {key}")
        CompanyPrefix.objects.create(enterprise=e, prefix=prefix, status=CompanyPrefix.Status.VERIFIED,
                                     certificate_number=f"GCN-{key}", valid_from=datetime.date(2024, 1, 1))
        loc = Location.objects.create(gln=gln(prefix), name=f"Địa điểm {key}", owner=e)
        product = Product.objects.create(gtin=gtin(prefix), name=f"Sản phẩm {key}", owner=e, shelf_life_days=10)
        firms[key] = {"enterprise": e, "location": loc, "product": product, "prefix": prefix, "place": sgln(prefix)}
    Share.objects.create(owner=firms["A"]["enterprise"], partner=firms["B"]["enterprise"])
    return firms


@pytest.fixture
def api(chain):
    """api(key_letter, **key options) → a client sending that enterprise's new API key."""
    def make(letter, locations=None, enforce_csrf=True):
        key, text = ApiKey.issue(chain[letter]["enterprise"], f"khóa {letter}", locations=locations or ())
        client = Client(enforce_csrf_checks=enforce_csrf, HTTP_AUTHORIZATION=f"Bearer {text}")
        client.key = key
        return client
    return make


@pytest.fixture
def enterprise_user(django_user_model):
    """A user acting for an enterprise (Profile.enterprise; programme.Organisation in older trees)."""
    def make(enterprise, role=Role.ENTERPRISE):
        user = django_user_model.objects.create(username=f"t-{role}-{next(_seq)}", is_superuser=role == Role.ADMIN)
        fields = {f.name for f in Profile._meta.get_fields()}
        if enterprise is None:
            link = {}
        elif "enterprise" in fields:
            link = {"enterprise": enterprise}
        else:
            from nscl.programme.models import Organisation

            link = {"organisation": Organisation.objects.get_or_create(
                tax_code=enterprise.tax_code, defaults={"name": enterprise.name})[0]}
        Profile.objects.create(user=user, role=role, **link)
        return user
    return make


@pytest.fixture
def officer(enterprise_user):
    return enterprise_user(None, role=Role.OFFICER)
