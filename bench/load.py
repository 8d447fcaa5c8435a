"""Load test: N concurrent clients on the dashboard ("/") and /api/v1/targets of `nscl serve`.

Bounded (--seconds, default 30) and local only (127.0.0.1). By default it builds a throw-away
SQLite database under a temp dir (`nscl init`, `nscl demo`), starts `nscl serve` on a free port with
NSCL_PUBLIC_PROGRESS=1 (and --workers N when given), runs the clients, prints a table and stops the
server (NSCL_DEBUG=0 as in `make run`; --env NAME=VALUE adds settings). With --url it loads a
server you started yourself (must be http://127.0.0.1:PORT).

    .venv/bin/python bench/load.py                       # 20 clients, 30 s, `nscl serve` defaults
    .venv/bin/python bench/load.py --workers 4           # gunicorn with 4 worker processes
    .venv/bin/python bench/load.py --url http://127.0.0.1:8000 --clients 20 --seconds 30

Each client keeps one HTTP/1.1 connection open and alternates the two paths. Goal on two cores:
at least 250 requests/s with p95 under 150 ms and no errors. The clients share the machine with the
server, so the figures include their cost; run it on an otherwise idle machine.
"""
from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

PATHS = ["/", "/api/v1/targets"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nscl_bin() -> str:
    here = Path(sys.executable).parent / "nscl"
    return str(here) if here.exists() else shutil.which("nscl") or "nscl"


def start_server(workers: int | None, extra_env: dict) -> tuple[subprocess.Popen, str, str]:
    tmp = tempfile.mkdtemp(prefix="nscl-load-")
    # as `make run` serves: NSCL_DEBUG=0, public progress
    env = dict(os.environ, NSCL_VAR_DIR=tmp, DATABASE_URL=f"sqlite:///{tmp}/load.sqlite3", NSCL_PUBLIC_PROGRESS="1",
               NSCL_DEBUG="0")
    env.update(extra_env)
    for cmd in (["init"], ["demo"]):
        subprocess.run([nscl_bin(), *cmd], env=env, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    cmd = [nscl_bin(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers:
        cmd += ["--workers", str(workers)]
    log = open(Path(tmp) / "serve.log", "w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/api/v1/targets")
            if c.getresponse().status == 200:
                c.close()
                return proc, url, tmp
        except OSError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.3)
    stop_server(proc)
    sys.exit(f"the server did not start; see {tmp}/serve.log")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def client(host, port, stop_at, results, idx):
    conn = None
    i = idx
    while time.perf_counter() < stop_at:
        path = PATHS[i % len(PATHS)]
        i += 1
        t0 = time.perf_counter()
        try:
            if conn is None:
                conn = http.client.HTTPConnection(host, port, timeout=30)
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            ok = resp.status == 200
            if resp.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException):
            ok = False
            if conn is not None:
                conn.close()
            conn = None
        results.append((path, time.perf_counter() - t0, ok))
    if conn is not None:
        conn.close()


def run(url: str, clients: int, seconds: float) -> list[tuple[str, float, bool]]:
    parts = urlsplit(url)
    if parts.hostname != "127.0.0.1":
        sys.exit("bench/load.py only loads a server on 127.0.0.1")
    results: list[tuple[str, float, bool]] = []
    # warm-up: one pass so the first requests' start-up cost is not measured
    run_clients(parts.hostname, parts.port, clients, 2.0, [])
    run_clients(parts.hostname, parts.port, clients, seconds, results)
    return results


def run_clients(host, port, clients, seconds, results):
    stop_at = time.perf_counter() + seconds
    threads = [threading.Thread(target=client, args=(host, port, stop_at, results, i)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def table(results, seconds) -> str:
    rows = []
    for name, sel in [(p, [r for r in results if r[0] == p]) for p in PATHS] + [("all", results)]:
        times = sorted(r[1] * 1000 for r in sel if r[2])
        errors = sum(1 for r in sel if not r[2])
        if times:
            p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
            rows.append((name, len(sel), len(sel) / seconds, statistics.median(times), p95, errors))
        else:
            rows.append((name, len(sel), len(sel) / seconds, float("nan"), float("nan"), errors))
    out = [f"{'path':18s} {'requests':>9s} {'req/s':>8s} {'median ms':>10s} {'p95 ms':>8s} {'errors':>7s}"]
    out += [f"{n:18s} {c:9d} {r:8.1f} {m:10.1f} {p:8.1f} {e:7d}" for n, c, r, m, p, e in rows]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", help="an already running server, http://127.0.0.1:PORT")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--workers", type=int, help="passed to `nscl serve --workers`")
    ap.add_argument("--env", action="append", default=[], help="NAME=VALUE for the server (repeatable)")
    args = ap.parse_args()
    if not (1 <= args.clients <= 200 and 0 < args.seconds <= 600):
        sys.exit("--clients 1..200 and --seconds up to 600")
    proc = None
    url = args.url
    if not url:
        proc, url, _tmp = start_server(args.workers, dict(e.split("=", 1) for e in args.env))
    try:
        results = run(url, args.clients, args.seconds)
    finally:
        if proc is not None:
            stop_server(proc)
    print(f"{args.clients} clients, {args.seconds:g} s, {url}" + (f", --workers {args.workers}" if args.workers else ""))
    print(table(results, args.seconds))
    if any(not r[2] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
