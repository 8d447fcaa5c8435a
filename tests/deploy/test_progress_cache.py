"""Computed progress is cached (served by `nscl serve`) and every write invalidates it (Hardening 12)."""
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nscl.accounts.models import Role
from nscl.programme import services
from nscl.programme.models import Phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings):
    settings.NSCL_PROGRESS_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def total(phase):
    return sum(p.actual for p in services.phase_progress(phase, as_of=2025))


def test_progress_is_cached_and_every_write_invalidates_it(cached, make_activity, make_user):
    phase = Phase.objects.get(start_year=2021)
    officer = make_user(Role.OFFICER)
    base = total(phase)
    with CaptureQueriesContext(connection) as q:
        assert total(phase) == base
    assert len(q) == 0  # from the cache

    activity = make_activity("class", year=2023, confirmed=False)  # created: not counted yet
    assert total(phase) == base
    services.confirm(activity, officer)
    confirmed = total(phase)
    assert confirmed > base
    services.reopen(activity, officer)
    assert total(phase) == base
    services.confirm(activity, officer)
    assert total(phase) == confirmed
    activity.refresh_from_db()
    activity.specific().delete()
    assert total(phase) == base


def test_an_edit_invalidates_it(cached, make_activity):
    phase = Phase.objects.get(start_year=2021)
    activity = make_activity("class", year=2023, confirmed=True).specific()
    counted = total(phase)
    activity.status = "planned"  # e.g. through the admin
    activity.save()
    assert total(phase) < counted


def test_a_target_edit_invalidates_it(cached):
    phase = Phase.objects.get(start_year=2021)
    first = services.phase_progress(phase, as_of=2025)[0]
    target = first.target
    target.min_value = first.target.min_value + 7
    target.save()
    assert services.phase_progress(phase, as_of=2025)[0].target.min_value == target.min_value


def test_off_by_default(settings, make_activity):
    assert settings.NSCL_PROGRESS_CACHE_SECONDS == 0
    phase = Phase.objects.get(start_year=2021)
    total(phase)
    with CaptureQueriesContext(connection) as q:
        total(phase)
    assert len(q) > 0
