"""A throw-away site for tests that need real server processes: its own database (a SQLite file, or a
fresh PostgreSQL database on the server DATABASE_URL names), `nscl init` + `nscl demo`, and
`nscl serve` on a free port of 127.0.0.1. Nothing outside the test's tmp_path is read or written
(except the PostgreSQL database, dropped at the end, and the run's templates below).

`nscl init` and `nscl demo` run once per test run (in subprocesses, as a user runs them: a
template site); every site's setup() is a copy of it: the SQLite file (backup API) or
`CREATE DATABASE ... TEMPLATE`, and the var/ folder (the demo's media). They cost about 8 s of CPU
each, and a dozen drills of each pass need a site."""
from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import tempfile
import signal
import socket
import subprocess
import sys
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path

DEMO_PASSWORD = "minhhoa-2025"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nscl_command() -> list[str]:
    return [sys.executable, "-m", "nscl.cli"]


# One test run (the xdist workers too: pytest_configure of tests/conftest.py sets it before they start)
# shares the templates; tests/conftest.py's pytest_unconfigure removes them (drop_templates).
RUN = os.environ.setdefault("NSCL_TEST_RUN", uuid.uuid4().hex[:10])
TEMPLATES = Path(tempfile.gettempdir()) / f"nscl-site-templates-{RUN}"


def _pg_admin_url(url: str) -> str:
    scheme, rest = url.split("://", 1)
    host, _, query = rest.partition("/")
    query = query.partition("?")[2]
    return f"postgresql://{host}/postgres" + (f"?{query}" if query else "")


def _pg_admin(sql, url=None):
    import psycopg

    with psycopg.connect(_pg_admin_url(url or os.environ["DATABASE_URL"]), autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def _template_name(demo: bool, production: bool, postgres: bool = True) -> str:
    return f"nscl_tpl_{RUN}_{'pg' if postgres else 'sqlite'}_{'prod' if production else 'dev'}_{'demo' if demo else 'init'}"


def drop_templates():
    """The run's template sites: their folder and, on PostgreSQL, their databases."""
    shutil.rmtree(TEMPLATES, ignore_errors=True)
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        try:
            for demo in (True, False):
                for production in (True, False):
                    _pg_admin(f'DROP DATABASE IF EXISTS "{_template_name(demo, production)}" WITH (FORCE)', url)
        except Exception:  # noqa: BLE001 - no server: nothing was made on it
            pass


class Site:
    def __init__(self, tmp_path: Path, env: dict | None = None, pg_name: str | None = None):
        self.tmp = Path(tmp_path)
        self.pg_admin_url = None
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith("postgres"):
            self.pg_name = pg_name or f"nscl_t_{uuid.uuid4().hex[:10]}"
            scheme, rest = url.split("://", 1)
            host, _, query = rest.partition("/")
            query = query.partition("?")[2]
            self.pg_admin_url = _pg_admin_url(url)
            if pg_name is None:
                self._pg(f'CREATE DATABASE "{self.pg_name}"')
            db_url = f"{scheme}://{host}/{self.pg_name}" + (f"?{query}" if query else "")
        else:
            db_url = f"sqlite:///{self.tmp}/site.sqlite3"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("NSCL_")}
        self.env.update({"NSCL_VAR_DIR": str(self.tmp / "var"), "DATABASE_URL": db_url,
                         "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}, **(env or {}))
        self.procs: list[subprocess.Popen] = []

    def _pg(self, sql):
        import psycopg

        with psycopg.connect(self.pg_admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql)

    def nscl(self, *args, env=None, check=True):
        out = subprocess.run([*nscl_command(), *args], env={**self.env, **(env or {})}, capture_output=True, text=True,
                             timeout=300)
        if check and out.returncode != 0:
            raise AssertionError(f"nscl {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
        return out

    def setup(self, demo=True):
        """`nscl init` (+ `nscl demo`): a copy of the run's template site that ran them."""
        if "NSCL_CACHE_TABLE" in self.env:  # init also makes the cache table: not the template's database
            self.nscl("init")
            if demo:
                self.nscl("demo")
            return self
        self._copy_from(_template(demo, self.env))
        return self

    def _copy_from(self, template: Path):
        if self.pg_admin_url:
            self._pg(f'DROP DATABASE IF EXISTS "{self.pg_name}"')
            for attempt in range(50):  # the template's last `nscl` process may still be leaving the server
                try:
                    self._pg(f'CREATE DATABASE "{self.pg_name}" TEMPLATE "{template.name}"')
                    break
                except Exception as e:  # noqa: BLE001
                    if "being accessed by other users" not in str(e) or attempt == 49:
                        raise
                    time.sleep(0.1)
        else:
            src, dst = sqlite3.connect(template / "site.sqlite3"), sqlite3.connect(self.tmp / "site.sqlite3")
            with dst:
                src.backup(dst)
            src.close()
            dst.close()
        shutil.copytree(template / "var", self.tmp / "var", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("cache"))

    def serve(self, *args, env=None, port=None) -> str:
        port = port or free_port()
        log = open(self.tmp / f"serve-{port}.log", "w")
        proc = subprocess.Popen([*nscl_command(), "serve", "--host", "127.0.0.1", "--port", str(port), *args],
                                env={**self.env, **(env or {})}, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.procs.append(proc)
        wait_for_port(port, proc, self.tmp / f"serve-{port}.log")
        return f"http://127.0.0.1:{port}"

    def log(self) -> str:
        return "\n".join(p.read_text() for p in self.tmp.glob("serve-*.log"))

    def close(self):
        for proc in self.procs:
            stop(proc)
        if self.pg_admin_url:
            self._pg(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')


def _template(demo: bool, env: dict) -> Path:
    """The folder of the run's template site (init, or init + demo), made by the first worker that
    needs it: `nscl init` (+ `nscl demo`) in subprocesses, like any site. Its folder is named as its
    PostgreSQL database. A production site (NSCL_ENV=production: the nginx drill) has its own, made
    with that site's settings; the others' settings (NSCL_DEBUG, NSCL_PUBLIC_PROGRESS...) change
    nothing init and demo write."""
    production = env.get("NSCL_ENV") == "production"
    url = os.environ.get("DATABASE_URL", "")
    folder = TEMPLATES / _template_name(demo, production, url.startswith("postgres"))
    TEMPLATES.mkdir(parents=True, exist_ok=True)
    with open(TEMPLATES / f"{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (folder / "ready").exists():
            return folder
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        base = {k: v for k, v in env.items() if k not in ("NSCL_VAR_DIR", "DATABASE_URL", "PYTHONPATH")
                and (production or not k.startswith("NSCL_"))}
        site = Site(folder, env=base, pg_name=folder.name if url.startswith("postgres") else None)
        if demo:
            site._copy_from(_template(False, env))
            site.nscl("demo")
        else:
            if site.pg_admin_url:
                site._pg(f'DROP DATABASE IF EXISTS "{folder.name}"')
                site._pg(f'CREATE DATABASE "{folder.name}"')
            site.nscl("init")
        for p in folder.glob("serve-*.log"):
            p.unlink()
        (folder / "ready").touch()
    return folder


def wait_for_port(port, proc, logfile, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server stopped:\n{Path(logfile).read_text()}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listens on {port}:\n{Path(logfile).read_text()}")


def stop(proc: subprocess.Popen):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.setdefault(name, a.get("value") or "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            value = a.get("value") or ""
            if value:
                self.options.setdefault(self._select, []).append(value)
            if "selected" in a or self._select not in self.fields:  # as a browser: the selected, else the first
                self.fields[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.setdefault(name, "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def form_fields(html: str) -> dict[str, str]:
    """The values a browser would send for the page's forms."""
    p = _FormParser()
    p.feed(html)
    return p.fields


def login(session, base: str, username: str, password: str = DEMO_PASSWORD, origin: str | None = None):
    r = session.get(f"{base}/accounts/login/", timeout=30)
    assert r.status_code == 200, r.status_code
    fields = form_fields(r.text)
    fields.update(username=username, password=password)
    headers = {"Referer": f"{base}/accounts/login/", "Origin": origin or base}
    return session.post(f"{base}/accounts/login/", data=fields, headers=headers, allow_redirects=False, timeout=30)


def new_class_activity(html: str, **own) -> dict[str, str]:
    """The create form's fields filled in as an officer would: a unit and a topic chosen, no place."""
    p = _FormParser()
    p.feed(html)
    data = {**p.fields, **CLASS_ACTIVITY}
    for name in ("responsible_unit", "topic"):
        if not data.get(name):
            data[name] = p.options[name][0]
    return {**data, **own}


CLASS_ACTIVITY = {"title": "Lớp 5S thử nghiệm", "start_date": "03/03/2025", "end_date": "04/03/2025",
                  "status": "completed", "participants": "30", "hours": "8", "budget_planned": "1000000",
                  "budget_spent": "900000", "location": ""}
