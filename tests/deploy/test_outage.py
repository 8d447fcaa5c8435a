"""Fault drills on a real `nscl serve` (issue 18, item 3): the database goes away under the server
and comes back; the disk holding the media fills up.

- PostgreSQL: the server reaches the database through a TCP relay in this test; cutting the relay
  (listener closed, every connection reset) is the database stopped. Every endpoint answers 503
  with Retry-After (problem+json on /api/ and /epcis/, a page elsewhere); once the relay is back the
  same server process answers 200 again.
- SQLite: the database file is taken away (a disk unmounted); then put back.
- A full disk (media on a 1 MB tmpfs, mounted by the test as root): an upload answers 507 with a
  message and leaves no half-written file."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from .server import Site, free_port, login

PAGES = ["/", "/api/v1/targets", "/dien-hinh/", "/registers/", "/enterprises/", "/progress/chart.svg"]


class Relay:
    """127.0.0.1:port → PostgreSQL, which the test can cut and restore."""

    def __init__(self, upstream=("127.0.0.1", 5432)):
        self.upstream, self.port = upstream, free_port()
        self.socks: list[socket.socket] = []
        self.listener = None

    def start(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(64)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            self.socks += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self):
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread (close alone does not)
        except OSError:
            pass
        self.listener.close()
        for s in self.socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.socks = []


def check_outage(base, http):
    """`http` logged in before the outage: its every request needs the session from the database.
    (An anonymous visitor may still get the public dashboard from the progress cache: fine.)"""
    for page in PAGES:
        r = http.get(base + page, timeout=30)
        assert r.status_code == 503, (page, r.status_code, r.text[:300])
        assert r.headers["Retry-After"] == "30"
        if page.startswith(("/api/", "/epcis/")):
            assert r.headers["Content-Type"] == "application/problem+json"
            assert r.json()["status"] == 503
        else:
            assert "Hệ thống tạm thời gián đoạn" in r.text and "Server Error" not in r.text
    r = requests.get(base + "/epcis/events", headers={"Authorization": "Bearer nscl_khongco_bimat"}, timeout=30)
    assert r.status_code == 503 and r.headers["Content-Type"] == "application/problem+json"
    assert requests.get(base + "/", timeout=30).status_code in (200, 503)


def check_back(base, proc, deadline_s=15):
    deadline = time.monotonic() + deadline_s
    while True:
        codes = [requests.get(base + p, timeout=30).status_code for p in ("/dien-hinh/", "/api/v1/targets")]
        if codes == [200, 200]:
            break
        assert time.monotonic() < deadline, codes
        time.sleep(0.2)
    assert proc.poll() is None
    with requests.Session() as http:
        assert login(http, base, "canbo").status_code == 302


ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.fixture
def pg_site(tmp_path):
    site = Site(tmp_path, env={"NSCL_DEBUG": "0", "NSCL_PUBLIC_PROGRESS": "1"}).setup()
    yield site
    site.close()


# each pass drills its own database: the relay on PostgreSQL, the file taken away on SQLite
if ON_POSTGRESQL:
    def test_postgresql_stopped_then_back(pg_site):
        relay = Relay()
        relay.start()
        url = pg_site.env["DATABASE_URL"]
        scheme, rest = url.split("://", 1)
        through_relay = f"{scheme}://postgres@127.0.0.1:{relay.port}/{rest.split('/', 1)[1]}"
        base = pg_site.serve(env={"DATABASE_URL": through_relay})
        proc = pg_site.procs[-1]
        http = requests.Session()
        assert login(http, base, "canbo").status_code == 302
        relay.cut()
        check_outage(base, http)
        relay.start()
        check_back(base, proc)
        relay.cut()

else:
    def test_sqlite_file_gone_then_back(tmp_path):
        site = Site(tmp_path, env={"NSCL_DEBUG": "0", "NSCL_PUBLIC_PROGRESS": "1"}).setup()
        try:
            base = site.serve()
            proc = site.procs[-1]
            http = requests.Session()
            assert login(http, base, "canbo").status_code == 302
            db = tmp_path / "site.sqlite3"
            away = tmp_path / "away"
            away.mkdir()
            for f in tmp_path.glob("site.sqlite3*"):
                f.rename(away / f.name)
            check_outage(base, http)  # SQLite opens a new empty file in its place: no tables
            for f in tmp_path.glob("site.sqlite3*"):
                f.unlink()
            for f in away.iterdir():
                f.rename(tmp_path / f.name)
            assert db.exists()
            check_back(base, proc)
        finally:
            site.close()


def _mount_tmpfs(path: Path, size: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True).returncode == 0


def noise_png(side=500) -> bytes:
    """A real PNG that does not compress (random pixels): about 750 kB."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buf, "PNG")
    return buf.getvalue()


def test_a_full_disk_answers_507_and_leaves_no_half_written_file(tmp_path):
    site = Site(tmp_path, env={"NSCL_DEBUG": "0"}).setup(demo=True)
    evidence = tmp_path / "var" / "media" / "evidence"  # where uploaded evidence is written
    try:
        if not _mount_tmpfs(evidence, "1m"):
            pytest.fail("this drill mounts a 1 MB tmpfs and needs root (CI and these machines run as root)")
        (evidence / "filler").write_bytes(b"\0" * (1024 * 1024 - 200 * 1024))  # 200 kB left
        base = site.serve()
        with requests.Session() as http:
            assert login(http, base, "canbo").status_code == 302
            page = http.get(base + "/registers/class/", timeout=30).text
            import re

            pk = re.search(r'href="/registers/class/(\d+)/"', page).group(1)
            detail = f"{base}/registers/class/{pk}/"
            http.get(detail, timeout=30)
            r = http.post(f"{detail}evidence/", files={"file": ("anh-lop-hoc.png", noise_png())},
                          data={"csrfmiddlewaretoken": http.cookies["csrftoken"], "type": "photo"},
                          headers={"Referer": detail}, timeout=60)
        assert r.status_code == 507, (r.status_code, r.text[:500])
        assert "hết chỗ trên đĩa" in r.text
        assert sorted(p.name for p in evidence.rglob("*") if p.is_file()) == ["filler"]  # nothing half-written
        assert site.procs[-1].poll() is None
    finally:
        site.close()
        subprocess.run(["umount", "-l", str(evidence)], capture_output=True)
