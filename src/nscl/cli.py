"""The `nscl` command: the database and web commands (init, demo, serve, adduser, run-analysis,
manage, backup, restore) and the estimators that need no database (growth, firm-tfp, impact).

With settings and urls, the only module that may import every app: it loads each app's reference
and demo data in dependency order."""
from __future__ import annotations

import argparse
import os
import sys


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nscl.settings")
    from django.conf import settings

    import django

    django.setup()
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    return settings


def load_reference() -> dict:
    """Reference data of every app, lowest layer first (idempotent)."""
    from nscl.enterprises.reference import load_reference as load_enterprise_reference
    from nscl.geo.loader import load_admin_units
    from nscl.programme.reference import load_plan
    from nscl.stats.services import load_vietnam_reference

    out = load_admin_units()
    out.update(load_enterprise_reference())
    out.update(load_plan())
    out["tfp_reference_years"] = load_vietnam_reference().observations.count()
    return out


def load_demo() -> dict:
    from nscl.analysis import demo_support_impact as support_impact_demo
    from nscl.practices import demo as practices_demo
    from nscl.programme import demo
    from nscl.stats import demo as tfp_demo

    out = demo.load()
    if "skipped" not in out:
        out.update(tfp_demo.load())
        out["activities"] += out["published"]  # each published TFP year is a programme record
        out.update(practices_demo.load())  # cases from the accepted demo dossiers
        out.update(support_impact_demo.load())  # the simulated registry of the impact page
    from nscl.trace import demo as trace_demo

    out.update(trace_demo.load())  # the longan chain (its own enterprises; idempotent)
    return out


def remove_demo() -> dict:
    """Illustrative records of every app, highest layer first (they refer to the lower ones)."""
    from nscl.analysis import demo_support_impact as support_impact_demo
    from nscl.practices import demo as practices_demo
    from nscl.programme import demo
    from nscl.stats import demo as tfp_demo

    from nscl.trace import demo as trace_demo

    out = trace_demo.remove()
    out.update(support_impact_demo.remove())
    out.update(practices_demo.remove())
    out.update(tfp_demo.remove())
    out.update(demo.remove())
    return out


def cmd_init(args):
    settings = _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
        call_command("createcachetable", verbosity=0)
    out = load_reference()
    print(f"Cơ sở dữ liệu sẵn sàng: {out['targets']} chỉ tiêu, {out['catalogue']} mục danh mục, "
          f"{out['provinces']} tỉnh, {out['communes_new']} xã/phường mới, {out['communes_old']} xã cũ, "
          f"{out['links']} liên kết sáp nhập.")
    if out["unmatched"]:
        print(f"Ghi chú: nghị quyết sáp nhập 2025 nêu {len(out['unmatched'])} xã cũ không có trong danh sách xã trước "
              "01/07/2025 (đã sáp nhập hoặc đổi tên từ trước); các xã mới dưới đây chỉ thiếu liên kết kế thừa với "
              "xã cũ đó, mọi số liệu khác vẫn đúng:")
        for new, old in out["unmatched"]:
            print(f"  {new} ← {old}")


def cmd_demo(args):
    _django()
    if args.remove:
        out = remove_demo()
        print(f"Đã xóa dữ liệu minh họa: {out['activities']} hoạt động, {out['organisations']} tổ chức, {out['users']} tài khoản.")
        return
    out = load_demo()
    if "skipped" in out:
        print("Dữ liệu minh họa đã có sẵn.")
    else:
        print(f"Đã nạp dữ liệu minh họa: {out['activities']} hoạt động, {out['organisations']} doanh nghiệp.")
    print_logins()


def print_logins():
    from nscl.programme.demo import DEMO_PASSWORD, DEMO_USERS

    print("Tài khoản minh họa (mật khẩu cho tất cả: %s):" % DEMO_PASSWORD)
    for username, role, _unit, _org in DEMO_USERS:
        print(f"  {username:12s} {role.label}")


def cmd_serve(args):
    """The web server: waitress (one process, threads) by default; with --workers N > 1, gunicorn
    with N processes where it is installed (not on Windows). Several processes share the cache
    (NSCL_CACHE=file under var/cache unless NSCL_CACHE says otherwise). Proxy headers are believed
    only from NSCL_TRUSTED_PROXIES (the Django middleware nscl.accounts.proxy decides, for both)."""
    workers = args.workers or int(os.environ.get("NSCL_WORKERS", 0)) or \
        (max(2, os.cpu_count() or 1) if os.environ.get("NSCL_ENV") == "production" else 1)
    gunicorn = None
    if workers > 1:
        try:
            import gunicorn.app.base as gunicorn
        except ImportError:
            print("gunicorn không có: chạy waitress một tiến trình (pip install gunicorn để chạy nhiều tiến trình).")
            workers = 1
    if workers > 1 and not (os.environ.get("NSCL_CACHE") or os.environ.get("NSCL_CACHE_TABLE")):
        os.environ["NSCL_CACHE"] = "file"  # shared by the worker processes
    os.environ.setdefault("NSCL_PROGRESS_CACHE_SECONDS", "300")
    settings = _django()
    from django.urls import get_resolver

    from nscl.wsgi import application

    # import every view now (pandas, scipy, matplotlib: seconds): forked workers share the modules and
    # no first request after a start waits for them
    get_resolver().url_patterns
    print(f"NSCL đang chạy tại http://{args.host}:{args.port}/  (Ctrl+C để dừng)"
          + (f" — gunicorn, {workers} tiến trình" if workers > 1 else ""))
    from django.db import DatabaseError

    from nscl.accounts.models import Profile

    try:
        if Profile.objects.filter(is_demo=True).exists():
            print_logins()
    except DatabaseError as e:  # serve anyway: pages answer 503 until the database is back
        print(f"Cảnh báo: chưa kết nối được cơ sở dữ liệu ({e.__class__.__name__}); các trang trả lời 503 "
              "cho tới khi cơ sở dữ liệu hoạt động trở lại.")
    if settings.NSCL_PUBLIC_PROGRESS:
        print("Trang tiến độ và API công khai (NSCL_PUBLIC_PROGRESS=1).")
    if settings.NSCL_TRUSTED_PROXIES:
        print(f"Tin tiêu đề X-Forwarded-* từ: {', '.join(settings.NSCL_TRUSTED_PROXIES)}")
    elif getattr(settings, "SECURE_SSL_REDIRECT", False):
        print("Cảnh báo: NSCL_TRUSTED_PROXIES trống — sau nginx mọi yêu cầu bị coi là http và chuyển hướng mãi; "
              "đặt NSCL_TRUSTED_PROXIES=127.0.0.1 (xem README, Production deployment).")
    from django.db import connections

    from nscl.common import jobs

    try:
        jobs.reap_all()  # jobs whose workers died while the server was down are failed now, not later
    except DatabaseError:
        pass  # the reaper thread tries again
    connections.close_all()  # no connection is shared with forked workers
    if workers > 1:
        options = {"bind": f"{args.host}:{args.port}", "workers": workers, "worker_class": os.environ.get("NSCL_GUNICORN_WORKER_CLASS", "gthread"),
                   "threads": args.threads, "forwarded_allow_ips": ",".join(settings.NSCL_TRUSTED_PROXIES) or "127.0.0.1",
                   "timeout": 120, "graceful_timeout": 20, "keepalive": 5, "limit_request_line": 8190,
                   "accesslog": None, "errorlog": "-", "loglevel": "warning"}

        def post_worker_init(worker):  # after the fork: each worker reaps the jobs of dead workers
            jobs.reaper_thread()

        options["post_worker_init"] = post_worker_init

        class App(gunicorn.BaseApplication):
            def load_config(self):
                for key, value in options.items():
                    self.cfg.set(key, value)

            def load(self):
                return application

        App().run()
    else:
        from waitress import serve

        jobs.reaper_thread()

        # waitress keeps the proxy headers; nscl.accounts.proxy.TrustedProxyMiddleware believes or drops them
        serve(application, host=args.host, port=args.port, threads=args.threads, clear_untrusted_proxy_headers=False)


# the command-line option of each column role or argument a library error names (`error.field`)
_OPTION_OF_FIELD = {"free": "--free", "state": "--state", "proxy": "--proxy", "method": "--method",
                    "control": "--control", "estimator": "--estimator", "by": "--by", "min_group": "--min-group",
                    "bootstrap": "--bootstrap", "cluster": "--cluster", "anticipation": "--anticipation",
                    "base_period": "--base-period"}


def _fail(error):
    """Exit with the library's message, plus the command-line option to use when it names one."""
    option = _OPTION_OF_FIELD.get(getattr(error, "field", None))
    hint = ""
    if option == "--control":
        hint = " (tùy chọn --control notyet)"
    elif option:
        hint = f" (tùy chọn {option})"
    sys.exit(f"Lỗi: {error}{hint}")


def _read_panel(path, reader=None):
    from nscl.productivity.tables import read_table

    try:
        return (reader or read_table)(path)
    except FileNotFoundError:
        sys.exit(f"Lỗi: không tìm thấy tệp {path}.")
    except Exception as e:  # noqa: BLE001
        sys.exit(f"Lỗi: tệp {path} không phải là bảng đọc được ({e.__class__.__name__}).")


def cmd_adduser(args):
    """An account with its role; it names a unit (programme) or an enterprise, so the wiring holds it."""
    _django()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from nscl.accounts.models import Profile, Role
    from nscl.enterprises import mst
    from nscl.enterprises.models import Enterprise
    from nscl.programme.models import Unit

    if args.role not in Role.values:
        sys.exit(f"Vai trò không hợp lệ: {args.role}. Chọn một trong: {', '.join(Role.values)}")
    unit = Unit.objects.filter(code=args.unit).first() if args.unit else None
    if args.unit and unit is None:
        sys.exit(f"Không có đơn vị “{args.unit}”.")
    code = mst.check(args.tax_code).normalized if args.tax_code else None
    org = Enterprise.objects.filter(tax_code=code or args.tax_code).first() if args.tax_code else None
    if args.tax_code and org is None:
        sys.exit(f"Không có doanh nghiệp có mã số thuế “{args.tax_code}”.")
    if args.role == Role.PARTNER and unit is None:
        sys.exit("Tài khoản đơn vị phối hợp cần --unit.")
    if args.role == Role.ENTERPRISE and org is None:
        sys.exit("Tài khoản doanh nghiệp cần --tax-code.")
    User = get_user_model()
    try:
        validate_password(args.password)
    except ValidationError as e:
        sys.exit("Mật khẩu chưa đạt: " + " ".join(e.messages))
    with transaction.atomic():
        user = User.objects.create_user(args.username, password=args.password, is_superuser=args.role == Role.ADMIN,
                                        is_staff=args.role == Role.ADMIN)
        Profile.objects.create(user=user, role=args.role, unit=unit, enterprise=org)
    print(f"Đã tạo tài khoản {args.username} ({Role(args.role).label}).")


def cmd_growth(args):
    from nscl.productivity import growth_cli

    growth_cli.run(args)


def cmd_impact(args):
    from nscl.productivity import impact_cli

    impact_cli.run(args, _read_panel, _fail)


def cmd_firm_tfp(args):
    from nscl.productivity import firm, firm_cli

    try:
        print(firm_cli.run(args, _read_panel))
    except firm.FirmDataError as e:
        _fail(e)


def cmd_impact_registry(argv):
    """`nscl impact --from-registry ...`: its own options (nscl.analysis.cli)."""
    _django()
    from nscl.analysis.cli import impact_from_registry

    sys.exit(impact_from_registry(argv))


def cmd_run_analysis(args):
    _django()
    from nscl.analysis.runner import run

    job = run(args.job)
    print(f"Phân tích #{job.pk}: {job.get_status_display()}")


def cmd_enterprise(args):
    """`nscl enterprise ...`: the enterprise registry (nscl.enterprises.cli)."""
    _django()
    sys.exit(args.run(args))


def cmd_manage(args, rest):
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["nscl manage"] + rest)


# Commands whose output is read by another program (`nscl epcis query | head`): a closed pipe ends
# them quietly. Never the server or a worker: with the default action a write to a socket the
# browser already closed would kill the whole process (issue 18).
PIPED_COMMANDS = frozenset({"growth", "firm-tfp", "impact", "enterprise", "epcis", "trace"})


def _quiet_sigpipe():
    import signal

    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)


def main(argv=None):
    as_command = argv is None
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="nscl", description="NSCL — năng suất chất lượng Hưng Yên")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="tạo/nâng cấp cơ sở dữ liệu và nạp dữ liệu tham chiếu")
    d = sub.add_parser("demo", help="nạp dữ liệu minh họa")
    d.add_argument("--remove", action="store_true", help="xóa đúng các bản ghi minh họa")
    s = sub.add_parser("serve", help="chạy máy chủ web")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--workers", type=int, default=0,
                   help="tiến trình (gunicorn khi > 1; mặc định 1, production: số lõi hoặc NSCL_WORKERS)")
    s.add_argument("--threads", type=int, default=8, help="luồng mỗi tiến trình")
    u = sub.add_parser("adduser", help="tạo tài khoản có vai trò")
    u.add_argument("username")
    u.add_argument("--role", required=True)
    u.add_argument("--password", required=True)
    u.add_argument("--unit")
    u.add_argument("--tax-code")
    from nscl.productivity import firm_cli, growth_cli, impact_cli  # plain argparse: cheap to build

    growth_cli.add_arguments(sub.add_parser("growth", help="hạch toán tăng trưởng: đóng góp của TFP (GSO, Törnqvist)"))
    firm_cli.add_arguments(sub.add_parser("firm-tfp", help="ước lượng hàm sản xuất và TFP doanh nghiệp "
                                                                "(như prodest của R; --by: theo nhóm, ví dụ ngành)"))
    impact_cli.add_arguments(sub.add_parser("impact", help="tác động của hỗ trợ: DiD so le (Callaway & Sant'Anna)"))
    ra = sub.add_parser("run-analysis", help="chạy một phân tích đã tạo trên web (tiến trình nền)")
    ra.add_argument("job", type=int)
    from nscl.enterprises import cli as enterprises_cli  # no database needed to parse

    enterprises_cli.add_parsers(sub)
    from nscl.trace import cli as trace_cli  # `epcis` and `trace`: parsers and handlers in the app

    trace_cli.add_parsers(sub)
    from nscl import backup  # `backup` and `restore`: parsers and handlers in nscl.backup

    backup.add_parsers(sub)
    sub.add_parser("manage", help="lệnh quản trị Django", add_help=False)
    if argv and argv[0] == "manage":
        return cmd_manage(None, argv[1:])
    if argv and argv[0] == "impact" and "--from-registry" in argv:
        return cmd_impact_registry(argv[1:])
    args = parser.parse_args(argv)
    if as_command and args.command in PIPED_COMMANDS:
        _quiet_sigpipe()
    if args.command in trace_cli.COMMANDS:
        sys.exit(trace_cli.run(args, _django))
    if args.command in backup.COMMANDS:
        sys.exit(backup.run(args, _django))
    {"init": cmd_init, "demo": cmd_demo, "serve": cmd_serve, "adduser": cmd_adduser,
     "growth": cmd_growth, "firm-tfp": cmd_firm_tfp, "impact": cmd_impact,
     "run-analysis": cmd_run_analysis, "enterprise": cmd_enterprise}[args.command](args)


if __name__ == "__main__":
    main()
