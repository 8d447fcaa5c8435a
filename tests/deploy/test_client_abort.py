"""The server outlives its clients (issue 18, item 1): a browser that leaves a page while its chart,
report or export is still being written closes the socket; the server's next write then fails with
EPIPE. Before the fix `nscl serve` restored the default SIGPIPE action, so that write ended the whole
process (waitress) or the worker (gunicorn) with no log line.

Each test aborts 50 requests mid-response on the slowest public routes of a demo site, with a reset
(SO_LINGER 0) after the first bytes or before any, and then gets 200s from the same process."""
from __future__ import annotations

import os
import socket
import struct
import time
from urllib.parse import urlsplit

import pytest
import requests

from .server import Site

# public with NSCL_PUBLIC_PROGRESS=1: charts, the dashboard export, the annual report, trace pages
SLOW_ROUTES = [
    "/progress/chart.svg?phase=2021-2025&year=2021",
    "/progress/chart.png?phase=2021-2025&year=2025",
    "/progress/export.xlsx?phase=2021-2025",
    "/tfp/asean/",
    "/",
    "/trace/graph.json",
]


def abort(base: str, path: str, read_bytes: int) -> None:
    """Send the request, read `read_bytes` of the answer (0: none), then reset the connection."""
    host = urlsplit(base)
    s = socket.create_connection((host.hostname, host.port), timeout=10)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close → RST
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    if read_bytes:
        try:
            s.recv(read_bytes)
        except OSError:
            pass
    s.close()


def server_pids(site_log_pid: int) -> set[int]:
    """The serving process and its children (gunicorn's workers)."""
    pids = {site_log_pid}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == site_log_pid:
                pids.add(int(entry))
    return pids


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    s = Site(tmp_path_factory.mktemp("abort"), env={"NSCL_DEBUG": "0", "NSCL_PUBLIC_PROGRESS": "1"}).setup()
    yield s
    s.close()


@pytest.mark.parametrize("workers", [1, 2], ids=["waitress", "gunicorn"])
def test_aborted_requests_do_not_end_the_server(site, workers):
    base = site.serve("--workers", str(workers))
    proc = site.procs[-1]
    with requests.Session() as http:  # warm: every route answers before the drill
        for path in SLOW_ROUTES:
            assert http.get(base + path, timeout=60).status_code == 200, path
    before = server_pids(proc.pid)
    for i in range(50):
        abort(base, SLOW_ROUTES[i % len(SLOW_ROUTES)], read_bytes=(0, 1, 200)[i % 3])
    time.sleep(0.5)
    assert proc.poll() is None, site.log()
    with requests.Session() as http:
        for path in SLOW_ROUTES:
            assert http.get(base + path, timeout=60).status_code == 200, path
    assert server_pids(proc.pid) == before  # same process, and gunicorn lost no worker
    assert "SIGPIPE" not in site.log()
