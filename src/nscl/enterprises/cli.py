"""What `nscl enterprise ...` does (nscl/cli.py parses the arguments and calls these). `mst` and
`size` need no database. Each function returns the exit code."""
from __future__ import annotations

import json
import pathlib
import sys

from . import mst, size


def check_mst(codes, fmt="text", out=sys.stdout) -> int:
    results = [mst.check(c) for c in codes]
    if fmt == "json":
        print(json.dumps([r.as_dict() for r in results], ensure_ascii=False), file=out)
    else:
        for r in results:
            print(f"{r.given}\t{'hợp lệ: ' + r.normalized if r.valid else 'KHÔNG hợp lệ: ' + r.reason}", file=out)
    return 0 if all(r.valid for r in results) else 1


def size_class(sector, employees, revenue=None, capital=None, fmt="text", out=sys.stdout, err=sys.stderr) -> int:
    try:
        r = size.classify(sector, employees, revenue, capital)
    except size.SizeInputError as e:
        print(f"Lỗi: {e}", file=err)
        return 2
    if fmt == "json":
        print(json.dumps(r.as_dict(), ensure_ascii=False), file=out)
    else:
        print(f"{r.label} ({r.size_class})\n{r.rule}", file=out)
    return 0


def import_file(path, kind="enterprises", dry_run=False, out=None, err=None) -> int:
    from .importer import ImportFileError, run_import

    out, err = out or sys.stdout, err or sys.stderr  # the streams of the moment (a test may have replaced them)

    p = pathlib.Path(path)
    try:
        data = p.read_bytes()
    except OSError:
        print(f"Lỗi: không đọc được tệp {path}.", file=err)
        return 1
    try:
        result = run_import(data, p.name, kind=kind, dry_run=dry_run)
    except ImportFileError as e:
        print(f"Lỗi: {e}", file=err)
        return 1
    if not result.ok:
        for n in sorted(result.errors):
            for message in result.errors[n]:
                print(f"Dòng {n}: {message}", file=err)
        print(f"{len(result.errors)}/{result.rows} dòng có lỗi: không nhập dòng nào.", file=err)
        return 1
    if dry_run:
        print(f"Kiểm tra xong: {result.rows} dòng hợp lệ (chưa ghi gì, --dry-run).", file=out)
    else:
        print(f"Đã nhập {result.rows} dòng: tạo mới {result.created}, cập nhật {result.updated}, "
              f"không đổi {result.unchanged}.", file=out)
    return 0


HISTORY_IMPORTS = (
    ("import-figures", "figures", "nhập số liệu năm (tax_code, year, revenue, value_added, employees, ...) từ "
                                  ".xlsx/.csv: tất cả hoặc không"),
    ("import-support", "support", "nhập hỗ trợ các năm trước đã nghiệm thu (tax_code, support_content, approved_on, "
                                  "accepted_on, amount) thành hồ sơ đã kết thúc: tất cả hoặc không"),
)


def run_import_job(job_id, out=None) -> int:
    """The background worker of an import sent on the web (nscl.enterprises.import_jobs)."""
    from .import_jobs import run

    job = run(job_id)
    print(f"Nhập dữ liệu #{job.pk}: {job.get_status_display()}", file=out or sys.stdout)
    return 0 if job.status == job.Status.DONE else 1


def add_parsers(sub) -> None:
    """`nscl enterprise mst|size|import|list|...` on the command's subparsers `sub` (nscl/cli.py
    calls this; each subcommand carries its handler in `args.run`, called with Django set up)."""
    e = sub.add_parser("enterprise", help="doanh nghiệp: kiểm tra mã số thuế, quy mô, nhập, danh sách")
    esub = e.add_subparsers(dest="enterprise_command", required=True)
    em = esub.add_parser("mst", help="kiểm tra mã số thuế (không cần cơ sở dữ liệu)")
    em.add_argument("codes", nargs="+", metavar="CODE")
    em.add_argument("--format", choices=["text", "json"], default="text")
    em.set_defaults(run=lambda args: check_mst(args.codes, args.format))
    es = esub.add_parser("size", help="quy mô doanh nghiệp theo Nghị định 80/2021/NĐ-CP (không cần cơ sở dữ liệu)")
    es.add_argument("--sector", required=True, help="agriculture_forestry_fishery | industry_construction | trade_services")
    es.add_argument("--employees", required=True, help="lao động tham gia BHXH bình quân năm")
    es.add_argument("--revenue", help="doanh thu năm (đồng)")
    es.add_argument("--capital", help="tổng nguồn vốn (đồng)")
    es.add_argument("--format", choices=["text", "json"], default="text")
    es.set_defaults(run=lambda args: size_class(args.sector, args.employees, args.revenue, args.capital, args.format))
    ei = esub.add_parser("import", help="nhập doanh nghiệp (hoặc số liệu năm) từ .xlsx/.csv: tất cả hoặc không")
    ei.add_argument("file")
    ei.add_argument("--kind", choices=["enterprises", "figures", "support"], default="enterprises")
    ei.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
    ei.set_defaults(run=lambda args: import_file(args.file, kind=args.kind, dry_run=args.dry_run))
    _add_history_parsers(esub)
    el = esub.add_parser("list", help="danh sách doanh nghiệp")
    el.add_argument("--format", choices=["text", "json"], default="text")
    el.set_defaults(run=lambda args: list_enterprises(args.format))


def _add_history_parsers(esub) -> None:
    """`import-figures|import-support FILE [--dry-run]`, `run-import ID` (the web's worker), `remind`."""
    for name, kind, help_text in HISTORY_IMPORTS:
        p = esub.add_parser(name, help=help_text)
        p.add_argument("file")
        p.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
        p.set_defaults(run=lambda args, kind=kind: import_file(args.file, kind=kind, dry_run=args.dry_run))
    w = esub.add_parser("run-import", help="chạy một lần nhập đã gửi trên web (tiến trình nền)")
    w.add_argument("job", type=int)
    w.set_defaults(run=lambda args: run_import_job(args.job))
    r = esub.add_parser("remind", help="nhắc hạn báo cáo sau hỗ trợ (chạy hằng ngày; chạy lại trong ngày không gửi lại)")
    r.set_defaults(run=lambda args: remind())


def remind(out=None) -> int:
    """The daily reminder run (deploy/nscl-remind.timer): idempotent, see nscl.enterprises.duties.remind."""
    from .duties import remind as run

    print(f"Đã gửi {run()} thông báo nhắc hạn báo cáo.", file=out or sys.stdout)
    return 0


def list_enterprises(fmt="text", out=sys.stdout) -> int:
    from .models import Enterprise

    rows = [{"tax_code": e.tax_code, "name": e.name, "name_en": e.name_en, "ownership": e.ownership,
             "commune_code": e.commune.code if e.commune else None, "sector_group": e.sector_group,
             "size_class": e.size_class or None, "size_year": e.size_year, "parent": e.parent.tax_code if e.parent else None}
            for e in Enterprise.objects.select_related("commune", "parent").order_by("tax_code")]
    if fmt == "json":
        print(json.dumps({"enterprises": rows}, ensure_ascii=False), file=out)
    else:
        for r in rows:
            print(f"{r['tax_code']:15s} {r['name']}  [{r['size_class'] or '-'}]", file=out)
        print(f"{len(rows)} doanh nghiệp.", file=out)
    return 0
