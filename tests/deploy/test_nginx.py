"""The production deployment end to end: Debian's nginx with deploy/nginx-nscl.conf.template and a
throw-away self-signed certificate, in front of `nscl serve` in production mode (Hardening item 5).
A browser-like client logs in, records an activity and confirms it over https.

nginx is installed the way `make browser` installs chromium (apt-get when root); elsewhere the test is
skipped with the reason, except in CI (CI=true), where a missing nginx is a failure."""
import os
import re
import shutil
import string
import subprocess
from pathlib import Path

import pytest

from .server import Site, free_port, login, new_class_activity, stop, wait_for_port

requests = pytest.importorskip("requests")
DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
NGINX = "/usr/sbin/nginx"


def ensure_nginx():
    if os.path.exists(NGINX):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        cmd = ["apt-get", "install", "-y", "-q", "nginx-light"]
        if subprocess.run(cmd, env=env, capture_output=True).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "-q", "nginx"], env=env, capture_output=True)
    if not os.path.exists(NGINX):
        reason = "Debian's nginx is not installed (sudo apt-get install nginx; `make nginx` does it as root)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        print(f"SKIPPED: {reason}")
        pytest.skip(reason)


def self_signed(tmp: Path):
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    ensure_nginx()
    tmp = tmp_path_factory.mktemp("deploy")
    https_port, http_port, app_port = free_port(), free_port(), free_port()
    env = {"NSCL_ENV": "production", "NSCL_SECRET_KEY": "t" * 20 + "-Zq8!pL3@vN6#rT1$wY4%bH7^kM2&cF5*e9",
           "NSCL_ALLOWED_HOSTS": "127.0.0.1", "NSCL_TRUSTED_PROXIES": "127.0.0.1"}
    site = Site(tmp, env=env).setup(demo=True)
    site.nscl("manage", "collectstatic", "--noinput", "--verbosity", "0")
    cert, key = self_signed(tmp)
    rendered = string.Template((DEPLOY / "nginx-nscl.conf.template").read_text()).safe_substitute(
        NSCL_SERVER_NAME="127.0.0.1", NSCL_HTTPS_PORT=https_port, NSCL_HTTP_PORT=http_port, NSCL_TLS_CERT=cert,
        NSCL_TLS_KEY=key, NSCL_UPSTREAM=f"127.0.0.1:{app_port}", NSCL_STATIC_ROOT=tmp / "var" / "static")
    (tmp / "site.conf").write_text(rendered)
    for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi", "logs"):
        (tmp / d).mkdir()
    (tmp / "nginx.conf").write_text(f"""
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/logs/error.log warn;
{"user root;" if os.geteuid() == 0 else ""}
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {tmp}/logs/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/site.conf;
}}
""")
    check = subprocess.run([NGINX, "-t", "-p", str(tmp), "-c", str(tmp / "nginx.conf")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    site.serve("--workers", "2", port=app_port)
    nginx = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf")], stdout=subprocess.DEVNULL,
                             stderr=open(tmp / "logs" / "nginx.out", "w"), start_new_session=True)
    try:
        wait_for_port(https_port, nginx, tmp / "logs" / "nginx.out")
        yield {"base": f"https://127.0.0.1:{https_port}", "http": f"http://127.0.0.1:{http_port}", "cert": str(cert),
               "site": site, "app": f"http://127.0.0.1:{app_port}"}
    finally:
        stop(nginx)
        site.close()


def https_session(deployment):
    s = requests.Session()
    s.trust_env = False  # REQUESTS_CA_BUNDLE would replace the certificate given here
    s.verify = deployment["cert"]
    return s


def test_login_record_and_confirm_through_nginx(deployment):
    base = deployment["base"]
    s = https_session(deployment)
    resp = login(s, base, "canbo", origin=base)  # as a browser: Origin https://127.0.0.1:PORT
    assert resp.status_code == 302, (resp.status_code, resp.text[:500])
    assert "Strict-Transport-Security" in resp.headers  # Django knows the request came over https
    session_cookie = next(c for c in s.cookies if c.name == "sessionid")
    assert session_cookie.secure

    page = s.get(f"{base}/registers/class/new/")
    assert page.status_code == 200 and page.url.startswith("https://")
    title = "Lớp 5S qua nginx"
    resp = s.post(f"{base}/registers/class/new/", data=new_class_activity(page.text, title=title),
                  headers={"Origin": base, "Referer": f"{base}/registers/class/new/"}, allow_redirects=False)
    assert resp.status_code == 302, re.findall(r"errorlist[^>]*>(.*?)</ul", resp.text, re.S)
    detail = resp.headers["Location"]
    assert detail.startswith("/registers/class/")  # relative: no http:// leaks through the proxy
    pk = int(re.search(r"/(\d+)/?$", detail).group(1))
    page = s.get(base + detail)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    resp = s.post(f"{base}/registers/class/{pk}/confirm/", data={"csrfmiddlewaretoken": token},
                  headers={"Origin": base, "Referer": base + detail}, allow_redirects=False)
    assert resp.status_code == 302, resp.status_code
    out = deployment["site"].nscl("manage", "shell", "-c", "from nscl.programme.models import Activity; "
                                  f"a = Activity.objects.get(pk={pk}); print(a.title, a.confirmed_at is not None)")
    assert out.stdout.strip().endswith(f"{title} True"), out.stdout + out.stderr


def test_static_files_and_redirects(deployment):
    base = deployment["base"]
    static = next((Path(deployment["site"].env["NSCL_VAR_DIR"]) / "static").rglob("*.css"))
    rel = static.relative_to(Path(deployment["site"].env["NSCL_VAR_DIR"]) / "static").as_posix()
    resp = https_session(deployment).get(f"{base}/static/{rel}")
    assert resp.status_code == 200 and resp.content == static.read_bytes()
    resp = requests.get(f"{deployment['http']}/accounts/login/", allow_redirects=False)
    assert resp.status_code == 301 and resp.headers["Location"].startswith("https://127.0.0.1")
    # straight to the application without the proxy's https: redirected to https (no loop via nginx)
    resp = requests.get(f"{deployment['app']}/accounts/login/", allow_redirects=False)
    assert resp.status_code == 301 and resp.headers["Location"].startswith("https://")


def test_a_big_upload_reaches_the_application(deployment):
    """nginx lets an analysis upload of more than nginx's default 1 MB through (limit 200 MB)."""
    base = deployment["base"]
    s = https_session(deployment)
    resp = s.post(f"{base}/accounts/login/", data={"x": "a" * (3 * 1024 * 1024)}, headers={"Origin": base})
    assert resp.status_code != 413  # Django answers (403 CSRF here), not nginx


def test_the_systemd_unit_runs_nscl_serve():
    import configparser

    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read_string((DEPLOY / "nscl.service").read_text())
    assert "nscl serve --host 127.0.0.1" in unit["Service"]["ExecStart"]
    assert unit["Service"]["EnvironmentFile"] == "/etc/nscl/nscl.env"
    env = (DEPLOY / "nscl.env.example").read_text()
    for name in ("NSCL_ENV=production", "NSCL_SECRET_KEY=", "NSCL_ALLOWED_HOSTS=", "NSCL_TRUSTED_PROXIES="):
        assert name in env
