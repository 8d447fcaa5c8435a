"""A throw-away site for tests that need real server processes: its own database (a SQLite file, or a
fresh PostgreSQL database on the server DATABASE_URL names), `nscl init` + `nscl demo`, and
`nscl serve` on a free port of 127.0.0.1. Nothing outside the test's tmp_path is read or written
(except the PostgreSQL database, dropped at the end)."""
from __future__ import annotations

import os
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


class Site:
    def __init__(self, tmp_path: Path, env: dict | None = None):
        self.tmp = Path(tmp_path)
        self.pg_admin_url = None
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith("postgres"):
            self.pg_name = f"nscl_t_{uuid.uuid4().hex[:10]}"
            scheme, rest = url.split("://", 1)
            host, _, query = rest.partition("/")
            query = query.partition("?")[2]
            self.pg_admin_url = f"postgresql://{host}/postgres" + (f"?{query}" if query else "")
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
        self.nscl("init")
        if demo:
            self.nscl("demo")
        return self

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
