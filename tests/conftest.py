import datetime
import inspect
import itertools
import os
import re
import uuid

import pytest

from nscl.accounts.models import Profile, Role
from nscl.programme.models import KIND_MODELS, CatalogueItem, Phase, Unit

PASSWORD = "test-pass-123"

# A test needs the database when it asks for one of these fixtures or has the django_db mark, or when
# its module reaches a database some other way (a server process, DATABASE_URL, a raw connection).
DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "client", "admin_client", "worker_db"}
DATABASE_WORDS = ("DATABASE_URL", "Site(", "live_server", "nscl_command", "connection", "django_db", "load_demo",
                  "objects.")
_module_uses_database: dict = {}
# A test starts another process (a server, a worker, `nscl` on the command line, the browser, nginx) when
# it asks for one of these fixtures, or when its function, one of its fixtures or a function of its
# module that these call names one of these: `make check` leaves it out.
PROCESS_FIXTURES = {"live_server", "worker_db", "browser"}
PROCESS_RE = re.compile(r"\bsubprocess\.\w+\(|\bPopen\(|\bSite\(|playwright|\bnscl_command\(|\.serve\(")
_source_cache: dict = {}
_process_helpers: dict = {}


def _source(func) -> str:
    if func not in _source_cache:
        try:
            _source_cache[func] = inspect.getsource(func)
        except (OSError, TypeError):
            _source_cache[func] = ""
    return _source_cache[func]


def _helpers(module) -> set:
    """Names of the module's functions that start a process, directly or through one another."""
    if module not in _process_helpers:
        funcs = {name: _source(obj) for name, obj in vars(module).items()
                 if inspect.isfunction(obj) and obj.__module__ == module.__name__}
        found = {name for name, text in funcs.items() if PROCESS_RE.search(text)}
        while True:
            more = {name for name, text in funcs.items() if name not in found
                    and any(re.search(rf"(?<![\w.]){re.escape(h)}\(", text) for h in found)}
            if not more:
                break
            found |= more
        _process_helpers[module] = found
    return _process_helpers[module]


def starts_processes(item) -> bool:
    if PROCESS_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    funcs = [item.function] + [d.func for defs in item._fixtureinfo.name2fixturedefs.values() for d in defs]
    helpers = _helpers(item.module)
    for func in funcs:
        func = getattr(func, "__wrapped__", func)
        text = _source(func)
        if PROCESS_RE.search(text) or getattr(func, "__module__", None) == item.module.__name__ and \
                any(re.search(rf"(?<![\w.]){re.escape(h)}\(", text) for h in helpers):
            return True
    return False


def uses_database(item) -> bool:
    if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())) or item.get_closest_marker("django_db"):
        return True
    path = str(item.fspath)
    if path not in _module_uses_database:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        _module_uses_database[path] = any(word in text for word in DATABASE_WORDS)
    return _module_uses_database[path]


def pytest_collection_modifyitems(config, items):
    """NSCL_TEST_DATABASE_ONLY=1 (the second pass of `make test`): only the tests that meet the
    database the pass names; the others (estimators, GS1 keys, EPCIS validation..., and the tests
    marked `own_sqlite`, which make their own SQLite database whatever the pass) ran in the first pass.
    NSCL_TEST_QUICK=1 (`make check`): no test that starts another process."""
    keep = items
    if os.environ.get("NSCL_TEST_DATABASE_ONLY") == "1":
        keep = [item for item in keep if uses_database(item) and not item.get_closest_marker("own_sqlite")]
    if os.environ.get("NSCL_TEST_QUICK") == "1":
        keep = [item for item in keep if not starts_processes(item)]
    if len(keep) < len(items):
        kept = set(map(id, keep))
        config.hook.pytest_deselected(items=[item for item in items if id(item) not in kept])
        items[:] = keep


def pytest_configure(config):
    """The run's id, shared by the xdist workers (they inherit the environment): the template sites
    of tests/deploy/server.py are made once per run."""
    config.addinivalue_line("markers", "own_sqlite: the test makes its own SQLite database whatever "
                                       "DATABASE_URL names (the PostgreSQL pass of `make test` leaves it out)")
    os.environ.setdefault("NSCL_TEST_RUN", uuid.uuid4().hex[:10])


def pytest_unconfigure(config):
    if not hasattr(config, "workerinput"):  # the controller (or the only process): the workers are done
        from tests.deploy.server import drop_templates

        drop_templates()


_seq = itertools.count(1)


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hasher():
    """Tests hash with MD5 (0.43 s of CPU per PBKDF2 hash, hundreds of test users and demo logins);
    the server processes the deployment tests start keep the real hasher."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Reference data (plan, targets, units) is committed once to the test database: the tests'
    rolled-back transactions all start from it (loading it inside each test cost seconds each).
    After the session, end sessions a live-server request thread left open on PostgreSQL's test
    database, so it can be dropped (otherwise: 'database is being accessed by other users')."""
    from nscl.cli import load_reference

    with django_db_blocker.unblock():
        load_reference()
    yield
    with django_db_blocker.unblock():
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Reference data is there in every database test, also after a transactional test (run last
    by pytest-django) flushed the tables."""
    names = request.fixturenames
    if not ({"db", "transactional_db", "live_server", "client", "admin_client"} & set(names)) and \
            not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("transactional_db" if ("transactional_db" in names or "live_server" in names) else "db")
    if not Phase.objects.exists():
        from nscl.cli import load_reference

        load_reference()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    """Uploaded and generated files (evidence, demo photos, analysis panels) of a test go to its own
    folder, never into the checkout's var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def import_jobs_in_process(request, monkeypatch):
    """An import sent on the web runs at once in this process (the worker's own code path,
    `import_jobs.run`) instead of in `nscl enterprise run-import`, except in the tests of the real
    worker process (those using `worker_db`)."""
    if "worker_db" in request.fixturenames:
        return
    from nscl.enterprises import import_jobs

    monkeypatch.setattr(import_jobs, "start", lambda job: import_jobs.run(job.pk))


@pytest.fixture
def plain_templates(monkeypatch):
    """Templates render as in production, without the test environment's `template_rendered` signal
    that hands the test client a copy of every context of every template and include: the page walks
    (thousands of requests) read the status and the HTML, never `response.context`."""
    from django.template import Template
    from django.test.utils import _TestState

    monkeypatch.setattr(Template, "_render", _TestState.saved_data.template_render)


@pytest.fixture
def make_user(django_user_model):
    def make(role=Role.VIEWER, unit=None, enterprise=None, username=None):
        user = django_user_model.objects.create_user(username or f"{role}{next(_seq)}", password=PASSWORD,
                                                     is_superuser=role == Role.ADMIN)
        Profile.objects.create(user=user, role=role, unit=unit, enterprise=enterprise)
        return user
    return make


@pytest.fixture
def units():
    return {u.code: u for u in Unit.objects.all()}


@pytest.fixture
def make_activity(units):
    def make(kind="class", year=2023, confirmed=True, status="completed", unit="skhcn", **own):
        model = KIND_MODELS[kind]
        defaults = {
            "class": lambda: {"topic": CatalogueItem.objects.get(code="5s"), "participants": 30, "hours": 8},
            "expert": lambda: {"person": "A", "field": "pq", "course_organiser": "VNPI"},
            "education": lambda: {"institution": f"Trường {next(_seq)}", "programme": "P"},
            "campaign": lambda: {"channels": "Báo", "reach": 100},
            "tfp": lambda: {"year_measured": year, "result_reference": "R"},
            "body": lambda: {"body_name": "B", "accreditation_sought": "ISO/IEC 17065"},
            "lab": lambda: {"beneficiary": f"Lab {next(_seq)}", "equipment": "GC-MS"},
            "project": lambda: {"project_type": "green", "organisation_name": f"Org {next(_seq)}"},
        }[kind]()
        title = own.pop("title", None) or f"{kind} {year} #{next(_seq)}"
        defaults = {"budget_planned": 10_000_000, "budget_spent": 9_000_000, **defaults, **own}
        start = datetime.date(year, 3, 1)
        obj = model(title=title, start_date=start,
                    end_date=start + datetime.timedelta(days=2) if status == "completed" else None, status=status,
                    responsible_unit=units[unit], **defaults)
        if confirmed:
            from django.utils import timezone

            obj.confirmed_at = timezone.now()
        obj.save()
        return obj
    return make


@pytest.fixture
def make_dossier():
    """A support dossier of the registry; by default closed, accepted on 1 June of `year` (so it
    counts toward MT5 that year)."""
    from nscl.enterprises.dossiers import Dossier
    from nscl.enterprises.models import Enterprise, SupportContent

    def make(enterprise=None, year=2023, status="closed", content="tccs", amount=50_000_000, **own):
        if enterprise is None:
            enterprise, _ = Enterprise.objects.get_or_create(tax_code="0100109106",
                                                             defaults={"name": "Công ty thử nghiệm"})
        done = status in ("accepted", "closed")
        fields = dict(enterprise=enterprise, content=SupportContent.objects.get(code=content), status=status,
                      title=own.pop("title", None) or f"Hỗ trợ {content} #{next(_seq)}",
                      applied_on=datetime.date(year, 1, 10), total_cost=2 * amount, requested_amount=amount,
                      approved_amount=amount if done else None,
                      accepted_on=datetime.date(year, 6, 1) if done else None,
                      closed_on=datetime.date(year, 7, 1) if status == "closed" else None)
        fields.update(own)
        return Dossier.objects.create(**fields)
    return make


@pytest.fixture
def login(client):
    def do(user):
        client.force_login(user)
        return client
    return do
